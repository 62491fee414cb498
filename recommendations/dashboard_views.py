"""Where each role starts after signing in, and the coordinators' dashboard.

- **Start page:** coordinators (and administrators) go to the dashboard, officers to My actions,
  scrutiny members to the action plan table; someone with several roles by their strongest
  (coordinator, then officer, then scrutiny member); someone with none to the home page.
- **Dashboard:** for each challenge the coordinator manages, how many of its actions are overdue,
  due within 30 days, stale (no update in 90 days), without a lead officer, and how many updates
  await approval, with the open update round's progress. Each figure links to exactly those actions
  in the action plan table (whose filters use the same rules) or to the approvals list.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from .filters import NOT_COMPLETE, STALE_AFTER_DAYS
from .mixins import ManageSomePlanMixin
from .models import Action, ProgressUpdate, Role, UpdateRound
from .permissions import is_admin, managed_challenges, roles_of
from .rounds import percent, stale, with_figures

DUE_SOON_DAYS = 30

# The strongest role first: someone with several roles starts where the strongest one works.
START_PAGES = [
    (Role.COORDINATOR, "recommendations:dashboard"),
    (Role.OFFICER, "recommendations:my-actions"),
    (Role.SCRUTINY_MEMBER, "recommendations:action-plan"),
]


def start_page(user):
    """The URL name of the page `user` starts on after signing in."""
    if is_admin(user):
        return "recommendations:dashboard"
    roles = set(roles_of(user).values())
    for role, page in START_PAGES:
        if role in roles:
            return page
    return "home"


class StartView(LoginRequiredMixin, View):
    """After signing in (settings.LOGIN_REDIRECT_URL): on to the page for the user's role."""

    def get(self, request):
        return redirect(start_page(request.user))


@dataclass(frozen=True)
class Figure:
    """One count of actions on the dashboard: its column heading, which actions it counts (`rule`, on
    a queryset of actions) and the action plan filters that list exactly those."""

    name: str
    heading: str
    rule: Callable
    filters: dict


FIGURES = [
    Figure("overdue", "Overdue", lambda actions, today: actions.overdue(today), {"due": "overdue"}),
    Figure(
        "due_soon",
        f"Due within {DUE_SOON_DAYS} days",
        lambda actions, today: actions.due_within(DUE_SOON_DAYS, today),
        {"due": "within_30_days"},
    ),
    Figure(
        "stale",
        f"No update in {STALE_AFTER_DAYS} days",
        lambda actions, today: stale(actions, days=STALE_AFTER_DAYS, today=today),
        {"updated": "90_days"},
    ),
    Figure(
        "unassigned",
        "No lead officer",
        lambda actions, today: actions.open().filter(lead_officer__isnull=True),
        {"lead": "null", "status": NOT_COMPLETE},
    ),
]


@dataclass
class Cell:
    figure: Figure
    count: int
    url: str


@dataclass
class ChallengeFigures:
    challenge: object
    counts: dict = field(default_factory=dict)
    awaiting: int = 0
    open_round: UpdateRound = None  # with action_count and updated_count (recommendations.rounds.with_figures)

    def plan_url(self, **filters):
        return reverse("recommendations:action-plan") + "?" + urlencode({"challenge": self.challenge.pk, **filters})

    @property
    def round_percent(self):
        return percent(self.open_round.updated_count, self.open_round.action_count) if self.open_round else 0

    @property
    def total(self):
        return self.counts.get("total", 0)

    @property
    def all_url(self):
        return self.plan_url()

    @property
    def cells(self):
        """A Cell for each figure, in FIGURES' order: the count and the link to the actions counted."""
        return [Cell(figure, self.counts.get(figure.name, 0), self.plan_url(**figure.filters)) for figure in FIGURES]


def dashboard_figures(user, today=None):
    """[ChallengeFigures] for every challenge `user` manages, by council. Four queries, however many
    challenges and actions there are."""
    today = today or timezone.localdate()
    challenges = list(managed_challenges(user).select_related("council").order_by("council__name", "-on_site_from"))
    ids = [challenge.pk for challenge in challenges]
    actions = Action.objects.filter(recommendation__challenge__in=ids)
    counts = {
        row.pop("recommendation__challenge_id"): row
        for row in actions.values("recommendation__challenge_id")
        .annotate(
            total=Count("pk"),
            **{
                figure.name: Count("pk", filter=Q(pk__in=figure.rule(actions, today).values("pk")))
                for figure in FIGURES
            },
        )
        .order_by()
    }
    awaiting = dict(
        ProgressUpdate.objects.awaiting_approval()
        .filter(action__recommendation__challenge__in=ids)
        .values_list("action__recommendation__challenge_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rounds = {
        update_round.challenge_id: update_round
        for update_round in with_figures(UpdateRound.objects.filter(challenge__in=ids, closed_at__isnull=True))
    }
    return [
        ChallengeFigures(
            challenge,
            counts=counts.get(challenge.pk, {}),
            awaiting=awaiting.get(challenge.pk, 0),
            open_round=rounds.get(challenge.pk),
        )
        for challenge in challenges
    ]


class DashboardView(ManageSomePlanMixin, TemplateView):
    """The coordinators' start page: what needs attention in each challenge they manage."""

    template_name = "recommendations/dashboard.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        return super().get_context_data(**kwargs) | {
            "challenges": dashboard_figures(self.request.user, today=today),
            "figures": FIGURES,
            "today": today,
            "due_soon_until": today + datetime.timedelta(days=DUE_SOON_DAYS),
            "stale_days": STALE_AFTER_DAYS,
            "due_soon_days": DUE_SOON_DAYS,
        }
