"""Every page CPC Tracker serves, for the browser tests to visit: one entry per page.

To add a page, add one `Page` to PAGES: its URL name, a function building its URL from the
loaded Stockport data (`site`, see tests/browser/conftest.py `Stockport`), and the roles to view
it as. Public pages are viewed anonymously, and signed in too when signing in changes the page;
pages behind sign-in are viewed as a role allowed to see them. test_page_registry.py fails when
a URL name is neither here nor in NOT_PAGES, and the accessibility, layout and print tests visit
every (page, role) pair.
"""

from collections.abc import Callable
from dataclasses import dataclass

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


def too_many_fields(path):
    """`path` with more query parameters than Django accepts (DATA_UPLOAD_MAX_NUMBER_FIELDS): the 400 page."""
    return path + "?" + "&".join(f"f{n}=1" for n in range(1001))


def approvals_with_one_waiting(site):
    site.awaiting_update  # noqa: B018 (creates it), so the list is not empty
    return reverse("recommendations:approval-list")


def dashboard_with_an_open_round(site):
    """The dashboard, with an update round open on Stockport's open actions so it shows a round's progress."""
    import datetime

    from recommendations.models import Action, UpdateRound

    if not UpdateRound.objects.filter(challenge=site.challenge, closed_at__isnull=True).exists():
        update_round = UpdateRound.objects.create(
            challenge=site.challenge,
            title="Quarter 3 2024/25 – for scrutiny on 14 March 2025",
            deadline=datetime.date.today() + datetime.timedelta(days=14),
        )
        update_round.actions.set(Action.objects.filter(recommendation__challenge=site.challenge).open())
    return reverse("recommendations:dashboard")


def notifications_with_one_unread(site):
    """The notifications page: the lead officer was told the action is theirs (the stockport fixture
    gave it to them); an update awaiting approval tells the coordinator."""
    site.awaiting_update  # noqa: B018 (creates it), so the coordinator's list is not empty
    return reverse("recommendations:notification-list")


def invitations_with_one_pending(site):
    """The invitations page, with a coordinator's invitation waiting to be accepted."""
    from recommendations.invitations import invite
    from recommendations.models import Invitation, Role

    council = site.challenge.council
    if not Invitation.objects.pending().filter(council=council).exists():
        invite(council=council, email="new.officer@example.org", role=Role.OFFICER, invited_by=None)
    return reverse("recommendations:invitation-list")


def invitation_link(site):
    """The link in an invitation's email, for someone new (only its hash is kept: each visit invites anew)."""
    from recommendations.invitations import invite
    from recommendations.models import Role

    _invitation, token = invite(
        council=site.challenge.council, email="invited.person@example.org", role=Role.OFFICER, invited_by=None
    )
    return reverse("recommendations:invitation-accept", args=[token])


def password_reset_link(site):
    """The lead officer's password reset link, as emailed (Django moves it on to the set-password form)."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(site.officer.pk))
    return reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(site.officer)])


def indicator_with_figures_over_time(site):
    """An internal indicator of Stockport's challenge with twenty quarters of figures (a gap among
    them), targets and a comparator: test data, named as such, for the chart and the table; the
    letter's own indicators have one figure each."""
    import datetime
    from decimal import Decimal

    from reviews.models import Indicator, IndicatorValue, Polarity

    indicator, created = Indicator.objects.get_or_create(
        challenge=site.challenge,
        name="Example internal indicator (browser test data)",
        defaults={"unit": "days", "polarity": Polarity.LOWER, "public": False},
    )
    if created:
        for quarter in range(20):
            start = datetime.date(2020 + quarter // 4, quarter % 4 * 3 + 1, 1)
            IndicatorValue.objects.create(
                indicator=indicator,
                period_start=start,
                period=f"Q{quarter % 4 + 1} {start.year}",
                value=None if quarter == 7 else Decimal(10 + quarter % 5),
                target=Decimal(11),
                comparator_value=Decimal(12),
                comparator_label="Example comparator",
                note="Test data" if quarter == 0 else "",
            )
    return indicator.get_absolute_url()


def council_tax_indicator(site):
    return site.review.indicators.get(order=1)


def reports_with_one_issued(site):
    site.issued_report  # noqa: B018 (creates it), so the list is not empty
    return reverse("reports:report-list", args=[site.challenge.slug])


PAGES = [
    Page("home", lambda site: reverse("home"), roles=("anonymous", "lead officer")),
    Page("login", lambda site: reverse("login")),
    # Two-factor sign-in: the officer has none (set-up shows the QR code), the coordinator has an app.
    Page("two-factor", lambda site: reverse("two-factor"), roles=("lead officer", "coordinator")),
    Page("two-factor-setup", lambda site: reverse("two-factor-setup"), roles=("lead officer", "coordinator")),
    Page(
        "two-factor-backup-codes",
        lambda site: reverse("two-factor-backup-codes"),
        roles=("lead officer", "coordinator"),
    ),
    Page("password_change", lambda site: reverse("password_change"), roles=("lead officer",)),
    Page("password_change_done", lambda site: reverse("password_change_done"), roles=("lead officer",)),
    Page("password_reset", lambda site: reverse("password_reset")),
    Page("password_reset_done", lambda site: reverse("password_reset_done")),
    Page("password_reset_confirm", password_reset_link),
    Page(
        "password-reset-link-not-valid",
        lambda site: reverse("password_reset_confirm", args=["MQ", "x-y"]),
        routed=False,
    ),
    Page("password_reset_complete", lambda site: reverse("password_reset_complete")),
    Page("recommendations:invitation-list", invitations_with_one_pending, roles=("coordinator", "admin")),
    Page(
        "recommendations:invitation-create",
        lambda site: reverse("recommendations:invitation-create", args=[site.challenge.council.slug]),
        roles=("coordinator",),
    ),
    Page("recommendations:invitation-accept", invitation_link),
    Page(
        "invitation-link-not-valid",
        lambda site: reverse("recommendations:invitation-accept", args=["no-such-invitation"]),
        status=404,
        routed=False,
    ),
    Page("page-not-found", lambda site: "/no-such-page/", status=404, routed=False),
    Page("bad-request", lambda site: too_many_fields(reverse("home")), status=400, routed=False),
    Page(
        "recommendations:challenge-detail",
        lambda site: site.challenge.get_absolute_url(),
        roles=("anonymous", "coordinator"),
    ),
    Page(
        "recommendations:recommendation-list",
        lambda site: site.url("recommendations:recommendation-list", site.challenge.slug),
    ),
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
    Page(
        "recommendations:my-actions",
        lambda site: site.url("recommendations:my-actions"),
        roles=("lead officer", "coordinator"),
    ),
    Page(
        "recommendations:action-plan",
        lambda site: site.url("recommendations:action-plan"),
        roles=("coordinator", "scrutiny member"),
    ),
    Page("recommendations:dashboard", lambda site: dashboard_with_an_open_round(site), roles=("coordinator",)),
    # The LGA overview: every council's challenges (Stockport's here), filtered, and a year not offered
    # (the error summary and the field's error).
    Page("recommendations:overview", lambda site: reverse("recommendations:overview") + "?region=north_west"),
    Page("overview-year-not-offered", lambda site: reverse("recommendations:overview") + "?year=1999", routed=False),
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
    Page(
        "recommendations:recommendation-response",
        lambda site: site.url(
            "recommendations:recommendation-response", site.challenge.slug, site.recommendation.number
        ),
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
        "recommendations:challenge-milestones",
        lambda site: site.url("recommendations:challenge-milestones", site.challenge.slug),
        roles=("coordinator",),
    ),
    Page(
        "recommendations:action-plan-import",
        lambda site: site.url("recommendations:action-plan-import", site.challenge.slug),
        roles=("coordinator",),
    ),
    Page(
        "recommendations:notification-list",
        lambda site: notifications_with_one_unread(site),
        roles=("lead officer", "coordinator"),
    ),
    Page(
        "recommendations:notification-settings",
        lambda site: site.url("recommendations:notification-settings"),
        roles=("lead officer",),
    ),
    Page(
        "recommendations:round-list",
        lambda site: site.url("recommendations:round-list", site.update_round.challenge.slug),
        roles=("coordinator", "scrutiny member"),
    ),
    Page(
        "recommendations:round-create",
        lambda site: site.url("recommendations:round-create", site.challenge.slug),
        roles=("coordinator",),
    ),
    Page(
        "recommendations:round-detail",
        lambda site: site.update_round.get_absolute_url(),
        roles=("coordinator", "lead officer"),
    ),
    Page(
        "recommendations:round-close",
        lambda site: site.url("recommendations:round-close", site.update_round.pk),
        roles=("coordinator",),
    ),
    Page(
        "recommendations:round-my-updates",
        lambda site: site.url("recommendations:round-my-updates", site.update_round.pk),
        roles=("lead officer", "scrutiny member"),
    ),
    Page("reviews:review-detail", lambda site: site.review.get_absolute_url()),
    Page("reviews:consideration-detail", lambda site: site.consideration.get_absolute_url()),
    Page(
        "reviews:indicator-list",
        lambda site: site.url("reviews:indicator-list", site.challenge.slug),
        roles=("anonymous", "scrutiny member"),
    ),
    Page(
        "reviews:indicator-detail",
        lambda site: site.review.indicators.get(order=1).get_absolute_url(),
        roles=("anonymous", "coordinator"),
    ),
    Page("indicator-with-figures-over-time", indicator_with_figures_over_time, roles=("coordinator",), routed=False),
    # Changing indicators (the letter's Council Tax collection rate): its figures and settings.
    Page(
        "reviews:indicator-value-add",
        lambda site: site.url("reviews:indicator-value-add", council_tax_indicator(site).pk),
        roles=("coordinator",),
    ),
    Page(
        "reviews:indicator-value-edit",
        lambda site: site.url(
            "reviews:indicator-value-edit", council_tax_indicator(site).pk, council_tax_indicator(site).values.get().pk
        ),
        roles=("coordinator",),
    ),
    Page(
        "reviews:indicator-edit",
        lambda site: site.url("reviews:indicator-edit", council_tax_indicator(site).pk),
        roles=("coordinator",),
    ),
    Page(
        "reviews:indicator-create",
        lambda site: site.url("reviews:indicator-create", site.challenge.slug),
        roles=("coordinator",),
    ),
    Page(
        "reviews:indicator-import",
        lambda site: site.url("reviews:indicator-import", council_tax_indicator(site).pk),
        roles=("coordinator",),
    ),
    Page(
        "reviews:figures-due",
        lambda site: site.url("reviews:figures-due", site.challenge.slug),
        roles=("scrutiny member",),
    ),
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
    Page(
        "reports:report-issue",
        lambda site: site.url("reports:report-issue", site.draft_report.pk),
        roles=("coordinator",),
    ),
    Page("reports:open-data", lambda site: site.url("reports:open-data", site.challenge.slug)),
    # Search: results for a word in Stockport's record (a coordinator also finds its unpublished
    # updates), and a search too long to run (the error summary and the field's error).
    Page(
        "reports:search", lambda site: reverse("reports:search") + "?q=governance", roles=("anonymous", "coordinator")
    ),
    Page("search-too-long", lambda site: reverse("reports:search") + "?q=" + "governance+" * 20, routed=False),
]

# URL names that serve no page of their own, and why. Django admin is left out wholesale.
NOT_PAGES = {
    "logout": "sign-out is a POST from the header's button",
    "two-factor-verify": "the code step of a sign-in under way (signed_in_page goes through it; "
    "tests/browser/test_two_factor.py checks it, with its errors, with axe)",
    "two-factor-turn-off": "turning two-factor sign-in off is a POST from the two-factor page",
    "recommendations:invitation-withdraw": "withdrawing is a POST from the invitations page",
    "healthz": "a load balancer's liveness probe: the text 'ok', not a page",
    "readyz": "a load balancer's readiness probe: JSON, not a page",
    "recommendations:update-approve": "approving is a POST from the approvals page",
    "recommendations:round-remind": "reminding the leads is a POST from the round's dashboard",
    "recommendations:notification-open": "opening a notification marks it read and redirects to its page",
    "recommendations:notification-mark-all-read": "marking all read is a POST from the notifications page",
    "recommendations:action-plan-import-confirm": "confirming an import is a POST from its preview",
    "reviews:indicator-import-confirm": "confirming an import of figures is a POST from its preview "
    "(tests/browser/test_indicator_figures.py checks the preview with axe)",
    "reports:open-data-indicators-csv": "a CSV file",
    "reports:open-data-indicators-json": "a JSON file",
    "recommendations:action-plan-export-csv": "a CSV download",
    "recommendations:action-plan-csv": "a CSV download of the action plan table",
    "recommendations:start": "a redirect to the page for the user's role",
    "recommendations:action-plan-export-xlsx": "an Excel download",
    "reports:report-pdf": (
        "a PDF download of the report page; until the worker has made it, a page saying it is being "
        "prepared, checked in tests/browser/test_pdf_preparing.py"
    ),
    "reports:pack-docx": "the progress review pack, a Word download (offered on the committee reports page)",
    "reports:pack-pdf": (
        "the progress review pack, a PDF download (offered on the committee reports page); its being-prepared "
        "page is checked in tests/browser/test_pdf_preparing.py"
    ),
    "reports:open-data-csv": "a CSV file",
    "reports:open-data-milestones-csv": "a CSV file (the CPC clock)",
    "reports:open-data-milestones-json": "a JSON file (the CPC clock)",
    "reports:all-milestones-csv": "a CSV file (every challenge's CPC clock)",
    "reports:all-milestones-json": "a JSON file (every challenge's CPC clock)",
    "reports:open-data-json": "a JSON file",
    "reports:updates-feed": "an Atom feed",
    "recommendations:evidence-file": "an evidence file download (PDF, Word, image...); "
    "tests/browser/test_evidence_files.py uploads one and opens the pages that list it",
}

VISITS = [visit for page in PAGES for visit in page.visits()]


def visit_id(visit):
    page, role = visit
    return f"{page.name}-as-{role.replace(' ', '-')}"
