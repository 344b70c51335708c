"""R27: a tenant's people. Only its admins (and operators) change roles and remove people; a
tenant always keeps an active admin; a removed person's tokens and sessions end; every change
is recorded with who, when, before and after."""

import pytest
from django.test import Client

from imagesharing.accounts.models import ApiToken, PersonChange, PersonSession, User
from imagesharing.choices import Role
from imagesharing.errors import InvalidValue, LastAdmin, NotFound, RoleRequired
from tests import factories
from tests.rules.checks import refused


def test_r27_an_admin_changes_a_role_and_it_is_recorded(people):
    admin, member = people["owner admin"], people["owner member"]
    member.set_role(admin, Role.READER)
    assert User.objects.get(pk=member.pk).role == Role.READER
    change = PersonChange.objects.get()
    assert (change.actor, change.person, change.action) == (admin, member, "role_changed")
    assert (change.before, change.after, change.account) == ("member", "reader", admin.account)


@pytest.mark.parametrize("who", ["owner member", "owner reader"])
def test_r27_only_an_admin_changes_roles(people, who):
    with refused(RoleRequired, match="^Only a tenant admin can change people's roles"):
        people["owner reader"].set_role(people[who], Role.ADMIN)


def test_r27_another_tenants_admin_is_told_there_is_no_such_person(people):
    with refused(NotFound):
        people["owner member"].set_role(people["consumer admin"], Role.ADMIN)
    with refused(NotFound):
        people["owner member"].remove_from_tenant(people["consumer admin"])


def test_r27_an_unknown_role_is_refused(people):
    with refused(InvalidValue):
        people["owner member"].set_role(people["owner admin"], "owner")


def test_r27_the_last_admin_is_neither_demoted_nor_removed(people):
    admin = people["owner admin"]
    with refused(LastAdmin):
        admin.set_role(admin, Role.MEMBER)
    with refused(LastAdmin):
        admin.remove_from_tenant(admin)


def test_r27_with_a_second_admin_the_first_may_step_down_and_a_removed_admin_does_not_count(people):
    admin, member = people["owner admin"], people["owner member"]
    member.set_role(admin, Role.ADMIN)
    admin.set_role(admin, Role.MEMBER)  # now the member is the only admin
    with refused(LastAdmin):
        member.set_role(member, Role.READER)


def test_r27_a_removed_person_is_deactivated_its_tokens_and_sessions_end(people):
    admin, member = people["owner admin"], people["owner member"]
    ApiToken.objects.issue(member, "ci")
    client = Client()
    client.force_login(member)
    assert PersonSession.objects.filter(user=member).count() == 1
    member.remove_from_tenant(admin)
    assert not User.objects.get(pk=member.pk).is_active
    assert not ApiToken.objects.filter(user=member).exists()
    assert not PersonSession.objects.filter(user=member).exists()
    assert client.get("/").status_code == 302  # signed out
    assert PersonChange.objects.get().action == "removed"
    with refused(NotFound):
        member.remove_from_tenant(admin)  # removed once


def test_r27_sign_out_everywhere_ends_every_session_of_that_person_only(people):
    member, other = people["owner member"], people["owner reader"]
    clients = [Client(), Client(), Client()]
    for client, person in zip(clients, [member, member, other], strict=True):
        client.force_login(person)
    assert member.sign_out_everywhere() == 2
    assert [client.get("/").status_code for client in clients] == [302, 302, 200]


def test_r27_operators_set_anyones_role_recorded_as_theirs(people, operator):
    people["consumer reader"].set_role(operator, Role.ADMIN, as_operator=True)
    change = PersonChange.objects.get()
    assert change.by_operator and change.after == "admin"
    alone = factories.user(factories.account(), role=Role.ADMIN)
    with refused(LastAdmin):
        alone.set_role(operator, Role.READER, as_operator=True)
