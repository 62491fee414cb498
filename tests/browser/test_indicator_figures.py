"""Entering an indicator's figures in a browser: a coordinator adds an indicator, is told what to fix,
adds a figure, then imports figures from an LG Inform download, is shown the file's bad rows (nothing
imported), uploads it corrected, checks and confirms. Every state is checked with axe, and the
preview fits 320 px. The indicator and its figures are test data, named as such."""

from playwright.sync_api import expect

from .a11y import assert_accessible

NAME = "Example indicator (browser test data)"
BAD_FILE = (
    "area code,area name,period,value\n"
    "E08000007,Stockport,2021/22,10\n"
    "E08000007,Stockport,2022/23,n/a\n"
    "E08000001,Bolton,2022/23,12\n"
)
GOOD_FILE = BAD_FILE.replace("n/a", "11")


def a_file(content):
    return {"name": "lg-inform-download.csv", "mimeType": "text/csv", "buffer": content.encode()}


def success(page):
    return page.locator(".govuk-notification-banner--success")


def test_a_coordinator_adds_an_indicator_a_figure_and_imports_figures(stockport, signed_in_page):
    page = signed_in_page("coordinator")
    page.goto(stockport.url("reviews:indicator-create", stockport.challenge.slug))

    # Without saying which way is better: told what to fix, the name kept.
    page.get_by_label("Name").fill(NAME)
    page.get_by_role("button", name="Save indicator").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select which way is better")
    expect(page.get_by_label("Name")).to_have_value(NAME)
    assert_accessible(page, "the indicator form with errors")
    page.get_by_role("group", name="Which way is better?").get_by_label("Lower is better").check()
    page.get_by_role("button", name="Save indicator").click()
    expect(success(page)).to_contain_text(f"Indicator {NAME} added")

    # A figure: a period nobody can read is refused, then saved.
    page.goto(stockport.url("reviews:indicator-value-add", stockport.challenge.indicators.get(name=NAME).pk))
    page.get_by_label("Period").fill("Smarch 2024")
    page.get_by_label("Figure", exact=True).fill("9")
    page.get_by_role("button", name="Save figure").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("'Smarch' is not a month")
    expect(page.get_by_label("Figure", exact=True)).to_have_value("9")
    assert_accessible(page, "the figure form with errors")
    page.get_by_label("Period").fill("Q1 2023/24")
    page.get_by_role("button", name="Save figure").click()
    expect(success(page)).to_contain_text("Figure for Q1 2023/24 added")

    # The import: a bad row stops it, naming the row; nothing is imported.
    indicator = stockport.challenge.indicators.get(name=NAME)
    page.goto(stockport.url("reviews:indicator-import", indicator.pk))
    expect(page.get_by_label("Your council's area in the file")).to_have_value("Stockport")
    page.get_by_label("Upload the file").set_input_files(a_file(BAD_FILE))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("1 problem in the file's rows")
    expect(page.get_by_text("Row 3: the value 'n/a' is not a number")).to_be_visible()
    assert_accessible(page, "the import preview with a bad row")
    assert indicator.values.count() == 1

    # Corrected: the preview shows what is added and what is left out; it fits a phone; then confirmed.
    page.get_by_role("link", name="Upload a corrected file").click()
    page.get_by_label("Upload the file").set_input_files(a_file(GOOD_FILE))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#import-summary")).to_have_text("2 new values.")
    expect(page.get_by_text("Not imported: 1 other area (Bolton: 1)")).to_be_visible()
    assert_accessible(page, "the import preview")
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 321
    page.get_by_role("button", name="Confirm import").click()
    expect(success(page)).to_contain_text("Imported: 2 new values")
    assert sorted(indicator.values.values_list("period", flat=True)) == ["2021/22", "2022/23", "Q1 2023/24"]
