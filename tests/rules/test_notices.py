"""R18: every R16 event that concerns the other party gives it a notice, written in the change's
transaction, to each of its people, and telling nobody more than R17 allows."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from imagesharing.choices import MemberStatus, NoticeKind
from imagesharing.errors import AlreadyMember, InvalidValue, NotFound
from imagesharing.memberships.members import ImageMember
from imagesharing.memberships.notices import MailOptOut, MailStatus, Notice, send_notice_mail
from imagesharing.memberships.reports import ImageReport
from tests import factories
from tests.rules.checks import refused


def kinds_for(user) -> list[str]:
    return list(Notice.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True))


def test_r18_an_offer_tells_the_consumer_and_nobody_else(owner, consumer, stranger, shared_image):
    factories.member(owner, shared_image, consumer)
    notice = Notice.objects.get()
    assert (notice.recipient, notice.kind, notice.counterparty) == (consumer, NoticeKind.OFFER, owner.account)
    assert notice.summary == f"Tenant {owner.account.tenant_id} (Producer) offered you the image “shared-base”."
    assert notice.link == f"/images/{shared_image.pk}/"
    assert kinds_for(owner) == kinds_for(stranger) == []


def test_r18_every_person_of_the_tenant_gets_their_own_notice(owner, consumer, shared_image):
    colleague = factories.user(consumer.account, username="colleague")
    gone = factories.user(consumer.account, username="gone")
    gone.is_active = False
    gone.save()
    factories.member(owner, shared_image, consumer)
    assert kinds_for(consumer) == kinds_for(colleague) == [NoticeKind.OFFER]
    assert kinds_for(gone) == []


@pytest.mark.parametrize("status", [MemberStatus.ACCEPTED, MemberStatus.REJECTED])
def test_r18_an_answer_and_each_change_of_it_tell_the_producer(owner, consumer, shared_image, status):
    member = factories.member(owner, shared_image, consumer, status)
    member.set_status(consumer, MemberStatus.PENDING)
    member.set_status(consumer, MemberStatus.PENDING)  # no change: no history, no notice
    answers = Notice.objects.filter(recipient=owner).order_by("pk")
    assert [notice.kind for notice in answers] == [NoticeKind.ANSWER, NoticeKind.ANSWER]
    verb = {"accepted": "accepted", "rejected": "rejected"}[status]
    assert [notice.summary.split(") ")[1] for notice in answers] == [
        f"{verb} your offer of “shared-base”.",
        "set back to pending your offer of “shared-base”.",
    ]
    assert answers[0].counterparty == consumer.account and answers[0].link.endswith("#sharing")
    assert kinds_for(consumer) == [NoticeKind.OFFER]


def test_r18_a_revocation_tells_the_consumer(owner, consumer, other_consumer, shared_image):
    member = factories.member(owner, shared_image, consumer, MemberStatus.ACCEPTED)
    factories.member(owner, shared_image, other_consumer)
    member.remove(owner)
    assert kinds_for(consumer) == [NoticeKind.OFFER, NoticeKind.REVOKED]
    assert kinds_for(other_consumer) == [NoticeKind.OFFER]  # the others are not told (R2, R17)


def test_r18_deleting_an_image_tells_each_member_once(owner, consumer, other_consumer, shared_image):
    factories.member(owner, shared_image, consumer, MemberStatus.ACCEPTED)
    factories.member(owner, shared_image, other_consumer, MemberStatus.REJECTED)
    shared_image.destroy(owner)
    for person in (consumer, other_consumer):
        assert kinds_for(person) == [NoticeKind.OFFER, NoticeKind.IMAGE_DELETED]
    assert kinds_for(owner) == [NoticeKind.ANSWER, NoticeKind.ANSWER]


def test_r18_making_an_image_private_tells_its_members_and_sharing_it_again_does_not(
    owner, consumer, other_consumer, shared_image
):
    factories.member(owner, shared_image, consumer, MemberStatus.ACCEPTED)
    factories.member(owner, shared_image, other_consumer)
    shared_image.update(owner, visibility="private")
    shared_image.update(owner, visibility="shared")
    for person in (consumer, other_consumer):
        assert kinds_for(person) == [NoticeKind.OFFER, NoticeKind.MADE_PRIVATE]
    private = Notice.objects.get(recipient=consumer, kind=NoticeKind.MADE_PRIVATE)
    assert private.counterparty == owner.account


def test_r18_a_report_tells_every_operator(owner, consumer, shared_image, operator):
    second_operator = factories.operator()
    factories.member(owner, shared_image, consumer)
    report = ImageReport.objects.file(consumer, shared_image, ImageReport.Reason.MALICIOUS)
    for person in (operator, second_operator):
        notice = Notice.objects.get(recipient=person)
        assert (notice.kind, notice.report, notice.counterparty) == (NoticeKind.REPORT, report, consumer.account)
        assert notice.link == f"/admin/memberships/imagereport/{report.pk}/change/"
    assert kinds_for(owner) == []  # the owner is not told who reported it


def test_r18_a_refused_change_writes_no_notice(owner, consumer, shared_image, abroad):
    shared_image.share_with(owner, [abroad.account.tenant_id], acknowledged=True)
    factories.member(owner, shared_image, consumer)
    with refused(AlreadyMember):
        shared_image.add_member(owner, consumer.account.tenant_id)
    assert Notice.objects.count() == 1


def test_r18_a_change_rolled_back_takes_its_notice_and_its_mail_task_with_it(owner, consumer, image):
    consumer.email = "consumer@example.com"
    consumer.save()
    tasks_before = DBTaskResult.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        image.share_with(owner, [consumer.account.tenant_id], acknowledged=True)
        assert Notice.objects.count() == 1 and DBTaskResult.objects.count() == tasks_before + 1
        raise RuntimeError("the request failed after the change")
    assert not Notice.objects.exists() and DBTaskResult.objects.count() == tasks_before


def test_r18_mail_is_queued_only_for_people_with_an_address_who_want_that_kind(owner, consumer, shared_image, dfw):
    colleague = factories.user(consumer.account, username="colleague")
    muted = factories.user(consumer.account, username="muted")
    for person in (consumer, muted):
        person.email = f"{person.username}@example.com"
        person.save()
    MailOptOut.objects.set_email_kinds(muted, [NoticeKind.ANSWER])
    factories.member(owner, shared_image, consumer)
    statuses = dict(Notice.objects.values_list("recipient__username", "mail_status"))
    assert statuses == {"consumer": MailStatus.QUEUED, "colleague": MailStatus.NONE, "muted": MailStatus.NONE}
    task = DBTaskResult.objects.get(task_path=send_notice_mail.module_path)
    assert task.args_kwargs["args"] == [[Notice.objects.get(recipient=consumer).pk]]
    assert colleague.notices.get().mail_due_at is None


def test_r18_preferences_refuse_unknown_kinds(consumer):
    with refused(InvalidValue):
        MailOptOut.objects.set_email_kinds(consumer, ["offer", "gossip"])
    assert not MailOptOut.objects.exists()


def test_r18_a_person_reads_only_their_own_notices(owner, consumer, other_consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    notice = Notice.objects.get()
    for outsider in (other_consumer, owner):
        with refused(NotFound):
            Notice.objects.mark_read(outsider, notice.pk)
    assert Notice.objects.get().is_unread
    assert Notice.objects.mark_read(consumer, notice.pk).read_at is not None
    assert Notice.objects.mark_all_read(consumer) == 0


def test_r17_notices_name_no_tenant_but_the_counterparty_r17_allows(owner, consumer, other_consumer, shared_image):
    """A consumer hears only of the owner, a producer only of its own members, whatever happens."""
    first = factories.member(owner, shared_image, consumer, MemberStatus.ACCEPTED)
    factories.member(owner, shared_image, other_consumer, MemberStatus.REJECTED)
    first.remove(owner)
    shared_image.update(owner, visibility="private")
    for person in (consumer, other_consumer):
        told_of = set(Notice.objects.filter(recipient=person).values_list("counterparty", flat=True))
        assert told_of == {owner.account.pk}
        for notice in Notice.objects.filter(recipient=person):
            others = {consumer, other_consumer} - {person}
            assert all(str(other.account.tenant_id) not in notice.summary for other in others)
    producer_told_of = set(Notice.objects.filter(recipient=owner).values_list("counterparty", flat=True))
    assert producer_told_of == {consumer.account.pk, other_consumer.account.pk}
    assert ImageMember.objects.count() == 1


def test_r17_a_notice_keeps_the_name_the_image_had(owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer).remove(owner)
    shared_image.update(owner, name="renamed after the revocation")
    assert {notice.image_name for notice in Notice.objects.filter(recipient=consumer)} == {"shared-base"}


def test_r18_r20_a_reminder_tells_the_pending_consumer(owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer).remind(owner)
    reminder = Notice.objects.get(recipient=consumer, kind=NoticeKind.REMINDER)
    assert reminder.counterparty == owner.account and reminder.link == f"/images/{shared_image.pk}/"
    assert kinds_for(owner) == []


def test_r18_r22_an_expired_offer_tells_both_sides_of_each_other(owner, consumer, shared_image):
    member = factories.member(owner, shared_image, consumer)
    member.set_end_dates(owner, timezone.now() + timedelta(seconds=1), None)
    ImageMember.objects.filter(pk=member.pk).update(offer_expires_at=timezone.now() - timedelta(seconds=1))
    assert ImageMember.objects.expire_lapsed() == 1
    to_consumer = Notice.objects.get(recipient=consumer, kind=NoticeKind.EXPIRED)
    to_owner = Notice.objects.get(recipient=owner, kind=NoticeKind.EXPIRED)
    assert (to_consumer.counterparty, to_owner.counterparty) == (owner.account, consumer.account)
