"""Django admin: every model of the app is there for admins, with working lists; nobody else gets in."""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from recommendations.models import EvidenceFile, Invitation, UpdateRound
from reports.models import PreparedPdf

pytestmark = pytest.mark.django_db

APP_LABELS = {"recommendations", "reviews", "reports"}


def app_models():
    return [model for model in admin.site._registry if model._meta.app_label in APP_LABELS]


def test_every_app_model_is_in_admin():
    from django.apps import apps

    registered = set(app_models())
    missing = [
        model.__name__
        for label in APP_LABELS
        for model in apps.get_app_config(label).get_models()
        if model not in registered and not model.__name__.startswith("Historical")
    ]
    assert missing == []


def test_admin_lists_add_forms_and_search_work_on_the_stockport_data(client, superuser):
    call_command("loaddata", "stockport_cpc", verbosity=0)
    client.force_login(superuser)
    for model in app_models():
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        assert client.get(reverse(f"{name}_changelist")).status_code == 200, model
        assert client.get(reverse(f"{name}_changelist"), {"q": "Stockport"}).status_code == 200, model
        # Update rounds and invitations are made from their own pages, which e-mail people, and evidence
        # files are uploaded from the progress update page, which checks them; prepared PDFs are queued by
        # the pages that ask for them: the admin refuses to add one.
        expected = 403 if model in (UpdateRound, Invitation, EvidenceFile, PreparedPdf) else 200
        assert client.get(reverse(f"{name}_add")).status_code == expected, model


@pytest.mark.parametrize("role", ["anonymous", "lead officer", "coordinator", "scrutiny member"])
def test_only_admins_get_into_admin(client, sign_in_as, role):
    sign_in_as(role)

    response = client.get(reverse("admin:recommendations_action_changelist"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
