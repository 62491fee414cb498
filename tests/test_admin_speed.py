"""The Django admin stays fast as the data grows (issue 15).

Every list and change form of the big models asks the database the same number of times with 2 rows
as with 20: no query per row, per filter choice or per inline row. And the change form of an action
never lists every action, recommendation or user in a select (searchable choices instead): issue 15
found such selects taking 86% of the page's time at 50 councils.
"""

import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recommendations.models import Action, Membership, Notification, NotificationKind, Recommendation, Role
from recommendations.tests.factories import (
    ActionFactory,
    MembershipFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    UserFactory,
)
from reports.tests.factories import CommitteeReportFactory
from reviews.models import PeerAssessment, PeerRating
from reviews.tests.factories import IndicatorFactory, IndicatorValueFactory, ProgressReviewFactory

pytestmark = pytest.mark.django_db


class Rows:
    """The rows the pages show. The objects whose change forms are measured come first; `grow_to(n)`
    adds rows until each big model has n, spread over n councils' challenges, and the measured
    objects have n of their own (an action's updates by n authors and n actions it depends on, an
    indicator's n figures by n people, a review's n assessments, ...)."""

    def __init__(self):
        self.count = 0
        self.lead = UserFactory()
        self.action = ActionFactory(lead_officer=self.lead)
        self.challenge = self.action.recommendation.challenge
        MembershipFactory(user=self.lead, council=self.challenge.council, role=Role.OFFICER)
        self.indicator = IndicatorFactory(challenge=self.challenge)
        self.report = CommitteeReportFactory(challenge=self.challenge, created_by=self.lead)
        self.update = ProgressUpdateFactory(action=self.action, author=self.lead)
        self.review = ProgressReviewFactory(challenge=self.challenge)
        self.notification = self.notify(self.lead)

    def notify(self, user):
        return Notification.objects.create(
            recipient=user,
            council=self.challenge.council,
            kind=NotificationKind.ACTION_ASSIGNED,
            key=f"test-{user.pk}",
            subject="You now lead an action",
            body="Please keep it up to date.",
        )

    def grow_to(self, n):
        for i in range(self.count, n):
            author = UserFactory()
            MembershipFactory(user=author, role=Role.COORDINATOR)  # and a council of its own
            ActionFactory(lead_officer=author)  # in a challenge of its own, with its recommendation and theme
            sibling = ActionFactory(
                recommendation=RecommendationFactory(challenge=self.challenge, theme=self.action.recommendation.theme),
                reference=f"9.{i}",
            )
            self.action.depends_on.add(sibling)
            self.action.also_answers.add(sibling.recommendation)
            ProgressUpdateFactory(action=self.action, author=author)
            IndicatorFactory()
            IndicatorValueFactory(indicator=self.indicator, entered_by=author)
            self.indicator.recommendations.add(sibling.recommendation)
            PeerAssessment.objects.create(
                review=self.review, recommendation=sibling.recommendation, rating=PeerRating.SOME, text="Some"
            )
            CommitteeReportFactory(created_by=author)
            self.notify(author)
        self.count = n


def admin_url(model, action, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


PAGES = {
    "action list": lambda rows: admin_url(rows.action, "changelist"),
    "action form": lambda rows: admin_url(rows.action, "change", rows.action.pk),
    "action history": lambda rows: admin_url(rows.action, "history", rows.action.pk),
    "recommendation list": lambda rows: admin_url(rows.action.recommendation, "changelist"),
    "recommendation form": lambda rows: admin_url(rows.action.recommendation, "change", rows.action.recommendation.pk),
    "progress update list": lambda rows: admin_url(rows.update, "changelist"),
    "progress update form": lambda rows: admin_url(rows.update, "change", rows.update.pk),
    "membership list": lambda rows: admin_url(Membership, "changelist"),
    "membership form": lambda rows: admin_url(Membership, "change", rows.lead.memberships.get().pk),
    "user list": lambda rows: admin_url(rows.lead, "changelist"),
    "user form": lambda rows: admin_url(rows.lead, "change", rows.lead.pk),
    "indicator list": lambda rows: admin_url(rows.indicator, "changelist"),
    "indicator form": lambda rows: admin_url(rows.indicator, "change", rows.indicator.pk),
    "indicator value list": lambda rows: admin_url(rows.indicator.values.model, "changelist"),
    "indicator value form": lambda rows: admin_url(
        rows.indicator.values.model, "change", rows.indicator.values.order_by("pk").first().pk
    ),
    "committee report list": lambda rows: admin_url(rows.report, "changelist"),
    "committee report form": lambda rows: admin_url(rows.report, "change", rows.report.pk),
    "notification list": lambda rows: admin_url(rows.notification, "changelist"),
    "notification form": lambda rows: admin_url(rows.notification, "change", rows.notification.pk),
    "progress review form": lambda rows: admin_url(rows.review, "change", rows.review.pk),
    # The filters' choices are part of the list: a chosen challenge's themes are offered.
    "action list of one challenge": lambda rows: (
        admin_url(rows.action, "changelist") + f"?recommendation__challenge__id__exact={rows.challenge.pk}"
    ),
}


def queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return [query["sql"] for query in context.captured_queries]


def test_every_big_admin_page_asks_as_many_queries_for_20_rows_as_for_2(client, superuser):
    rows = Rows()
    rows.grow_to(2)
    client.force_login(superuser)
    urls = {page: url(rows) for page, url in PAGES.items()}
    for url in urls.values():
        queries(client, url)  # the session, content types and the like, once
    few = {page: queries(client, url) for page, url in urls.items()}

    rows.grow_to(20)
    many = {page: queries(client, url) for page, url in urls.items()}

    grew = {page: len(many[page]) - len(few[page]) for page in PAGES if len(many[page]) != len(few[page])}
    assert grew == {}, "\n".join(f"{page}:\n  " + "\n  ".join(many[page]) for page in grew)


def options(response):
    """The label of every <option> on the page."""
    return [html.unescape(label) for label in re.findall(r"<option\b[^>]*>([^<]*)</option>", response.content.decode())]


def test_the_action_form_lists_no_actions_recommendations_or_users_to_choose_from(client, superuser):
    rows = Rows()
    rows.grow_to(20)
    chosen = rows.action.depends_on.order_by("pk").first()
    rows.action.depends_on.set([chosen])
    rows.action.also_answers.set([chosen.recommendation])
    client.force_login(superuser)

    response = client.get(admin_url(rows.action, "change", rows.action.pk))

    form = response.context["adminform"].form
    for name in ("recommendation", "lead_officer", "also_answers", "depends_on"):
        assert "admin-autocomplete" in str(form[name]), f"{name} is searched for, not listed"
    labels = set(options(response))
    # What is chosen is shown ...
    assert {str(rows.action.recommendation), str(rows.lead), str(chosen), str(chosen.recommendation)} <= labels
    # ... and nothing else of the 40 actions, 40 recommendations and 40 people there are.
    actions = Action.objects.exclude(pk=chosen.pk)
    recommendations = Recommendation.objects.exclude(pk__in=[chosen.recommendation_id, rows.action.recommendation_id])
    people = get_user_model().objects.exclude(pk=rows.lead.pk)
    offered = [str(obj) for obj in [*actions, *recommendations, *people] if str(obj) in labels]
    assert offered == []
    assert len(labels) < 30  # the updates' statuses and the form's other fixed choices


def test_the_action_form_still_refuses_another_challenges_action_chosen_by_search(client, superuser):
    rows = Rows()
    rows.grow_to(2)
    elsewhere = ActionFactory()
    client.force_login(superuser)
    url = admin_url(rows.action, "change", rows.action.pk)
    form = client.get(url).context["adminform"].form

    assert elsewhere not in form.fields["depends_on"].queryset
    assert set(form.fields["depends_on"].queryset) == set(rows.action.depends_on.all())
    assert rows.action.recommendation not in form.fields["also_answers"].queryset


def test_searching_for_an_action_to_depend_on_finds_it_by_its_councils_name(client, superuser):
    rows = Rows()
    rows.grow_to(2)
    client.force_login(superuser)

    response = client.get(
        reverse("admin:autocomplete"),
        {
            "term": rows.challenge.council.name,
            "app_label": "recommendations",
            "model_name": "action",
            "field_name": "depends_on",
        },
    )

    found = {int(result["id"]) for result in response.json()["results"]}
    assert rows.action.pk in found and set(rows.action.depends_on.values_list("pk", flat=True)) <= found


def test_the_history_pages_of_an_action_work(client, superuser):
    rows = Rows()
    rows.grow_to(2)
    client.force_login(superuser)
    history = admin_url(rows.action, "history", rows.action.pk)

    response = client.get(history)
    record = rows.action.history.order_by("history_id").first()
    old = client.get(f"{history}{record.history_id}/")

    assert response.status_code == 200 and old.status_code == 200
    assert rows.action.reference in response.content.decode()


def test_the_theme_filter_offers_the_chosen_challenges_themes_only(client, superuser):
    rows = Rows()
    rows.grow_to(3)
    client.force_login(superuser)
    url = admin_url(rows.action, "changelist")

    everything = client.get(url)
    one_challenge = client.get(url, {"recommendation__challenge__id__exact": rows.challenge.pk})

    theme = rows.action.recommendation.theme
    assert f"recommendation__theme__id__exact={theme.pk}" not in everything.content.decode()
    assert f"recommendation__theme__id__exact={theme.pk}" in one_challenge.content.decode()
    assert str(rows.challenge) in everything.content.decode()
