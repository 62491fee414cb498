"""Security headers (issue 16): a Content-Security-Policy with no inline script or style on every
page, a Permissions-Policy, `Cache-Control: private, no-store` on whatever a signed-in user is sent
(public pages are left to caches as before), and styled 400 and CSRF failure pages that say what
to do. The browser tests (tests/browser/a11y.py) check that no page meets a CSP violation."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from recommendations.tests.factories import PeerChallengeFactory
from recommendations.tests.tasks import run_tasks
from reports.tests.factories import CommitteeReportFactory

ROOT = Path(__file__).resolve().parent.parent

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def directives(response):
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def assert_strict_policy(response):
    policy = directives(response)
    assert {name: policy.get(name) for name in POLICY} == POLICY
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


@pytest.fixture
def challenge(council):
    return PeerChallengeFactory(council=council)


# Content-Security-Policy ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_public_pages_forms_and_error_pages_carry_the_strict_policy(client, challenge):
    for url in [reverse("home"), reverse("login"), challenge.get_absolute_url(), "/no-such-page/"]:
        assert_strict_policy(client.get(url))


@pytest.mark.django_db
def test_signed_in_pages_and_the_admin_carry_the_strict_policy(client, officer, superuser):
    client.force_login(officer)
    assert_strict_policy(client.get(reverse("recommendations:my-actions")))
    client.force_login(superuser)
    assert_strict_policy(client.get(reverse("admin:index")))


@pytest.mark.django_db
def test_the_page_loads_its_scripts_from_files_only(client):
    html = client.get(reverse("home")).content.decode()

    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all(re.search(r'\bsrc="/static/', tag) for tag in scripts), scripts
    assert re.search(r'<body[^>]*>\s*<script src="/static/js/js-enabled.js"></script>', html), (
        "js-enabled.js must run first in <body>, synchronously, so components do not flash"
    )


# Templates the browser renders; the PDF template is only read by WeasyPrint on the server.
SERVER_ONLY_TEMPLATES = {"reports/templates/reports/committeereport_pdf.html"}
INLINE_CODE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.IGNORECASE)


def test_no_template_has_inline_script_style_or_event_handler():
    """The policy refuses inline scripts, <style>, style="" and onclick=: a template using one
    would break in the browser, so none may."""
    templates = [
        path
        for path in ROOT.glob("**/templates/**/*.html")
        if ".venv" not in path.parts and "node_modules" not in path.parts
    ]
    offending = [
        f"{path.relative_to(ROOT)}: {match.group(0).strip()}"
        for path in templates
        if str(path.relative_to(ROOT)) not in SERVER_ONLY_TEMPLATES
        for match in INLINE_CODE.finditer(path.read_text(encoding="utf-8"))
    ]

    assert len(templates) > 20
    assert not offending, offending


# Permissions-Policy --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_response_switches_off_browser_features_no_page_uses(client, officer):
    for response in [client.get(reverse("home")), client.get("/no-such-page/")]:
        features = dict(part.split("=", 1) for part in response["Permissions-Policy"].split(", "))
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert features[feature] == "()", feature


# Cache-Control ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_public_pages_for_the_public_are_left_cacheable(client, challenge):
    for url in [reverse("home"), challenge.get_absolute_url(), reverse("reports:open-data-csv", args=[challenge.slug])]:
        response = client.get(url)

        assert response.status_code == 200
        assert not response.has_header("Cache-Control"), url


@pytest.mark.django_db
def test_every_page_sent_to_a_signed_in_user_is_private_and_not_stored(client, officer, challenge):
    client.force_login(officer)

    for url in [reverse("home"), reverse("recommendations:my-actions"), challenge.get_absolute_url()]:
        response = client.get(url)

        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store", url


@pytest.mark.django_db
def test_staff_downloads_are_private_and_not_stored(client, coordinator, challenge, monkeypatch):
    monkeypatch.setattr("reports.prepared.html_to_pdf", lambda html, base_url=None: b"%PDF-1.7 stub")
    draft = CommitteeReportFactory(challenge=challenge)
    client.force_login(coordinator)
    client.get(reverse("reports:report-pdf", args=[draft.pk]))  # the draft's PDF is made by the worker
    run_tasks(commit=True)

    downloads = [
        reverse("recommendations:action-plan-export-csv", args=[challenge.slug]),
        reverse("recommendations:action-plan-export-xlsx", args=[challenge.slug]),
        reverse("reports:report-pdf", args=[draft.pk]),
    ]
    for url in downloads:
        response = client.get(url)

        assert response.status_code == 200, url
        assert response.has_header("Content-Disposition"), url
        assert response["Cache-Control"] == "private, no-store", url


@pytest.mark.django_db
def test_a_view_that_sets_its_own_cache_control_keeps_it(client, officer):
    client.force_login(officer)

    response = client.get(reverse("healthz"))  # never_cache

    assert "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


# The 400 page ------------------------------------------------------------------------------------------


def assert_styled_page(response, heading):
    html = response.content.decode()
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in html
    assert "/static/build/app.css" in html
    assert 'class="govuk-service-navigation' in html
    assert_strict_policy(response)


def test_a_host_not_in_allowed_hosts_gets_the_styled_400_page_without_the_database(client):
    """Django refuses the Host before routing the request; the page needs neither the host nor the
    database (this test has no database access: a query would fail it)."""
    response = client.get(reverse("home"), HTTP_HOST="attacker.example")

    assert response.status_code == 400
    assert_styled_page(response, "Sorry, the service could not deal with that request")
    assert "attacker.example" not in response.content.decode()
    assert response["X-Request-ID"]


def test_too_many_fields_get_the_styled_400_page(client):
    query = "&".join(f"f{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))

    response = client.get(f"{reverse('home')}?{query}")

    assert response.status_code == 400
    assert_styled_page(response, "Sorry, the service could not deal with that request")


def test_an_oversized_form_gets_the_styled_400_page_saying_nothing_was_saved(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000

    response = client.post(reverse("login"), {"username": "olivia", "password": "x" * 2_000})

    assert response.status_code == 400
    assert_styled_page(response, "Sorry, the service could not deal with that request")
    assert "nothing you entered has been saved" in response.content.decode()


# The CSRF failure page -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_form_sent_without_a_valid_token_gets_the_styled_page_explaining_what_to_do():
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(reverse("login"), {"username": "olivia", "password": "correct-horse-battery-staple"})

    assert response.status_code == 403
    assert_styled_page(response, "Sorry, your form could not be sent")
    html = response.content.decode()
    assert "Nothing you entered has been saved." in html
    assert "Reload the page, so that the form is up to date." in html
    assert "accepts cookies" in html
    assert "CSRF" not in html  # Django's reason is logged, not shown


@pytest.mark.django_db
def test_the_csrf_failure_page_sets_a_new_token_so_the_reloaded_form_works(officer):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(officer)

    refused = browser.post(reverse("logout"))  # no token: the cookie had been lost

    assert refused.status_code == 403
    assert "Signed in as" in refused.content.decode()
    assert refused["Cache-Control"] == "private, no-store"
    token = browser.cookies[settings.CSRF_COOKIE_NAME].value
    assert browser.post(reverse("logout"), {"csrfmiddlewaretoken": token}).status_code == 302
