"""Mail made in a request and sent by the worker (R27's password reset), as R18's notices and
R27's invitations are: the task is a row of this database, so no request waits for a mail server."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def send_prepared_mail(subject: str, body: str, to: list[str], html: str = "", attempt: int = 1) -> str:
    """Send a message already written; a failure is tried again later (MAIL_RETRY_SECONDS, doubling)."""
    message = EmailMultiAlternatives(subject, body, to=to, headers={"Auto-Submitted": "auto-generated"})
    if html:
        message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception as error:  # the server is down or failed: wait, then try again
        wait = timedelta(seconds=settings.MAIL_RETRY_SECONDS * 2 ** min(attempt - 1, 7))
        logger.warning("Mail %r not sent (%s); next attempt in %s", subject, error, wait)
        send_prepared_mail.using(run_after=timezone.now() + wait).enqueue(subject, body, to, html, attempt + 1)
        return "retry"
    return "sent"
