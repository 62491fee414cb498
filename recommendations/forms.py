"""Forms in GOV.UK Design System style (crispy-forms-gds); each owns its layout."""

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fixed, Layout, Size, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from .models import Status

UPDATE_TEXT_MAX_CHARACTERS = 3000


def status_choices():
    return [Choice(status.value, status.label, hint=status.hint) for status in Status]


class ProgressUpdateForm(forms.Form):
    status = forms.ChoiceField(
        label="What is the action's status now?",
        choices=status_choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the action's status",
            "invalid_choice": "Select one of the statuses listed",
        },
    )
    text = forms.CharField(
        label="What has happened since the last update?",
        help_text="Say what has been done, what difference it has made and what happens next.",
        widget=forms.Textarea,
        max_length=UPDATE_TEXT_MAX_CHARACTERS,
        error_messages={
            "required": "Enter what has happened since the last update",
            "max_length": f"What has happened must be {UPDATE_TEXT_MAX_CHARACTERS:,} characters or fewer",
        },
    )
    percent_complete = forms.IntegerField(
        label="Percentage complete (optional)",
        help_text="A whole number from 0 to 100",
        required=False,
        min_value=0,
        max_value=100,
        error_messages={
            "invalid": "Enter the percentage complete as a whole number, like 60",
            "min_value": "Percentage complete must be 0 or more",
            "max_value": "Percentage complete must be 100 or less",
        },
    )
    evidence_url = forms.URLField(
        label="Link to evidence (optional)",
        help_text="For example, the web address of a committee report",
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Enter a full web address, like https://www.example.gov.uk/report"},
    )
    date = DateInputField(
        label="Date of the update",
        help_text="For example, 27 3 2024",
        require_all_fields=False,
    )
    published = forms.BooleanField(
        label="Publish this update on the public page",
        required=False,
        help_text="Leave unticked to keep it for signed-in staff and councillors only.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].error_messages.update(
            {"required": "Enter the date of the update", "incomplete": "Enter the date of the update"}
        )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.radios("status", legend_size=Size.MEDIUM, legend_tag="h2"),
            Field.textarea("text", label_size=Size.MEDIUM, label_tag="h2", rows=6,
                           max_characters=UPDATE_TEXT_MAX_CHARACTERS),
            Field.text("percent_complete", field_width=Fixed.THREE, inputmode="numeric"),
            Field.text("evidence_url"),
            Field("date"),
            Field.checkbox("published"),
            Field("version"),
            Submit("submit", "Save progress update"),
        )

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date and date > timezone.localdate():
            raise ValidationError("The date of the update must be today or in the past", code="future")
        return date
