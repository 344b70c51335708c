"""R18: notices to the other party of a change, and their e-mail, delivered in the background.

A notice is written for each person who should hear of a change (one row per recipient
user, so that each person has their own read state, preferences and address; R27's
roles choose which people of a tenant receive which kinds: AUDIENCE), in the transaction of
the change itself. When the person wants it by e-mail, the same transaction enqueues the
task that sends it: the task is a row of this database (django-tasks-db), so it commits
or rolls back with the change, and no request ever waits for a mail server.

Delivery claims the notice with a conditional UPDATE before sending and marks it sent
after, so a task that runs twice, or a sweep that runs beside it, sends it once. The one
window left: a worker that dies after the server took the message and before the UPDATE
(or whose UPDATE cannot reach the database) sends it again after the claim lapses. The
message keeps its Message-ID, so a client that deduplicates shows it once.
"""

import logging
import smtplib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from imagesharing.accounts.models import Account, User
from imagesharing.choices import TENANT_NOTICE_KINDS, Action, MemberStatus, NoticeKind, Role, Visibility
from imagesharing.errors import InvalidValue, NotFound
from imagesharing.images.models import Image
from imagesharing.lib.decorators import alters_data
from imagesharing.lib.keyset import ordered, rows_after
from imagesharing.lib.rows import fetch_all
from imagesharing.memberships.letters import letter, read_unsubscribe_token

if TYPE_CHECKING:  # types only: history and reports sit above this module and write notices through it
    from imagesharing.memberships.history import Event
    from imagesharing.memberships.reports import ImageReport

logger = logging.getLogger(__name__)

# A claimed message not marked sent within this is taken again: its worker died while sending.
# Far longer than EMAIL_TIMEOUT, so that a slow server is never mistaken for a dead worker.
CLAIM = timedelta(minutes=10)
LONGEST_WAIT = timedelta(hours=1)

ANSWERS = {
    MemberStatus.ACCEPTED: "accepted",
    MemberStatus.REJECTED: "rejected",
    MemberStatus.PENDING: "set back to pending",
}

# R27: who of a tenant's people hears of what. A kind that asks for an action goes to those
# who may take it; every other kind to everyone, since readers see all the tenant sees.
AUDIENCE: dict[str, list[str]] = {
    NoticeKind.OFFER: [Role.ADMIN, Role.MEMBER],
    NoticeKind.REMINDER: [Role.ADMIN, Role.MEMBER],
    NoticeKind.REPORT_CLOSED: [Role.ADMIN],
}

# What each kind says, with `who` (the counterparty), `image` (its name when it happened) and `answer`.
SUMMARIES = {
    NoticeKind.OFFER: "{who} offered you the image “{image}”.",
    NoticeKind.ANSWER: "{who} {answer} your offer of “{image}”.",
    NoticeKind.REVOKED: "{who} stopped sharing “{image}” with you.",
    NoticeKind.IMAGE_DELETED: "{who} deleted “{image}”, which it shared with you.",
    NoticeKind.MADE_PRIVATE: "{who} made “{image}” private: it is no longer shared with you.",
    NoticeKind.REMINDER: "{who} reminds you of its offer of “{image}”.",
    NoticeKind.EXPIRED: "The share of “{image}” with {who} has expired.",
    NoticeKind.REPORT: "{who} reported the image “{image}”.",
    NoticeKind.REPORT_CLOSED: "{who} closed your tenant's report of the image “{image}”.",
    NoticeKind.DEPRECATED: "{who} deprecated “{image}”, which it shares with you.",
    NoticeKind.UNDEPRECATED: "{who} no longer deprecates “{image}”, which it shares with you.",
    NoticeKind.SHARE_APPROVED: "{who} approved your tenant's first share of “{image}” with a new tenant.",
    NoticeKind.SHARE_REFUSED: "{who} refused your tenant's first share of “{image}” with a new tenant.",
}
# R24: an offer the consumer's lists answered at once; its first history entry has the answer as `after`.
AUTOMATIC_OFFERS = {
    MemberStatus.ACCEPTED: "It was accepted automatically: this producer is one of your trusted producers.",
    MemberStatus.REJECTED: "It was rejected automatically: this producer is one of your blocked producers.",
}
# R25: what a deprecation, and its cancelling, tell the image's current members.
DEPRECATION_NOTICES: dict[str, str] = {
    Action.IMAGE_DEPRECATED: NoticeKind.DEPRECATED,
    Action.DEPRECATION_CANCELLED: NoticeKind.UNDEPRECATED,
}
NEXT_STEPS = {
    NoticeKind.OFFER: "Accept or reject it on the image's page.",
    NoticeKind.ANSWER: "Its members and their answers are on the image's page.",
    NoticeKind.REVOKED: "Servers you booted from it keep running; your history shows the change.",
    NoticeKind.IMAGE_DELETED: "Servers you booted from it keep running; your history shows the change.",
    NoticeKind.MADE_PRIVATE: "Servers you booted from it keep running; your history shows the change.",
    NoticeKind.REMINDER: "Accept or reject it on the image's page.",
    NoticeKind.EXPIRED: "Your history shows the change.",
    NoticeKind.REPORT: "The report waits in the operators' queue.",
    NoticeKind.REPORT_CLOSED: "The operators acted on it as the cloud's rules say; ask support for details.",
    NoticeKind.DEPRECATED: "It still works; its page says if and when it will be deleted, and if it has a replacement.",
    NoticeKind.UNDEPRECATED: "It will not be deleted for its deprecation; use it as before.",
    NoticeKind.SHARE_APPROVED: "The image was offered as you asked; its members table shows the answer.",
    NoticeKind.SHARE_REFUSED: "Nothing was offered; ask support for details.",
}


class MailStatus(models.TextChoices):
    NONE = "", "not by e-mail"
    QUEUED = "queued", "waiting to be sent"
    SENDING = "sending", "being sent"
    SENT = "sent", "sent"
    DROPPED = "dropped", "not sent: no address, or e-mail turned off since"
    FAILED = "failed", "refused by the mail server"


class MailOptOutQuerySet(models.QuerySet["MailOptOut"]):
    def muted_kinds(self, user: User) -> set[str]:
        return set(self.filter(user=user).values_list("kind", flat=True))

    @alters_data
    def set_email_kinds(self, user: User, wanted: Iterable[str]) -> None:
        """R18: the person's e-mail choice per kind; the panel shows every notice whatever it is."""
        wanted = set(wanted)
        unknown = wanted - set(NoticeKind.values)
        if unknown:
            raise InvalidValue(f"Unknown kind of notice: {', '.join(sorted(unknown))}.")
        offered = set(TENANT_NOTICE_KINDS if user.account_id is not None else NoticeKind.values)
        with transaction.atomic():
            self.filter(user=user, kind__in=wanted).delete()
            muted = offered - wanted - self.muted_kinds(user)
            self.bulk_create([self.model(user=user, kind=kind) for kind in sorted(muted)])

    @alters_data
    def unsubscribe(self, token: str) -> "MailOptOut":
        """The one-click link of a message: no more e-mail of its kind to its person.

        The signed token alone authorises it (no session): it names the person and the
        kind, and only the signing key makes one. Unsubscribing twice changes nothing.
        """
        user_id, kind = read_unsubscribe_token(token)
        user = User.objects.filter(pk=user_id).first()
        if user is None:
            raise NotFound("This unsubscribe link is not valid.")
        return self.get_or_create(user=user, kind=kind)[0]

    def describe(self, token: str) -> tuple[User, str]:
        """Whose e-mail of which kind a token stops, for the confirmation page (changes nothing)."""
        user_id, kind = read_unsubscribe_token(token)
        user = User.objects.filter(pk=user_id).first()
        if user is None:
            raise NotFound("This unsubscribe link is not valid.")
        return user, kind


class MailOptOut(models.Model):
    """R18: a person does not want e-mail of one kind of notice. No row: they do."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_opt_outs")
    kind = models.CharField(max_length=16, choices=NoticeKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MailOptOutQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="unique_mail_opt_out")]

    def __str__(self) -> str:
        return f"{self.user} wants no e-mail for {self.kind}"


class NoticeQuerySet(models.QuerySet["Notice"]):
    # Writing (R18), in the caller's transaction.

    def for_events(self, events: Iterable["Event"]) -> list["Notice"]:
        """R18: the notices R16's entries give the other party, each to the people of that tenant,
        written together (`_write`): many offers of one change cost what one does."""
        return self._write([told for event in events for told in self._for_event(event)])

    def _for_event(self, event: "Event") -> list["_Tell"]:
        image = event.image
        producer = image.owner_id
        if event.action == Action.MEMBER_ADDED:
            return [_Tell(NoticeKind.OFFER, image, [event.member_id], producer, event)]
        if event.action == Action.MEMBER_STATUS_CHANGED:
            return [_Tell(NoticeKind.ANSWER, image, [producer], event.member_id, event)]
        if event.action == Action.MEMBER_REMOVED:
            kind = NoticeKind.IMAGE_DELETED if image.is_deleted else NoticeKind.REVOKED
            return [_Tell(kind, image, [event.member_id], producer, event)]
        if event.action == Action.MEMBER_REMINDED:  # R20
            return [_Tell(NoticeKind.REMINDER, image, [event.member_id], producer, event)]
        if event.action == Action.MEMBER_EXPIRED:  # R22: both sides, each told of the other
            to_member = _Tell(NoticeKind.EXPIRED, image, [event.member_id], producer, event)
            return [to_member, _Tell(NoticeKind.EXPIRED, image, [producer], event.member_id, event)]
        if event.action == Action.VISIBILITY_CHANGED and (event.before, event.after) == (
            Visibility.SHARED,
            Visibility.PRIVATE,
        ):
            members = list(image.members.values_list("member_id", flat=True))
            return [_Tell(NoticeKind.MADE_PRIVATE, image, members, producer, event)]
        if event.action in DEPRECATION_NOTICES and image.is_shared:  # R25: every current member
            members = list(image.members.current().values_list("member_id", flat=True))
            return [_Tell(DEPRECATION_NOTICES[event.action], image, members, producer, event)]
        return []  # an image made shared, public or deleted (its members each have their removal's notice), new dates

    @alters_data
    def notify(
        self,
        kind: str,
        image: Image,
        *,
        to: Sequence[int | None] | None,
        about: int | None,
        event: "Event | None" = None,
        report: "ImageReport | None" = None,
    ) -> list["Notice"]:
        """R18: write a notice of `kind` for each active person of the tenants `to` whose role
        is in the kind's AUDIENCE (R27; None: the operators), about the counterparty tenant
        `about`, and enqueue its e-mail if wanted.

        The one way a notice is written: R16's entries come through `for_events`; a report,
        a reminder (R20) or an expiry (R22) calls this directly. Call it inside the change's
        transaction. Nothing is said to anyone beyond what R17 lets them know: a consumer
        hears of the image's owner, a producer of its own members, operators of everything.
        """
        return self._write([_Tell(kind, image, to, about, event, report)])

    def _write(self, tells: list["_Tell"]) -> list["Notice"]:
        """`notify` for many at once: the people of each kind read in one query, every notice
        inserted in one, their e-mail in one task (a row in this transaction: it runs after
        commit, or never)."""
        now = timezone.now()
        audiences: dict[tuple[str, bool], set[int]] = {}
        for told in tells:
            audiences.setdefault((told.kind, told.to is None), set()).update(told.tenants)
        people = {
            (kind, operators): _recipients(kind, None if operators else sorted(tenants))
            for (kind, operators), tenants in audiences.items()
        }
        notices = [
            self.model(
                recipient_id=person,
                kind=told.kind,
                image=told.image,
                image_name=told.image.name or str(told.image.pk),
                counterparty_id=told.about,
                event=told.event,
                report=told.report,
                created_at=now,
                mail_status=MailStatus.QUEUED if mailed else MailStatus.NONE,
                mail_due_at=now if mailed else None,
            )
            for told in tells
            for person, mailed in told.people(people[told.kind, told.to is None])
        ]
        if not notices:
            return []
        self.bulk_create(notices)
        queued = [notice.pk for notice in notices if notice.mail_status == MailStatus.QUEUED]
        if queued:
            send_notice_mail.enqueue(queued)
        return notices

    # Reading: a person's own notices only.

    def for_recipient(self, user: User) -> "NoticeQuerySet":
        """The person's notices, newest first, with what their text and links need (one query)."""
        rows = self.filter(recipient=user).select_related("counterparty", "event")
        return ordered(rows, "created_at", "desc")

    def unread(self) -> "NoticeQuerySet":
        return self.filter(read_at__isnull=True)

    def after(self, marker: "Notice") -> "NoticeQuerySet":
        return rows_after(self, marker, "created_at", "desc")

    @alters_data
    def mark_read(self, user: User, notice_id: object) -> "Notice":
        """The person reads one of its own notices; anyone else's is NotFound, as a missing one."""
        pk = _notice_pk(notice_id)
        notice = None if pk is None else self.for_recipient(user).filter(pk=pk).first()
        if notice is None:
            raise NotFound("No such notice.")
        if notice.read_at is None:
            notice.read_at = timezone.now()
            self.filter(pk=notice.pk, read_at__isnull=True).update(read_at=notice.read_at)
        return notice

    @alters_data
    def mark_all_read(self, user: User) -> int:
        return self.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())

    # Delivery, run by the worker.

    def mail_due(self, now=None) -> "NoticeQuerySet":
        """Mail whose (next) attempt is due, or whose claim lapsed because its worker died."""
        now = now or timezone.now()
        return self.filter(mail_status__in=[MailStatus.QUEUED, MailStatus.SENDING], mail_due_at__lte=now)

    @alters_data
    def deliver(self, notice_id: int) -> str:
        """Send one notice's e-mail if it is due: claim, send, mark sent. Returns what happened."""
        now = timezone.now()
        claimed = (
            self.mail_due(now)
            .filter(pk=notice_id)
            .update(mail_status=MailStatus.SENDING, mail_due_at=now + CLAIM, mail_attempts=F("mail_attempts") + 1)
        )
        if not claimed:
            return "not due"  # sent, being sent elsewhere, or waiting for its retry
        notice = self.select_related("recipient", "counterparty", "event", "image").get(pk=notice_id)
        mine = self.filter(pk=notice.pk, mail_status=MailStatus.SENDING)
        person = notice.recipient
        if not person.email or not person.is_active or MailOptOut.objects.filter(user=person, kind=notice.kind):
            mine.update(mail_status=MailStatus.DROPPED, mail_due_at=None)
            return "dropped"
        try:
            letter(notice).send()
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as error:
            logger.warning("Mail of notice %s refused: %s", notice.pk, error)
            mine.update(mail_status=MailStatus.FAILED, mail_due_at=None, mail_error=str(error)[:500])
            return "refused"
        except Exception as error:  # the server is down or failed: wait, then try again
            retry_at = timezone.now() + notice.backoff()
            logger.warning("Mail of notice %s not sent (%s); next attempt at %s", notice.pk, error, retry_at)
            with transaction.atomic():
                mine.update(mail_status=MailStatus.QUEUED, mail_due_at=retry_at, mail_error=str(error)[:500])
                send_notice_mail.using(run_after=retry_at).enqueue([notice.pk])
            return "retry"
        mine.update(mail_status=MailStatus.SENT, mail_due_at=None, mail_sent_at=timezone.now(), mail_error="")
        return "sent"

    def deliver_due(self) -> int:
        """The sweep: send every message that is due (its task was lost, or the worker was down
        when its retry came); returns how many went."""
        return sum(
            self.deliver(pk) == "sent" for pk in self.mail_due().order_by("mail_due_at").values_list("pk", flat=True)
        )


@dataclass(frozen=True)
class _Tell:
    """One notice to write for each person of the tenants `to` (None: the operators) who hears of `kind`."""

    kind: str
    image: Image
    to: Sequence[int | None] | None
    about: int | None
    event: "Event | None" = None
    report: "ImageReport | None" = None

    @property
    def tenants(self) -> list[int]:
        return [account for account in self.to or [] if account is not None]

    def people(self, found: dict[int | None, list[tuple[int, bool]]]) -> list[tuple[int, bool]]:
        """(person, e-mailed) for this notice, from `_recipients`' answer for its kind."""
        if self.to is None:
            return [person for persons in found.values() for person in persons]
        return [person for account in dict.fromkeys(self.tenants) for person in found.get(account, [])]


def _recipients(kind: str, to: Sequence[int] | None) -> dict[int | None, list[tuple[int, bool]]]:
    """R18, R27: (person, whether to e-mail them), by tenant, for each active person of the
    tenants `to` whose role hears of `kind` (None: the operators), read by hand (`lib/rows.py`
    says why: this read is in every change that concerns the other party)."""
    if to is None:
        who, params = "u.is_staff", []
    else:
        roles = AUDIENCE.get(kind, list(Role.values))
        if not to:
            return {}
        who = f"u.account_id IN ({', '.join(['%s'] * len(to))}) AND u.role IN ({', '.join(['%s'] * len(roles))})"
        params = [*to, *roles]
    found: dict[int | None, list[tuple[int, bool]]] = {}
    for person, account, email, muted in fetch_all(_RECIPIENTS_SQL.format(who=who), [kind, *params]):
        found.setdefault(account, []).append((person, bool(email) and not muted))
    return found


_RECIPIENTS_SQL = """
SELECT u.id, u.account_id, u.email,
       EXISTS (SELECT 1 FROM memberships_mailoptout o WHERE o.user_id = u.id AND o.kind = %s)
  FROM accounts_user u
 WHERE u.is_active AND {who}
"""


def _notice_pk(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


class Notice(models.Model):
    """R18: something that happened which its recipient, a person, should hear of."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=16, choices=NoticeKind.choices)
    image = models.ForeignKey(Image, on_delete=models.PROTECT, related_name="notices")
    image_name = models.CharField(
        max_length=255, help_text="The image's name when it happened: a later rename is not the recipient's to see."
    )
    counterparty = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The other tenant: the producer for a consumer's notice, the member for a producer's.",
    )
    event = models.ForeignKey("memberships.Event", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    report = models.ForeignKey(
        "memberships.ImageReport", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    mail_status = models.CharField(max_length=8, choices=MailStatus.choices, default=MailStatus.NONE, blank=True)
    mail_due_at = models.DateTimeField(
        null=True, blank=True, help_text="When the next attempt is due; while sending, when the claim lapses."
    )
    mail_attempts = models.PositiveIntegerField(default=0)
    mail_sent_at = models.DateTimeField(null=True, blank=True)
    mail_error = models.CharField(max_length=500, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The notices page: "this person's notices, newest first", keyset by (created_at, id).
            models.Index(fields=["recipient", "-created_at", "-id"], name="notice_recipient_recent"),
            # The bell: "how many of this person's notices are unread".
            models.Index(fields=["recipient", "read_at"], name="notice_recipient_unread"),
            # The sweep: "mail waiting whose attempt is due".
            models.Index(
                fields=["mail_due_at"],
                name="notice_mail_due",
                condition=Q(mail_status__in=["queued", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient_id}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def who(self) -> str:
        """The counterparty as R17 lets the recipient know it: its tenant ID and display name."""
        if self.counterparty is None:
            return "A cloud operator"
        return f"Tenant {self.counterparty.tenant_id} ({self.counterparty.name})"

    @property
    def summary(self) -> str:
        answer = ""
        if self.kind == NoticeKind.ANSWER and self.event is not None:
            answer = ANSWERS[MemberStatus(self.event.after)]
            if self.event.is_automatic_answer:  # R24
                answer = f"automatically {answer}"
        text = SUMMARIES[NoticeKind(self.kind)].format(who=self.who, image=self.image_name, answer=answer)
        if self.kind == NoticeKind.OFFER and self.event is not None and self.event.after in AUTOMATIC_OFFERS:
            text += " " + AUTOMATIC_OFFERS[MemberStatus(self.event.after)]  # R24: answered as the consumer's lists say
        return text

    @property
    def next_step(self) -> str:
        return NEXT_STEPS[NoticeKind(self.kind)]

    @property
    def link(self) -> str:
        """The page where the recipient can act on it (a path of the panel, or the admin for operators)."""
        if self.kind in (NoticeKind.OFFER, NoticeKind.REMINDER, NoticeKind.DEPRECATED, NoticeKind.UNDEPRECATED):
            return reverse("images:detail", args=[self.image_id])
        if self.kind in (NoticeKind.ANSWER, NoticeKind.SHARE_APPROVED, NoticeKind.SHARE_REFUSED):
            return reverse("images:detail", args=[self.image_id]) + "#sharing"
        if self.kind == NoticeKind.REPORT and self.report_id is not None:
            return reverse("admin:memberships_imagereport_change", args=[self.report_id])
        return reverse("memberships:history") + "?about=memberships"

    def backoff(self) -> timedelta:
        """How long to wait after a failed attempt: MAIL_RETRY_SECONDS, doubling, at most an hour (never given up)."""
        first = timedelta(seconds=settings.MAIL_RETRY_SECONDS)
        return min(first * 2 ** min(max(self.mail_attempts - 1, 0), 20), LONGEST_WAIT)


@task()
def send_notice_mail(notice_ids: list[int]) -> dict[str, int]:
    """Send the e-mail of these notices (those not sent yet); counts what happened to them."""
    outcomes: dict[str, int] = {}
    for notice_id in notice_ids:
        outcome = Notice.objects.deliver(notice_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


@task()
def send_due_mail() -> int:
    """The periodic sweep: mail whose task was lost, or whose retry is due, goes out."""
    return Notice.objects.deliver_due()
