"""The form a coordinator fills in to start a committee report, and what it starts with when the
report is made from a closed update round (initial_from_round)."""

import datetime
import re

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
            {
                "required": "Enter the date of the meeting",
                "incomplete": "Enter the date of the meeting as a day, month and year",
                "invalid": "Enter the date of the meeting as a real date, like 27 3 2024",
            }
        )
        self.fields["cut_off"].error_messages.update(
            {
                "required": "Enter the cut-off date",
                "incomplete": "Enter the cut-off date as a day, month and year",
                "invalid": "Enter the cut-off date as a real date, like 1 3 2024",
            }
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
                ValidationError(
                    "The cut-off date must be the same as or before the date of the meeting", code="after_meeting"
                ),
            )
        return cleaned


# "… – for scrutiny on 14 March 2025", "for the Audit Committee meeting on 3 June 2025"
ROUND_TITLE = re.compile(
    r"\bfor (?:the )?(?P<committee>[^–—,;]*?(?:committee|scrutiny|cabinet|board|council)[^–—,;]*?)"
    r"(?:\s+(?:meeting\s+)?on\s+(?P<date>\d{1,2}\s+[A-Za-z]+\s+\d{4}))?\s*$",
    re.IGNORECASE,
)


def initial_from_round(update_round):
    """What a report made from a closed update round starts with: its cut-off is the day the round
    closed, and the committee (and meeting date) are taken from the round's title when it names
    them, as in "Quarter 3 2024/25 – for scrutiny on 14 March 2025"."""
    cut_off = timezone.localdate(update_round.closed_at)
    initial = {"cut_off": cut_off}
    match = ROUND_TITLE.search(update_round.title)
    if match:
        committee = match["committee"].strip()
        if committee.lower().endswith("scrutiny"):
            committee += " committee"  # "for scrutiny": the scrutiny committee
        initial["committee"] = committee[:1].upper() + committee[1:]
        if match["date"]:
            try:
                meeting_date = datetime.datetime.strptime(match["date"], "%d %B %Y").date()
            except ValueError:
                meeting_date = None
            if meeting_date and meeting_date >= cut_off:
                initial["meeting_date"] = meeting_date
    return initial
