"""A person's own notifications (included in the recommendations namespace)."""

from django.urls import path

from . import notification_views

urlpatterns = [
    path("notifications/", notification_views.NotificationListView.as_view(), name="notification-list"),
    path("notifications/<int:pk>/", notification_views.NotificationOpenView.as_view(), name="notification-open"),
    path("notifications/read/", notification_views.MarkAllReadView.as_view(), name="notification-mark-all-read"),
    path(
        "notifications/settings/",
        notification_views.NotificationSettingsView.as_view(),
        name="notification-settings",
    ),
]
