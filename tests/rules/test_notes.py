"""R19: a producer's note on an offer (at most 500 characters) is seen only by the producer and that consumer."""

import pytest

from imagesharing.choices import Action
from imagesharing.errors import InvalidValue, NotFound, NotOwner, NotPermitted, NotShareable
from imagesharing.memberships.history import Event
from imagesharing.memberships.members import NOTE_MAX_LENGTH, ImageMember
from tests import factories
from tests.rules.checks import refused

NOTE = "Golden web image, patched weekly. Ask ops@producer.example before booting."


def test_r19_sharing_with_several_tenants_gives_each_the_same_note(owner, consumer, other_consumer, image):
    ids = [consumer.account.tenant_id, other_consumer.account.tenant_id]
    result = image.share_with(owner, ids, acknowledged=True, note=f"  {NOTE}\r\nLine two.\n ")
    assert len(result.added) == 2
    assert {member.note for member in ImageMember.objects.filter(image=image)} == {f"{NOTE}\nLine two."}


def test_r19_a_share_without_a_note_has_none(owner, consumer, image):
    image.share_with(owner, [consumer.account.tenant_id], acknowledged=True)
    assert ImageMember.objects.get().note == ""


def test_r19_a_note_of_500_characters_is_taken(owner, consumer, image):
    image.share_with(owner, [consumer.account.tenant_id], acknowledged=True, note="x" * NOTE_MAX_LENGTH)
    assert len(ImageMember.objects.get().note) == NOTE_MAX_LENGTH


@pytest.mark.parametrize("note", ["x" * (NOTE_MAX_LENGTH + 1), "nul\x00byte"])
def test_r19_a_note_too_long_or_not_text_refuses_the_whole_share(owner, consumer, image, note):
    with refused(InvalidValue, match="at most 500 characters"):
        image.share_with(owner, [consumer.account.tenant_id], acknowledged=True, note=note)


def test_r19_the_history_says_an_offer_came_with_a_note_but_not_what_it_says(owner, consumer, image):
    image.share_with(owner, [consumer.account.tenant_id], acknowledged=True, note=NOTE)
    added = Event.objects.get(action=Action.MEMBER_ADDED)
    assert added.note == "with a note"


@pytest.fixture
def offer(owner, consumer, shared_image):
    return shared_image.share_with(owner, [consumer.account.tenant_id], acknowledged=True, note=NOTE).added[0]


def test_r19_the_owner_rewrites_the_note_and_the_history_records_the_change_without_the_text(owner, offer):
    offer.set_note(owner, "Use the 2026 build.")
    offer.set_note(owner, "")
    offer.set_note(owner, "Back again.")
    assert ImageMember.objects.get(pk=offer.pk).note == "Back again."
    changes = Event.objects.filter(action=Action.MEMBER_NOTE_CHANGED).order_by("pk")
    assert [(e.member_id, e.actor_account_id, e.note) for e in changes] == [
        (offer.member_id, owner.account_id, "rewritten"),
        (offer.member_id, owner.account_id, "cleared"),
        (offer.member_id, owner.account_id, "written"),
    ]
    for event in Event.objects.values():
        assert not any(
            isinstance(value, str) and ("2026 build" in value or "Back again" in value or NOTE in value)
            for value in event.values()
        )


def test_r19_writing_the_same_note_again_records_nothing_and_keeps_the_answer_time(owner, offer):
    before = ImageMember.objects.get(pk=offer.pk).updated_at
    offer.set_note(owner, f" {NOTE} ")
    assert not Event.objects.filter(action=Action.MEMBER_NOTE_CHANGED).exists()
    offer.set_note(owner, "Changed.")
    assert ImageMember.objects.get(pk=offer.pk).updated_at == before  # a note is no answer (R3's times)


def test_r19_a_note_too_long_changes_nothing(owner, offer):
    with refused(InvalidValue):
        offer.set_note(owner, "y" * (NOTE_MAX_LENGTH + 1))


def test_r19_the_consumer_cannot_write_the_note_on_its_offer(consumer, offer):
    with refused(NotPermitted):
        offer.set_note(consumer, "I accept gladly")


def test_r19_another_consumer_is_told_it_is_not_the_owner(owner, other_consumer, shared_image, offer):
    factories.member(owner, shared_image, other_consumer)
    with refused(NotOwner):
        offer.set_note(other_consumer, "hijack")


def test_r19_a_stranger_is_told_nothing_exists(stranger, offer):
    with refused(NotFound):
        offer.set_note(stranger, "hello")


def test_r19_a_private_images_kept_members_take_no_note(owner, shared_image, offer):
    shared_image.update(owner, visibility="private")
    with refused(NotShareable):
        offer.set_note(owner, "while private")


def test_r19_the_glance_member_api_carries_no_note(offer):
    from imagesharing.api.serializers import member_json

    assert set(member_json(offer)) == {"image_id", "member_id", "status", "created_at", "updated_at", "schema"}
