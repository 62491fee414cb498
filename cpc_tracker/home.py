"""The home page: every peer challenge the installation tracks, with its published status summary.

It shows pieces of every app (the plan, the progress review, reports' charts), so it lives with
the URLconf at the top of the project, above the apps; the apps never import it.
"""

from django.views.generic import ListView

from recommendations.models import PeerChallenge


class HomeView(ListView):
    template_name = "home.html"
    context_object_name = "challenges"
    paginate_by = 5

    def get_queryset(self):
        return (
            PeerChallenge.objects.select_related("council")
            .prefetch_related("progress_reviews")
            .order_by("council__name", "-on_site_from")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context["challenges"]
        summaries = PeerChallenge.objects.filter(pk__in=[c.pk for c in page]).status_summaries()
        context["challenge_summaries"] = [(challenge, summaries[challenge.pk]) for challenge in page]
        return context
