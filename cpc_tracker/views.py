"""Error pages. The 400, 404 and 500 pages never need the database, so they render when it is down,
and the 400 page renders for a request Django refused before routing it (a Host not in ALLOWED_HOSTS):
none of them runs context processors or asks the request for its host."""

from django.http import HttpResponseBadRequest, HttpResponseForbidden, HttpResponseNotFound, HttpResponseServerError
from django.shortcuts import render
from django.template.loader import get_template
from django.views.decorators.csrf import requires_csrf_token


@requires_csrf_token
def bad_request(request, exception):
    return HttpResponseBadRequest(get_template("400.html").render({"request": request}))


@requires_csrf_token
def page_not_found(request, exception):
    return HttpResponseNotFound(get_template("404.html").render({"request": request}))


@requires_csrf_token
def server_error(request):
    return HttpResponseServerError(get_template("500.html").render({"request": request}))


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form came back without a valid token (the page was open too long, the user
    signed in or out in another tab, or cookies are blocked). Rendered with the request's context, so
    the page carries a new token and the header shows who is signed in. Django logs the reason."""
    return render(request, "403_csrf.html", status=HttpResponseForbidden.status_code)
