"""The address of the person making a request, for the sign-in lockout (django-axes) and anything
else that needs it: one function, honouring TRUSTED_PROXY_COUNT.

- ``TRUSTED_PROXY_COUNT = 0`` (the default): the app is reached directly, so the address is the
  connection's own (``REMOTE_ADDR``). An ``X-Forwarded-For`` header is anyone's to write and is ignored.
- ``TRUSTED_PROXY_COUNT = N``: the app sits behind N proxies of your own (a load balancer, a
  reverse proxy), each appending the address it was reached from to ``X-Forwarded-For``. The
  client's address is the Nth from the right: whatever stands left of it was sent by the client
  and may be forged, so it is never read. A header with fewer than N addresses, or an entry that
  is not an IP address, means the request did not come through the proxies as configured: the
  connection's own address is used.

Set N to the number of proxies exactly, and let nothing reach the app except through them: with
N too large, a client could choose its own address.
"""

import ipaddress

from django.conf import settings


def forwarded_addresses(request):
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return [part.strip() for part in header.split(",") if part.strip()]


def client_address(request):
    """The client's IP address as a string (``AXES_CLIENT_IP_CALLABLE``), or None if unknown."""
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = forwarded_addresses(request)
    if len(forwarded) < count:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote
