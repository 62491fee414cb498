"""Public pages of the progress review: peer team, findings, considerations and indicators."""

from django.db.models import Prefetch
from django.urls import reverse
from django.views.generic import DetailView, ListView

from cpc_tracker.mixins import BreadcrumbsMixin
from recommendations.mixins import ChallengeMixin, challenge_crumbs
from recommendations.models import Action, Recommendation, Theme
from recommendations.permissions import manages_council, sees_drafts_of
from recommendations.publication import label_actions

from . import indicators as indicator_rules
from .assessment import with_council_status
from .models import Consideration, Finding, Indicator, PeerAssessment, ProgressReview


class ProgressReviewDetailView(BreadcrumbsMixin, DetailView):
    """The progress review: peer team, findings by theme, the peer team's assessment of each
    recommendation beside the council's own status on the day (reviews.assessment), considerations
    and LG Inform indicators."""

    context_object_name = "review"

    def get_breadcrumbs(self):
        return [*challenge_crumbs(self.object.challenge), ("Progress review", None)]

    def get_queryset(self):
        return ProgressReview.objects.select_related("challenge__council").prefetch_related(
            "peer_team",
            "considerations",
            Prefetch(
                "findings",
                queryset=Finding.objects.select_related("recommendation__challenge").order_by("order"),
            ),
            Prefetch(
                "assessments",
                queryset=PeerAssessment.objects.select_related("recommendation__challenge").order_by(
                    "recommendation__number"
                ),
            ),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        findings_by_theme = {}
        for finding in self.object.findings.all():
            findings_by_theme.setdefault(finding.theme_id, []).append(finding)
        themes = Theme.objects.filter(challenge=self.object.challenge_id).select_related("challenge").order_by("number")
        context["themes"] = [(theme, findings_by_theme.get(theme.pk, [])) for theme in themes]
        context["assessments"] = with_council_status(self.object.assessments.all(), self.object)
        readable = indicator_rules.readable_indicators(self.request.user)
        context["quoted"] = indicator_rules.quoted_values(self.object, readable)
        return context


class ConsiderationDetailView(BreadcrumbsMixin, DetailView):
    """A consideration from the progress review and the actions that carry it forward."""

    context_object_name = "consideration"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        challenge = self.object.review.challenge
        context["actions"] = label_actions(self.object.actions.all(), self.request.user, challenge)
        if self.request.user.has_perm("recommendations.manage_challenge", challenge):
            context["recommendations"] = challenge.recommendations.order_by("number")
        return context

    def get_breadcrumbs(self):
        review = self.object.review
        return [
            *challenge_crumbs(review.challenge),
            ("Progress review", review.get_absolute_url()),
            (self.object.title, None),
        ]

    def get_queryset(self):
        return Consideration.objects.select_related("review__challenge__council").prefetch_related(
            Prefetch(
                "actions",
                queryset=Action.objects.select_related(
                    "recommendation__challenge", "lead_officer", "public_update"
                ).order_by("recommendation__number", "reference"),
            )
        )


class IndicatorDetailView(BreadcrumbsMixin, DetailView):
    """An indicator: what it measures, where its figures come from, its figures over time as a chart
    and a table, the direction of travel and the newest figure against target and comparator.
    An internal indicator is not found by anyone who may not read it (reviews.indicators)."""

    context_object_name = "indicator"

    def get_queryset(self):
        indicators = Indicator.objects.select_related("challenge__council", "owner", "review").prefetch_related(
            Prefetch("recommendations", queryset=Recommendation.objects.select_related("challenge").order_by("number")),
            Prefetch("themes", queryset=Theme.objects.select_related("challenge").order_by("number")),
        )
        return indicator_rules.with_values(indicator_rules.readable_indicators(self.request.user, indicators))

    def get_breadcrumbs(self):
        challenge = self.object.challenge
        return [
            *challenge_crumbs(challenge),
            ("Indicators", reverse("reviews:indicator-list", args=[challenge.slug])),
            (self.object.name, None),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        indicator, user = self.object, self.request.user
        values = list(indicator.values.all())
        context["values"] = values
        context["standing"] = indicator_rules.standing(indicator, values)
        context["owner_label"] = indicator_rules.owner_label(user, indicator)
        context["is_member"] = sees_drafts_of(user, indicator.challenge.council_id)
        context["can_edit"] = indicator_rules.may_edit(user, indicator)
        # Its settings (public or internal above all) are the coordinators' to change, not the owner's.
        context["can_change_settings"] = user.has_perm("recommendations.manage_challenge", indicator.challenge)
        return context


class IndicatorListView(ChallengeMixin, BreadcrumbsMixin, ListView):
    """A challenge's indicators that the reader may read, each with its newest figure and direction
    of travel; the council's members also see which are internal."""

    context_object_name = "indicators"
    template_name = "reviews/indicator_list.html"

    def get_queryset(self):
        indicators = Indicator.objects.filter(challenge=self.get_challenge())
        readable = indicator_rules.readable_indicators(self.request.user, indicators)
        return indicator_rules.summarise(readable)

    def get_breadcrumbs(self):
        return [*challenge_crumbs(self.get_challenge()), ("Indicators", None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        council_id = self.get_challenge().council_id
        context["is_member"] = sees_drafts_of(self.request.user, council_id)
        context["can_manage"] = manages_council(self.request.user, council_id)
        return context
