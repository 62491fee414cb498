"""URLs for CPC Tracker. Public pages need no sign-in; staff tools live in Django admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from . import health, passwords, two_factor
from .home import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("sign-in/", two_factor.SignInView.as_view(), name="login"),
    path("sign-in/code/", two_factor.VerifyView.as_view(), name="two-factor-verify"),
    path("sign-in/set-up-two-factor/", two_factor.SetupView.as_view(), name="two-factor-setup"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/two-factor/", two_factor.TwoFactorView.as_view(), name="two-factor"),
    path("account/two-factor/backup-codes/", two_factor.BackupCodesView.as_view(), name="two-factor-backup-codes"),
    path("account/two-factor/turn-off/", two_factor.TurnOffView.as_view(), name="two-factor-turn-off"),
    path("account/password/", passwords.PasswordChangeView.as_view(), name="password_change"),
    path("account/password/changed/", passwords.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("forgotten-password/", passwords.PasswordResetView.as_view(), name="password_reset"),
    path("forgotten-password/sent/", passwords.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "reset-password/<uidb64>/<token>/",
        passwords.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("reset-password/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("", include("recommendations.urls")),
    path("", include("reviews.urls")),
    path("", include("reports.urls")),
    # Django admin's own sign-in page would take a password alone: everyone signs in here, with a code.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
]

handler400 = "cpc_tracker.views.bad_request"
handler404 = "cpc_tracker.views.page_not_found"
handler500 = "cpc_tracker.views.server_error"
