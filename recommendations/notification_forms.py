"""The form of a person's notification settings: which kinds of notification are also e-mailed."""

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from cpc_tracker.forms import GovukFormHelper

from .models import NotificationKind

HINTS = {
    NotificationKind.AWAITING_APPROVAL: "For coordinators: an officer’s update needs approving before it is published",
    NotificationKind.UPDATE_APPROVED: "Your update is now on the public pages",
    NotificationKind.UPDATE_RETURNED: "With the coordinator’s reason, so you can write a new update",
    NotificationKind.ACTION_ASSIGNED: "You become, or stop being, an action’s lead officer",
    NotificationKind.ROUND_OPENED: "A coordinator asks every lead for an update by a deadline",
    NotificationKind.ROUND_REMINDER: "A coordinator reminds you of actions in the round you have not updated",
    NotificationKind.UPDATES_DUE: "At most once a day, while actions you lead are overdue or due soon "
    "without a recent update",
}


class NotificationSettingsForm(forms.Form):
    emailed = forms.MultipleChoiceField(
        label="Email me when",
        help_text="Select all that apply. You can see every notification in CPC Tracker, whatever you choose.",
        choices=[Choice(kind.value, kind.label, hint=HINTS[kind]) for kind in NotificationKind],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Select the notifications to email you from the list"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = GovukFormHelper()
        self.helper.layout = Layout(
            Field.checkboxes("emailed", legend_size=Size.MEDIUM, legend_tag="h2"),
            Submit("submit", "Save notification settings"),
        )
