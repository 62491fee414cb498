"""Forms of update rounds: opening a round, and a lead's updates on several actions on one page.

The rules (one open round per challenge, a deadline not in the past, actions of the round's own
challenge) are the model's and recommendations.rounds'; these forms add GOV.UK wording.
"""

from crispy_forms_gds.layout import Field, Fixed, Layout, Size
from django import forms

from cpc_tracker.forms import GovukDateField, GovukFormHelper

from .forms import ProgressUpdateForm, open_status_choices
from .models import DROPPED_STATUSES, EVIDENCE_MAX_CHARACTERS, UPDATE_TEXT_MAX_CHARACTERS, Action

GRACE_DAYS_MAX = 60


class ActionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, action):
        return f"Action {action.reference}"


class UpdateRoundForm(forms.Form):
    """A coordinator opens an update round: its title, deadline, grace period and actions. The
    actions are drawn by the template as checkboxes grouped by recommendation (`action_groups`)."""

    title = forms.CharField(
        label="Title of the round",
        help_text="Say what the updates are for, for example Quarter 3 2024/25 – for scrutiny on 14 March 2025",
        max_length=200,
        error_messages={
            "required": "Enter a title for the round",
            "max_length": "The title must be 200 characters or fewer",
        },
    )
    deadline = GovukDateField(
        label="Deadline", help_text="Leads are asked to update their actions by this day. For example, 28 2 2025"
    )
    grace_days = forms.IntegerField(
        label="Grace period in days (optional)",
        help_text=f"Updates this many days after the deadline still count as on time: 0 to {GRACE_DAYS_MAX}",
        required=False,
        min_value=0,
        max_value=GRACE_DAYS_MAX,
        error_messages={
            "invalid": "Enter the grace period as a whole number of days, like 7",
            "min_value": "The grace period must be 0 days or more",
            "max_value": f"The grace period must be {GRACE_DAYS_MAX} days or fewer",
        },
    )
    actions = ActionChoiceField(
        label="Actions in the round",
        queryset=Action.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one action for the round",
            "invalid_choice": "Select actions from the list",
            "invalid_pk_value": "Select actions from the list",
        },
    )

    def __init__(self, *args, challenge, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actions"].queryset = (
            Action.objects.filter(recommendation__challenge=challenge)
            .select_related("recommendation", "lead_officer")
            .in_plan_order()
        )
        self.fields["deadline"].error_messages.update(
            {
                "incomplete": "Enter the deadline as a day, month and year",
                "invalid": "Enter the deadline as a real date, like 28 2 2025",
            }
        )
        self.helper = GovukFormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field.text("title", label_size=Size.SMALL),
            Field("deadline"),
            Field.text("grace_days", field_width=Fixed.THREE, inputmode="numeric"),
        )

    def clean_grace_days(self):
        return self.cleaned_data["grace_days"] or 0

    def action_groups(self):
        """[(recommendation, [(action, ticked)])] in plan order, ticked as submitted or as initially chosen."""
        bound = self["actions"]
        chosen = {str(value) for value in (bound.value() or [])}
        groups = {}
        for action in self.fields["actions"].queryset:
            groups.setdefault(action.recommendation, []).append((action, str(action.pk) in chosen))
        return list(groups.items())

    @property
    def first_action_id(self):
        """The first checkbox's id, where the error summary takes the reader."""
        first = next(iter(self.fields["actions"].queryset), None)
        return f"id_actions_{first.pk}" if first else "id_title"


class RoundUpdateForm(ProgressUpdateForm):
    """One action's part of a lead's round page: the progress update form without the date (today),
    percentage and link, every label naming the action so each set of fields is told apart.

    It offers no closing status (will not be taken forward, superseded): closing an action, with its
    reason, is done on the action's own update page, one action at a time."""

    class Meta(ProgressUpdateForm.Meta):
        fields = ["status", "text", "next_steps", "completion_evidence", "difference_made", "published"]

    def __init__(self, *args, action, needs_approval=False, **kwargs):
        super().__init__(*args, action=action, needs_approval=needs_approval, **kwargs)
        self.needs_approval = needs_approval
        for name in (
            "date",
            "percent_complete",
            "evidence_url",
            "closure_reason",
            "superseded_by",
            "superseded_reason",
        ):
            del self.fields[name]
        self.action = action
        self.fields["status"].choices = open_status_choices()
        if self.initial.get("status") in DROPPED_STATUSES:  # a closed action: no status is chosen for the lead
            self.initial["status"] = None
        self.fields["status"].label = f"What is the status of action {action.reference} now?"
        self.fields["text"].label = f"Progress to date on action {action.reference}"
        self.fields["text"].error_messages["required"] = f"Enter the progress to date on action {action.reference}"
        self.fields["next_steps"].label = f"Next steps on action {action.reference} (optional)"
        self.fields["status"].error_messages["required"] = f"Select the status of action {action.reference}"
        self.fields["completion_evidence"].label = f"Evidence that action {action.reference} is complete (if it is)"
        self.fields[
            "difference_made"
        ].label = f"What difference has action {action.reference} made? (if it is complete)"
        published = self.fields["published"]
        published.label = (
            f"Send the update on action {action.reference} to a coordinator for approval and publication"
            if needs_approval
            else f"Publish the update on action {action.reference} on the public page"
        )
        self.helper = GovukFormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field.radios("status", legend_size=Size.SMALL, small=True),
            Field.textarea("text", label_size=Size.SMALL, rows=5, max_characters=UPDATE_TEXT_MAX_CHARACTERS),
            Field.textarea("next_steps", label_size=Size.SMALL, rows=3, max_characters=UPDATE_TEXT_MAX_CHARACTERS),
            Field.textarea("completion_evidence", rows=3, max_characters=EVIDENCE_MAX_CHARACTERS),
            Field.textarea("difference_made", rows=3, max_characters=EVIDENCE_MAX_CHARACTERS),
            Field.checkbox("published"),
            Field("version"),
        )

    def _post_clean(self):
        # The model checks a Complete update's evidence; name the action in what it says.
        super()._post_clean()
        for name in ("completion_evidence", "difference_made"):
            if name in self._errors:
                self._errors[name] = self.error_class(
                    [f"Action {self.action.reference}: {error}" for error in self._errors[name]]
                )

    @property
    def is_blank(self):
        """Nothing typed, ticked or chosen: the lead left this action for later."""
        return not (set(self.changed_data) - {"version"})

    def update_fields(self, today):
        """The cleaned values, named as services.record_progress_update names them."""
        data = self.cleaned_data
        return {
            "seen_version": data["version"],
            "status": data["status"],
            "text": data["text"],
            "next_steps": data["next_steps"],
            "date": today,
            "published": data["published"],
            "completion_evidence": data["completion_evidence"],
            "difference_made": data["difference_made"],
        }
