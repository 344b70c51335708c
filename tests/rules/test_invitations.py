"""R27's invitations: only a tenant admin invites; the link is single use, expires after
INVITATION_DAYS, and lets the person choose a username and password and join with the role."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from imagesharing.accounts.invitations import Invitation
from imagesharing.accounts.models import PersonChange, User
from imagesharing.choices import Role
from imagesharing.errors import InvalidState, InvalidValue, NotFound, RoleRequired
from tests.rules.checks import refused

PASSWORD = "a-long-pass-phrase-42"


def test_r27_an_admin_invites_and_the_person_joins_with_the_role(people):
    admin = people["owner admin"]
    invitation = Invitation.objects.invite(admin, "new@example.com", Role.READER)
    assert invitation.expires_at - timezone.now() == pytest.approx(timedelta(days=7), abs=timedelta(minutes=1))
    assert DBTaskResult.objects.filter(task_path__endswith="send_invitation_mail").count() == 1
    person = Invitation.objects.accept(invitation.token, "newbie", PASSWORD)
    assert (person.account, person.role, person.email) == (admin.account, Role.READER, "new@example.com")
    assert person.check_password(PASSWORD)
    assert [change.action for change in PersonChange.objects.order_by("pk")] == ["invited", "joined"]


@pytest.mark.parametrize("who", ["owner member", "owner reader"])
def test_r27_only_an_admin_invites(people, who):
    with refused(RoleRequired, match="^Only a tenant admin can invite people"):
        Invitation.objects.invite(people[who], "new@example.com", Role.MEMBER)


def test_r27_bad_addresses_and_roles_are_refused(people):
    with refused(InvalidValue):
        Invitation.objects.invite(people["owner admin"], "not an address", Role.MEMBER)
    with refused(InvalidValue):
        Invitation.objects.invite(people["owner admin"], "a@example.com", "owner")


def test_r27_an_invitation_works_once(people):
    token = Invitation.objects.invite(people["owner admin"], "new@example.com", Role.MEMBER).token
    Invitation.objects.accept(token, "first", PASSWORD)
    with refused(InvalidState, match="used already"):
        Invitation.objects.accept(token, "second", PASSWORD)


def test_r27_an_invitation_expires(people, settings):
    settings.INVITATION_DAYS = 1
    invitation = Invitation.objects.invite(people["owner admin"], "new@example.com", Role.MEMBER)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with refused(InvalidState, match="expired"):
        Invitation.objects.accept(invitation.token, "late", PASSWORD)


def test_r27_a_forged_or_altered_link_is_not_found(people):
    invitation = Invitation.objects.invite(people["owner admin"], "new@example.com", Role.MEMBER)
    other_nonce = invitation.token.replace(invitation.nonce, "x" * len(invitation.nonce))
    for token in ["nonsense", f"{invitation.pk}:{invitation.nonce}", other_nonce]:
        with refused(NotFound):
            Invitation.objects.accept(token, "forger", PASSWORD)


def test_r27_a_weak_password_or_a_taken_username_is_refused_and_the_link_still_works(people):
    token = Invitation.objects.invite(people["owner admin"], "new@example.com", Role.MEMBER).token
    with refused(InvalidValue):
        Invitation.objects.accept(token, "newbie", "123")
    with refused(InvalidValue, match="taken"):
        Invitation.objects.accept(token, "OWNER", PASSWORD)
    assert Invitation.objects.accept(token, "newbie", PASSWORD) == User.objects.get(username="newbie")
