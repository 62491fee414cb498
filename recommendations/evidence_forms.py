"""The evidence files part of the progress update page: up to three files, each public or private.

The files are checked as they will be stored (recommendations.evidence.check_upload); the page's
view stores them with the update in one transaction (recommendations.evidence.save_update_with_evidence).
A browser cannot be given a chosen file back, so when the page is shown again with an error, each
file that was chosen must be chosen again, and the page says so.
"""

from crispy_forms.layout import HTML, BaseInput
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from cpc_tracker.forms import GovukFormHelper

from . import evidence

FILES_PER_UPDATE = 3
PUBLIC, PRIVATE = "public", "private"
WHO_CAN_SEE = [
    (PUBLIC, "The public, once the update is published"),
    (PRIVATE, "Only the council's staff and councillors"),
]


class EvidenceUploadForm(forms.Form):
    """Evidence files for a new progress update. Every file is optional; a chosen file needs to say
    who can see it."""

    numbers = range(1, FILES_PER_UPDATE + 1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in self.numbers:
            self.fields[f"file_{n}"] = forms.FileField(
                label=f"File {n} (optional)",
                required=False,
                error_messages={
                    "invalid": f"Select file {n} again: it could not be read",
                    "missing": f"Select file {n} again: it could not be read",
                    "empty": evidence.EMPTY,
                    "contradiction": f"Select file {n} again",
                },
            )
            self.fields[f"file_{n}"].widget.attrs["accept"] = evidence.ACCEPT
            self.fields[f"visibility_{n}"] = forms.ChoiceField(
                label=f"Who can see file {n}?",
                choices=WHO_CAN_SEE,
                widget=forms.RadioSelect,
                required=False,
                error_messages={"invalid_choice": f"Select who can see file {n}"},
            )
        self.helper = GovukFormHelper()
        self.helper.form_tag = False  # inside the update form's <form>: the page has one form and one button
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            HTML(
                format_html(
                    '<h2 class="govuk-heading-m">Evidence files (optional)</h2>'
                    '<p class="govuk-body">Attach up to {} files: PDF, Word, Excel, PowerPoint, images '
                    "(PNG, JPEG, GIF or WebP) or CSV, each smaller than {}.</p>"
                    '<p class="govuk-body">A public file appears on the action\'s public page once the update '
                    "is published. Do not make a file public if it holds personal information.</p>",
                    FILES_PER_UPDATE,
                    evidence.size_text(evidence.max_bytes()),
                )
            ),
            *[
                item
                for n in self.numbers
                for item in (
                    Field(f"file_{n}"),
                    Field.radios(f"visibility_{n}", legend_size=Size.SMALL, small=True),
                )
            ],
            Submit("submit", "Save progress update"),
        )

    def clean(self):
        cleaned = super().clean()
        for n in self.numbers:
            upload = cleaned.get(f"file_{n}")
            if upload:
                try:
                    evidence.check_upload(upload)
                except ValidationError as invalid:
                    self.add_error(f"file_{n}", invalid)
                    continue
                if not cleaned.get(f"visibility_{n}"):
                    self.add_error(f"visibility_{n}", f"Select who can see file {n}")
        return cleaned

    def uploads(self):
        """[(uploaded file, public?)] for the chosen files, in order. Only for a valid form."""
        return [
            (self.cleaned_data[f"file_{n}"], self.cleaned_data[f"visibility_{n}"] == PUBLIC)
            for n in self.numbers
            if self.cleaned_data.get(f"file_{n}")
        ]

    def ask_to_choose_again(self):
        """The page is shown again with an error: a file the browser sent is not kept, so each chosen
        file not already in error must be chosen again."""
        for n in self.numbers:
            name = f"file_{n}"
            if self.files.get(self.add_prefix(name)) and not self.has_error(name):
                self.add_error(name, f"Select file {n} again: files are not kept when there is a problem with the page")


def fields_only(form):
    """Lay `form` out without its <form> tag, security token or buttons, for a page whose one <form>
    holds it and the evidence files, and ends with the evidence form's button."""
    helper = form.helper
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout.fields = [item for item in helper.layout.fields if not isinstance(item, BaseInput)]
    return form
