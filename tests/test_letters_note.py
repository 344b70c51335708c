"""R19 in R18's e-mail: the producer's note goes to that offer's consumer, and in no other message."""

from imagesharing.choices import NoticeKind
from imagesharing.memberships.letters import letter
from imagesharing.memberships.notices import Notice
from tests import factories

NOTE = "Patched weekly; ask Dana first."


def bodies(notice: Notice) -> str:
    message = letter(notice)
    return message.body + "".join(str(content) for content, _ in message.alternatives)


def test_r19_the_offer_message_carries_the_producers_note(owner, consumer, shared_image):
    offer = shared_image.share_with(owner, [consumer.account.tenant_id], acknowledged=True, note=NOTE).added[0]
    notice = Notice.objects.get(recipient=consumer, kind=NoticeKind.OFFER)
    assert NOTE in bodies(notice)
    offer.set_note(owner, "Rewritten.")
    assert "Rewritten." in bodies(notice) and NOTE not in bodies(notice)  # as it stands when written


def test_r19_no_other_message_carries_the_note(owner, consumer, other_consumer, shared_image):
    factories.member(owner, shared_image, other_consumer)
    offer = shared_image.share_with(owner, [consumer.account.tenant_id], acknowledged=True, note=NOTE).added[0]
    offer.set_status(consumer, "accepted")
    answer = Notice.objects.get(recipient=owner, kind=NoticeKind.ANSWER, counterparty=consumer.account)
    assert NOTE not in bodies(answer)  # the producer's own note is not mailed back to it
    others = Notice.objects.filter(recipient=other_consumer)
    assert others and all(NOTE not in bodies(notice) for notice in others)
