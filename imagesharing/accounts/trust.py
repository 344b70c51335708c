"""R24: a consumer's trusted and blocked producers, whose offers are answered automatically.

A producer is named by its tenant ID as the consumer typed it: a number, not a key to
`Account`. No tenant is looked up, so an ID that names nobody is kept silently and simply
never matches, and the page tells nothing of which tenants exist (R17).
"""

from django.db import IntegrityError, models, transaction

from imagesharing.accounts.models import Account, User, kept_tenant_id
from imagesharing.choices import MemberStatus, Role
from imagesharing.errors import InvalidValue, NotPermitted, QuotaExceeded
from imagesharing.lib.decorators import alters_data

# A consumer's lists are its own settings, not a directory: a bound keeps the page one page.
PRODUCER_RULES_PER_TENANT = 1000

# What the history says of an automatic answer (R16), by the answer given.
AUTOMATIC_NOTES = {
    MemberStatus.ACCEPTED: "automatic: a trusted producer",
    MemberStatus.REJECTED: "automatic: a blocked producer",
}


# R24 as one SQL expression, so that a read an offer makes anyway can carry it (`Image._membership_facts`):
# the automatic answer of the consumer `{consumer}` (an account ID column of the enclosing query) to the
# producer whose account ID is the expression's one parameter; NULL when its lists name it in neither.
AUTOMATIC_ANSWER_SQL = """(SELECT r.answer FROM accounts_producerrule r
          JOIN accounts_account p ON p.tenant_id = r.tenant_id
         WHERE r.consumer_id = {consumer} AND p.id = %s)"""


def clean_answer(answer: object) -> str:
    """The automatic answer of a list: `accepted` (trusted producers) or `rejected` (blocked)."""
    if answer not in AUTOMATIC_NOTES:
        raise InvalidValue("A producer is either trusted (accepted) or blocked (rejected).")
    return str(answer)


class ProducerRuleQuerySet(models.QuerySet["ProducerRule"]):
    def of(self, consumer: Account) -> "ProducerRuleQuerySet":
        """R24: a consumer's own lists, and nobody else's, by tenant ID."""
        return self.filter(consumer=consumer).order_by("tenant_id")

    @alters_data
    def set_answer(self, user: User, tenant_id: object, answer: object) -> int:
        """R24: trust (`accepted`) or block (`rejected`) a producer's tenant ID; R27: not a reader.

        A producer is in one list at most: naming it in the other moves it there. Returns
        the tenant ID as stored. Offers already made keep their answers.
        """
        user.require_role(Role.MEMBER, "change trusted producers")
        consumer = _consumer_of(user)
        number = kept_tenant_id(tenant_id)
        answer = clean_answer(answer)
        mine = self.of(consumer).filter(tenant_id=number)
        with transaction.atomic():
            if mine.update(answer=answer):
                return number
            if self.of(consumer).count() >= PRODUCER_RULES_PER_TENANT:
                raise QuotaExceeded(
                    f"Your lists name {PRODUCER_RULES_PER_TENANT} producers, the most allowed: remove one first."
                )
            try:
                with transaction.atomic():
                    self.create(consumer=consumer, tenant_id=number, answer=answer)
            except IntegrityError:  # the same ID named at the same moment: this later answer wins
                mine.update(answer=answer)
        return number

    @alters_data
    def forget(self, user: User, tenant_id: object) -> int:
        """R24: take a producer's tenant ID off either list (R27: not a reader); returns the ID.
        Its next offers wait for an answer again; offers already answered keep their answers."""
        user.require_role(Role.MEMBER, "change trusted producers")
        number = kept_tenant_id(tenant_id)
        self.of(_consumer_of(user)).filter(tenant_id=number).delete()
        return number


def _consumer_of(user: User) -> Account:
    if user.account is None:
        raise NotPermitted("This login does not belong to a tenant.")
    return user.account


class ProducerRule(models.Model):
    """R24: a consumer answers every offer of one producer tenant ID automatically.

    `accepted`: a trusted producer; `rejected`: a blocked one. The tenant ID is a number,
    not a key to `Account` (R17: nothing here says whether that tenant exists).
    """

    consumer = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    tenant_id = models.PositiveBigIntegerField(verbose_name="producer tenant ID")
    answer = models.CharField(
        max_length=8,
        choices=[(MemberStatus.ACCEPTED, "trusted: accepted"), (MemberStatus.REJECTED, "blocked: rejected")],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProducerRuleQuerySet.as_manager()

    class Meta:
        constraints = [
            # One answer per (consumer, producer ID); its index also serves the page and an offer's lookup.
            models.UniqueConstraint(fields=["consumer", "tenant_id"], name="unique_producer_rule"),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}: {self.answer}"

    @property
    def is_trusted(self) -> bool:
        return self.answer == MemberStatus.ACCEPTED
