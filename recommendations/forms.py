"""Forms in GOV.UK Design System style (crispy-forms-gds); each owns its layout.

The action, progress-update and response forms are ModelForms: the rules (quarter dates, date order,
lengths, who may lead, evidence of completion, an update's date, why an action closes, what an action
may also answer or depend on, a response's reasons) are the models' own, so the web forms, the import
and the admin give the same answer. The forms only add GOV.UK wording.
"""

from crispy_forms.utils import TEMPLATE_PACK, render_field
from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import ConditionalQuestion, ConditionalRadios, Field, Fixed, Layout, Size, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import Truncator

from cpc_tracker.forms import GovukDateField, GovukFormHelper, HiddenFieldErrorsMixin

from .models import (
    DESCRIPTION_MAX_CHARACTERS,
    DROPPED_STATUSES,
    EVIDENCE_MAX_CHARACTERS,
    RESPONSE_REASON_MAX_CHARACTERS,
    UPDATE_TEXT_MAX_CHARACTERS,
    Action,
    ProgressUpdate,
    Recommendation,
    Response,
    Status,
    also_answers_errors,
    dependency_errors,
    eligible_leads,
)


def status_choices():
    return [Choice(status.value, status.label, hint=status.hint) for status in Status]


def open_status_choices():
    """The statuses of an action still being worked on or done: not the closing ones that drop it."""
    return [choice for choice in status_choices() if choice[0] not in DROPPED_STATUSES]


class ChoiceQuestions(ConditionalQuestion):
    """A radio with the follow-up questions of its choice in GOV.UK's conditional panel under it.
    The panel is drawn open, as GOV.UK draws it without JavaScript: its script would hide it and mark
    the radio aria-expanded, which ARIA does not allow on a radio and axe (which every page must
    pass) refuses (alphagov/govuk-frontend#979). Unlike crispy-forms-gds's own, its radios are
    numbered from 1 like the plain radios', so an error link to the first radio (`id_status_1`) is
    the same whichever way the radios are drawn."""

    template = "recommendations/widgets/radio_with_questions.html"

    def render(self, bound_field, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        choices = list(bound_field.field.choices)
        index = [str(choice[0]) for choice in choices].index(str(self.value))
        content = "".join(
            render_field(field, form, context, template_pack=template_pack, **kwargs) for field in self.fields
        )
        template = self.template if content else f"{template_pack}/layout/radio_item.html"
        with context.push(choice=choices[index], field=bound_field, position=index + 1, conditional_content=content):
            return render_to_string(template, context.flatten())


class RadiosWithQuestions(ConditionalRadios):
    """Radios of which some have follow-up questions in a panel under them, every choice drawn
    (`questions` maps a choice's value to its fields), with the legend sized as Field.radios sizes it."""

    def __init__(self, field, choices, questions, legend_size=None, legend_tag=None):
        super().__init__(field, *[ChoiceQuestions(value, *questions.get(value, ())) for value, *_ in choices])
        self.legend = {"legend_size": Size.for_legend(legend_size) if legend_size else "", "legend_tag": legend_tag}

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        bound_field = form[self.field]
        choices = self.render_choices(bound_field, form, context, template_pack, **kwargs)
        with context.push(field=bound_field, choices=choices, **self.legend):
            return render_to_string(self.get_template_name(template_pack), context.flatten())


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


def action_label(action):
    return f"Action {action.reference}: {Truncator(action.description).chars(80)}"


class ActionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, action):
        return action_label(action)


class ReadOnceChoiceIterator(ModelChoiceIterator):
    """Choices read from the database once: the GOV.UK checkboxes template counts them before it draws
    them, which would otherwise cost a second query for each set of checkboxes."""

    def __iter__(self):
        if not hasattr(self, "_read"):
            self._read = [choice for choice in super().__iter__()]
        return iter(self._read)

    def __len__(self):
        return len(list(iter(self)))


class ActionsChoiceField(forms.ModelMultipleChoiceField):
    iterator = ReadOnceChoiceIterator

    def label_from_instance(self, action):
        return action_label(action)


class RecommendationsChoiceField(forms.ModelMultipleChoiceField):
    iterator = ReadOnceChoiceIterator

    def label_from_instance(self, recommendation):
        return f"Recommendation {recommendation.number}: {recommendation.title}"


def other_actions(challenge_id, action):
    """The challenge's actions other than `action`, in plan order: what it may depend on or be superseded by."""
    return (
        Action.objects.filter(recommendation__challenge=challenge_id)
        .exclude(pk=action.pk)
        .select_related("recommendation")
        .in_plan_order()
    )


class ClosingFieldsForm(forms.Form):
    """The questions under the statuses that close an action without completing it: why it will not
    be taken forward; or which action supersedes it, and why. Both reasons are stored as the update's
    `closure_reason`, so each status has its own box under it and only the chosen status's answers
    are kept (the others are sent too, and ignored). The rules are ProgressUpdate.clean()'s."""

    closure_reason = evidence_field(
        "Why will the action not be taken forward?", "The council's reasons. Published with the update."
    )
    superseded_by = ActionChoiceField(
        label="Which action takes its place?",
        queryset=Action.objects.none(),
        required=False,
        empty_label="Choose an action",
        error_messages={"invalid_choice": "Choose an action from the list"},
    )
    superseded_reason = evidence_field(
        "Why is the action superseded?", "Say how the other action covers it. Published with the update."
    )

    def set_up_closing(self, action, challenge_id):
        self.fields["superseded_by"].queryset = other_actions(challenge_id, action)
        self.fields["superseded_reason"].error_messages["max_length"] = (
            f"Why the action is superseded must be {EVIDENCE_MAX_CHARACTERS:,} characters or fewer"
        )
        self.fields["closure_reason"].error_messages["max_length"] = (
            f"Why the action will not be taken forward must be {EVIDENCE_MAX_CHARACTERS:,} characters or fewer"
        )

    def initial_closing(self, update):
        """The closing answers of the action's current update, to show on a form opened on it."""
        if update is None or update.status not in DROPPED_STATUSES:
            return {}
        if update.status == Status.SUPERSEDED:
            return {"superseded_by": update.superseded_by_id, "superseded_reason": update.closure_reason}
        return {"closure_reason": update.closure_reason}

    def chosen_status(self):
        status = getattr(self, "cleaned_data", {}).get("status") or self.data.get(self.add_prefix("status"))
        return status if status in Status.values else None

    def clean_closing(self, cleaned):
        """Keep only the answers of the status chosen: `closure_reason` is the chosen status's reason."""
        status = cleaned.get("status")
        if status == Status.SUPERSEDED:
            cleaned["closure_reason"] = cleaned.get("superseded_reason", "")
        elif status != Status.NOT_TAKEN_FORWARD:
            cleaned["closure_reason"] = ""
        if status != Status.SUPERSEDED:
            cleaned["superseded_by"] = None
        return cleaned

    def add_error(self, field, error):
        """A model's error about the reason goes to the box the person filled in for their status."""
        if self.chosen_status() == Status.SUPERSEDED:
            if field == "closure_reason":
                field = "superseded_reason"
            elif field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
                if "closure_reason" in error.error_dict:
                    error = ValidationError(
                        {
                            ("superseded_reason" if name == "closure_reason" else name): errors
                            for name, errors in error.error_dict.items()
                        }
                    )
        super().add_error(field, error)

    def status_radios(self, *, evidence=(), legend_size=Size.MEDIUM, legend_tag=None):
        """The status radios, each closing status with its questions under it (and Complete its `evidence`)."""
        questions = {
            Status.NOT_TAKEN_FORWARD: [
                Field.textarea("closure_reason", rows=3, max_characters=EVIDENCE_MAX_CHARACTERS)
            ],
            Status.SUPERSEDED: [
                Field.select("superseded_by"),
                Field.textarea("superseded_reason", rows=3, max_characters=EVIDENCE_MAX_CHARACTERS),
            ],
        }
        if evidence:
            questions[Status.COMPLETE] = list(evidence)
        return RadiosWithQuestions(
            "status", self.fields["status"].choices, questions, legend_size=legend_size, legend_tag=legend_tag
        )


def completion_evidence_fields():
    return [
        Field.textarea("completion_evidence", rows=3, max_characters=EVIDENCE_MAX_CHARACTERS),
        Field.textarea("difference_made", rows=3, max_characters=EVIDENCE_MAX_CHARACTERS),
    ]


class ProgressUpdateForm(HiddenFieldErrorsMixin, ClosingFieldsForm, forms.ModelForm):
    """An officer's progress update: the progress to date and the next steps kept apart. The model
    checks the date (from the challenge's start to today), that a Complete update carries its
    evidence, and that a closing one says why (and, if superseded, by which action)."""

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
        label="Progress to date",
        help_text="What has been done since the last update, and what difference it has made.",
        widget=forms.Textarea,
        max_length=UPDATE_TEXT_MAX_CHARACTERS,
        error_messages={
            "required": "Enter the progress to date",
            "max_length": f"Progress to date must be {UPDATE_TEXT_MAX_CHARACTERS:,} characters or fewer",
        },
    )
    next_steps = forms.CharField(
        label="Next steps (optional)",
        help_text="What will be done next, and by when.",
        widget=forms.Textarea,
        required=False,
        max_length=UPDATE_TEXT_MAX_CHARACTERS,
        error_messages={"max_length": f"Next steps must be {UPDATE_TEXT_MAX_CHARACTERS:,} characters or fewer"},
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
            "next_steps",
            "percent_complete",
            "evidence_url",
            "date",
            "completion_evidence",
            "difference_made",
            "closure_reason",
            "superseded_by",
            "published",
        ]

    # The order they are drawn in (the closing questions are under their status), so the
    # error summary lists the problems top to bottom.
    field_order = [
        "status",
        "completion_evidence",
        "difference_made",
        "closure_reason",
        "superseded_by",
        "superseded_reason",
        "text",
        "next_steps",
        "percent_complete",
        "evidence_url",
        "date",
        "published",
        "version",
    ]

    def __init__(self, *args, action, needs_approval=False, **kwargs):
        super().__init__(*args, instance=ProgressUpdate(action=action), **kwargs)
        self.set_up_closing(action, action.recommendation.challenge_id)
        if needs_approval:
            self.fields["published"].label = "Send this update to a coordinator for approval and publication"
            self.fields["published"].help_text = (
                "A coordinator checks it before it appears on the public page. "
                "Leave unticked to keep it for the council's staff and councillors only."
            )
        self.helper = GovukFormHelper()
        self.helper.layout = Layout(
            self.status_radios(evidence=completion_evidence_fields(), legend_size=Size.MEDIUM, legend_tag="h2"),
            Field.textarea(
                "text", label_size=Size.MEDIUM, label_tag="h2", rows=6, max_characters=UPDATE_TEXT_MAX_CHARACTERS
            ),
            Field.textarea(
                "next_steps", label_size=Size.MEDIUM, label_tag="h2", rows=4, max_characters=UPDATE_TEXT_MAX_CHARACTERS
            ),
            Field.text("percent_complete", field_width=Fixed.THREE, inputmode="numeric"),
            Field.text("evidence_url"),
            Field("date"),
            Field.checkbox("published"),
            Field("version"),
            Submit("submit", "Save progress update"),
        )

    def clean(self):
        return self.clean_closing(super().clean())

    def update_fields(self):
        """The cleaned values, named as services.record_progress_update names them."""
        data = self.cleaned_data
        return {
            "seen_version": data["version"],
            **{name: data[name] for name in self.Meta.fields},
        }


class LeadOfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return f"{user.get_full_name() or user.get_username()} ({user.get_username()})"


class ActionForm(HiddenFieldErrorsMixin, ClosingFieldsForm, forms.ModelForm):
    """A coordinator adds or changes an action-plan item: what it also answers, what it depends on,
    its planned and actual dates. A new status is recorded as a published progress update (see
    recommendations.services.change_action), with its evidence or its reason for closing."""

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
    starts_on = GovukDateField(label="Planned start date (optional)", help_text="For example, 1 4 2025", required=False)
    due_date = GovukDateField(
        label="Due date (optional)", help_text="The planned completion date. For example, 31 3 2026", required=False
    )
    actual_start = GovukDateField(
        label="Actual start date (optional)", help_text="When work began. For example, 14 4 2025", required=False
    )
    actual_completion = GovukDateField(
        label="Actual completion date (optional)",
        help_text="When the action was finished. For example, 20 3 2026",
        required=False,
    )
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
    also_answers = RecommendationsChoiceField(
        label="Other recommendations it also answers (optional)",
        queryset=Recommendation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Select recommendations of this peer challenge from the list",
            "invalid_pk_value": "Select recommendations of this peer challenge from the list",
        },
    )
    depends_on = ActionsChoiceField(
        label="Actions it depends on (optional)",
        queryset=Action.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Actions of this peer challenge that must finish before this one can. "
        "It is shown as waiting on them when one of them is overdue, at risk or off track.",
        error_messages={
            "invalid_choice": "Select actions of this peer challenge from the list",
            "invalid_pk_value": "Select actions of this peer challenge from the list",
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
            "actual_start",
            "actual_completion",
            "also_answers",
            "depends_on",
            "consideration",
        ]

    field_order = [
        *Meta.fields[:9],
        "status",
        "completion_evidence",
        "difference_made",
        "closure_reason",
        "superseded_by",
        "superseded_reason",
        *Meta.fields[9:],
        "version",
    ]

    def __init__(self, *args, recommendation, instance=None, **kwargs):
        instance = instance or Action(recommendation=recommendation)
        if instance.pk:
            update = instance.working_update
            evidence = update if instance.status == Status.COMPLETE else None
            kwargs["initial"] = {
                "status": instance.status,
                "version": instance.version,
                "completion_evidence": evidence.completion_evidence if evidence else "",
                "difference_made": evidence.difference_made if evidence else "",
                **self.initial_closing(update if instance.status in DROPPED_STATUSES else None),
                **kwargs.get("initial", {}),
            }
        self.recommendation = recommendation
        super().__init__(*args, instance=instance, **kwargs)
        challenge_id = recommendation.challenge_id
        leads = eligible_leads(recommendation.challenge.council_id)
        if instance.lead_officer_id:  # a lead who has since left stays selectable until changed
            leads = leads | type(instance.lead_officer).objects.filter(pk=instance.lead_officer_id)
        self.fields["lead_officer"].queryset = leads.distinct()
        # The progress review's considerations, through the relation, so this app need not import reviews.
        considerations = Action._meta.get_field("consideration").related_model.objects
        self.fields["consideration"].queryset = considerations.filter(review__challenge=challenge_id).order_by("order")
        self.fields["also_answers"].queryset = (
            Recommendation.objects.filter(challenge=challenge_id).exclude(pk=recommendation.pk).order_by("number")
        )
        self.fields["also_answers"].help_text = (
            f"Its status counts only towards recommendation {recommendation.number}, its own, "
            "but it is listed on each recommendation it also answers."
        )
        self.fields["depends_on"].queryset = other_actions(challenge_id, instance)
        self.set_up_closing(instance, challenge_id)
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
            Field("actual_start"),
            Field("actual_completion"),
            self.status_radios(evidence=completion_evidence_fields(), legend_size=Size.SMALL),
            Field.checkboxes("also_answers", legend_size=Size.SMALL, small=True),
            Field.checkboxes("depends_on", legend_size=Size.SMALL, small=True),
            Field.select("consideration"),
            Field("version"),
            Submit("submit", "Save action"),
        )

    def clean(self):
        cleaned = self.clean_closing(super().clean())
        status = cleaned.get("status")
        if status not in (Status.COMPLETE, *DROPPED_STATUSES):
            return cleaned
        from .services import status_change_needed

        closing = {name: cleaned.get(name) for name in ("closure_reason", "superseded_by")}
        evidence = (cleaned.get("completion_evidence", ""), cleaned.get("difference_made", ""))
        if self.instance.pk is not None and not status_change_needed(self.instance, status, *evidence, **closing):
            return cleaned
        if status == Status.COMPLETE:
            if not cleaned.get("completion_evidence", "").strip():
                self.add_error("completion_evidence", "Enter the evidence that the action is complete")
            if not cleaned.get("difference_made", "").strip():
                self.add_error("difference_made", "Enter what difference the action has made")
        else:
            self.check_closing(status, **closing)
        return cleaned

    def check_closing(self, status, *, closure_reason, superseded_by):
        """The progress update that will record the closing status, checked by its own rules now,
        so the coordinator sees what is missing beside the questions."""
        update = ProgressUpdate(
            action=self.instance if self.instance.pk else None,
            status=status,
            closure_reason=closure_reason or "",
            superseded_by=superseded_by,
            text="-",
            date=timezone.localdate(),
            source="The action form",
        )
        try:
            update.clean()
        except ValidationError as invalid:
            for name in ("closure_reason", "superseded_by"):
                if name in invalid.message_dict:
                    self.add_error(name, invalid.message_dict[name])

    def _post_clean(self):
        """The links to other recommendations and actions obey the model's rules (no recommendation
        or action of another challenge, no action depending on itself, no loop of dependencies)."""
        super()._post_clean()
        for name, rule in (("also_answers", also_answers_errors), ("depends_on", dependency_errors)):
            chosen = self.cleaned_data.get(name)
            if chosen:
                errors = rule(self.instance, chosen)
                if errors:
                    self.add_error(name, errors)

    def action_fields(self):
        """The cleaned values, named as the services name them."""
        names = [
            *self.Meta.fields,
            "status",
            "completion_evidence",
            "difference_made",
            "closure_reason",
            "superseded_by",
        ]
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


RESPONSE_HINTS = {
    Response.NOT_RECORDED: "The council has not yet agreed its response.",
    Response.ACCEPTED: "The council agreed to act on the recommendation.",
    Response.PARTLY_ACCEPTED: "The council agreed to act on part of it: say which part, and why not the rest.",
    Response.NOT_ACCEPTED: "The council will not act on it: a council need not accept a recommendation, "
    "but gives its reasons.",
}


def response_choices():
    return [Choice(response.value, response.label, hint=RESPONSE_HINTS[response]) for response in Response]


class RecommendationResponseForm(forms.ModelForm):
    """A coordinator records the council's response to a recommendation: accepted, partly accepted
    or not accepted, its reasons, and who agreed it and when. The rules are Recommendation.clean()'s."""

    response = forms.ChoiceField(
        label="What was the council's response to the recommendation?",
        choices=response_choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the council's response",
            "invalid_choice": "Select one of the responses listed",
        },
    )
    response_reason = forms.CharField(
        label="Reasons for the response",
        help_text="Needed when the recommendation is partly accepted or not accepted. "
        "For example, that it is to be addressed through another recommendation. Shown on the public pages.",
        widget=forms.Textarea,
        required=False,
        max_length=RESPONSE_REASON_MAX_CHARACTERS,
        error_messages={
            "max_length": f"The reasons must be {RESPONSE_REASON_MAX_CHARACTERS:,} characters or fewer",
        },
    )
    response_agreed_by = forms.CharField(
        label="Who agreed the response (optional)",
        help_text="The council body that agreed it, for example Cabinet",
        max_length=200,
        required=False,
        error_messages={"max_length": "Who agreed the response must be 200 characters or fewer"},
    )
    response_agreed_on = GovukDateField(
        label="Date the response was agreed (optional)", help_text="For example, 14 2 2023", required=False
    )

    class Meta:
        model = Recommendation
        fields = ["response", "response_reason", "response_agreed_by", "response_agreed_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = GovukFormHelper()
        self.helper.layout = Layout(
            Field.radios("response", legend_size=Size.MEDIUM, legend_tag="h2"),
            Field.textarea(
                "response_reason",
                label_size=Size.SMALL,
                rows=5,
                max_characters=RESPONSE_REASON_MAX_CHARACTERS,
            ),
            Field.text("response_agreed_by", field_width=Fixed.TWENTY),
            Field("response_agreed_on"),
            Submit("submit", "Save the response"),
        )


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
