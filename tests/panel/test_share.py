"""Share with tenants: many IDs at once, one answer per ID (R2, R4, R8, R9, R11, R17), checklist first (seed 004)."""

import pytest

from imagesharing.images.models import Image
from imagesharing.memberships.members import ImageMember
from tests import factories
from tests.panel.conftest import HTMX, messages_of, text_of

UNAVAILABLE = "Cannot share with that tenant in this region."


def share(client, image, ids: str, acknowledge: bool = True, headers=None):
    data = {"tenant_ids": ids}
    if acknowledge:
        data["acknowledge"] = "on"
    return client.post(f"/images/{image.pk}/share/", data, headers=headers or {})


def outcomes(client, image) -> dict[str, str]:
    """The results table the owner sees on the image page after a share without JavaScript."""
    rows = client.get(f"/images/{image.pk}/").context["outcomes"] or []
    return {row["tenant_id"]: row["kind"] for row in rows}


def member_ids(image) -> set[int]:
    return set(ImageMember.objects.filter(image=image).values_list("member__tenant_id", flat=True))


def test_it_shares_with_many_ids_and_answers_for_each(as_owner, owner, consumer, other_consumer, abroad, image):
    ids = f"{consumer.account.tenant_id}, {other_consumer.account.tenant_id}\n999999999 abc {abroad.account.tenant_id}"
    response = share(as_owner, image, ids)
    assert response.status_code == 302 and response["Location"] == f"/images/{image.pk}/#sharing"
    assert messages_of(response) == [
        "Shared with 2 of 5 tenants.",
        "This image was private; it is now shared, visible to its members only.",
    ]
    assert outcomes(as_owner, image) == {
        str(consumer.account.tenant_id): "added",
        str(other_consumer.account.tenant_id): "added",
        "999999999": "unavailable",
        str(abroad.account.tenant_id): "unavailable",  # R8, R17: the same answer as an unknown ID
        "abc": "malformed",
    }
    assert member_ids(image) == {consumer.account.tenant_id, other_consumer.account.tenant_id}
    assert Image.objects.get(pk=image.pk).visibility == "shared"
    assert set(ImageMember.objects.filter(image=image).values_list("status", flat=True)) == {"pending"}


def test_the_results_are_shown_once(as_owner, consumer, image):
    share(as_owner, image, str(consumer.account.tenant_id))
    assert outcomes(as_owner, image)
    assert outcomes(as_owner, image) == {}


def test_unknown_and_out_of_region_tenants_get_the_same_words(as_owner, abroad, image, consumer):
    share(as_owner, image, f"{consumer.account.tenant_id} 424242 {abroad.account.tenant_id}")
    rows = as_owner.get(f"/images/{image.pk}/").context["outcomes"]
    texts = {row["tenant_id"]: row["text"] for row in rows}
    assert texts["424242"] == texts[str(abroad.account.tenant_id)] == UNAVAILABLE


def test_already_a_member_and_own_tenant_are_answered(as_owner, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    share(as_owner, shared_image, f"{consumer.account.tenant_id} {owner.account.tenant_id}")
    assert outcomes(as_owner, shared_image) == {
        str(consumer.account.tenant_id): "exists",
        str(owner.account.tenant_id): "refused",
    }
    assert ImageMember.objects.filter(image=shared_image).count() == 1


def test_the_quota_is_answered_per_id(settings, as_owner, consumer, other_consumer, stranger, shared_image):
    settings.IMAGE_MEMBER_QUOTA = 2
    ids = " ".join(str(u.account.tenant_id) for u in (consumer, other_consumer, stranger))
    response = share(as_owner, shared_image, ids)
    assert messages_of(response) == ["Shared with 2 of 3 tenants."]
    assert outcomes(as_owner, shared_image)[str(stranger.account.tenant_id)] == "quota"
    assert ImageMember.objects.filter(image=shared_image).count() == 2


def test_the_first_share_needs_the_checklist(as_owner, consumer, image):
    response = share(as_owner, image, str(consumer.account.tenant_id), acknowledge=False)
    assert messages_of(response) == ["Confirm the security and legal checklist before the first share."]
    assert not ImageMember.objects.filter(image=image).exists()
    assert Image.objects.get(pk=image.pk).visibility == "private"


def test_later_shares_need_no_checklist(as_owner, owner, consumer, other_consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    share(as_owner, shared_image, str(other_consumer.account.tenant_id), acknowledge=False)
    assert member_ids(shared_image) == {consumer.account.tenant_id, other_consumer.account.tenant_id}


def test_a_private_image_stays_private_when_nobody_was_added(as_owner, image):
    response = share(as_owner, image, "424242 nope")
    assert messages_of(response) == ["Shared with 0 of 2 tenants."]
    assert Image.objects.get(pk=image.pk).visibility == "private"


@pytest.mark.parametrize("ids", ["", "  , ;\n"])
def test_no_ids_is_a_form_error(as_owner, image, ids):
    response = share(as_owner, image, ids)
    assert messages_of(response)[0] in ("This field is required.", "Enter at least one tenant ID.")
    assert not ImageMember.objects.filter(image=image).exists()


def test_too_many_ids_at_once_is_refused(as_owner, image):
    response = share(as_owner, image, " ".join(str(n) for n in range(1, 202)))
    assert messages_of(response) == ["Enter at most 200 tenant IDs at a time."]
    assert not ImageMember.objects.filter(image=image).exists()


def test_with_htmx_it_answers_with_the_sharing_section_and_the_results(as_owner, consumer, image):
    response = share(as_owner, image, f"{consumer.account.tenant_id} 424242", headers=HTMX)
    page = text_of(response)
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="sharing"')
    assert "<html" not in page
    assert "Result of your last share" in page and "outcome-added" in page and "outcome-unavailable" in page
    assert f'id="member-{consumer.account.tenant_id}"' in page
    assert 'id="messages"' in page and "it is now shared" in page  # announced in the live region
    assert 'name="acknowledge"' not in page  # no longer a first share


def test_with_htmx_a_form_error_keeps_the_typed_ids(as_owner, consumer, image):
    response = share(as_owner, image, f"{consumer.account.tenant_id}", acknowledge=False, headers=HTMX)
    page = text_of(response)
    assert "Confirm the security and legal checklist" in page
    assert f"{consumer.account.tenant_id}</textarea>" in page


@pytest.mark.parametrize("status", ["pending", "accepted", "rejected"])
def test_a_member_cannot_share(as_consumer, owner, consumer, other_consumer, shared_image, status):
    factories.member(owner, shared_image, consumer, status)
    response = share(as_consumer, shared_image, str(other_consumer.account.tenant_id))
    assert messages_of(response) == ["Only the owner of this image can do that."]
    assert member_ids(shared_image) == {consumer.account.tenant_id}


def test_a_stranger_gets_not_found(as_stranger, stranger, image):
    assert share(as_stranger, image, str(stranger.account.tenant_id)).status_code == 404
    assert not ImageMember.objects.filter(image=image).exists()


def test_a_public_image_cannot_be_shared(owner, as_owner, consumer, dfw):
    public = factories.image(owner, dfw, name="pub", visibility="public")
    response = share(as_owner, public, str(consumer.account.tenant_id))
    assert messages_of(response) == ["Public images are already available to everyone and have no members."]
    assert not ImageMember.objects.filter(image=public).exists()


def test_sharing_is_a_post(as_owner, image):
    assert as_owner.get(f"/images/{image.pk}/share/").status_code == 405


def test_a_missing_image_is_not_found(as_owner):
    assert as_owner.post("/images/00000000-0000-0000-0000-000000000000/share/", {"tenant_ids": "1"}).status_code == 404
