import logging
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.db import DatabaseError

from contact.models import ContactMessage

VALID = {
    "name": "Ada Lovelace",
    "email": "ada@example.test",
    "subject": "Engines\r\nBcc: everyone@example.test",
    "message": "Do you ship analytical engines?",
}


@pytest.fixture
def recipients(settings):
    settings.CONTACT_RECIPIENTS = ["team@example.test"]
    return settings.CONTACT_RECIPIENTS


def test_get_shows_an_empty_form(client):
    response = client.get("/contact/")
    assert response.status_code == 200
    assert not response.context["form"].is_bound
    assert b"csrfmiddlewaretoken" in response.content


@pytest.mark.django_db
def test_valid_message_is_saved_emailed_and_redirected(client, recipients):
    response = client.post("/contact/", VALID, follow=True)
    assert response.redirect_chain == [("/contact/thanks/", 302)]
    assert b"your message has been received" in response.content

    message = ContactMessage.objects.get()
    assert message.notified is True
    # Header injection is neutralised: the subject is one line.
    assert message.subject == "Engines Bcc: everyone@example.test"
    [email] = mail.outbox
    assert email.to == recipients
    assert email.reply_to == ["ada@example.test"]
    assert email.subject == "[contact] Engines Bcc: everyone@example.test"
    assert "Do you ship analytical engines?" in email.body


@pytest.mark.django_db
def test_without_recipients_the_message_is_kept_but_not_forwarded(client, settings, caplog):
    settings.CONTACT_RECIPIENTS = []
    caplog.set_level(logging.INFO, logger="contact")
    response = client.post("/contact/", VALID)
    assert response.status_code == 302
    assert ContactMessage.objects.get().notified is False
    assert mail.outbox == []
    assert "CONTACT_RECIPIENTS is empty" in caplog.text


@pytest.mark.django_db
@pytest.mark.parametrize("error", [smtplib.SMTPServerDisconnected("gone"), TimeoutError("slow")])
def test_mail_server_failure_is_logged_and_the_visitor_still_thanked(
    client, recipients, caplog, error
):
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=error):
        response = client.post("/contact/", VALID)
    assert response.status_code == 302
    message = ContactMessage.objects.get()
    assert message.notified is False
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.name == "contact.notifications"
    assert record.getMessage() == f"Could not email contact message {message.pk} to 1 recipient(s)"
    assert record.exc_info[1] is error


@pytest.mark.django_db
def test_invalid_form_is_shown_again_with_errors(client, caplog):
    caplog.set_level(logging.INFO, logger="contact")
    response = client.post("/contact/", {**VALID, "email": "not-an-email", "message": ""})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"email", "message"}
    assert ContactMessage.objects.count() == 0
    assert "invalid fields: email, message" in caplog.text


def test_database_failure_keeps_what_the_visitor_typed(client, caplog):
    with mock.patch("contact.forms.ContactForm.save", side_effect=DatabaseError("read-only")):
        response = client.post("/contact/", VALID)
    assert response.status_code == 503
    form = response.context["form"]
    assert form.data["message"] == VALID["message"]
    assert "could not be saved" in form.non_field_errors()[0]
    assert "Could not save a contact message" in caplog.text


def test_thanks_page(client):
    response = client.get("/contact/thanks/")
    assert response.status_code == 200
    assert b"Thank you" in response.content
