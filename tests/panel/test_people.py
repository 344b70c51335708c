"""R27's People page: tenant admins list their people, change roles and remove people; members
and readers are refused with the role they would need."""

import pytest
from django.test import Client

from imagesharing.accounts.invitations import Invitation
from imagesharing.accounts.models import User
from imagesharing.choices import Role
from tests.panel.conftest import messages_of, signed_in, text_of
from tests.rules.checks import snapshot


def test_the_page_lists_the_tenants_people_with_roles_and_their_history(people):
    client = signed_in(people["owner admin"])
    people["owner member"].set_role(people["owner admin"], Role.READER)
    page = text_of(client.get("/people/"))
    assert "owner-member" in page and "owner-reader" in page and "consumer-member" not in page
    assert 'id="people-history"' in page and "role changed" in page


@pytest.mark.parametrize("role", [Role.MEMBER, Role.READER])
def test_members_and_readers_are_refused_and_told_the_role_needed(people, role):
    client = signed_in(people[f"owner {role}"])
    response = client.get("/people/")
    assert response.status_code == 403 and "Only a tenant admin can" in text_of(response)
    target = people["owner admin"]
    before = snapshot()
    for path, data in [(f"/people/{target.pk}/role/", {"role": "reader"}), (f"/people/{target.pk}/remove/", {})]:
        response = client.post(path, data)
        assert response.status_code == 302
        assert any("Only a tenant admin can" in message for message in messages_of(response))
    assert snapshot() == before
    assert 'href="/people/"' not in text_of(client.get("/"))  # no link to a page it may not open


def test_an_admin_changes_a_role(people):
    response = signed_in(people["owner admin"]).post(f"/people/{people['owner reader'].pk}/role/", {"role": "member"})
    assert response.status_code == 302 and response["Location"] == "/people/"
    assert User.objects.get(pk=people["owner reader"].pk).role == Role.MEMBER


def test_the_last_admin_is_told_why_it_cannot_step_down(people):
    admin = people["owner admin"]
    response = signed_in(admin).post(f"/people/{admin.pk}/role/", {"role": "member"})
    assert any("at least one admin" in message for message in messages_of(response))
    assert User.objects.get(pk=admin.pk).role == Role.ADMIN


def test_removing_asks_first_then_removes(people):
    client, member = signed_in(people["owner admin"]), people["owner member"]
    confirm = client.get(f"/people/{member.pk}/remove/")
    assert confirm.status_code == 200 and "signed out everywhere" in text_of(confirm)
    assert User.objects.get(pk=member.pk).is_active
    client.post(f"/people/{member.pk}/remove/")
    assert not User.objects.get(pk=member.pk).is_active


def test_another_tenants_person_is_not_found(people):
    client = signed_in(people["owner admin"])
    stranger = people["consumer reader"]
    assert client.get(f"/people/{stranger.pk}/remove/").status_code == 404
    assert client.post(f"/people/{stranger.pk}/role/", {"role": "admin"}).status_code == 404


def test_an_admin_invites_from_the_people_page(people):
    client = signed_in(people["owner admin"])
    response = client.post("/people/", {"email": "new@example.com", "role": "reader"})
    assert response.status_code == 302 and response["Location"] == "/people/"
    page = text_of(client.get("/people/"))
    assert 'id="invitations"' in page and "new@example.com as reader" in page


def test_a_bad_address_is_shown_with_the_form(people):
    page = text_of(signed_in(people["owner admin"]).post("/people/", {"email": "nope", "role": "reader"}))
    assert "valid email" in page and not Invitation.objects.exists()


def test_the_link_lets_the_person_join_and_signs_it_in(people):
    invitation = Invitation.objects.invite(people["owner admin"], "new@example.com", Role.MEMBER)
    client = Client()
    path = f"/invitations/{invitation.token}/"
    page = text_of(client.get(path))
    assert "as <strong>member</strong>" in page and "Producer" in page
    data = {"username": "newbie", "password1": "a-long-pass-phrase-42", "password2": "a-long-pass-phrase-42"}
    response = client.post(path, data)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").wsgi_request.user.username == "newbie"
    used = Client().get(path)
    assert used.status_code == 410 and "used already" in text_of(used)


def test_mismatched_passwords_are_refused_and_the_link_kept(people):
    invitation = Invitation.objects.invite(people["owner admin"], "new@example.com", Role.MEMBER)
    data = {"username": "newbie", "password1": "a-long-pass-phrase-42", "password2": "another-pass-phrase-42"}
    page = text_of(Client().post(f"/invitations/{invitation.token}/", data))
    assert "differ" in page and Invitation.objects.open().count() == 1


@pytest.mark.django_db
def test_a_bad_link_is_404():
    assert Client().get("/invitations/nonsense/").status_code == 404
