"""Failed sign-ins, slowed two ways (django-axes, with this handler as AXES_HANDLER):

- **Per username and address:** AXES_FAILURE_LIMIT (5) wrong passwords for one username from one
  address lock that username *from that address* for AXES_COOLOFF_TIME. The person, signing in
  from their own address, is not locked out by someone guessing elsewhere.
- **Per address, across usernames:** SIGN_IN_ADDRESS_FAILURE_LIMIT (30) failures from one address,
  whatever the usernames, refuse every sign-in from that address until AXES_COOLOFF_TIME has passed
  since its latest failure. Trying one password against many usernames (password spraying) is slowed.

Axes compares one failure count with one limit, so the second rule is added here: the address's
failures are the sum over its attempt records (one per username) newer than the cool-off.
The address is the client's, read by cpc_tracker.client_address (TRUSTED_PROXY_COUNT).
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum


class SignInThrottle(AxesDatabaseHandler):
    def address_failures(self, request):
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def is_address_throttled(self, request):
        return (
            request.axes_ip_address is not None
            and self.address_failures(request) >= settings.SIGN_IN_ADDRESS_FAILURE_LIMIT
        )

    def is_locked(self, request, credentials=None):
        return super().is_locked(request, credentials) or self.is_address_throttled(request)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or request.axes_locked_out or self.is_whitelisted(request, credentials):
            return
        if self.is_address_throttled(request):  # this failure was the address's last allowed one
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )
