"""R28 through the API's member-create: a policy's refusal is a 403 with Glance's JSON error, the
same for an unknown tenant ID as for a known one (R17), and changes nothing."""

import pytest

from imagesharing.accounts.policies import SharingPolicy, SharingSwitch
from imagesharing.images.approvals import ShareRequest
from tests.api.conftest import error_of, unchanged


def share(api, image, tenant_id):
    return api.post(f"/v2/images/{image.pk}/members", {"member": str(tenant_id)})


@pytest.mark.parametrize("mode", [SharingPolicy.Mode.OFF, SharingPolicy.Mode.LISTED])
def test_r28_a_policy_refusal_is_403_json_alike_for_known_and_unknown_tenants(
    api_as, owner, consumer, operator, shared_image, mode
):
    SharingPolicy(account=owner.account, mode=mode).save_by(operator, allowed=[4242])
    producer = api_as(owner)
    with unchanged():
        known = error_of(share(producer, shared_image, consumer.account.tenant_id))
        unknown = error_of(share(producer, shared_image, 987654321))
    assert known == unknown
    assert known[0] == 403 and "policy set by the cloud's operators" in known[1]


def test_r28_a_held_first_share_is_403_json_and_files_a_request(api_as, owner, consumer, operator, shared_image):
    switch = SharingSwitch.current()
    switch.approve_first_shares = True
    switch.save_by(operator)
    producer = api_as(owner)
    with unchanged():
        known = error_of(share(producer, shared_image, consumer.account.tenant_id))
        unknown = error_of(share(producer, shared_image, 987654321))
    assert known == unknown
    assert known[0] == 403 and "A request was filed" in known[1]
    assert ShareRequest.objects.pending().count() == 2


def test_r28_an_allowed_tenant_is_shared_with_as_before(api_as, owner, consumer, operator, shared_image):
    SharingPolicy(account=owner.account, mode=SharingPolicy.Mode.LISTED).save_by(
        operator, allowed=[consumer.account.tenant_id]
    )
    response = share(api_as(owner), shared_image, consumer.account.tenant_id)
    assert response.status_code == 200 and response.json()["status"] == "pending"
