"""Changing a password (signed in) and resetting a forgotten one by email: Django's views and
forms, in GOV.UK words, with the templates in templates/registration/.

- **No user enumeration:** asking for a reset link gives the same page whatever address is typed;
  an email goes only to active accounts with that address (Django's PasswordResetForm).
- **The link** works once (the token changes with the password) and for PASSWORD_RESET_TIMEOUT
  seconds. Its address starts with SITE_URL, never with the request's Host header.
- **In the background:** the request only queues a task with the address typed
  (`cpc_tracker.tasks.send_password_reset_email`); the worker looks the accounts up, makes the
  link and sends it (`send_reset_email`), so no request talks to the mail server and the task
  queue never holds a working link.
- **A new password** must pass AUTH_PASSWORD_VALIDATORS; the messages go on the new-password field.
- **Resetting lifts the sign-in lock** on the username (django-axes): whoever reset it reads its
  email. The lock on an address that tried many usernames stays.
"""

from urllib.parse import urlsplit

from axes.utils import reset as reset_sign_in_failures
from crispy_forms_gds.layout import Field, Fluid, Layout, Submit
from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy

from .forms import GovukFormHelper

NEW_PASSWORD_HINT = (
    "At least 12 characters. Not a common password, not only numbers, and not like your name, username or email address"
)


class GovukNewPasswordMixin:
    """SetPasswordForm's two new-password fields in GOV.UK words."""

    error_messages = {"password_mismatch": "The passwords do not match: enter the same new password twice"}

    def govuk_new_password_fields(self):
        first, again = self.fields["new_password1"], self.fields["new_password2"]
        first.label, first.help_text = "New password", NEW_PASSWORD_HINT
        first.error_messages["required"] = "Enter a new password"
        again.label, again.help_text = "Confirm new password", ""
        again.error_messages["required"] = "Enter the new password again"
        return [Field.text(name, field_width=Fluid.TWO_THIRDS) for name in ("new_password1", "new_password2")]

    def validate_password_for_user(self, user, password_field_name="new_password1"):
        # The validators' messages are about the new password, so they go on its field, not its confirmation.
        super().validate_password_for_user(user, "new_password1")


class GovukSetPasswordForm(GovukNewPasswordMixin, auth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = GovukFormHelper()
        self.helper.layout = Layout(*self.govuk_new_password_fields(), Submit("submit", "Reset password"))


class GovukPasswordChangeForm(GovukNewPasswordMixin, auth_forms.PasswordChangeForm):
    error_messages = {
        **GovukNewPasswordMixin.error_messages,
        "password_incorrect": "Your current password is not right: enter it again",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.fields["old_password"]
        current.label = "Current password"
        current.error_messages["required"] = "Enter your current password"
        current.widget.attrs.pop("autofocus", None)
        self.helper = GovukFormHelper()
        self.helper.layout = Layout(
            Field.text("old_password", field_width=Fluid.TWO_THIRDS),
            *self.govuk_new_password_fields(),
            Submit("submit", "Change password"),
        )


class GovukPasswordResetForm(auth_forms.PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        email.label = "Email address"
        email.help_text = "The email address of your CPC Tracker account"
        email.widget = forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"})
        email.error_messages.update(
            {
                "required": "Enter your email address",
                "invalid": "Enter an email address in the correct format, like name@example.com",
                "max_length": "Enter an email address of 254 characters or fewer",
            }
        )
        self.helper = GovukFormHelper()
        self.helper.layout = Layout(
            Field.text("email", field_width=Fluid.TWO_THIRDS), Submit("submit", "Send reset link")
        )


# Not Django's default template names for changing a password: Django admin's own password change
# (/admin/password_change/) uses those, with its own form and its own look.
class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = GovukPasswordChangeForm
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_changed.html"


class PasswordResetView(auth_views.PasswordResetView):
    form_class = GovukPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    @property
    def extra_email_context(self):
        return reset_email_context()

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | self.extra_email_context

    def form_valid(self, form):
        """Queue the e-mail for the worker (after commit); the same page follows whatever was typed."""
        from .tasks import send_password_reset_email

        email = form.cleaned_data["email"]
        transaction.on_commit(lambda: send_password_reset_email.enqueue(email), robust=True)
        return HttpResponseRedirect(self.get_success_url())


def reset_email_context():
    return {"site_url": settings.SITE_URL.rstrip("/"), "valid_for_minutes": settings.PASSWORD_RESET_TIMEOUT // 60}


def send_reset_email(email):
    """E-mail a reset link to each active account with this address (in the worker), as Django's
    PasswordResetView would; nothing for an unknown address. Returns how many accounts were e-mailed."""
    form = GovukPasswordResetForm({"email": email})
    if not form.is_valid():
        return 0
    users = list(form.get_users(form.cleaned_data["email"]))
    form.save(
        domain_override=urlsplit(settings.SITE_URL).netloc,
        use_https=settings.SITE_URL.startswith("https:"),
        subject_template_name=PasswordResetView.subject_template_name,
        email_template_name=PasswordResetView.email_template_name,
        extra_email_context=reset_email_context(),
    )
    return len(users)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"valid_for_minutes": settings.PASSWORD_RESET_TIMEOUT // 60}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = GovukSetPasswordForm

    def form_valid(self, form):
        response = super().form_valid(form)
        reset_sign_in_failures(username=form.user.get_username())
        return response
