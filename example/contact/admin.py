from django.contrib import admin

from .models import ContactMessage


@admin.register(ContactMessage)
class ContactMessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "name", "email", "created_at", "notified"]
    list_filter = ["notified"]
    search_fields = ["subject", "name", "email", "message"]
    date_hierarchy = "created_at"
    # Messages come from visitors; staff read them, they do not write them.
    readonly_fields = ["name", "email", "subject", "message", "created_at", "notified"]

    def has_add_permission(self, request):
        return False
