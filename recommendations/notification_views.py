"""A person's own notifications: the list, opening one, marking all read, and which are e-mailed.

Every page is the signed-in user's own: someone else's notification is not found (404), whoever asks.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import FormView, ListView

from cpc_tracker.mixins import BreadcrumbsMixin

from . import notifications
from .notification_forms import NotificationSettingsForm


def _remember_unread(request, count):
    """Share the unread count with the header (recommendations.context_processors), saving it a query."""
    request._unread_notifications = count


class NotificationListView(LoginRequiredMixin, ListView):
    """The user's notifications, newest first; unread ones are tagged New."""

    template_name = "recommendations/notifications/notification_list.html"
    context_object_name = "notifications"
    paginate_by = 25

    def get_queryset(self):
        return notifications.notifications_of(self.request.user).only(
            "pk", "recipient_id", "subject", "body", "url", "created_at", "read_at"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unread = notifications.unread_count(self.request.user)
        _remember_unread(self.request, unread)
        return context | {"unread": unread}


class NotificationOpenView(LoginRequiredMixin, View):
    """Open one of the user's notifications: it is marked read, and they go to the page it is about."""

    def get(self, request, pk):
        notification = get_object_or_404(
            notifications.notifications_of(request.user).only("pk", "url", "read_at"), pk=pk
        )
        notifications.mark_read(notification)
        url = notification.url
        if not url or not url_has_allowed_host_and_scheme(url, allowed_hosts=None):  # a path on this site only
            url = reverse("recommendations:notification-list")
        return redirect(url)


class MarkAllReadView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        count = notifications.mark_all_read(request.user)
        if count:
            messages.success(request, f"{count} notification{'' if count == 1 else 's'} marked as read")
        else:
            messages.info(request, "You had no unread notifications")
        return redirect("recommendations:notification-list")


class NotificationSettingsView(LoginRequiredMixin, BreadcrumbsMixin, FormView):
    """Which kinds of notification are e-mailed to the user; the list in the app always has them all."""

    form_class = NotificationSettingsForm
    template_name = "recommendations/notifications/notification_settings.html"

    def get_initial(self):
        return {"emailed": notifications.emailed_kinds(self.request.user)}

    def get_breadcrumbs(self):
        return [("Notifications", reverse("recommendations:notification-list")), ("Notification settings", None)]

    def form_valid(self, form):
        notifications.set_emailed_kinds(user=self.request.user, kinds=form.cleaned_data["emailed"])
        messages.success(self.request, "Notification settings saved")
        return redirect("recommendations:notification-list")
