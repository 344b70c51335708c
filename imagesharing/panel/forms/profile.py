"""Django's password reset form, its mail handed to the worker instead of sent in the request."""

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.template.loader import render_to_string

from imagesharing.accounts.mail import send_prepared_mail


class QueuedPasswordResetForm(PasswordResetForm):
    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        """The message as Django writes it, with links to PANEL_URL, sent by the worker."""
        context = {**context, "panel_url": settings.PANEL_URL}
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        send_prepared_mail.enqueue(subject, body, [to_email])
