"""Remind (R20) and end dates (R22) in the panel: the members table, the share form, the dates
page and "Remind all pending" on Shared by me; only the owner, refusals change nothing."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from imagesharing.choices import Action, MemberStatus
from imagesharing.memberships.history import Event
from imagesharing.memberships.members import ImageMember
from tests import factories
from tests.panel.conftest import HTMX, messages_of, signed_in, text_of


def member_url(image, user, action: str) -> str:
    return f"/images/{image.pk}/members/{user.account.tenant_id}/{action}/"


def tomorrow() -> str:
    return (timezone.now() + timedelta(days=1)).date().isoformat()


@pytest.fixture
def offer(owner, consumer, shared_image):
    return factories.member(owner, shared_image, consumer)


def test_a_pending_members_row_has_remind_and_an_answered_one_has_not(
    as_owner, owner, consumer, other_consumer, shared_image, offer
):
    factories.member(owner, shared_image, other_consumer, MemberStatus.ACCEPTED)
    page = text_of(as_owner.get(f"/images/{shared_image.pk}/"))
    assert f'action="{member_url(shared_image, consumer, "remind")}"' in page
    assert member_url(shared_image, other_consumer, "remind") not in page
    assert f'href="{member_url(shared_image, other_consumer, "dates")}"' in page


def test_remind_with_htmx_answers_with_the_section_and_hides_the_button(as_owner, consumer, shared_image, offer):
    page = text_of(as_owner.post(member_url(shared_image, consumer, "remind"), headers=HTMX))
    assert page.lstrip().startswith('<section id="sharing"')
    assert f"Reminded tenant {consumer.account.tenant_id}. You can remind it again after" in page
    assert member_url(shared_image, consumer, "remind") not in page and "Reminded <time" in page
    assert ImageMember.objects.get(pk=offer.pk).reminded_at is not None


def test_a_second_reminder_the_same_day_is_refused_and_changes_nothing(as_owner, consumer, shared_image, offer):
    as_owner.post(member_url(shared_image, consumer, "remind"))
    response = as_owner.post(member_url(shared_image, consumer, "remind"))
    assert response.status_code == 302 and response["Location"] == f"/images/{shared_image.pk}/#sharing"
    assert "remind it again after" in messages_of(response)[0]
    assert Event.objects.filter(action=Action.MEMBER_REMINDED).count() == 1


@pytest.mark.parametrize("who", ["consumer", "stranger"])
def test_only_the_owner_reminds_or_sets_dates(who, request, consumer, shared_image, offer):
    client = signed_in(request.getfixturevalue(who))
    before = list(ImageMember.objects.values())
    for action in ("remind", "dates"):
        response = client.post(member_url(shared_image, consumer, action), {"access_until": tomorrow()})
        assert response.status_code in (302, 404)
    assert list(ImageMember.objects.values()) == before
    assert not Event.objects.filter(action__in=[Action.MEMBER_REMINDED, Action.MEMBER_TERMS_CHANGED]).exists()
    if who == "stranger":
        assert client.get(member_url(shared_image, consumer, "dates")).status_code == 404


def test_sharing_with_end_dates_gives_them_to_each_new_member(as_owner, consumer, other_consumer, shared_image):
    ids = f"{consumer.account.tenant_id} {other_consumer.account.tenant_id}"
    day = tomorrow()
    form = {"tenant_ids": ids, "offer_open_until": day, "acknowledge": "on"}
    as_owner.post(f"/images/{shared_image.pk}/share/", form)
    end = datetime.fromisoformat(day).replace(tzinfo=UTC) + timedelta(days=1)
    assert set(ImageMember.objects.values_list("offer_expires_at", "access_ends_at")) == {(end, None)}
    page = text_of(as_owner.get(f"/images/{shared_image.pk}/"))
    assert page.count("Offer open until <time") == 2


def test_a_past_date_on_share_is_refused_and_adds_nobody(as_owner, consumer, shared_image):
    yesterday = (timezone.now() - timedelta(days=1)).date().isoformat()
    response = as_owner.post(
        f"/images/{shared_image.pk}/share/", {"tenant_ids": str(consumer.account.tenant_id), "access_until": yesterday}
    )
    assert "The end of access must be in the future." in text_of(response)
    assert not ImageMember.objects.exists()


def test_the_dates_page_shows_saves_and_clears(as_owner, consumer, shared_image, offer):
    url = member_url(shared_image, consumer, "dates")
    assert 'name="access_until"' in text_of(as_owner.get(url))
    response = as_owner.post(url, {"access_until": tomorrow()})
    assert response.status_code == 302 and response["Location"] == f"/images/{shared_image.pk}/#sharing"
    assert ImageMember.objects.get(pk=offer.pk).access_ends_at is not None
    assert f'value="{tomorrow()}"' in text_of(as_owner.get(url))
    as_owner.post(url, {"access_until": ""})
    assert ImageMember.objects.get(pk=offer.pk).access_ends_at is None
    assert Event.objects.filter(action=Action.MEMBER_TERMS_CHANGED).count() == 2


def test_the_dates_page_refuses_a_past_date_in_place(as_owner, consumer, shared_image, offer):
    response = as_owner.post(member_url(shared_image, consumer, "dates"), {"offer_open_until": "2001-01-01"})
    assert response.status_code == 200 and "An offer&#x27;s expiry must be in the future." in text_of(response)
    assert ImageMember.objects.get(pk=offer.pk).offer_expires_at is None


def test_an_expired_offer_is_not_in_the_inbox_even_before_the_sweep(as_consumer, owner, consumer, shared_image, offer):
    ImageMember.objects.filter(pk=offer.pk).update(offer_expires_at=timezone.now() - timedelta(seconds=1))
    page = text_of(as_consumer.get("/shared/"))
    assert shared_image.name not in page
    assert as_consumer.get(f"/images/{shared_image.pk}/").status_code == 404


def test_remind_all_pending_from_shared_by_me(as_owner, owner, consumer, other_consumer, shared_image, offer):
    factories.member(owner, shared_image, other_consumer, MemberStatus.REJECTED)
    response = as_owner.post("/shared-by-me/remind/")
    assert response.status_code == 302 and messages_of(response) == ["Reminded 1 pending member."]
    response = as_owner.post("/shared-by-me/remind/")
    assert messages_of(response)[-1] == "No pending member is due a reminder: each can be reminded once a day."
    assert 'action="/shared-by-me/remind/"' in text_of(as_owner.get("/shared-by-me/"))


def test_remind_all_pending_of_a_consumer_reminds_nothing_of_others(as_consumer, shared_image, offer):
    as_consumer.post("/shared-by-me/remind/")
    assert ImageMember.objects.get(pk=offer.pk).reminded_at is None


def test_the_consumer_sees_when_its_offer_and_access_end(as_consumer, owner, shared_image, offer):
    offer.set_end_dates(owner, timezone.now() + timedelta(days=2), timezone.now() + timedelta(days=30))
    inbox = text_of(as_consumer.get("/shared/"))
    assert "Offer open until <time" in inbox and "Access until <time" in inbox and "Reminded" not in inbox
    page = text_of(as_consumer.get(f"/images/{shared_image.pk}/"))
    assert "This offer is open until <time" in page and "Your access ends <time" in page


@pytest.mark.parametrize("who", ["abroad", "operator"])
@pytest.mark.parametrize("action", ["remind", "dates"])
def test_a_tenant_of_another_region_or_an_operator_without_one_changes_nothing(
    who, action, request, consumer, shared_image, offer
):
    before = list(ImageMember.objects.values())
    response = signed_in(request.getfixturevalue(who)).post(
        member_url(shared_image, consumer, action), {"access_until": tomorrow()}
    )
    assert response.status_code == (404 if who == "abroad" else 403)
    assert list(ImageMember.objects.values()) == before
    assert not Event.objects.filter(action__in=[Action.MEMBER_REMINDED, Action.MEMBER_TERMS_CHANGED]).exists()
