"""Error pages that never need the database, so they render when it is down."""

from django.template.loader import get_template
from django.http import HttpResponseNotFound, HttpResponseServerError
from django.views.decorators.csrf import requires_csrf_token


@requires_csrf_token
def page_not_found(request, exception):
    return HttpResponseNotFound(get_template("404.html").render({"request": request}))


@requires_csrf_token
def server_error(request):
    return HttpResponseServerError(get_template("500.html").render({"request": request}))
