"""Signing in and out: GOV.UK-styled errors, throttled failures, sign-out by POST only."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

SIGN_IN = reverse("login")


def test_sign_in_page_is_a_govuk_form_with_csrf(client):
    text = client.get(SIGN_IN).content.decode()

    assert '<h1 class="govuk-heading-xl">Sign in</h1>' in text
    assert "csrfmiddlewaretoken" in text


def test_wrong_password_shows_an_error_summary_and_keeps_the_username(client, officer):
    response = client.post(SIGN_IN, {"username": "olivia", "password": "wrong"})

    text = response.content.decode()
    assert "There is a problem" in text
    assert "Enter a correct username and password" in text
    assert 'value="olivia"' in text


def test_empty_sign_in_says_what_to_enter(client):
    text = client.post(SIGN_IN, {"username": "", "password": ""}).content.decode()

    assert "Enter your username" in text
    assert "Enter your password" in text


def test_right_password_signs_in_and_goes_to_the_page_asked_for(client, officer):
    response = client.post(
        SIGN_IN,
        {
            "username": "olivia",
            "password": "correct-horse-battery-staple",
            "next": reverse("recommendations:my-actions"),
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("recommendations:my-actions")


def test_repeated_failures_lock_the_account_out_even_with_the_right_password(client, officer):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(SIGN_IN, {"username": "olivia", "password": "wrong"})

    response = client.post(SIGN_IN, {"username": "olivia", "password": "correct-horse-battery-staple"})

    assert response.status_code == 429
    assert "Too many attempts to sign in" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_out_is_a_post(client, officer):
    client.force_login(officer)

    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_sessions_expire():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60
