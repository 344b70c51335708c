"""R27's personal pages: password reset by e-mail with Django's own flow (its mail sent by the
worker), password change, and a person's sessions with "sign out everywhere"."""

import re

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from imagesharing.accounts.models import PersonSession
from tests.panel.conftest import signed_in, text_of

NEW = "a-new-long-pass-phrase-7"


def queued_mail() -> list[dict]:
    return [row.args_kwargs for row in DBTaskResult.objects.filter(task_path__endswith="send_prepared_mail")]


@pytest.fixture
def addressed(owner):
    owner.email = "owner@example.com"
    owner.save(update_fields=["email"])
    return owner


def reset_link(client) -> str:
    client.post("/password/reset/", {"email": "owner@example.com"})
    [mail] = queued_mail()
    subject, body, to = mail["args"][:3]
    assert to == ["owner@example.com"] and "Reset your password" in subject
    return re.search(r"https?://\S+", body).group(0)


def test_a_reset_link_lets_the_person_choose_a_new_password_once(addressed, settings):
    settings.PANEL_URL = "https://panel.example"
    client = Client()
    assert "Forgot your password?" in text_of(client.get("/login/"))
    link = reset_link(client)
    assert link.startswith("https://panel.example/password/reset/")
    path = link.removeprefix("https://panel.example")
    form = client.get(path, follow=True)  # Django hides the token behind a redirect
    assert form.status_code == 200 and "new_password1" in text_of(form)
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/password/reset/done/"
    addressed.refresh_from_db()
    assert addressed.check_password(NEW)
    again = Client().get(path, follow=True)
    assert "This link is not valid" in text_of(again)


def test_an_unknown_address_gets_the_same_page_and_no_mail(addressed):
    response = Client().post("/password/reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302 and response["Location"] == "/password/reset/sent/"
    assert queued_mail() == []


def test_a_removed_person_gets_no_reset_mail(people):
    member = people["owner member"]
    member.email = "member@example.com"
    member.save(update_fields=["email"])
    member.remove_from_tenant(people["owner admin"])
    Client().post("/password/reset/", {"email": "member@example.com"})
    assert queued_mail() == []


def test_a_person_changes_its_password_and_stays_signed_in(owner):
    client = signed_in(owner)
    response = client.post(
        "/profile/password/", {"old_password": "password", "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302 and response["Location"] == "/profile/password/done/"
    assert client.get("/").status_code == 200
    owner.refresh_from_db()
    assert owner.check_password(NEW)


@pytest.mark.parametrize("who", ["owner admin", "owner reader"])
def test_the_profile_lists_the_persons_sessions_and_signs_out_everywhere(people, who):
    person = people[who]
    here, elsewhere, someone_else = signed_in(person), signed_in(person), signed_in(people["owner member"])
    page = text_of(here.get("/profile/"))
    assert page.count("<tr><td><code>") == 2 and "this one" in page
    response = here.post("/profile/sign-out-everywhere/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert here.get("/").status_code == 302 and elsewhere.get("/").status_code == 302
    assert someone_else.get("/").status_code == 200
    assert not PersonSession.objects.filter(user=person).exists()
