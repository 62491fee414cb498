"""What every page's header needs to know: the signed-in user's unread notifications."""

from django.utils.functional import SimpleLazyObject

from .notifications import unread_count


def notifications(request):
    """`unread_notifications`: how many of the signed-in user's notifications are unread. Nothing
    is asked of the database until a page shows it; then one query, once per request, and none
    for someone not signed in."""

    def count():
        if not hasattr(request, "_unread_notifications"):
            user = getattr(request, "user", None)
            request._unread_notifications = unread_count(user) if user is not None else 0
        return request._unread_notifications

    return {"unread_notifications": SimpleLazyObject(count)}
