"""The forms for inviting a person to a council and for accepting an invitation (GOV.UK style).
The rules are the Invitation model's and recommendations.invitations'."""

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Fluid, Layout, Size, Submit
from django import forms
from django.contrib.auth import get_user_model, password_validation

from cpc_tracker.forms import GovukFormHelper

from .models import Invitation, Role

ROLE_HINTS = {
    Role.OFFICER: "Adds progress updates to the actions they lead",
    Role.COORDINATOR: "Manages the council's action plan, approves updates and invites people",
    Role.SCRUTINY_MEMBER: "Reads everything of the council, drafts included, and changes nothing",
}


class InvitationForm(forms.ModelForm):
    email = forms.EmailField(
        label="Email address",
        max_length=150,
        help_text="They will get an email with a link to set up their account",
        error_messages={
            "required": "Enter the email address of the person you are inviting",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Enter an email address of 150 characters or fewer",
        },
    )
    role = forms.ChoiceField(
        label="What will they do?",
        choices=[Choice(role.value, role.label, hint=ROLE_HINTS[role]) for role in Role],
        widget=forms.RadioSelect,
        error_messages={"required": "Select their role", "invalid_choice": "Select one of the roles listed"},
    )

    class Meta:
        model = Invitation
        fields = ["email", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = GovukFormHelper()
        self.helper.layout = Layout(
            Field.text("email", field_width=Fluid.TWO_THIRDS, autocomplete="off", spellcheck="false"),
            Field.radios("role", legend_size=Size.MEDIUM, legend_tag="h2"),
            Submit("submit", "Send invitation"),
        )


class NewAccountForm(forms.Form):
    """The invited person's name and password; their username is the invitation's e-mail address."""

    first_name = forms.CharField(
        label="First name", max_length=150, error_messages={"required": "Enter your first name"}
    )
    last_name = forms.CharField(label="Last name", max_length=150, error_messages={"required": "Enter your last name"})
    password1 = forms.CharField(
        label="Create a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters. Not a common password, not only numbers, and not like your name or email address",
        error_messages={"required": "Enter a password"},
    )
    password2 = forms.CharField(
        label="Confirm your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter your password again"},
    )

    def __init__(self, *args, invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        for name in ("first_name", "last_name"):
            self.fields[name].error_messages["max_length"] = (
                f"{self.fields[name].label} must be 150 characters or fewer"
            )
        self.helper = GovukFormHelper()
        self.helper.layout = Layout(
            Field.text("first_name", field_width=Fluid.TWO_THIRDS, autocomplete="given-name", spellcheck="false"),
            Field.text("last_name", field_width=Fluid.TWO_THIRDS, autocomplete="family-name", spellcheck="false"),
            Field.text("password1", field_width=Fluid.TWO_THIRDS),
            Field.text("password2", field_width=Fluid.TWO_THIRDS),
            Submit("submit", "Create account"),
        )

    def clean(self):
        cleaned = super().clean()
        password, again = cleaned.get("password1"), cleaned.get("password2")
        if password and again and password != again:
            self.add_error("password2", "The passwords do not match: enter the same password twice")
        elif password:
            user = get_user_model()(
                username=self.invitation.email,
                email=self.invitation.email,
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password, user)
            except forms.ValidationError as invalid:
                self.add_error("password1", invalid)
        return cleaned
