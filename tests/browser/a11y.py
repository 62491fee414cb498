"""axe-core (bundled with axe-playwright-python) run against WCAG 2.2 AA, with a readable report."""

from axe_playwright_python.sync_playwright import Axe

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}

_axe = Axe()


def axe_violations(page):
    """axe's violations on the page as it is now (WCAG 2.0, 2.1 and 2.2, levels A and AA)."""
    response = _axe.run(page, options=OPTIONS).response
    assert response["toolOptions"]["runOnly"]["values"] == WCAG_TAGS, "axe ignored the WCAG tags"
    return response["violations"]


def report(violations, where):
    lines = [f"{len(violations)} accessibility violation(s) on {where}:"]
    for violation in violations:
        lines.append(f"\n[{violation['id']}] ({violation['impact']}) {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"  - {' '.join(str(part) for part in node['target'])}")
            lines.append(f"    {' '.join(node['html'].split())}")
            if node.get("failureSummary"):
                lines.append("    " + " ".join(node["failureSummary"].split()))
    return "\n".join(lines)


def assert_accessible(page, where=None):
    violations = axe_violations(page)
    assert not violations, report(violations, where or page.url)
