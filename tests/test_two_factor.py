"""Two-factor sign-in (cpc_tracker/two_factor.py): coordinators and administrators need a code from an
authenticator app (or a backup code) after their password; officers only if they turned it on.

These tests sign in through the real steps (`sign_in` posts the password form). Tests elsewhere
use `client.force_login`, which the root conftest makes a verified session for those who need one.
"""

import datetime
import io
import re

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cpc_tracker import two_factor
from recommendations.roles import COORDINATOR
from recommendations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"  # UserFactory's
SIGN_IN = reverse("login")
VERIFY = reverse("two-factor-verify")
SETUP = reverse("two-factor-setup")
MANAGE = reverse("two-factor")
BACKUP_CODES = reverse("two-factor-backup-codes")
TURN_OFF = reverse("two-factor-turn-off")
ACTION_PLAN = reverse("recommendations:action-plan")
MY_ACTIONS = reverse("recommendations:my-actions")


def sign_in(client, user, next_url=None):
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(SIGN_IN, data)


def enter_code(client, code, url=VERIFY):
    return client.post(url, {"code": code})


def signed_in(client):
    return "_auth_user_id" in client.session


def verified(client):
    return DEVICE_ID_SESSION_KEY in client.session


def text(response):
    return response.content.decode()


def errors(response):
    return response.context["form"].errors.get("code", [])


def backup_codes_of(user):
    return list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))


@pytest.fixture
def app(coordinator, authenticator):
    """The coordinator's authenticator app."""
    return authenticator(coordinator)


# Who is asked for a code ---------------------------------------------------------------------------


def test_coordinators_staff_and_superusers_must_use_two_factor_sign_in_and_officers_need_not(
    coordinator, superuser, officer, scrutiny_member
):
    staff = UserFactory(username="stan-staff", is_staff=True)
    inactive = UserFactory(username="ivy", is_active=False, roles=[COORDINATOR])

    assert two_factor.two_factor_required(coordinator)
    assert two_factor.two_factor_required(superuser)
    assert two_factor.two_factor_required(staff)
    assert not two_factor.two_factor_required(officer)
    assert not two_factor.two_factor_required(scrutiny_member)
    assert not two_factor.two_factor_required(inactive)


def test_an_officer_signs_in_with_their_password_alone(client, officer):
    response = sign_in(client, officer, next_url=MY_ACTIONS)

    assert response.status_code == 302
    assert response["Location"] == MY_ACTIONS
    assert signed_in(client)


# The password is not enough ------------------------------------------------------------------------


def test_a_coordinators_password_alone_signs_nobody_in(client, coordinator, app):
    response = sign_in(client, coordinator, next_url=ACTION_PLAN)

    assert response.status_code == 302
    assert response["Location"] == VERIFY
    assert not signed_in(client)
    for url in (ACTION_PLAN, MY_ACTIONS, reverse("recommendations:dashboard"), MANAGE):
        refused = client.get(url)
        assert refused.status_code == 302 and refused["Location"].startswith(SIGN_IN), url


def test_an_administrators_password_alone_does_not_open_django_admin(client, superuser, authenticator):
    authenticator(superuser)

    response = sign_in(client, superuser, next_url="/admin/")

    assert response["Location"] == VERIFY
    admin = client.get("/admin/", follow=True)
    assert admin.redirect_chain[-1] == (f"{SIGN_IN}?next=%2Fadmin%2F", 302)  # through admin's sign-in page to ours


def test_django_admins_own_sign_in_page_sends_people_to_the_sign_in_with_a_code(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"] == f"{SIGN_IN}?next=/admin/"


def test_the_code_step_asks_for_the_code_from_the_app_and_offers_backup_codes(client, coordinator, app):
    sign_in(client, coordinator)

    response = client.get(VERIFY)

    page = text(response)
    assert "Enter the code from your authenticator app" in page
    assert 'autocomplete="one-time-code"' in page
    assert "backup codes" in page
    assert "no-store" in response["Cache-Control"]


def test_the_code_step_without_a_password_first_goes_to_sign_in(client):
    response = client.get(VERIFY)

    assert response.status_code == 302
    assert response["Location"] == SIGN_IN


# With the code -------------------------------------------------------------------------------------


def test_the_right_code_signs_a_coordinator_in_and_goes_to_the_page_they_asked_for(client, coordinator, app):
    sign_in(client, coordinator, next_url=ACTION_PLAN)

    response = enter_code(client, f"{totp(app.bin_key):06d}")

    assert response.status_code == 302
    assert response["Location"] == ACTION_PLAN
    assert signed_in(client) and verified(client)
    assert client.get(ACTION_PLAN).status_code == 200


def test_without_a_next_page_the_code_step_goes_to_the_start_page(client, coordinator, app, otp_code):
    sign_in(client, coordinator)

    response = enter_code(client, otp_code(app))

    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)


def test_a_next_page_on_another_site_is_ignored(client, coordinator, app, otp_code):
    sign_in(client, coordinator, next_url="https://evil.example.com/")

    response = enter_code(client, otp_code(app))

    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)


def test_the_right_code_opens_django_admin_to_an_administrator(client, superuser, authenticator, otp_code):
    app = authenticator(superuser)
    sign_in(client, superuser, next_url="/admin/")

    response = enter_code(client, otp_code(app))

    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_code_with_spaces_is_accepted(client, coordinator, app, otp_code):
    sign_in(client, coordinator)
    code = otp_code(app)

    enter_code(client, f"{code[:3]} {code[3:]}")

    assert verified(client)


def test_a_wrong_code_is_refused_with_an_error_summary_and_signs_nobody_in(client, coordinator, app):
    sign_in(client, coordinator)
    wrong = f"{(totp(app.bin_key) + 1) % 1_000_000:06d}"

    response = enter_code(client, wrong)

    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page
    assert "The code is not right" in page
    assert f'value="{wrong}"' in page
    assert not signed_in(client)


@pytest.mark.parametrize(
    "code, message",
    [
        ("", "Enter the 6-digit code from your authenticator app"),
        ("12345", "Enter the 6-digit code from your authenticator app, or a backup code"),
        ("12345a", "Enter the 6-digit code from your authenticator app, or a backup code"),
    ],
)
def test_a_code_that_is_not_a_code_says_what_to_enter(client, coordinator, app, code, message):
    sign_in(client, coordinator)

    response = enter_code(client, code)

    assert errors(response)[0].startswith(message)
    assert not signed_in(client)


def test_a_code_works_once(client, coordinator, app):
    sign_in(client, coordinator)
    code = f"{totp(app.bin_key):06d}"
    enter_code(client, code)
    client.post(reverse("logout"))
    app.refresh_from_db()
    app.throttle_reset()

    sign_in(client, coordinator)
    response = enter_code(client, code)

    assert "The code is not right" in errors(response)[0]
    assert not signed_in(client)


def test_wrong_codes_lock_the_app_for_longer_each_time_even_against_the_right_code(client, coordinator, app, otp_code):
    sign_in(client, coordinator)
    wrong = f"{(totp(app.bin_key) + 1) % 1_000_000:06d}"
    for _attempt in range(5):
        # as if the person waited out each lock: the lock is what refuses, not the test's speed
        TOTPDevice.objects.filter(pk=app.pk).update(
            throttling_failure_timestamp=timezone.now() - datetime.timedelta(hours=1)
        )
        assert "The code is not right" in errors(enter_code(client, wrong))[0]
    app.refresh_from_db()
    assert app.throttling_failure_count == 5

    locked = enter_code(client, otp_code(app))

    assert re.match(r"Too many wrong codes: wait (1[0-6]) seconds, then enter the newest code", errors(locked)[0])
    assert not signed_in(client)

    TOTPDevice.objects.filter(pk=app.pk).update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(seconds=17)
    )
    enter_code(client, otp_code(app))

    assert signed_in(client) and verified(client)
    app.refresh_from_db()
    assert app.throttling_failure_count == 0


def test_a_half_done_sign_in_expires(client, coordinator, app, otp_code):
    sign_in(client, coordinator)
    session = client.session
    session[two_factor.PENDING_KEY]["started"] -= two_factor.PENDING_SECONDS + 1
    session.save()

    response = enter_code(client, otp_code(app))

    assert response["Location"] == SIGN_IN
    assert not signed_in(client)


def test_a_half_done_sign_in_ends_when_the_password_changes(client, coordinator, app, otp_code):
    sign_in(client, coordinator)
    coordinator.set_password("a-new-password-for-cora")
    coordinator.save()

    enter_code(client, otp_code(app))

    assert not signed_in(client)


def test_too_many_wrong_passwords_still_lock_a_coordinator_out(client, coordinator, app):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(SIGN_IN, {"username": coordinator.username, "password": "wrong"})

    response = sign_in(client, coordinator)

    assert response.status_code == 429
    assert two_factor.PENDING_KEY not in client.session


# Backup codes --------------------------------------------------------------------------------------


def test_a_backup_code_signs_in_once(client, coordinator, app):
    codes = two_factor.make_backup_codes(coordinator)
    sign_in(client, coordinator, next_url=ACTION_PLAN)

    response = enter_code(client, codes[0].upper())

    assert response["Location"] == ACTION_PLAN
    assert signed_in(client) and verified(client)
    assert len(backup_codes_of(coordinator)) == 9
    follow = client.get(ACTION_PLAN)
    assert "You used a backup code. You have 9 backup codes left." in text(follow)

    client.post(reverse("logout"))
    StaticDevice.objects.filter(user=coordinator).update(throttling_failure_count=0)
    sign_in(client, coordinator)
    again = enter_code(client, codes[0])

    assert "The backup code is not right, or has been used" in errors(again)[0]
    assert not signed_in(client)


def test_wrong_backup_codes_are_throttled_too(client, coordinator, app):
    codes = two_factor.make_backup_codes(coordinator)
    sign_in(client, coordinator)
    enter_code(client, "aaaaaaaa")

    response = enter_code(client, codes[0])

    assert errors(response)[0].startswith("Too many wrong codes")
    assert not signed_in(client)


# Setting up ----------------------------------------------------------------------------------------


def test_a_coordinator_without_an_app_sets_one_up_at_sign_in_then_sees_backup_codes_once(client, coordinator, otp_code):
    response = sign_in(client, coordinator, next_url=ACTION_PLAN)

    assert response["Location"] == SETUP
    assert not signed_in(client)
    page = client.get(SETUP)
    html = text(page)
    assert "Set up two-factor sign-in" in html
    assert "Coordinators and administrators must sign in with a code" in html
    assert '<img src="data:image/svg+xml;' in html
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    assert page.context["secret"].replace(" ", "") in device.config_url
    assert "no-store" in page["Cache-Control"]
    assert client.get(SETUP).context["secret"] == page.context["secret"]  # reloading keeps the secret

    wrong = enter_code(client, f"{(totp(device.bin_key) + 1) % 1_000_000:06d}", url=SETUP)
    assert "The code is not right: check you added the secret" in errors(wrong)[0]
    assert not signed_in(client)
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(seconds=2)
    )

    done = enter_code(client, otp_code(device), url=SETUP)

    assert done["Location"] == BACKUP_CODES
    assert signed_in(client) and verified(client)
    assert TOTPDevice.objects.get(user=coordinator).confirmed
    shown = client.get(BACKUP_CODES)
    assert sorted(shown.context["codes"]) == sorted(backup_codes_of(coordinator))
    assert len(shown.context["codes"]) == 10
    assert shown.context["next_url"] == ACTION_PLAN
    assert "no-store" in shown["Cache-Control"]
    again = client.get(BACKUP_CODES)
    assert again.context["codes"] is None
    assert "You have 10 backup codes left" in text(again)
    assert client.get(ACTION_PLAN).status_code == 200


def test_set_up_without_a_password_first_goes_to_sign_in(client):
    assert client.get(SETUP)["Location"] == SIGN_IN


def test_someone_with_an_app_cannot_set_up_another_while_signing_in(client, coordinator, app):
    sign_in(client, coordinator)

    response = client.get(SETUP)

    assert response["Location"] == VERIFY
    assert not TOTPDevice.objects.filter(user=coordinator, confirmed=False).exists()


def test_a_signed_in_coordinator_changes_their_app_and_keeps_their_backup_codes(client, coordinator, app, otp_code):
    codes = two_factor.make_backup_codes(coordinator)
    client.force_login(coordinator)

    page = client.get(SETUP)
    assert "Change your authenticator app" in text(page)
    new = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    response = enter_code(client, otp_code(new), url=SETUP)

    assert response["Location"] == MANAGE
    assert list(TOTPDevice.objects.filter(user=coordinator).values_list("pk", "confirmed")) == [(new.pk, True)]
    assert sorted(backup_codes_of(coordinator)) == sorted(codes)
    assert client.get(ACTION_PLAN).status_code == 200  # the session is verified by the new app


# Signed in but not verified ------------------------------------------------------------------------


def unverified(client, user):
    """Signed in without a code: a session from before the user became a coordinator, say."""
    client.force_login(user)
    session = client.session
    session.pop(DEVICE_ID_SESSION_KEY, None)
    session.save()


def test_a_signed_in_coordinator_without_a_code_reaches_no_page_but_the_code_step(client, coordinator, app, led_action):
    unverified(client, coordinator)

    for url in (ACTION_PLAN, reverse("home"), led_action.get_absolute_url(), MANAGE, "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{VERIFY}?next={url.replace('/', '%2F')}", url
    posted = client.post(reverse("recommendations:action-update", args=[led_action.pk]), {})
    assert posted["Location"] == VERIFY
    assert client.post(reverse("logout")).status_code == 302


def test_a_signed_in_coordinator_enters_the_code_and_goes_on_to_the_page(client, coordinator, app, otp_code):
    unverified(client, coordinator)
    redirected = client.get(ACTION_PLAN)["Location"]

    response = enter_code(client, otp_code(app), url=redirected)

    assert response["Location"] == ACTION_PLAN
    assert client.get(ACTION_PLAN).status_code == 200


def test_someone_made_a_coordinator_while_signed_in_sets_up_an_app_first(client, officer, council):
    from recommendations.models import Membership

    client.force_login(officer)
    Membership.objects.filter(user=officer).update(role=COORDINATOR)

    response = client.get(ACTION_PLAN)

    assert response["Location"] == f"{SETUP}?next={ACTION_PLAN.replace('/', '%2F')}"
    assert client.get(SETUP).status_code == 200


def test_an_officer_signed_in_without_a_code_is_not_stopped(client, officer):
    client.force_login(officer)

    assert client.get(MY_ACTIONS).status_code == 200
    assert client.get(VERIFY)["Location"] == reverse(settings.LOGIN_REDIRECT_URL)


# Optional for everyone else ------------------------------------------------------------------------


def test_an_officer_turns_two_factor_sign_in_on_and_is_asked_for_a_code_from_then_on(client, officer, otp_code):
    client.force_login(officer)
    assert "Two-factor sign-in is off" in text(client.get(MANAGE))

    client.get(f"{SETUP}?next={MANAGE}")
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    response = enter_code(client, otp_code(device), url=f"{SETUP}?next={MANAGE}")

    assert response["Location"] == BACKUP_CODES
    assert client.get(BACKUP_CODES).context["next_url"] == MANAGE
    assert "Two-factor sign-in is on" in text(client.get(MANAGE))
    client.post(reverse("logout"))

    assert sign_in(client, officer)["Location"] == VERIFY
    assert not signed_in(client)
    enter_code(client, otp_code(device))
    assert signed_in(client) and verified(client)


def test_an_officer_turns_two_factor_sign_in_off(client, officer, authenticator, otp_code):
    device = authenticator(officer)
    two_factor.make_backup_codes(officer)
    sign_in(client, officer)
    enter_code(client, otp_code(device))

    response = client.post(TURN_OFF)

    assert response["Location"] == MANAGE
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert not StaticDevice.objects.filter(user=officer).exists()
    assert "Two-factor sign-in is off. You sign in with your password only" in text(client.get(MANAGE))
    client.post(reverse("logout"))
    assert sign_in(client, officer)["Location"] == reverse(settings.LOGIN_REDIRECT_URL)


def test_turning_off_or_making_codes_needs_this_sessions_code(client, officer, authenticator):
    authenticator(officer)
    unverified(client, officer)  # signed in before they turned it on elsewhere

    assert client.post(TURN_OFF)["Location"].startswith(VERIFY)
    assert client.post(BACKUP_CODES)["Location"].startswith(VERIFY)
    assert client.get(SETUP)["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=officer).exists()


def test_a_coordinator_cannot_turn_two_factor_sign_in_off(client, coordinator, app):
    client.force_login(coordinator)

    page = text(client.get(MANAGE))
    response = client.post(TURN_OFF)

    assert "You must use two-factor sign-in because you are a coordinator or an administrator" in page
    assert "Turn off two-factor sign-in" not in page
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=coordinator).exists()


def test_turning_off_is_a_post(client, officer):
    client.force_login(officer)

    assert client.get(TURN_OFF).status_code == 405


def test_new_backup_codes_replace_the_old_ones_and_are_shown_once(client, coordinator, app):
    old = two_factor.make_backup_codes(coordinator)
    client.force_login(coordinator)

    response = client.post(BACKUP_CODES)

    assert response["Location"] == BACKUP_CODES
    shown = client.get(BACKUP_CODES).context["codes"]
    assert len(shown) == 10 and not set(shown) & set(old)
    assert sorted(backup_codes_of(coordinator)) == sorted(shown)
    assert client.get(BACKUP_CODES).context["codes"] is None


def test_someone_without_two_factor_sign_in_is_not_given_backup_codes(client, officer):
    client.force_login(officer)

    response = client.post(BACKUP_CODES)

    assert response["Location"] == MANAGE
    assert backup_codes_of(officer) == []
    assert "Backup codes come with two-factor sign-in" in text(client.get(BACKUP_CODES))


def test_the_two_factor_pages_need_signing_in(client):
    for url in (MANAGE, BACKUP_CODES):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(SIGN_IN), url
    assert client.post(TURN_OFF)["Location"].startswith(SIGN_IN)


@pytest.mark.parametrize("url", [MANAGE, BACKUP_CODES])
def test_the_two_factor_pages_stay_within_a_query_budget(client, coordinator, app, url, django_assert_max_num_queries):
    two_factor.make_backup_codes(coordinator)
    client.force_login(coordinator)

    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200


def test_the_code_step_stays_within_a_query_budget(client, coordinator, app, django_assert_max_num_queries, otp_code):
    two_factor.make_backup_codes(coordinator)
    sign_in(client, coordinator)

    with django_assert_max_num_queries(6):
        assert client.get(VERIFY).status_code == 200
    code = otp_code(app)
    with django_assert_max_num_queries(
        21
    ):  # the session, the user, the device (checked, saved), signing in, axes' record
        assert enter_code(client, code).status_code == 302


# Recovery ------------------------------------------------------------------------------------------


def test_reset_two_factor_removes_the_devices_and_ends_the_users_sessions(client, coordinator, app, officer):
    two_factor.make_backup_codes(coordinator)
    client.force_login(coordinator)
    from django.test import Client

    officers_browser = Client()
    officers_browser.force_login(officer)
    out = io.StringIO()

    call_command("reset_two_factor", coordinator.username, stdout=out)

    assert "removed 2 devices, ended 1 session" in out.getvalue()
    assert "must set up a new authenticator app when they next sign in" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    assert not StaticDevice.objects.filter(user=coordinator).exists()
    assert client.get(ACTION_PLAN)["Location"].startswith(SIGN_IN)
    assert officers_browser.get(MY_ACTIONS).status_code == 200
    assert sign_in(client, coordinator)["Location"] == SETUP


def test_reset_two_factor_of_nobody_says_so():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="There is no user 'nobody'"):
        call_command("reset_two_factor", "nobody")


def test_resetting_ends_database_sessions_only_of_that_user(client, coordinator, app):
    client.force_login(coordinator)
    before = Session.objects.count()

    call_command("reset_two_factor", coordinator.username, stdout=io.StringIO())

    assert Session.objects.count() == before - 1


# Demo users ----------------------------------------------------------------------------------------


def test_demo_coordinator_and_admin_sign_in_with_the_published_demo_code(client, settings):
    from recommendations.management.commands.create_demo_users import DEMO_TOTP_KEY

    settings.DEBUG = True
    call_command("load_challenge", "stockport_cpc", verbosity=0)
    out = io.StringIO()
    call_command("create_demo_users", stdout=out)
    devices = TOTPDevice.objects.filter(key=DEMO_TOTP_KEY.hex(), confirmed=True)
    again = io.StringIO()
    call_command("create_demo_users", stdout=again)

    assert sorted(devices.values_list("user__username", flat=True)) == ["admin", "coordinator"]
    assert "add the setup key MNYG GLLU" in out.getvalue()
    assert "Every demo user exists already: nothing changed" in again.getvalue()
    assert "add the setup key MNYG GLLU" in again.getvalue()
    assert TOTPDevice.objects.count() == 2
    response = client.post(SIGN_IN, {"username": "coordinator", "password": "demo-only-password"})
    assert response["Location"] == VERIFY
    enter_code(client, f"{totp(DEMO_TOTP_KEY):06d}")
    assert verified(client)
