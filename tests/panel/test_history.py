"""History (R16, R17): a consumer's memberships, an owner's images; nothing of anyone else's."""

from tests import factories
from tests.panel.conftest import text_of


def test_a_consumer_sees_its_memberships_history(as_consumer, owner, consumer, other_consumer, shared_image):
    factories.member(owner, shared_image, consumer, "accepted")
    factories.member(owner, shared_image, other_consumer)
    response = as_consumer.get("/history/")
    events = response.context["events"]
    assert [e.action for e in events] == ["member_status", "member_added"]
    assert all(e.member_id == consumer.account.pk for e in events)
    assert str(other_consumer.account.tenant_id) not in text_of(response)


def test_an_owner_sees_its_images_history(as_owner, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer, "rejected")
    events = as_owner.get("/history/", {"about": "images"}).context["events"]
    assert [e.action for e in events] == ["member_status", "member_added", "visibility"]


def test_a_stranger_sees_nothing(as_stranger, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    assert as_stranger.get("/history/").context["events"] == []
    assert as_stranger.get("/history/", {"about": "images"}).context["events"] == []


def test_it_pages_to_older_entries(as_owner, owner, dfw):
    for number in range(55):
        factories.image(owner, dfw, name=f"i{number}", visibility="shared")
    first = as_owner.get("/history/", {"about": "images"})
    last = first.context["events"][-1]
    assert len(first.context["events"]) == 50
    assert first.context["next_query"] == f"about=images&before={last.pk}"
    second = as_owner.get("/history/", {"about": "images", "before": last.pk})
    pks = [e.pk for e in first.context["events"]] + [e.pk for e in second.context["events"]]
    assert len(pks) == len(set(pks)) == 55
    assert second.context["next_query"] == ""


def test_a_bad_page_link_shows_the_newest(as_owner):
    response = as_owner.get("/history/", {"before": "nope", "about": "nonsense"})
    assert response.status_code == 200 and response.context["about"] == "memberships"
