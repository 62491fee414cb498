"""One status, told the same everywhere (issue 10, acceptance 1).

Hypothesis builds a small plan (one council, one challenge, 1-2 themes, 2-3 recommendations, 2-4
actions led by one officer, and a coordinator), then runs a random sequence of up to 8 steps of what
people do to it: officers' and coordinators' progress updates (published or not, dated from the first
day on site to today, so equal dates happen), approval switched on and off, approvals and returns (of
awaiting updates, and of updates someone already reviewed), coordinators' edits and completions (with
and without evidence), and spreadsheet imports that change statuses and evidence.

After every step an oracle written here, from the update records alone and without asking
recommendations.publication, says each action's public status, its public evidence of completion,
and its working status. Then every output is read the way a person or a program reads it:

- public (signed out): the action pages, the recommendation pages, the theme pages (their table and
  chart figures), the home page's status summary (tables and chart figures), the open-data CSV and
  JSON, and the Atom feed (each action's newest entry); no public page shows unpublished text;
- the council (signed in): a draft committee report cut off today, as `content()` and as its page;
  the action page (published and working status side by side), for the actions the step worked on;
  the action plan and My actions (working status); and the exported action-plan spreadsheet.

Each must say what the oracle says. A failure lists every output that disagrees, and hypothesis
prints the plan and the steps that led to it. `--hypothesis-show-statistics` shows what the run did.
"""

import csv
import datetime
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
import tablib
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, Phase, event, example, given, settings
from hypothesis import strategies as st

from recommendations import exchange, services
from recommendations.models import (
    DROPPED_STATUSES,
    Action,
    Approval,
    Council,
    Membership,
    PeerChallenge,
    ProgressUpdate,
    Recommendation,
    Role,
    Status,
    Theme,
)
from reports.models import CommitteeReport
from reports.services import create_report

LABELS = {status.label: status for status in Status}
ON_SITE_DAYS_AGO = 4  # updates are dated 0..4 days after the first day on site: equal dates are common
AWAITING_OR_RETURNED = (Approval.AWAITING, Approval.RETURNED)
ACTION_URL = re.compile(r"/actions/(\d+)/$")


# The oracle ----------------------------------------------------------------------------------------


@dataclass
class Record:
    """A progress update as the oracle knows it. `seq` is the order it was written in."""

    pk: int
    action: int
    seq: int
    date: datetime.date
    status: Status
    text: str
    evidence: str
    difference: str
    published: bool
    approval: str


def newest(records):
    """The newest record: the latest date, then the latest written."""
    return max(records, key=lambda record: (record.date, record.seq), default=None)


def status_from(record):
    return record.status if record is not None else Status.NOT_STARTED


def evidence_from(record):
    if record is None or record.status != Status.COMPLETE or not (record.evidence or record.difference):
        return None
    return record.evidence, record.difference


def recommendation_status(statuses):
    """Complete when every action is; else off track, then at risk, if any action is; not started when
    none has started (or there are no actions); on track otherwise."""
    if not statuses:
        return Status.NOT_STARTED
    if all(status == Status.COMPLETE for status in statuses):
        return Status.COMPLETE
    for worst in (Status.OFF_TRACK, Status.AT_RISK):
        if worst in statuses:
            return worst
    if all(status == Status.NOT_STARTED for status in statuses):
        return Status.NOT_STARTED
    return Status.ON_TRACK


@dataclass
class Expected:
    public: Record | None
    working: Record | None

    @property
    def public_status(self):
        return status_from(self.public)

    @property
    def working_status(self):
        return status_from(self.working)

    @property
    def public_evidence(self):
        return evidence_from(self.public)

    @property
    def working_evidence(self):
        return evidence_from(self.working)


def counts(statuses):
    """[count for each status in Status order]."""
    statuses = list(statuses)
    return [statuses.count(status) for status in Status]


# Reading pages: a small tree from html.parser ------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag, attrs=(), parent=None):
        self.tag = tag
        self.attrs = dict(attrs)
        self.parent = parent
        self.children = []

    @property
    def classes(self):
        return set((self.attrs.get("class") or "").split())

    def elements(self):
        return [child for child in self.children if isinstance(child, Node)]

    def iter(self):
        for child in self.elements():
            yield child
            yield from child.iter()

    def find_all(self, tag=None, cls=None, **attrs):
        return [
            node
            for node in self.iter()
            if (tag is None or node.tag == tag)
            and (cls is None or cls in node.classes)
            and all(node.attrs.get(name) == value for name, value in attrs.items())
        ]

    def find(self, tag=None, cls=None, **attrs):
        found = self.find_all(tag, cls, **attrs)
        return found[0] if found else None

    @property
    def text(self):
        parts = []

        def walk(node):
            for child in node.children:
                if isinstance(child, str):
                    parts.append(child)
                else:
                    parts.append(" ")  # <strong>date</strong><br>text reads "date text"
                    walk(child)
                    parts.append(" ")

        walk(self)
        return " ".join("".join(parts).split())

    def next_element(self):
        siblings = self.parent.elements()
        index = siblings.index(self)
        return siblings[index + 1] if index + 1 < len(siblings) else None

    def status_tags(self):
        """The status names of the GOV.UK status tags inside, in page order (not Overdue, Draft, ...)."""
        return [LABELS[tag.text] for tag in self.find_all("strong", "govuk-tag") if tag.text in LABELS]

    def action_id(self):
        """The id of the action the first action link inside points to."""
        for link in self.find_all("a"):
            match = ACTION_URL.search(link.attrs.get("href", ""))
            if match:
                return int(match[1])
        return None


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("document")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, attrs, self.stack[-1]))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_html(response):
    assert response.status_code == 200, (response.status_code, response.request["PATH_INFO"])
    builder = TreeBuilder()
    builder.feed(response.content.decode())
    builder.close()
    return builder.root


@dataclass
class Table:
    caption: str
    head: list
    rows: list  # [(row heading or first cell text, [other cell nodes])]


def tables(root):
    found = []
    for table in root.find_all("table"):
        caption = table.find("caption")
        thead = table.find("thead")
        head = [cell.text for cell in thead.find_all("th")] if thead else []
        rows = []
        tbody = table.find("tbody")
        for row in tbody.find_all("tr") if tbody else []:
            cells = [cell for cell in row.elements() if cell.tag in ("th", "td")]
            rows.append((cells[0].text, cells[1:]))
        found.append(Table(caption.text if caption else "", head, rows))
    return found


def table_captioned(root, caption):
    """The one table whose caption is `caption`, or `caption` and a suffix after " — "."""
    matching = [
        table for table in tables(root) if table.caption == caption or table.caption.startswith(f"{caption} — ")
    ]
    assert len(matching) == 1, f"one table captioned {caption!r}, found {[t.caption for t in tables(root)]}"
    return matching[0]


def numbers(cells):
    return [int(cell.text) for cell in cells]


def status_columns(table):
    """The statuses a counts table has a column for, in Status order, then Total: every status, except
    that a chart leaves out a closing state (not taken forward, superseded) that no action is in."""
    assert table.head[-1] == "Total", table.head
    labels = table.head[1:-1]
    shown = [status for status in Status if status.label in labels]
    assert labels == [status.label for status in shown], table.head
    assert all(status in shown for status in Status if status not in DROPPED_STATUSES), table.head
    return shown


def chart_rows(want, shown):
    """Expected chart rows: each row's counts for the statuses shown, then the total; a closing state
    left out must count nothing in any row."""
    order = list(Status)
    for status in set(Status) - set(shown):
        assert all(row[order.index(status)] == 0 for row in want.values()), f"{status.label} left out but counted"
    return {heading: [*(row[order.index(status)] for status in shown), sum(row)] for heading, row in want.items()}


def summary_row(dl, key):
    """The value of the summary list row whose key is `key`."""
    for row in dl.find_all("div", "govuk-summary-list__row"):
        if row.find("dt").text == key:
            return row.find("dd")
    raise AssertionError(f"no summary list row {key!r}")


# What people do: the steps -------------------------------------------------------------------------
#
# Hypothesis leans towards the first of a list's elements (the simplest), so the lists start with what
# moves the plan on, and updates are dated today first. Complete needs both texts: most steps give
# them; some leave them out, and those must be refused.

STATUSES = [Status.COMPLETE, Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK, Status.NOT_STARTED]
EVIDENCE_KINDS = ["both", "none", "both", "evidence only", "both"]
ACTION = st.integers(0, 3)  # which action, modulo how many the plan has


@dataclass(frozen=True)
class Update:
    """The lead officer (or a coordinator) adds a progress update, asking to publish it or not."""

    by: str  # "officer" or "coordinator"
    action: int
    status: Status
    day: int  # days after the first day on site
    publish: bool
    evidence: str  # one of EVIDENCE_KINDS


@dataclass(frozen=True)
class SwitchApproval:
    """A coordinator says whether officers' updates need approval."""

    on: bool


@dataclass(frozen=True)
class Review:
    """A coordinator approves, or returns to its author, an update awaiting approval; or, too late, one
    that no longer awaits it (another coordinator got there first, or it never did)."""

    pick: int
    approve: bool
    too_late: bool


@dataclass(frozen=True)
class Edit:
    """A coordinator changes an action on its form: perhaps its wording, perhaps its status (a
    completion with new evidence, with the evidence it has, or with none)."""

    action: int
    status: Status
    evidence: str  # "keep" or one of EVIDENCE_KINDS
    reword: bool


@dataclass(frozen=True)
class Import:
    """A coordinator exports the plan, sets some rows' Status (None: the cell left blank) and evidence
    of completion ("new", "keep" or "blank"), and imports the file."""

    rows: tuple  # ((action, status or None, evidence), ...)


def updates_by(by):
    return st.builds(
        Update,
        by=st.just(by),
        action=ACTION,
        status=st.sampled_from([Status.ON_TRACK, *STATUSES]),
        day=st.integers(0, ON_SITE_DAYS_AGO).map(lambda before: ON_SITE_DAYS_AGO - before),
        publish=st.sampled_from([False, True]),
        evidence=st.sampled_from(EVIDENCE_KINDS),
    )


REVIEWS = st.builds(
    Review, pick=st.integers(0, 63), approve=st.booleans(), too_late=st.sampled_from([False, False, True])
)
STEP = st.one_of(
    updates_by("officer"),
    REVIEWS,
    st.builds(
        Edit,
        action=ACTION,
        status=st.sampled_from(STATUSES),
        evidence=st.sampled_from(["both", "keep", "both", "none", "evidence only"]),
        reword=st.booleans(),
    ),
    st.builds(
        Import,
        rows=st.lists(
            st.tuples(ACTION, st.sampled_from([*STATUSES, None]), st.sampled_from(["new", "keep", "new", "blank"])),
            min_size=1,
            max_size=3,
        ).map(tuple),
    ),
    updates_by("officer"),  # officers' updates (and their review) are the commonest steps
    updates_by("coordinator"),
    REVIEWS,
    st.builds(SwitchApproval, on=st.booleans()),
)
PLAN = st.fixed_dictionaries(
    {
        "themes": st.integers(1, 2),
        "recommendations": st.integers(2, 3),
        "actions": st.integers(2, 4),
        "updates_need_approval": st.sampled_from([True, False]),
    }
)


class World:
    """A plan built fresh, what is done to it, and what the oracle expects of every output."""

    def __init__(self, *, themes, recommendations, actions, updates_need_approval):
        self.records = []  # the oracle's records, in the order they were written
        self.counter = 0
        self.checked_state = None  # what the outputs were last read from
        self.problems = []  # what a step did wrong, reported with the outputs' disagreements
        self.today = timezone.localdate()
        council = Council.objects.create(name="Anytown Council", slug="anytown-council")
        User = get_user_model()
        self.officer = User.objects.create_user("olivia", first_name="Olivia", last_name="Officer")
        self.coordinator = User.objects.create_user("cora", first_name="Cora", last_name="Coordinator")
        Membership.objects.create(user=self.officer, council=council, role=Role.OFFICER)
        Membership.objects.create(user=self.coordinator, council=council, role=Role.COORDINATOR)
        self.challenge = PeerChallenge.objects.create(
            council=council,
            slug="anytown-2024",
            title="Corporate Peer Challenge",
            on_site_from=self.today - datetime.timedelta(days=ON_SITE_DAYS_AGO),
            on_site_to=self.today - datetime.timedelta(days=ON_SITE_DAYS_AGO - 1),
            updates_need_approval=updates_need_approval,
        )
        self.needs_approval = updates_need_approval
        self.themes = [
            Theme.objects.create(challenge=self.challenge, number=n, title=f"Theme title {n}")
            for n in range(1, themes + 1)
        ]
        self.recommendations = [
            Recommendation.objects.create(
                challenge=self.challenge,
                theme=self.themes[(n - 1) % themes],
                number=n,
                title=f"Recommendation title {n}",
                text="What the peer team recommended.",
            )
            for n in range(1, recommendations + 1)
        ]
        self.actions = []  # action ids, in plan order
        self.action_info = {}  # id: (recommendation, reference)
        self.descriptions = {}
        for i in range(actions):
            recommendation = self.recommendations[i % recommendations]
            reference = f"{recommendation.number}.{i // recommendations + 1}"
            action = services.create_action(
                recommendation=recommendation,
                author=self.coordinator,
                reference=reference,
                description=f"Action description {reference}",
                lead_officer=self.officer,
                lead_role="Head of Policy",
                timescale="During 2025",
            )
            self.actions.append(action.pk)
            self.action_info[action.pk] = (recommendation, reference)
            self.descriptions[action.pk] = action.description
        self.actions.sort(key=lambda pk: (self.action_info[pk][0].number, self.action_info[pk][1]))
        self.touched = set(self.actions)  # the actions the last step worked on
        self.report = create_report(
            challenge=self.challenge,
            created_by=self.coordinator,
            committee="Scrutiny Committee",
            meeting_date=self.today + datetime.timedelta(days=14),
            cut_off=self.today,
        )
        self.public = Client()
        self.staff = Client()
        self.staff.force_login(self.coordinator)

    # Helpers

    def token(self, prefix):
        self.counter += 1
        return f"{prefix}{self.counter}"

    def action_id(self, index):
        return self.actions[index % len(self.actions)]

    def expected(self, action_id):
        mine = [record for record in self.records if record.action == action_id]
        return Expected(
            public=newest(record for record in mine if record.published),
            working=newest(record for record in mine if record.approval not in AWAITING_OR_RETURNED),
        )

    def evidence_for(self, kind):
        if kind == "both":
            return self.token("Evidence E"), self.token("Difference D")
        if kind == "evidence only":
            return self.token("Evidence E"), ""
        return "", ""

    def new_records(self, action_id):
        known = {record.pk for record in self.records}
        return list(ProgressUpdate.objects.filter(action_id=action_id).exclude(pk__in=known).order_by("pk"))

    def remember(self, update, *, evidence="", difference=""):
        complete = Status(update.status) == Status.COMPLETE
        self.records.append(
            Record(
                pk=update.pk,
                action=update.action_id,
                seq=len(self.records),
                date=update.date,
                status=Status(update.status),
                text=update.text,
                evidence=evidence if complete else "",
                difference=difference if complete else "",
                published=update.published,
                approval=update.approval,
            )
        )

    def remember_status_change(self, action_id, status, evidence, difference, how):
        """A coordinator's or an import's status change: one new published update dated today."""
        new = self.new_records(action_id)
        if len(new) != 1:
            # Not raised at once: the outputs are read too, to show what the missing record does to them.
            self.problems.append(f"a change to {status.label} {how} should record one update, not {len(new)}")
            return
        [update] = new
        assert (Status(update.status), update.date, update.published, update.approval) == (
            status,
            self.today,
            True,
            Approval.NOT_NEEDED,
        ), f"a change to {status.label} {how} is a published update dated today"
        if how == "by an import" and status == status_from(self.expected(action_id).working):
            # The same status with new evidence: the import's text says which columns changed.
            assert update.text.endswith("changed by an action plan import."), update.text
        else:
            assert update.text.startswith(f"Status changed to {status.label}"), update.text
        self.remember(update, evidence=evidence, difference=difference)

    def needs_status_change(self, action_id, status, evidence, difference):
        """A coordinator's form or an import row asks for a new update when the status differs from the
        working status, or it says Complete with different evidence."""
        working = self.expected(action_id).working
        if status != status_from(working):
            return True
        return status == Status.COMPLETE and (working.evidence, working.difference) != (evidence, difference)

    def awaiting(self):
        return [record for record in self.records if record.approval == Approval.AWAITING]

    # The steps

    def do(self, step):
        {
            Update: self.update,
            SwitchApproval: self.switch_approval,
            Review: self.review,
            Edit: self.edit,
            Import: self.import_plan,
        }[type(step)](step)

    def update(self, step):
        action_id = self.action_id(step.action)
        self.touched.add(action_id)
        author = self.coordinator if step.by == "coordinator" else self.officer
        completion_evidence, difference_made = self.evidence_for(step.evidence)

        def record():
            return services.record_progress_update(
                action=Action.objects.get(pk=action_id),
                author=author,
                seen_version=Action.objects.get(pk=action_id).version,
                status=step.status,
                text=self.token("Progress note N"),
                date=self.challenge.on_site_from + datetime.timedelta(days=step.day),
                published=step.publish,
                completion_evidence=completion_evidence,
                difference_made=difference_made,
            )

        if step.status == Status.COMPLETE and not (completion_evidence and difference_made):
            with pytest.raises(ValidationError):
                record()
            assert self.new_records(action_id) == []
            event("update: Complete without evidence, refused")
            return
        update = record()
        if not step.publish:
            wanted = (False, Approval.NOT_FOR_PUBLICATION)
        elif self.needs_approval and author == self.officer:
            wanted = (False, Approval.AWAITING)
        else:
            wanted = (True, Approval.NOT_NEEDED)
        assert (update.published, update.approval) == wanted, (
            f"the {step.by}'s update {'asking' if step.publish else 'not asking'} to be published, "
            f"approval {'on' if self.needs_approval else 'off'}"
        )
        self.remember(update, evidence=completion_evidence, difference=difference_made)
        event(f"update: {wanted[1].label}")

    def switch_approval(self, step):
        services.change_publishing_settings(
            challenge=PeerChallenge.objects.get(pk=self.challenge.pk),
            author=self.coordinator,
            updates_need_approval=step.on,
        )
        self.needs_approval = step.on
        event(f"approval switched {'on' if step.on else 'off'}")

    def review(self, step):
        awaiting = self.awaiting()
        reviewed = [record for record in self.records if record.approval != Approval.AWAITING]
        candidates = reviewed if (step.too_late or not awaiting) else awaiting
        if not candidates:
            event("review: nothing to review")
            return
        record = candidates[step.pick % len(candidates)]
        self.touched.add(record.action)
        update = ProgressUpdate.objects.get(pk=record.pk)

        def review():
            if step.approve:
                return services.approve_update(update=update, coordinator=self.coordinator)
            return services.return_update(update=update, coordinator=self.coordinator, reason="Say what changed")

        if record.approval != Approval.AWAITING:
            with pytest.raises(services.AlreadyReviewed):
                review()
            event("review: no longer awaiting, refused")
            return
        review()
        if step.approve:
            record.published, record.approval = True, Approval.APPROVED
        else:
            record.published, record.approval = False, Approval.RETURNED
        event(f"review: {record.approval.label}")

    def edit(self, step):
        action_id = self.action_id(step.action)
        self.touched.add(action_id)
        if step.evidence == "keep":
            completion_evidence, difference_made = self.expected(action_id).working_evidence or ("", "")
        else:
            completion_evidence, difference_made = self.evidence_for(step.evidence)
        fields = {"description": self.token("Reworded action W")} if step.reword else {}
        needed = self.needs_status_change(action_id, step.status, completion_evidence, difference_made)

        def change():
            action = Action.objects.get(pk=action_id)
            return services.change_action(
                action=action,
                author=self.coordinator,
                seen_version=action.version,
                status=step.status,
                completion_evidence=completion_evidence,
                difference_made=difference_made,
                **fields,
            )

        if needed and step.status == Status.COMPLETE and not (completion_evidence and difference_made):
            with pytest.raises(ValidationError):
                change()
            assert self.new_records(action_id) == []
            event("edit: Complete without evidence, refused")
            return
        change()
        event(f"edit: {'new ' + step.status.label if needed else 'no'} status update")
        if step.reword:
            self.descriptions[action_id] = fields["description"]
        if needed:
            self.remember_status_change(
                action_id, step.status, completion_evidence, difference_made, "by a coordinator's edit"
            )
        else:
            assert self.new_records(action_id) == [], "an edit that keeps the status records no update"

    def import_plan(self, step):
        changes = {self.action_id(index): (status, evidence) for index, status, evidence in step.rows}
        self.touched.update(changes)
        dataset = exchange.export_dataset(PeerChallenge.objects.get(pk=self.challenge.pk))
        headers = dataset.headers
        column = {name: headers.index(name) for name in headers}
        by_key = {(rec.number, reference): pk for pk, (rec, reference) in self.action_info.items()}
        edited, wanted, clean = [], {}, True
        for row in dataset:
            row = list(row)
            action_id = by_key[(int(row[column[exchange.RECOMMENDATION]]), row[column[exchange.REFERENCE]])]
            if action_id in changes:
                status, evidence = changes[action_id]
                row[column[exchange.STATUS]] = status.label if status else ""
                if evidence == "new":
                    row[column[exchange.EVIDENCE]] = self.token("Imported evidence E")
                    row[column[exchange.DIFFERENCE]] = self.token("Imported difference D")
                elif evidence == "blank":
                    row[column[exchange.EVIDENCE]] = row[column[exchange.DIFFERENCE]] = ""
                if status is not None:
                    # The import keeps the stored text where the cell differs only in spacing.
                    working = self.expected(action_id).working
                    old = (working.evidence, working.difference) if working else ("", "")
                    cells = (row[column[exchange.EVIDENCE]] or "", row[column[exchange.DIFFERENCE]] or "")
                    new = tuple(o if o.strip() == n.strip() else n for o, n in zip(old, cells))
                    if self.needs_status_change(action_id, status, *new):
                        wanted[action_id] = (status, *new)
                        if status == Status.COMPLETE and not all(text.strip() for text in new):
                            clean = False
            edited.append(row)
        content = exchange.csv_bytes(tablib.Dataset(*edited, headers=headers))

        def apply():
            return exchange.apply_import(
                challenge=PeerChallenge.objects.get(pk=self.challenge.pk),
                file=content,
                format=exchange.CSV,
                user=self.coordinator,
            )

        if not clean:
            with pytest.raises(exchange.ImportNotClean):
                apply()
            for action_id in self.actions:
                assert self.new_records(action_id) == []
            event("import: Complete without evidence, refused")
            return
        preview = apply()
        event(f"import: {len(wanted)} status change(s)")
        changed = {(int(row.recommendation), row.reference) for row in preview.changed}
        assert changed == {(self.action_info[pk][0].number, self.action_info[pk][1]) for pk in wanted}
        for action_id in self.actions:
            if action_id in wanted:
                status, evidence, difference = wanted[action_id]
                self.remember_status_change(action_id, status, evidence, difference, "by an import")
            else:
                assert self.new_records(action_id) == [], "an import row that keeps the status records no update"

    # After every step: every output against the oracle

    def check(self, when):
        expected = {action_id: self.expected(action_id) for action_id in self.actions}
        if any(want.public_status != want.working_status for want in expected.values()):
            event("checked: an action whose public and working statuses differ")
        if any(want.public_evidence for want in expected.values()):
            event("checked: published evidence of completion")
        checks = [
            ("the statuses stored on the actions", self.check_actions, expected),
            ("the update records the services wrote", self.check_records),
        ]
        stored = self.stored_state()
        if stored != self.checked_state:
            checks += self.output_checks(expected)
        else:
            # The step changed nothing the outputs are made from (it was refused, or asked for no
            # change): the outputs of this very state were read after an earlier step.
            event("checked: nothing changed, outputs not read again")
        disagreements = [f"--- the step itself:\n{problem}" for problem in self.problems]
        self.problems = []
        for name, check, *args in checks:
            try:
                check(*args)
            except AssertionError as disagreement:
                disagreements.append(f"--- {name}:\n{disagreement}")
        assert not disagreements, "\n".join([f"Outputs disagree with the update records {when}:", *disagreements])
        self.checked_state = stored
        self.touched = set()

    def stored_state(self):
        """Every row the outputs are made from that a step may change (the challenge, its actions, their
        updates, the report), to tell whether the step changed anything."""
        return (
            list(PeerChallenge.objects.filter(pk=self.challenge.pk).values()),
            list(Action.objects.filter(pk__in=self.actions).order_by("pk").values()),
            list(ProgressUpdate.objects.filter(action_id__in=self.actions).order_by("pk").values()),
            list(CommitteeReport.objects.filter(pk=self.report.pk).values()),
        )

    def output_checks(self, expected):
        return [
            *(
                (f"public page of action {self.action_info[pk][1]}", self.check_public_action_page, pk, expected[pk])
                for pk in self.actions
            ),
            # The council's view of the action page, for the actions this step worked on (a shorter run).
            *(
                (f"council's page of action {self.action_info[pk][1]}", self.check_staff_action_page, pk, expected[pk])
                for pk in sorted(self.touched)
            ),
            *(
                (f"page of recommendation {rec.number}", self.check_recommendation_page, rec, expected)
                for rec in self.recommendations
            ),
            *((f"page of theme {theme.number}", self.check_theme_page, theme, expected) for theme in self.themes),
            ("home page summary", self.check_status_summaries, expected),
            ("status CSV and JSON", self.check_open_data, expected),
            ("Atom feed", self.check_feed, expected),
            ("draft committee report", self.check_draft_report, expected),
            ("action plan and My actions", self.check_staff_lists, expected),
            ("exported action plan", self.check_export, expected),
        ]

    # What the oracle needs to know about the plan

    def actions_of(self, recommendation):
        return [pk for pk in self.actions if self.action_info[pk][0].pk == recommendation.pk]

    def recommendations_of(self, theme):
        return [rec for rec in self.recommendations if rec.theme_id == theme.pk]

    def recommendation_statuses(self, recommendation, expected):
        return [expected[pk].public_status for pk in self.actions_of(recommendation)]

    def never_published_texts(self):
        """Texts only unpublished updates carry: no public page may show them."""
        published = {
            text
            for record in self.records
            if record.published
            for text in (record.text, record.evidence, record.difference)
            if text
        }
        return {
            text
            for record in self.records
            if not record.published
            for text in (record.text, record.evidence, record.difference)
            if text
        } - published

    def assert_no_unpublished_text(self, root, where):
        page = root.text
        leaked = sorted(text for text in self.never_published_texts() if re.search(rf"\b{re.escape(text)}\b", page))
        assert not leaked, f"{where} shows unpublished text {leaked}"

    # The checks

    def check_records(self):
        """The updates the services wrote are the ones the oracle knows, as it knows them."""
        stored = {
            update.pk: update
            for update in ProgressUpdate.objects.filter(action__recommendation__challenge=self.challenge)
        }
        assert set(stored) == {record.pk for record in self.records}
        for record in self.records:
            update = stored[record.pk]
            assert (Status(update.status), update.date, update.published, update.approval) == (
                record.status,
                record.date,
                record.published,
                record.approval,
            ), record
            assert (update.completion_evidence, update.difference_made) == (record.evidence, record.difference)

    def check_actions(self, expected):
        """The statuses the action keeps (for lists to count and filter by)."""
        for action in Action.objects.filter(pk__in=self.actions):
            want = expected[action.pk]
            got = (action.status, action.public_status, action.working_update_id, action.public_update_id)
            assert got == (
                want.working_status,
                want.public_status,
                want.working.pk if want.working else None,
                want.public.pk if want.public else None,
            ), f"action {action.reference}: stored statuses {got}"

    def check_evidence_section(self, root, evidence, where):
        headings = [h2 for h2 in root.find_all("h2") if h2.text == "Completed"]
        if evidence is None:
            assert not headings, f"{where} shows evidence of completion where there is none to publish"
            return
        assert len(headings) == 1, f"{where} does not show the evidence of completion"
        shown = {
            h3.text: h3.next_element().text
            for h3 in root.find_all("h3")
            if h3.text in ("Evidence of completion", "What difference it has made")
        }
        assert shown.get("Evidence of completion") == evidence[0], where
        assert shown.get("What difference it has made") == evidence[1], where

    def check_public_action_page(self, action_id, want):
        where = f"the public page of action {self.action_info[action_id][1]}"
        root = parse_html(self.public.get(reverse("recommendations:action-detail", args=[action_id])))
        status = summary_row(root.find("dl", "govuk-summary-list"), "Status")
        assert status.status_tags() == [want.public_status], where
        self.check_evidence_section(root, want.public_evidence, where)
        published = [record for record in self.records if record.action == action_id and record.published]
        assert len(root.find_all("div", "app-progress-update")) == min(len(published), 20), where
        self.assert_no_unpublished_text(root, where)

    def check_staff_action_page(self, action_id, want):
        where = f"the council's page of action {self.action_info[action_id][1]}"
        root = parse_html(self.staff.get(reverse("recommendations:action-detail", args=[action_id])))
        status = summary_row(root.find("dl", "govuk-summary-list"), "Status")
        if want.public_status == want.working_status:
            assert status.status_tags() == [want.public_status], where
        else:
            assert status.status_tags() == [want.public_status, want.working_status], where
            assert status.text.startswith("Published:") and "Not yet published:" in status.text, where
        self.check_evidence_section(root, want.public_evidence, where)

    def check_recommendation_page(self, recommendation, expected):
        where = f"the page of recommendation {recommendation.number}"
        root = parse_html(
            self.public.get(
                reverse("recommendations:recommendation-detail", args=[self.challenge.slug, recommendation.number])
            )
        )
        statuses = self.recommendation_statuses(recommendation, expected)
        status = summary_row(root.find("dl", "govuk-summary-list"), "Status")
        assert status.status_tags() == [recommendation_status(statuses)], where
        complete = statuses.count(Status.COMPLETE)
        assert f"{complete} of {len(statuses)} action" in status.text, (where, status.text)
        table = root.find("table", "app-action-table")
        if not statuses:
            assert table is None, where
            return
        rows = table.find("tbody").find_all("tr")
        assert [row.action_id() for row in rows] == self.actions_of(recommendation), where
        for row in rows:
            want = expected[row.action_id()]
            cells = row.find_all("td")
            assert cells[3].status_tags() == [want.public_status], (
                f"{where}, action {self.action_info[row.action_id()][1]}"
            )
            shown = [p.text for p in cells[3].find_all("p") if p.text.startswith("Difference made:")]
            assert shown == ([f"Difference made: {want.public_evidence[1]}"] if want.public_evidence else []), where
            latest = cells[4].text
            if want.public is None:
                assert latest == "No progress reported yet", (where, latest)
            else:
                assert latest == f"{want.public.date:%-d %B %Y} {want.public.text}", (where, latest)
        self.assert_no_unpublished_text(root, where)

    def check_theme_page(self, theme, expected):
        where = f"the page of theme {theme.number}"
        root = parse_html(
            self.public.get(reverse("recommendations:theme-detail", args=[self.challenge.slug, theme.number]))
        )
        recommendations = self.recommendations_of(theme)
        listed = table_captioned(root, f"Recommendations in {theme.title}")
        assert len(listed.rows) == len(recommendations), where
        for (number, cells), recommendation in zip(listed.rows, recommendations):
            statuses = self.recommendation_statuses(recommendation, expected)
            assert number == str(recommendation.number), where
            assert cells[1].text == f"{statuses.count(Status.COMPLETE)} of {len(statuses)} complete", where
            assert cells[2].status_tags() == [recommendation_status(statuses)], f"{where}, rec {number}"
        chart = table_captioned(root, f"Actions by status for each recommendation in theme {theme.number}")
        shown = status_columns(chart)
        want = {
            f"Recommendation {rec.number}: {rec.title}": counts(self.recommendation_statuses(rec, expected))
            for rec in recommendations
        }
        if len(recommendations) > 1:
            want["All recommendations"] = [sum(column) for column in zip(*want.values())]
        got = {heading: numbers(cells) for heading, cells in chart.rows}
        assert got == chart_rows(want, shown), where

    def summary_counts(self, expected):
        """{"Recommendations"|"Actions": {row heading: counts}} as the status summary tables count them."""
        summary = {"Recommendations": {}, "Actions": {}}
        for theme in self.themes:
            heading = f"Theme {theme.number}: {theme.title}"
            recommendations = self.recommendations_of(theme)
            summary["Recommendations"][heading] = counts(
                recommendation_status(self.recommendation_statuses(rec, expected)) for rec in recommendations
            )
            summary["Actions"][heading] = counts(
                status for rec in recommendations for status in self.recommendation_statuses(rec, expected)
            )
        for table in summary.values():
            table["All themes"] = [sum(column) for column in zip(*table.values())]
        return summary

    def check_summary_tables(self, root, expected, where):
        want = self.summary_counts(expected)
        for counted in ("Recommendations", "Actions"):
            table = table_captioned(root, f"{counted} by status")
            status_columns(table)
            got = {heading: numbers(cells) for heading, cells in table.rows}
            assert got == {heading: [*row, sum(row)] for heading, row in want[counted].items()}, (where, counted)
        chart = table_captioned(root, "Actions by status in each theme")
        shown = status_columns(chart)
        chart_want = {heading: row for heading, row in want["Actions"].items() if heading != "All themes"}
        if len(self.themes) > 1:
            chart_want["All themes"] = want["Actions"]["All themes"]
        got = {heading: numbers(cells) for heading, cells in chart.rows}
        assert got == chart_rows(chart_want, shown), (where, "chart")

    def check_status_summaries(self, expected):
        home = parse_html(self.public.get(reverse("home")))
        section = home.find("section", **{"aria-labelledby": f"challenge-{self.challenge.pk}"})
        self.check_summary_tables(section, expected, "the home page")
        total = len(self.actions)
        assert f"{len(self.recommendations)} recommendations and {total} actions." in section.text

    def check_open_data(self, expected):
        response = self.public.get(reverse("reports:open-data-csv", args=[self.challenge.slug]))
        assert response.status_code == 200
        csv_rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        response = self.public.get(reverse("reports:open-data-json", args=[self.challenge.slug]))
        assert response.status_code == 200
        json_rows = json.loads(response.content)["rows"]
        for name, rows in (("status CSV", csv_rows), ("status JSON", json_rows)):
            assert [(int(row["recommendation_number"]), row["action_reference"]) for row in rows] == [
                (self.action_info[pk][0].number, self.action_info[pk][1]) for pk in self.actions
            ], name
            for row, action_id in zip(rows, self.actions):
                want = expected[action_id]
                where = f"the {name}, action {row['action_reference']}"
                assert row["status"] == want.public_status.label, where
                assert (row["latest_published_update_date"] or "") == (
                    want.public.date.isoformat() if want.public else ""
                ), where
                assert row["latest_published_update"] == (want.public.text if want.public else ""), where
                assert row["action"] == self.descriptions[action_id], where

    def check_feed(self, expected):
        response = self.public.get(reverse("reports:updates-feed", args=[self.challenge.slug]))
        assert response.status_code == 200
        atom = "{http://www.w3.org/2005/Atom}"
        entries = ET.fromstring(response.content).findall(f"{atom}entry")
        published = [record for record in self.records if record.published]
        assert len(entries) == min(len(published), 50), "the Atom feed's entries"
        newest_entry = {}
        for entry in entries:
            link = entry.find(f"{atom}link").get("href")
            action_id = int(ACTION_URL.search(link)[1])
            newest_entry.setdefault(action_id, entry.find(f"{atom}title").text)
        if len(published) > 50:
            return  # older updates fall off the feed; only then may an action be missing from it
        for action_id in self.actions:
            want = expected[action_id]
            if want.public is None:
                assert action_id not in newest_entry, "the Atom feed shows an action with nothing published"
            else:
                reference = self.action_info[action_id][1]
                assert newest_entry.get(action_id) == (
                    f"Action {reference}: {want.public_status.label} ({want.public.date:%-d %B %Y})"
                ), f"the Atom feed, action {reference}"

    def check_draft_report(self, expected):
        # The page, and the content() it was made from (the draft is built afresh each time it is read).
        response = self.staff.get(reverse("reports:report-detail", args=[self.report.pk]))
        root = parse_html(response)
        assert not response.context["report"].is_issued
        content = response.context["content"]
        entries = {
            action["id"]: action
            for theme in content["themes"]
            for recommendation in theme["recommendations"]
            for action in recommendation["actions"]
        }
        assert sorted(entries) == sorted(self.actions), "the draft report's actions"
        for action_id, entry in entries.items():
            want = expected[action_id]
            where = f"the draft report's content, action {entry['reference']}"
            assert entry["status"] == want.public_status, where
            latest = entry["latest_update"]
            got = (latest["text"], latest["date"]) if latest else None
            assert got == ((want.public.text, want.public.date) if want.public else None), where
            assert (
                (entry["evidence"]["completion_evidence"], entry["evidence"]["difference_made"])
                if entry["evidence"]
                else None
            ) == want.public_evidence, where
        summary = self.summary_counts(expected)
        assert [row["count"] for row in content["summary"]["actions"]["counts"]] == summary["Actions"]["All themes"]
        assert [row["count"] for row in content["summary"]["recommendations"]["counts"]] == (
            summary["Recommendations"]["All themes"]
        )
        for theme in content["summary"]["themes"]:
            heading = f"Theme {theme['number']}: {theme['title']}"
            assert [row["count"] for row in theme["actions"]["counts"]] == summary["Actions"][heading]
            assert [row["count"] for row in theme["recommendations"]["counts"]] == summary["Recommendations"][heading]

        where = "the draft report's page"
        by_status = table_captioned(root, "Recommendations and actions by status")
        got = {heading: numbers(cells) for heading, cells in by_status.rows}
        want_rows = {
            status.label: [recommendations, actions]
            for status, recommendations, actions in zip(
                Status, summary["Recommendations"]["All themes"], summary["Actions"]["All themes"]
            )
        }
        want_rows["Total"] = [len(self.recommendations), len(self.actions)]
        assert got == want_rows, where
        for recommendation in self.recommendations:
            heading = next(
                h3 for h3 in root.find_all("h3") if h3.text.startswith(f"Recommendation {recommendation.number}:")
            )
            block = heading.parent
            status_line = next(p for p in block.find_all("p") if p.text.startswith("Status:"))
            statuses = self.recommendation_statuses(recommendation, expected)
            assert status_line.status_tags() == [recommendation_status(statuses)], where
        rows = [
            row for table in root.find_all("table", "app-report-actions") for row in table.find("tbody").find_all("tr")
        ]
        assert sorted(row.action_id() for row in rows) == sorted(self.actions), where
        for row in rows:
            want = expected[row.action_id()]
            cells = row.find_all("td")
            assert cells[0].status_tags() == [want.public_status], (
                f"{where}, action {self.action_info[row.action_id()][1]}"
            )
            text = cells[1].text
            if want.public is None:
                assert text.startswith("No published update by the cut-off date"), where
            else:
                assert text.startswith(f"{want.public.date:%-d %B %Y} Progress to date: {want.public.text}"), (
                    where,
                    text,
                )
            if want.public_evidence:
                assert f"Evidence of completion: {want.public_evidence[0]}" in text, where
                assert f"What difference it has made: {want.public_evidence[1]}" in text, where
            else:
                assert "Evidence of completion:" not in text, where
        self.assert_no_unpublished_text(root, where)

    def check_working_list(self, table, expected, where):
        rows = table.find("tbody").find_all("tr")
        assert sorted(row.action_id() for row in rows) == sorted(self.actions), where
        for row in rows:
            want = expected[row.action_id()]
            status = row.find_all("td")[3 if where.startswith("My actions") else 4]
            assert status.status_tags() == [want.working_status], (
                f"{where}, action {self.action_info[row.action_id()][1]}"
            )
            if want.working_status == want.public_status:
                assert "Not yet published" not in status.text, where
            else:
                assert f"Not yet published. Public: {want.public_status.label}" in status.text, where

    def check_staff_lists(self, expected):
        root = parse_html(self.staff.get(reverse("recommendations:action-plan")))
        self.check_working_list(root.find("table", "app-action-plan"), expected, "the action plan")
        root = parse_html(self.staff.get(reverse("recommendations:my-actions")))
        table = next(t for t in root.find_all("table") if t.find("caption").text == "Actions you can update")
        self.check_working_list(table, expected, "My actions")

    def check_export(self, expected):
        """The spreadsheet coordinators download and import: working status and evidence, and the public status."""
        dataset = exchange.export_dataset(PeerChallenge.objects.get(pk=self.challenge.pk))
        rows = [dict(zip(dataset.headers, row)) for row in dataset]
        assert [(int(row[exchange.RECOMMENDATION]), row[exchange.REFERENCE]) for row in rows] == [
            (self.action_info[pk][0].number, self.action_info[pk][1]) for pk in self.actions
        ], "the exported plan's rows"
        for row, action_id in zip(rows, self.actions):
            want = expected[action_id]
            where = f"the exported plan, action {row[exchange.REFERENCE]}"
            assert row[exchange.STATUS] == want.working_status.label, where
            assert row["Published status"] == want.public_status.label, where
            assert (row[exchange.EVIDENCE], row[exchange.DIFFERENCE]) == (want.working_evidence or ("", "")), where


def describe(step):
    """A step as the failure message names it."""
    fields = ", ".join(f"{name}={value!s}" for name, value in vars(step).items())
    return f"{type(step).__name__}({fields})"


@pytest.mark.django_db
@settings(
    # 20 drawn plans and the 3 written below: about a minute. ONE_TRUTH_EXAMPLES=500 for a longer search.
    max_examples=int(os.environ.get("ONE_TRUTH_EXAMPLES", "20")),
    deadline=None,
    database=None,  # no example database: every run draws afresh
    # Without shrinking a failure is reported at once, with the (at most 8) steps that led to it;
    # HYPOTHESIS_SHRINK=1 first shrinks it to the fewest steps, which can take minutes.
    phases=[Phase.explicit, Phase.generate, *([Phase.shrink] if os.environ.get("HYPOTHESIS_SHRINK") else [])],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
@given(plan=PLAN, steps=st.lists(STEP, min_size=3, max_size=8))
# Three stories every run tells, whatever hypothesis draws: approval (approved, returned, too late) with
# equal dates; completions by the form and by imports (refused without evidence); and ties on a date.
@example(
    plan={"themes": 2, "recommendations": 3, "actions": 4, "updates_need_approval": True},
    steps=[
        Update("officer", 0, Status.ON_TRACK, 4, True, "both"),  # awaits approval
        Review(0, True, False),  # approved: public On track
        Update("officer", 0, Status.AT_RISK, 4, True, "both"),  # awaits, same date
        Review(0, False, False),  # returned: working On track again
        Update("officer", 0, Status.OFF_TRACK, 4, False, "both"),  # not for publication
        Review(0, True, True),  # one already reviewed: refused
        Update("officer", 1, Status.COMPLETE, 2, True, "both"),  # awaits
        Review(0, True, False),  # approved: public Complete, with its evidence
        Update("coordinator", 1, Status.AT_RISK, 1, True, "both"),  # published, but dated earlier
        SwitchApproval(False),
        Update("officer", 1, Status.ON_TRACK, 2, True, "both"),  # same date, written later: no evidence
    ],
)
@example(
    plan={"themes": 1, "recommendations": 2, "actions": 3, "updates_need_approval": False},
    steps=[
        Edit(0, Status.COMPLETE, "none", False),  # refused
        Edit(0, Status.COMPLETE, "both", True),  # published, reworded
        Edit(0, Status.COMPLETE, "keep", False),  # no new update
        Update("officer", 0, Status.AT_RISK, 4, False, "both"),  # working At risk, public Complete
        Import(((0, Status.COMPLETE, "keep"),)),  # the file has no evidence for it: refused
        Import(((0, Status.COMPLETE, "new"), (1, Status.ON_TRACK, "keep"), (2, None, "new"))),
        Import(((0, Status.COMPLETE, "blank"),)),  # blanks the evidence: refused
        Update("coordinator", 2, Status.NOT_STARTED, 0, True, "both"),
        Edit(1, Status.ON_TRACK, "both", False),  # the status it has: no new update
    ],
)
@example(
    plan={"themes": 2, "recommendations": 2, "actions": 2, "updates_need_approval": False},
    steps=[
        Update("coordinator", 0, Status.OFF_TRACK, 3, True, "both"),
        Update("coordinator", 0, Status.ON_TRACK, 3, True, "both"),  # same date, written later
        Update("coordinator", 0, Status.AT_RISK, 2, True, "both"),  # written later, dated earlier
        Update("officer", 1, Status.COMPLETE, 4, True, "evidence only"),  # refused
        Update("officer", 1, Status.COMPLETE, 4, True, "both"),
        Update("officer", 1, Status.ON_TRACK, 4, False, "both"),  # unpublished, same date
        SwitchApproval(True),
        Update("officer", 0, Status.COMPLETE, 4, True, "both"),  # awaits: its evidence stays unpublished
    ],
)
def test_every_output_tells_one_truth(plan, steps):
    """Each example builds its plan in a savepoint of the test's transaction and rolls it back, so
    every example starts from the same empty database."""
    with transaction.atomic():
        world = World(**plan)
        world.check("once the plan is built")
        for number, step in enumerate(steps, 1):
            world.do(step)
            world.check(f"after step {number}, {describe(step)}")
        transaction.set_rollback(True)
