"""Public pages of the progress review: peer team, findings, considerations and indicators."""

from django.db.models import Prefetch
from django.views.generic import DetailView

from cpc_tracker.mixins import BreadcrumbsMixin
from recommendations.mixins import challenge_crumbs
from recommendations.models import Action, Theme
from recommendations.publication import label_actions

from .models import Consideration, Finding, ProgressReview


class ProgressReviewDetailView(BreadcrumbsMixin, DetailView):
    """The progress review: peer team, findings by theme, considerations and LG Inform indicators."""

    context_object_name = "review"

    def get_breadcrumbs(self):
        return [*challenge_crumbs(self.object.challenge), ("Progress review", None)]

    def get_queryset(self):
        return ProgressReview.objects.select_related("challenge__council").prefetch_related(
            "peer_team",
            "considerations",
            "indicators",
            Prefetch(
                "findings",
                queryset=Finding.objects.select_related("recommendation__challenge").order_by("order"),
            ),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        findings_by_theme = {}
        for finding in self.object.findings.all():
            findings_by_theme.setdefault(finding.theme_id, []).append(finding)
        themes = Theme.objects.filter(challenge=self.object.challenge_id).select_related("challenge").order_by("number")
        context["themes"] = [(theme, findings_by_theme.get(theme.pk, [])) for theme in themes]
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
