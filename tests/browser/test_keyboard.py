"""Keyboard-only use of the home page: the skip link, the tab order and a visible focus."""

import pytest

FOCUSABLE = (
    "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), "
    "textarea:not([disabled]), summary, [tabindex]:not([tabindex='-1'])"
)
GOVUK_FOCUS_YELLOW = "rgb(255, 221, 0)"

# The focus-related styles of document.activeElement, or of the element given.
FOCUS_STYLES = """(element) => {
  const el = element || document.activeElement;
  const style = getComputedStyle(el);
  return {outlineStyle: style.outlineStyle, outlineWidth: style.outlineWidth, outlineColor: style.outlineColor,
          boxShadow: style.boxShadow, backgroundColor: style.backgroundColor};
}"""


@pytest.fixture
def home(stockport, signed_in_page):
    page = signed_in_page("anonymous")
    page.goto("/")
    return page


def active_element(page):
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          return {tag: el.tagName, id: el.id, text: el.textContent.trim().slice(0, 80),
                  className: typeof el.className === 'string' ? el.className : '',
                  key: el.dataset.keyboardTest || null};
        }"""
    )


def test_first_tab_focuses_a_visible_skip_link_that_moves_focus_to_the_main_content(home):
    home.keyboard.press("Tab")

    focused = active_element(home)
    assert "govuk-skip-link" in focused["className"], f"First Tab focused {focused}"
    box = home.locator(".govuk-skip-link").bounding_box()
    viewport = home.viewport_size
    assert box and box["width"] > 1 and box["height"] > 1, f"Focused skip link is not visible: {box}"
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= viewport["width"] and box["y"] + box["height"] <= viewport["height"], box

    home.keyboard.press("Enter")

    assert home.evaluate("location.hash") == "#main-content"
    assert active_element(home)["id"] == "main-content", "Focus stayed on the skip link"
    top = home.locator("#main-content").bounding_box()["y"]
    assert 0 <= top < viewport["height"], f"#main-content is not scrolled into view (top at {top}px)"


def test_tab_reaches_every_link_and_button_in_the_main_content_in_order(home):
    expected = home.evaluate(
        """(selector) => Array.from(document.getElementById('main-content').querySelectorAll(selector))
             .filter(el => el.checkVisibility({visibilityProperty: true}))
             .map((el, index) => { el.dataset.keyboardTest = String(index); return String(index); })""",
        FOCUSABLE,
    )
    assert len(expected) > 5, "The home page's main content should have links to follow"
    total_focusable = home.evaluate("(selector) => document.querySelectorAll(selector).length", FOCUSABLE)

    reached = []
    for _ in range(total_focusable + 10):
        home.keyboard.press("Tab")
        key = active_element(home)["key"]
        if key is not None and key not in reached:
            reached.append(key)
        if len(reached) == len(expected):
            break

    assert reached == expected, (
        f"Tab reached main-content elements {reached}, expected each of {expected} in document order"
    )


def focus_is_visible(focused, unfocused):
    if focused == unfocused:
        return False
    visible_outline = (
        focused["outlineStyle"] != "none"
        and focused["outlineWidth"] not in ("0px", "")
        and "rgba(0, 0, 0, 0)" not in focused["outlineColor"]
        and focused["outlineColor"] != "transparent"
    )
    return visible_outline or focused["boxShadow"] != "none" or focused["backgroundColor"] == GOVUK_FOCUS_YELLOW


def elements_without_visible_focus(page):
    """Tab through the page; describe each element whose look does not change visibly when focused."""
    count = page.evaluate(
        """(selector) => Array.from(document.querySelectorAll(selector))
             .map((el, index) => { el.dataset.keyboardTest = String(index); return el; }).length""",
        FOCUSABLE,
    )
    unfocused = {
        str(index): page.evaluate(FOCUS_STYLES, page.locator(f"[data-keyboard-test='{index}']").element_handle())
        for index in range(count)
    }
    invisible, seen = [], set()
    for _ in range(count + 10):
        page.keyboard.press("Tab")
        element = active_element(page)
        key = element["key"]
        if key is None or key in seen:
            continue
        seen.add(key)
        focused = page.evaluate(FOCUS_STYLES)
        if not focus_is_visible(focused, unfocused[key]):
            invisible.append(
                f"<{element['tag'].lower()}> {element['text']!r}: focused {focused}, unfocused {unfocused[key]}"
            )
    assert len(seen) > 5, f"Tab reached only {len(seen)} elements"
    return invisible


@pytest.mark.parametrize("role", ["anonymous", "lead officer"])
def test_every_element_tab_reaches_shows_where_the_focus_is(role, stockport, signed_in_page):
    page = signed_in_page(role)
    page.goto("/")

    invisible = elements_without_visible_focus(page)

    assert not invisible, "Focus is not visible on:\n" + "\n".join(invisible)
