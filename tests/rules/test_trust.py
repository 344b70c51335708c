"""R24: a consumer's trusted producers have their offers accepted automatically and its blocked
producers rejected automatically, when the offer is made; recorded as automatic, told to both
sides as any answer is, and the consumer may change its answer later (R3)."""

import pytest

from imagesharing.accounts.models import ProducerRule
from imagesharing.choices import Action, MemberStatus, NoticeKind, Role
from imagesharing.errors import InvalidValue, QuotaExceeded, RoleRequired
from imagesharing.memberships.history import Event
from imagesharing.memberships.notices import Notice
from tests.rules.checks import refused


def _trust(consumer, owner, answer=MemberStatus.ACCEPTED):
    return ProducerRule.objects.set_answer(consumer, owner.account.tenant_id, answer)


def _history(image, consumer):
    events = Event.objects.filter(image=image, member=consumer.account).order_by("created_at", "pk")
    return [(event.action, event.before, event.after, event.actor_id, event.note) for event in events]


@pytest.mark.parametrize("answer", [MemberStatus.ACCEPTED, MemberStatus.REJECTED])
def test_r24_an_offer_from_a_listed_producer_is_answered_when_it_is_made(owner, consumer, shared_image, answer):
    _trust(consumer, owner, answer)
    member = shared_image.add_member(owner, consumer.account.tenant_id)
    assert member.status == answer
    assert shared_image.members.get().status == answer
    word = "trusted" if answer == MemberStatus.ACCEPTED else "blocked"
    assert _history(shared_image, consumer) == [
        (Action.MEMBER_ADDED, "", answer, owner.pk, ""),
        (Action.MEMBER_STATUS_CHANGED, MemberStatus.PENDING, answer, None, f"automatic: a {word} producer"),
    ]
    automatic = Event.objects.get(action=Action.MEMBER_STATUS_CHANGED)
    assert automatic.is_automatic_answer and automatic.actor_account_id is None


def test_r24_an_offer_from_any_other_producer_waits(owner, consumer, stranger, shared_image):
    ProducerRule.objects.set_answer(consumer, stranger.account.tenant_id, MemberStatus.ACCEPTED)
    ProducerRule.objects.set_answer(stranger, owner.account.tenant_id, MemberStatus.ACCEPTED)
    member = shared_image.add_member(owner, consumer.account.tenant_id)
    assert member.status == MemberStatus.PENDING
    assert [row[0] for row in _history(shared_image, consumer)] == [Action.MEMBER_ADDED]


def test_r24_both_sides_hear_of_the_automatic_answer(owner, consumer, shared_image):
    """R18: the consumer's offer notice says it was accepted automatically; the producer gets the answer."""
    _trust(consumer, owner)
    shared_image.add_member(owner, consumer.account.tenant_id)
    offer = Notice.objects.get(recipient=consumer)
    assert offer.kind == NoticeKind.OFFER
    assert "accepted automatically: this producer is one of your trusted producers" in offer.summary
    answer = Notice.objects.get(recipient=owner)
    assert answer.kind == NoticeKind.ANSWER
    assert (
        answer.summary
        == f"Tenant {consumer.account.tenant_id} (Consumer) automatically accepted your offer of “shared-base”."
    )


def test_r24_the_panels_share_answers_each_tenant_as_its_lists_say(owner, consumer, other_consumer, image):
    ProducerRule.objects.set_answer(other_consumer, owner.account.tenant_id, MemberStatus.REJECTED)
    tenants = [consumer.account.tenant_id, other_consumer.account.tenant_id]
    result = image.share_with(owner, tenants, acknowledged=True)
    assert [member.status for member in result.added] == [MemberStatus.PENDING, MemberStatus.REJECTED]


def test_r24_r3_the_consumer_changes_an_automatic_answer_later(owner, consumer, shared_image):
    _trust(consumer, owner)
    member = shared_image.add_member(owner, consumer.account.tenant_id)
    member.set_status(consumer, MemberStatus.REJECTED)
    assert shared_image.members.get().status == MemberStatus.REJECTED
    assert _history(shared_image, consumer)[-1][:4] == (
        Action.MEMBER_STATUS_CHANGED,
        MemberStatus.ACCEPTED,
        MemberStatus.REJECTED,
        consumer.pk,
    )


def test_r24_a_producer_is_in_one_list_at_most_and_comes_off_it(owner, consumer, shared_image):
    rules = ProducerRule.objects
    tenant_id = owner.account.tenant_id
    assert rules.set_answer(consumer, f" {tenant_id} ", MemberStatus.ACCEPTED) == tenant_id
    rules.set_answer(consumer, tenant_id, MemberStatus.REJECTED)
    assert list(rules.of(consumer.account).values_list("tenant_id", "answer")) == [(tenant_id, "rejected")]
    assert rules.forget(consumer, tenant_id) == tenant_id
    assert not rules.exists()
    assert shared_image.add_member(owner, consumer.account.tenant_id).status == MemberStatus.PENDING


def test_r24_r17_any_well_formed_tenant_id_is_kept_without_a_lookup(consumer, owner, abroad):
    """A tenant of the region, one outside it and one that does not exist are listed alike."""
    numbers = (owner.account.tenant_id, abroad.account.tenant_id, 987654321)
    answers = [ProducerRule.objects.set_answer(consumer, number, MemberStatus.ACCEPTED) for number in numbers]
    assert answers == list(numbers)
    assert ProducerRule.objects.of(consumer.account).count() == 3


@pytest.mark.parametrize("tenant_id", ["12a", "-3", "0", "9" * 30, None])
def test_r24_a_malformed_tenant_id_is_refused(consumer, tenant_id):
    with refused(InvalidValue, match="positive whole number"):
        ProducerRule.objects.set_answer(consumer, tenant_id, MemberStatus.ACCEPTED)


@pytest.mark.parametrize("answer", ["pending", "trusted", "", None])
def test_r24_a_list_is_trusted_or_blocked(consumer, owner, answer):
    with refused(InvalidValue, match="trusted"):
        ProducerRule.objects.set_answer(consumer, owner.account.tenant_id, answer)


def test_r24_r27_readers_see_the_lists_and_change_nothing(people, owner):
    reader = people["consumer reader"]
    _trust(people["consumer member"], owner)
    assert ProducerRule.objects.of(reader.account).count() == 1
    with refused(RoleRequired, match="Readers cannot change trusted producers"):
        _trust(reader, owner, MemberStatus.REJECTED)
    with refused(RoleRequired):
        ProducerRule.objects.forget(reader, owner.account.tenant_id)


def test_r24_a_consumers_lists_are_bounded(consumer, monkeypatch):
    monkeypatch.setattr("imagesharing.accounts.trust.PRODUCER_RULES_PER_TENANT", 2)
    for number in (11, 12):
        ProducerRule.objects.set_answer(consumer, number, MemberStatus.ACCEPTED)
    with refused(QuotaExceeded, match="2 producers"):
        ProducerRule.objects.set_answer(consumer, 13, MemberStatus.ACCEPTED)
    assert ProducerRule.objects.set_answer(consumer, 12, MemberStatus.REJECTED) == 12  # a move is no new entry


def test_r24_lists_belong_to_their_consumer(owner, consumer, other_consumer, shared_image):
    """Another tenant's trust in the producer answers nothing for this consumer."""
    _trust(other_consumer, owner)
    assert shared_image.add_member(owner, consumer.account.tenant_id).status == MemberStatus.PENDING
    assert ProducerRule.objects.of(consumer.account).count() == 0


def test_r24_an_automatic_offer_goes_to_every_person_who_hears_of_offers(people, owner, shared_image):
    consumer = people["consumer admin"]
    _trust(consumer, owner)
    shared_image.add_member(owner, consumer.account.tenant_id)
    told = set(Notice.objects.filter(kind=NoticeKind.OFFER).values_list("recipient__role", flat=True))
    assert told == {Role.ADMIN, Role.MEMBER}
