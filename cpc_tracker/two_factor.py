"""Two-factor sign-in (django-otp): after the password, a 6-digit code from an authenticator app
(TOTP) or one of ten single-use backup codes.

- **Who:** required of staff, superusers and anyone holding one of
  settings.TWO_FACTOR_REQUIRED_PERMISSIONS (coordinators of any council); anyone else may turn it on
  from the Two-factor sign-in page, and then signs in with a code too.
- **Signing in** is two steps. The password step (`SignInView`, Django's LoginView, so django-axes
  still counts and locks failures) signs nobody in when a code is needed: it keeps the half-done
  sign-in in the session for PENDING_SECONDS and sends the person to the code step
  (`VerifyView`) or, if they have no authenticator yet, to set one up (`SetupView`: the secret as
  text and as a QR code, a code to confirm it, then ten backup codes shown once). Only then are
  they signed in (`django.contrib.auth.login`) and verified (`django_otp.login`).
- **Enforcement** (`TwoFactorMiddleware`, after django-otp's OTPMiddleware): someone who must
  use two-factor sign-in, signed in but not verified (a session from before they became a
  coordinator, or an account made from an invitation), reaches no page but the code step, set-up
  and sign-out; public pages too, because signed-in pages show a council's drafts. Django admin
  is behind it as well.
- **Wrong codes** are throttled per device by django-otp: each failure doubles the wait before
  the next try is even checked (OTP_TOTP_THROTTLE_FACTOR, OTP_STATIC_THROTTLE_FACTOR).
- **Recovery:** a backup code instead of the app's code; an administrator runs
  `manage.py reset_two_factor <username>` (removes the devices and ends the user's sessions).

This module imports no app: who is a coordinator is asked as a permission (rules).
"""

import math
import re
from base64 import b32encode
from urllib.parse import urlencode

import django_otp
import rules
import segno
from crispy_forms_gds.layout import Field, Fixed, Layout, Submit
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .forms import GovukFormHelper, SignInForm

BACKUP_CODE_COUNT = 10
PENDING_SECONDS = 10 * 60  # a half-done sign-in (password right, no code yet) lasts this long
PENDING_KEY = "two_factor_pending"
NEW_CODES_KEY = "two_factor_new_backup_codes"
APP_NAME = "Authenticator app"
BACKUP_NAME = "Backup codes"


# Who, and with what --------------------------------------------------------------------------------


def two_factor_required(user):
    """Staff, superusers and coordinators (settings.TWO_FACTOR_REQUIRED_PERMISSIONS) must use it."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_staff or user.is_superuser:
        return True
    # rules' own registry: no query for Django's model permissions, only the user's roles (kept per request)
    return any(rules.has_perm(name, user) for name in settings.TWO_FACTOR_REQUIRED_PERMISSIONS)


def authenticator(user):
    """The user's confirmed authenticator app, or None."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def uses_two_factor(user):
    """Whether signing in as `user` asks for a code: they have a confirmed device of any kind."""
    return django_otp.user_has_device(user)


def backup_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def make_backup_codes(user):
    """Ten new backup codes for `user`, replacing any they had. Returns the codes, to show once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def remove_devices(user):
    """Every two-factor device of `user` (the app, the backup codes). Returns how many there were."""
    removed = 0
    for model in django_otp.device_classes():
        _, deleted = model.objects.filter(user=user).delete()
        removed += deleted.get(model._meta.label, 0)
    return removed


def unconfirmed_authenticator(user):
    """The authenticator being set up: one per user, kept until confirmed, so reloading the set-up
    page shows the same secret as the app may already hold."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_NAME, confirmed=False)


def secret_text(device):
    """The secret as people type it into an app: base32 in groups of four."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


QR_SCALE = 4


def qr_code(device):
    """The app's set-up address as a QR code: (an SVG data: URI for an <img>, its size in pixels).
    An image, so the page needs no inline script or style (Content-Security-Policy)."""
    code = segno.make(device.config_url, error="m")
    return code.svg_data_uri(scale=QR_SCALE, dark="#0b0c0c", light="#ffffff"), code.symbol_size(scale=QR_SCALE)[0]


def wait_words(seconds):
    seconds = max(1, math.ceil(seconds))
    if seconds <= 90:
        return f"{seconds} second{'' if seconds == 1 else 's'}"
    minutes = math.ceil(seconds / 60)
    if minutes <= 90:
        return f"{minutes} minutes"
    return f"{math.ceil(minutes / 60)} hours"


# The half-done sign-in -----------------------------------------------------------------------------


def start_pending(request, user, next_url):
    """Password right, code still to come: remember who, not signed in."""
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "hash": user.get_session_auth_hash(),
        "next": next_url,
        "started": timezone.now().timestamp(),
    }


def pending_sign_in(request):
    """(user, state) of a half-done sign-in that is still good, or (None, None)."""
    state = request.session.get(PENDING_KEY)
    if not state:
        return None, None
    user = get_user_model().objects.filter(pk=state["user"], is_active=True).first()
    fresh = timezone.now().timestamp() - state["started"] < PENDING_SECONDS
    if user is None or not fresh or user.get_session_auth_hash() != state["hash"]:
        del request.session[PENDING_KEY]
        return None, None
    return user, state


def finish_sign_in(request, user, device, state):
    """Sign the person in (if the code step was part of signing in) and mark the session verified."""
    if state is not None:
        request.session.pop(PENDING_KEY, None)
        auth_login(request, user, backend=state["backend"])
    django_otp.login(request, device)


def safe_next(request, default=None):
    """The `next` asked for, if it is on this site; else `default` or settings.LOGIN_REDIRECT_URL."""
    wanted = request.POST.get("next") or request.GET.get("next")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return default or resolve_url(settings.LOGIN_REDIRECT_URL)


def with_next(url_name, next_url):
    url = reverse(url_name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


# Forms ---------------------------------------------------------------------------------------------

TOTP_PATTERN = re.compile(r"^[0-9]{6}$")
BACKUP_PATTERN = re.compile(r"^[a-z2-7]{8}$")


def normalise(code):
    return re.sub(r"[\s-]", "", code or "").lower()


class CodeForm(forms.Form):
    """One box for a code. `devices(code)` says which devices to try; the first to accept it is
    `self.device`. django-otp throttles each device: a locked device checks nothing."""

    code = forms.CharField(label="Code", max_length=32, strip=True)
    required_message = "Enter the 6-digit code from your authenticator app"
    format_message = "Enter the 6-digit code from your authenticator app"
    wrong_message = "The code is not right: enter the code your authenticator app shows now"
    submit = "Continue"

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.device = None
        self.fields["code"].error_messages.update(
            {"required": self.required_message, "max_length": self.format_message}
        )
        self.helper = GovukFormHelper()
        self.helper.layout = Layout(
            Field.text(
                "code",
                field_width=Fixed.TEN,
                autocomplete="one-time-code",
                spellcheck="false",
                autocapitalize="none",
            ),
            Submit("submit", self.submit),
        )

    def devices(self, code):
        if TOTP_PATTERN.match(code):
            return list(TOTPDevice.objects.filter(user=self.user, confirmed=True))
        raise ValidationError(self.format_message, code="invalid")

    def clean_code(self):
        code = normalise(self.cleaned_data["code"])
        for device in self.devices(code):
            allowed, why = device.verify_is_allowed()
            if not allowed:
                wait = (why["locked_until"] - timezone.now()).total_seconds() if why.get("locked_until") else 1
                raise ValidationError(
                    f"Too many wrong codes: wait {wait_words(wait)}, then enter the newest code", code="throttled"
                )
            verified = django_otp.verify_token(self.user, device.persistent_id, code)
            if verified is not None:
                self.device = verified
                return code
        raise ValidationError(self.wrong_message_for(code), code="wrong")

    def wrong_message_for(self, code):
        return self.wrong_message


class VerifyForm(CodeForm):
    """The code step of signing in: the app's 6-digit code, or a backup code."""

    format_message = "Enter the 6-digit code from your authenticator app, or a backup code of 8 letters and numbers"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = "The code changes every 30 seconds"

    def devices(self, code):
        if BACKUP_PATTERN.match(code):
            return list(StaticDevice.objects.filter(user=self.user, confirmed=True))
        return super().devices(code)

    def wrong_message_for(self, code):
        if BACKUP_PATTERN.match(code):
            return "The backup code is not right, or has been used: check it, or enter the code from your app"
        return self.wrong_message


class ConfirmAppForm(CodeForm):
    """Setting up: the code the new app shows proves it holds the secret."""

    wrong_message = (
        "The code is not right: check you added the secret shown on this page, then enter the code your app shows now"
    )
    submit = "Turn on two-factor sign-in"

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device_to_confirm = device
        self.fields["code"].label = "Code from your authenticator app"
        self.fields["code"].help_text = "The app shows a new 6-digit code every 30 seconds"

    def devices(self, code):
        if not TOTP_PATTERN.match(code):
            raise ValidationError(self.format_message, code="invalid")
        return [self.device_to_confirm]


# Views ---------------------------------------------------------------------------------------------


class SignInView(auth_views.LoginView):
    """The password step. Someone who needs a code is not signed in yet: on to the code step."""

    authentication_form = SignInForm

    def form_valid(self, form):
        user = form.get_user()
        has_device = uses_two_factor(user)
        if not (has_device or two_factor_required(user)):
            self.request.session.pop(PENDING_KEY, None)  # someone else's sign-in left half done
            return super().form_valid(form)
        start_pending(self.request, user, self.get_success_url())
        return redirect("two-factor-verify" if has_device else "two-factor-setup")


@method_decorator(never_cache, name="dispatch")
class TwoFactorStepView(FormView):
    """A step someone reaches half signed in (password right), or signed in but not verified."""

    def dispatch(self, request, *args, **kwargs):
        self.user, self.pending = pending_sign_in(request)
        if self.user is None:
            if not request.user.is_authenticated:
                return redirect(settings.LOGIN_URL)
            self.user = request.user  # with django-otp's is_verified()
        return self.elsewhere() or super().dispatch(request, *args, **kwargs)

    def elsewhere(self):
        """A redirect when this step is not the one to take now, else None."""
        return None

    @property
    def next_url(self):
        return self.pending["next"] if self.pending else safe_next(self.request)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "signing_in": self.pending is not None,
            "required": two_factor_required(self.user),
        }


class VerifyView(TwoFactorStepView):
    template_name = "registration/two_factor_verify.html"
    form_class = VerifyForm

    def elsewhere(self):
        """Nothing to verify: verified already, or no device (set one up if it is required)."""
        if self.pending is None and self.user.is_verified():
            return redirect(self.next_url)
        if not uses_two_factor(self.user):  # never had one, or an administrator reset it meanwhile
            if two_factor_required(self.user):
                return redirect(with_next("two-factor-setup", None if self.pending else self.next_url))
            if self.pending is not None:
                del self.request.session[PENDING_KEY]  # to sign in again: with the password alone now
                return redirect(settings.LOGIN_URL)
            return redirect(self.next_url)
        return None

    def form_valid(self, form):
        finish_sign_in(self.request, self.user, form.device, self.pending)
        if isinstance(form.device, StaticDevice):
            left = backup_codes_left(self.user)
            advice = " Make new ones from Two-factor sign-in." if left <= 3 else ""
            messages.warning(
                self.request,
                f"You used a backup code. You have {left} backup code{'' if left == 1 else 's'} left.{advice}",
            )
        return redirect(self.next_url)


class SetupView(TwoFactorStepView):
    """Set up an authenticator app: first time (signing in, or turning it on), or a new phone."""

    template_name = "registration/two_factor_setup.html"
    form_class = ConfirmAppForm

    def elsewhere(self):
        """Someone with a device proves it first: signing in, or changing their app."""
        if uses_two_factor(self.user):
            if self.pending is not None:
                return redirect("two-factor-verify")
            if not self.user.is_verified():
                return redirect(with_next("two-factor-verify", self.request.get_full_path()))
        return None

    @cached_property
    def device(self):
        return unconfirmed_authenticator(self.user)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"device": self.device}

    def get_context_data(self, **kwargs):
        image, size = qr_code(self.device)
        return super().get_context_data(**kwargs) | {
            "secret": secret_text(self.device),
            "qr_code": image,
            "qr_size": size,
            "replacing": authenticator(self.user) is not None,
        }

    def form_valid(self, form):
        device = form.device
        first_time = not uses_two_factor(self.user)
        with transaction.atomic():
            TOTPDevice.objects.filter(user=self.user).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.name = APP_NAME
            device.save(update_fields=["confirmed", "name"])
            codes = make_backup_codes(self.user) if first_time or not backup_codes_left(self.user) else None
        finish_sign_in(self.request, self.user, device, self.pending)
        if codes is None:
            messages.success(self.request, "Your new authenticator app is set up. Your backup codes are unchanged")
            return redirect("two-factor")
        self.request.session[NEW_CODES_KEY] = {"codes": codes, "next": self.next_url}
        return redirect("two-factor-backup-codes")


@method_decorator(never_cache, name="dispatch")
class TwoFactorView(LoginRequiredMixin, TemplateView):
    """Two-factor sign-in for the signed-in user: on or off, backup codes left, change the app."""

    template_name = "registration/two_factor_manage.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(**kwargs) | {
            "app": authenticator(user),
            "codes_left": backup_codes_left(user),
            "required": two_factor_required(user),
        }


def must_be_verified(request):
    """A redirect to the code step if the user has devices but this session has not used one."""
    if uses_two_factor(request.user) and not request.user.is_verified():
        return redirect(with_next("two-factor-verify", reverse("two-factor")))
    return None


@method_decorator(never_cache, name="dispatch")
class BackupCodesView(LoginRequiredMixin, TemplateView):
    """New backup codes, shown once (GET after they were made); POST makes new ones."""

    template_name = "registration/two_factor_backup_codes.html"

    def get_context_data(self, **kwargs):
        new = self.request.session.pop(NEW_CODES_KEY, None)
        user = self.request.user
        return super().get_context_data(**kwargs) | {
            "codes": new["codes"] if new else None,
            "next_url": new["next"] if new else reverse("two-factor"),
            "codes_left": backup_codes_left(user),
            "app": authenticator(user),
        }

    def post(self, request, *args, **kwargs):
        if authenticator(request.user) is None:
            messages.info(request, "Set up two-factor sign-in first: backup codes come with it")
            return redirect("two-factor")
        refused = must_be_verified(request)
        if refused:
            return refused
        request.session[NEW_CODES_KEY] = {"codes": make_backup_codes(request.user), "next": reverse("two-factor")}
        return redirect("two-factor-backup-codes")


@method_decorator(never_cache, name="dispatch")
class TurnOffView(LoginRequiredMixin, View):
    """Turn two-factor sign-in off: only for those who do not have to use it."""

    http_method_names = ("post",)

    def post(self, request, *args, **kwargs):
        if two_factor_required(request.user):
            raise PermissionDenied("Coordinators and administrators must use two-factor sign-in")
        refused = must_be_verified(request)
        if refused:
            return refused
        remove_devices(request.user)
        request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
        messages.success(request, "Two-factor sign-in is off. You sign in with your password only")
        return redirect("two-factor")


# Enforcement ---------------------------------------------------------------------------------------

# The pages someone signed in but not yet verified may reach.
UNVERIFIED_VIEWS = {"login", "logout", "two-factor-verify", "two-factor-setup"}


class TwoFactorMiddleware:
    """Someone who must use two-factor sign-in, signed in but not verified, goes to the code step
    (or sets up an app) before any other page, Django admin included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or request.resolver_match.view_name in UNVERIFIED_VIEWS:
            return None
        if user.is_verified() or not two_factor_required(user):
            return None
        next_url = request.get_full_path() if request.method == "GET" else None
        return redirect(with_next("two-factor-verify" if uses_two_factor(user) else "two-factor-setup", next_url))
