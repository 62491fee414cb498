"""Forms in GOV.UK Design System style (crispy-forms-gds); each owns its layout.

The action and progress-update forms are ModelForms: the rules (quarter dates, date order, lengths,
who may lead, evidence of completion, an update's date) are the models' own `clean()`, so the web
forms, the import and the admin give the same answer. The forms only add GOV.UK wording.
"""

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Fixed, Layout, Size, Submit
from django import forms

from cpc_tracker.forms import GovukDateField, GovukFormHelper, HiddenFieldErrorsMixin

from .models import (
    DESCRIPTION_MAX_CHARACTERS,
    EVIDENCE_MAX_CHARACTERS,
    UPDATE_TEXT_MAX_CHARACTERS,
    Action,
    ProgressUpdate,
    Status,
    eligible_leads,
)


def status_choices():
    return [Choice(status.value, status.label, hint=status.hint) for status in Status]


class VersionField(forms.IntegerField):
    """The version of the action the form was opened on (optimistic locking), in a hidden input."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        message = "This page is out of date or incomplete: open the action again from its page, then make your changes"
        super().__init__(
            min_value=1, error_messages={"required": message, "invalid": message, "min_value": message}, **kwargs
        )


def evidence_field(label, help_text):
    return forms.CharField(
        label=label,
        help_text=help_text,
        widget=forms.Textarea,
        required=False,
        max_length=EVIDENCE_MAX_CHARACTERS,
        error_messages={
            "max_length": f"{label.split(' (')[0]} must be {EVIDENCE_MAX_CHARACTERS:,} characters or fewer"
        },
    )


COMPLETION_EVIDENCE_LABEL = "Evidence of completion (if the action is complete)"
COMPLETION_EVIDENCE_HINT = "What shows it is done: a decision, a report, a launch. Published with the update."
DIFFERENCE_LABEL = "What difference has it made? (if the action is complete)"
DIFFERENCE_HINT = "A short statement for residents and the LGA. Published with the update."


class ProgressUpdateForm(HiddenFieldErrorsMixin, forms.ModelForm):
    """An officer's progress update. The model checks the date (from the challenge's start to
    today) and that a Complete update carries its evidence."""

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
        max_length=500,
        assume_scheme="https",
        error_messages={
            "invalid": "Enter a full web address, like https://www.example.gov.uk/report",
            "max_length": "The link to evidence must be 500 characters or fewer",
        },
    )
    date = GovukDateField(label="Date of the update", help_text="For example, 27 3 2024")
    completion_evidence = evidence_field(COMPLETION_EVIDENCE_LABEL, COMPLETION_EVIDENCE_HINT)
    difference_made = evidence_field(DIFFERENCE_LABEL, DIFFERENCE_HINT)
    published = forms.BooleanField(
        label="Publish this update on the public page",
        required=False,
        help_text="Leave unticked to keep it for the council's staff and councillors only.",
    )
    version = VersionField()

    class Meta:
        model = ProgressUpdate
        fields = [
            "status",
            "text",
            "percent_complete",
            "evidence_url",
            "date",
            "completion_evidence",
            "difference_made",
            "published",
        ]

    def __init__(self, *args, action, needs_approval=False, **kwargs):
        super().__init__(*args, instance=ProgressUpdate(action=action), **kwargs)
        if needs_approval:
            self.fields["published"].label = "Send this update to a coordinator for approval and publication"
            self.fields["published"].help_text = (
                "A coordinator checks it before it appears on the public page. "
                "Leave unticked to keep it for the council's staff and councillors only."
            )
        self.helper = GovukFormHelper()
        self.helper.layout = Layout(
            Field.radios("status", legend_size=Size.MEDIUM, legend_tag="h2"),
            Field.textarea(
                "text", label_size=Size.MEDIUM, label_tag="h2", rows=6, max_characters=UPDATE_TEXT_MAX_CHARACTERS
            ),
            Field.text("percent_complete", field_width=Fixed.THREE, inputmode="numeric"),
            Field.text("evidence_url"),
            Field("date"),
            Field.textarea("completion_evidence", rows=3, max_characters=EVIDENCE_MAX_CHARACTERS),
            Field.textarea("difference_made", rows=3, max_characters=EVIDENCE_MAX_CHARACTERS),
            Field.checkbox("published"),
            Field("version"),
            Submit("submit", "Save progress update"),
        )


class LeadOfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return f"{user.get_full_name() or user.get_username()} ({user.get_username()})"


class ActionForm(HiddenFieldErrorsMixin, forms.ModelForm):
    """A coordinator adds or changes an action-plan item. A new status is recorded as a published
    progress update (see recommendations.services.change_action)."""

    reference = forms.CharField(
        label="Action number",
        help_text="Its number in the plan, for example 5.3",
        max_length=20,
        error_messages={
            "required": "Enter the action number, for example 5.3",
            "max_length": "The action number must be 20 characters or fewer",
        },
    )
    description = forms.CharField(
        label="What will be done",
        help_text="In plain words, as the public will read it",
        widget=forms.Textarea,
        max_length=DESCRIPTION_MAX_CHARACTERS,
        error_messages={
            "required": "Enter what will be done",
            "max_length": f"What will be done must be {DESCRIPTION_MAX_CHARACTERS:,} characters or fewer",
        },
    )
    lead_officer = LeadOfficerChoiceField(
        label="Lead officer (optional)",
        queryset=None,
        required=False,
        empty_label="No lead officer yet",
        help_text="An officer or coordinator of the council, who keeps this action up to date",
        error_messages={"invalid_choice": "Choose a lead officer from the list"},
    )
    lead_role = forms.CharField(
        label="Lead role (optional)",
        max_length=200,
        required=False,
        help_text="The post that leads it, for example Monitoring Officer. The public sees the role.",
        error_messages={"max_length": "The lead role must be 200 characters or fewer"},
    )
    timescale = forms.CharField(
        label="Timescale (optional)",
        max_length=100,
        required=False,
        help_text="As the plan says it. A quarter like Q2 2024/25 sets the start and due dates for you.",
        error_messages={"max_length": "The timescale must be 100 characters or fewer"},
    )
    starts_on = GovukDateField(label="Start date (optional)", help_text="For example, 1 4 2025", required=False)
    due_date = GovukDateField(label="Due date (optional)", help_text="For example, 31 3 2026", required=False)
    status = forms.ChoiceField(
        label="Status",
        choices=status_choices,
        widget=forms.RadioSelect,
        help_text="A new status is published as a progress update on the action's page.",
        error_messages={
            "required": "Select the action's status",
            "invalid_choice": "Select one of the statuses listed",
        },
    )
    consideration = forms.ModelChoiceField(
        label="Progress review consideration it carries forward (optional)",
        queryset=None,
        required=False,
        empty_label="None",
    )
    completion_evidence = evidence_field(COMPLETION_EVIDENCE_LABEL, COMPLETION_EVIDENCE_HINT)
    difference_made = evidence_field(DIFFERENCE_LABEL, DIFFERENCE_HINT)
    version = VersionField(required=False)

    class Meta:
        model = Action
        fields = [
            "reference",
            "description",
            "lead_officer",
            "lead_role",
            "timescale",
            "starts_on",
            "due_date",
            "consideration",
        ]

    def __init__(self, *args, recommendation, instance=None, **kwargs):
        instance = instance or Action(recommendation=recommendation)
        if instance.pk:
            evidence = instance.working_update if instance.status == Status.COMPLETE else None
            kwargs["initial"] = {
                "status": instance.status,
                "version": instance.version,
                "completion_evidence": evidence.completion_evidence if evidence else "",
                "difference_made": evidence.difference_made if evidence else "",
                **kwargs.get("initial", {}),
            }
        self.recommendation = recommendation
        super().__init__(*args, instance=instance, **kwargs)
        leads = eligible_leads(recommendation.challenge.council_id)
        if instance.lead_officer_id:  # a lead who has since left stays selectable until changed
            leads = leads | type(instance.lead_officer).objects.filter(pk=instance.lead_officer_id)
        self.fields["lead_officer"].queryset = leads.distinct()
        # The progress review's considerations, through the relation, so this app need not import reviews.
        considerations = Action._meta.get_field("consideration").related_model.objects
        self.fields["consideration"].queryset = considerations.filter(
            review__challenge=recommendation.challenge_id
        ).order_by("order")
        if self.instance.pk:
            self.fields["version"].required = True
        self.helper = GovukFormHelper()
        self.helper.layout = Layout(
            Field.text("reference", field_width=Fixed.FIVE),
            Field.textarea("description", rows=4, max_characters=DESCRIPTION_MAX_CHARACTERS),
            Field.select("lead_officer"),
            Field.text("lead_role"),
            Field.text("timescale", field_width=Fixed.TWENTY),
            Field("starts_on"),
            Field("due_date"),
            Field.radios("status", legend_size=Size.SMALL),
            Field.select("consideration"),
            Field.textarea("completion_evidence", rows=3, max_characters=EVIDENCE_MAX_CHARACTERS),
            Field.textarea("difference_made", rows=3, max_characters=EVIDENCE_MAX_CHARACTERS),
            Field("version"),
            Submit("submit", "Save action"),
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == Status.COMPLETE:
            from .services import status_change_needed

            if self.instance.pk is None or status_change_needed(
                self.instance,
                Status.COMPLETE,
                cleaned.get("completion_evidence", ""),
                cleaned.get("difference_made", ""),
            ):
                if not cleaned.get("completion_evidence", "").strip():
                    self.add_error("completion_evidence", "Enter the evidence that the action is complete")
                if not cleaned.get("difference_made", "").strip():
                    self.add_error("difference_made", "Enter what difference the action has made")
        return cleaned

    def action_fields(self):
        """The cleaned values, named as the services name them."""
        names = [*self.Meta.fields, "status", "completion_evidence", "difference_made"]
        return {name: self.cleaned_data.get(name) for name in names}

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip()
        others = self.recommendation.actions.filter(reference=reference).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(
                f"Recommendation {self.recommendation.number} already has an action {reference}: use another number",
                code="duplicate",
            )
        return reference


class ReturnUpdateForm(forms.Form):
    reason = forms.CharField(
        label="Why are you returning this update?",
        help_text="The officer who wrote it will see this in My actions.",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={
            "required": "Enter why you are returning the update",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = GovukFormHelper()
        self.helper.layout = Layout(
            Field.textarea("reason", label_size=Size.MEDIUM, label_tag="h2", rows=4, max_characters=2000),
            Submit("submit", "Return update"),
        )


def yes_no_field(label, yes_hint, no_hint, required_message):
    return forms.TypedChoiceField(
        label=label,
        choices=[Choice("yes", "Yes", hint=yes_hint), Choice("no", "No", hint=no_hint)],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": required_message, "invalid_choice": required_message},
    )


class PublishingSettingsForm(forms.Form):
    updates_need_approval = yes_no_field(
        "Do officers' progress updates need a coordinator's approval before they are published?",
        "Officers' updates wait as 'awaiting approval' until a coordinator approves them.",
        "Officers publish their own updates when they tick 'publish'.",
        "Select yes if updates need approval",
    )
    publish_lead_names = yes_no_field(
        "Publish lead officers' names?",
        "The public pages and open data name the lead officer and who wrote each update.",
        "The public sees each action's lead role, and the council as the author of updates.",
        "Select yes if lead officers' names are published",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = GovukFormHelper()
        self.helper.layout = Layout(
            Field.radios("updates_need_approval", legend_size=Size.MEDIUM, legend_tag="h2"),
            Field.radios("publish_lead_names", legend_size=Size.MEDIUM, legend_tag="h2"),
            Submit("submit", "Save publishing settings"),
        )
