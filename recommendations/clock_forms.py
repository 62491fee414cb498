"""The coordinators' form for the days the LGA's milestones happened (recommendations.clock).

A source often gives only the month ("published in February 2023"), so each date input takes a day,
month and year, or a month and year alone: the milestone is then kept as the 1st of its month with
the precision "month", and the clock does not guess the day. The rules (not before the challenge,
not in the future) are PeerChallenge.clean()'s.
"""

import datetime

from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.core.exceptions import ValidationError

from cpc_tracker.forms import GovukDateField, GovukFormHelper

from .models import DatePrecision


class MonthOrDayField(GovukDateField):
    """A GOV.UK date input whose day may be left blank. Cleans to (date, precision), or None when
    the whole date is blank."""

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)
        day, month, year = self.fields
        day.required = False
        month.error_messages["incomplete"] = f"{self.name} must include a month and year"
        year.error_messages["incomplete"] = f"{self.name} must include a month and year"

    def compress(self, data_list):
        day, month, year = data_list
        if not (month and year):
            return None
        if len(str(year)) != 4:
            raise ValidationError(f"{self.name} must include a year with 4 numbers, like 2023", code="invalid")
        try:
            if day:
                return datetime.date(int(year), int(month), int(day)), DatePrecision.DAY
            return datetime.date(int(year), int(month), 1), DatePrecision.MONTH
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


def typed(happened, precision):
    """What the date input shows for a stored milestone: no day for a month-only one."""
    if happened is None:
        return None
    day = "" if precision == DatePrecision.MONTH else happened.day
    return [day, happened.month, happened.year]


class MilestonesForm(forms.Form):
    """One date input per milestone of `challenge`'s clock (`milestones`, from clock.milestones()), each optional. The progress review is
    not asked for when the challenge has a progress review on record: the clock takes it from there."""

    def __init__(self, *args, challenge, milestones, **kwargs):
        super().__init__(*args, **kwargs)
        self.challenge = challenge
        names = []
        for milestone in milestones:
            if milestone.from_review_record:
                continue
            name = f"{milestone.key}_on"
            self.fields[name] = MonthOrDayField(
                label=milestone.name,
                help_text=(
                    f"{milestone.rule}: due by {milestone.due:%-d %B %Y}. For example, 27 2 2023. "
                    "If you know only the month, leave the day blank, for example 2 2023."
                ),
            )
            self.initial.setdefault(
                name, typed(getattr(challenge, name), getattr(challenge, f"{milestone.key}_precision"))
            )
            names.append(name)
        self.helper = GovukFormHelper()
        self.helper.layout = Layout(
            *(Field(name, context={"legend_size": Size.for_legend(Size.MEDIUM), "legend_tag": "h2"}) for name in names),
            Submit("submit", "Save the dates"),
        )

    def milestones(self):
        """The cleaned dates as the model's fields: `<milestone>_on` and `<milestone>_precision`."""
        values = {}
        for name in self.fields:
            chosen = self.cleaned_data.get(name)
            happened, precision = chosen if chosen else (None, DatePrecision.DAY)
            key = name.removesuffix("_on")
            values[f"{key}_on"] = happened
            values[f"{key}_precision"] = precision
        return values
