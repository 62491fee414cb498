"""View pieces every app's pages under a challenge share: the challenge, its breadcrumbs, and the
per-council permission checks (the rules themselves are in recommendations.permissions)."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from rules.contrib.views import PermissionRequiredMixin

from .models import PeerChallenge


def challenge_crumbs(challenge):
    return [
        ("Peer challenges", reverse("home")),
        (f"{challenge.council.name}", challenge.get_absolute_url()),
    ]


class ChallengeMixin:
    """Pages under /challenges/<slug>/ know their challenge."""

    def challenge_queryset(self):
        return PeerChallenge.objects.select_related("council")

    def get_challenge(self):
        if not hasattr(self, "_challenge"):
            self._challenge = get_object_or_404(self.challenge_queryset(), slug=self.kwargs["slug"])
        return self._challenge

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["challenge"] = self.get_challenge()
        return context


class ManageChallengeMixin(PermissionRequiredMixin):
    """The challenge's coordinators and administrators only: others get 403, anonymous users the
    sign-in page. Views say which challenge with get_permission_object()."""

    permission_required = "recommendations.manage_challenge"


class ManageSomePlanMixin(PermissionRequiredMixin):
    """Coordinators of any council (and administrators): lists scoped to what they manage."""

    permission_required = "recommendations.manage_some_plan"
