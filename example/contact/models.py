"""Messages left through the contact form."""

from django.db import models

__all__ = ["ContactMessage"]


class ContactMessage(models.Model):
    """A message from a visitor, kept whether or not staff could be notified."""

    name = models.CharField(max_length=100)
    email = models.EmailField()
    subject = models.CharField(max_length=200)
    message = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)
    notified = models.BooleanField(
        default=False, help_text="Whether the staff notification email was sent."
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.subject} ({self.name})"
