"""R16: the history both sides write. Entries are made by `Image.record`, in the change's transaction,
and each gives the other party its notice there (R18)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from imagesharing.accounts.models import Account
from imagesharing.choices import Action
from imagesharing.images.models import Image
from imagesharing.memberships.notices import Notice


class EventQuerySet(models.QuerySet["Event"]):
    def visible_to(self, account: Account) -> "EventQuerySet":
        """R16: an owner sees its images' history; a consumer its own memberships' history."""
        return self.filter(Q(image__owner=account) | Q(member=account))

    def write(self, entries: list["Event"]) -> list["Event"]:
        """R16 and R18: save history entries and the notices they give, in the caller's transaction.

        The one way entries are written (`Image.record`, `Image.destroy`), so no change that
        is recorded can forget to tell the other party.
        """
        if len(entries) == 1:
            entries[0].save()
        else:
            self.bulk_create(entries)
        Notice.objects.for_events(entries)
        return entries


class Event(models.Model):
    """R16: who did what to an image or a membership, when, before and after. Never edited."""

    image = models.ForeignKey(Image, on_delete=models.PROTECT, related_name="events")
    member = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="member_events",
        help_text="The consumer tenant concerned, for member events.",
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    actor_account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The tenant the actor acted for; empty for an operator without a tenant.",
    )
    by_operator = models.BooleanField(default=False)
    action = models.CharField(max_length=16, choices=Action.choices)
    before = models.CharField(max_length=16, blank=True)
    after = models.CharField(max_length=16, blank=True)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "history entry"
        verbose_name_plural = "history"
        indexes = [
            # R16 owner view: "the history of image X, newest first".
            models.Index(fields=["image", "-created_at"], name="event_image_recent"),
            # R16 consumer view: "the history of tenant T's memberships, newest first".
            models.Index(fields=["member", "-created_at"], name="event_member_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} on {self.image_id}"

    @property
    def is_automatic_answer(self) -> bool:
        """R24: an answer the consumer's trusted or blocked producers gave, by no person."""
        automatic = self.actor_id is None and self.actor_account_id is None and not self.by_operator
        return automatic and self.action == Action.MEMBER_STATUS_CHANGED
