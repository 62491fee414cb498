"""The wide tables (the dashboard, the action plan, My actions) cut no column off at 1280 px or at
375 px: at 1280 px every column fits without scrolling; at 375 px the dashboard and the action plan
show each row as a block, each cell under its column's name, all on screen; a table that does not
stack (My actions) may put a column further right, inside a focusable, labelled region that scrolls
sideways, but nothing clips it. My actions' link to add a progress update is on screen at 375 px
without scrolling. Screenshots go to test-artifacts/."""

import pytest

from .pages import PAGES

WIDE, PHONE = 1280, 375

VISITS = [
    ("recommendations:dashboard", "coordinator"),
    ("recommendations:action-plan", "coordinator"),
    ("recommendations:action-plan", "scrutiny member"),
    ("recommendations:my-actions", "lead officer"),
]

# For each header cell of the tables in <main>: where it is, once scrolled into view, and what
# could hide it. An element with overflow hidden or clip that does not contain the cell clips it;
# the only scrolling allowed is inside a .app-table-scroll region.
HEADER_CELLS = """() => {
  const viewport = document.documentElement.clientWidth;
  const box = (el) => el.getBoundingClientRect();
  // The header row, or where a phone stacks the table (app-table--stack hides its header row), the
  // cells of its first row.
  const cells = Array.from(document.querySelectorAll("main table tr:first-child > *"))
    .filter((cell) => cell.getClientRects().length > 0);
  return cells.map((th) => {
    const region = th.closest(".app-table-scroll");
    const before = box(th);
    const inViewAtFirst = before.left >= -1 && before.right <= viewport + 1;
    th.scrollIntoView({block: "nearest", inline: "nearest"});
    const cell = box(th);
    const clippedBy = [];
    for (let el = th.parentElement; el && el !== document.body; el = el.parentElement) {
      const overflow = getComputedStyle(el).overflowX;
      if (overflow === "visible") continue;
      const outer = box(el);
      if (cell.left < outer.left - 1 || cell.right > outer.right + 1) {
        clippedBy.push(`${el.tagName.toLowerCase()}.${[...el.classList].join(".")} (overflow ${overflow})`);
      }
    }
    const result = {
      text: th.textContent.trim(),
      inViewAtFirst,
      inViewScrolled: cell.left >= -1 && cell.right <= viewport + 1,
      clippedBy,
      pageScrolledSideways: window.scrollX !== 0,
      region: region && {
        role: region.getAttribute("role"),
        label: region.getAttribute("aria-label"),
        tabindex: region.getAttribute("tabindex"),
        overflow: getComputedStyle(region).overflowX,
        scrolls: region.scrollWidth > region.clientWidth + 1,
      },
    };
    if (region) region.scrollLeft = 0;
    return result;
  });
}"""


def page_url(name, site):
    return next(page for page in PAGES if page.name == name).url(site)


def slug(text):
    return "".join(c if c.isalnum() else "-" for c in text).strip("-")


def problems_at(width, cells):
    problems = []
    for cell in cells:
        where = f"'{cell['text'] or '(no text)'}' at {width} px"
        if cell["clippedBy"]:
            problems.append(f"{where} is clipped by {', '.join(cell['clippedBy'])}")
        if cell["pageScrolledSideways"]:
            problems.append(f"{where}: reaching it scrolls the whole page sideways")
        if not cell["inViewScrolled"]:
            problems.append(f"{where} cannot be brought into view")
        region = cell["region"]
        if width == WIDE and (not cell["inViewAtFirst"] or (region and region["scrolls"])):
            problems.append(f"{where} does not fit the page: the table needs scrolling")
        if not cell["inViewAtFirst"]:
            if not region:
                problems.append(f"{where} is off screen and not in a scrolling region")
            elif (region["role"], region["tabindex"], region["overflow"]) != ("region", "0", "auto") or not region[
                "label"
            ]:
                problems.append(f"{where} is in a region that is not a labelled, focusable scrolling region: {region}")
    return problems


@pytest.mark.parametrize("visit", VISITS, ids=lambda visit: f"{visit[0]}-as-{visit[1]}".replace(" ", "-"))
def test_no_column_is_cut_off_at_1280_or_375_px(visit, stockport, signed_in_page, artifacts):
    name, role = visit
    page = signed_in_page(role)
    page.goto(page_url(name, stockport))
    shot = artifacts / "screenshots" / slug(f"wide-tables-{name}-as-{role}")
    problems = []
    for width in (WIDE, PHONE):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{shot}-{width}.png", full_page=True)
        cells = page.evaluate(HEADER_CELLS)
        assert cells, f"{name} shows no table"
        problems += problems_at(width, cells)
    assert not problems, f"{name} as {role}:\n" + "\n".join(problems)


def test_my_actions_update_link_is_on_screen_at_375_px(stockport, signed_in_page):
    page = signed_in_page("lead officer")
    page.set_viewport_size({"width": PHONE, "height": 900})
    page.goto(page_url("recommendations:my-actions", stockport))

    link = page.locator("main table").get_by_role(
        "link", name=f"Add a progress update to action {stockport.action.reference}"
    )
    box = link.bounding_box()

    assert box is not None and 0 <= box["x"] and box["x"] + box["width"] <= PHONE
