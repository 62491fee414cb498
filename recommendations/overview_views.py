"""The LGA overview page (public): every council's peer challenges, filtered, a page at a time, and
their themes compared. What it counts and how: recommendations.overview."""

from django.utils import timezone
from django_filters.views import FilterView

from . import clock
from .models import ROLL_UP_RULE
from .overview import (
    CHALLENGES_PER_PAGE,
    THEME_ROWS,
    OverviewFilter,
    challenge_rows,
    overview_challenges,
    theme_comparison,
)


class OverviewView(FilterView):
    """Public, and the same for everyone: published statuses only, whoever reads it."""

    filterset_class = OverviewFilter
    template_name = "recommendations/overview.html"
    context_object_name = "challenges"
    paginate_by = CHALLENGES_PER_PAGE

    def get_queryset(self):
        return overview_challenges()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        context["rows"] = challenge_rows(context["challenges"], today=today)
        themes = theme_comparison(self.object_list)
        context["themes"] = themes[:THEME_ROWS]
        context["theme_count"] = len(themes)
        context["clock_rules"] = clock.RULES
        context["roll_up_rule"] = ROLL_UP_RULE
        context["filtered"] = any(self.request.GET.get(name) for name in self.filterset.filters)
        return context
