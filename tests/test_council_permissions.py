"""Cross-council permissions (issue 10, acceptance 3): every view x every role x own council / other
council. Nobody reaches another council's drafts, plan management, imports, approvals or reports.

Two councils, A (Anytown) and B (Elsewhere), each with a challenge, a theme, a recommendation, two
actions, a published update, an unpublished draft update and an update awaiting approval (each with
text found nowhere else), evidence files (public and private on the published update, public on the
draft), a progress review with a consideration, a public and an internal indicator, a draft and an
issued committee report. Every role is a member of council A (or of none); each view is asked for A's object ("own")
and B's ("other"). B's first action is led by A's lead officer, as if they had moved council: the
rule says a lead updates an action only while they are an officer or coordinator of its council.

The tables below say which rule each view follows; `outcome()` says what each rule answers each
role. `test_every_url_name_is_in_the_matrix` fails when a URL name is added that the tables do
not cover, so a new view must be added here.

Each test builds the data once and loops over its row of the matrix, collecting every mismatch so
one failure does not hide the others. State-changing POSTs run each role in a savepoint that is
rolled back, so every role meets the same data.

PDFs: WeasyPrint takes seconds, so `html_to_pdf` is replaced by a stub returning the HTML it was
given: the access rule is the view's, and the leak check reads what would have gone into the PDF.
The worker makes PDFs (reports.prepared): the world's are made once it is built, so the views serve them.
"""

import csv
import datetime
import html
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from recommendations import rounds
from recommendations.evidence import store_evidence
from recommendations.invitations import invite
from recommendations.models import (
    Action,
    Approval,
    EvidenceFile,
    Invitation,
    Notification,
    NotificationKind,
    NotificationPreference,
    PeerChallenge,
    ProgressUpdate,
    Recommendation,
    RoundReminder,
    Status,
    UpdateRound,
)
from recommendations.roles import COORDINATOR, OFFICER, SCRUTINY_MEMBER
from recommendations.tests.factories import (
    ActionFactory,
    CouncilFactory,
    PeerChallengeFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    ThemeFactory,
    UserFactory,
)
from recommendations.tests.tasks import run_tasks
from recommendations.tests.test_exchange import IMPORT_COLUMNS, csv_upload, stash_pending_import
from recommendations.tests.test_plan_management import action_data, edit_data
from recommendations.tests.test_progress_updates import form_data as update_form_data
from reports.models import CommitteeReport
from reports.prepared import pack_pdf, report_pdf
from reports.tests.factories import CommitteeReportFactory, issued_report
from reviews.indicator_import import default_area
from reviews.models import Indicator, IndicatorValue
from reviews.tests.factories import ConsiderationFactory, IndicatorFactory, ProgressReviewFactory, add_values
from reviews.tests.test_indicator_import_views import stash_pending_indicator_import

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "lead officer", "other officer", "coordinator", "scrutiny member", "no membership", "superuser"]
MEMBER_ROLES = {"lead officer", "other officer", "coordinator", "scrutiny member"}  # of council A
SCOPES = ["own", "other"]

# Text that is in exactly one place each, so a page showing it has shown that draft.
DRAFT_UPDATE = {"a": "Anytown-unpublished-draft-k7f3", "b": "Elsewhere-unpublished-draft-q9m2"}
AWAITING_UPDATE = {"a": "Anytown-awaiting-approval-w4p8", "b": "Elsewhere-awaiting-approval-z6t1"}
DRAFT_REPORT = {"a": "Anytown-draft-report-committee-r2d5", "b": "Elsewhere-draft-report-committee-j8c4"}
INTERNAL_INDICATOR = {"a": "Anytown-internal-indicator-h3v6", "b": "Elsewhere-internal-indicator-p5x8"}


# The data ----------------------------------------------------------------------------------------


def build_council(key, name, lead):
    """One council's challenge, with everything a view can show. `lead` leads its first action."""
    council = CouncilFactory(name=name)
    coordinator = UserFactory(username=f"coord-{key}", roles=[(council, COORDINATOR)])
    officer = UserFactory(username=f"officer-{key}", roles=[(council, OFFICER)])
    lead = lead or officer
    challenge = PeerChallengeFactory(council=council, slug=f"{key}-cpc")
    theme = ThemeFactory(challenge=challenge, number=1, title=f"Theme of {name}")
    recommendation = RecommendationFactory(
        challenge=challenge, theme=theme, number=1, title=f"Recommendation of {name}"
    )
    review = ProgressReviewFactory(challenge=challenge)
    consideration = ConsiderationFactory(review=review, order=1, title=f"Consideration of {name}")
    action = ActionFactory(
        recommendation=recommendation,
        reference="1.1",
        description=f"First action of {name}",
        lead_officer=lead,
        status=Status.ON_TRACK,
        consideration=consideration,
    )
    second = ActionFactory(
        recommendation=recommendation,
        reference="1.2",
        description=f"Second action of {name}",
        lead_officer=officer,
        status=Status.AT_RISK,
    )
    published = ProgressUpdateFactory(
        action=action, date=datetime.date(2023, 11, 1), text=f"Published update of {name}"
    )
    draft = ProgressUpdateFactory(
        action=action, date=datetime.date(2023, 12, 1), text=DRAFT_UPDATE[key], published=False, author=lead
    )
    # Evidence files (recommendations.evidence): public on the published update, private on it, and
    # public on the draft (not public until the draft is published).
    files = {
        label: store_evidence(update, evidence_pdf(f"{label} of {name}.pdf"), public=public, by=lead)
        for label, update, public in (
            ("public file", published, True),
            ("private file", published, False),
            ("draft's public file", draft, True),
        )
    }
    awaiting = ProgressUpdateFactory(
        action=second,
        date=datetime.date(2023, 12, 2),
        text=AWAITING_UPDATE[key],
        published=False,
        approval=Approval.AWAITING,
        author=officer,
    )
    # A public and an internal indicator (reviews.indicators), both linked to the recommendation and
    # the theme, made before the reports so a report that took the internal one would show it.
    # The public one is owned by the lead officer: for B, A's officer, who may not enter B's figures.
    indicator = IndicatorFactory(challenge=challenge, name=f"Public indicator of {name}", public=True, owner=lead)
    internal_indicator = IndicatorFactory(challenge=challenge, name=INTERNAL_INDICATOR[key], public=False)
    for each in (indicator, internal_indicator):
        add_values(each, [90, 95])
        each.recommendations.add(recommendation)
        each.themes.add(theme)
    draft_report = CommitteeReportFactory(challenge=challenge, committee=DRAFT_REPORT[key])
    issued = issued_report(
        challenge=challenge, committee=f"Issued committee of {name}", cut_off=datetime.date(2024, 1, 1)
    )
    # An open update round of both actions, asked of their leads (A's: the lead officer and A's officer).
    update_round = rounds.open_round(
        challenge=challenge,
        by=coordinator,
        title=f"Update round of {name}",
        deadline=datetime.date.today() + datetime.timedelta(days=14),
    )
    return SimpleNamespace(
        key=key,
        council=council,
        challenge=challenge,
        theme=theme,
        recommendation=recommendation,
        review=review,
        consideration=consideration,
        action=action,
        second=second,
        draft=draft,
        awaiting=awaiting,
        draft_report=draft_report,
        issued_report=issued,
        coordinator=coordinator,
        officer=officer,
        round=update_round,
        indicator=indicator,
        internal_indicator=internal_indicator,
        files=files,
    )


EVIDENCE_PDF = b"%PDF-1.7\n% an evidence file of the matrix\n%%EOF\n"


def evidence_pdf(name):
    return SimpleUploadedFile(name, EVIDENCE_PDF, content_type="application/pdf")


@pytest.fixture
def world(db, monkeypatch, settings, tmp_path):
    monkeypatch.setattr("reports.prepared.html_to_pdf", lambda html, base_url=None, css=(): html.encode("utf-8"))
    settings.MEDIA_ROOT = tmp_path / "media"  # the evidence files the matrix stores
    council_a = CouncilFactory(name="Anytown Council")
    lead = UserFactory(username="lena-lead", first_name="Lena", last_name="Lead", roles=[(council_a, OFFICER)])
    a = build_council("a", "Anytown Council", lead)
    b = build_council("b", "Elsewhere Borough Council", lead)  # B's first action: led by A's officer
    users = {
        "anonymous": None,
        "lead officer": lead,
        "other officer": UserFactory(username="otto-officer", roles=[(a.council, OFFICER)]),
        "coordinator": a.coordinator,
        "scrutiny member": UserFactory(username="sam-scrutiny", roles=[(a.council, SCRUTINY_MEMBER)]),
        "no membership": UserFactory(username="nora-nobody"),
        "superuser": UserFactory(username="ada-admin", is_staff=True, is_superuser=True),
    }
    world = SimpleNamespace(a=a, b=b, users=users, signed_in=None)
    # Notifications are each person's own: everyone has one, unread; B's coordinator's is no role's here.
    # "own" is the signed-in user's notification, "other" B's coordinator's.
    mine = {user.pk: personal_notification(user) for user in users.values() if user is not None}
    theirs = personal_notification(b.coordinator)
    a.notification = lambda: mine.get(getattr(world.signed_in, "pk", None), theirs).pk
    b.notification = lambda: theirs.pk
    for side in (a, b):  # each PDF, made by the worker
        report_pdf(side.draft_report)
        report_pdf(side.issued_report)
        pack_pdf(side.challenge)
    run_tasks(commit=True)
    mail.outbox.clear()  # what building the world told people is not under test
    return world


def personal_notification(user):
    return Notification.objects.create(
        recipient=user,
        kind=NotificationKind.ACTION_ASSIGNED,
        key=f"matrix:{user.pk}",
        subject=f"Personal-notification-of-{user.username}",
        body="For them only",
        url="/my-actions/",
    )


def sign_in(client, world, role):
    client.logout()
    user = world.users[role]
    world.signed_in = user
    if user is not None:
        client.force_login(user)
    return user


def side_of(world, scope):
    return world.a if scope == "own" else world.b


# The rules ---------------------------------------------------------------------------------------

ALLOWED, LOGIN, FORBIDDEN, NOT_FOUND = "allowed", "sign-in page", "403", "404"


def outcome(rule, role, scope):
    """What `rule` answers `role` (a member of council A, or of none) asking for `scope`'s object."""
    if rule == "recipient":  # a person's own notification; anyone else's is not found, whoever asks
        if role == "anonymous":
            return LOGIN
        return ALLOWED if scope == "own" else NOT_FOUND
    if rule == "members, others not found":  # evidence files that are not public: to anyone else,
        if role == "superuser":  # signed in or not, they do not exist
            return ALLOWED
        return ALLOWED if scope == "own" and role in MEMBER_ROLES else NOT_FOUND
    if rule == "managers, others not found":  # changing an internal indicator: its council's coordinators;
        if role == "superuser":  # its other members are refused; to anyone else it does not exist
            return ALLOWED
        if scope == "own" and role in MEMBER_ROLES:
            return ALLOWED if role == "coordinator" else FORBIDDEN
        return NOT_FOUND
    if rule == "round leads":  # only the leads of a round's actions save updates on its page: nobody else,
        if role == "anonymous":  # administrators included (they lead nothing there)
            return LOGIN
        return ALLOWED if scope == "own" and role == "lead officer" else FORBIDDEN
    if role == "superuser" or rule == "public":
        return ALLOWED
    if role == "anonymous":
        return LOGIN
    own = scope == "own"
    if rule == "signed in":
        return ALLOWED
    if rule == "coordinators anywhere":  # lists scoped to the councils they manage
        return ALLOWED if role == "coordinator" else FORBIDDEN
    if rule == "members anywhere":  # any role at a council: lists scoped to the councils they belong to
        return ALLOWED if role in MEMBER_ROLES else FORBIDDEN
    if rule == "members":  # read the council's drafts
        return ALLOWED if own and role in MEMBER_ROLES else FORBIDDEN
    if rule == "managers":  # the council's coordinators
        return ALLOWED if own and role == "coordinator" else FORBIDDEN
    if rule == "updaters":  # the action's lead (an officer of its council) and the council's coordinators
        return ALLOWED if own and role in ("lead officer", "coordinator") else FORBIDDEN
    if rule == "reviewers":  # coordinators approve or return their own councils' updates; others' are not found
        if role == "coordinator":
            return ALLOWED if own else NOT_FOUND
        return FORBIDDEN
    raise ValueError(rule)


def sees_drafts(role, scope):
    return role == "superuser" or (role in MEMBER_ROLES and scope == "own")


def forbidden_text(world, role, public_only=False):
    """The draft text `role` must never be shown: other councils' drafts and internal indicators
    (every council's, for a user with no role or not signed in), and every draft update and
    internal indicator in a public-only output."""
    texts = []
    for key in ("a", "b"):
        member = role == "superuser" or (role in MEMBER_ROLES and key == "a")
        if not member:
            texts += [DRAFT_UPDATE[key], AWAITING_UPDATE[key], DRAFT_REPORT[key], INTERNAL_INDICATOR[key]]
        elif public_only:
            texts += [DRAFT_UPDATE[key], AWAITING_UPDATE[key], INTERNAL_INDICATOR[key]]
    return texts


def body_text(response):
    """The response as text; a zipped file (XLSX) as the text of its parts."""
    content = getattr(response, "content", b"")
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return content.decode("utf-8", "replace")


def check_status(response, expected, allowed_status, role):
    """A problem with the response's status, or None."""
    if expected == ALLOWED:
        ok = response.status_code == allowed_status
    elif expected == LOGIN:
        ok = response.status_code == 302 and response["Location"].startswith(reverse("login"))
    elif expected == FORBIDDEN:
        ok = response.status_code == 403
    else:
        ok = response.status_code == 404
    if ok:
        return None
    where = f" to {response['Location']}" if response.status_code == 302 else ""
    wanted = allowed_status if expected == ALLOWED else expected
    return f"expected {wanted} for {role}, got {response.status_code}{where}"


# Extra checks on some pages: the positive side of the leak checks, and scoped lists -----------------


def shows_drafts_to_members(response, world, role, scope):
    """The action page shows its council's drafts and history timeline exactly to those who may read them."""
    side = side_of(world, scope)
    text = body_text(response)
    readable = sees_drafts(role, scope)
    problems = []
    if (DRAFT_UPDATE[side.key] in text) != readable:
        problems.append(f"draft update {'missing' if readable else 'shown'}")
    if ("timeline" in response.context) != readable:
        problems.append(f"history timeline {'missing' if readable else 'shown'}")
    return problems


def downloads_the_file(response, world, role, scope):
    """An evidence file: the stored bytes, as a download."""
    problems = []
    if not response["Content-Disposition"].startswith("attachment;"):
        problems.append(f"not a download: Content-Disposition {response['Content-Disposition']!r}")
    if b"".join(response.streaming_content) != EVIDENCE_PDF:
        problems.append("not the stored file")
    return problems


def lists_internal_indicators_to_members_only(response, world, role, scope):
    """A challenge's indicators: its internal one listed exactly to those who may read it."""
    side = side_of(world, scope)
    listed = pks(response.context["indicators"])
    expected = {side.indicator.pk} | ({side.internal_indicator.pk} if sees_drafts(role, scope) else set())
    return [] if listed == expected else [f"indicators listed {sorted(listed)}, expected {sorted(expected)}"]


def pack_is_public_content_only(response, world, role, scope):
    """The progress-review pack (Word, or the PDF's HTML here): the public evidence file of the
    published update, never the private one nor the public one of a draft."""
    side = side_of(world, scope)
    text = html.unescape(body_text(response))
    problems = [] if side.files["public file"].name in text else ["the public evidence file is missing"]
    return problems + [
        f"shows the {label}" for label in ("private file", "draft's public file") if side.files[label].name in text
    ]


def lists_member_drafts_only(response, world, role, scope):
    side = side_of(world, scope)
    readable = sees_drafts(role, scope)
    if (DRAFT_REPORT[side.key] in body_text(response)) != readable:
        return [f"draft report {'missing' if readable else 'listed'}"]
    return []


def pks(objects):
    return {obj.pk for obj in objects}


def my_actions_are_mine(response, world, role, scope):
    a, b = world.a, world.b
    expected = {
        "lead officer": {a.action.pk},  # not B's action, which they still "lead" from before they moved
        "coordinator": {a.action.pk, a.second.pk},
        "superuser": {a.action.pk, a.second.pk, b.action.pk, b.second.pk},
    }.get(role, set())
    listed = pks(response.context["actions"])
    return [] if listed == expected else [f"My actions lists {sorted(listed)}, expected {sorted(expected)}"]


def plan_is_the_member_councils(response, world, role, scope):
    """Every member reads their council's whole plan (a superuser every council's); only the
    coordinators get the links that change it."""
    a, b = world.a, world.b
    sides = [a, b] if role == "superuser" else [a]
    problems = []
    text = body_text(response)
    manages = role in ("coordinator", "superuser")
    if (reverse("recommendations:approval-list") in text) != manages:
        problems.append(f"link to the approvals {'missing' if manages else 'shown'}")
    listed = pks(response.context["actions"])
    expected = {pk for side in sides for pk in (side.action.pk, side.second.pk)}
    if listed != expected:
        problems.append(f"action plan lists {sorted(listed)}, expected {sorted(expected)}")
    fields = response.context["view"].filterset.form.fields
    choices = {
        "challenge": (pks(fields["challenge"].queryset), {side.challenge.pk for side in sides}),
        "theme": (pks(fields["theme"].queryset), {side.theme.pk for side in sides}),
        "lead": (
            pks(fields["lead"].queryset),
            {pk for side in sides for pk in (side.action.lead_officer_id, side.second.lead_officer_id)},
        ),
    }
    for name, (offered, wanted) in choices.items():
        if offered != wanted:
            problems.append(f"filter '{name}' offers {sorted(offered)}, expected {sorted(wanted)}")
    if role != "superuser" and (b.theme.title in body_text(response) or b.action.description in body_text(response)):
        problems.append("the other council's plan is on the page")
    return problems


def csv_is_the_member_councils(response, world, role, scope):
    """The CSV of the action plan: the same actions as the page, nothing of another council."""
    a, b = world.a, world.b
    sides = [a, b] if role == "superuser" else [a]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    listed = sorted(row["Description"] for row in rows)
    expected = sorted(action.description for side in sides for action in (side.action, side.second))
    problems = [] if listed == expected else [f"CSV lists {listed}, expected {expected}"]
    if response["Cache-Control"] != "private, no-store":
        problems.append(f"CSV may be cached: Cache-Control {response['Cache-Control']!r}")
    return problems


def start_page_for_the_role(response, world, role, scope):
    expected = {
        "lead officer": "recommendations:my-actions",
        "other officer": "recommendations:my-actions",
        "coordinator": "recommendations:dashboard",
        "scrutiny member": "recommendations:action-plan",
        "no membership": "home",
        "superuser": "recommendations:dashboard",
    }[role]
    if response["Location"] != reverse(expected):
        return [f"start page is {response['Location']}, expected {reverse(expected)}"]
    return []


def dashboard_is_the_managed_councils(response, world, role, scope):
    expected = {world.a.challenge.pk} | ({world.b.challenge.pk} if role == "superuser" else set())
    listed = {row.challenge.pk for row in response.context["challenges"]}
    problems = (
        [] if listed == expected else [f"dashboard shows challenges {sorted(listed)}, expected {sorted(expected)}"]
    )
    if role != "superuser" and world.b.council.name in body_text(response):
        problems.append("the other council is on the dashboard")
    return problems


def overview_lists_every_council(response, world, role, scope):
    """The LGA overview (recommendations.overview): both councils' challenges for everyone, with the
    published status of each action, whoever reads it."""
    listed = {row.challenge.pk: row for row in response.context["rows"]}
    expected = {world.a.challenge.pk, world.b.challenge.pk}
    if set(listed) != expected:
        return [f"overview lists challenges {sorted(listed)}, expected {sorted(expected)}"]
    problems = []
    for side in (world.a, world.b):
        counts = listed[side.challenge.pk].action_counts
        published = {status: counts[status] for status in (Status.ON_TRACK, Status.AT_RISK)}
        if published != {Status.ON_TRACK: 1, Status.AT_RISK: 1}:
            problems.append(f"{side.council.name}'s actions by status are not the published ones: {published}")
    return problems


def approvals_are_the_managed_councils(response, world, role, scope):
    expected = {world.a.awaiting.pk} | ({world.b.awaiting.pk} if role == "superuser" else set())
    listed = pks(response.context["updates"])
    return [] if listed == expected else [f"approvals list {sorted(listed)}, expected {sorted(expected)}"]


def lists_own_notifications(response, world, role, scope):
    user = world.users[role]
    listed = pks(response.context["notifications"])
    expected = set(Notification.objects.filter(recipient=user).values_list("pk", flat=True))
    problems = [] if listed == expected else [f"notifications list {sorted(listed)}, expected {sorted(expected)}"]
    text = body_text(response)
    others = Notification.objects.exclude(recipient=user).filter(subject__startswith="Personal-notification-of-")
    problems += [f"shows {n.subject}" for n in others if n.subject in text]
    return problems


def round_page_is_the_users(response, world, role, scope):
    """The round page for leads offers the lead officer their action, and everyone else nothing to update."""
    text = body_text(response)
    field = f'name="action-{world.a.action.pk}-text"'
    if role == "lead officer":
        return [] if field in text else ["the lead officer is not offered their action"]
    problems = ["offers the lead officer's action"] if field in text else []
    if "You lead no actions in this round" not in text:
        problems.append("does not say they lead no actions in the round")
    return problems


def matrix_invitation(side):
    """A pending invitation to the council, by its coordinator: the one the matrix withdraws."""
    email = f"invited-to-{side.key}@example.org"
    invitation = Invitation.objects.pending().filter(council=side.council, email=email).first()
    return invitation or invite(council=side.council, email=email, role=OFFICER, invited_by=side.coordinator)[0]


def matrix_invitation_withdrawn(side):
    return (
        Invitation.objects.filter(council=side.council, email=f"invited-to-{side.key}@example.org")
        .latest("pk")
        .withdrawn_at
        is not None
    )


def invitation_token(side):
    """A new invitation's link token (only its hash is stored, so each URL invites anew)."""
    return invite(
        council=side.council, email=f"new-to-{side.key}@example.org", role=OFFICER, invited_by=side.coordinator
    )[1]


def invitations_are_the_managed_councils(response, world, role, scope):
    matrix_invitation(world.a), matrix_invitation(world.b)
    expected = {world.a.council.pk} | ({world.b.council.pk} if role == "superuser" else set())
    listed = pks(response.context["councils"])
    problems = (
        [] if listed == expected else [f"invitations page lists councils {sorted(listed)}, expected {sorted(expected)}"]
    )
    if role != "superuser" and world.b.council.name in body_text(response):
        problems.append("the other council is on the invitations page")
    return problems


def search_finds_member_drafts_only(response, world, role, scope):
    """The search (reports.search) finds each council's published update for everyone, and its
    drafts, updates awaiting approval and internal indicator exactly for those who may read them.
    (Found text is marked word by word, so the leak check on the page's text would not see it.)"""
    problems = []
    for side in (world.a, world.b):
        readable = sees_drafts(role, "own" if side is world.a else "other")
        for secret in (DRAFT_UPDATE[side.key], AWAITING_UPDATE[side.key], INTERNAL_INDICATOR[side.key]):
            found = response.client.get(reverse("reports:search"), {"q": secret}).context["results"].count
            if bool(found) != readable:
                problems.append(f"search {'misses' if readable else 'finds'} {secret}")
        published = f"Published update of {side.council.name}"
        if not response.client.get(reverse("reports:search"), {"q": published}).context["results"].count:
            problems.append(f"search misses {published}")
    return problems


# The GET matrix ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Get:
    name: str  # the URL name
    args: Callable | None  # args(side) -> the URL's arguments; None for a page of no object
    rule: str
    allowed_status: int = 200  # 405 for POST-only views asked with GET by someone allowed
    public_only: bool = False  # a public output: never any draft update, whoever reads it
    check: Callable | None = None  # check(response, world, role, scope) -> [problems], when allowed
    label: str = ""  # which object, where one URL name serves several

    @property
    def id(self):
        return f"{self.name} ({self.label})" if self.label else self.name


def slug(side):
    return [side.challenge.slug]


GETS = [
    Get("home", None, "public"),
    Get("login", None, "public"),
    # Two-factor sign-in (cpc_tracker/two_factor.py): each user's own. The code step and set-up are for
    # someone half signed in; asked with no sign-in under way they send anonymous people to sign in, and
    # the code step sends signed-in (verified) people on. Coordinators and superusers here are verified.
    Get("two-factor-verify", None, "signed in", allowed_status=302),
    Get("two-factor-setup", None, "signed in"),
    Get("two-factor", None, "signed in"),
    Get("two-factor-backup-codes", None, "signed in"),
    Get("two-factor-turn-off", None, "signed in", allowed_status=405),
    # Passwords (cpc_tracker/passwords.py): anyone may ask for a reset link; a bad link is a page saying so.
    Get("password_change", None, "signed in"),
    Get("password_change_done", None, "signed in"),
    Get("password_reset", None, "public"),
    Get("password_reset_done", None, "public"),
    Get("password_reset_confirm", lambda s: ["MQ", "not-a-valid-token"], "public"),
    Get("password_reset_complete", None, "public"),
    # Invitations: a council's coordinators invite to it; the link's token, not a role, opens the accept page.
    Get("recommendations:invitation-list", None, "coordinators anywhere", check=invitations_are_the_managed_councils),
    Get("recommendations:invitation-create", lambda s: [s.council.slug], "managers"),
    Get("recommendations:invitation-withdraw", lambda s: [matrix_invitation(s).pk], "managers", allowed_status=405),
    Get("recommendations:invitation-accept", lambda s: [invitation_token(s)], "public"),
    Get("healthz", None, "public"),  # a load balancer's probes: no data, no secrets (cpc_tracker/health.py)
    Get("readyz", None, "public"),
    Get("recommendations:challenge-detail", slug, "public"),
    Get("recommendations:recommendation-list", slug, "public"),
    Get("recommendations:recommendation-detail", lambda s: [s.challenge.slug, s.recommendation.number], "public"),
    Get("recommendations:theme-detail", lambda s: [s.challenge.slug, s.theme.number], "public"),
    Get("recommendations:action-detail", lambda s: [s.action.pk], "public", check=shows_drafts_to_members),
    Get("recommendations:progress-update-create", lambda s: [s.action.pk], "updaters"),
    # Evidence files: a public one of a published update is anyone's; others are the council's members'.
    Get(
        "recommendations:evidence-file",
        lambda s: [s.files["public file"].pk],
        "public",
        check=downloads_the_file,
        label="public",
    ),
    Get(
        "recommendations:evidence-file",
        lambda s: [s.files["private file"].pk],
        "members, others not found",
        check=downloads_the_file,
        label="private",
    ),
    Get(
        "recommendations:evidence-file",
        lambda s: [s.files["draft's public file"].pk],
        "members, others not found",
        check=downloads_the_file,
        label="public, of a draft update",
    ),
    Get("recommendations:my-actions", None, "signed in", check=my_actions_are_mine),
    Get("recommendations:action-plan", None, "members anywhere", check=plan_is_the_member_councils),
    Get("recommendations:action-plan-csv", None, "members anywhere", check=csv_is_the_member_councils),
    # A redirect for everyone signed in: where to depends on the role (start_page_for_the_role).
    Get("recommendations:start", None, "signed in", allowed_status=302, check=start_page_for_the_role),
    Get("recommendations:dashboard", None, "coordinators anywhere", check=dashboard_is_the_managed_councils),
    Get("recommendations:overview", None, "public", public_only=True, check=overview_lists_every_council),
    Get("recommendations:action-create", lambda s: [s.challenge.slug, s.recommendation.number], "managers"),
    Get("recommendations:action-update", lambda s: [s.action.pk], "managers"),
    Get("recommendations:recommendation-response", lambda s: [s.challenge.slug, s.recommendation.number], "managers"),
    Get("recommendations:approval-list", None, "coordinators anywhere", check=approvals_are_the_managed_councils),
    # POST only: a GET is refused before the update is looked up, so a coordinator gets 405 for any council's.
    Get("recommendations:update-approve", lambda s: [s.awaiting.pk], "coordinators anywhere", allowed_status=405),
    Get("recommendations:update-return", lambda s: [s.awaiting.pk], "reviewers"),
    Get("recommendations:publishing-settings", slug, "managers"),
    Get("recommendations:challenge-milestones", slug, "managers"),
    Get("recommendations:action-plan-export-csv", slug, "managers"),
    Get("recommendations:action-plan-export-xlsx", slug, "managers"),
    Get("recommendations:action-plan-import", slug, "managers"),
    Get("recommendations:action-plan-import-confirm", slug, "managers", allowed_status=405),
    Get("reviews:review-detail", lambda s: [s.review.pk], "public"),
    Get("reviews:consideration-detail", lambda s: [s.consideration.pk], "public"),
    # Indicators: a public one is anyone's; an internal one does not exist for anyone but the council's members.
    Get("reviews:indicator-detail", lambda s: [s.indicator.pk], "public", label="public"),
    Get(
        "reviews:indicator-detail",
        lambda s: [s.internal_indicator.pk],
        "members, others not found",
        label="internal",
    ),
    Get("reviews:indicator-list", slug, "public", check=lists_internal_indicators_to_members_only),
    # Changing indicators: figures by the owner (the lead officer here) and coordinators ("updaters");
    # settings by coordinators. An internal indicator (no owner) is not found by non-members.
    Get("reviews:indicator-value-add", lambda s: [s.indicator.pk], "updaters", label="public"),
    Get(
        "reviews:indicator-value-add",
        lambda s: [s.internal_indicator.pk],
        "managers, others not found",
        label="internal",
    ),
    Get("reviews:indicator-value-edit", lambda s: [s.indicator.pk, first_figure(s.indicator)], "updaters"),
    Get("reviews:indicator-import", lambda s: [s.indicator.pk], "updaters"),
    Get("reviews:indicator-import-confirm", lambda s: [s.indicator.pk], "updaters", allowed_status=405),
    Get("reviews:indicator-edit", lambda s: [s.indicator.pk], "managers", label="public"),
    Get("reviews:indicator-edit", lambda s: [s.internal_indicator.pk], "managers, others not found", label="internal"),
    Get("reviews:indicator-create", slug, "managers"),
    Get("reviews:figures-due", slug, "members"),
    Get("reports:report-list", slug, "public", check=lists_member_drafts_only),
    Get("reports:report-create", slug, "managers"),
    Get("reports:report-detail", lambda s: [s.draft_report.pk], "members", public_only=True, label="draft"),
    Get("reports:report-detail", lambda s: [s.issued_report.pk], "public", public_only=True, label="issued"),
    Get("reports:report-issue", lambda s: [s.draft_report.pk], "managers"),
    Get("reports:report-pdf", lambda s: [s.draft_report.pk], "members", public_only=True, label="draft"),
    Get("reports:report-pdf", lambda s: [s.issued_report.pk], "public", public_only=True, label="issued"),
    # The progress-review pack: made by the council's coordinators, for publishing (public content only).
    Get("reports:pack-docx", slug, "managers", public_only=True, check=pack_is_public_content_only),
    Get("reports:pack-pdf", slug, "managers", public_only=True, check=pack_is_public_content_only),
    Get("reports:open-data", slug, "public", public_only=True),
    Get("reports:open-data-csv", slug, "public", public_only=True),
    Get("reports:open-data-json", slug, "public", public_only=True),
    Get("reports:open-data-indicators-csv", slug, "public", public_only=True),
    Get("reports:open-data-indicators-json", slug, "public", public_only=True),
    # The CPC clock's milestones (reports.clock_data): one challenge's, and every challenge's.
    Get("reports:open-data-milestones-csv", slug, "public", public_only=True),
    Get("reports:open-data-milestones-json", slug, "public", public_only=True),
    Get("reports:all-milestones-csv", None, "public", public_only=True),
    Get("reports:all-milestones-json", None, "public", public_only=True),
    Get("reports:updates-feed", slug, "public", public_only=True),
    # Search: everyone finds what is published; members also their own council's drafts (reports.search).
    Get("reports:search", None, "public", check=search_finds_member_drafts_only),
    # Each person's own notifications: the pages of no object show the signed-in user's; one
    # notification is theirs ("own") or B's coordinator's ("other", not found for everyone).
    Get("recommendations:notification-list", None, "signed in", check=lists_own_notifications),
    Get("recommendations:notification-open", lambda s: [s.notification()], "recipient", allowed_status=302),
    Get("recommendations:notification-mark-all-read", None, "signed in", allowed_status=405),
    Get("recommendations:notification-settings", None, "signed in"),
    # Update rounds: the council's members read them; its coordinators open, remind and close them.
    Get("recommendations:round-list", slug, "members"),
    Get("recommendations:round-create", slug, "managers"),
    Get("recommendations:round-detail", lambda s: [s.round.pk], "members"),
    Get("recommendations:round-remind", lambda s: [s.round.pk], "managers", allowed_status=405),  # POST only
    Get("recommendations:round-close", lambda s: [s.round.pk], "managers"),
    Get("recommendations:round-my-updates", lambda s: [s.round.pk], "members", check=round_page_is_the_users),
]

# URL names the matrix leaves out, and why. Django admin is superusers' only (tests/test_admin.py).
NOT_IN_MATRIX = {
    "logout": "signing out is a POST that only ends the user's own session",
}


def get_cases(scope):
    """Pages of no object are asked once per role (with the 'own' scope): they have no other council's."""
    return [case for case in GETS if case.args is not None or scope == "own"]


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("role", ROLES)
def test_get_matrix(client, world, role, scope):
    sign_in(client, world, role)
    side = side_of(world, scope)
    problems = []
    for case in get_cases(scope):
        url = reverse(case.name, args=case.args(side) if case.args else None)
        response = client.get(url)
        expected = outcome(case.rule, role, scope)
        problem = check_status(response, expected, case.allowed_status, role)
        if problem:
            problems.append(f"{case.id} {url}: {problem}")
        text = body_text(response)
        leaked = [secret for secret in forbidden_text(world, role, case.public_only) if secret in text]
        if leaked:
            problems.append(f"{case.id} {url}: shows draft text {leaked} to {role}")
        if case.check and expected == ALLOWED and response.status_code == case.allowed_status:
            problems += [f"{case.id} {url}: {p}" for p in case.check(response, world, role, scope)]
    assert not problems, f"{role}, {scope} council's objects:\n" + "\n".join(problems)


# The POST matrix ---------------------------------------------------------------------------------


def council_state(side):
    """Everything of one council a POST could change."""
    challenge = PeerChallenge.objects.get(pk=side.challenge.pk)
    actions = Action.objects.filter(recommendation__challenge=challenge)
    updates = ProgressUpdate.objects.filter(action__recommendation__challenge=challenge)
    return {
        "challenge": (
            challenge.updates_need_approval,
            challenge.publish_lead_names,
            challenge.report_published_on,
            challenge.report_published_precision,
        ),
        "actions": list(
            actions.order_by("pk").values_list(
                "pk", "version", "reference", "description", "lead_officer", "status", "public_status"
            )
        ),
        "updates": list(updates.order_by("pk").values_list("pk", "text", "status", "published", "approval")),
        "evidence files": list(
            EvidenceFile.objects.filter(update__in=updates).order_by("pk").values_list("pk", "name", "public")
        ),
        "action history": Action.history.filter(recommendation__challenge=challenge).count(),
        "update history": ProgressUpdate.history.filter(action__recommendation__challenge=challenge).count(),
        "reports": list(
            CommitteeReport.objects.filter(challenge=challenge)
            .order_by("pk")
            .values_list("pk", "committee", "issued_at")
        ),
        # Not whether they are closed: opening a round in the matrix first closes the open one (round_data).
        "rounds": list(UpdateRound.objects.filter(challenge=challenge).order_by("pk").values_list("pk", "title")),
        "round reminders": RoundReminder.objects.filter(round__challenge=challenge).count(),
        "invitations": list(
            Invitation.objects.filter(council=challenge.council)
            .order_by("pk")
            .values_list("pk", "email", "role", "withdrawn_at", "accepted_at")
        ),
        "indicators": list(
            Indicator.objects.filter(challenge=challenge).order_by("pk").values_list("pk", "version", "name", "public")
        ),
        "indicator figures": list(
            IndicatorValue.objects.filter(indicator__challenge=challenge)
            .order_by("pk")
            .values_list("pk", "period", "period_start", "value")
        ),
    }


def first_figure(indicator):
    return indicator.values.order_by("period_start").first().pk


def figure_data(side, **changes):
    return {
        "period": "2019/20",
        "value": "42",
        "version": str(Indicator.objects.get(pk=side.indicator.pk).version),
        **changes,
    }


def indicator_settings(side, name):
    return {
        "name": name,
        "polarity": "higher",
        "frequency": "annual",
        "public": "yes",
        "version": str(Indicator.objects.get(pk=side.indicator.pk).version),
    }


MATRIX_FIGURES = "area,period,value\nAnytown,2018/19,41\nElsewhere,2018/19,41\n"


def pending_indicator_import(client):
    from reviews.indicator_views import SESSION_KEY

    return client.session.get(SESSION_KEY)


def pending_import(client):
    from recommendations.exchange_views import SESSION_KEY

    return client.session.get(SESSION_KEY)


@dataclass(frozen=True)
class Post:
    name: str
    args: Callable
    rule: str
    data: Callable  # data(side, client) -> the POST data (fresh from the database)
    done: Callable  # done(side, client) -> True when the POST did what it is for
    allowed_status: int = 302
    writes: bool = True  # False for the import's upload step: it previews, writing nothing


def round_data(side, client):
    """A new round's form; the challenge's open round is closed first, as only one may be open."""
    UpdateRound.objects.filter(challenge=side.challenge, closed_at__isnull=True).update(
        closed_at=datetime.datetime.now(datetime.UTC)
    )
    deadline = datetime.date.today() + datetime.timedelta(days=7)
    return {
        "title": "Opened by the matrix",
        "deadline_0": str(deadline.day),
        "deadline_1": str(deadline.month),
        "deadline_2": str(deadline.year),
        "grace_days": "0",
        "actions": [str(side.action.pk)],
    }


def fresh_action(side):
    return Action.objects.get(pk=side.action.pk)


def import_file():
    return csv_upload([[1, "1.9", "Imported by the matrix"]], headers=IMPORT_COLUMNS[:3])


def stash_import(side, client):
    return {"token": stash_pending_import(client, side.challenge, import_file().read())}


POSTS = [
    Post(
        "recommendations:progress-update-create",
        lambda s: [s.action.pk],
        "updaters",
        lambda s, c: update_form_data(fresh_action(s), text="Posted by the matrix"),
        lambda s, c: fresh_action(s).progress_updates.filter(text="Posted by the matrix").exists(),
    ),
    Post(
        "recommendations:progress-update-create",
        lambda s: [s.action.pk],
        "updaters",
        lambda s, c: (
            update_form_data(fresh_action(s), text="Posted with a file by the matrix")
            | {"file_1": evidence_pdf("Uploaded by the matrix.pdf"), "visibility_1": "private"}
        ),
        lambda s, c: EvidenceFile.objects.filter(
            update__action=s.action, update__text="Posted with a file by the matrix", name="Uploaded by the matrix.pdf"
        ).exists(),
    ),
    Post(
        "recommendations:action-create",
        lambda s: [s.challenge.slug, s.recommendation.number],
        "managers",
        lambda s, c: action_data(reference="1.9", description="Created by the matrix"),
        lambda s, c: s.recommendation.actions.filter(reference="1.9").exists(),
    ),
    Post(
        "recommendations:action-update",
        lambda s: [s.action.pk],
        "managers",
        lambda s, c: edit_data(fresh_action(s), description="Changed by the matrix"),
        lambda s, c: fresh_action(s).description == "Changed by the matrix",
    ),
    Post(
        "recommendations:update-approve",
        lambda s: [s.awaiting.pk],
        "reviewers",
        lambda s, c: {},
        lambda s, c: ProgressUpdate.objects.get(pk=s.awaiting.pk).approval == Approval.APPROVED,
    ),
    Post(
        "recommendations:update-return",
        lambda s: [s.awaiting.pk],
        "reviewers",
        lambda s, c: {"reason": "Returned by the matrix"},
        lambda s, c: ProgressUpdate.objects.get(pk=s.awaiting.pk).approval == Approval.RETURNED,
    ),
    Post(
        "recommendations:recommendation-response",
        lambda s: [s.challenge.slug, s.recommendation.number],
        "managers",
        lambda s, c: {"response": "not_accepted", "response_reason": "Answered by the matrix"},
        lambda s, c: Recommendation.objects.filter(
            pk=s.recommendation.pk, response="not_accepted", response_reason="Answered by the matrix"
        ).exists(),
    ),
    Post(
        "recommendations:publishing-settings",
        slug,
        "managers",
        lambda s, c: {"updates_need_approval": "yes", "publish_lead_names": "yes"},
        lambda s, c: PeerChallenge.objects.filter(
            pk=s.challenge.pk, updates_need_approval=True, publish_lead_names=True
        ).exists(),
    ),
    Post(
        "recommendations:challenge-milestones",
        slug,
        "managers",
        lambda s, c: {"report_published_on_0": "", "report_published_on_1": "2", "report_published_on_2": "2023"},
        lambda s, c: PeerChallenge.objects.filter(
            pk=s.challenge.pk, report_published_on=datetime.date(2023, 2, 1), report_published_precision="month"
        ).exists(),
    ),
    Post(
        "recommendations:action-plan-import",
        slug,
        "managers",
        lambda s, c: {"file": import_file()},
        lambda s, c: (pending_import(c) or {}).get("challenge") == s.challenge.pk,
        allowed_status=200,
        writes=False,
    ),
    Post(
        "recommendations:action-plan-import-confirm",
        slug,
        "managers",
        stash_import,
        lambda s, c: s.recommendation.actions.filter(reference="1.9").exists(),
    ),
    Post(
        "reports:report-create",
        slug,
        "managers",
        lambda s, c: {
            "committee": "Created by the matrix",
            "meeting_date_0": "14",
            "meeting_date_1": "3",
            "meeting_date_2": "2024",
            "cut_off_0": "1",
            "cut_off_1": "3",
            "cut_off_2": "2024",
        },
        lambda s, c: s.challenge.committee_reports.filter(committee="Created by the matrix").exists(),
    ),
    Post(
        "reports:report-issue",
        lambda s: [s.draft_report.pk],
        "managers",
        lambda s, c: {},
        lambda s, c: CommitteeReport.objects.get(pk=s.draft_report.pk).is_issued,
    ),
    Post(
        "recommendations:round-create",
        slug,
        "managers",
        round_data,
        lambda s, c: s.challenge.update_rounds.filter(title="Opened by the matrix").exists(),
    ),
    Post(
        "recommendations:round-remind",
        lambda s: [s.round.pk],
        "managers",
        lambda s, c: {},
        lambda s, c: RoundReminder.objects.filter(round=s.round).exists(),
    ),
    Post(
        "recommendations:round-close",
        lambda s: [s.round.pk],
        "managers",
        lambda s, c: {},
        lambda s, c: not UpdateRound.objects.get(pk=s.round.pk).is_open,
    ),
    Post(
        "recommendations:round-my-updates",
        lambda s: [s.round.pk],
        "round leads",
        lambda s, c: {
            f"action-{s.action.pk}-status": Status.AT_RISK,
            f"action-{s.action.pk}-text": "Round update by the matrix",
            f"action-{s.action.pk}-version": str(fresh_action(s).version),
        },
        lambda s, c: fresh_action(s).progress_updates.filter(text="Round update by the matrix").exists(),
    ),
    Post(
        "recommendations:invitation-create",
        lambda s: [s.council.slug],
        "managers",
        lambda s, c: {"email": "invited-by-the-matrix@example.org", "role": OFFICER},
        lambda s, c: (
            Invitation.objects.pending().filter(council=s.council, email="invited-by-the-matrix@example.org").exists()
        ),
    ),
    Post(
        "recommendations:invitation-withdraw",
        lambda s: [matrix_invitation(s).pk],
        "managers",
        lambda s, c: {},
        lambda s, c: matrix_invitation_withdrawn(s),
    ),
    Post(
        "password_reset",
        lambda s: [],
        "public",
        lambda s, c: {"email": s.coordinator.email},
        lambda s, c: run_tasks(commit=True) and any(s.coordinator.email in message.to for message in mail.outbox),
    ),
    Post(
        "recommendations:notification-mark-all-read",
        lambda s: [],
        "signed in",
        lambda s, c: {},
        lambda s, c: (
            signed_in_id(c) is not None
            and not Notification.objects.filter(recipient_id=signed_in_id(c), read_at__isnull=True).exists()
        ),
    ),
    Post(
        "recommendations:notification-settings",
        lambda s: [],
        "signed in",
        lambda s, c: {"emailed": [NotificationKind.ACTION_ASSIGNED]},
        lambda s, c: NotificationPreference.objects.filter(
            user_id=signed_in_id(c), kind=NotificationKind.UPDATES_DUE, email=False
        ).exists(),
    ),
    Post(
        "reviews:indicator-value-add",
        lambda s: [s.indicator.pk],
        "updaters",
        lambda s, c: figure_data(s),
        lambda s, c: s.indicator.values.filter(period="2019/20").exists(),
    ),
    Post(
        "reviews:indicator-value-edit",
        lambda s: [s.indicator.pk, first_figure(s.indicator)],
        "updaters",
        lambda s, c: figure_data(s, period="January 2022", value="43"),
        lambda s, c: s.indicator.values.filter(period="January 2022", value=43).exists(),
    ),
    Post(
        "reviews:indicator-edit",
        lambda s: [s.indicator.pk],
        "managers",
        lambda s, c: indicator_settings(s, "Renamed by the matrix"),
        lambda s, c: Indicator.objects.filter(pk=s.indicator.pk, name="Renamed by the matrix").exists(),
    ),
    Post(
        "reviews:indicator-create",
        slug,
        "managers",
        lambda s, c: indicator_settings(s, "Added by the matrix"),
        lambda s, c: s.challenge.indicators.filter(name="Added by the matrix").exists(),
    ),
    Post(
        "reviews:indicator-import",
        lambda s: [s.indicator.pk],
        "updaters",
        lambda s, c: {
            "file": SimpleUploadedFile("figures.csv", MATRIX_FIGURES.encode()),
            "area": default_area(s.council.name),
        },
        lambda s, c: (pending_indicator_import(c) or {}).get("indicator") == s.indicator.pk,
        allowed_status=200,
        writes=False,
    ),
    Post(
        "reviews:indicator-import-confirm",
        lambda s: [s.indicator.pk],
        "updaters",
        lambda s, c: {
            "token": stash_pending_indicator_import(c, s.indicator, MATRIX_FIGURES, default_area(s.council.name))
        },
        lambda s, c: s.indicator.values.filter(period="2018/19").exists(),
    ),
]


def signed_in_id(client):
    return client.session.get("_auth_user_id")


class RolledBack(Exception):
    pass


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("role", ROLES)
def test_post_matrix(client, world, role, scope):
    """Each state-changing POST: allowed roles change what it is for (and nothing of the other
    council); refused roles change nothing at all."""
    sign_in(client, world, role)
    side, other = side_of(world, scope), side_of(world, "other" if scope == "own" else "own")
    problems = []
    for case in POSTS:
        url = reverse(case.name, args=case.args(side))
        try:
            with transaction.atomic():  # a savepoint: every case starts from the same data
                before = {"this": council_state(side), "other": council_state(other)}
                response = client.post(url, case.data(side, client))
                expected = outcome(case.rule, role, scope)
                problem = check_status(response, expected, case.allowed_status, role)
                if problem:
                    problems.append(f"POST {case.name} {url}: {problem}")
                after = {"this": council_state(side), "other": council_state(other)}
                if after["other"] != before["other"]:
                    problems.append(f"POST {case.name} {url}: changed the other council's data")
                if expected == ALLOWED:
                    if not case.done(side, client):
                        problems.append(f"POST {case.name} {url}: {role} was allowed but nothing was done")
                    if not case.writes and after["this"] != before["this"]:
                        problems.append(f"POST {case.name} {url}: the preview wrote to the database")
                else:
                    if after["this"] != before["this"]:
                        problems.append(f"POST {case.name} {url}: refused {role} changed the database")
                    if case.done(side, client):
                        problems.append(f"POST {case.name} {url}: refused {role} got it done")
                raise RolledBack
        except RolledBack:
            pass  # the session's pending import went with the savepoint too
    assert not problems, f"{role}, {scope} council's objects:\n" + "\n".join(problems)


# Every URL is in the matrix ----------------------------------------------------------------------


def url_views(resolver=None, namespace=""):
    """{URL name (with its namespace): view} for every named URL pattern outside Django admin."""
    resolver = resolver or get_resolver()
    views = {}
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            views |= url_views(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            views[f"{namespace}{pattern.name}"] = pattern.callback
    return views


def test_every_url_name_is_in_the_matrix():
    names = set(url_views())
    covered = {case.name for case in GETS} | set(NOT_IN_MATRIX)

    missing = sorted(names - covered)
    gone = sorted(covered - names) + sorted({case.name for case in POSTS} - names)

    assert not missing, f"Add these views to GETS (and POSTS if they take a POST) in {__name__}: {missing}"
    assert not gone, f"These names in {__name__} are no longer URLs: {gone}"


def test_every_view_that_takes_a_post_is_in_the_post_matrix():
    own_session_only = {"login", "logout"}  # signing in and out change only the user's own session
    # The second step of signing in and the user's own two-factor devices (tests/test_two_factor.py)
    own_session_only |= {"two-factor-verify", "two-factor-setup", "two-factor-backup-codes", "two-factor-turn-off"}
    # Changing one's own password changes only one's own account (it also renews the session, which the
    # savepoints would undo); a link's token, not a role, decides the other two. All in tests/test_invitations.py
    # and tests/test_password_reset.py.
    own_session_only |= {"password_change", "recommendations:invitation-accept", "password_reset_confirm"}
    posted = {
        name
        for name, view in url_views().items()
        if "post" in getattr(getattr(view, "view_class", None), "http_method_names", [])
        and hasattr(view.view_class, "post")
    }

    missing = sorted(posted - own_session_only - {case.name for case in POSTS})

    assert not missing, f"These views take POSTs: add them to POSTS in {__name__}: {missing}"


# Who may lead an action ----------------------------------------------------------------------------


@pytest.fixture
def leads(world):
    """Everyone who might be offered as a lead of council A's actions, and who must not be."""
    council_a = world.a.council
    return SimpleNamespace(
        eligible={world.users["lead officer"], world.users["other officer"], world.a.coordinator, world.a.officer},
        ineligible={
            "scrutiny member": world.users["scrutiny member"],
            "no membership": world.users["no membership"],
            "superuser": world.users["superuser"],
            "other council's officer": world.b.officer,
            "other council's coordinator": world.b.coordinator,
            "inactive officer": UserFactory(username="ivy-inactive", is_active=False, roles=[(council_a, OFFICER)]),
        },
    )


def test_the_action_forms_lead_choices_are_the_councils_active_officers_and_coordinators(client, world, leads):
    client.force_login(world.a.coordinator)
    a = world.a

    response = client.get(reverse("recommendations:action-create", args=[a.challenge.slug, a.recommendation.number]))

    offered = set(response.context["form"].fields["lead_officer"].queryset)
    assert offered == leads.eligible
    wrongly_offered = {label for label, user in leads.ineligible.items() if user in offered}
    assert not wrongly_offered


@pytest.mark.parametrize("who", ["other council's officer", "scrutiny member", "no membership", "inactive officer"])
def test_posting_an_ineligible_lead_is_refused_with_a_form_error(client, world, leads, who):
    client.force_login(world.a.coordinator)
    a = world.a
    ineligible = leads.ineligible[who]
    create = reverse("recommendations:action-create", args=[a.challenge.slug, a.recommendation.number])
    change = reverse("recommendations:action-update", args=[a.second.pk])
    before = council_state(a)

    created = client.post(create, action_data(reference="1.9", lead_officer=str(ineligible.pk)))
    changed = client.post(change, edit_data(Action.objects.get(pk=a.second.pk), lead_officer=str(ineligible.pk)))

    for response in (created, changed):
        assert response.status_code == 200
        assert response.context["form"].errors["lead_officer"] == ["Choose a lead officer from the list"]
    assert council_state(a) == before


def admin_post_data(response):
    """The admin change form's POST data, as the browser would send it unchanged."""
    from django import forms

    data = {}

    def add(bound):
        value = bound.value()
        widget = bound.field.widget
        if isinstance(bound.field, forms.BooleanField):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(bound.field, forms.ModelMultipleChoiceField):  # one value per chosen item, or none
            data[bound.html_name] = [str(item) for item in value or []]
        elif isinstance(widget, forms.MultiWidget):
            for i, part in enumerate(widget.decompress(value)):
                data[f"{bound.html_name}_{i}"] = "" if part is None else str(part)
        else:
            data[bound.html_name] = "" if value is None else str(value)

    for bound in response.context["adminform"].form:
        add(bound)
    for inline in response.context["inline_admin_formsets"]:
        for bound in inline.formset.management_form:
            add(bound)
        for form in inline.formset.forms:
            for bound in form:
                add(bound)
    data["_save"] = "Save"
    return data


def test_the_admin_refuses_a_lead_from_another_council_and_accepts_one_of_the_council(client, world):
    client.force_login(world.users["superuser"])
    action = world.a.second
    url = reverse("admin:recommendations_action_change", args=[action.pk])
    data = admin_post_data(client.get(url))

    refused = client.post(url, data | {"lead_officer": str(world.b.officer.pk)})

    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors
    assert errors == {"lead_officer": ["The lead officer must be an active officer or coordinator of this council"]}
    assert Action.objects.get(pk=action.pk).lead_officer == world.a.officer

    accepted = client.post(url, data | {"lead_officer": str(world.users["other officer"].pk)})

    assert accepted.status_code == 302, accepted.context["adminform"].form.errors if accepted.context else ""
    assert Action.objects.get(pk=action.pk).lead_officer == world.users["other officer"]


# The rules' querysets agree with their per-object checks --------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_querysets_agree_with_the_per_object_rules(world, role):
    from recommendations.permissions import (
        editable_actions,
        managed_challenges,
        plan_actions,
        readable_draft_challenges,
    )
    from reports.permissions import readable_reports

    user = world.users[role] or AnonymousUser()
    actions = [side.action for side in (world.a, world.b)] + [side.second for side in (world.a, world.b)]
    challenges = [side.challenge for side in (world.a, world.b)]
    reports = [r for side in (world.a, world.b) for r in (side.draft_report, side.issued_report)]

    assert pks(editable_actions(user)) == {
        a.pk for a in actions if user.has_perm("recommendations.update_action_progress", a)
    }
    assert pks(managed_challenges(user)) == {
        c.pk for c in challenges if user.has_perm("recommendations.manage_challenge", c)
    }
    assert pks(readable_draft_challenges(user)) == {
        c.pk for c in challenges if user.has_perm("recommendations.read_drafts", c)
    }
    assert pks(plan_actions(user)) == {a.pk for a in actions if user.has_perm("recommendations.read_drafts", a)}
    assert pks(readable_reports(user)) == {r.pk for r in reports if user.has_perm("reports.view_report", r)}


def test_my_actions_shows_nothing_from_a_council_the_officer_has_left(client):
    """An officer who moved council no longer reads the old council's returned drafts or reassignments."""
    from recommendations.models import Approval, Membership
    from recommendations.roles import COORDINATOR, OFFICER
    from recommendations.services import change_action, return_update
    from recommendations.tests.factories import ActionFactory, CouncilFactory, ProgressUpdateFactory, UserFactory

    old, new = CouncilFactory(name="Old Borough Council"), CouncilFactory(name="New Borough Council")
    mover = UserFactory(roles=[(old, OFFICER)])
    old_coordinator = UserFactory(roles=[(old, COORDINATOR)])
    action = ActionFactory(recommendation__theme__challenge__council=old, description="An old council action")
    change_action(action=action, author=old_coordinator, seen_version=action.version, lead_officer=mover)
    draft = ProgressUpdateFactory(
        action=action, author=mover, published=False, approval=Approval.AWAITING, text="The old council returned draft"
    )
    return_update(update=draft, coordinator=old_coordinator, reason="The old council reason")
    Membership.objects.filter(user=mover).update(council=new)
    client.force_login(mover)

    page = client.get(reverse("recommendations:my-actions")).content.decode()

    assert "The old council returned draft" not in page
    assert "The old council reason" not in page
    assert "An old council action" not in page
