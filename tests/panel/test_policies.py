"""R24 and R28 on the owner's Share form: each tenant ID's result says what its lists or the
operators' policies did, and a policy's refusal reads the same for an unknown tenant ID (R17)."""

from imagesharing.accounts.models import ProducerRule
from imagesharing.accounts.policies import SharingPolicy, SharingSwitch
from imagesharing.images.approvals import ShareRequest
from imagesharing.memberships.members import ImageMember
from tests.panel.test_share import outcomes, share


def texts(client, image) -> dict[str, str]:
    return {row["tenant_id"]: row["text"] for row in client.get(f"/images/{image.pk}/").context["outcomes"]}


def test_r24_the_share_results_say_an_offer_was_answered_at_once(as_owner, owner, consumer, other_consumer, image):
    ProducerRule.objects.set_answer(consumer, owner.account.tenant_id, "accepted")
    share(as_owner, image, f"{consumer.account.tenant_id} {other_consumer.account.tenant_id}")
    said = texts(as_owner, image)
    assert said[str(consumer.account.tenant_id)] == "Added, and accepted at once by the tenant's trusted producers"
    assert said[str(other_consumer.account.tenant_id)] == "Added: pending until they accept"


def test_r28_a_policy_refuses_known_and_unknown_tenant_ids_in_the_same_words(
    as_owner, owner, consumer, operator, image
):
    SharingPolicy(account=owner.account, mode=SharingPolicy.Mode.LISTED).save_by(operator, allowed=[4242])
    share(as_owner, image, f"{consumer.account.tenant_id} 987654321")
    said = texts(as_owner, image)
    assert said[str(consumer.account.tenant_id)] == said["987654321"]
    assert "policy set by the cloud's operators" in said["987654321"]
    assert not ImageMember.objects.exists()


def test_r28_a_held_first_share_says_a_request_was_filed(as_owner, consumer, operator, image):
    switch = SharingSwitch.current()
    switch.approve_first_shares = True
    switch.save_by(operator)
    share(as_owner, image, str(consumer.account.tenant_id))
    assert outcomes(as_owner, image) == {str(consumer.account.tenant_id): "refused"}
    assert ShareRequest.objects.pending().get().tenant_id == consumer.account.tenant_id


def test_r28_a_held_first_share_without_javascript_says_why(as_owner, consumer, operator, image):
    switch = SharingSwitch.current()
    switch.approve_first_shares = True
    switch.save_by(operator)
    share(as_owner, image, str(consumer.account.tenant_id))
    assert "A request was filed" in texts(as_owner, image)[str(consumer.account.tenant_id)]
