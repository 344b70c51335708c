"""Accept, reject, back to pending (R3): the consumer alone, as often as it likes."""

import pytest

from imagesharing.memberships.history import Event
from imagesharing.memberships.members import ImageMember
from tests import factories
from tests.panel.conftest import HTMX, messages_of, text_of


def set_status(client, image, status, headers=None, **extra):
    return client.post(f"/images/{image.pk}/status/", {"status": status, **extra}, headers=headers or {})


def status_of(member) -> str:
    return ImageMember.objects.get(pk=member.pk).status


@pytest.mark.parametrize(
    "start, to, message",
    [
        ("pending", "accepted", "Accepted “shared-base”: it is now in your image list in DFW."),
        (
            "pending",
            "rejected",
            "Rejected “shared-base”: it is hidden from your image list; you can still boot it by its ID.",
        ),
        ("accepted", "pending", "“shared-base” is back to pending: hidden from your image list until you accept it."),
        ("rejected", "accepted", "Accepted “shared-base”: it is now in your image list in DFW."),
    ],
)
def test_the_consumer_answers(as_consumer, owner, consumer, shared_image, start, to, message):
    member = factories.member(owner, shared_image, consumer, start)
    response = set_status(as_consumer, shared_image, to)
    assert response.status_code == 302 and response["Location"] == f"/images/{shared_image.pk}/"
    assert messages_of(response) == [message]
    assert status_of(member) == to


def test_accepting_puts_the_image_in_the_list_and_rejecting_takes_it_out(as_consumer, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    set_status(as_consumer, shared_image, "accepted")
    assert [i.name for i in as_consumer.get("/images/").context["images"]] == ["shared-base"]
    set_status(as_consumer, shared_image, "rejected")
    assert as_consumer.get("/images/").context["images"] == []


def test_it_returns_to_a_safe_next(as_consumer, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    assert set_status(as_consumer, shared_image, "accepted", next="/shared/")["Location"] == "/shared/"
    assert set_status(as_consumer, shared_image, "pending", next="//evil.example/")["Location"] == (
        f"/images/{shared_image.pk}/"
    )


def test_with_htmx_from_the_inbox_it_answers_with_the_row_and_the_badge(as_consumer, owner, consumer, shared_image):
    member = factories.member(owner, shared_image, consumer)
    headers = {**HTMX, "HX-Target": f"offer-{member.pk}"}
    page = text_of(set_status(as_consumer, shared_image, "accepted", headers=headers))
    assert page.lstrip().startswith(f'<tr id="offer-{member.pk}">')
    assert "<html" not in page
    assert 'id="pending-badge" class="badge" hx-swap-oob="true" hidden>0' in page
    assert "Accepted “shared-base”" in page  # in the aria-live messages region
    assert "Back to pending" in page and "Accept<" not in page


def test_with_htmx_from_the_image_page_it_answers_with_the_status_panel(as_consumer, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    headers = {**HTMX, "HX-Target": "my-status"}
    page = text_of(set_status(as_consumer, shared_image, "rejected", headers=headers))
    assert page.lstrip().startswith('<section id="my-status"')
    assert "status-rejected" in page


def test_the_owner_cannot_set_a_members_status(as_owner, owner, consumer, shared_image):
    member = factories.member(owner, shared_image, consumer)
    response = set_status(as_owner, shared_image, "accepted")
    assert messages_of(response) == ["Only a tenant this image is shared with can accept or reject it."]
    assert status_of(member) == "pending"
    assert not Event.objects.filter(action="member_status").exists()


def test_with_htmx_a_refusal_swaps_nothing_but_the_messages(as_owner, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    response = set_status(as_owner, shared_image, "accepted", headers=HTMX)
    assert response["HX-Reswap"] == "none"
    assert "Only a tenant this image is shared with" in text_of(response)


@pytest.mark.parametrize("status", ["", "ACCEPTED", "owner", "accepted' OR 1=1"])
def test_a_tampered_status_changes_nothing(as_consumer, owner, consumer, shared_image, status):
    member = factories.member(owner, shared_image, consumer)
    response = set_status(as_consumer, shared_image, status)
    assert messages_of(response) == ["Status must be one of pending, accepted, rejected."]
    assert status_of(member) == "pending"


@pytest.mark.parametrize("who", ["as_stranger", "as_abroad"])
def test_outsiders_get_not_found(request, who, owner, consumer, shared_image):
    member = factories.member(owner, shared_image, consumer)
    assert set_status(request.getfixturevalue(who), shared_image, "accepted").status_code == 404
    assert status_of(member) == "pending"


def test_a_revoked_consumer_gets_not_found(as_consumer, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer).remove(owner)
    assert set_status(as_consumer, shared_image, "accepted").status_code == 404


def test_the_same_status_again_records_nothing(as_consumer, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer, "accepted")
    before = Event.objects.count()
    set_status(as_consumer, shared_image, "accepted")
    assert Event.objects.count() == before


def test_status_is_a_post(as_consumer, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    assert as_consumer.get(f"/images/{shared_image.pk}/status/").status_code == 405
