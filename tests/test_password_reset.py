"""Changing a password when signed in, and resetting a forgotten one by email (cpc_tracker.passwords):
GOV.UK errors, no user enumeration, links that work once and expire, validated new passwords."""

import datetime
import re

import pytest
from django.conf import settings
from django.contrib.auth.tokens import (
    PasswordResetTokenGenerator,
    default_token_generator,
)
from django.core import mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from recommendations.tests.factories import UserFactory
from recommendations.tests.queries import SIGNED_IN_QUERIES, count_queries
from recommendations.tests.tasks import run_tasks

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"  # UserFactory's
NEW = "a-long-and-unusual-passphrase-42"
SIGN_IN = reverse("login")
FORGOTTEN = reverse("password_reset")
CHANGE = reverse("password_change")


def sign_in(client, username, password):
    return client.post(SIGN_IN, {"username": username, "password": password})


def signed_in(client):
    return "_auth_user_id" in client.session


def reset_path(message):
    return re.search(r"http://127\.0\.0\.1:8000(/reset-password/\S+/\S+/)", message.body).group(1)


def without_csrf_tokens(response):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def choose(password, again=None):
    return {"new_password1": password, "new_password2": again or password}


# Asking for a link -------------------------------------------------------------------------------


def test_the_sign_in_page_links_to_the_forgotten_password_page(client):
    assert f'href="{FORGOTTEN}">Forgotten your password?' in client.get(SIGN_IN).content.decode()


def test_a_known_address_gets_a_reset_link_from_the_sites_address(client, officer):
    response = client.post(FORGOTTEN, {"email": "OLIVIA@example.org"}, HTTP_HOST="localhost")

    assert response.status_code == 302
    assert mail.outbox == []  # queued: the worker sends it
    run_tasks(commit=True)
    [message] = mail.outbox
    assert message.to == [officer.email]
    assert "olivia" in message.body
    assert reset_path(message).startswith("/reset-password/")
    assert "localhost" not in message.body


def test_an_unknown_address_gets_the_same_response_and_no_email(client, officer):
    known = client.post(FORGOTTEN, {"email": officer.email}, follow=True)
    run_tasks(commit=True)
    mail.outbox.clear()

    unknown = client.post(FORGOTTEN, {"email": "nobody@example.org"}, follow=True)
    run_tasks(commit=True)

    assert unknown.redirect_chain == known.redirect_chain
    assert without_csrf_tokens(unknown) == without_csrf_tokens(known)
    assert "If the address you entered belongs to a CPC Tracker account" in unknown.content.decode()
    assert mail.outbox == []


def test_a_switched_off_account_gets_no_email(client):
    UserFactory(username="gone", email="gone@example.org", is_active=False)

    client.post(FORGOTTEN, {"email": "gone@example.org"})
    run_tasks(commit=True)

    assert mail.outbox == []


def test_a_malformed_address_shows_an_error_summary_and_keeps_what_was_typed(client):
    response = client.post(FORGOTTEN, {"email": "olivia@"})

    text = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text
    assert "Enter an email address in the correct format, like name@example.com" in text
    assert 'value="olivia@"' in text


def test_a_blank_address_says_what_to_enter(client):
    assert "Enter your email address" in client.post(FORGOTTEN, {"email": ""}).content.decode()


# Using the link ------------------------------------------------------------------------------------


@pytest.fixture
def link(client, officer):
    client.post(FORGOTTEN, {"email": officer.email})
    run_tasks(commit=True)
    return reset_path(mail.outbox[-1])


def test_the_link_lets_the_person_choose_a_new_password_and_sign_in_with_it(client, officer, link):
    form = client.get(link, follow=True)
    response = client.post(form.redirect_chain[-1][0], choose(NEW), follow=True)

    assert "Choose a new password" in form.content.decode()
    assert "Your password has been reset" in response.content.decode()
    assert not signed_in(client)
    sign_in(client, "olivia", PASSWORD)
    assert not signed_in(client)
    sign_in(client, "olivia", NEW)
    assert signed_in(client)


def test_the_link_works_once(client, officer, link):
    form = client.get(link, follow=True)
    client.post(form.redirect_chain[-1][0], choose(NEW))

    again = client.get(link, follow=True)

    assert "This link does not work" in again.content.decode()
    assert "Choose a new password" not in again.content.decode()


def test_an_expired_link_does_not_work(client, officer):
    class LastWeek(PasswordResetTokenGenerator):
        def _now(self):
            return datetime.datetime.now() - datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)

    uid = urlsafe_base64_encode(force_bytes(officer.pk))
    expired = reverse("password_reset_confirm", args=[uid, LastWeek().make_token(officer)])
    fresh = reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(officer)])

    assert "This link does not work" in client.get(expired, follow=True).content.decode()
    assert "Choose a new password" in client.get(fresh, follow=True).content.decode()


def test_the_reset_link_expires_within_a_few_hours():
    assert settings.PASSWORD_RESET_TIMEOUT <= 4 * 60 * 60


def test_a_weak_new_password_is_refused_with_what_to_do(client, officer, link):
    form = client.get(link, follow=True)

    response = client.post(form.redirect_chain[-1][0], choose("olivia@example.org1"))

    text = response.content.decode()
    assert "There is a problem" in text
    assert '<a href="#id_new_password1">The password is too similar to the' in text
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)


def test_new_passwords_that_differ_are_refused(client, officer, link):
    form = client.get(link, follow=True)

    response = client.post(form.redirect_chain[-1][0], choose(NEW, NEW + "x"))

    assert "The passwords do not match: enter the same new password twice" in response.content.decode()


def test_resetting_the_password_lifts_the_sign_in_lock_on_the_username(client, officer, link):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "olivia", "wrong")
    assert sign_in(client, "olivia", PASSWORD).status_code == 429

    form = client.get(link, follow=True)
    client.post(form.redirect_chain[-1][0], choose(NEW))
    sign_in(client, "olivia", NEW)

    assert signed_in(client)


def test_the_lockout_page_says_how_to_reset_a_forgotten_password(client, officer):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = sign_in(client, "olivia", "wrong")

    assert f'href="{FORGOTTEN}">reset your password' in response.content.decode()


# Changing a password when signed in ----------------------------------------------------------------


def test_changing_a_password_needs_sign_in(client):
    response = client.get(CHANGE)

    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)


def test_a_signed_in_person_changes_their_password_and_stays_signed_in(client, officer):
    client.force_login(officer)

    response = client.post(CHANGE, {"old_password": PASSWORD} | choose(NEW), follow=True)

    assert "Your password has been changed" in response.content.decode()
    assert signed_in(client)
    officer.refresh_from_db()
    assert officer.check_password(NEW)


def test_a_wrong_current_password_or_weak_new_one_is_refused(client, officer):
    client.force_login(officer)

    response = client.post(CHANGE, {"old_password": "wrong"} | choose("123456789012"))

    text = response.content.decode()
    assert "Your current password is not right: enter it again" in text
    assert '<a href="#id_new_password1">This password is entirely numeric.' in text
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)


def test_a_blank_change_says_what_to_enter(client, officer):
    client.force_login(officer)

    text = client.post(CHANGE, {}).content.decode()

    for message in ("Enter your current password", "Enter a new password", "Enter the new password again"):
        assert message in text


def test_django_admins_own_password_change_keeps_its_own_page(client, superuser):
    client.force_login(superuser)

    response = client.get(reverse("admin:password_change"))

    assert response.status_code == 200
    assert "admin/base_site.html" in [template.name for template in response.templates]


# Query budgets --------------------------------------------------------------------------------------


def test_the_password_pages_stay_within_their_query_budgets(client, officer):
    assert count_queries(client, FORGOTTEN) <= 1
    client.force_login(officer)
    assert count_queries(client, CHANGE) <= SIGNED_IN_QUERIES + 1  # the header's unread notifications
