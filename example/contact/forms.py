"""The contact form."""

from django import forms

from .models import ContactMessage

__all__ = ["ContactForm"]


class ContactForm(forms.ModelForm):
    """Validates and saves a :class:`~contact.models.ContactMessage`."""

    class Meta:
        model = ContactMessage
        fields = ["name", "email", "subject", "message"]
        widgets = {"message": forms.Textarea(attrs={"rows": 6})}

    def clean_subject(self):
        """Collapse whitespace: the subject becomes an email header."""
        return " ".join(self.cleaned_data["subject"].split())
