from contact.models import ContactMessage


def test_messages_are_read_only_in_the_admin(admin_client):
    message = ContactMessage.objects.create(
        name="Ada", email="ada@example.test", subject="Hello", message="Hi there"
    )
    assert str(message) == "Hello (Ada)"
    assert admin_client.get("/admin/contact/contactmessage/").status_code == 200
    assert admin_client.get("/admin/contact/contactmessage/add/").status_code == 403
    change = admin_client.get(f"/admin/contact/contactmessage/{message.pk}/change/")
    assert change.status_code == 200
    assert "subject" not in change.context["adminform"].form.fields
