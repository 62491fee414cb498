"""The coordinators' page for the days the LGA's milestones happened after a challenge (the CPC clock,
recommendations.clock, shown on the challenge page)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import FormView

from cpc_tracker.forms import add_model_errors
from cpc_tracker.mixins import BreadcrumbsMixin

from . import clock
from .clock_forms import MilestonesForm
from .mixins import ManageChallengeMixin, challenge_crumbs
from .models import PeerChallenge
from .services import record_milestones


class ChallengeMilestonesView(ManageChallengeMixin, BreadcrumbsMixin, FormView):
    """The challenge's coordinators enter when the feedback report and the action plan were published,
    when the peer team came back (unless a progress review is on record) and when its report was
    published: a day, or a month only."""

    form_class = MilestonesForm
    template_name = "recommendations/challenge_milestones_form.html"

    def get_permission_object(self):
        if not hasattr(self, "challenge"):
            self.challenge = get_object_or_404(
                clock.with_clock(PeerChallenge.objects.select_related("council")), slug=self.kwargs["slug"]
            )
        return self.challenge

    def get_milestones(self):
        if not hasattr(self, "milestones"):
            self.milestones = clock.milestones(self.challenge)
        return self.milestones

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"challenge": self.challenge, "milestones": self.get_milestones()}

    def get_breadcrumbs(self):
        return [*challenge_crumbs(self.challenge), ("The CPC clock", None)]

    def get_context_data(self, **kwargs):
        review = next((m for m in self.get_milestones() if m.from_review_record), None)
        return super().get_context_data(**kwargs) | {"challenge": self.challenge, "review_milestone": review}

    def form_valid(self, form):
        try:
            record_milestones(challenge=self.challenge, **form.milestones())
        except ValidationError as invalid:
            add_model_errors(form, invalid)
            return self.form_invalid(form)
        messages.success(self.request, "Dates of the CPC clock saved")
        return redirect(f"{self.challenge.get_absolute_url()}#cpc-clock")
