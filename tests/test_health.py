"""/healthz and /readyz (cpc_tracker/health.py): what a load balancer is told, and that it is told
nothing else."""

import json

import pytest
from django.db import OperationalError
from django.urls import reverse

SECRET_LOOKING = "could not connect to server at db.internal:5432 password=hunter2"


def test_healthz_says_ok_without_touching_the_database(client):
    """No database access is allowed in this test: a query would fail it."""
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_says_each_part_is_ok(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = client.get(reverse("readyz"))

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "storage": "ok"}
    assert "no-store" in response["Cache-Control"]


def failing(*args, **kwargs):
    raise OperationalError(SECRET_LOOKING)


@pytest.mark.django_db
def test_readyz_names_a_failing_database_and_nothing_of_the_error(client, monkeypatch):
    monkeypatch.setattr("cpc_tracker.health.connection.cursor", failing)

    response = client.get(reverse("readyz"))

    assert response.status_code == 503
    assert response.json() == {"database": "failing", "cache": "ok", "storage": "ok"}
    assert "hunter2" not in response.content.decode()
    assert "5432" not in response.content.decode()


@pytest.mark.django_db
def test_readyz_names_a_cache_that_does_not_keep_what_it_is_given(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    response = client.get(reverse("readyz"))

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "failing", "storage": "ok"}


@pytest.mark.django_db
def test_readyz_names_unreachable_storage(client, monkeypatch):
    monkeypatch.setattr("cpc_tracker.health.default_storage.exists", failing)

    response = client.get(reverse("readyz"))

    assert response.status_code == 503
    assert json.loads(response.content)["storage"] == "failing"


def test_probes_are_answered_over_plain_http_while_pages_redirect_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("home")).status_code == 301


def test_probes_still_need_an_allowed_host(client):
    """ALLOWED_HOSTS applies to the probes too: the load balancer sends the service's host name."""
    assert client.get(reverse("healthz"), HTTP_HOST="10.0.0.5").status_code == 400


def test_probes_only_answer_get(client):
    assert client.post(reverse("healthz")).status_code == 405
    assert client.post(reverse("readyz")).status_code == 405
