"""Pages that change indicators: a figure for a period (added or corrected), an indicator's settings
(added or changed), and the CSV import of its figures (upload and check, then confirm).

Who may do what is in reviews.indicators: figures are entered by the indicator's owner and the
council's coordinators ("reviews.edit_indicator"); its settings, public or internal above all, are
the coordinators' ("recommendations.manage_challenge"). Others get 403, anonymous users the
sign-in page; an internal indicator is not found (404) by anyone who may not read it, as on its own
page. Every write goes through reviews.indicator_services.
"""

import base64
import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from cpc_tracker.forms import add_model_errors
from cpc_tracker.mixins import BreadcrumbsMixin
from recommendations.mixins import ChallengeMixin, ManageChallengeMixin, challenge_crumbs

from . import indicator_import, indicator_rounds, indicator_services
from .indicator_forms import ConfirmImportForm, IndicatorForm, IndicatorValueForm, IndicatorValuesUploadForm
from .indicators import may_read
from .models import Indicator

EDIT = "reviews.edit_indicator"
MANAGE = "recommendations.manage_challenge"
READ_DRAFTS = "recommendations.read_drafts"
SESSION_KEY = "indicator_values_import"


def indicators_crumbs(challenge):
    return [*challenge_crumbs(challenge), ("Indicators", reverse("reviews:indicator-list", args=[challenge.slug]))]


class IndicatorMixin(BreadcrumbsMixin, PermissionRequiredMixin):
    """Views of one indicator: fetched once, with its challenge, for the permission check and the page."""

    permission_required = EDIT
    indicator_kwarg = "pk"  # the URL argument naming the indicator

    def get_indicator(self):
        """The indicator; an internal one is not found by anyone who may not read it (signed in or
        not), as on its own page."""
        if not hasattr(self, "_indicator"):
            self._indicator = get_object_or_404(
                Indicator.objects.select_related("challenge__council", "owner"), pk=self.kwargs[self.indicator_kwarg]
            )
            if not may_read(self.request.user, self._indicator):
                raise Http404("No such indicator")
        return self._indicator

    def get_permission_object(self):
        indicator = self.get_indicator()
        return indicator.challenge if self.permission_required == MANAGE else indicator

    def indicator_crumbs(self, *current):
        indicator = self.get_indicator()
        return [*indicators_crumbs(indicator.challenge), (indicator.name, indicator.get_absolute_url()), *current]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        indicator = self.get_indicator()
        context.update(indicator=indicator, challenge=indicator.challenge)
        return context


class StaleIndicatorMixin:
    """A stale form is shown again with the figures entered most recently, the typed values kept and
    the version brought up to date so the person can save again."""

    def refuse_stale(self, form, stale, message):
        form.add_error(None, message)
        data = form.data.copy()
        data["version"] = stale.indicator.version
        form.data = data
        return self.render_to_response(self.get_context_data(form=form, recent=stale.recent))


# A figure for a period ------------------------------------------------------------------------------


class IndicatorValueFormView(StaleIndicatorMixin, IndicatorMixin, FormView):
    """Add a figure for a period, if nobody changed the indicator meanwhile."""

    form_class = IndicatorValueForm
    template_name = "reviews/indicators/value_form.html"

    def get_existing(self):
        return None

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"indicator": self.get_indicator(), "existing": self.get_existing()}

    def title(self):
        existing = self.get_existing()
        return f"Change the figure for {existing.period}" if existing else "Add a figure"

    def get_breadcrumbs(self):
        return self.indicator_crumbs((self.title(), None))

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"title": self.title(), "existing": self.get_existing()}

    def form_valid(self, form):
        indicator = self.get_indicator()
        try:
            record = indicator_services.save_value(
                indicator=indicator, by=self.request.user, existing=self.get_existing(), **form.value_fields()
            )
        except indicator_services.StaleIndicatorError as stale:
            return self.refuse_stale(
                form,
                stale,
                "Someone else changed this indicator or its figures after you opened this page. Check the "
                "figures below, then save yours again if it is still right.",
            )
        except ValidationError as invalid:
            add_model_errors(form, invalid)
            return self.form_invalid(form)
        what = "corrected" if self.get_existing() else "added"
        messages.success(self.request, f"Figure for {record.period} {what}")
        return redirect(indicator)


class IndicatorValueEditView(IndicatorValueFormView):
    """Correct a figure (`pk`) of the indicator (`indicator_id`), if nobody changed the indicator meanwhile."""

    indicator_kwarg = "indicator_id"

    def get_existing(self):
        if not hasattr(self, "_existing"):
            self._existing = get_object_or_404(self.get_indicator().values, pk=self.kwargs["pk"])
        return self._existing


# An indicator's settings ----------------------------------------------------------------------------


class IndicatorCreateView(BreadcrumbsMixin, ChallengeMixin, ManageChallengeMixin, FormView):
    """A coordinator adds an indicator to a peer challenge: internal unless they make it public."""

    form_class = IndicatorForm
    template_name = "reviews/indicators/indicator_form.html"

    def get_permission_object(self):
        return self.get_challenge()

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"challenge": self.get_challenge()}

    def get_initial(self):
        return {"public": "no", "polarity": "", "frequency": "annual"}

    def get_breadcrumbs(self):
        return [*indicators_crumbs(self.get_challenge()), ("Add an indicator", None)]

    def form_valid(self, form):
        try:
            indicator = indicator_services.create_indicator(challenge=self.get_challenge(), **form.indicator_fields())
        except ValidationError as invalid:
            add_model_errors(form, invalid)
            return self.form_invalid(form)
        messages.success(self.request, f"Indicator {indicator.name} added")
        return redirect(indicator)


class IndicatorUpdateView(StaleIndicatorMixin, IndicatorMixin, FormView):
    """A coordinator changes an indicator's settings. Refused if someone changed it meanwhile."""

    permission_required = MANAGE
    form_class = IndicatorForm
    template_name = "reviews/indicators/indicator_form.html"

    def get_form_kwargs(self):
        indicator = self.get_indicator()
        return super().get_form_kwargs() | {"challenge": indicator.challenge, "instance": indicator}

    def get_breadcrumbs(self):
        return self.indicator_crumbs(("Change", None))

    def form_valid(self, form):
        fields = form.indicator_fields()
        try:
            indicator = indicator_services.change_indicator(
                indicator=self.get_indicator(),
                seen_version=form.cleaned_data["version"],
                **fields,
            )
        except indicator_services.StaleIndicatorError as stale:
            return self.refuse_stale(
                form,
                stale,
                "Someone else changed this indicator or its figures after you opened this page. Check it, "
                "then save your changes again if they are still right.",
            )
        except ValidationError as invalid:
            add_model_errors(form, invalid)
            return self.form_invalid(form)
        messages.success(self.request, f"Indicator {indicator.name} saved")
        return redirect(indicator)


# The CSV import ------------------------------------------------------------------------------------


class ImportPageMixin(IndicatorMixin):
    def import_url(self):
        return reverse("reviews:indicator-import", args=[self.get_indicator().pk])

    def check(self, values_file, area):
        indicator = self.get_indicator()
        return lambda existing: indicator_import.check_rows(
            values_file, areas=[area], metrics=[indicator.source_id, indicator.name], existing=existing
        )

    def render_preview(self, preview, *, area, changed_since=False):
        """The preview page; a clean file with changes waits in the session for the confirm step."""
        indicator = self.get_indicator()
        for change in preview.added + preview.changed:
            change.figure, change.old_figure = indicator.format(change.value), indicator.format(change.old)
        context = {
            "indicator": indicator,
            "challenge": indicator.challenge,
            "preview": preview,
            "area": area,
            "changed_since": changed_since,
            "import_url": self.import_url(),
            "crumbs": self.indicator_crumbs(("Import figures", self.import_url()), ("Check the figures", None)),
        }
        if preview.is_clean and preview.has_changes:
            pending = self.request.session.get(SESSION_KEY, {})
            pending["fingerprint"] = preview.fingerprint
            self.request.session[SESSION_KEY] = pending
            context["confirm_form"] = ConfirmImportForm(initial={"token": pending["token"]})
            context["confirm_url"] = reverse("reviews:indicator-import-confirm", args=[indicator.pk])
        else:
            self.request.session.pop(SESSION_KEY, None)
        return TemplateResponse(self.request, "reviews/indicators/import_preview.html", context)


class IndicatorImportView(ImportPageMixin, FormView):
    """Upload an LG Inform CSV download and see what importing it would add and change."""

    form_class = IndicatorValuesUploadForm
    template_name = "reviews/indicators/import_form.html"

    def get_initial(self):
        return {"area": indicator_import.default_area(self.get_indicator().challenge.council.name)}

    def get_breadcrumbs(self):
        return self.indicator_crumbs(("Import figures", None))

    def form_valid(self, form):
        indicator = self.get_indicator()
        area = form.cleaned_data["area"]
        self.request.session[SESSION_KEY] = {
            "token": secrets.token_urlsafe(16),
            "indicator": indicator.pk,
            "area": area,
            "content": base64.b64encode(form.content).decode("ascii"),
        }
        preview = self.check(form.values_file, area)(indicator_services.existing_values(indicator))
        return self.render_preview(preview, area=area)


class IndicatorImportConfirmView(ImportPageMixin, View):
    """Import the file checked on the preview page, if it would still do what the preview showed."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        indicator = self.get_indicator()
        pending = request.session.get(SESSION_KEY)
        form = ConfirmImportForm(request.POST)
        if (
            not form.is_valid()
            or not pending
            or pending.get("indicator") != indicator.pk
            or not secrets.compare_digest(pending.get("token", "").encode(), form.cleaned_data["token"].encode())
        ):
            messages.warning(request, "The file you checked is no longer waiting to be imported. Upload it again.")
            return redirect(self.import_url())
        area = pending["area"]
        try:
            values_file = indicator_import.read_values_file(base64.b64decode(pending["content"]))
            preview = indicator_services.import_values(
                indicator=indicator,
                by=request.user,
                check=self.check(values_file, area),
                expected=pending.get("fingerprint"),
            )
        except indicator_services.ImportChanged as changed:
            return self.render_preview(changed.args[0], area=area, changed_since=True)
        except (ValidationError, IntegrityError, indicator_import.FileProblem):
            messages.warning(
                request,
                "The figures changed while the file was being imported. Nothing was imported; upload the file again.",
            )
            return redirect(self.import_url())
        request.session.pop(SESSION_KEY, None)
        messages.success(request, f"Imported: {preview.summary}")
        return redirect(indicator)


# Figures due ------------------------------------------------------------------------------------------


class FiguresDueView(BreadcrumbsMixin, ChallengeMixin, PermissionRequiredMixin, TemplateView):
    """The indicators of a challenge with a figure due, by owner (reviews.indicator_rounds): for the
    council's members, as it lists internal indicators; linked from the update rounds' pages."""

    permission_required = READ_DRAFTS
    template_name = "reviews/indicators/figures_due.html"

    def get_permission_object(self):
        return self.get_challenge()

    def get_breadcrumbs(self):
        return [*indicators_crumbs(self.get_challenge()), ("Figures due", None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        challenge = self.get_challenge()
        context["due"] = indicator_rounds.figures_due(challenge)
        context["open_round"] = challenge.update_rounds.filter(closed_at__isnull=True).first()
        context["can_manage"] = self.request.user.has_perm(MANAGE, challenge)
        return context
