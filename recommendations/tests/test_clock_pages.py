"""The CPC clock on the challenge page, the coordinators' page for its dates, and the admin's
council type and region (the rule is recommendations/clock.py's, tested in test_clock.py)."""

import datetime
import html
import re

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from conftest import ROLES
from recommendations import clock
from recommendations.models import Council, CouncilKind, DatePrecision, PeerChallenge, Region
from recommendations.roles import COORDINATOR
from reviews.tests.factories import ProgressReviewFactory

from .factories import PeerChallengeFactory, UserFactory
from .queries import SIGNED_IN_QUERIES, count_queries

pytestmark = pytest.mark.django_db

D = datetime.date


def page(response):
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def text_of(markup):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)).strip()


def clock_rows(response):
    """The CPC clock table of a challenge page, as [[milestone, expects, due, happened, state]]."""
    text = page(response)
    table = text[text.index('id="cpc-clock"') :]
    table = table[table.index("<tbody") : table.index("</tbody>")]
    return [
        [text_of(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    ]


def flash(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def error_summary(response):
    text = page(response)
    if "govuk-error-summary" not in text:
        return ""
    start = text.index("govuk-error-summary")
    return text_of(text[start : text.index("</ul>", start)])


@pytest.fixture
def challenge(council):
    """Anytown's challenge of 1 to 4 November 2022."""
    council.kind, council.region = CouncilKind.UNITARY, Region.SOUTH_WEST
    council.save()
    return PeerChallengeFactory(council=council, on_site_from=D(2022, 11, 1), on_site_to=D(2022, 11, 4))


def milestones_url(challenge):
    return reverse("recommendations:challenge-milestones", args=[challenge.slug])


def dates(**milestones):
    """POST data: {"report_published": ("", "2", "2023")} -> the date inputs' fields."""
    data = {}
    for key, parts in milestones.items():
        for i, part in enumerate(parts):
            data[f"{key}_on_{i}"] = part
    return data


# The challenge page ---------------------------------------------------------------------------------


def test_stockports_challenge_page_shows_its_clock_and_council_facts(client):
    call_command("loaddata", "stockport_cpc", verbosity=0)
    stockport = PeerChallenge.objects.get(slug="stockport-cpc-2022")

    response = client.get(stockport.get_absolute_url())

    text = text_of(page(response))
    assert "Type of council Metropolitan borough (metropolitan district)" in text
    assert "Region North West" in text
    rows = clock_rows(response)
    assert [row[0] for row in rows] == [rule.name for rule in clock.RULES]
    assert rows[0][2:] == ["4 February 2023", "February 2023", "In the month it was due"]
    assert rows[1][2:] == ["4 April 2023", "February 2023", "Met"]
    assert rows[2][2:] == ["4 November 2023", "16 October 2023, from the progress review", "Met"]
    assert rows[3][2] == "4 November 2023"
    assert rows[3][3] == "Not recorded"
    assert rows[3][4].startswith("Not recorded, ")
    assert rows[0][1] == "Within 3 months of the challenge"


def test_a_challenge_with_no_dates_yet_shows_each_milestone_due(client, challenge):
    today = timezone.localdate()
    challenge.on_site_from = challenge.on_site_to = today - datetime.timedelta(days=2)
    challenge.save()

    rows = clock_rows(client.get(challenge.get_absolute_url()))

    assert [row[3] for row in rows] == ["Not recorded"] * 4
    assert all(row[4].startswith("Due in ") for row in rows)
    assert "Type of council Unitary authority" in text_of(page(client.get(challenge.get_absolute_url())))


def test_council_type_and_region_say_not_recorded_when_blank(client):
    challenge = PeerChallengeFactory(council__name="Blankshire Council")
    text = text_of(page(client.get(challenge.get_absolute_url())))
    assert "Type of council Not recorded" in text
    assert "Region Not recorded" in text


def test_only_the_councils_coordinators_see_the_link_to_change_the_dates(client, challenge, officer, coordinator):
    link = milestones_url(challenge)
    assert link not in page(client.get(challenge.get_absolute_url()))
    client.force_login(officer)
    assert link not in page(client.get(challenge.get_absolute_url()))
    client.force_login(coordinator)
    assert link in page(client.get(challenge.get_absolute_url()))


# The coordinators' page -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_the_councils_coordinators_and_admins_may_enter_the_dates(client, sign_in_as, challenge, role):
    sign_in_as(role)

    opened = client.get(milestones_url(challenge))
    saved = client.post(milestones_url(challenge), dates(report_published=("", "2", "2023")))

    challenge.refresh_from_db()
    if role in ("coordinator", "admin"):
        assert "When the LGA’s milestones happened" in page(opened)
        assert saved.status_code == 302
        assert challenge.report_published_on == D(2023, 2, 1)
    else:
        for response in (opened, saved):
            if role == "anonymous":
                assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
            else:
                assert response.status_code == 403
        assert challenge.report_published_on is None


def test_another_councils_coordinator_may_not_enter_the_dates(client, challenge, other_council):
    client.force_login(UserFactory(username="erin", roles=[(other_council, COORDINATOR)]))

    assert client.get(milestones_url(challenge)).status_code == 403
    assert client.post(milestones_url(challenge), dates(plan_published=("9", "2", "2023"))).status_code == 403
    challenge.refresh_from_db()
    assert challenge.plan_published_on is None


def test_a_challenge_that_does_not_exist_is_not_found(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("recommendations:challenge-milestones", args=["no-such-challenge"])).status_code == 404


def test_the_form_offers_a_date_per_milestone_and_says_the_day_may_be_left_blank(client, challenge, coordinator):
    client.force_login(coordinator)

    text = page(client.get(milestones_url(challenge)))

    for key in ("report_published", "plan_published", "progress_review", "review_report_published"):
        assert f'name="{key}_on_0"' in text
    assert "If you know only the month, leave the day blank, for example 2 2023." in text
    assert "Within 3 months of the challenge: due by 4 February 2023." in text


def test_a_month_only_date_is_kept_as_its_month_and_shown_so(client, challenge, coordinator):
    client.force_login(coordinator)

    response = client.post(
        milestones_url(challenge),
        dates(report_published=("", "2", "2023"), plan_published=("16", "3", "2023")),
    )

    assert response.status_code == 302
    assert response["Location"] == challenge.get_absolute_url() + "#cpc-clock"
    assert flash(response) == ["Dates of the CPC clock saved"]
    challenge.refresh_from_db()
    assert (challenge.report_published_on, challenge.report_published_precision) == (
        D(2023, 2, 1),
        DatePrecision.MONTH,
    )
    assert (challenge.plan_published_on, challenge.plan_published_precision) == (D(2023, 3, 16), DatePrecision.DAY)
    rows = clock_rows(client.get(challenge.get_absolute_url()))
    assert rows[0][3:] == ["February 2023", "In the month it was due"]
    assert rows[1][3:] == ["16 March 2023", "Met"]
    # The form shows the month with its day blank, as it was entered.
    text = page(client.get(milestones_url(challenge)))
    assert re.search(r'name="report_published_on_0"(?![^>]*value=)', text)
    assert 'name="report_published_on_1" value="2"' in text


def test_a_blank_date_clears_a_milestone(client, challenge, coordinator):
    challenge.review_report_published_on = D(2023, 11, 1)
    challenge.review_report_published_precision = DatePrecision.MONTH
    challenge.save()
    client.force_login(coordinator)

    client.post(milestones_url(challenge), dates(review_report_published=("", "", "")))

    challenge.refresh_from_db()
    assert challenge.review_report_published_on is None
    assert challenge.review_report_published_precision == DatePrecision.DAY


def test_a_date_in_the_future_is_refused_and_what_was_typed_is_kept(client, challenge, coordinator):
    client.force_login(coordinator)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = client.post(
        milestones_url(challenge),
        dates(
            report_published=("", "2", "2023"),
            review_report_published=(str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)),
        ),
    )

    assert "Progress review report published must be today or in the past" in error_summary(response)
    assert "<title>Error: " in page(response)
    text = page(response)
    assert f'name="review_report_published_on_2" value="{tomorrow.year}"' in text
    assert 'name="report_published_on_1" value="2"' in text
    challenge.refresh_from_db()
    assert challenge.report_published_on is None  # nothing saved: all or nothing


def test_a_date_before_the_challenge_is_refused(client, challenge, coordinator):
    client.force_login(coordinator)

    response = client.post(milestones_url(challenge), dates(plan_published=("", "10", "2022")))

    assert "Action plan published must be in or after November 2022, the month of the challenge" in error_summary(
        response
    )
    assert 'href="#id_plan_published_on"' in page(response)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (("31", "2", "2023"), "Feedback report published must be a real date"),
        (("", "13", "2023"), "Feedback report published must be a real date"),
        (("4", "", ""), "Feedback report published must include a month and year"),
        (("", "2", "23"), "Feedback report published must include a year with 4 numbers, like 2023"),
        (("", "Feb", "2023"), "Feedback report published must be a real date: the month must be a number"),
    ],
)
def test_a_date_that_is_not_a_real_date_says_what_to_do(client, challenge, coordinator, typed, message):
    client.force_login(coordinator)

    response = client.post(milestones_url(challenge), dates(report_published=typed))

    assert message in error_summary(response)
    challenge.refresh_from_db()
    assert challenge.report_published_on is None


def test_the_progress_review_is_not_asked_for_when_one_is_on_record(client, challenge, coordinator):
    ProgressReviewFactory(challenge=challenge, on_site=D(2023, 10, 16))
    client.force_login(coordinator)

    text = page(client.get(milestones_url(challenge)))

    assert 'name="progress_review_on_0"' not in text
    assert "The progress review on site, 16 October 2023, comes from the progress review’s own record" in text
    response = client.post(milestones_url(challenge), dates(progress_review=("1", "9", "2023")))
    assert response.status_code == 302
    challenge.refresh_from_db()
    assert challenge.progress_review_on is None


def test_the_pages_stay_within_their_query_budget_however_many_challenges(client, coordinator, council):
    small = PeerChallengeFactory(council=council)
    ProgressReviewFactory(challenge=small)
    client.force_login(coordinator)
    few = count_queries(client, milestones_url(small))
    for _ in range(5):
        ProgressReviewFactory(challenge=PeerChallengeFactory(council=council))
    ProgressReviewFactory(challenge=small, on_site=D(2024, 3, 1))
    many = count_queries(client, milestones_url(small))
    assert many == few
    assert many <= SIGNED_IN_QUERIES + 2  # the challenge (with its first review) and its council's role check


# The admin ---------------------------------------------------------------------------------------------


def test_the_admin_lists_and_filters_councils_by_type_and_region(client, superuser, council, other_council):
    council.kind, council.region = CouncilKind.METROPOLITAN, Region.NORTH_WEST
    council.save()
    client.force_login(superuser)

    text = page(client.get(reverse("admin:recommendations_council_changelist") + "?region__exact=north_west"))

    assert "Anytown Council" in text and "Elsewhere Borough Council" not in text
    assert "Metropolitan borough (metropolitan district)" in text
    assert Council.objects.count() == 2


def test_the_admin_shows_the_challenges_milestones_in_their_own_section(client, superuser, challenge):
    client.force_login(superuser)

    text = page(client.get(reverse("admin:recommendations_peerchallenge_change", args=[challenge.pk])))

    assert "The CPC clock" in text
    for key in ("report_published", "plan_published", "progress_review", "review_report_published"):
        assert f'name="{key}_on"' in text and f'name="{key}_precision"' in text
