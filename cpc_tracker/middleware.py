"""Site-wide middleware: a request id and one log line per request; security headers Django and
django-csp do not set.

`RequestLogMiddleware` goes first in MIDDLEWARE, so it times everything and every line logged while
the request is served (Django's own included) carries its id. `SecurityHeadersMiddleware` goes
after `SecurityMiddleware`; it reads `request.user` only where `AuthenticationMiddleware` has set it.
"""

import logging
import re
import time
import uuid

import sentry_sdk
from django.conf import settings

from .logging import request_id as current_request_id
from .logging import secret_free_path

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id (from the council's load balancer or proxy) is kept only if it is short and plain,
# so it cannot forge or break a log line; anything else is replaced by a new uuid4.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")

request_logger = logging.getLogger("cpc_tracker.requests")


def _incoming_request_id(request):
    value = request.headers.get(REQUEST_ID_HEADER, "")
    return value if SAFE_REQUEST_ID.fullmatch(value) else uuid.uuid4().hex


def _signed_in_user_id(request):
    """The user's id if `AuthenticationMiddleware` ran and they are signed in; never their name or e-mail."""
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


class RequestLogMiddleware:
    """Gives each request an id (`X-Request-ID`: a safe incoming one, or a new uuid4), echoes it in the
    response, and logs one line when the response is ready: method, path (never the query string),
    status, duration in ms, request id and the signed-in user's id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request.id = _incoming_request_id(request)
        token = current_request_id.set(request.id)
        sentry_sdk.set_tag("request_id", request.id)  # a no-op unless SENTRY_DSN is set
        try:
            response = self.get_response(request)
            path = secret_free_path(request.path, getattr(request, "resolver_match", None))
            response[REQUEST_ID_HEADER] = request.id
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            request_logger.info(
                "%s %s %s in %s ms",
                request.method,
                path,
                response.status_code,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    "request_id": request.id,
                    "user_id": _signed_in_user_id(request),
                },
            )
            return response
        finally:
            current_request_id.reset(token)


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response (settings.PERMISSIONS_POLICY); `Cache-Control: private,
    no-store` on every response to a signed-in user (their pages, and staff downloads: plan exports,
    draft report PDFs), unless the view set Cache-Control itself. Responses to the public are left
    as they are."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = ", ".join(
            f"{feature}=({' '.join(allowed)})" for feature, allowed in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.permissions_policy:
            response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        if "Cache-Control" not in response and _signed_in_user_id(request) is not None:
            response["Cache-Control"] = "private, no-store"
        return response
