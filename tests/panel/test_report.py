"""Report this image (seed 004): a member tells the operators; it lands in their queue."""

import pytest

from imagesharing.memberships.reports import ImageReport
from tests import factories
from tests.panel.conftest import messages_of, signed_in, text_of


def report(client, image, reason="malicious", details="It mines coins."):
    return client.post(f"/images/{image.pk}/report/", {"reason": reason, "details": details})


@pytest.mark.parametrize("status", ["pending", "accepted", "rejected"])
def test_a_member_of_any_status_reports(as_consumer, owner, consumer, shared_image, status):
    factories.member(owner, shared_image, consumer, status)
    assert "Report this image" in text_of(as_consumer.get(f"/images/{shared_image.pk}/report/"))
    response = report(as_consumer, shared_image)
    assert response.status_code == 302 and response["Location"] == f"/images/{shared_image.pk}/"
    assert messages_of(response)[0].startswith("Thank you")
    filed = ImageReport.objects.get()
    assert (filed.image, filed.reporter, filed.reason, filed.details) == (
        shared_image,
        consumer.account,
        "malicious",
        "It mines coins.",
    )
    assert list(ImageReport.objects.open()) == [filed]


def test_the_owner_cannot_report_its_own_image(as_owner, shared_image):
    response = report(as_owner, shared_image)
    assert messages_of(response) == ["You own this image; only the tenants it is shared with can report it."]
    assert not ImageReport.objects.exists()


def test_a_public_image_is_not_reported_here(as_stranger, dfw):
    public = factories.image(factories.user(), dfw, name="base", visibility="public")
    response = report(as_stranger, public)
    assert messages_of(response) == [
        "Public images are the cloud's own base images; only images shared with you are reported here."
    ]
    assert not ImageReport.objects.exists()


@pytest.mark.parametrize("who", ["as_stranger", "as_abroad"])
def test_outsiders_get_not_found(request, who, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    client = request.getfixturevalue(who)
    assert client.get(f"/images/{shared_image.pk}/report/").status_code == 404
    assert report(client, shared_image).status_code == 404
    assert not ImageReport.objects.exists()


@pytest.mark.parametrize("reason, details", [("", "x"), ("bogus", "x"), ("error", "x" * 2001)])
def test_bad_input_shows_the_form_again(as_consumer, owner, consumer, shared_image, reason, details):
    factories.member(owner, shared_image, consumer)
    response = report(as_consumer, shared_image, reason, details)
    assert response.status_code == 200 and response.context["form"].errors
    assert not ImageReport.objects.exists()


def test_report_accepts_only_get_and_post(as_consumer, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    assert as_consumer.put(f"/images/{shared_image.pk}/report/").status_code == 405


def test_operators_see_and_close_reports_in_the_admin(owner, consumer, shared_image, operator):
    factories.member(owner, shared_image, consumer)
    filed = ImageReport.objects.file(consumer, shared_image, "error", "not ours")
    admin = signed_in(operator)
    page = text_of(admin.get("/admin/memberships/imagereport/?queue=open"))
    assert str(shared_image.pk) in page
    response = admin.post(
        "/admin/memberships/imagereport/", {"action": "close_reports", "_selected_action": [filed.pk]}
    )
    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.closed_at is not None and filed.closed_by == operator
    assert not ImageReport.objects.open().exists()


def test_only_operators_close_reports(owner, consumer, shared_image):
    from imagesharing.errors import NotPermitted

    factories.member(owner, shared_image, consumer)
    filed = ImageReport.objects.file(consumer, shared_image, "error")
    with pytest.raises(NotPermitted):
        filed.close(consumer)
    filed.refresh_from_db()
    assert filed.closed_at is None
