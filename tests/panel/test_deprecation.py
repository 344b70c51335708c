"""R25 in the panel: the owner deprecates (a replacement, a deletion date), cancels, and offers the
replacement to every current member; members see the banner on the image page, in the inbox and
in the boot form, with "Accept the replacement" once it is offered to them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from imagesharing.choices import MemberStatus, Role
from imagesharing.images.models import Image
from imagesharing.memberships.members import ImageMember
from imagesharing.servers.models import Server
from tests import factories
from tests.panel.conftest import messages_of, signed_in, text_of
from tests.panel.test_queries import measured
from tests.rules.checks import snapshot


@pytest.fixture
def successor(owner, dfw):
    return factories.image(owner, dfw, name="web-base-2")


@pytest.fixture
def offered(owner, consumer, shared_image):
    return factories.member(owner, shared_image, consumer, MemberStatus.ACCEPTED)


@pytest.fixture
def deprecated(owner, shared_image, successor, offered):
    shared_image.deprecate(owner, replacement=successor.pk, delete_after=timezone.now() + timedelta(days=30))
    return shared_image


def deprecate_url(image) -> str:
    return f"/images/{image.pk}/deprecate/"


def test_the_form_lists_only_the_owners_other_live_images_in_the_region(as_owner, owner, stranger, lon, image):
    owner.account.regions.add(lon)
    mine = factories.image(owner, image.region, name="mine-2")
    factories.image(owner, lon, name="in-london")
    factories.image(stranger, image.region, name="not-mine")
    factories.image(owner, image.region, name="gone").destroy(owner)
    page = text_of(as_owner.get(deprecate_url(image)))
    assert f'value="{mine.pk}"' in page and "No replacement" in page
    for absent in ("in-london", "not-mine", "gone", f'value="{image.pk}"'):
        assert absent not in page


def test_the_owner_deprecates_with_a_replacement_and_a_date(as_owner, shared_image, successor, offered):
    page = text_of(as_owner.get(f"/images/{shared_image.pk}/"))
    assert "Deprecate…" in page
    data = {"replacement": str(successor.pk), "delete_after": "2999-01-31", "version": shared_image.version}
    response = as_owner.post(deprecate_url(shared_image), data)
    assert response.status_code == 302 and response["Location"].endswith("#deprecation")
    assert "“shared-base” is deprecated. It will be deleted after 2999-02-01 00:00 UTC." in messages_of(response)[0]
    image = Image.objects.get(pk=shared_image.pk)
    assert image.replacement == successor and image.is_deprecated
    page = text_of(as_owner.get(f"/images/{shared_image.pk}/"))
    assert "Replacement: <a" in page and "web-base-2" in page and "Cancel deprecation" in page
    assert "Offer the replacement to every current member</button>" in page


def test_a_bad_replacement_is_shown_with_the_form_and_changes_nothing(as_owner, stranger, image):
    others = factories.image(stranger, image.region)
    before = snapshot()
    response = as_owner.post(deprecate_url(image), {"replacement": str(others.pk), "version": image.version})
    assert response.status_code == 200
    assert "The replacement must be another live image of yours in DFW." in text_of(response)
    assert snapshot() == before


def test_a_deprecation_from_an_older_page_is_refused(as_owner, owner, image):
    version = image.version
    image.update(owner, name="renamed")
    before = snapshot()
    response = as_owner.post(deprecate_url(image), {"replacement": "", "version": version})
    assert response.status_code == 302 and "changed since the page was loaded" in messages_of(response)[0]
    assert snapshot() == before


def test_a_protected_image_says_it_will_not_be_deleted(as_owner, owner, deprecated):
    deprecated.update(owner, protected=True)
    page = text_of(as_owner.get(f"/images/{deprecated.pk}/"))
    assert 'id="protected-not-deleted"' in page and "will <strong>not</strong> be deleted" in page


def test_the_owner_cancels_the_deprecation(as_owner, deprecated):
    response = as_owner.post(f"/images/{deprecated.pk}/undeprecate/", {"version": deprecated.version})
    assert response.status_code == 302
    assert "no longer deprecated" in messages_of(response)[0]
    assert not Image.objects.get(pk=deprecated.pk).is_deprecated


def test_offer_the_replacement_to_every_current_member(as_owner, owner, other_consumer, deprecated, successor):
    factories.member(owner, deprecated, other_consumer)
    path = f"/images/{deprecated.pk}/offer-replacement/"
    before = snapshot()
    response = as_owner.post(path, {"note": "The 2027 build"})  # the checklist is not ticked
    assert "Confirm the security and legal checklist" in messages_of(response)[0]
    assert snapshot() == before

    response = as_owner.post(path, {"note": "The 2027 build", "acknowledge": "on"})
    assert response.status_code == 302 and response["Location"] == f"/images/{successor.pk}/#sharing"
    assert "Offered “web-base-2” to 2 of 2 members of “shared-base”." in messages_of(response)
    assert set(ImageMember.objects.filter(image=successor).values_list("note", flat=True)) == {"The 2027 build"}
    page = text_of(as_owner.get(f"/images/{successor.pk}/"))
    assert "Result of your last share" in page and page.count("Added: pending until they accept") == 2

    response = as_owner.post(path, {})
    assert "Offered “web-base-2” to 0 of 2 members" in messages_of(response)[0]
    assert "already a member" in text_of(as_owner.get(f"/images/{successor.pk}/"))


def test_the_member_sees_the_banner_and_accepts_the_replacement(as_consumer, owner, consumer, deprecated, successor):
    page = text_of(as_consumer.get(f"/images/{deprecated.pk}/"))
    assert "This image is deprecated" in page and "It will be deleted after" in page
    assert "has not been offered to you" in page and "web-base-2" not in page  # R17: unnamed until offered
    successor.share_with(owner, [consumer.account.tenant_id], acknowledged=True)
    page = text_of(as_consumer.get(f"/images/{deprecated.pk}/"))
    assert "Its replacement: <a" in page and "web-base-2" in page and "Accept the replacement</button>" in page

    here = f"/images/{deprecated.pk}/"
    response = as_consumer.post(f"/images/{successor.pk}/status/", {"status": "accepted", "next": here})
    assert response.status_code == 302 and response["Location"] == here
    assert ImageMember.objects.get(image=successor, member=consumer.account).status == MemberStatus.ACCEPTED
    page = text_of(as_consumer.get(here))
    assert 'your answer: <span class="status status-accepted">accepted' in page
    assert "Accept the replacement</button>" not in page


def test_the_inbox_marks_deprecated_offers(as_consumer, owner, consumer, deprecated, successor):
    page = text_of(as_consumer.get("/shared/"))
    assert 'status-deprecated">deprecated</span> since' in page and "its owner may offer it to you" in page
    successor.share_with(owner, [consumer.account.tenant_id], acknowledged=True)
    page = text_of(as_consumer.get("/shared/"))
    assert "Replacement: <a" in page and "(your answer: pending)" in page and "Accept the replacement" in page


def test_the_boot_form_shows_the_banner_and_still_boots(as_consumer, consumer, deprecated):
    page = text_of(as_consumer.get("/servers/boot/", {"image": str(deprecated.pk)}))
    assert "This image is deprecated" in page
    response = as_consumer.post("/servers/boot/", {"image_id": str(deprecated.pk), "name": "still-1"})
    assert response.status_code == 302
    assert Server.objects.filter(image=deprecated, owner=consumer.account).exists()
    assert "(deprecated)" in text_of(as_consumer.get("/servers/"))


def test_the_image_list_marks_deprecated_rows(as_consumer, deprecated):
    assert 'status-deprecated">deprecated</span>' in text_of(as_consumer.get("/images/"))


def test_a_reader_sees_the_banner_without_buttons(people, owner, consumer, deprecated, successor):
    successor.share_with(owner, [consumer.account.tenant_id], acknowledged=True)
    page = text_of(signed_in(people["consumer reader"]).get(f"/images/{deprecated.pk}/"))
    assert "This image is deprecated" in page and "Accept the replacement" not in page
    page = text_of(signed_in(people["owner reader"]).get(f"/images/{deprecated.pk}/"))
    assert "Deprecated</strong> since" in page
    assert "Cancel deprecation" not in page and "Offer the replacement" not in page and "Change the" not in page


# Authorization: every new page and action, for each party.


def _actions(image):
    return [
        (f"/images/{image.pk}/deprecate/", {"replacement": ""}),
        (f"/images/{image.pk}/undeprecate/", {}),
        (f"/images/{image.pk}/offer-replacement/", {"acknowledge": "on"}),
    ]


def test_another_tenant_gets_404_and_changes_nothing(as_stranger, deprecated):
    assert as_stranger.get(deprecate_url(deprecated)).status_code == 404
    before = snapshot()
    for path, data in _actions(deprecated):
        assert as_stranger.post(path, data).status_code == 404, path
    assert snapshot() == before


def test_a_member_is_refused_and_changes_nothing(as_consumer, deprecated):
    before = snapshot()
    response = as_consumer.get(deprecate_url(deprecated))
    assert response.status_code == 302 and "Only the owner of this image can do that." in messages_of(response)
    for path, data in _actions(deprecated):
        response = as_consumer.post(path, data)
        assert response.status_code == 302 and "Only the owner" in messages_of(response)[0], path
    assert snapshot() == before


@pytest.mark.parametrize("role", [Role.READER])
def test_a_reader_is_refused_and_changes_nothing(people, role, deprecated):
    client = signed_in(people[f"owner {role}"])
    before = snapshot()
    assert "Readers cannot" in messages_of(client.get(deprecate_url(deprecated)))[0]
    for path, data in _actions(deprecated):
        assert "Readers cannot" in messages_of(client.post(path, data))[0], path
    assert snapshot() == before


def test_an_operator_without_a_tenant_is_pointed_to_the_admin(as_operator, deprecated):
    before = snapshot()
    assert as_operator.get(deprecate_url(deprecated)).status_code == 403
    for path, data in _actions(deprecated):
        assert as_operator.post(path, data).status_code == 403, path
    assert snapshot() == before


def test_the_new_actions_refuse_other_methods(as_owner, deprecated):
    assert as_owner.get(f"/images/{deprecated.pk}/undeprecate/").status_code == 405
    assert as_owner.get(f"/images/{deprecated.pk}/offer-replacement/").status_code == 405


# Lists keep a constant number of queries with deprecated rows and their replacements.


def test_the_inbox_with_deprecated_offers_keeps_its_query_count(consumer, dfw):
    producers = [factories.user(factories.account(dfw)) for _ in range(3)]

    def build(start, end):
        for number in range(start, end):
            producer = producers[number % len(producers)]
            image = factories.image(producer, dfw, name=f"old-{number}", visibility="shared")
            new = factories.image(producer, dfw, name=f"new-{number}", visibility="shared")
            factories.member(producer, image, consumer, ("pending", "accepted", "rejected")[number % 3])
            if number % 2:
                factories.member(producer, new, consumer)
            image.deprecate(producer, replacement=new.pk)

    assert measured(build, signed_in(consumer), "/shared/") == [6, 6]


def test_the_image_list_with_deprecated_images_keeps_its_query_count(consumer, dfw):
    producer = factories.user(factories.account(dfw))

    def build(start, end):
        for number in range(start, end):
            image = factories.image(producer, dfw, name=f"old-{number}", visibility="shared")
            factories.member(producer, image, consumer, "accepted")
            image.deprecate(producer)

    assert measured(build, signed_in(consumer), "/images/") == [6, 6]


def test_a_malformed_date_is_shown_with_the_form_and_changes_nothing(as_owner, image):
    before = snapshot()
    response = as_owner.post(deprecate_url(image), {"replacement": "", "delete_after": "someday"})
    assert response.status_code == 200 and "Enter a valid date." in text_of(response)
    assert snapshot() == before
