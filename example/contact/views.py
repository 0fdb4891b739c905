"""The contact form and its thank-you page."""

import logging

from django.contrib import messages
from django.db import DatabaseError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from .forms import ContactForm
from .notifications import notify_staff

__all__ = ["contact", "thanks"]

logger = logging.getLogger(__name__)


@require_http_methods(["GET", "HEAD", "POST"])
def contact(request):
    """Show the contact form; on a valid POST save the message and notify the staff.

    Redirects to :func:`thanks` once the message is saved, even if the staff
    email could not be sent. If the database fails, the form is shown again
    with an error and status 503 so that nothing the visitor typed is lost.
    """
    if request.method != "POST":
        return render(request, "contact/contact_form.html", {"form": ContactForm()})

    form = ContactForm(request.POST)
    if not form.is_valid():
        logger.info("Contact form rejected; invalid fields: %s", ", ".join(sorted(form.errors)))
        return render(request, "contact/contact_form.html", {"form": form}, status=400)

    try:
        message = form.save()
    except DatabaseError:
        logger.exception("Could not save a contact message")
        form.add_error(None, "Sorry, your message could not be saved. Please try again later.")
        return render(request, "contact/contact_form.html", {"form": form}, status=503)
    logger.info("Contact message %s saved", message.pk)

    if notify_staff(message):
        message.notified = True
        message.save(update_fields=["notified"])
    messages.success(request, "Thank you, your message has been received.")
    return redirect("contact:thanks")


@require_safe
def thanks(request):
    """Confirm that the message was received."""
    return render(request, "contact/thanks.html")
