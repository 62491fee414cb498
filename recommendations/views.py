"""Pages of the action plan: challenges, themes, recommendations and actions (public, with what the
reader may see decided by recommendations.publication), and the staff tools (per council, decided by
recommendations.permissions)."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView, FormView, ListView
from django_filters.views import FilterView
from rules.contrib.views import PermissionRequiredMixin

from cpc_tracker.forms import add_model_errors
from cpc_tracker.mixins import BreadcrumbsMixin

from . import clock, schedule
from .evidence import save_update_with_evidence, with_readable_files
from .evidence_forms import EvidenceUploadForm, fields_only
from .filters import ActionPlanFilter
from .forms import (
    ActionForm,
    ProgressUpdateForm,
    PublishingSettingsForm,
    RecommendationResponseForm,
    ReturnUpdateForm,
)
from .history import action_timeline, lead_changes_involving
from .mixins import ChallengeMixin, ManageChallengeMixin, ManageSomePlanMixin, challenge_crumbs
from .models import (
    DROPPED_STATUSES,
    ROLL_UP_RULE,
    Action,
    Approval,
    PeerChallenge,
    ProgressUpdate,
    Recommendation,
    Status,
    Theme,
    UpdateRound,
)
from .permissions import editable_actions, managed_challenges, member_council_ids, plan_actions
from .publication import label_actions, label_updates, sees_working_status, visible_updates
from .rollup import status_as_of, statuses_as_of
from .rounds import UNASSIGNED, with_round_update
from .services import (
    AlreadyReviewed,
    StaleActionError,
    approve_update,
    change_action,
    change_publishing_settings,
    create_action,
    record_progress_update,
    record_response,
    return_update,
    update_needs_approval,
)
from .similar import similar_recommendations
from .spreadsheets import escape_row
from .staleness import days_since, last_update_for


def latest_updates_prefetch(user):
    """Each action's newest progress update the user may see, as `action.latest_updates`."""
    return Prefetch(
        "actions",
        queryset=Action.objects.select_related("lead_officer", "public_update")
        .order_by("reference")
        .prefetch_related(
            Prefetch(
                "progress_updates",
                queryset=visible_updates(user).latest_per_action().select_related("author"),
                to_attr="latest_updates",
            )
        ),
    )


def findings_of(model):
    """The progress review's findings about a recommendation or theme, in their order, with what they
    refer to fetched in the same query. (Through the relation, so this app need not import reviews.)"""
    return model._meta.get_field("findings").related_model.objects.order_by("order")


def assessments_of(model):
    """The peer team's assessments of a recommendation at progress reviews, newest review first, each
    with its review (through the relation, as findings_of)."""
    return (
        model._meta.get_field("peer_assessments")
        .related_model.objects.select_related("review")
        .order_by("-review__on_site", "pk")
    )


def with_assessed_status(assessments, challenge, recommendation):
    """Give each peer assessment `council_status` (the recommendation's published status on the day of
    its review, recommendations.rollup) and `comparison` (reviews.assessment: whether and how the two
    differ). Two queries for each review, none without assessments."""
    statuses = {}
    for assessment in assessments:
        day = assessment.review.on_site
        if day not in statuses:
            statuses[day] = statuses_as_of(challenge, day)
        assessment.council_status = status_as_of(statuses[day], recommendation.pk)
        assessment.comparison = assessment.compared_with(assessment.council_status)
    return assessments


def holding_up_words(action, *, public, today=None):
    """Why an action others depend on holds them up, in words: 'off track', 'at risk', 'overdue', or
    both a status and 'overdue' (recommendations.schedule.holds_up decides whether it does)."""
    status = Status(action.public_status if public else action.status)
    words = [status.label.lower()] if status in schedule.HOLDING_UP else []
    if schedule.is_overdue(action, public=public, today=today):
        words.append("overdue")
    return " and ".join(words)


def with_dates(actions, *, public, today=None):
    """Give each action what recommendations.schedule says of its dates, as the reader sees it (`public`:
    by the published status; otherwise the working one): `days_late` and `slippage` (in words),
    `depends_on_list`, `waiting_on` and `waiting` ([(action it waits on, why in words)]). One query,
    however many actions. Returns the actions as a list."""
    today = today or timezone.localdate()
    actions = schedule.waiting_on(list(actions), public=public, today=today)
    for action in actions:
        action.days_late = schedule.days_late(action, public=public, today=today)
        action.slippage = schedule.slippage_words(action.days_late)
        action.waiting = [(other, holding_up_words(other, public=public, today=today)) for other in action.waiting_on]
    return actions


def dates_summary(actions):
    """The public count of actions overdue, not yet due, complete, dropped and without a due date
    (recommendations.schedule.summary_of_dates), from one query."""
    return schedule.summary_of_dates(actions, public=True)


class ChallengeDetailView(BreadcrumbsMixin, DetailView):
    """A challenge's overview: the council, the dates, the review, the CPC clock (recommendations.clock)
    and the summary by theme."""

    model = PeerChallenge
    context_object_name = "challenge"

    def get_queryset(self):
        return clock.with_clock(PeerChallenge.objects.select_related("council").prefetch_related("progress_reviews"))

    def get_breadcrumbs(self):
        return [("Peer challenges", reverse("home")), (self.object.council.name, None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["summary"] = PeerChallenge.objects.filter(pk=self.object.pk).status_summaries()[self.object.pk]
        context["dates"] = dates_summary(Action.objects.filter(recommendation__challenge=self.object))
        context["can_manage"] = self.request.user.has_perm("recommendations.manage_challenge", self.object)
        context["milestones"] = clock.milestones(self.object)
        return context


class RecommendationListView(BreadcrumbsMixin, ChallengeMixin, ListView):
    """A challenge's recommendations grouped under their themes, each with its published status."""

    context_object_name = "recommendations"

    def challenge_queryset(self):
        return super().challenge_queryset().annotate(review_count=Count("progress_reviews"))

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
        context["has_review"] = self.get_challenge().review_count > 0
        return context


class RecommendationDetailView(BreadcrumbsMixin, ChallengeMixin, DetailView):
    """One recommendation in full: the council's response, its own actions with their latest progress,
    the actions of other recommendations that also answer it, what the review found, the peer
    team's assessment beside the council's own status on the day of the review, and how other
    councils answered similar recommendations (recommendations.similar)."""

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
                Prefetch("findings", queryset=findings_of(Recommendation).select_related("review")),
                Prefetch(
                    "also_answered_by",
                    queryset=Action.objects.select_related("recommendation").order_by(
                        "recommendation__number", "reference"
                    ),
                ),
                Prefetch("peer_assessments", queryset=assessments_of(Recommendation)),
            ),
            challenge=self.get_challenge(),
            number=self.kwargs["number"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        challenge = self.get_challenge()
        user = self.request.user
        context["actions"] = label_actions(self.object.actions.all(), user, challenge)
        also_answered_by = list(self.object.also_answered_by.all())
        for action in also_answered_by:
            action.shows_working = sees_working_status(user, challenge)
        context["also_answered_by"] = also_answered_by
        context["roll_up_rule"] = ROLL_UP_RULE
        context["assessments"] = with_assessed_status(list(self.object.peer_assessments.all()), challenge, self.object)
        context["can_manage"] = user.has_perm("recommendations.manage_challenge", challenge)
        context["similar"] = similar_recommendations(self.object)
        return context


class ThemeDetailView(BreadcrumbsMixin, ChallengeMixin, DetailView):
    """One theme on its own: what the review found and its recommendations with their status."""

    context_object_name = "theme"

    def get_breadcrumbs(self):
        return [*challenge_crumbs(self.get_challenge()), (f"Theme {self.object.number}", None)]

    def get_object(self, queryset=None):
        return get_object_or_404(
            Theme.objects.select_related("challenge__council").prefetch_related(
                Prefetch("findings", queryset=findings_of(Theme).select_related("recommendation")),
                Prefetch(
                    "recommendations",
                    queryset=Recommendation.objects.with_progress().select_related("challenge").order_by("number"),
                ),
            ),
            challenge=self.get_challenge(),
            number=self.kwargs["number"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["dates"] = dates_summary(Action.objects.filter(recommendation__theme=self.object))
        return context


class ActionDetailView(BreadcrumbsMixin, DetailView):
    """One action-plan item and the progress updates the reader may see, newest first. The public
    status is the published one; the council's own staff also see the working status.

    Its dates, slippage and what it waits on (recommendations.schedule) and how it closed (will not be
    taken forward, or superseded, with the reason) are read by the reader's status: the public's from
    the published update only, so no unpublished text reaches them; the council's staff by the
    working status. It lists the other recommendations it also answers, and the actions it depends
    on and that need it."""

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
            "recommendation__theme",
            "recommendation__challenge__council",
            "lead_officer",
            "consideration",
            "public_update__superseded_by",
            "working_update__superseded_by",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        action = self.object
        challenge = action.recommendation.challenge
        label_actions([action], user, challenge)
        context.update(self.schedule_context(action, public=not action.shows_working))
        updates = with_readable_files(
            visible_updates(user, action.progress_updates.all())
            .newest_first()
            .select_related("author", "superseded_by"),
            user,
        )
        page = Paginator(updates, self.updates_per_page).get_page(self.request.GET.get("page"))
        context["page_obj"] = page
        context["updates"] = label_updates(page.object_list, user, challenge)
        context["can_update"] = user.has_perm("recommendations.update_action_progress", self.object)
        context["can_manage"] = user.has_perm("recommendations.manage_challenge", challenge)
        context["last_update"] = last_update_for(self.object, user, challenge)
        if sees_working_status(user, challenge):
            context["timeline"] = action_timeline(self.object)
        return context

    @staticmethod
    def schedule_context(action, *, public):
        """The action's dates, slippage, links to other actions and recommendations, and how it
        closed, as the reader sees them (`public`: by the published status and update). Three queries."""
        today = timezone.localdate()
        with_dates([action], public=public, today=today)
        status = Status(action.public_status if public else action.status)
        update = action.public_update if public else action.working_update
        needed_by = list(
            action.needed_by.select_related("recommendation").order_by("recommendation__number", "reference")
        )
        for other in [*needed_by, *(dependency.action for dependency in action.depends_on_list)]:
            other.shows_working = not public
        return {
            "completed_on": schedule.completion_date(action, public=public),
            "overdue": schedule.is_overdue(action, public=public, today=today),
            "not_yet_due": schedule.is_not_yet_due(action, public=public, today=today),
            "dropped": status in DROPPED_STATUSES,
            "closing_update": update if status in DROPPED_STATUSES else None,
            "also_answers": list(action.also_answers.select_related("challenge").order_by("number")),
            "needed_by": needed_by,
            "holding_up": holding_up_words(action, public=public, today=today) if needed_by else "",
        }


def round_requests(user):
    """[(open update round, [the actions in it `user` leads and has not updated for it])], soonest
    deadline first: what an open round still asks of them. One query, and one per open round."""
    led = editable_actions(user).led_by(user)
    rounds = (
        UpdateRound.objects.filter(closed_at__isnull=True, actions__in=led)
        .distinct()
        .select_related("challenge__council")
        .order_by("deadline", "pk")
    )
    requests = []
    for update_round in rounds:
        outstanding = list(
            with_round_update(update_round.actions.filter(pk__in=led.values("pk")), update_round)
            .filter(updated_for_round=False)
            .select_related("recommendation")
            .in_plan_order()
        )
        if outstanding:
            requests.append((update_round, outstanding))
    return requests


class MyActionsView(LoginRequiredMixin, ListView):
    """The actions the signed-in user may update: what an open update round asks of them first, then
    every action, overdue first, then by due date."""

    template_name = "recommendations/my_actions.html"
    context_object_name = "actions"
    paginate_by = 25

    def get_queryset(self):
        return (
            editable_actions(self.request.user)
            .select_related(
                "recommendation__challenge__council", "recommendation__theme", "lead_officer", "working_update"
            )
            .overdue_first()
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["actions"] = with_dates(context["actions"], public=False)
        context["updates_any"] = user.has_perm("recommendations.manage_some_plan")
        context["round_requests"] = round_requests(user)
        # Only from the councils the user still belongs to: someone who moved council no longer
        # reads their old council's returned drafts or reassignments.
        councils = None if user.is_superuser else member_council_ids(user)
        returned = ProgressUpdate.objects.returned_to(user)
        if councils is not None:
            returned = returned.filter(action__recommendation__challenge__council_id__in=councils)
        context["returned_updates"] = returned.select_related("action", "reviewed_by").newest_first()[:20]
        context["lead_changes"] = lead_changes_involving(user, council_ids=councils)
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
    """Add a progress update to an action. Refused if the action changed meanwhile."""

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

    def needs_approval(self):
        return update_needs_approval(challenge=self.action.recommendation.challenge, author=self.request.user)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"action": self.action, "needs_approval": self.needs_approval()}

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

    def get_form(self, form_class=None):
        return fields_only(super().get_form(form_class))  # the page's one <form> also holds the evidence files

    def get_evidence_form(self):
        if not hasattr(self, "evidence_form"):
            if self.request.method == "POST":
                self.evidence_form = EvidenceUploadForm(self.request.POST, self.request.FILES)
            else:
                self.evidence_form = EvidenceUploadForm()
        return self.evidence_form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["action"] = self.action
        context["evidence_form"] = self.get_evidence_form()
        context["forms"] = [context["form"], context["evidence_form"]]
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        valid = form.is_valid()
        files_valid = self.get_evidence_form().is_valid()
        return self.form_valid(form) if valid and files_valid else self.form_invalid(form)

    def form_invalid(self, form):
        self.get_evidence_form().ask_to_choose_again()
        return super().form_invalid(form)

    def save_update(self, form):
        return record_progress_update(action=self.action, author=self.request.user, **form.update_fields())

    def form_valid(self, form):
        """The update and its evidence files are saved together, or nothing is (and no file is kept)."""
        uploads = self.get_evidence_form().uploads()
        try:
            update = save_update_with_evidence(lambda: self.save_update(form), uploads, by=self.request.user)
        except StaleActionError as stale:
            self.get_evidence_form().ask_to_choose_again()
            return self.refuse_stale(
                form,
                stale,
                "Someone else updated this action after you opened this page. Check what changed below, "
                "then save your update again if it is still right.",
            )
        except ValidationError as invalid:
            add_model_errors(form, invalid)
            return self.form_invalid(form)
        message = saved_update_message(update)
        if uploads:
            message += f". {len(uploads)} evidence file{'s' if len(uploads) > 1 else ''} attached"
        messages.success(self.request, message)
        return redirect(self.action)


def iso_date(day):
    return day.isoformat() if day else ""


def saved_update_message(update):
    saved = f"Progress update saved for action {update.action.reference}"
    if update.approval == Approval.AWAITING:
        return f"{saved}. It is awaiting a coordinator's approval and will be published when they approve it"
    if update.published:
        return f"{saved} and published"
    return f"{saved}. It is not published: only the council's staff and councillors see it"


class PlanPaginator(Paginator):
    """Pages of the action plan found in one query that stays small as the plan grows: the page's
    actions are chosen by id in a subquery that filters, sorts and slices only what the filters and
    the order need (the action, its recommendation and challenge); only those 25 are then read with
    their council, theme, lead officer and working update (`rows`, by primary key). Joining every
    action to its working update before sorting made PostgreSQL read every progress update for
    every page (docs/performance.md, "The action plan at scale"). The count, page numbers and links
    are Django's. `object_list` must be ordered (ActionPlanFilter breaks ties by id)."""

    def __init__(self, object_list, per_page, *, rows, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.ordering = object_list.query.order_by
        self.rows = rows

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = self.object_list.values("pk")[bottom:top]
        return self._get_page(self.rows.filter(pk__in=ids).order_by(*self.ordering), number, self)


class ActionPlanView(PermissionRequiredMixin, FilterView):
    """Every action of the reader's councils' challenges in one table: filter by challenge, theme,
    recommendation, lead (or none), status, due date and how long since the last update. Every
    member of a council reads it; only coordinators get the links that change the plan."""

    permission_required = "recommendations.read_some_plan"
    filterset_class = ActionPlanFilter
    template_name = "recommendations/action_plan.html"
    context_object_name = "actions"
    paginate_by = 25
    paginator_class = PlanPaginator

    def get_queryset(self):
        return self.with_columns(plan_actions(self.request.user)).in_plan_order()

    def with_columns(self, actions):
        """What the table (and the CSV) shows of each action, in the same query."""
        return actions.select_related(
            "recommendation__challenge__council", "recommendation__theme", "lead_officer", "working_update"
        )

    def get_paginator(self, queryset, per_page, **kwargs):
        return super().get_paginator(queryset, per_page, rows=self.with_columns(Action.objects.all()), **kwargs)

    def get_filterset_kwargs(self, filterset_class):
        return super().get_filterset_kwargs(filterset_class) | {"user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["actions"] = with_dates(context["actions"], public=False)
        form = self.filterset.form
        selected = form.cleaned_data.get("challenge") if form.is_valid() else None
        context["selected_challenge"] = selected
        context["manages_selected"] = selected is not None and user.has_perm(
            "recommendations.manage_challenge", selected
        )
        context["manages_some_plan"] = user.has_perm("recommendations.manage_some_plan")
        query = self.request.GET.copy()
        query.pop("page", None)
        context["csv_url"] = reverse("recommendations:action-plan-csv") + (f"?{query.urlencode()}" if query else "")
        return context


class ActionPlanCsvView(ActionPlanView):
    """The action plan table as a CSV file: the same actions, filters and order as the page, every
    page of it, with the table's columns, and the planned and actual dates, the days late and the
    actions each waits on (recommendations.schedule, by the working status). Text that could run as
    a spreadsheet formula is escaped."""

    paginate_by = None
    columns = (
        "Peer challenge",
        "Recommendation",
        "Theme",
        "Action",
        "Description",
        "Lead",
        "Timescale",
        "Planned start",
        "Due date",
        "Actual start",
        "Actual completion",
        "Days late",
        "Overdue",
        "Waiting on",
        "Status",
        "Published status",
        "Last update",
        "Days since last update",
    )

    def row(self, action, today):
        recommendation = action.recommendation
        theme = recommendation.theme
        update = action.working_update
        return [
            f"{recommendation.challenge.council.name}: {recommendation.challenge.title}",
            recommendation.number,
            f"{theme.number}: {theme.title}" if theme else "",
            action.reference,
            action.description,
            f"{action.lead} ({UNASSIGNED.lower()})" if action.lead_role and not action.lead_officer_id else action.lead,
            action.timescale,
            iso_date(action.starts_on),
            iso_date(action.due_date),
            iso_date(action.actual_start),
            iso_date(schedule.completion_date(action, public=False)),
            "" if action.days_late is None else action.days_late,
            "Yes" if action.is_overdue else "No",
            "; ".join(f"{other.reference} ({why})" for other, why in action.waiting),
            action.status_choice.label,
            action.public_status_choice.label,
            update.date.isoformat() if update else "",
            days_since(update.date, today) if update else "",
        ]

    def render_to_response(self, context, **response_kwargs):
        today = timezone.localdate()
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.columns)
        for action in context["actions"]:
            writer.writerow(escape_row(self.row(action, today)))
        response = HttpResponse(out.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="action-plan-{today:%Y-%m-%d}.csv"'
        response["Cache-Control"] = "private, no-store"
        return response


class ActionFormMixin(ManageChallengeMixin, BreadcrumbsMixin):
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
        return self.recommendation.challenge

    def get_initial(self):
        consideration = self.request.GET.get("consideration", "")
        return {
            "status": "not_started",
            "reference": f"{self.recommendation.number}.{self.recommendation.actions.count() + 1}",
            "consideration": consideration if consideration.isdigit() else None,
        }

    def get_breadcrumbs(self):
        return [
            *challenge_crumbs(self.recommendation.challenge),
            (f"Recommendation {self.recommendation.number}", self.recommendation.get_absolute_url()),
            ("Add an action", None),
        ]

    def form_valid(self, form):
        try:
            action = create_action(recommendation=self.recommendation, author=self.request.user, **form.action_fields())
        except ValidationError as invalid:
            add_model_errors(form, invalid)
            return self.form_invalid(form)
        messages.success(self.request, f"Action {action.reference} added")
        return redirect(action)


class ActionUpdateView(StaleEditMixin, ActionFormMixin, FormView):
    """Change an action: wording, lead, timescale, status. Refused if someone changed it meanwhile."""

    def get_permission_object(self):
        self.action = get_object_or_404(
            Action.objects.select_related("recommendation__challenge__council", "lead_officer", "working_update"),
            pk=self.kwargs["pk"],
        )
        self.recommendation = self.action.recommendation
        return self.recommendation.challenge

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": self.action}

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
        except ValidationError as invalid:
            add_model_errors(form, invalid)
            return self.form_invalid(form)
        messages.success(self.request, f"Action {self.action.reference} saved")
        return redirect(self.action)


def reviewable_updates(user):
    """Updates of the challenges `user` manages: the queryset twin of approving or returning one."""
    return ProgressUpdate.objects.filter(action__recommendation__challenge__in=managed_challenges(user))


class ApprovalListView(ManageSomePlanMixin, ListView):
    """Officers' updates waiting for a coordinator before they reach the public pages."""

    template_name = "recommendations/approval_list.html"
    context_object_name = "updates"
    paginate_by = 25

    def get_queryset(self):
        # Everything approving publishes is shown: the closing answers and the evidence files too.
        return with_readable_files(
            reviewable_updates(self.request.user)
            .awaiting_approval()
            .select_related("action__recommendation__challenge__council", "author", "superseded_by")
            .order_by("created_at"),
            self.request.user,
        )


class ReviewUpdateMixin(ManageSomePlanMixin):
    """Approve or return one update of a challenge the coordinator manages (404 for others'). If
    another coordinator got there first, say who, and change nothing."""

    def get_update(self):
        if not hasattr(self, "update"):
            self.update = get_object_or_404(
                reviewable_updates(self.request.user).select_related("action__recommendation", "author", "reviewed_by"),
                pk=self.kwargs["pk"],
            )
        return self.update

    def already_reviewed(self, reviewed):
        messages.info(self.request, reviewed.message)
        return redirect("recommendations:approval-list")


class ApproveUpdateView(ReviewUpdateMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        try:
            update = approve_update(update=self.get_update(), coordinator=request.user)
        except AlreadyReviewed as reviewed:
            return self.already_reviewed(reviewed)
        messages.success(request, f"Update on action {update.action.reference} approved and published")
        return redirect("recommendations:approval-list")


class ReturnUpdateView(ReviewUpdateMixin, BreadcrumbsMixin, FormView):
    form_class = ReturnUpdateForm
    template_name = "recommendations/return_update_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.has_permission():
            update = self.get_update()
            if update.approval != Approval.AWAITING:
                return self.already_reviewed(AlreadyReviewed(update))
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs(self):
        return [("Updates awaiting approval", reverse("recommendations:approval-list")), ("Return update", None)]

    def get_context_data(self, **kwargs):
        update = self.get_update()
        label_updates([update], self.request.user, update.action.recommendation.challenge)
        return super().get_context_data(**kwargs) | {"update": update}

    def form_valid(self, form):
        try:
            return_update(update=self.get_update(), coordinator=self.request.user, reason=form.cleaned_data["reason"])
        except AlreadyReviewed as reviewed:
            return self.already_reviewed(reviewed)
        messages.success(self.request, f"Update on action {self.update.action.reference} returned to its author")
        return redirect("recommendations:approval-list")


class RecommendationResponseView(ManageChallengeMixin, BreadcrumbsMixin, FormView):
    """The council's response to a recommendation (accepted, partly accepted, not accepted), its
    reasons, and who agreed it and when: recorded by the challenge's coordinators."""

    form_class = RecommendationResponseForm
    template_name = "recommendations/recommendation_response_form.html"

    def get_permission_object(self):
        if not hasattr(self, "recommendation"):
            self.recommendation = get_object_or_404(
                Recommendation.objects.select_related("challenge__council"),
                challenge__slug=self.kwargs["slug"],
                number=self.kwargs["number"],
            )
        return self.recommendation.challenge

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": self.recommendation}

    def get_breadcrumbs(self):
        return [
            *challenge_crumbs(self.recommendation.challenge),
            (f"Recommendation {self.recommendation.number}", self.recommendation.get_absolute_url()),
            ("The council's response", None),
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"recommendation": self.recommendation}

    def form_valid(self, form):
        try:
            record_response(recommendation=self.recommendation, **form.cleaned_data)
        except ValidationError as invalid:
            add_model_errors(form, invalid)
            return self.form_invalid(form)
        messages.success(self.request, f"The council's response to recommendation {self.recommendation.number} saved")
        return redirect(self.recommendation)


class PublishingSettingsView(ManageChallengeMixin, BreadcrumbsMixin, FormView):
    """How a challenge publishes: whether officers' updates need a coordinator's approval, and
    whether lead officers' names are public."""

    form_class = PublishingSettingsForm
    template_name = "recommendations/publishing_settings_form.html"

    def get_permission_object(self):
        self.challenge = get_object_or_404(PeerChallenge.objects.select_related("council"), slug=self.kwargs["slug"])
        return self.challenge

    def get_initial(self):
        return {
            "updates_need_approval": "yes" if self.challenge.updates_need_approval else "no",
            "publish_lead_names": "yes" if self.challenge.publish_lead_names else "no",
        }

    def get_breadcrumbs(self):
        return [*challenge_crumbs(self.challenge), ("Publishing settings", None)]

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"challenge": self.challenge}

    def form_valid(self, form):
        change_publishing_settings(challenge=self.challenge, author=self.request.user, **form.cleaned_data)
        messages.success(self.request, "Publishing settings saved")
        return redirect(self.challenge)
