"""Public pages of the action plan: challenges, themes, recommendations and actions."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView, FormView, ListView
from django_filters.views import FilterView
from rules.contrib.views import PermissionRequiredMixin

from reviews.models import Finding, ProgressReview

from .filters import ActionPlanFilter
from .forms import ActionForm, ProgressUpdateForm, PublishingSettingsForm, ReturnUpdateForm
from .history import action_timeline, lead_changes_involving
from .models import Action, PeerChallenge, ProgressUpdate, Recommendation, Status, Theme
from .permissions import editable_actions
from .services import (
    StaleActionError,
    approve_update,
    change_action,
    create_action,
    record_progress_update,
    return_update,
)


def latest_updates_prefetch(user):
    """Each action's newest progress update the user may see, as `action.latest_updates`."""
    return Prefetch(
        "actions",
        queryset=Action.objects.select_related("lead_officer")
        .order_by("reference")
        .prefetch_related(
            Prefetch(
                "progress_updates",
                queryset=ProgressUpdate.objects.visible_to(user).latest_per_action().select_related("author"),
                to_attr="latest_updates",
            )
        ),
    )


class BreadcrumbsMixin:
    """Puts the page's breadcrumbs, a list of (label, url) ending with the current page, in the context."""

    def get_breadcrumbs(self):
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["crumbs"] = self.get_breadcrumbs()
        return context


def challenge_crumbs(challenge):
    return [
        ("Peer challenges", reverse("home")),
        (f"{challenge.council.name}", challenge.get_absolute_url()),
    ]


class HomeView(ListView):
    """Every peer challenge the app tracks, with its status summary by theme."""

    template_name = "recommendations/home.html"
    context_object_name = "challenges"
    paginate_by = 5

    def get_queryset(self):
        return (
            PeerChallenge.objects.select_related("council")
            .prefetch_related(Prefetch("progress_reviews", queryset=ProgressReview.objects.order_by("-on_site")))
            .order_by("council__name", "-on_site_from")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context["challenges"]
        summaries = PeerChallenge.objects.filter(pk__in=[c.pk for c in page]).status_summaries()
        context["challenge_summaries"] = [(challenge, summaries[challenge.pk]) for challenge in page]
        return context


class ChallengeMixin:
    """Pages under /challenges/<slug>/ know their challenge."""

    def get_challenge(self):
        if not hasattr(self, "_challenge"):
            self._challenge = get_object_or_404(
                PeerChallenge.objects.select_related("council"), slug=self.kwargs["slug"]
            )
        return self._challenge

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["challenge"] = self.get_challenge()
        return context


class ChallengeDetailView(BreadcrumbsMixin, DetailView):
    """A challenge's overview: the council, the dates, the review and the summary by theme."""

    model = PeerChallenge
    context_object_name = "challenge"

    def get_queryset(self):
        return PeerChallenge.objects.select_related("council").prefetch_related(
            Prefetch("progress_reviews", queryset=ProgressReview.objects.order_by("-on_site"))
        )

    def get_breadcrumbs(self):
        return [("Peer challenges", reverse("home")), (self.object.council.name, None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["summary"] = PeerChallenge.objects.filter(pk=self.object.pk).status_summaries()[self.object.pk]
        return context


class RecommendationListView(BreadcrumbsMixin, ChallengeMixin, ListView):
    """A challenge's recommendations grouped under their themes, each with its status."""

    context_object_name = "recommendations"

    def get_breadcrumbs(self):
        return [*challenge_crumbs(self.get_challenge()), ("Recommendations", None)]

    def get_queryset(self):
        return (
            Recommendation.objects.filter(challenge=self.get_challenge())
            .with_progress()
            .select_related("theme", "challenge")
            .order_by("theme__number", "number")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        themes = {theme.pk: (theme, []) for theme in self.get_challenge().themes.order_by("number")}
        unthemed = []
        for recommendation in context["recommendations"]:
            themes.get(recommendation.theme_id, (None, unthemed))[1].append(recommendation)
        context["themes"] = list(themes.values())
        context["unthemed"] = unthemed
        return context


class RecommendationDetailView(BreadcrumbsMixin, ChallengeMixin, DetailView):
    """One recommendation in full, its actions with their latest progress, and what the review found."""

    context_object_name = "recommendation"

    def get_breadcrumbs(self):
        challenge = self.get_challenge()
        return [
            *challenge_crumbs(challenge),
            ("Recommendations", reverse("recommendations:recommendation-list", args=[challenge.slug])),
            (f"Recommendation {self.object.number}", None),
        ]

    def get_object(self, queryset=None):
        return get_object_or_404(
            Recommendation.objects.with_progress()
            .select_related("theme", "challenge__council")
            .prefetch_related(
                latest_updates_prefetch(self.request.user),
                Prefetch("findings", queryset=Finding.objects.select_related("review").order_by("order")),
            ),
            challenge=self.get_challenge(),
            number=self.kwargs["number"],
        )


class ThemeDetailView(BreadcrumbsMixin, ChallengeMixin, DetailView):
    """One theme on its own: what the review found and its recommendations with their status."""

    context_object_name = "theme"

    def get_breadcrumbs(self):
        return [*challenge_crumbs(self.get_challenge()), (f"Theme {self.object.number}", None)]

    def get_object(self, queryset=None):
        return get_object_or_404(
            Theme.objects.select_related("challenge__council").prefetch_related(
                Prefetch("findings", queryset=Finding.objects.select_related("recommendation").order_by("order")),
                Prefetch(
                    "recommendations",
                    queryset=Recommendation.objects.with_progress().select_related("challenge").order_by("number"),
                ),
            ),
            challenge=self.get_challenge(),
            number=self.kwargs["number"],
        )


class ActionDetailView(BreadcrumbsMixin, DetailView):
    """One action-plan item and the progress updates the reader may see, newest first."""

    context_object_name = "action"
    updates_per_page = 20

    def get_breadcrumbs(self):
        recommendation = self.object.recommendation
        return [
            *challenge_crumbs(recommendation.challenge),
            (f"Recommendation {recommendation.number}", recommendation.get_absolute_url()),
            (f"Action {self.object.reference}", None),
        ]

    def get_queryset(self):
        return Action.objects.select_related(
            "recommendation__theme", "recommendation__challenge__council", "lead_officer", "consideration"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        updates = (
            self.object.progress_updates.visible_to(self.request.user).newest_first().select_related("author")
        )
        page = Paginator(updates, self.updates_per_page).get_page(self.request.GET.get("page"))
        context["page_obj"] = page
        context["updates"] = page.object_list
        user = self.request.user
        context["can_update"] = user.has_perm("recommendations.update_action_progress", self.object)
        context["can_manage"] = user.has_perm("recommendations.manage_action_plan")
        if user.is_authenticated:
            context["timeline"] = action_timeline(self.object)
        return context


class MyActionsView(LoginRequiredMixin, ListView):
    """The actions the signed-in user may update: overdue first, then by due date."""

    template_name = "recommendations/my_actions.html"
    context_object_name = "actions"
    paginate_by = 25

    def get_queryset(self):
        return (
            editable_actions(self.request.user)
            .select_related("recommendation__challenge__council", "recommendation__theme", "lead_officer")
            .overdue_first()
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["updates_any"] = user.has_perm("recommendations.change_any_action")
        context["returned_updates"] = (
            ProgressUpdate.objects.returned_to(user).select_related("action", "reviewed_by").newest_first()[:20]
        )
        context["lead_changes"] = lead_changes_involving(user)
        return context


class StaleEditMixin:
    """Forms guarded by the action's version: a stale submit is shown again with what changed,
    the typed text kept and the version brought up to date so the user can save again."""

    def refuse_stale(self, form, stale, message):
        form.add_error(None, message)
        data = form.data.copy()
        data["version"] = stale.action.version
        form.data = data
        return self.render_to_response(self.get_context_data(form=form, changes=stale.changes))


class ProgressUpdateCreateView(StaleEditMixin, BreadcrumbsMixin, PermissionRequiredMixin, FormView):
    """Add a progress update to an action, setting its status. Refused if the action changed meanwhile."""

    permission_required = "recommendations.update_action_progress"
    form_class = ProgressUpdateForm
    template_name = "recommendations/progressupdate_form.html"

    def get_permission_object(self):
        if not hasattr(self, "action"):
            self.action = get_object_or_404(
                Action.objects.select_related("recommendation__challenge__council", "lead_officer"),
                pk=self.kwargs["pk"],
            )
        return self.action

    def get_breadcrumbs(self):
        recommendation = self.action.recommendation
        return [
            *challenge_crumbs(recommendation.challenge),
            (f"Recommendation {recommendation.number}", recommendation.get_absolute_url()),
            (f"Action {self.action.reference}", self.action.get_absolute_url()),
            ("Add a progress update", None),
        ]

    def get_initial(self):
        return {"status": self.action.status, "date": timezone.localdate(), "version": self.action.version}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["action"] = self.action
        return context

    def form_valid(self, form):
        try:
            record_progress_update(
                action=self.action,
                author=self.request.user,
                seen_version=form.cleaned_data["version"],
                status=form.cleaned_data["status"],
                text=form.cleaned_data["text"],
                date=form.cleaned_data["date"],
                percent_complete=form.cleaned_data["percent_complete"],
                evidence_url=form.cleaned_data["evidence_url"],
                published=form.cleaned_data["published"],
                completion_evidence=form.cleaned_data["completion_evidence"],
                difference_made=form.cleaned_data["difference_made"],
            )
        except StaleActionError as stale:
            return self.refuse_stale(
                form,
                stale,
                "Someone else updated this action after you opened this page. Check what changed below, "
                "then save your update again if it is still right.",
            )
        messages.success(self.request, f"Progress update saved for action {self.action.reference}")
        return redirect(self.action)


class ManagePlanMixin(PermissionRequiredMixin):
    """Coordinators and admins only: others get 403, anonymous users the sign-in page."""

    permission_required = "recommendations.manage_action_plan"


class ActionPlanView(ManagePlanMixin, FilterView):
    """Every action in one table: filter by challenge, theme, recommendation, lead, status and due date."""

    filterset_class = ActionPlanFilter
    template_name = "recommendations/action_plan.html"
    context_object_name = "actions"
    paginate_by = 25

    def get_queryset(self):
        return Action.objects.select_related(
            "recommendation__challenge__council", "recommendation__theme", "lead_officer"
        ).in_plan_order()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.filterset.form
        context["selected_challenge"] = form.cleaned_data.get("challenge") if form.is_valid() else None
        return context


class ActionFormMixin(ManagePlanMixin, BreadcrumbsMixin):
    form_class = ActionForm
    template_name = "recommendations/action_form.html"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"recommendation": self.recommendation}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"recommendation": self.recommendation}


class ActionCreateView(ActionFormMixin, FormView):
    """Add an action under a recommendation, optionally carrying forward a review consideration."""

    def get_permission_object(self):
        self.recommendation = get_object_or_404(
            Recommendation.objects.select_related("challenge__council"),
            challenge__slug=self.kwargs["slug"],
            number=self.kwargs["number"],
        )
        return None

    def get_initial(self):
        return {
            "status": Status.NOT_STARTED,
            "reference": f"{self.recommendation.number}.{self.recommendation.actions.count() + 1}",
            "consideration": self.request.GET.get("consideration"),
        }

    def get_breadcrumbs(self):
        return [
            *challenge_crumbs(self.recommendation.challenge),
            (f"Recommendation {self.recommendation.number}", self.recommendation.get_absolute_url()),
            ("Add an action", None),
        ]

    def form_valid(self, form):
        action = create_action(recommendation=self.recommendation, author=self.request.user, **form.action_fields())
        messages.success(self.request, f"Action {action.reference} added")
        return redirect(action)


class ActionUpdateView(StaleEditMixin, ActionFormMixin, FormView):
    """Change an action: wording, lead, timescale, status. Refused if someone changed it meanwhile."""

    def get_permission_object(self):
        self.action = get_object_or_404(
            Action.objects.select_related("recommendation__challenge__council", "lead_officer"), pk=self.kwargs["pk"]
        )
        self.recommendation = self.action.recommendation
        return None

    def get_initial(self):
        action = self.action
        return {
            "pk": action.pk,
            "reference": action.reference,
            "description": action.description,
            "lead_officer": action.lead_officer_id,
            "lead_role": action.lead_role,
            "timescale": action.timescale,
            "due_date": action.due_date,
            "status": action.status,
            "consideration": action.consideration_id,
            "completion_evidence": action.completion_evidence,
            "difference_made": action.difference_made,
            "version": action.version,
        }

    def get_breadcrumbs(self):
        return [
            *challenge_crumbs(self.recommendation.challenge),
            (f"Recommendation {self.recommendation.number}", self.recommendation.get_absolute_url()),
            (f"Action {self.action.reference}", self.action.get_absolute_url()),
            ("Change", None),
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"action": self.action}

    def form_valid(self, form):
        try:
            change_action(
                action=self.action,
                author=self.request.user,
                seen_version=form.cleaned_data["version"],
                **form.action_fields(),
            )
        except StaleActionError as stale:
            return self.refuse_stale(
                form,
                stale,
                "Someone else changed this action after you opened this page. "
                "Check what changed below, then save again if your changes are still right.",
            )
        messages.success(self.request, f"Action {self.action.reference} saved")
        return redirect(self.action)


class ApprovalListView(ManagePlanMixin, ListView):
    """Officers' updates waiting for a coordinator before they reach the public pages."""

    template_name = "recommendations/approval_list.html"
    context_object_name = "updates"
    paginate_by = 25

    def get_queryset(self):
        return (
            ProgressUpdate.objects.awaiting_approval()
            .select_related("action__recommendation__challenge__council", "author")
            .order_by("created_at")
        )


class ApproveUpdateView(ManagePlanMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        update = get_object_or_404(ProgressUpdate.objects.awaiting_approval().select_related("action"), pk=pk)
        approve_update(update=update, coordinator=request.user)
        messages.success(request, f"Update on action {update.action.reference} approved and published")
        return redirect("recommendations:approval-list")


class ReturnUpdateView(ManagePlanMixin, BreadcrumbsMixin, FormView):
    form_class = ReturnUpdateForm
    template_name = "recommendations/return_update_form.html"

    def get_permission_object(self):
        self.update = get_object_or_404(
            ProgressUpdate.objects.awaiting_approval().select_related("action__recommendation", "author"),
            pk=self.kwargs["pk"],
        )
        return None

    def get_breadcrumbs(self):
        return [("Updates awaiting approval", reverse("recommendations:approval-list")), ("Return update", None)]

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"update": self.update}

    def form_valid(self, form):
        return_update(update=self.update, coordinator=self.request.user, reason=form.cleaned_data["reason"])
        messages.success(self.request, f"Update on action {self.update.action.reference} returned to its author")
        return redirect("recommendations:approval-list")


class PublishingSettingsView(ManagePlanMixin, BreadcrumbsMixin, FormView):
    """Whether officers' updates to a challenge need a coordinator's approval before publication."""

    form_class = PublishingSettingsForm
    template_name = "recommendations/publishing_settings_form.html"

    def get_permission_object(self):
        self.challenge = get_object_or_404(PeerChallenge.objects.select_related("council"), slug=self.kwargs["slug"])
        return None

    def get_initial(self):
        return {"updates_need_approval": "yes" if self.challenge.updates_need_approval else "no"}

    def get_breadcrumbs(self):
        return [*challenge_crumbs(self.challenge), ("Publishing settings", None)]

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"challenge": self.challenge}

    def form_valid(self, form):
        self.challenge.updates_need_approval = form.cleaned_data["updates_need_approval"]
        self.challenge.save(update_fields=["updates_need_approval"])
        messages.success(self.request, "Publishing settings saved")
        return redirect(self.challenge)
