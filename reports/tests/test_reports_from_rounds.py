"""A committee report made from a closed update round (reports.views.ReportCreateView with
?round=<pk>, reports.forms.initial_from_round): its cut-off is the day the round closed, the report
remembers the round and says so; an open round or another challenge's is refused."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from recommendations import rounds
from recommendations.models import UpdateRound
from recommendations.tests.factories import PeerChallengeFactory
from recommendations.tests.test_round_views import (  # noqa: F401 (fixtures)
    TITLE,
    date_data,
    open_round,
    page,
    plan,
)
from reports.forms import initial_from_round
from reports.models import CommitteeReport

pytestmark = pytest.mark.django_db


def flash(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def report_from(update_round, challenge=None):
    slug = (challenge or update_round.challenge).slug
    return reverse("reports:report-create", args=[slug]) + f"?round={update_round.pk}"


def test_a_report_from_a_closed_round_starts_from_its_closing_day_and_remembers_it(client, coordinator, open_round):
    closed = rounds.close_round(update_round=open_round, by=coordinator)
    closing_day = timezone.localdate(closed.closed_at)
    client.force_login(coordinator)

    form = client.get(report_from(closed))

    initial = form.context["form"].initial
    assert initial["cut_off"] == closing_day
    assert initial["committee"] == "Scrutiny committee" and initial["meeting_date"] == datetime.date(2030, 3, 14)
    assert "Made from the update round" in page(form)

    data = {
        "committee": "Scrutiny committee",
        **date_data("meeting_date", datetime.date(2030, 3, 14)),
        **date_data("cut_off", closing_day),
    }
    response = client.post(report_from(closed), data)

    report = CommitteeReport.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    assert report.update_round == closed and report.cut_off == closing_day
    text = page(client.get(report.get_absolute_url()))
    assert f'Made from the update round <a class="govuk-link" href="{closed.get_absolute_url()}">' in text
    assert report.get_absolute_url() in page(client.get(closed.get_absolute_url()))  # listed on the round


def test_a_report_is_not_made_from_an_open_round(client, coordinator, open_round):
    client.force_login(coordinator)

    shown = client.get(report_from(open_round))
    posted = client.post(report_from(open_round), {"committee": "Scrutiny"})

    for response in (shown, posted):
        assert response.status_code == 302 and response["Location"] == open_round.get_absolute_url()
        assert "is still open: close it before you create a committee report from it" in flash(response)[-1]
    assert not CommitteeReport.objects.exists()


def test_another_challenges_round_or_a_made_up_one_is_not_found(client, coordinator, plan, open_round):
    rounds.close_round(update_round=open_round, by=coordinator)
    other = PeerChallengeFactory()
    client.force_login(coordinator)

    assert client.get(report_from(open_round, challenge=other)).status_code == 404
    assert (
        client.get(reverse("reports:report-create", args=[plan["challenge"].slug]) + "?round=999999").status_code == 404
    )
    assert client.get(reverse("reports:report-create", args=[plan["challenge"].slug]) + "?round=x").status_code == 404


def test_a_report_without_a_round_is_as_before(client, coordinator, plan):
    client.force_login(coordinator)

    text = page(client.get(reverse("reports:report-create", args=[plan["challenge"].slug])))

    assert "Made from the update round" not in text


def test_the_round_title_gives_the_committee_only_when_it_names_one(coordinator, plan):
    update_round = UpdateRound(
        challenge=plan["challenge"],
        title="Quarter 2 2025/26",
        deadline=datetime.date(2030, 1, 1),
        closed_at=timezone.now(),
    )
    assert set(initial_from_round(update_round)) == {"cut_off"}
    update_round.title = "Q1 – for the Audit Committee meeting on 3 June 2020"
    initial = initial_from_round(update_round)
    assert initial["committee"] == "Audit Committee" and "meeting_date" not in initial  # before the cut-off
