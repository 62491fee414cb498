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


COMPLETION_ERRORS = {
    "completion_evidence": "Enter the evidence that the action is complete",
    "difference_made": "Enter what difference the action has made",
}


def require_completion_statement(form, status):
    """Marking an action complete needs its evidence and the difference it has made."""
    if status == Status.COMPLETE:
        for name, message in COMPLETION_ERRORS.items():
            if not form.cleaned_data.get(name, "").strip():
                form.add_error(name, ValidationError(message, code="required_when_complete"))


class CompletionFieldsMixin(forms.Form):
    completion_evidence = forms.CharField(
        label="Evidence of completion (if the action is complete)",
        help_text="What shows it is done: a decision, a report, a launch. Shown on the public page.",
        widget=forms.Textarea,
        required=False,
        max_length=2000,
    )
    difference_made = forms.CharField(
        label="What difference has it made? (if the action is complete)",
        help_text="A short statement for residents and the LGA. Shown on the public page.",
        widget=forms.Textarea,
        required=False,
        max_length=2000,
    )


class ProgressUpdateForm(CompletionFieldsMixin, forms.Form):
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
            Field.textarea("completion_evidence", rows=3, max_characters=2000),
            Field.textarea("difference_made", rows=3, max_characters=2000),
            Field.checkbox("published"),
            Field("version"),
            Submit("submit", "Save progress update"),
        )

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date and date > timezone.localdate():
            raise ValidationError("The date of the update must be today or in the past", code="future")
        return date

    def clean(self):
        cleaned = super().clean()
        require_completion_statement(self, cleaned.get("status"))
        return cleaned


class LeadOfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return f"{user.get_full_name() or user.get_username()} ({user.get_username()})"


class ActionForm(CompletionFieldsMixin, forms.Form):
    """A coordinator adds or changes an action-plan item."""

    reference = forms.CharField(
        label="Action number",
        help_text="Its number in the plan, for example 5.3",
        max_length=20,
        error_messages={"required": "Enter the action number, for example 5.3"},
    )
    description = forms.CharField(
        label="What will be done",
        widget=forms.Textarea,
        error_messages={"required": "Enter what will be done"},
    )
    lead_officer = LeadOfficerChoiceField(
        label="Lead officer (optional)",
        queryset=None,
        required=False,
        empty_label="No lead officer yet",
        help_text="The person who keeps this action up to date",
    )
    lead_role = forms.CharField(
        label="Lead role (optional)", max_length=200, required=False,
        help_text="The post that leads it, for example Monitoring Officer",
    )
    timescale = forms.CharField(
        label="Timescale (optional)",
        max_length=100,
        required=False,
        help_text="As the plan says it. A quarter like Q2 2024/25 sets the start and due dates for you.",
    )
    due_date = DateInputField(label="Due date (optional)", help_text="For example, 31 3 2025", required=False,
                              require_all_fields=False)
    status = forms.ChoiceField(
        label="Status",
        choices=status_choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the action's status", "invalid_choice": "Select one of the statuses listed"},
    )
    consideration = forms.ModelChoiceField(
        label="Progress review consideration it carries forward (optional)",
        queryset=None,
        required=False,
        empty_label="None",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    ACTION_FIELDS = ["reference", "description", "lead_officer", "lead_role", "timescale", "starts_on", "due_date",
                     "status", "consideration", "completion_evidence", "difference_made"]

    def __init__(self, *args, recommendation, **kwargs):
        from django.contrib.auth import get_user_model

        from reviews.models import Consideration

        super().__init__(*args, **kwargs)
        self.recommendation = recommendation
        self.fields["due_date"].error_messages.update({"incomplete": "Enter the due date as a day, month and year"})
        self.fields["lead_officer"].queryset = get_user_model().objects.filter(is_active=True).order_by(
            "first_name", "last_name", "username"
        )
        self.fields["consideration"].queryset = Consideration.objects.filter(
            review__challenge=recommendation.challenge_id
        ).order_by("order")
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("reference", field_width=Fixed.FIVE),
            Field.textarea("description", rows=4),
            Field.select("lead_officer"),
            Field.text("lead_role"),
            Field.text("timescale", field_width=Fixed.TWENTY),
            Field("due_date"),
            Field.radios("status", legend_size=Size.SMALL),
            Field.select("consideration"),
            Field.textarea("completion_evidence", rows=3, max_characters=2000),
            Field.textarea("difference_made", rows=3, max_characters=2000),
            Field("version"),
            Submit("submit", "Save action"),
        )

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip()
        others = self.recommendation.actions.filter(reference=reference)
        if self.initial.get("pk"):
            others = others.exclude(pk=self.initial["pk"])
        if others.exists():
            raise ValidationError(
                f"Recommendation {self.recommendation.number} already has an action {reference}: use another number",
                code="duplicate",
            )
        return reference

    def clean(self):
        from .models import quarter_dates

        cleaned = super().clean()
        require_completion_statement(self, cleaned.get("status"))
        quarter = quarter_dates(cleaned.get("timescale", ""))
        cleaned["starts_on"] = None
        if quarter:
            cleaned["starts_on"] = quarter[0]
            if not cleaned.get("due_date"):
                cleaned["due_date"] = quarter[1]
            elif not quarter[0] <= cleaned["due_date"] <= quarter[1]:
                self.add_error("due_date", ValidationError(
                    f"The due date must fall within {cleaned['timescale']}, or leave it blank", code="outside_quarter"
                ))
        return cleaned

    def action_fields(self):
        """The cleaned values, named as the Action model names them."""
        return {name: self.cleaned_data.get(name) for name in self.ACTION_FIELDS}


class ReturnUpdateForm(forms.Form):
    reason = forms.CharField(
        label="Why are you returning this update?",
        help_text="The officer who wrote it will see this in My actions.",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Enter why you are returning the update"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.textarea("reason", label_size=Size.MEDIUM, label_tag="h2", rows=4, max_characters=2000),
            Submit("submit", "Return update"),
        )


class PublishingSettingsForm(forms.Form):
    updates_need_approval = forms.TypedChoiceField(
        label="Do officers' progress updates need a coordinator's approval before they are published?",
        choices=[
            Choice("yes", "Yes", hint="Officers' updates wait as 'awaiting approval' until a coordinator approves them."),
            Choice("no", "No", hint="Officers publish their own updates when they tick 'publish'."),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if updates need approval"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.radios("updates_need_approval", legend_size=Size.MEDIUM, legend_tag="h2"),
            Submit("submit", "Save publishing settings"),
        )
