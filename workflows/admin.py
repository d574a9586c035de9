from django.contrib import admin

from .models import AuditEvent, Notification, WorkdayOverride


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["sequence", "created_at", "actor_label", "action", "object_repr", "from_state", "to_state"]
    search_fields = ["action", "object_repr", "actor_label"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(WorkdayOverride)
admin.site.register(Notification)
