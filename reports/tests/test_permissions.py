"""Every new page for every role: allowed roles succeed; others get 403, or the sign-in page when
anonymous; refused POSTs write nothing."""

import datetime

import pytest
from django.urls import reverse

from conftest import ROLES
from recommendations.tests.factories import PeerChallengeFactory
from reports.models import CommitteeReport
from reports.permissions import readable_reports

from .factories import CommitteeReportFactory, issued_report

pytestmark = pytest.mark.django_db

MANAGERS = {"coordinator", "admin"}
SIGNED_IN = set(ROLES) - {"anonymous"}


def expect(response, role, allowed, url):
    if role in allowed:
        assert response.status_code in (200, 302), f"{role} refused at {url}"
        return True
    if role == "anonymous":
        assert response.status_code == 302, f"anonymous got {response.status_code} at {url}"
        assert response["Location"].startswith("/sign-in/?next=")
    else:
        assert response.status_code == 403, f"{role} got {response.status_code} at {url}"
    return False


@pytest.fixture
def reports():
    challenge = PeerChallengeFactory()
    return (
        challenge,
        CommitteeReportFactory(challenge=challenge),
        issued_report(challenge=challenge, cut_off=datetime.date(2024, 1, 1)),
    )


@pytest.mark.parametrize("role", ROLES)
def test_reading_pages(client, sign_in_as, reports, role):
    challenge, draft, issued = reports
    sign_in_as(role)
    pages = {
        reverse("reports:report-list", args=[challenge.slug]): set(ROLES),
        issued.get_absolute_url(): set(ROLES),
        reverse("reports:report-pdf", args=[issued.pk]): set(ROLES),
        draft.get_absolute_url(): SIGNED_IN,
        reverse("reports:report-pdf", args=[draft.pk]): SIGNED_IN,
        reverse("reports:open-data", args=[challenge.slug]): set(ROLES),
        reverse("reports:open-data-csv", args=[challenge.slug]): set(ROLES),
        reverse("reports:open-data-json", args=[challenge.slug]): set(ROLES),
        reverse("reports:updates-feed", args=[challenge.slug]): set(ROLES),
    }
    for url, allowed in pages.items():
        response = client.get(url)
        if expect(response, role, allowed, url):
            assert response.status_code == 200, url


@pytest.mark.parametrize("role", ROLES)
def test_create_form(client, sign_in_as, reports, role):
    challenge, *_ = reports
    sign_in_as(role)
    url = reverse("reports:report-create", args=[challenge.slug])

    if expect(client.get(url), role, MANAGERS, url):
        assert client.get(url).status_code == 200

    before = CommitteeReport.objects.count()
    data = {
        "committee": "Scrutiny Committee",
        "meeting_date_0": "14",
        "meeting_date_1": "3",
        "meeting_date_2": "2024",
        "cut_off_0": "1",
        "cut_off_1": "3",
        "cut_off_2": "2024",
    }
    allowed = expect(client.post(url, data), role, MANAGERS, url)
    assert CommitteeReport.objects.count() == before + (1 if allowed else 0)


@pytest.mark.parametrize("role", ROLES)
def test_issue(client, sign_in_as, reports, role):
    _, draft, _ = reports
    sign_in_as(role)
    url = reverse("reports:report-issue", args=[draft.pk])

    if expect(client.get(url), role, MANAGERS, url):
        assert client.get(url).status_code == 200
    allowed = expect(client.post(url), role, MANAGERS, url)

    draft.refresh_from_db()
    assert draft.is_issued == allowed
    assert (draft.snapshot is not None) == allowed


@pytest.mark.parametrize("role", ROLES)
def test_readable_reports_agrees_with_the_rule(sign_in_as, reports, role):
    _, draft, issued = reports
    user = sign_in_as(role)
    from django.contrib.auth.models import AnonymousUser

    user = user or AnonymousUser()
    readable = set(readable_reports(user))
    for report in (draft, issued):
        assert (report in readable) == user.has_perm("reports.view_report", report)
