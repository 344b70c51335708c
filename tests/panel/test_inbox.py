"""Shared with me (R5): pending first, then rejected, then accepted; filters; an explaining empty state."""

import pytest

from tests import factories
from tests.panel.conftest import HTMX, messages_of, text_of


@pytest.fixture
def offers(owner, consumer, dfw, lon):
    """One offer in each status, created in an order that differs from the inbox order."""
    made = {}
    for status in ("accepted", "rejected", "pending"):
        image = factories.image(owner, dfw, name=f"{status}-image", visibility="shared")
        made[status] = factories.member(owner, image, consumer, status)
    return made


def names(response) -> list[str]:
    return [offer.image.name for offer in response.context["offers"]]


def test_pending_first_then_rejected_then_accepted(as_consumer, offers):
    assert names(as_consumer.get("/shared/")) == ["pending-image", "rejected-image", "accepted-image"]


def test_each_row_shows_image_owner_region_dates_and_buttons(as_consumer, owner, offers):
    page = text_of(as_consumer.get("/shared/"))
    pending = offers["pending"]
    assert str(pending.image_id) in page
    assert f"<code>{owner.account.tenant_id}</code>" in page
    assert '<td data-label="Region">DFW</td>' in page
    assert f'id="offer-{pending.pk}"' in page
    assert f'href="/servers/boot/?image={pending.image_id}"' in page  # R6: boot without accepting
    assert page.count("Accept<") == 2 and page.count("Reject<") == 2 and page.count("Back to pending<") == 2


@pytest.mark.parametrize("status", ["pending", "rejected", "accepted"])
def test_it_filters_by_status(as_consumer, offers, status):
    assert names(as_consumer.get("/shared/", {"status": status})) == [f"{status}-image"]


def test_an_unknown_status_filter_shows_all(as_consumer, offers):
    assert len(names(as_consumer.get("/shared/", {"status": "bogus"}))) == 3


def test_it_shows_offers_from_every_region(as_consumer, consumer, lon, offers):
    consumer.account.regions.add(lon)
    producer = factories.user(factories.account(lon))
    image = factories.image(producer, lon, name="london-offer", visibility="shared")
    factories.member(producer, image, consumer)
    page = text_of(as_consumer.get("/shared/"))
    assert "london-offer" in page and '<td data-label="Region">LON</td>' in page


def test_it_leaves_out_revoked_offers_and_deleted_images(as_consumer, owner, offers):
    offers["pending"].remove(owner)
    offers["accepted"].image.destroy(owner)
    assert names(as_consumer.get("/shared/")) == ["rejected-image"]


def test_it_leaves_out_offers_of_images_made_private(as_consumer, owner, offers):
    offers["pending"].image.update(owner, visibility="private")
    assert "pending-image" not in names(as_consumer.get("/shared/"))


def test_the_empty_state_explains_and_shows_the_tenant_id(as_stranger, stranger):
    page = text_of(as_stranger.get("/shared/"))
    assert "Nothing shared with you yet" in page
    assert f"<code>{stranger.account.tenant_id}</code>" in page


def test_the_owner_does_not_see_its_own_offers(as_owner, offers):
    assert names(as_owner.get("/shared/")) == []


def test_it_pages_in_inbox_order(as_consumer, owner, consumer, dfw):
    for number in range(55):
        image = factories.image(owner, dfw, name=f"offer-{number:02}", visibility="shared")
        factories.member(owner, image, consumer, "accepted" if number % 2 else "pending")
    first = as_consumer.get("/shared/")
    second = as_consumer.get("/shared/", {"marker": first.context["offers"][-1].pk})
    seen = names(first) + names(second)
    assert len(seen) == 55 and len(set(seen)) == 55
    statuses = [o.status for o in first.context["offers"]] + [o.status for o in second.context["offers"]]
    assert statuses == sorted(statuses, key=["pending", "rejected", "accepted"].index)
    assert second.context["next_query"] == ""


def test_a_page_swap_returns_only_the_offers_fragment(as_consumer, owner, consumer, dfw):
    for number in range(51):
        image = factories.image(owner, dfw, name=f"offer-{number:02}", visibility="shared")
        factories.member(owner, image, consumer)
    first = as_consumer.get("/shared/")
    page = text_of(as_consumer.get("/shared/", {"marker": first.context["offers"][-1].pk}, headers=HTMX))
    assert page.lstrip().startswith('<section id="offers"') and "<html" not in page


@pytest.mark.parametrize("marker", ["abc", "999999", "1" * 40])
def test_a_bad_marker_shows_the_first_page(as_consumer, offers, marker):
    response = as_consumer.get("/shared/", {"marker": marker})
    assert response.status_code == 200 and len(names(response)) == 3
    assert "showing the first page" in messages_of(response)[0]


def test_another_tenants_offer_is_not_a_marker(as_stranger, offers):
    response = as_stranger.get("/shared/", {"marker": offers["pending"].pk})
    assert names(response) == []


def test_the_inbox_is_read_only(as_consumer):
    assert as_consumer.post("/shared/").status_code == 405
