"""The form a coordinator fills in to start a committee report."""

from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from cpc_tracker.forms import GovukDateField, GovukFormHelper


class CommitteeReportForm(forms.Form):
    committee = forms.CharField(
        label="Committee",
        help_text="For example, the Corporate Resource Management and Governance Scrutiny Committee",
        max_length=200,
        error_messages={
            "required": "Enter the name of the committee",
            "max_length": "The name of the committee must be 200 characters or fewer",
        },
    )
    meeting_date = GovukDateField(label="Date of the meeting", help_text="For example, 27 3 2024")
    cut_off = GovukDateField(
        label="Cut-off date for the figures",
        help_text="The report shows the action plan as it was on this day: progress updates dated after it "
        "are left out. For example, 1 3 2024",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting_date"].error_messages.update(
            {"required": "Enter the date of the meeting", "incomplete": "Enter the date of the meeting as a day, "
             "month and year", "invalid": "Enter the date of the meeting as a real date, like 27 3 2024"}
        )
        self.fields["cut_off"].error_messages.update(
            {"required": "Enter the cut-off date", "incomplete": "Enter the cut-off date as a day, month and year",
             "invalid": "Enter the cut-off date as a real date, like 1 3 2024"}
        )
        self.helper = GovukFormHelper()
        self.helper.layout = Layout(
            Field.text("committee", label_size=Size.SMALL),
            Field("meeting_date"),
            Field("cut_off"),
            Submit("submit", "Create draft report"),
        )

    def clean_cut_off(self):
        cut_off = self.cleaned_data["cut_off"]
        if cut_off and cut_off > timezone.localdate():
            raise ValidationError("The cut-off date must be today or in the past", code="future")
        return cut_off

    def clean(self):
        cleaned = super().clean()
        cut_off, meeting_date = cleaned.get("cut_off"), cleaned.get("meeting_date")
        if cut_off and meeting_date and cut_off > meeting_date:
            self.add_error(
                "cut_off",
                ValidationError("The cut-off date must be the same as or before the date of the meeting",
                                code="after_meeting"),
            )
        return cleaned
