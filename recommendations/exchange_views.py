"""Coordinators download a challenge's action plan as a spreadsheet and import it back.

The import is in two steps: upload (checked and previewed, nothing written), then confirm.
Between the two the file waits in the session under a random token; on confirm it is checked
again against the plan as it is then, and imported only if it would still do what the
preview showed.
"""

import base64
import secrets

from crispy_forms_gds.layout import Field, Layout, Submit
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views import View
from django.views.generic import FormView

from cpc_tracker.forms import GovukFormHelper
from cpc_tracker.mixins import BreadcrumbsMixin

from . import exchange
from .mixins import ChallengeMixin, ManageChallengeMixin, challenge_crumbs
from .models import Response, Status

SESSION_KEY = "action_plan_import"


def or_list(words):
    """ "A, B or C"."""
    words = list(words)
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


class ActionPlanUploadForm(forms.Form):
    file = forms.FileField(
        label="Upload the action plan",
        help_text=(
            f"A CSV or Excel (.xlsx) file of 1 MB or less, with up to {exchange.MAX_ROWS} actions "
            "and the columns of the downloaded action plan"
        ),
        error_messages={
            "required": "Select a CSV or Excel file",
            "empty": "The file is empty",
            "invalid": "Select a CSV or Excel file",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx"
        self.helper = GovukFormHelper()
        self.helper.layout = Layout(Field("file"), Submit("submit", "Check the file"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        format = exchange.format_of(upload.name)
        if format is None:
            raise ValidationError("The file must be a CSV or XLSX file", code="format")
        if upload.size > exchange.MAX_FILE_BYTES:
            raise ValidationError("The file must be smaller than 1 MB", code="too_big")
        content = upload.read()
        try:
            exchange.read_plan_file(content, format)
        except exchange.FileProblem as problem:
            raise ValidationError(str(problem), code="unreadable") from None
        self.content = content
        self.format = format
        return upload


class ConfirmImportForm(forms.Form):
    """The token of the file waiting in the session; the template lays out the button."""

    token = forms.CharField(widget=forms.HiddenInput)


class ManageActionPlanMixin(ManageChallengeMixin, ChallengeMixin):
    """The challenge's coordinators and administrators only."""

    def get_permission_object(self):
        return self.get_challenge()


class ActionPlanExportView(ManageActionPlanMixin, View):
    """The challenge's action plan as a file to download."""

    format = None

    def get(self, request, *args, **kwargs):
        challenge = self.get_challenge()
        content = exchange.export_action_plan(challenge=challenge, format=self.format)
        response = HttpResponse(content, content_type=exchange.CONTENT_TYPES[self.format])
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=exchange.export_filename(challenge, self.format)
        )
        return response


class ImportPageMixin(ManageActionPlanMixin, BreadcrumbsMixin):
    def import_url(self):
        return reverse("recommendations:action-plan-import", args=[self.get_challenge().slug])

    def render_preview(self, preview, *, changed_since=False):
        """The preview page; a clean file with changes waits in the session for the confirm step."""
        challenge = self.get_challenge()
        context = {
            "challenge": challenge,
            "preview": preview,
            "changed_since": changed_since,
            "import_url": self.import_url(),
            "crumbs": [
                *challenge_crumbs(challenge),
                ("Import the action plan", self.import_url()),
                ("Check the changes", None),
            ],
        }
        if preview.is_clean and preview.has_changes:
            pending = self.request.session.get(SESSION_KEY, {})
            pending["fingerprint"] = preview.fingerprint
            self.request.session[SESSION_KEY] = pending
            context["confirm_form"] = ConfirmImportForm(initial={"token": pending["token"]})
            context["confirm_url"] = reverse("recommendations:action-plan-import-confirm", args=[challenge.slug])
        else:
            self.request.session.pop(SESSION_KEY, None)
        return TemplateResponse(self.request, "recommendations/exchange/import_preview.html", context)


class ActionPlanImportView(ImportPageMixin, FormView):
    """Upload a CSV or XLSX action plan and see what importing it would change."""

    form_class = ActionPlanUploadForm
    template_name = "recommendations/exchange/import_form.html"

    def get_breadcrumbs(self):
        return [*challenge_crumbs(self.get_challenge()), ("Import the action plan", None)]

    def get_context_data(self, **kwargs):
        """The names the Status and Response columns take, for the columns' descriptions."""
        context = super().get_context_data(**kwargs)
        context["status_names"] = or_list(status.label for status in Status)
        context["response_names"] = or_list(response.label for response in Response)
        return context

    def form_valid(self, form):
        challenge = self.get_challenge()
        self.request.session[SESSION_KEY] = {
            "token": secrets.token_urlsafe(16),
            "challenge": challenge.pk,
            "format": form.format,
            "name": form.cleaned_data["file"].name,
            "content": base64.b64encode(form.content).decode("ascii"),
        }
        preview = exchange.preview_import(
            challenge=challenge, file=form.content, format=form.format, user=self.request.user
        )
        return self.render_preview(preview)


class ActionPlanImportConfirmView(ImportPageMixin, View):
    """Import the file checked on the preview page, if it would still do what the preview showed."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        challenge = self.get_challenge()
        pending = request.session.get(SESSION_KEY)
        form = ConfirmImportForm(request.POST)
        if (
            not form.is_valid()
            or not pending
            or pending.get("challenge") != challenge.pk
            or not secrets.compare_digest(pending.get("token", "").encode(), form.cleaned_data["token"].encode())
        ):
            messages.warning(request, "The file you checked is no longer waiting to be imported. Upload it again.")
            return redirect(self.import_url())
        content = base64.b64decode(pending["content"])
        try:
            preview = exchange.apply_import(
                challenge=challenge,
                file=content,
                format=pending["format"],
                user=request.user,
                expected=pending.get("fingerprint"),
            )
        except exchange.ImportNotClean as not_clean:
            return self.render_preview(not_clean.preview, changed_since=True)
        except IntegrityError:
            messages.warning(
                request,
                "Someone changed the action plan while it was being imported. "
                "Nothing was imported; upload the file again.",
            )
            return redirect(self.import_url())
        request.session.pop(SESSION_KEY, None)
        messages.success(request, f"Imported: {preview.applied_summary}")
        return redirect(challenge)
