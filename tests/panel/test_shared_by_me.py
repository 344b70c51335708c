"""Shared by me (issue 10): the producer's board of every offer it made, across images and
regions, filtered and sorted, with bulk Remove behind one confirmation (R7, R12, R16, R17)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from imagesharing.memberships.history import Event
from imagesharing.memberships.members import ImageMember
from imagesharing.servers.models import Server
from tests import factories
from tests.panel.conftest import messages_of, text_of

URL = "/shared-by-me/"


@pytest.fixture
def board(owner, consumer, other_consumer, dfw, lon):
    """The owner's offers: two images in DFW and one in LON, answered in every way."""
    owner.account.regions.add(lon)
    londoner = factories.user(factories.account(lon, name="London"), username="londoner")
    web = factories.image(owner, dfw, name="web", visibility="shared")
    db = factories.image(owner, dfw, name="db", visibility="shared")
    uk = factories.image(owner, lon, name="uk", visibility="shared")
    offers = {
        "web-consumer": factories.member(owner, web, consumer, "pending"),
        "web-other": factories.member(owner, web, other_consumer, "accepted"),
        "db-consumer": factories.member(owner, db, consumer, "rejected"),
        "uk-londoner": factories.member(owner, uk, londoner, "pending"),
    }
    hidden = factories.image(owner, dfw, name="made private", visibility="shared")
    factories.member(owner, hidden, consumer)
    hidden.update(owner, visibility="private")  # R9: no longer an offer
    return offers


def shown(response) -> list[int]:
    assert response.status_code == 200
    return [offer.pk for offer in response.context["offers"]]


def test_it_lists_every_offer_of_every_shared_image_in_every_region(as_owner, board):
    assert sorted(shown(as_owner.get(URL))) == sorted(offer.pk for offer in board.values())


def test_waiting_longest_comes_first_and_last_answered_on_demand(as_owner, board):
    oldest = board["db-consumer"]
    ImageMember.objects.filter(pk=oldest.pk).update(created_at=timezone.now() - timedelta(days=9))
    assert shown(as_owner.get(URL))[0] == oldest.pk
    answered = board["web-other"]
    ImageMember.objects.filter(pk=answered.pk).update(updated_at=timezone.now() + timedelta(minutes=5))
    assert shown(as_owner.get(URL, {"sort": "answered"}))[0] == answered.pk


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"status": "pending"}, {"web-consumer", "uk-londoner"}),
        ({"region": "LON"}, {"uk-londoner"}),
        ({"status": "pending", "region": "DFW"}, {"web-consumer"}),
    ],
)
def test_it_filters_by_answer_and_region(as_owner, board, query, expected):
    assert set(shown(as_owner.get(URL, query))) == {board[key].pk for key in expected}


def test_it_filters_by_image(as_owner, board):
    web = board["web-consumer"].image
    assert set(shown(as_owner.get(URL, {"image": web.pk}))) == {board["web-consumer"].pk, board["web-other"].pk}


@pytest.mark.parametrize("query", [{"status": "maybe"}, {"region": "XXX"}, {"image": "not-a-uuid"}, {"sort": "x"}])
def test_bad_filters_show_everything_rather_than_fail(as_owner, board, query):
    assert len(shown(as_owner.get(URL, query))) == len(board)


def test_a_pending_offer_says_how_long_it_has_waited(as_owner, board):
    ImageMember.objects.filter(pk=board["web-consumer"].pk).update(created_at=timezone.now() - timedelta(days=3))
    assert "waiting 3\xa0days" in text_of(as_owner.get(URL))


@pytest.mark.parametrize("who", ["as_consumer", "as_stranger", "as_abroad"])
def test_nobody_else_sees_the_owners_offers(request, who, board):
    """R7, R17: a consumer sees its own answers in its inbox, never the producer's board."""
    response = request.getfixturevalue(who).get(URL)
    assert shown(response) == []
    assert "web" not in [offer.image.name for offer in response.context["offers"]]


def test_bulk_remove_names_everyone_first_and_changes_nothing_until_confirmed(as_owner, board, consumer):
    chosen = [board["web-consumer"], board["uk-londoner"]]
    page = text_of(as_owner.post(f"{URL}remove/", {"member": [offer.pk for offer in chosen]}))
    assert "Remove 2 members?" in page
    for offer in chosen:
        assert f"<code>{offer.member.tenant_id}</code> from “{offer.image.name}”" in page
    assert ImageMember.objects.filter(pk__in=[offer.pk for offer in chosen]).count() == 2

    response = as_owner.post(f"{URL}remove/", {"member": [offer.pk for offer in chosen], "confirmed": "yes"})

    assert response.status_code == 302 and response["Location"] == URL
    assert messages_of(response)[0].startswith("Removed 2 members.")
    assert not ImageMember.objects.filter(pk__in=[offer.pk for offer in chosen]).exists()
    assert Event.objects.filter(action="member_removed", member=consumer.account).count() == 1  # R16, one each
    assert ImageMember.objects.count() == 3  # the others, and the private image's kept member


def test_bulk_remove_keeps_what_consumers_made(as_owner, board, consumer):
    server = Server.objects.boot(consumer, board["web-consumer"].image, "kept")
    as_owner.post(f"{URL}remove/", {"member": [board["web-consumer"].pk], "confirmed": "yes"})
    assert Server.objects.filter(pk=server.pk).exists()  # R12


@pytest.mark.parametrize("who", ["as_consumer", "as_stranger", "as_abroad"])
def test_others_offers_cannot_be_removed_in_bulk(request, who, board):
    response = request.getfixturevalue(who).post(
        f"{URL}remove/", {"member": [offer.pk for offer in board.values()], "confirmed": "yes"}
    )
    assert response.status_code == 302
    assert messages_of(response) == ["Select the offers to remove first."]
    assert ImageMember.objects.count() == 5


@pytest.mark.parametrize("picked", [[], ["x", "-1", "9" * 30]])
def test_nothing_or_nonsense_selected_removes_nothing(as_owner, board, picked):
    response = as_owner.post(f"{URL}remove/", {"member": picked, "confirmed": "yes"})
    assert messages_of(response) == ["Select the offers to remove first."]
    assert ImageMember.objects.count() == 5


def test_bulk_remove_is_a_post(as_owner):
    assert as_owner.get(f"{URL}remove/").status_code == 405


def test_the_overview_counts_the_offers_waiting_for_an_answer(as_owner, board):
    page = text_of(as_owner.get("/"))
    assert "<strong>2</strong> offers you made are waiting for an answer." in page
