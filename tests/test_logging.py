"""Structured logs (cpc_tracker/logging.py, cpc_tracker/middleware.py) and Sentry (settings): one
JSON line per request with its id and the user's id and no personal data; Django's own lines in
JSON, with the request id; Sentry only when SENTRY_DSN is set, and without personal data."""

import json
import logging
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from django.urls import reverse

from cpc_tracker.logging import JsonFormatter, sentry_before_send

ROOT = Path(__file__).resolve().parent.parent
REQUEST_LOGGER = "cpc_tracker.requests"


def json_lines(caplog, logger=None):
    formatter = JsonFormatter()
    return [json.loads(formatter.format(record)) for record in caplog.records if logger in (None, record.name)]


@pytest.mark.django_db
def test_a_request_logs_one_json_line_with_its_id_and_the_user_id_and_no_personal_data(client, officer, caplog):
    officer.email = "olivia.officer@anytown.gov.uk"
    officer.save()
    client.force_login(officer)
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)

    response = client.get(reverse("recommendations:my-actions"), {"lead": "olivia.officer@anytown.gov.uk"})

    [line] = json_lines(caplog, REQUEST_LOGGER)
    assert line["method"] == "GET"
    assert line["path"] == reverse("recommendations:my-actions")
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["request_id"] == response["X-Request-ID"]
    assert uuid.UUID(hex=line["request_id"])
    assert line["user_id"] == officer.pk
    assert line["level"] == "INFO" and line["logger"] == REQUEST_LOGGER and line["time"].endswith("+00:00")
    text = json.dumps(line)
    for personal in ("olivia", "Olivia", "anytown.gov.uk", "lead=", "?"):
        assert personal not in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("recommendations:invitation-accept", {"token": "s3cret-invitation-token"}),
        ("password_reset_confirm", {"uidb64": "MTIzNDU", "token": "s3cret-reset-token"}),
    ],
)
def test_secret_links_are_logged_without_their_secrets(client, caplog, name, kwargs):
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)

    client.get(reverse(name, kwargs=kwargs))

    [line] = json_lines(caplog, REQUEST_LOGGER)
    assert "[redacted]" in line["path"]
    for secret in kwargs.values():
        assert secret not in json.dumps(line)


@pytest.mark.django_db
def test_djangos_own_lines_about_a_secret_link_are_redacted_too(caplog):
    from django.test import Client

    from cpc_tracker.logging import RedactSecretLinks

    caplog.set_level(logging.WARNING, logger="django.security.csrf")
    caplog.handler.addFilter(RedactSecretLinks())
    token = "s3cret-invitation-token"

    Client(enforce_csrf_checks=True).post(reverse("recommendations:invitation-accept", kwargs={"token": token}))

    [line] = [record.getMessage() for record in caplog.records if record.name == "django.security.csrf"]
    assert "/invitations/[redacted]/" in line and token not in line


def test_sentry_events_lose_secret_tokens_in_their_url():
    event = {"request": {"url": "https://cpc.example.gov.uk/reset-password/MTIzNDU/s3cret-reset-token/"}}

    url = sentry_before_send(event, {})["request"]["url"]

    assert url == "https://cpc.example.gov.uk/reset-password/[redacted]/[redacted]/"


@pytest.mark.django_db
def test_an_anonymous_request_logs_no_user(client, caplog):
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)

    client.get(reverse("home"))

    [line] = json_lines(caplog, REQUEST_LOGGER)
    assert line["user_id"] is None
    assert line["status"] == 200


def test_a_plain_incoming_request_id_is_kept_and_anything_else_replaced(client, caplog):
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)

    kept = client.get(reverse("healthz"), HTTP_X_REQUEST_ID="lb-7f3a9c.01_x")
    forged = client.get(reverse("healthz"), HTTP_X_REQUEST_ID='x" "user_id": 1')
    too_long = client.get(reverse("healthz"), HTTP_X_REQUEST_ID="a" * 101)

    assert kept["X-Request-ID"] == "lb-7f3a9c.01_x"
    for response in (forged, too_long):
        assert uuid.UUID(hex=response["X-Request-ID"])
    assert [line["request_id"] for line in json_lines(caplog, REQUEST_LOGGER)] == [
        "lb-7f3a9c.01_x",
        forged["X-Request-ID"],
        too_long["X-Request-ID"],
    ]


def test_a_logged_exception_is_one_line_with_its_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("cpc_tracker").makeRecord(
            "cpc_tracker", logging.ERROR, __file__, 1, "failed: %s", ("step",), sys.exc_info()
        )

    formatted = JsonFormatter().format(record)

    assert "\n" not in formatted
    line = json.loads(formatted)
    assert line["message"] == "failed: step"
    assert "ValueError: boom" in line["exception"]
    assert "request_id" not in line  # logged outside a request


# The configured logging and Sentry, as a server process starts them ----------------------------------


def run_django(code, **env):
    """Run `code` in a new Python process with the real settings (not the tests'), DEBUG off."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DEBUG", "SECRET_KEY", "SENTRY_DSN", "LOG_FORMAT", "DJANGO_SETTINGS_MODULE")
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="cpc_tracker.settings",
        DEBUG="false",
        SECRET_KEY="x" * 60,
        SECURE_SSL_REDIRECT="false",
        ALLOWED_HOSTS="testserver",
        STATIC_MANIFEST="false",
        DATABASE_URL="sqlite:////tmp/cpc-unused.sqlite3",
    )
    environment.update(env)
    prelude = "import django\ndjango.setup()\n"
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )


def test_with_debug_off_the_server_writes_json_lines_to_stdout():
    result = run_django("""
        from django.test import Client
        Client().get("/healthz", {"token": "secret-query"})
        Client().get("/no-such-page/")
    """)

    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(line["logger"], line.get("path"), line.get("status")) for line in lines] == [
        ("cpc_tracker.requests", "/healthz", 200),
        ("cpc_tracker.requests", "/no-such-page/", 404),
        ("django.request", None, None),
    ]
    django_line = lines[2]
    assert django_line["message"] == "Not Found: /no-such-page/"
    assert django_line["level"] == "WARNING" and django_line["status_code"] == 404
    assert "request" not in django_line  # the HttpRequest object is not written out
    # Django's own line carries the id of the request it was written during.
    assert django_line["request_id"] == lines[1]["request_id"] != lines[0]["request_id"]
    assert "secret-query" not in result.stdout


def test_with_debug_on_logs_are_readable_text_unless_json_is_asked_for():
    show_format = "from django.conf import settings; print(settings.LOGGING['handlers']['console']['formatter'])"

    assert run_django(show_format, DEBUG="true").stdout.strip() == "text"
    assert run_django(show_format, DEBUG="true", LOG_FORMAT="json").stdout.strip() == "json"
    assert run_django(show_format).stdout.strip() == "json"


SHOW_SENTRY = """
    import sentry_sdk
    client = sentry_sdk.get_client()
    options = client.options
    print(client.is_active(), options["send_default_pii"], options["max_request_body_size"],
          getattr(options["before_send"], "__name__", None))
"""


def test_without_sentry_dsn_sentry_is_not_started():
    assert run_django(SHOW_SENTRY).stdout.split() == ["False", "None", "medium", "None"]


def test_with_sentry_dsn_errors_go_to_sentry_without_personal_data():
    result = run_django(SHOW_SENTRY, SENTRY_DSN="https://public-key@sentry.example.invalid/1")

    assert result.stdout.split() == ["True", "False", "never", "sentry_before_send"]


def test_sentry_events_lose_query_strings_bodies_and_cookies():
    event = {
        "request": {
            "url": "https://tracker.example.gov.uk/plan/",
            "method": "POST",
            "query_string": "lead=olivia",
            "data": {"text": "An unpublished draft"},
            "cookies": {"sessionid": "abc"},
        },
        "exception": {"values": [{"type": "ValueError"}]},
    }

    sent = sentry_before_send(event, hint={})

    assert sent["request"] == {"url": "https://tracker.example.gov.uk/plan/", "method": "POST"}
    assert sent["exception"] == {"values": [{"type": "ValueError"}]}
