"""R18's e-mail, end to end with a real SMTP server on loopback (aiosmtpd) and the real task worker:
delivered after commit, in the background, at least once and never twice, per the person's preferences."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import signing
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from imagesharing.accounts.invitations import Invitation
from imagesharing.accounts.models import ApiToken
from imagesharing.choices import NoticeKind, Role
from imagesharing.memberships.letters import UNSUBSCRIBE_SALT, unsubscribe_token
from imagesharing.memberships.notices import MailOptOut, MailStatus, Notice, send_notice_mail
from tests import factories, servers
from tests.api.conftest import Api
from tests.mailserver import Mailbox, free_port, smtp_server, smtp_settings

pytestmark = pytest.mark.django_db(transaction=True)  # the worker commits as it goes, as it does for real

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def smtp_port(settings) -> int:
    """The app's e-mail goes to 127.0.0.1 on this port, through Django's SMTP backend."""
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    for name, value in smtp_settings(port).items():
        setattr(settings, name, int(value) if name == "EMAIL_PORT" else value)
    settings.EMAIL_TIMEOUT = 5
    settings.PANEL_URL = "https://panel.example"
    return port


@pytest.fixture
def addressed(owner, consumer):
    for person in (owner, consumer):
        person.email = f"{person.username}@example.com"
        person.save(update_fields=["email"])
    return consumer.email


def offer_through_api(owner, image, consumer):
    _, token = ApiToken.objects.issue(owner, "test")
    response = Api(token).post(f"/v2/images/{image.pk}/members", {"member": str(consumer.account.tenant_id)})
    assert response.status_code == 200, response.content
    return response


def run_worker_once() -> None:
    """The real database worker in this process: every task that is ready, then exit."""
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def test_r18_an_offer_made_through_the_api_reaches_the_consumers_mailbox(
    smtp_port, addressed, owner, consumer, shared_image
):
    with smtp_server(smtp_port, Mailbox()) as mailbox:
        offer_through_api(owner, shared_image, consumer)
        assert mailbox.messages == []  # not in the request
        run_worker_once()

    [message] = mailbox.to(addressed)
    notice = Notice.objects.get(recipient=consumer)
    assert (
        message["Subject"].strip()
        == f"[Cloud Images] Tenant {owner.account.tenant_id} (Producer) offered you the image “shared-base”."
    )
    assert message["Message-ID"] == f"<notice-{notice.pk}@panel.example>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = f"https://panel.example/unsubscribe/{unsubscribe_token(consumer.pk, NoticeKind.OFFER)}/"
    assert message["List-Unsubscribe"].strip() == f"<{unsubscribe}>"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for body in (text, html):
        assert str(shared_image.pk) in body and str(owner.account.tenant_id) in body and "Producer" in body
        assert f"https://panel.example/images/{shared_image.pk}/" in body
        assert unsubscribe in body
    assert Notice.objects.get(pk=notice.pk).mail_status == MailStatus.SENT


def test_r18_an_smtp_outage_delays_mail_and_loses_none(smtp_port, addressed, owner, consumer, shared_image, settings):
    settings.MAIL_RETRY_SECONDS = 1
    factories.member(owner, shared_image, consumer)
    run_worker_once()  # no server listening
    notice = Notice.objects.get(recipient=consumer)
    assert (notice.mail_status, notice.mail_attempts) == (MailStatus.QUEUED, 1)
    assert notice.mail_error and notice.mail_due_at > timezone.now()
    assert DBTaskResult.objects.filter(status="READY", run_after__gt=timezone.now()).count() == 1  # its retry

    with smtp_server(smtp_port, Mailbox()) as mailbox:
        run_worker_once()
        assert mailbox.messages == []  # the retry is not due yet
        time.sleep(1.1)
        run_worker_once()

    assert len(mailbox.to(addressed)) == 1
    assert Notice.objects.get(pk=notice.pk).mail_status == MailStatus.SENT


def test_r18_a_retried_task_and_the_sweep_send_a_message_once(smtp_port, addressed, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    notice = Notice.objects.get(recipient=consumer)
    send_notice_mail.enqueue([notice.pk])  # the same task twice, as a lost-and-retried one would be
    with smtp_server(smtp_port, Mailbox()) as mailbox:
        run_worker_once()
        assert Notice.objects.deliver_due() == 0
        assert Notice.objects.deliver(notice.pk) == "not due"
    assert len(mailbox.messages) == 1
    outcomes = sorted(str(result.return_value) for result in DBTaskResult.objects.filter(status="SUCCESSFUL"))
    assert outcomes == ["{'not due': 1}", "{'sent': 1}"]


def test_r18_mail_whose_task_was_lost_goes_out_with_the_sweep(smtp_port, addressed, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    DBTaskResult.objects.all().delete()
    with smtp_server(smtp_port, Mailbox()) as mailbox:
        assert Notice.objects.deliver_due() == 1
    assert len(mailbox.to(addressed)) == 1


def test_r18_a_worker_that_died_while_sending_has_its_claim_taken_after_it_lapses(
    smtp_port, addressed, owner, consumer, shared_image
):
    factories.member(owner, shared_image, consumer)
    notice = Notice.objects.get(recipient=consumer)
    Notice.objects.filter(pk=notice.pk).update(
        mail_status=MailStatus.SENDING, mail_due_at=timezone.now() + timedelta(minutes=5)
    )
    with smtp_server(smtp_port, Mailbox()) as mailbox:
        assert Notice.objects.deliver_due() == 0  # claimed by a worker that may still be sending
        Notice.objects.filter(pk=notice.pk).update(mail_due_at=timezone.now() - timedelta(seconds=1))
        assert Notice.objects.deliver_due() == 1
    assert len(mailbox.messages) == 1


def test_r18_preferences_are_respected_when_writing_and_when_sending(
    smtp_port, addressed, owner, consumer, shared_image, dfw
):
    MailOptOut.objects.set_email_kinds(consumer, [NoticeKind.ANSWER])  # no offers by e-mail
    factories.member(owner, shared_image, consumer)
    assert Notice.objects.get(recipient=consumer).mail_status == MailStatus.NONE

    other = factories.image(owner, dfw, name="second", visibility="shared")
    MailOptOut.objects.set_email_kinds(consumer, [NoticeKind.OFFER])
    factories.member(owner, other, consumer)
    MailOptOut.objects.set_email_kinds(consumer, [])  # turned off before the worker ran
    with smtp_server(smtp_port, Mailbox()) as mailbox:
        run_worker_once()
    assert mailbox.messages == []
    assert Notice.objects.get(recipient=consumer, image=other).mail_status == MailStatus.DROPPED


def test_r18_one_click_unsubscribe_works_without_a_session(smtp_port, addressed, owner, consumer, shared_image):
    with smtp_server(smtp_port, Mailbox()) as mailbox:
        factories.member(owner, shared_image, consumer)
        run_worker_once()
    [message] = mailbox.messages
    url = message["List-Unsubscribe"].strip().strip("<>").removeprefix("https://panel.example")
    client = Client(enforce_csrf_checks=True)  # no session, no CSRF cookie: a mail client's POST

    page = client.get(url)
    assert page.status_code == 200 and b"Unsubscribe" in page.content
    assert not MailOptOut.objects.exists()  # GET never changes anything (link scanners open links)

    response = client.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert MailOptOut.objects.muted_kinds(consumer) == {NoticeKind.OFFER}
    assert client.post(url).status_code == 200  # twice: still one opt-out
    assert MailOptOut.objects.count() == 1


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        unsubscribe_token(1, "offer") + "x",  # tampered
        "WzEsImJvZ3VzIl0:abc",  # a made-up signature
        signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object([1, "bogus"]),  # signed, but no such kind
    ],
)
def test_r18_a_forged_or_broken_unsubscribe_link_changes_nothing(owner, token):
    client = Client(enforce_csrf_checks=True)
    assert client.get(f"/unsubscribe/{token}/").status_code == 404
    assert client.post(f"/unsubscribe/{token}/").status_code == 404
    assert not MailOptOut.objects.exists()


def test_r18_a_refused_change_enqueues_no_mail(addressed, owner, consumer, shared_image, abroad):
    before = DBTaskResult.objects.count()
    result = shared_image.share_with(owner, [abroad.account.tenant_id], acknowledged=True)
    assert not result.added
    assert DBTaskResult.objects.count() == before and not Notice.objects.exists()


# A real worker process on the test database (PostgreSQL: another process cannot see SQLite's
# in-memory test database), as `make run` and production run it.


def start_worker(tmp_path: Path, port: int, **env: str) -> tuple[subprocess.Popen, object]:
    log = (tmp_path / "worker.log").open("w")
    environment = {
        **os.environ,
        "DATABASE_URL": servers.database_url(),
        "DEBUG": "false",
        "SECRET_KEY": "worker-test-" + "k" * 50,
        "PANEL_URL": "https://panel.example",
        **smtp_settings(port),
        **env,
    }
    command = [sys.executable, "manage.py", "run_worker", "--tick", "0.2", "--interval", "0.1", "--no-reload"]
    return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=log), log


def stop_worker(worker: subprocess.Popen, log) -> None:
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=30)
    log.close()


def wait_for(condition, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.mark.postgres_only
def test_r18_a_worker_process_delivers_an_api_offer_and_waits_out_an_smtp_outage(
    tmp_path, addressed, owner, consumer, shared_image, dfw
):
    port = free_port()
    worker, log = start_worker(tmp_path, port, MAIL_RETRY_SECONDS="1")
    try:
        mailbox = Mailbox()
        with smtp_server(port, mailbox):
            offer_through_api(owner, shared_image, consumer)
            assert wait_for(lambda: mailbox.to(addressed)), "the offer's mail did not arrive"

        # The server goes away: the next offer's mail waits, and goes out when it is back.
        other = factories.image(owner, dfw, name="second", visibility="shared")
        offer_through_api(owner, other, consumer)
        assert wait_for(lambda: Notice.objects.filter(image=other, mail_attempts__gte=1).exists())
        assert Notice.objects.get(image=other).mail_status == MailStatus.QUEUED
        with smtp_server(port, mailbox):
            assert wait_for(lambda: len(mailbox.to(addressed)) == 2), "the delayed mail did not arrive"
            time.sleep(1)
    finally:
        stop_worker(worker, log)
    assert [m["Subject"].strip().endswith(("“shared-base”.", "“second”.")) for m in mailbox.messages] == [True, True]
    assert set(Notice.objects.values_list("mail_status", flat=True)) == {MailStatus.SENT}


def test_r27_an_invitation_reaches_the_invited_mailbox_from_the_worker(smtp_port, owner):
    invitation = Invitation.objects.invite(owner, "new@example.com", Role.READER)
    with smtp_server(smtp_port, Mailbox()) as mailbox:
        assert mailbox.messages == []  # not in the request
        run_worker_once()
    [message] = mailbox.to("new@example.com")
    assert f"tenant {owner.account.tenant_id}" in message["Subject"]
    link = f"https://panel.example/invitations/{invitation.token}/"
    for body in (message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()):
        assert link in body and "reader" in body
    assert Invitation.objects.get(pk=invitation.pk).mailed_at is not None


def test_r27_an_invitation_mailed_while_the_server_is_down_goes_out_later(smtp_port, owner, settings):
    settings.MAIL_RETRY_SECONDS = 1
    Invitation.objects.invite(owner, "new@example.com", Role.MEMBER)
    run_worker_once()  # no server listening
    with smtp_server(smtp_port, Mailbox()) as mailbox:
        time.sleep(1.1)
        run_worker_once()
    assert len(mailbox.to("new@example.com")) == 1


def test_r27_a_password_reset_mail_is_sent_by_the_worker_not_the_request(smtp_port, owner):
    owner.email = "owner@example.com"
    owner.save(update_fields=["email"])
    with smtp_server(smtp_port, Mailbox()) as mailbox:
        Client().post("/password/reset/", {"email": "owner@example.com"})
        assert mailbox.messages == []
        run_worker_once()
    [message] = mailbox.to("owner@example.com")
    assert "https://panel.example/password/reset/" in message.get_body(("plain",)).get_content()
