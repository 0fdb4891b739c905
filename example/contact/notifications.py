"""Tell the staff about a new contact message, by email.

This is the app's only call to an outside service (the mail server). A
failure never loses the message: it is already saved, the failure is logged
with its traceback (and reported to Sentry), and the caller is told.
"""

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage

from .models import ContactMessage

__all__ = ["notify_staff"]

logger = logging.getLogger(__name__)


def notify_staff(message: ContactMessage) -> bool:
    """Email ``message`` to the addresses in the ``CONTACT_RECIPIENTS`` setting.

    Replies go to the visitor (``Reply-To``).

    :returns: ``True`` if the email was sent; ``False`` if no recipient is
        configured or the mail server failed.
    """
    recipients = settings.CONTACT_RECIPIENTS
    if not recipients:
        logger.info("Contact message %s not forwarded: CONTACT_RECIPIENTS is empty", message.pk)
        return False
    email = EmailMessage(
        subject=f"[contact] {message.subject}",
        body=f"From: {message.name} <{message.email}>\n\n{message.message}",
        to=recipients,
        reply_to=[message.email],
    )
    try:
        email.send()
    except (smtplib.SMTPException, OSError):
        logger.exception(
            "Could not email contact message %s to %d recipient(s)", message.pk, len(recipients)
        )
        return False
    logger.info("Contact message %s emailed to %d recipient(s)", message.pk, len(recipients))
    return True
