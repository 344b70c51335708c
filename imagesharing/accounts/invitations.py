"""R27: a tenant admin invites a person by e-mail with a role. The link is single use and expires
after INVITATION_DAYS; it lets the person choose a username and password and join the tenant.

The link is a signed value (the invitation's ID and a random nonce kept in its row), so only the
signing key makes one and the database holds nothing that opens it alone. The mail is a task
enqueued in the invitation's transaction and sent by the worker, as R18's notices are: no
request waits for a mail server. The task carries only the invitation's ID.
"""

import hmac
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from imagesharing.accounts.models import Account, PersonChange, User
from imagesharing.choices import Role
from imagesharing.errors import InvalidState, InvalidValue, NotFound
from imagesharing.lib.decorators import alters_data

logger = logging.getLogger(__name__)

SALT = "imagesharing.accounts.invitation"
BAD_LINK = "This invitation link is not valid."


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def open(self) -> "InvitationQuerySet":
        """Not used yet and not expired."""
        return self.filter(accepted_at__isnull=True, expires_at__gt=timezone.now())

    @alters_data
    def invite(self, by: User, email: str, role: str) -> "Invitation":
        """R27: a tenant admin invites `email` to its tenant with `role`; the mail goes out after commit."""
        by.require_role(Role.ADMIN, "invite people")
        if by.account is None:
            raise InvalidValue("This login belongs to no tenant.")
        email = (email or "").strip()
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidValue("Enter a valid e-mail address.") from None
        if role not in Role.values:
            raise InvalidValue(f"A role is one of {', '.join(Role.values)}.")
        with transaction.atomic():
            invitation = self.create(
                account=by.account,
                email=email,
                role=role,
                invited_by=by,
                nonce=secrets.token_urlsafe(16),
                expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
            )
            PersonChange.objects.record(
                by, None, PersonChange.Action.INVITED, "", f"{email} as {role}", account=by.account
            )
            send_invitation_mail.enqueue(invitation.pk)  # a row in this transaction: it runs after commit, or never
        return invitation

    def get_by_token(self, token: str) -> "Invitation":
        """The invitation a link names, whether or not it can still be used; NotFound for a bad link."""
        try:
            pk, nonce = signing.Signer(salt=SALT).unsign(token).split(":", 1)
        except (signing.BadSignature, ValueError):
            raise NotFound(BAD_LINK) from None
        invitation = self.select_related("account").filter(pk=pk).first() if pk.isdecimal() else None
        if invitation is None or not hmac.compare_digest(invitation.nonce, nonce):
            raise NotFound(BAD_LINK)
        return invitation

    @alters_data
    def accept(self, token: str, username: str, password: str) -> User:
        """R27: the invited person joins with the username and password it chose; once, before the link expires."""
        found = self.get_by_token(token)
        with transaction.atomic():
            invitation = self.select_for_update().select_related("account").get(pk=found.pk)
            invitation.require_open()
            username = (username or "").strip()
            person = User(username=username, email=invitation.email, account=invitation.account, role=invitation.role)
            try:
                person.full_clean(exclude=["password"], validate_unique=False)
                password_validation.validate_password(password, person)
            except ValidationError as error:
                raise InvalidValue(" ".join(error.messages)) from None
            if User.objects.filter(username__iexact=username).exists():
                raise InvalidValue("That username is taken: choose another.")
            person.set_password(password)
            try:
                with transaction.atomic():
                    person.save()
            except IntegrityError:  # the same username taken at the same moment by someone else
                raise InvalidValue("That username is taken: choose another.") from None
            invitation.accepted_at = timezone.now()
            invitation.accepted_by = person
            invitation.save(update_fields=["accepted_at", "accepted_by"])
            PersonChange.objects.record(person, person, PersonChange.Action.JOINED, "", invitation.role)
        return person


class Invitation(models.Model):
    """An invitation to join a tenant with a role (R27)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=8, choices=Role.choices)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    nonce = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    mailed_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.email} as {self.role}"

    @property
    def token(self) -> str:
        return signing.Signer(salt=SALT).sign(f"{self.pk}:{self.nonce}")

    @property
    def link(self) -> str:
        return settings.PANEL_URL + reverse("accounts:invitation", args=[self.token])

    def require_open(self) -> None:
        """Single use, and only until it expires."""
        if self.accepted_at is not None:
            raise InvalidState("This invitation has been used already. Sign in, or ask your admin for a new one.")
        if self.expires_at <= timezone.now():
            raise InvalidState("This invitation has expired. Ask your tenant's admin for a new one.")

    def letter(self) -> EmailMultiAlternatives:
        context = {"invitation": self, "link": self.link, "tenant": self.account, "days": settings.INVITATION_DAYS}
        message = EmailMultiAlternatives(
            subject=f"[Cloud Images] You are invited to tenant {self.account.tenant_id} ({self.account.name})",
            body=render_to_string("accounts/invitation_email.txt", context),
            to=[self.email],
            headers={"Auto-Submitted": "auto-generated"},
        )
        message.attach_alternative(render_to_string("accounts/invitation_email.html", context), "text/html")
        return message


@task()
def send_invitation_mail(invitation_id: int, attempt: int = 1) -> str:
    """Send an open invitation's mail; a failure is tried again later (MAIL_RETRY_SECONDS, doubling)."""
    invitation = Invitation.objects.open().select_related("account").filter(pk=invitation_id).first()
    if invitation is None:
        return "closed"
    try:
        invitation.letter().send()
    except Exception as error:  # the server is down or failed: wait, then try again while it is open
        wait = timedelta(seconds=settings.MAIL_RETRY_SECONDS * 2 ** min(attempt - 1, 7))
        logger.warning("Invitation %s not mailed (%s); next attempt in %s", invitation_id, error, wait)
        send_invitation_mail.using(run_after=timezone.now() + wait).enqueue(invitation_id, attempt + 1)
        return "retry"
    Invitation.objects.filter(pk=invitation_id).update(mailed_at=timezone.now())
    return "sent"
