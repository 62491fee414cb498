"""Importing an indicator's figures from an LG Inform CSV download: upload and preview (nothing
written), confirm (written in one go, only if the preview still holds), and who may do it."""

import base64
import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recommendations.tests.queries import count_queries
from reviews import indicator_services
from reviews.indicator_import import check_rows, read_values_file
from reviews.indicator_views import SESSION_KEY
from reviews.models import Indicator, IndicatorValue, Polarity

from .factories import IndicatorFactory, IndicatorValueFactory, add_values

pytestmark = pytest.mark.django_db

GOOD = """area code,area name,period,value
E08000007,Anytown,2021/22,96.9
E08000007,Anytown,2022/23,97.6
E08000001,Bolton,2022/23,95.1
E08000002,Bury,2022/23,96.0
"""


@pytest.fixture
def indicator(officer):
    return IndicatorFactory(
        name="Council Tax collection rate", unit="%", owner=officer, polarity=Polarity.HIGHER, public=True
    )


def import_url(indicator):
    return reverse("reviews:indicator-import", args=[indicator.pk])


def confirm_url(indicator):
    return reverse("reviews:indicator-import-confirm", args=[indicator.pk])


def upload(client, indicator, text, *, area="Anytown", name="lg-inform.csv"):
    return client.post(
        import_url(indicator), {"file": SimpleUploadedFile(name, text.encode("utf-8"), "text/csv"), "area": area}
    )


def confirm(client, indicator):
    token = client.session[SESSION_KEY]["token"]
    return client.post(confirm_url(indicator), {"token": token})


def page(response):
    return response.content.decode()


def stash_pending_indicator_import(client, indicator, text, area):
    """Put a checked file in the session as the upload step would, for roles that may not upload."""
    values_file = read_values_file(text.encode("utf-8"))
    preview = check_rows(
        values_file,
        areas=[area],
        metrics=[indicator.source_id, indicator.name],
        existing=indicator_services.existing_values(indicator),
    )
    session = client.session
    session[SESSION_KEY] = {
        "token": "a-token",
        "indicator": indicator.pk,
        "area": area,
        "content": base64.b64encode(text.encode("utf-8")).decode("ascii"),
        "fingerprint": preview.fingerprint,
    }
    session.save()
    return "a-token"


def test_the_upload_page_documents_the_format_and_suggests_the_councils_area(client, officer, indicator):
    client.force_login(officer)
    text = page(client.get(import_url(indicator)))
    assert "A row for each area and period" in text and "A row for each area, a column for each period" in text
    assert 'value="Anytown"' in text  # Anytown Council's area, as LG Inform names it


def test_preview_shows_what_would_be_added_and_reports_other_areas_writing_nothing(client, officer, indicator):
    IndicatorValueFactory(indicator=indicator, period="2021/22", period_start=datetime.date(2021, 4, 1), value=96.5)
    client.force_login(officer)

    response = upload(client, indicator, GOOD)

    text = page(response)
    assert "Check the figures before you import them" in text
    assert "1 new value and 1 value changed" in text
    assert "2 other areas (Bolton: 1, Bury: 1)" in text
    assert "96.5%" in text and "96.9%" in text and "97.6%" in text
    assert list(indicator.values.values_list("value", flat=True)) == [Decimal("96.5")]  # nothing written yet
    assert "Confirm import" in text


def test_confirm_writes_every_figure_in_one_go(client, officer, indicator):
    IndicatorValueFactory(
        indicator=indicator, period="2021/22", period_start=datetime.date(2021, 4, 1), value=96.5, note="Kept"
    )
    client.force_login(officer)
    upload(client, indicator, GOOD)
    version = Indicator.objects.get(pk=indicator.pk).version

    response = confirm(client, indicator)

    assert response["Location"] == indicator.get_absolute_url()
    values = {v.period: v for v in indicator.values.all()}
    assert {period: v.value for period, v in values.items()} == {
        "2021/22": Decimal("96.9"),
        "2022/23": Decimal("97.6"),
    }
    assert values["2021/22"].note == "Kept"  # the rest of a recorded figure stays
    assert values["2022/23"].period_start == datetime.date(2022, 4, 1)
    assert all(v.entered_by == officer for v in values.values())
    assert Indicator.objects.get(pk=indicator.pk).version == version + 1
    assert "Imported: 1 new value and 1 value changed" in page(client.get(response["Location"]))
    assert SESSION_KEY not in client.session


def test_errors_by_row_and_nothing_written_until_the_whole_file_is_clean(client, officer, indicator):
    client.force_login(officer)
    bad = GOOD + "E08000007,Anytown,2023/24,n/a\nE08000007,Anytown,Smarch 2024,3\n"

    response = upload(client, indicator, bad)

    text = page(response)
    assert "The file cannot be imported yet" in text and "govuk-error-summary" in text
    assert "Row 6: the value &#x27;n/a&#x27; is not a number" in text
    assert "Row 7: &#x27;Smarch 2024&#x27; is not a period we can read" in text
    assert "Confirm import" not in text
    assert SESSION_KEY not in client.session
    assert not indicator.values.exists()
    # A confirm with no clean file waiting imports nothing either.
    response = client.post(confirm_url(indicator), {"token": "forged"})
    assert response["Location"] == import_url(indicator)
    assert not indicator.values.exists()


def test_a_columns_per_period_download_imports_too(client, officer, indicator):
    client.force_login(officer)
    wide = (
        "Council Tax collection\narea,area label,area long label,2021/22,2022/23\nE08000007,Anytown,Anytown,96.9,97.6\n"
    )
    upload(client, indicator, wide, area="E08000007")
    confirm(client, indicator)
    assert list(indicator.values.values_list("period", "value")) == [
        ("2021/22", Decimal("96.900")),
        ("2022/23", Decimal("97.600")),
    ]


def test_rows_of_another_metric_are_left_out(client, officer):
    indicator = IndicatorFactory(owner=officer, source_id="2013")
    client.force_login(officer)
    text = "metric,area,period,value\n2013,Anytown,2022/23,97.6\n9613,Anytown,2022/23,2.8\n"
    assert "values for other metrics (9613: 1)" in page(upload(client, indicator, text))
    confirm(client, indicator)
    assert list(indicator.values.values_list("value", flat=True)) == [Decimal("97.6")]


@pytest.mark.parametrize(
    "text, name, message",
    [
        ("name,when\nx,y\n", "file.csv", "The file has no header row naming an area column"),
        (GOOD, "file.xlsx", "The file must be a CSV file"),
        ("", "file.csv", "The submitted file is empty"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_on_the_upload_form(client, officer, indicator, text, name, message):
    client.force_login(officer)
    response = upload(client, indicator, text, name=name)
    text = page(response)
    assert "govuk-error-summary" in text and (message in text or "The file is empty" in text)


def test_nothing_to_import_when_the_file_has_the_recorded_figures(client, officer, indicator):
    client.force_login(officer)
    upload(client, indicator, GOOD)
    confirm(client, indicator)
    text = page(upload(client, indicator, GOOD))
    assert "Nothing to change" in text and "Confirm import" not in text


def test_no_row_for_the_area_says_to_check_it(client, officer, indicator):
    client.force_login(officer)
    text = page(upload(client, indicator, GOOD, area="Nowhere"))
    assert "No row of the file is for Nowhere" in text


def test_figures_changed_after_the_preview_are_not_overwritten(client, officer, coordinator, indicator):
    client.force_login(officer)
    upload(client, indicator, GOOD)
    # Meanwhile someone enters 2022/23 by hand.
    IndicatorValueFactory(indicator=indicator, period="2022/23", period_start=datetime.date(2022, 4, 1), value=90)

    response = confirm(client, indicator)

    text = page(response)
    assert "The figures changed after you checked the file, so nothing has been imported" in text
    assert list(indicator.values.values_list("value", flat=True)) == [Decimal("90")]
    # The new preview waits for its own confirmation.
    confirm(client, indicator)
    assert sorted(indicator.values.values_list("value", flat=True)) == [Decimal("96.9"), Decimal("97.6")]


def test_a_file_checked_for_one_indicator_is_not_imported_into_another(client, officer, indicator):
    other = IndicatorFactory(challenge=indicator.challenge, owner=officer)
    client.force_login(officer)
    upload(client, indicator, GOOD)
    token = client.session[SESSION_KEY]["token"]
    response = client.post(confirm_url(other), {"token": token})
    assert response["Location"] == import_url(other)
    assert not IndicatorValue.objects.exists()


@pytest.mark.parametrize(
    "who, status", [("anonymous", 302), ("owner", 200), ("other officer", 403), ("coordinator", 200), ("scrutiny", 403)]
)
def test_who_may_import(client, officer, other_officer, coordinator, scrutiny_member, indicator, who, status):
    user = {"owner": officer, "other officer": other_officer, "coordinator": coordinator, "scrutiny": scrutiny_member}
    if who != "anonymous":
        client.force_login(user[who])
    assert client.get(import_url(indicator)).status_code == status
    response = upload(client, indicator, GOOD)
    assert response.status_code == status
    assert client.post(confirm_url(indicator), {"token": "x"}).status_code == (302 if status == 200 else status)
    assert not indicator.values.exists()


def test_the_preview_stays_within_its_query_budget(client, officer, indicator):
    client.force_login(officer)

    def preview_queries():
        with CaptureQueriesContext(connection) as queries:
            upload(client, indicator, GOOD)
        return len(queries)

    few = preview_queries()
    add_values(indicator, list(range(20)))
    assert preview_queries() == few
    assert count_queries(client, import_url(indicator)) <= few
