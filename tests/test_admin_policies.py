"""R28 in the operators' admin: sharing policies per tenant, the first-share switch, and the queue of
held first shares, each change made through the model's methods and recorded (who, when)."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from imagesharing.accounts.policies import SharingPolicy, SharingSwitch
from imagesharing.choices import NoticeKind
from imagesharing.errors import ApprovalRequired
from imagesharing.images.approvals import ShareRequest
from imagesharing.memberships.members import ImageMember
from imagesharing.memberships.notices import Notice
from tests.test_admin import act, changelist, messages_of


@pytest.fixture
def ops(client, operator):
    client.force_login(operator)
    return client


@pytest.fixture
def held(owner, consumer, operator, shared_image):
    """The switch is on and the owner's first share with the consumer waits for an operator."""
    switch = SharingSwitch.current()
    switch.approve_first_shares = True
    switch.save_by(operator)
    with pytest.raises(ApprovalRequired):
        shared_image.add_member(owner, consumer.account.tenant_id)
    return ShareRequest.objects.get()


def test_r28_an_operator_sets_a_policy_recorded_as_theirs(ops, operator, owner):
    data = {
        "account": owner.account.pk,
        "mode": "listed",
        "member_quota": "5",
        "reason": "one company",
        "allowed_tenant_ids": "11, 12\n 13",
    }
    response = ops.post(reverse("admin:accounts_sharingpolicy_add"), data)
    assert response.status_code == 302
    rules = SharingPolicy.objects.get()
    assert (rules.account, rules.mode, rules.member_quota, rules.changed_by) == (owner.account, "listed", 5, operator)
    assert sorted(rules.allowed.values_list("tenant_id", flat=True)) == [11, 12, 13]
    assert LogEntry.objects.get().user == operator  # the admin's history of the policy: who, when, what
    page = ops.get(reverse("admin:accounts_sharingpolicy_change", args=[rules.pk])).content.decode()
    assert "11\n12\n13" in page
    data.update(mode="off", allowed_tenant_ids="12")
    assert ops.post(reverse("admin:accounts_sharingpolicy_change", args=[rules.pk]), data).status_code == 302
    rules.refresh_from_db()
    assert rules.mode == "off" and list(rules.allowed.values_list("tenant_id", flat=True)) == [12]
    assert LogEntry.objects.count() == 2
    listed = ops.get(changelist("accounts_sharingpolicy"), {"q": str(owner.account.tenant_id)})
    assert list(listed.context["cl"].result_list) == [rules]


@pytest.mark.parametrize(
    "field, value, error",
    [("member_quota", "128", "from 1 to 127"), ("allowed_tenant_ids", "11 12a", "positive whole number")],
)
def test_r28_a_bad_policy_is_a_form_error_and_saves_nothing(ops, owner, field, value, error):
    data = {"account": owner.account.pk, "mode": "listed", "member_quota": "", "reason": "", "allowed_tenant_ids": ""}
    response = ops.post(reverse("admin:accounts_sharingpolicy_add"), {**data, field: value})
    assert response.status_code == 200 and error in response.content.decode()
    assert not SharingPolicy.objects.exists() and not LogEntry.objects.exists()


def test_r28_the_switch_is_one_row_operators_turn(ops, operator):
    response = ops.get(changelist("accounts_sharingswitch"))
    assert response.status_code == 302
    assert ops.get(reverse("admin:accounts_sharingswitch_add")).status_code == 403
    response = ops.post(response["Location"], {"approve_first_shares": "on"})
    assert response.status_code == 302
    switch = SharingSwitch.current()
    assert switch.approve_first_shares and switch.changed_by == operator
    assert SharingSwitch.objects.count() == 1 and LogEntry.objects.get().user == operator


def test_r28_operators_see_held_shares_and_approve_them(ops, held, owner, consumer, shared_image):
    page = ops.get(changelist("images_sharerequest"))
    assert list(page.context["cl"].result_list) == [held]
    assert shared_image.name in page.content.decode()
    response = act(ops, "images_sharerequest", "approve_requests", held)
    assert "Approved 1 share request." in [text for _, text in messages_of(response)]
    assert ImageMember.objects.get().member == consumer.account
    assert Notice.objects.get(recipient=owner).kind == NoticeKind.SHARE_APPROVED
    response = act(ops, "images_sharerequest", "approve_requests", held)  # decided already: not pending
    assert ImageMember.objects.count() == 1


def test_r28_operators_refuse_held_shares(ops, held, owner):
    response = act(ops, "images_sharerequest", "refuse_requests", held)
    assert "Refused 1 share request." in [text for _, text in messages_of(response)]
    held.refresh_from_db()
    assert held.status == "refused" and not ImageMember.objects.exists()
    assert Notice.objects.get(recipient=owner).kind == NoticeKind.SHARE_REFUSED


def test_r28_requests_are_not_added_or_edited_by_hand(ops, held):
    assert ops.get(reverse("admin:images_sharerequest_add")).status_code == 403
    page = ops.get(reverse("admin:images_sharerequest_change", args=[held.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()


@pytest.mark.parametrize("model", ["accounts_sharingpolicy", "accounts_sharingswitch", "images_sharerequest"])
def test_r28_a_non_staff_user_is_sent_to_the_admin_login(client, consumer, model):
    client.force_login(consumer)
    response = client.get(changelist(model))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_r28_the_front_page_says_how_many_first_shares_wait(ops, operator, held):
    page = ops.get(reverse("admin:index")).content.decode()
    assert "1 first share</strong> waiting" in page and "?status__exact=pending" in page
    held.refuse(operator)
    assert "first share" not in ops.get(reverse("admin:index")).content.decode()
