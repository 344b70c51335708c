"""R18's e-mail: one message per notice, plain text and HTML, and its one-click unsubscribe link."""

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from imagesharing.choices import NoticeKind
from imagesharing.errors import NotFound

if TYPE_CHECKING:  # types only: notices sits above this module
    from imagesharing.memberships.notices import Notice

UNSUBSCRIBE_SALT = "imagesharing.notices.unsubscribe"
BAD_LINK = "This unsubscribe link is not valid."


def unsubscribe_token(user_id: int, kind: str) -> str:
    """Names a person and a kind of notice; only the signing key makes one, and it does not expire
    (RFC 8058: the link in an old message must still work)."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object([user_id, kind])


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    try:
        user_id, kind = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        raise NotFound(BAD_LINK) from None
    if not isinstance(user_id, int) or kind not in NoticeKind.values:
        raise NotFound(BAD_LINK)
    return user_id, kind


def absolute(path: str) -> str:
    """A link for a message: the panel's address from outside (PANEL_URL) and a path."""
    return settings.PANEL_URL + path


def message_id(notice: "Notice") -> str:
    """The same for every attempt at one notice's message, so that a resend after a crash is one message."""
    host = urlsplit(settings.PANEL_URL).hostname or "localhost"
    return f"<notice-{notice.pk}@{host}>"


def producer_note(notice: "Notice") -> str:
    """R19: the producer's note, in a message about an offer to that offer's consumer only; read
    when the message is written, so it is the note as it stands (none once the offer is gone)."""
    if notice.kind not in (NoticeKind.OFFER, NoticeKind.REMINDER) or notice.recipient.account_id is None:
        return ""
    offer = notice.image.members.filter(member_id=notice.recipient.account_id)  # Image.members: no import upwards
    return offer.values_list("note", flat=True).first() or ""


def letter(notice: "Notice") -> EmailMultiAlternatives:
    """The message of a notice to its recipient."""
    unsubscribe = absolute(reverse("notices:unsubscribe", args=[unsubscribe_token(notice.recipient_id, notice.kind)]))
    counterparty = notice.counterparty
    context = {
        "notice": notice,
        "summary": notice.summary,
        "next_step": notice.next_step,
        "image_name": notice.image_name,
        "image_id": notice.image_id,
        "region": notice.image.region_id,
        "counterparty_tenant_id": counterparty.tenant_id if counterparty else None,
        "counterparty_name": counterparty.name if counterparty else "",
        "producer_note": producer_note(notice),
        "action_url": absolute(notice.link),
        "preferences_url": absolute(reverse("notices:preferences")),
        "unsubscribe_url": unsubscribe,
        "kind_label": notice.get_kind_display(),
    }
    message = EmailMultiAlternatives(
        subject="[Cloud Images] " + " ".join(notice.summary.split()),  # no line breaks in a header
        body=render_to_string("notices/email.txt", context),
        to=[notice.recipient.email],
        headers={
            "Message-ID": message_id(notice),
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(render_to_string("notices/email.html", context), "text/html")
    return message
