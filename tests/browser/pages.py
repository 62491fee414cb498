"""Every page CPC Tracker serves, for the browser tests to visit: one entry per page.

To add a page, add one `Page` to PAGES: its URL name, a function building its URL from the
loaded Stockport data (`site`, see tests/browser/conftest.py `Stockport`), and the roles to view
it as. Public pages are viewed anonymously, and signed in too when signing in changes the page;
pages behind sign-in are viewed as a role allowed to see them. test_page_registry.py fails when
a URL name is neither here nor in NOT_PAGES, and the accessibility, layout and print tests visit
every (page, role) pair.
"""

from dataclasses import dataclass
from typing import Callable

from django.urls import reverse

# Who a page can be viewed as; tests/browser/conftest.py signs each in through the sign-in form.
ROLES = ("anonymous", "lead officer", "other officer", "coordinator", "scrutiny member", "admin")


@dataclass(frozen=True)
class Page:
    name: str  # the URL name ("namespace:name"), or a label for a page with none (error pages)
    url: Callable  # url(site) -> the path to visit
    roles: tuple = ("anonymous",)
    status: int = 200
    routed: bool = True  # False for pages no URL name serves, such as the 404 page

    def visits(self):
        return [(self, role) for role in self.roles]


def approvals_with_one_waiting(site):
    site.awaiting_update  # noqa: B018 (creates it), so the list is not empty
    return reverse("recommendations:approval-list")


def reports_with_one_issued(site):
    site.issued_report  # noqa: B018 (creates it), so the list is not empty
    return reverse("reports:report-list", args=[site.challenge.slug])


PAGES = [
    Page("home", lambda site: reverse("home"), roles=("anonymous", "lead officer")),
    Page("login", lambda site: reverse("login")),
    Page("page-not-found", lambda site: "/no-such-page/", status=404, routed=False),
    Page(
        "recommendations:challenge-detail",
        lambda site: site.challenge.get_absolute_url(),
        roles=("anonymous", "coordinator"),
    ),
    Page("recommendations:recommendation-list", lambda site: site.url("recommendations:recommendation-list", site.challenge.slug)),
    Page(
        "recommendations:recommendation-detail",
        lambda site: site.recommendation.get_absolute_url(),
        roles=("anonymous", "scrutiny member", "coordinator"),
    ),
    Page("recommendations:theme-detail", lambda site: site.theme.get_absolute_url()),
    Page(
        "recommendations:action-detail",
        lambda site: site.action.get_absolute_url(),
        roles=("anonymous", "lead officer", "coordinator"),
    ),
    Page(
        "recommendations:progress-update-create",
        lambda site: site.url("recommendations:progress-update-create", site.action.pk),
        roles=("lead officer",),
    ),
    Page("recommendations:my-actions", lambda site: site.url("recommendations:my-actions"), roles=("lead officer", "coordinator")),
    Page("recommendations:action-plan", lambda site: site.url("recommendations:action-plan"), roles=("coordinator",)),
    Page(
        "recommendations:action-create",
        lambda site: site.url("recommendations:action-create", site.challenge.slug, site.recommendation.number),
        roles=("coordinator",),
    ),
    Page(
        "recommendations:action-update",
        lambda site: site.url("recommendations:action-update", site.action.pk),
        roles=("coordinator",),
    ),
    Page("recommendations:approval-list", lambda site: approvals_with_one_waiting(site), roles=("admin",)),
    Page(
        "recommendations:update-return",
        lambda site: site.url("recommendations:update-return", site.awaiting_update.pk),
        roles=("coordinator",),
    ),
    Page(
        "recommendations:publishing-settings",
        lambda site: site.url("recommendations:publishing-settings", site.challenge.slug),
        roles=("coordinator",),
    ),
    Page(
        "recommendations:action-plan-import",
        lambda site: site.url("recommendations:action-plan-import", site.challenge.slug),
        roles=("coordinator",),
    ),
    Page("reviews:review-detail", lambda site: site.review.get_absolute_url()),
    Page("reviews:consideration-detail", lambda site: site.consideration.get_absolute_url()),
    Page(
        "reports:report-list",
        lambda site: reports_with_one_issued(site),
        roles=("anonymous", "coordinator"),
    ),
    Page(
        "reports:report-create",
        lambda site: site.url("reports:report-create", site.challenge.slug),
        roles=("coordinator",),
    ),
    Page("reports:report-detail", lambda site: site.issued_report.get_absolute_url()),
    Page("reports:report-issue", lambda site: site.url("reports:report-issue", site.draft_report.pk), roles=("coordinator",)),
    Page("reports:open-data", lambda site: site.url("reports:open-data", site.challenge.slug)),
]

# URL names that serve no page of their own, and why. Django admin is left out wholesale.
NOT_PAGES = {
    "logout": "sign-out is a POST from the header's button",
    "recommendations:update-approve": "approving is a POST from the approvals page",
    "recommendations:action-plan-import-confirm": "confirming an import is a POST from its preview",
    "recommendations:action-plan-export-csv": "a CSV download",
    "recommendations:action-plan-export-xlsx": "an Excel download",
    "reports:report-pdf": "a PDF download of the report page",
    "reports:open-data-csv": "a CSV file",
    "reports:open-data-json": "a JSON file",
    "reports:updates-feed": "an Atom feed",
}

VISITS = [visit for page in PAGES for visit in page.visits()]


def visit_id(visit):
    page, role = visit
    return f"{page.name}-as-{role.replace(' ', '-')}"
