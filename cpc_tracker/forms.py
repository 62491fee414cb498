"""Site-wide form pieces in GOV.UK Design System style: the sign-in form, a date field whose
messages say what to do, and the form helper every form uses (no browser validation, so the
GOV.UK error summary is what people see)."""

import datetime

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxLengthValidator


class GovukFormHelper(FormHelper):
    """crispy-forms-gds's helper with `novalidate`: the server's messages, never the browser's."""

    def __init__(self, form=None):
        super().__init__(form)
        self.attrs = {"novalidate": ""}


def add_model_errors(form, invalid):
    """A model's ValidationError (from a service's full_clean) onto the form, by field where it has
    one; an error that names no field goes to the form's own errors."""
    if not hasattr(invalid, "error_dict"):
        form.add_error(None, invalid.messages)
        return
    for name, errors in invalid.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


class HiddenFieldErrorsMixin:
    """The GOV.UK error summary lists visible fields only: an error on a hidden input (a form's
    version, say) is moved to the form's own errors, so the person is told what went wrong."""

    def full_clean(self):
        super().full_clean()
        for field in self.hidden_fields():
            for error in self._errors.pop(field.name, []) if self._errors else []:
                self._errors.setdefault(NON_FIELD_ERRORS, self.error_class(error_class="nonfield")).append(error)


class GovukDateField(DateInputField):
    """A GOV.UK date input whose errors name the field and say what to do: "Date of the update must
    be a real date", never Python's "day is out of range for month"."""

    def __init__(self, *, label, **kwargs):
        super().__init__(label=label, require_all_fields=False, **kwargs)
        name = label.removesuffix(" (optional)")
        self.error_messages.update(
            {
                "required": f"Enter the {name.lower()}",
                "incomplete": f"{name} must include a day, month and year",
                "invalid": f"{name} must be a real date",
            }
        )
        day, month, year = self.fields
        for part, validator_message in ((day, "day"), (month, "month"), (year, "year")):
            for validator in part.validators:
                validator.message = f"{name} must be a real date: the {validator_message} must be a number"
        self.name = name

    def compress(self, data_list):
        day, month, year = data_list
        if not (day and month and year):
            return None
        if len(str(year)) != 4:
            raise ValidationError(f"{self.name} must include a year with 4 numbers, like 2025", code="invalid")
        try:
            return datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class SignInForm(AuthenticationForm):
    """Django's sign-in form with GOV.UK-style error messages that say what to do."""

    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account has been switched off. Ask your CPC Tracker administrator.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.error_messages["required"] = "Enter your username"
        # Set after the field was made, so Django adds no length check of its own: without this an
        # over-long username reaches django-axes' records and fails there (a 500).
        username.validators.append(
            MaxLengthValidator(
                username.max_length,
                f"Enter a correct username: usernames are {username.max_length} characters or fewer",
            )
        )
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["password"].widget = forms.PasswordInput(attrs={"autocomplete": "current-password"})
