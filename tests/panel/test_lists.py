"""R23 in the panel: the Lists pages, sharing an image with a list, following lists' confirmation,
and bulk shares from the images list."""

import pytest
from django.core.management import call_command

from imagesharing.memberships.bulk import BulkShare
from imagesharing.memberships.lists import ListShare, TenantList
from imagesharing.memberships.members import ImageMember
from tests import factories
from tests.panel.conftest import messages_of, signed_in, text_of
from tests.rules.checks import snapshot

UNKNOWN = 999999999


@pytest.fixture
def branches(owner, consumer):
    tenant_list = TenantList.objects.create_list(owner, "All branches")
    tenant_list.set_tenants(owner, [consumer.account.tenant_id, UNKNOWN])
    return tenant_list


def test_r23_the_lists_page_makes_a_list(as_owner, owner):
    response = as_owner.post("/lists/", {"name": " All branches ", "follows": "on"})
    made = TenantList.objects.get()
    assert (made.owner, made.name, made.follows) == (owner.account, "All branches", True)
    assert response.status_code == 302 and response["Location"] == f"/lists/{made.pk}/"
    page = text_of(as_owner.get("/lists/"))
    assert "All branches" in page and 'href="/lists/"' in page  # in the nav


def test_r23_a_bad_name_is_refused_with_the_form_again(as_owner, branches):
    response = as_owner.post("/lists/", {"name": "All branches"})
    assert response.status_code == 302
    assert messages_of(response) == ["You already have a list named “All branches”."]
    assert TenantList.objects.count() == 1


def test_r23_any_tenant_id_is_kept_and_nothing_says_whether_it_exists(as_owner, owner, branches, consumer):
    response = as_owner.post(
        f"/lists/{branches.pk}/tenants/", {"tenant_ids": f"{UNKNOWN}, 123 {consumer.account.tenant_id}"}
    )
    assert response.status_code == 302
    assert messages_of(response) == ["List “All branches” saved: 1 tenant ID added, 0 removed."]
    assert branches.tenant_ids() == [consumer.account.tenant_id, UNKNOWN, 123]
    page = text_of(as_owner.get(f"/lists/{branches.pk}/"))
    assert "123" in page and "not available" not in page.lower()


def test_r23_a_malformed_tenant_id_is_shown_with_what_was_typed_and_changes_nothing(as_owner, branches):
    before = snapshot()
    response = as_owner.post(f"/lists/{branches.pk}/tenants/", {"tenant_ids": "631001 abc"})
    assert response.status_code == 200
    assert "A tenant ID is a positive whole number." in text_of(response) and "631001 abc" in text_of(response)
    assert snapshot() == before


@pytest.mark.parametrize("path", ["/lists/{pk}/", "/lists/{pk}/tenants/", "/lists/{pk}/delete/"])
def test_r23_another_tenants_list_is_not_found_and_unchanged(as_consumer, branches, path):
    before = snapshot()
    assert as_consumer.get(path.format(pk=branches.pk)).status_code in (404, 405)
    assert as_consumer.post(path.format(pk=branches.pk), {"name": "x", "tenant_ids": "1"}).status_code == 404
    assert snapshot() == before
    assert f"/lists/{branches.pk}/" not in text_of(as_consumer.get("/lists/"))


def test_r23_settings_rename_and_follow_and_delete(as_owner, branches):
    as_owner.post(f"/lists/{branches.pk}/", {"name": "Every branch", "follows": "on"})
    branches.refresh_from_db()
    assert (branches.name, branches.follows) == ("Every branch", True)
    response = as_owner.post(f"/lists/{branches.pk}/delete/")
    assert response["Location"] == "/lists/" and not TenantList.objects.exists()


def test_r23_the_image_page_shares_with_a_list(as_owner, owner, consumer, image, branches):
    page = text_of(as_owner.get(f"/images/{image.pk}/"))
    assert "All branches (2 tenant IDs)" in page
    response = as_owner.post(
        f"/images/{image.pk}/share/", {"tenant_ids": "", "tenant_list": branches.pk, "acknowledge": "on"}, follow=True
    )
    page = text_of(response)
    assert "Shared with 1 of 2 tenants." in page
    assert "Cannot share with that tenant in this region." in page  # the unknown ID, as R8 answers it
    assert "This image was private; it is now shared" in page
    assert ImageMember.objects.get().member == consumer.account
    assert ListShare.objects.filter(image=image, tenant_list=branches).exists()


def test_r23_another_tenants_list_is_no_choice_on_the_share_form(as_consumer, consumer, owner, branches):
    mine = factories.image(consumer, name="mine")
    TenantList.objects.create_list(consumer, "Own list")
    before = snapshot()
    response = as_consumer.post(f"/images/{mine.pk}/share/", {"tenant_list": branches.pk, "acknowledge": "on"})
    assert any("Select a valid choice" in message for message in messages_of(response))
    assert snapshot() == before


def test_r23_typed_ids_and_a_list_at_once_are_refused(as_owner, image, branches):
    response = as_owner.post(f"/images/{image.pk}/share/", {"tenant_ids": "1", "tenant_list": branches.pk})
    assert messages_of(response) == ["Type tenant IDs or choose a list, not both."]
    assert not ImageMember.objects.exists()


def test_r23_removing_a_tenant_from_a_following_list_asks_first_naming_the_images(
    as_owner, owner, consumer, image, branches
):
    branches.set_following(owner, True)
    as_owner.post(f"/images/{image.pk}/share/", {"tenant_list": branches.pk, "acknowledge": "on"})
    before = snapshot()
    response = as_owner.post(f"/lists/{branches.pk}/tenants/", {"tenant_ids": str(UNKNOWN)})
    page = text_of(response)
    assert response.status_code == 200 and "revoke 1 member" in page and "web-base" in page
    assert snapshot() == before
    response = as_owner.post(f"/lists/{branches.pk}/tenants/", {"tenant_ids": str(UNKNOWN), "confirmed": "True"})
    assert messages_of(response) == ["List “All branches” saved: 0 tenant IDs added, 1 removed. 1 member revoked."]
    assert not ImageMember.objects.exists()


def test_r23_a_tenant_added_to_a_following_list_is_offered_its_images_with_a_table(
    as_owner, owner, consumer, other_consumer, image, branches
):
    branches.set_following(owner, True)
    as_owner.post(f"/images/{image.pk}/share/", {"tenant_list": branches.pk, "acknowledge": "on"})
    response = as_owner.post(
        f"/lists/{branches.pk}/tenants/",
        {"tenant_ids": f"{consumer.account.tenant_id} {UNKNOWN} {other_consumer.account.tenant_id}"},
    )
    page = text_of(response)
    assert "Offers made to the tenants added" in page and "Added: pending until they accept" in page
    assert ImageMember.objects.filter(member=other_consumer.account, image=image).exists()


# Bulk shares


def test_bulk_the_images_list_has_checkboxes_on_own_images_only(as_owner, owner, consumer, image):
    theirs = factories.image(consumer, name="theirs", visibility="shared")
    factories.member(consumer, theirs, owner, "accepted")
    page = text_of(as_owner.get("/images/"))
    assert f'value="{image.pk}" form="bulk-share"' in page
    assert f'value="{theirs.pk}" form="bulk-share"' not in page
    assert 'id="bulk-share"' in page and "Share selected images" in page
    assert 'type="hidden" name="image"' not in page  # nothing is selected for the person


def test_bulk_shares_many_images_with_typed_ids_answering_per_image_and_tenant(
    as_owner, owner, consumer, other_consumer, settings
):
    settings.IMAGE_MEMBER_QUOTA = 1
    first, second = factories.image(owner, name="first"), factories.image(owner, name="second")
    factories.member(owner, second, consumer)
    ids = f"{consumer.account.tenant_id} {other_consumer.account.tenant_id} {UNKNOWN} x1"
    response = as_owner.post("/images/share/", {"image": [first.pk, second.pk], "tenant_ids": ids, "acknowledge": "on"})
    page = text_of(response)
    assert response.status_code == 200
    assert "1 of 7 offers made, on 2 images." in messages_of(response)
    assert page.count("outcome-added") == 1  # the consumer on the first image
    assert page.count("outcome-exists") == 1  # the consumer on the second: already a member
    assert page.count("outcome-quota") == 4  # R11 per image, before the tenant answer (R17)
    assert page.count("outcome-malformed") == 1
    assert set(ImageMember.objects.values_list("image__name", "member")) == {
        ("first", consumer.account.pk),
        ("second", consumer.account.pk),
    }


def test_bulk_shares_every_image_a_search_lists_on_every_page(as_owner, owner, consumer, dfw):
    """The images list pages 25 at a time: "every image of yours this list shows" reaches past the page
    shown, keeps to the search and to the tenant's own images (another's, listed as accepted, stays out)."""
    golden = [factories.image(owner, dfw, name=f"golden-{n:02}") for n in range(30)]
    factories.image(owner, dfw, name="scratch")
    theirs = factories.image(consumer, dfw, name="golden-theirs", visibility="shared")
    factories.member(consumer, theirs, owner, "accepted")
    page = text_of(as_owner.get("/images/", {"q": "golden"}))
    assert 'name="all_matching"' in page and '<input type="hidden" name="q" value="golden">' in page
    response = as_owner.post(
        "/images/share/",
        {"all_matching": "1", "q": "golden", "tenant_ids": str(consumer.account.tenant_id), "acknowledge": "on"},
    )
    assert "30 of 30 offers made, on 30 images." in messages_of(response)
    assert set(ImageMember.objects.filter(member=consumer.account).values_list("image", flat=True)) == {
        image.pk for image in golden
    }


def test_bulk_every_image_a_search_lists_is_offered_only_when_it_spans_pages(as_owner, owner, dfw, image):
    assert 'name="all_matching"' not in text_of(as_owner.get("/images/"))
    for n in range(30):
        factories.image(owner, dfw, name=f"more-{n}")
    assert 'name="all_matching"' in text_of(as_owner.get("/images/"))  # no search: every image of the tenant's


def test_bulk_share_with_a_list(as_owner, owner, consumer, branches):
    images = [factories.image(owner, name=f"image-{n}") for n in range(3)]
    response = as_owner.post(
        "/images/share/", {"image": [i.pk for i in images], "tenant_list": branches.pk, "acknowledge": "on"}
    )
    assert "3 of 6 offers made, on 3 images." in messages_of(response)
    assert "Not available" in text_of(response)
    assert ImageMember.objects.filter(member=consumer.account).count() == 3
    assert ListShare.objects.filter(tenant_list=branches).count() == 3


def test_bulk_share_asks_for_the_checklist_keeping_the_selection_and_changes_nothing(as_owner, image, branches):
    before = snapshot()
    response = as_owner.post("/images/share/", {"image": [image.pk], "tenant_list": branches.pk})
    page = text_of(response)
    assert response.status_code == 400
    assert "Confirm the security and legal checklist" in page
    assert f'name="image" value="{image.pk}"' in page
    assert snapshot() == before


def test_bulk_share_of_another_tenants_image_is_not_found_and_changes_nothing(as_owner, owner, consumer, image):
    theirs = factories.image(consumer, name="theirs")
    before = snapshot()
    response = as_owner.post(
        "/images/share/", {"image": [image.pk, theirs.pk], "tenant_ids": "900001", "acknowledge": "on"}
    )
    assert response.status_code == 404
    assert snapshot() == before


def test_bulk_share_with_nothing_selected_says_so(as_owner):
    response = as_owner.post("/images/share/", {"tenant_ids": "900001"})
    assert messages_of(response) == ["Select at least one image."]


def test_bulk_share_is_refused_to_a_reader_and_changes_nothing(people, image):
    client = signed_in(people["owner reader"])
    before = snapshot()
    response = client.post("/images/share/", {"image": [image.pk], "tenant_ids": "900001", "acknowledge": "on"})
    assert any("Readers cannot share images" in message for message in messages_of(response))
    assert snapshot() == before


# A large bulk share runs in the background


def run_worker_once() -> None:
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


@pytest.fixture
def background(monkeypatch):
    """Every bulk share is large: it runs in the background."""
    monkeypatch.setattr("imagesharing.panel.views.bulk.INLINE_OFFERS", 1)


@pytest.mark.django_db(transaction=True)  # the worker commits as it goes, as it does for real
def test_bulk_a_large_share_runs_in_the_background_and_shows_its_table_when_done(
    background, as_owner, as_consumer, owner, consumer, branches
):
    images = [factories.image(owner, name=f"image-{n}") for n in range(2)]
    response = as_owner.post(
        "/images/share/", {"image": [i.pk for i in images], "tenant_list": branches.pk, "acknowledge": "on"}
    )
    started = BulkShare.objects.get()
    assert response["Location"] == f"/images/share/{started.pk}/"
    assert not ImageMember.objects.exists()
    waiting = text_of(as_owner.get(response["Location"]))
    assert "running in the background" in waiting and 'http-equiv="refresh"' in waiting
    assert as_consumer.get(response["Location"]).status_code == 404  # another tenant's share

    run_worker_once()
    page = text_of(as_owner.get(response["Location"]))
    assert "2 of 4 offers made." in page and page.count("outcome-added") == 2 and "http-equiv" not in page
    assert ImageMember.objects.filter(member=consumer.account).count() == 2


@pytest.mark.django_db(transaction=True)  # the worker commits as it goes, as it does for real
def test_bulk_a_background_share_refused_when_it_runs_says_so_and_shares_nothing(
    background, as_owner, owner, image, branches
):
    response = as_owner.post("/images/share/", {"image": [image.pk], "tenant_list": branches.pk, "acknowledge": "on"})
    branches.destroy(owner)
    run_worker_once()
    page = text_of(as_owner.get(response["Location"]))
    assert "Nothing was shared: The list “All branches” was deleted before the share ran" in page
    assert not ImageMember.objects.exists()


def test_bulk_a_background_share_checks_the_checklist_before_it_starts(background, as_owner, image, branches):
    before = snapshot()
    response = as_owner.post("/images/share/", {"image": [image.pk], "tenant_list": branches.pk})
    assert response.status_code == 400 and "Confirm the security and legal checklist" in text_of(response)
    assert snapshot() == before and not BulkShare.objects.exists()


def test_r23_a_tenant_without_lists_gets_no_list_choice(as_owner, image):
    page = text_of(as_owner.get(f"/images/{image.pk}/"))
    assert "Or a list" not in page


def test_r23_many_offers_of_a_following_list_are_said_to_be_made_in_the_background(
    monkeypatch, as_owner, owner, consumer, other_consumer, image, branches
):
    monkeypatch.setattr("imagesharing.memberships.lists.INLINE_OFFERS", 0)
    branches.set_following(owner, True)
    as_owner.post(f"/images/{image.pk}/share/", {"tenant_list": branches.pk, "acknowledge": "on"})
    ids = f"{consumer.account.tenant_id} {UNKNOWN} {other_consumer.account.tenant_id}"
    response = as_owner.post(f"/lists/{branches.pk}/tenants/", {"tenant_ids": ids})
    assert "1 offer is being made to the tenants added, in the background." in messages_of(response)
    assert not ImageMember.objects.filter(member=other_consumer.account).exists()
