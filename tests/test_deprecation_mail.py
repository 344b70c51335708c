"""R25 with R18: every current member hears of a deprecation, in the panel and by e-mail per its
preferences; the message names the image and links to its page, never the replacement (R17)."""

from django.core import mail

from imagesharing.choices import MemberStatus, NoticeKind
from imagesharing.memberships.notices import MailOptOut, MailStatus, Notice
from tests import factories
from tests.panel.conftest import signed_in, text_of


def test_r25_members_get_the_deprecation_by_e_mail(settings, owner, consumer, other_consumer, shared_image):
    settings.PANEL_URL = "https://panel.example"
    for person in (consumer, other_consumer):
        person.email = f"{person.username}@example.com"
        person.save(update_fields=["email"])
        factories.member(owner, shared_image, person, MemberStatus.ACCEPTED)
    MailOptOut.objects.set_email_kinds(other_consumer, [])  # no e-mail of any kind
    successor = factories.image(owner, shared_image.region, name="secret-successor")
    shared_image.deprecate(owner, replacement=successor.pk)

    notices = {notice.recipient: notice for notice in Notice.objects.filter(kind=NoticeKind.DEPRECATED)}
    assert set(notices) == {consumer, other_consumer}
    assert notices[other_consumer].mail_status == MailStatus.NONE  # shown in the panel, not mailed
    assert Notice.objects.deliver(notices[consumer].pk) == "sent"

    [message] = mail.outbox
    summary = f"Tenant {owner.account.tenant_id} (Producer) deprecated “shared-base”, which it shares with you."
    assert message.to == [consumer.email] and message.subject == f"[Cloud Images] {summary}"
    assert f"https://panel.example/images/{shared_image.pk}/" in message.body
    assert "an image shared with you is deprecated" in message.body
    assert "secret-successor" not in message.body and str(successor.pk) not in message.body


def test_r25_the_notice_shows_under_the_bell(owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    shared_image.deprecate(owner)
    page = text_of(signed_in(consumer).get("/notices/"))
    assert "deprecated “shared-base”, which it shares with you." in page
    assert f'href="/images/{shared_image.pk}/"' in page
