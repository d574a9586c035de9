from django.urls import path

from . import health, views, views_standins

app_name = "workflows"

urlpatterns = [
    path("healthz/", health.healthz, name="healthz"),
    path("viec-cho-xu-ly/", views.inbox, name="inbox"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/export.<slug:fmt>", views.audit_export, name="audit_export"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/override/<int:pk>/delete/", views.calendar_override_delete, name="calendar_override_delete"),
    path("stand-ins/", views_standins.standin_list, name="standin_list"),
    path("stand-ins/<int:pk>/cancel/", views_standins.standin_cancel, name="standin_cancel"),
]
