"""axe-core (bundled with axe-playwright-python) run against WCAG 2.2 AA, with a readable report; and
the Content-Security-Policy violations a page met, which fail its accessibility check too (a script
or style the policy blocks is a page that does not work as written)."""

from axe_playwright_python.sync_playwright import Axe

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}

_axe = Axe()

# Added to every browser context (conftest.py `new_context`): runs before the page's own scripts and
# records each `securitypolicyviolation` event the document raises.
CSP_VIOLATION_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push({
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
  });
}, true);
"""


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


def csp_violations(page):
    """The Content-Security-Policy violations the page's document has raised so far."""
    violations = page.evaluate("window.__cspViolations")
    assert violations is not None, "No CSP violation recorder: open pages through the new_context fixture"
    return violations


def csp_report(violations, where):
    lines = [f"{len(violations)} Content-Security-Policy violation(s) on {where}:"]
    for violation in violations:
        lines.append(
            f"  - {violation['directive']} blocked {violation['blocked'] or 'an inline script or style'}"
            f" ({violation['source']}, line {violation['line']}): {violation['sample']!r}"
        )
    return "\n".join(lines)


def assert_accessible(page, where=None):
    blocked = csp_violations(page)  # before axe runs, so that nothing axe does is counted
    violations = axe_violations(page)
    assert not blocked, csp_report(blocked, where or page.url)
    assert not violations, report(violations, where or page.url)
