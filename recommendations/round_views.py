"""Pages of update rounds (see recommendations.rounds for the rules): a challenge's rounds, opening
one, its dashboard, reminding the leads who have not replied, closing it, and the page each lead's
e-mail links to, where they update their actions in the round on one page.

Members of the challenge's council read the rounds; its coordinators (and administrators) open,
remind and close them. Only the leads of a round's actions save updates on their round page.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, ListView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from cpc_tracker.forms import add_model_errors
from cpc_tracker.mixins import BreadcrumbsMixin

from . import rounds
from .mixins import ChallengeMixin, ManageChallengeMixin, challenge_crumbs
from .models import Approval, UpdateRound, display_name
from .round_forms import RoundUpdateForm, UpdateRoundForm
from .services import StaleActionError, update_needs_approval
from .views import saved_update_message

READ = "recommendations.read_drafts"
MANAGE = "recommendations.manage_challenge"


def rounds_crumbs(challenge):
    return [
        *challenge_crumbs(challenge),
        ("Update rounds", reverse("recommendations:round-list", args=[challenge.slug])),
    ]


def names(users):
    """'Ann', 'Ann and Bob', 'Ann, Bob and Cy'."""
    named = [display_name(user) for user in users]
    return named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"


def plural(n, word, plural_word=None):
    return f"{n} {word if n == 1 else plural_word or word + 's'}"


class RoundMixin(PermissionRequiredMixin):
    """Views of one round: fetched once with its challenge, for the permission check and the page.
    Members of the council read (the default); views that act say MANAGE."""

    permission_required = READ

    def get_round(self):
        if not hasattr(self, "_round"):
            self._round = get_object_or_404(
                UpdateRound.objects.select_related("challenge__council", "opened_by", "closed_by"), pk=self.kwargs["pk"]
            )
        return self._round

    def get_permission_object(self):
        return self.get_round()

    def round_crumbs(self, *current):
        update_round = self.get_round()
        here = (update_round.title, update_round.get_absolute_url() if current else None)
        return [*rounds_crumbs(update_round.challenge), here, *current]

    def get_breadcrumbs(self):
        return self.round_crumbs()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        update_round = self.get_round()
        context.update(
            round=update_round,
            challenge=update_round.challenge,
            can_manage=self.request.user.has_perm(MANAGE, update_round),
        )
        return context


class RoundListView(BreadcrumbsMixin, ChallengeMixin, PermissionRequiredMixin, ListView):
    """A challenge's update rounds, the open one first, each with how many of its actions were updated."""

    permission_required = READ
    template_name = "recommendations/rounds/round_list.html"
    context_object_name = "rounds"
    paginate_by = 25

    def get_permission_object(self):
        return self.get_challenge()

    def get_queryset(self):
        return rounds.with_figures(UpdateRound.objects.filter(challenge=self.get_challenge())).order_by(
            F("closed_at").desc(nulls_first=True), "-opened_at"
        )

    def get_breadcrumbs(self):
        return [*challenge_crumbs(self.get_challenge()), ("Update rounds", None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for update_round in context["rounds"]:
            update_round.percent = rounds.percent(update_round.updated_count, update_round.action_count)
        context["can_manage"] = self.request.user.has_perm(MANAGE, self.get_challenge())
        return context


class RoundCreateView(BreadcrumbsMixin, ChallengeMixin, ManageChallengeMixin, FormView):
    """A coordinator opens a round: each lead of its actions is asked, once, for their updates."""

    form_class = UpdateRoundForm
    template_name = "recommendations/rounds/round_form.html"

    def get_permission_object(self):
        return self.get_challenge()

    def get_breadcrumbs(self):
        return [*rounds_crumbs(self.get_challenge()), ("Open an update round", None)]

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"challenge": self.get_challenge()}

    def get_initial(self):
        open_actions = rounds.default_actions(self.get_challenge()).values_list("pk", flat=True)
        return {"grace_days": 0, "actions": list(open_actions)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["open_round"] = UpdateRound.objects.filter(
            challenge=self.get_challenge(), closed_at__isnull=True
        ).first()
        return context

    def form_valid(self, form):
        challenge = self.get_challenge()
        try:
            update_round = rounds.open_round(
                challenge=challenge,
                by=self.request.user,
                title=form.cleaned_data["title"],
                deadline=form.cleaned_data["deadline"],
                grace_days=form.cleaned_data["grace_days"],
                actions=list(form.cleaned_data["actions"]),
            )
        except ValidationError as invalid:
            add_model_errors(form, invalid)
            return self.form_invalid(form)
        asked = (
            rounds.round_leads(update_round.actions.all(), challenge.council_id)
            .values("lead_officer")
            .distinct()
            .count()
        )
        actions = update_round.actions.count()
        if asked:
            who = f"{plural(asked, 'lead')} {'was' if asked == 1 else 'were'} asked for their updates"
        else:
            who = "Nobody was asked: no action in it has a lead officer who can update it"
        messages.success(self.request, f"Update round opened with {plural(actions, 'action')}. {who}")
        return redirect(update_round)


class RoundDetailView(BreadcrumbsMixin, RoundMixin, TemplateView):
    """The round's dashboard: how many actions were updated, by lead and by theme, what is
    outstanding, and (for coordinators) reminding the leads who have not replied and closing it."""

    template_name = "recommendations/rounds/round_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        update_round = self.get_round()
        progress = rounds.round_progress(update_round)
        outstanding = progress.outstanding_leads
        context.update(
            progress=progress,
            leads=[tally for tally in progress.by_lead if tally.lead is not None],
            unassigned=next((tally for tally in progress.by_lead if tally.lead is None), None),
            outstanding_leads=outstanding,
            to_remind=[tally for tally in outstanding if not tally.reminded_today],
            reminded_today=[tally for tally in outstanding if tally.reminded_today],
            reports=[] if update_round.is_open else list(update_round.committee_reports.all()),
        )
        return context


class RoundRemindView(RoundMixin, View):
    """Remind the leads with actions outstanding, once a day each at most (POST from the dashboard)."""

    permission_required = MANAGE
    http_method_names = ["post"]

    def post(self, request, pk):
        update_round = self.get_round()
        try:
            result = rounds.send_round_reminders(update_round=update_round, by=request.user)
        except ValidationError as refused:
            messages.info(request, " ".join(refused.messages))
            return redirect(update_round)
        skipped = [lead for lead, _ in result.skipped]
        not_again = skipped and (
            f"{names(skipped)} {'was' if len(skipped) == 1 else 'were'} already reminded today "
            "and can be reminded again tomorrow"
        )
        if result.sent:
            message = f"Reminder sent to {names(result.sent)}"
            messages.success(request, f"{message}. {not_again}" if skipped else message)
        elif skipped:
            messages.info(request, f"No reminder sent: {not_again}")
        else:
            messages.info(request, "No reminder sent: every lead has updated all their actions in this round")
        return redirect(update_round)


class RoundCloseView(BreadcrumbsMixin, RoundMixin, TemplateView):
    """Confirm, then close the round: its figures are fixed and a committee report can be made from it."""

    permission_required = MANAGE
    template_name = "recommendations/rounds/round_confirm_close.html"

    def get_breadcrumbs(self):
        return self.round_crumbs(("Close the round", None))

    def already_closed(self):
        update_round = UpdateRound.objects.get(pk=self.get_round().pk)
        when = timezone.localtime(update_round.closed_at)
        messages.info(self.request, f"This round is already closed: it closed on {when:%-d %B %Y at %H:%M}")
        return redirect(update_round)

    def get(self, request, *args, **kwargs):
        if not self.get_round().is_open:
            return self.already_closed()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"progress": rounds.round_progress(self.get_round())}

    def post(self, request, *args, **kwargs):
        try:
            closed = rounds.close_round(update_round=self.get_round(), by=request.user)
        except ValidationError:
            return self.already_closed()
        messages.success(
            request,
            f"Update round closed. Its figures are fixed: {closed.title} counts the updates written until now",
        )
        return redirect(closed)


class MyRoundUpdatesView(BreadcrumbsMixin, RoundMixin, TemplateView):
    """The page a lead's e-mail links to: the actions they lead in the round, each updated or still
    to update, and the updates of several of them on one page, saved all together or not at all."""

    template_name = "recommendations/rounds/my_updates.html"

    def get_breadcrumbs(self):
        return self.round_crumbs(("Your updates", None))

    def led_actions(self):
        """The actions of the round the user leads (and may update), each marked updated_for_round."""
        if not hasattr(self, "_led"):
            update_round = self.get_round()
            mine = rounds.round_leads(
                update_round.actions.filter(lead_officer=self.request.user), update_round.challenge.council_id
            )
            self._led = list(
                rounds.with_round_update(mine, update_round)
                .select_related("recommendation__challenge", "lead_officer")
                .in_plan_order()
            )
        return self._led

    def needs_approval(self):
        return update_needs_approval(challenge=self.get_round().challenge, author=self.request.user)

    def make_forms(self, data=None):
        """A form for each action still to update (and any whose fields were posted), prefixed by action."""
        if not self.get_round().is_open:
            return []
        needs_approval = self.needs_approval()
        forms = []
        for action in self.led_actions():
            prefix = f"action-{action.pk}"
            posted = data is not None and f"{prefix}-version" in data
            if action.updated_for_round and not posted:
                continue
            forms.append(
                RoundUpdateForm(
                    data if posted else None,
                    prefix=prefix,
                    action=action,
                    needs_approval=needs_approval,
                    initial={"status": action.status, "version": action.version},
                )
            )
        return forms

    def get_context_data(self, forms=None, page_errors=(), **kwargs):
        context = super().get_context_data(**kwargs)
        forms = self.make_forms() if forms is None else forms
        by_action = {form.action.pk: form for form in forms}
        items = [{"action": action, "form": by_action.get(action.pk)} for action in self.led_actions()]
        first_field = f"id_{forms[0].prefix}-status_1" if forms else ""
        error_links = [(first_field, error) for error in page_errors]
        for form in forms:
            if form.is_bound:
                error_links += error_links_of(form)
        context.update(
            items=items,
            forms=forms,
            page_errors=page_errors,
            error_links=error_links,
            to_update=sum(1 for action in self.led_actions() if not action.updated_for_round),
        )
        return context

    def post(self, request, *args, **kwargs):
        if not self.led_actions():
            raise PermissionDenied("You lead no actions in this round")
        update_round = self.get_round()
        if not update_round.is_open:
            messages.info(
                request,
                "This round is closed, so nothing was saved here: add updates from each action's own page",
            )
            return redirect("recommendations:round-my-updates", update_round.pk)
        forms = self.make_forms(request.POST)
        filled = [form for form in forms if form.is_bound and not form.is_blank]
        if not filled:
            return self.refuse(forms, ["Write an update on at least one of your actions: nothing was saved"])
        if not all([form.is_valid() for form in filled]):  # a list, so every form shows its errors
            return self.refuse(forms)
        today = timezone.localdate()
        try:
            saved = rounds.record_round_updates(
                author=request.user, updates=[(form.action, form.update_fields(today)) for form in filled]
            )
        except rounds.RoundUpdatesRefused as refused:
            for form in filled:
                error = refused.errors.get(form.action.pk)
                if isinstance(error, StaleActionError):
                    refuse_stale(form, error)
                elif error is not None:
                    add_model_errors(form, error)
            return self.refuse(forms)
        messages.success(request, saved_message(saved))
        return redirect("recommendations:round-my-updates", update_round.pk)

    def refuse(self, forms, page_errors=()):
        """Show the page again, nothing saved: the forms left blank as new, the others with their errors."""
        shown = [form if not form.is_bound or not form.is_blank else fresh(form) for form in forms]
        return self.render_to_response(self.get_context_data(forms=shown, page_errors=list(page_errors)))


def fresh(form):
    """An unbound form in place of one left blank, so it shows no errors."""
    return RoundUpdateForm(
        prefix=form.prefix,
        action=form.action,
        needs_approval=form.needs_approval,
        initial={"status": form.action.status, "version": form.action.version},
    )


def refuse_stale(form, stale):
    form.add_error(
        None,
        f"Someone else updated action {stale.action.reference} after you opened this page. Check its page, "
        "then save your updates again if they are still right",
    )
    data = form.data.copy()
    data[form.add_prefix("version")] = stale.action.version
    form.data = data
    form.changes = stale.changes


def error_links_of(form):
    """(the id to link to, message) for each of a form's errors, in the order of its fields."""
    links = [(first_input_id(form["status"]), error) for error in form.non_field_errors()]
    for field in form.visible_fields():
        for error in field.errors:
            links.append((first_input_id(field), error))
    return links


def first_input_id(bound_field):
    """Radios' ids are numbered from 1 (crispy-forms-gds): link to the first."""
    if getattr(bound_field.field.widget, "input_type", "") == "radio":
        return f"{bound_field.auto_id}_1"
    return bound_field.auto_id


def saved_message(saved):
    if len(saved) == 1:
        return saved_update_message(saved[0])
    references = [update.action.reference for update in saved]
    listed = f"{', '.join(references[:-1])} and {references[-1]}"
    message = f"{len(saved)} progress updates saved, for actions {listed}"
    awaiting = sum(1 for update in saved if update.approval == Approval.AWAITING)
    if awaiting:
        message += (
            f". {plural(awaiting, 'update')} {'is' if awaiting == 1 else 'are'} awaiting a coordinator's approval"
        )
    return message
