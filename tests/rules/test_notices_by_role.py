"""R27 with R18: a tenant's notices go to its people by role. Offers and reminders, which ask for
an answer, go to those who may answer (admins and members); the outcome of a report to the
admins; everything else to everyone, readers too, since they see all the tenant sees."""

from imagesharing.choices import NoticeKind
from imagesharing.memberships.notices import Notice
from imagesharing.memberships.reports import ImageReport
from tests import factories


def recipients(kind: str) -> set[str]:
    return {notice.recipient.username for notice in Notice.objects.filter(kind=kind).select_related("recipient")}


def test_r27_offers_and_reminders_go_to_admins_and_members_not_readers(people, owner, consumer, shared_image):
    member = factories.member(owner, shared_image, consumer)
    member.remind(owner)
    for kind in (NoticeKind.OFFER, NoticeKind.REMINDER):
        assert recipients(kind) == {"consumer", "consumer-member"}


def test_r27_answers_and_revocations_go_to_everyone(people, owner, consumer, shared_image):
    member = factories.member(owner, shared_image, consumer, "accepted")
    member.remove(owner)
    assert recipients(NoticeKind.ANSWER) == {"owner", "owner-member", "owner-reader"}
    assert recipients(NoticeKind.REVOKED) == {"consumer", "consumer-member", "consumer-reader"}


def test_r27_a_reports_outcome_goes_to_the_reporting_tenants_admins(people, owner, consumer, shared_image, operator):
    factories.member(owner, shared_image, consumer)
    report = ImageReport.objects.file(people["consumer member"], shared_image, "error")
    assert recipients(NoticeKind.REPORT) == {operator.username}
    report.close(operator, "removed the image")
    [notice] = Notice.objects.filter(kind=NoticeKind.REPORT_CLOSED)
    assert notice.recipient == consumer
    assert notice.summary == "A cloud operator closed your tenant's report of the image “shared-base”."
