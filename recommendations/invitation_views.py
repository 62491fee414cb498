"""Inviting people to a council, and accepting an invitation (the rules: recommendations.invitations).

- The invitations page lists the pending invitations of the councils the user may invite to, with
  a button to invite someone to each and one to withdraw each invitation.
- The invite form is the council's (`/councils/<slug>/invitations/new/`): its coordinators and
  administrators only; anyone else gets 403.
- The link in the e-mail opens the accept page, which needs no sign-in: the token is the key.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import UserPassesTestMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.views.generic import FormView, TemplateView, View

from cpc_tracker.forms import add_model_errors
from cpc_tracker.mixins import BreadcrumbsMixin

from .invitation_forms import InvitationForm, NewAccountForm
from .invitations import (
    InvitationNotValid,
    a_role,
    accept_as,
    accept_with_new_account,
    accounts_for,
    can_invite_to,
    find_pending,
    invitable_councils,
    invite,
    is_for,
    withdraw,
)
from .mixins import ManageSomePlanMixin
from .models import Council, Invitation


def invitation_crumbs():
    return [("Peer challenges", reverse("home")), ("Invitations", reverse("recommendations:invitation-list"))]


class InvitationListView(ManageSomePlanMixin, TemplateView):
    """Coordinators (of any council) and administrators: each council they may invite to, with its
    pending invitations."""

    template_name = "recommendations/invitations/invitation_list.html"

    def get_context_data(self, **kwargs):
        pending = Invitation.objects.pending().select_related("invited_by").order_by("-created_at", "-pk")
        councils = invitable_councils(self.request.user).prefetch_related(
            Prefetch("invitations", queryset=pending, to_attr="pending")
        )
        return super().get_context_data(**kwargs) | {
            "councils": councils,
            "expiry_days": settings.INVITATION_EXPIRY_DAYS,
        }


class CouncilInvitationMixin(UserPassesTestMixin):
    """The council's coordinators and administrators; other signed-in users get 403."""

    def test_func(self):
        self.council = get_object_or_404(Council, slug=self.kwargs["slug"])
        return can_invite_to(self.request.user, self.council)


class InvitationCreateView(CouncilInvitationMixin, BreadcrumbsMixin, FormView):
    form_class = InvitationForm
    template_name = "recommendations/invitations/invitation_form.html"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": Invitation(council=self.council)}

    def get_breadcrumbs(self):
        return [*invitation_crumbs(), (f"Invite someone to {self.council}", None)]

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "council": self.council,
            "expiry_days": settings.INVITATION_EXPIRY_DAYS,
        }

    def form_valid(self, form):
        try:
            invitation, _token = invite(council=self.council, invited_by=self.request.user, **form.cleaned_data)
        except ValidationError as invalid:
            add_model_errors(form, invalid)
            return self.form_invalid(form)
        messages.success(self.request, f"Invitation sent to {invitation.email}")
        return redirect("recommendations:invitation-list")


class InvitationWithdrawView(UserPassesTestMixin, View):
    """POST only, from the invitations page."""

    http_method_names = ["post"]

    def test_func(self):
        self.invitation = get_object_or_404(Invitation.objects.select_related("council"), pk=self.kwargs["pk"])
        return can_invite_to(self.request.user, self.invitation.council)

    def post(self, request, *args, **kwargs):
        if withdraw(invitation=self.invitation, by=request.user):
            messages.success(request, f"Invitation to {self.invitation.email} withdrawn")
        else:
            messages.info(request, f"The invitation to {self.invitation.email} had already been used or withdrawn")
        return redirect("recommendations:invitation-list")


class InvitationAcceptView(View):
    """The link in the e-mail. Not signed in and new: a form for their name and password. With an
    account already: sign in, then accept. Signed in as someone else: sign out first."""

    templates = {
        "new account": "recommendations/invitations/accept_new_account.html",
        "existing account": "recommendations/invitations/accept_existing_account.html",
        "sign in first": "recommendations/invitations/accept_sign_in.html",
        "someone else": "recommendations/invitations/accept_someone_else.html",
    }

    def dispatch(self, request, *args, **kwargs):
        try:
            self.invitation = find_pending(kwargs["token"])
        except InvitationNotValid:
            return self.not_valid()
        return super().dispatch(request, *args, **kwargs)

    def not_valid(self):
        context = {"expiry_days": settings.INVITATION_EXPIRY_DAYS}
        return render(self.request, "recommendations/invitations/invitation_not_valid.html", context, status=404)

    def situation(self):
        user = self.request.user
        if user.is_authenticated:
            return "existing account" if is_for(self.invitation, user) else "someone else"
        return "sign in first" if accounts_for(self.invitation.email).exists() else "new account"

    def render_page(self, situation, form=None):
        context = {
            "invitation": self.invitation,
            "role": a_role(self.invitation.role),
            "form": form,
            "sign_in_url": redirect_to_login(self.request.path)["Location"],
        }
        return render(self.request, self.templates[situation], context)

    def new_account_form(self):
        return NewAccountForm(self.request.POST or None, invitation=self.invitation)

    def get(self, request, *args, **kwargs):
        situation = self.situation()
        return self.render_page(situation, self.new_account_form() if situation == "new account" else None)

    def post(self, request, *args, **kwargs):
        situation = self.situation()
        try:
            if situation == "new account":
                return self.create_account()
            if situation == "existing account":
                return self.accept_as_user()
        except InvitationNotValid:
            return self.not_valid()
        return self.render_page(situation)

    def create_account(self):
        form = self.new_account_form()
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = accept_with_new_account(
                    invitation=self.invitation,
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    password=data["password1"],
                )
            except ValidationError as invalid:
                add_model_errors(form, invalid)
            else:
                login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(
                    self.request,
                    f"Your account is set up. You are {a_role(self.invitation.role)} of {self.invitation.council}. "
                    f"Your username is {user.get_username()}",
                )
                return redirect(resolve_url(settings.LOGIN_REDIRECT_URL))
        return self.render_page("new account", form)

    def accept_as_user(self):
        membership, created = accept_as(invitation=self.invitation, user=self.request.user)
        if created:
            messages.success(self.request, f"You are now {a_role(membership.role)} of {membership.council}")
        else:
            messages.info(
                self.request,
                f"You already were {a_role(membership.role)} of {membership.council}: "
                "the invitation did not change that",
            )
        return redirect(resolve_url(settings.LOGIN_REDIRECT_URL))
