"""Forms for indicators in GOV.UK Design System style: a value for a period (the owner's and the
council's coordinators'), an indicator's settings (coordinators'), and the CSV upload.

The rules are the models' and the services' (reviews.indicator_services): these forms add the
GOV.UK wording, read the period (reviews.periods) and the numbers as people type them.
"""

from decimal import InvalidOperation

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Fieldset, Fixed, Layout, Size, Submit
from django import forms
from django.core.exceptions import ValidationError

from cpc_tracker.forms import GovukFormHelper, HiddenFieldErrorsMixin
from recommendations.forms import LeadOfficerChoiceField
from recommendations.models import Recommendation, Theme, eligible_leads

from . import indicator_import
from .indicator_import import DECIMAL_PLACES, LARGEST_VALUE
from .models import Frequency, Indicator, Polarity
from .periods import EXAMPLES, Period, PeriodError, parse_period, tidy

TEXT_MAX_CHARACTERS = 5000


class IndicatorVersionField(forms.IntegerField):
    """The version of the indicator the form was opened on (optimistic locking), in a hidden input."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        message = (
            "This page is out of date or incomplete: open the indicator again from its page, then make your changes"
        )
        super().__init__(
            min_value=1, error_messages={"required": message, "invalid": message, "min_value": message}, **kwargs
        )


class FigureField(forms.DecimalField):
    """A number as people type it: 97.6, 97.6%, 1,250. Up to three decimal places."""

    def __init__(self, *, label, name, **kwargs):
        super().__init__(
            label=label,
            required=False,
            max_digits=14,
            decimal_places=DECIMAL_PLACES,
            error_messages={
                "invalid": f"{name} must be a number, like 97.6",
                "max_digits": f"{name} is too large",
                "max_whole_digits": f"{name} is too large",
                "max_decimal_places": f"{name} can have up to {DECIMAL_PLACES} decimal places",
            },
            widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
            **kwargs,
        )

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().removesuffix("%").replace(",", "").strip()
        return super().to_python(value)

    def validate(self, value):
        super().validate(value)
        try:
            too_large = value is not None and abs(value) > LARGEST_VALUE
        except InvalidOperation:
            too_large = True
        if too_large:
            raise ValidationError(self.error_messages["max_digits"], code="max_digits")


def text_field(label, help_text="", *, max_length=TEXT_MAX_CHARACTERS, name=None, textarea=True):
    name = name or label.removesuffix(" (optional)")
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=max_length,
        widget=forms.Textarea if textarea else forms.TextInput,
        error_messages={"max_length": f"{name} must be {max_length:,} characters or fewer"},
    )


class IndicatorValueForm(HiddenFieldErrorsMixin, forms.Form):
    """A figure for one period: added, or a recorded one corrected (`existing`)."""

    period = forms.CharField(
        label="Period",
        help_text=f"As you would write it, like {EXAMPLES}",
        max_length=50,
        error_messages={
            "required": f"Enter the period, like {EXAMPLES}",
            "max_length": "The period must be 50 characters or fewer",
        },
    )
    value = FigureField(label="Figure", name="The figure")
    target = FigureField(label="Target (optional)", name="The target")
    comparator_label = text_field(
        "What it is compared with (optional)",
        'For example "National average" or "Metropolitan councils"',
        max_length=100,
        name="What it is compared with",
        textarea=False,
    )
    comparator_value = FigureField(label="The comparator's figure (optional)", name="The comparator's figure")
    comparator = text_field(
        "The comparison in words (optional)",
        'For example "the third best rate for a Metropolitan Council". Use it when the comparison is not a number.',
        name="The comparison in words",
    )
    note = text_field("Note (optional)", "Anything a reader should know about this figure", name="The note")
    version = IndicatorVersionField()

    def __init__(self, *args, indicator, existing=None, **kwargs):
        self.indicator = indicator
        self.existing = existing
        initial = {"version": indicator.version}
        if existing is not None:
            initial |= {
                "period": existing.period,
                "value": existing.value,
                "target": existing.target,
                "comparator_label": existing.comparator_label,
                "comparator_value": existing.comparator_value,
                "comparator": existing.comparator,
                "note": existing.note,
            }
        kwargs["initial"] = initial | kwargs.get("initial", {})
        super().__init__(*args, **kwargs)
        unit = indicator.unit.strip()
        in_unit = "A percentage, like 97.6. " if unit == "%" else f"In {unit}. " if unit else ""
        for name in ("target", "comparator_value"):
            self.fields[name].help_text = in_unit.strip()
        self.fields[
            "value"
        ].help_text = f"{in_unit}Leave it empty if there is no figure, and give the comparison in words below."
        self.helper = GovukFormHelper()
        self.helper.layout = Layout(
            Field.text("period", field_width=Fixed.TWENTY, spellcheck="false"),
            Field.text("value", field_width=Fixed.TEN),
            Field.text("target", field_width=Fixed.TEN),
            Fieldset(
                Field.text("comparator_label"),
                Field.text("comparator_value", field_width=Fixed.TEN),
                Field.textarea("comparator", rows=3, max_characters=TEXT_MAX_CHARACTERS),
                legend="Comparison",
                legend_size=Size.MEDIUM,
            ),
            Field.textarea("note", rows=3, max_characters=TEXT_MAX_CHARACTERS),
            Field("version"),
            Submit("submit", "Save figure"),
        )

    def clean_period(self):
        text = tidy(self.cleaned_data["period"])
        existing = self.existing
        if existing is not None and text == tidy(existing.period):
            return Period(existing.period, existing.period_start, "recorded")
        try:
            period = parse_period(text)
        except PeriodError as error:
            raise ValidationError(str(error), code="period") from None
        others = self.indicator.values.filter(period_start=period.start)
        if existing is not None:
            others = others.exclude(pk=existing.pk)
        if other := others.first():
            raise ValidationError(
                f"There is already a figure for {other.period}, the same period as {period.label}: "
                "change that one instead",
                code="duplicate",
            )
        return period

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("value") is None and not cleaned.get("comparator", "").strip() and "value" not in self.errors:
            self.add_error("value", "Enter the figure, or the comparison in words if there is no figure")
        return cleaned

    def value_fields(self):
        """The cleaned values, named as indicator_services.save_value names them."""
        data = self.cleaned_data
        names = ["value", "target", "comparator_label", "comparator_value", "comparator", "note"]
        return {"seen_version": data["version"], "period": data["period"], **{name: data[name] for name in names}}


def _yes_no(value):
    return "yes" if value else "no"


class IndicatorForm(HiddenFieldErrorsMixin, forms.ModelForm):
    """A coordinator adds an indicator or changes its settings."""

    name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="As people know it, for example Council Tax collection rate",
        error_messages={
            "required": "Enter the indicator's name",
            "max_length": "The name must be 200 characters or fewer",
        },
    )
    description = text_field("What it measures (optional)", "In plain words, as the public will read it")
    unit = forms.CharField(
        label="Unit (optional)",
        max_length=50,
        required=False,
        help_text='What its figures count, for example "%" or "per 10,000 children"',
        error_messages={"max_length": "The unit must be 50 characters or fewer"},
    )
    polarity = forms.ChoiceField(
        label="Which way is better?",
        choices=[
            Choice(Polarity.HIGHER, Polarity.HIGHER.label, hint="A higher figure is an improvement"),
            Choice(Polarity.LOWER, Polarity.LOWER.label, hint="A lower figure is an improvement"),
            Choice(
                Polarity.NOT_STATED,
                Polarity.NOT_STATED.label,
                hint="Its direction of travel says only whether it changed",
            ),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select which way is better",
            "invalid_choice": "Select which way is better",
        },
    )
    frequency = forms.ChoiceField(
        label="How often are its figures reported?",
        choices=Frequency.choices,
        widget=forms.RadioSelect,
        help_text="Its owner is asked for a figure when a period ends: in update rounds, and on the round's page",
        error_messages={
            "required": "Select how often its figures are reported",
            "invalid_choice": "Select how often its figures are reported",
        },
    )
    owner = LeadOfficerChoiceField(
        label="Owner (optional)",
        queryset=None,
        required=False,
        empty_label="No owner yet",
        help_text="An officer or coordinator of the council, who keeps its figures up to date",
        error_messages={"invalid_choice": "Choose an owner from the list"},
    )
    public = forms.TypedChoiceField(
        label="Is it shown to the public?",
        choices=[
            Choice("yes", "Yes, it is public", hint="On the public pages, committee reports and open data"),
            Choice(
                "no",
                "No, it is internal",
                hint="Management information for the council's own members only: never on a public page",
            ),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select yes if the indicator is shown to the public",
            "invalid_choice": "Select yes if the indicator is shown to the public",
        },
    )
    source = forms.CharField(
        label="Source (optional)",
        max_length=200,
        required=False,
        help_text='Where the figures come from, for example "LG Inform"',
        error_messages={"max_length": "The source must be 200 characters or fewer"},
    )
    source_id = forms.CharField(
        label="LG Inform metric id (optional)",
        max_length=50,
        required=False,
        help_text="The number in the metric's LG Inform address. An import's rows for other metrics are left out.",
        error_messages={"max_length": "The LG Inform metric id must be 50 characters or fewer"},
    )
    source_url = forms.URLField(
        label="Link to the source (optional)",
        max_length=500,
        required=False,
        assume_scheme="https",
        error_messages={
            "invalid": "Enter a full web address, like https://lginform.local.gov.uk/",
            "max_length": "The link to the source must be 500 characters or fewer",
        },
    )
    recommendations = forms.ModelMultipleChoiceField(
        label="Recommendations it shows progress on (optional)",
        queryset=Recommendation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose recommendations from the list"},
    )
    themes = forms.ModelMultipleChoiceField(
        label="Themes it shows progress on (optional)",
        queryset=Theme.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose themes from the list"},
    )
    order = forms.IntegerField(
        label="Place in lists (optional)",
        required=False,
        min_value=0,
        max_value=32767,
        help_text="Indicators are listed by this number, lowest first, then by name",
        error_messages={
            "invalid": "Enter the place in lists as a whole number, like 3",
            "min_value": "The place in lists must be 0 or more",
            "max_value": "The place in lists must be 32,767 or less",
        },
    )
    version = IndicatorVersionField(required=False)

    class Meta:
        model = Indicator
        fields = [
            "name",
            "description",
            "unit",
            "polarity",
            "frequency",
            "owner",
            "public",
            "source",
            "source_id",
            "source_url",
            "recommendations",
            "themes",
            "order",
        ]

    def __init__(self, *args, challenge, instance=None, **kwargs):
        instance = instance or Indicator(challenge=challenge)
        initial = {"public": _yes_no(instance.public)}
        if instance.pk:
            initial["version"] = instance.version
        kwargs["initial"] = initial | kwargs.get("initial", {})
        super().__init__(*args, instance=instance, **kwargs)
        self.challenge = challenge
        owners = eligible_leads(challenge.council_id)
        if instance.owner_id:  # an owner who has since left stays selectable until changed
            owners = owners | type(instance.owner).objects.filter(pk=instance.owner_id)
        self.fields["owner"].queryset = owners.distinct()
        self.fields["recommendations"].queryset = Recommendation.objects.filter(challenge=challenge).order_by("number")
        self.fields["recommendations"].label_from_instance = lambda r: f"{r.number}. {r.title}"
        self.fields["themes"].queryset = Theme.objects.filter(challenge=challenge).order_by("number")
        self.fields["themes"].label_from_instance = lambda t: f"Theme {t.number}: {t.title}"
        if instance.pk:
            self.fields["version"].required = True
        self.helper = GovukFormHelper()
        self.helper.layout = Layout(
            Field.text("name"),
            Field.textarea("description", rows=3, max_characters=TEXT_MAX_CHARACTERS),
            Field.text("unit", field_width=Fixed.TWENTY),
            Field.radios("polarity", legend_size=Size.SMALL),
            Field.radios("frequency", legend_size=Size.SMALL, small=True),
            Field.select("owner"),
            Field.radios("public", legend_size=Size.SMALL),
            Field.text("source", field_width=Fixed.TWENTY),
            Field.text("source_id", field_width=Fixed.TEN),
            Field.text("source_url"),
            Field.checkboxes("recommendations", legend_size=Size.SMALL, small=True),
            Field.checkboxes("themes", legend_size=Size.SMALL, small=True),
            Field.text("order", field_width=Fixed.FIVE, inputmode="numeric"),
            Field("version"),
            Submit("submit", "Save indicator"),
        )

    def clean_order(self):
        order = self.cleaned_data.get("order")
        return 0 if order is None else order

    def indicator_fields(self):
        """The cleaned values, named as indicator_services names them."""
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class IndicatorValuesUploadForm(forms.Form):
    """A CSV file of an indicator's values, and the council's area as the file names it."""

    file = forms.FileField(
        label="Upload the file",
        help_text=(
            "A CSV file of 1 MB or less, with up to "
            f"{indicator_import.MAX_VALUES:,} values, as LG Inform's data download gives it"
        ),
        error_messages={
            "required": "Select a CSV file",
            "empty": "The file is empty",
            "invalid": "Select a CSV file",
        },
    )
    area = forms.CharField(
        label="Your council's area in the file",
        max_length=200,
        help_text="Its name or code as the file's area column gives it, for example Stockport or E08000007. "
        "Rows for other areas are not imported.",
        error_messages={
            "required": "Enter your council's area as the file names it",
            "max_length": "The area must be 200 characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,text/csv"
        self.helper = GovukFormHelper()
        self.helper.layout = Layout(
            Field("file"), Field.text("area", field_width=Fixed.TWENTY), Submit("submit", "Check the file")
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise ValidationError("The file must be a CSV file", code="format")
        if upload.size > indicator_import.MAX_FILE_BYTES:
            raise ValidationError("The file must be smaller than 1 MB", code="too_big")
        content = upload.read()
        try:
            self.values_file = indicator_import.read_values_file(content)
        except indicator_import.FileProblem as problem:
            raise ValidationError(str(problem), code="unreadable") from None
        self.content = content
        return upload

    def clean_area(self):
        return tidy(self.cleaned_data["area"])


class ConfirmImportForm(forms.Form):
    """The token of the file waiting in the session; the template lays out the button."""

    token = forms.CharField(widget=forms.HiddenInput)
