"""Loading a challenge never undoes people's work (issue 10, "One truth").

- `make run`'s set-up (read from the Makefile) runs again around people's changes and the database
  is exactly as they left it, on PostgreSQL (in process) and on SQLite (the real commands, in
  subprocesses, as `make run` runs them).
- `loaddata` refuses to load over objects that are already there and changes nothing;
  `--overwrite` replaces them, and the history says so.
- A loaded action's timeline starts with "Loaded from the Stockport challenge", and the first
  edit after it shows who changed what, old → new.
- The README's manage.py commands work as written on a fresh database, with nothing else set.
"""

import datetime
import io
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from recommendations.history import action_timeline
from recommendations.models import (
    Action,
    Council,
    Membership,
    PeerChallenge,
    ProgressUpdate,
    Recommendation,
    Role,
    Status,
)
from recommendations.services import change_action, change_publishing_settings, record_progress_update
from reviews.models import Finding

from .factories import CouncilFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "fixtures" / "stockport_cpc.json"
SLUG = "stockport-cpc-2022"
LOADED = "Loaded from the Stockport challenge"
SNAPSHOT_LABELS = ["recommendations", "reviews", "auth.user"]  # memberships and all history included

NEW_WORDING = "Review the transformation programme with partners across Greater Manchester, every year"
CHOSEN_PASSWORD = "a-password-olivia-chose-herself"


def fixture_object_count():
    return len(json.loads(FIXTURE.read_text()))


# --- `make run`'s set-up, as the Makefile writes it ------------------------------------------------


def make_run_steps():
    """The manage.py commands `make run` runs before it serves, read from the Makefile, so this
    tests what `make run` really does."""
    recipe = re.search(r"^run:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.MULTILINE)
    steps = []
    for line in recipe.group(1).splitlines():
        _, found, command = line.partition("manage.py ")
        if found and not command.startswith("runserver"):
            steps.append(shlex.split(command))
    assert steps[0][0] == "migrate" and len(steps) > 1, steps
    return steps


def run_set_up_in_process():
    """`make run`'s steps on the test database (already migrated), with DEBUG on as `make run` has it."""
    with override_settings(DEBUG=True):
        for args in make_run_steps()[1:]:
            call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())


def change_like_people_do():
    """What people do between two `make run`s, through the app's own services where it has them.
    Also run by the SQLite test in `manage.py shell`, so both databases see the same changes."""
    users = get_user_model().objects
    officer, officer2, coordinator = (users.get(username=name) for name in ["officer", "officer2", "coordinator"])
    challenge = PeerChallenge.objects.get(slug=SLUG)
    plan = Action.objects.filter(recommendation__challenge=challenge)

    reworded = plan.get(recommendation__number=1, reference="1.1")
    change_action(
        action=reworded,
        author=coordinator,
        seen_version=reworded.version,
        description=NEW_WORDING,
        lead_officer=officer2,
        timescale="Q3 2025/26",
    )
    completed = plan.get(recommendation__number=10, reference="10.2")
    record_progress_update(
        action=completed,
        author=officer,
        seen_version=completed.version,
        status=Status.COMPLETE,
        text="The new report template is in use for every committee.",
        date=timezone.localdate(),
        published=True,
        completion_evidence="Report template approved by the Monitoring Officer",
        difference_made="Reports to councillors are half as long",
    )
    change_publishing_settings(challenge=challenge, author=coordinator, updates_need_approval=True)
    plan.get(recommendation__number=2, reference="2.2").delete()

    # An administrator's corrections, straight through the models (as Django admin saves them).
    recommendation = Recommendation.objects.get(challenge=challenge, number=3)
    recommendation.title += " (corrected)"
    recommendation.save()
    council = challenge.council
    council.website = "https://www.stockport.gov.uk"
    council.save()
    finding = Finding.objects.filter(review__challenge=challenge).order_by("order").first()
    finding.text += " [Corrected by the policy team.]"
    finding.save()

    # People's accounts: a password of their own, a promotion, someone who left the scrutiny committee.
    officer.set_password(CHOSEN_PASSWORD)
    officer.save()
    Membership.objects.filter(user=officer2).update(role=Role.COORDINATOR)
    Membership.objects.filter(user__username="scrutiny").delete()


def assert_the_changes_are_there():
    challenge = PeerChallenge.objects.select_related("council").get(slug=SLUG)
    reworded = Action.objects.get(recommendation__challenge=challenge, reference="1.1")
    assert (reworded.description, reworded.lead_officer.username, reworded.timescale) == (
        NEW_WORDING,
        "officer2",
        "Q3 2025/26",
    )
    assert (reworded.starts_on, reworded.due_date) == (datetime.date(2025, 10, 1), datetime.date(2025, 12, 31))
    completed = Action.objects.get(recommendation__challenge=challenge, reference="10.2")
    assert completed.status == completed.public_status == Status.COMPLETE
    assert completed.working_update.completion_evidence == "Report template approved by the Monitoring Officer"
    assert challenge.updates_need_approval is True
    assert not Action.objects.filter(recommendation__challenge=challenge, reference="2.2").exists()
    assert challenge.council.website == "https://www.stockport.gov.uk"
    assert Recommendation.objects.get(challenge=challenge, number=3).title.endswith(" (corrected)")
    assert get_user_model().objects.get(username="officer").check_password(CHOSEN_PASSWORD)
    assert Membership.objects.get(user__username="officer2").role == Role.COORDINATOR
    assert not Membership.objects.filter(user__username="scrutiny").exists()


# --- Comparing whole databases ----------------------------------------------------------------------


def snapshot():
    out = io.StringIO()
    call_command("dumpdata", *SNAPSHOT_LABELS, stdout=out)
    return json.loads(out.getvalue())


def differences(before, after):
    """The objects added, removed or changed between two dumps, by model and pk: short to read
    when a test fails, where a diff of the whole dump would not be."""

    def by_key(dump):
        return {(row["model"], row["pk"]): row["fields"] for row in dump}

    old, new = by_key(before), by_key(after)
    found = []
    for key in sorted(old.keys() | new.keys(), key=str):
        if old.get(key) != new.get(key):
            changed = {
                name: (old.get(key, {}).get(name), new.get(key, {}).get(name))
                for name in (old.get(key) or {}).keys() | (new.get(key) or {}).keys()
                if (old.get(key) or {}).get(name) != (new.get(key) or {}).get(name)
            }
            found.append((key, "added" if key not in old else "removed" if key not in new else changed))
    return found


@pytest.mark.django_db
def test_make_run_again_keeps_everything_people_changed_on_postgresql():
    run_set_up_in_process()
    change_like_people_do()
    assert_the_changes_are_there()
    before = snapshot()

    run_set_up_in_process()

    assert differences(before, snapshot()) == []
    assert_the_changes_are_there()


def manage(*args, database_url):
    """A manage.py command as `make run` runs it: DEBUG on, the real settings, its own process."""
    keep_out = ("DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY", "DATABASE_URL", "SITE_URL")
    env = {name: value for name, value in os.environ.items() if name not in keep_out}
    env.update(DEBUG="true", DATABASE_URL=database_url)
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_make_run_again_keeps_everything_people_changed_on_sqlite(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    steps = make_run_steps()
    for args in steps:
        manage(*args, database_url=database_url)
    manage(
        "shell",
        "-c",
        "from recommendations.tests.test_load_challenge import change_like_people_do, assert_the_changes_are_there\n"
        "change_like_people_do()\n"
        "assert_the_changes_are_there()",
        database_url=database_url,
    )
    before = json.loads(manage("dumpdata", *SNAPSHOT_LABELS, database_url=database_url))

    outputs = [manage(*args, database_url=database_url) for args in steps]

    assert differences(before, json.loads(manage("dumpdata", *SNAPSHOT_LABELS, database_url=database_url))) == []
    assert "Stockport's challenge (stockport-cpc-2022) is already loaded: nothing changed" in "".join(outputs)
    assert "Every demo user exists already: nothing changed" in "".join(outputs)


# --- load_challenge ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_load_challenge_loads_it_once_with_statuses_and_a_first_history_record_each():
    out = io.StringIO()
    call_command("load_challenge", "stockport_cpc", stdout=out)

    assert out.getvalue().startswith("Loaded Stockport's challenge (stockport-cpc-2022): 1 council, 1 peer challenge")
    actions = Action.objects.filter(recommendation__challenge__slug=SLUG)
    assert actions.count() == 39
    for action in actions.select_related("working_update", "public_update"):
        newest = action.progress_updates.latest()
        assert action.working_update == action.public_update == newest, action  # statuses follow the updates
        assert action.status == action.public_status == newest.status
    for model in (Action, ProgressUpdate):
        records = model.history.all()
        assert records.count() == model.objects.count()
        assert set(records.values_list("history_type", "history_change_reason", "history_user")) == {
            ("+", LOADED, None)
        }
    assert Action.history.filter(status=Status.COMPLETE).count() == actions.filter(status=Status.COMPLETE).count()

    again = io.StringIO()
    call_command("load_challenge", "stockport_cpc", stdout=again)

    assert again.getvalue() == "Stockport's challenge (stockport-cpc-2022) is already loaded: nothing changed\n"
    assert Action.history.count() == 39


@pytest.mark.django_db
def test_load_challenge_brings_back_nothing_that_was_deleted_and_writes_nothing():
    call_command("load_challenge", "stockport_cpc", verbosity=0)
    Action.objects.get(recommendation__number=2, reference="2.2").delete()
    PeerChallenge.objects.filter(slug=SLUG).update(publish_lead_names=True)
    before = snapshot()

    call_command("load_challenge", "stockport_cpc", verbosity=0)

    assert differences(before, snapshot()) == []


@pytest.mark.django_db
def test_load_challenge_keeps_a_council_that_is_already_there_as_it_is():
    CouncilFactory(
        name="Stockport Metropolitan Borough Council", slug="stockport", website="https://www.stockport.gov.uk"
    )
    out = io.StringIO()

    call_command("load_challenge", "stockport_cpc", stdout=out)

    assert Council.objects.get(slug="stockport").website == "https://www.stockport.gov.uk"  # the fixture has none
    assert PeerChallenge.objects.get(slug=SLUG).council.slug == "stockport"
    assert (
        "Kept as they were, already in the database: council “Stockport Metropolitan Borough Council”."
        in out.getvalue()
    )


@pytest.mark.django_db
def test_load_challenge_wants_a_fixture_with_a_challenge(tmp_path):
    only_a_council = tmp_path / "council.json"
    only_a_council.write_text(
        json.dumps(
            [
                {
                    "model": "recommendations.council",
                    "fields": {"name": "Anytown Council", "slug": "anytown", "website": ""},
                }
            ]
        )
    )

    with pytest.raises(CommandError, match="has no peer challenge"):
        call_command("load_challenge", str(only_a_council), verbosity=0)
    assert not Council.objects.exists()


# --- loaddata ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_loaddata_refuses_to_load_over_a_loaded_challenge_and_changes_nothing():
    call_command("load_challenge", "stockport_cpc", verbosity=0)
    coordinator = UserFactory(username="cora", roles=[(Council.objects.get(slug="stockport"), Role.COORDINATOR)])
    action = Action.objects.get(recommendation__number=1, reference="1.1")
    change_action(action=action, author=coordinator, seen_version=action.version, description=NEW_WORDING)
    Action.objects.get(recommendation__number=2, reference="2.2").delete()
    before = snapshot()

    with pytest.raises(CommandError) as refused:
        call_command("loaddata", "stockport_cpc", stdout=io.StringIO())

    message = str(refused.value)
    total = fixture_object_count()
    # Everything but the deleted action and its update is there.
    assert (
        f"Nothing was loaded: {total - 2} of the {total} objects in stockport_cpc are already in the database"
        in message
    )
    assert "1 council, 1 peer challenge, 3 themes, 11 recommendations" in message
    assert "38 actions" in message
    assert "would overwrite people's work" in message
    assert "use load_challenge, or pass --overwrite if you really mean to replace them" in message
    assert differences(before, snapshot()) == []


@pytest.mark.django_db
def test_loaddata_refuses_when_even_one_object_is_there():
    CouncilFactory(name="Stockport Metropolitan Borough Council", slug="stockport")

    expected = (
        r"1 of the \d+ objects in stockport_cpc is already in the database "
        r"\(1 council; for example council “Stockport Metropolitan Borough Council”\)"
    )
    with pytest.raises(CommandError, match=expected):
        call_command("loaddata", "stockport_cpc", verbosity=0)

    assert not PeerChallenge.objects.exists()
    assert not Action.history.exists()


@pytest.mark.django_db
def test_loaddata_overwrite_replaces_them_and_the_history_says_so():
    call_command("loaddata", "stockport_cpc", verbosity=0)
    coordinator = UserFactory(username="cora", roles=[(Council.objects.get(slug="stockport"), Role.COORDINATOR)])
    action = Action.objects.get(recommendation__number=1, reference="1.1")
    original = action.description
    changed = change_action(action=action, author=coordinator, seen_version=action.version, description=NEW_WORDING)
    Action.objects.get(recommendation__number=2, reference="2.2").delete()
    out = io.StringIO()

    call_command("loaddata", "stockport_cpc", "--overwrite", stdout=out)

    action.refresh_from_db()
    assert action.description == original
    assert action.version == changed.version + 1  # a form opened before the overwrite is refused as stale
    latest = action.history.first()
    assert (latest.history_type, latest.history_change_reason) == (
        "~",
        "Replaced from the Stockport challenge (loaddata --overwrite)",
    )
    back = Action.objects.get(recommendation__number=2, reference="2.2")
    assert list(back.history.values_list("history_type", "history_change_reason")) == [("+", LOADED)]
    assert back.working_update is not None
    total = fixture_object_count()
    assert f"Installed {total} object(s) from 1 fixture(s)" in out.getvalue()
    assert f"Replaced {total - 2} objects that were already in the database (--overwrite)" in out.getvalue()


ANYTOWN_FIXTURE = [
    {
        "model": "recommendations.council",
        "fields": {"name": "Anytown Borough Council", "slug": "anytown", "website": ""},
    },
    {
        "model": "recommendations.peerchallenge",
        "fields": {
            "council": ["anytown"],
            "slug": "anytown-cpc-2024",
            "title": "Corporate Peer Challenge",
            "on_site_from": "2024-01-08",
            "on_site_to": "2024-01-11",
        },
    },
    {
        "model": "recommendations.recommendation",
        "fields": {
            "challenge": ["anytown-cpc-2024"],
            "theme": None,
            "number": 1,
            "title": "Plan",
            "text": "Make a plan",
        },
    },
    # The fixture's status says Not started; its published update says On track, and that wins.
    {
        "model": "recommendations.action",
        "fields": {
            "recommendation": ["anytown-cpc-2024", 1],
            "reference": "1.1",
            "description": "Write the plan",
            "status": "not_started",
            "public_status": "not_started",
        },
    },
    {
        "model": "recommendations.progressupdate",
        "fields": {
            "uid": "3f1d2a8e-5c1b-4d0e-9a7f-2b6c8e4d1a90",
            "action": ["anytown-cpc-2024", 1, "1.1"],
            "date": "2024-03-01",
            "text": "Drafted",
            "status": "on_track",
            "published": True,
            "approval": "not_needed",
            "source": "The council's own report",
            "created_at": "2024-03-01T12:00:00Z",
        },
    },
]


@pytest.mark.django_db
def test_loaddata_into_an_empty_database_finishes_the_load_like_load_challenge(tmp_path):
    fixture = tmp_path / "anytown_cpc.json"
    fixture.write_text(json.dumps(ANYTOWN_FIXTURE))

    call_command("loaddata", str(fixture), verbosity=0)

    action = Action.objects.get(reference="1.1")
    assert (action.status, action.public_status) == (Status.ON_TRACK, Status.ON_TRACK)
    assert action.working_update == action.public_update == ProgressUpdate.objects.get()
    assert list(Action.history.values_list("history_type", "history_change_reason", "status")) == [
        ("+", "Loaded from the Anytown challenge", Status.ON_TRACK)
    ]
    assert list(ProgressUpdate.history.values_list("history_type", "history_change_reason")) == [
        ("+", "Loaded from the Anytown challenge")
    ]


# --- The timeline of a loaded action ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_loaded_actions_timeline_starts_with_the_load_and_the_first_edit_shows_old_and_new(
    client, django_assert_num_queries
):
    call_command("load_challenge", "stockport_cpc", verbosity=0)
    stockport = Council.objects.get(slug="stockport")
    coordinator = UserFactory(
        username="cora", first_name="Cora", last_name="Coordinator", roles=[(stockport, Role.COORDINATOR)]
    )
    officer = UserFactory(
        username="olivia", first_name="Olivia", last_name="Officer", roles=[(stockport, Role.OFFICER)]
    )
    action = Action.objects.get(recommendation__number=1, reference="1.1")
    original = action.description

    loaded = action_timeline(action)

    assert [(entry.title, entry.who, entry.changes) for entry in loaded] == [
        (LOADED, "The system", []),
        (
            f"Progress update of 16 October 2023 loaded from the Stockport challenge: {Status.ON_TRACK.label}",
            "The system",
            [],
        ),
    ]

    change_action(
        action=action,
        author=coordinator,
        seen_version=action.version,
        description=NEW_WORDING,
        lead_officer=officer,
        timescale="Q3 2025/26",
    )
    with django_assert_num_queries(3):  # the action's records, its updates' records, the leads' names
        timeline = action_timeline(action)

    edit = timeline[0]
    assert (edit.title, edit.who) == ("Action changed", "Cora Coordinator")
    assert edit.changes == [
        ("What will be done", original, NEW_WORDING),
        ("Lead officer", "(blank)", "Olivia Officer"),
        ("Timescale", "(blank)", "Q3 2025/26"),
        ("Planned start date", "(blank)", "1 October 2025"),
        ("Due date", "(blank)", "31 December 2025"),
    ]
    assert timeline[1].title == LOADED

    client.force_login(coordinator)
    page = client.get(action.get_absolute_url()).content.decode()
    assert LOADED in page
    assert "Lead officer: (blank) → Olivia Officer" in page
    assert "by Cora Coordinator" in page


# --- The README's commands ---------------------------------------------------------------------------


def readme_manage_py_commands():
    """Every manage.py line of the README's shell blocks, in order."""
    blocks = re.findall(r"^```sh\n(.*?)^```", (ROOT / "README.md").read_text(), re.MULTILINE | re.DOTALL)
    return [line for block in blocks for line in block.splitlines() if "manage.py" in line]


def test_the_readmes_manage_py_commands_work_as_written(tmp_path):
    """Run through bash exactly as written, with no DEBUG, SECRET_KEY or settings module in the
    environment (a fresh clone has none). Only the database is a temporary one, not db.sqlite3."""
    your_council = tmp_path / "your_council.json"
    your_council.write_text(json.dumps(ANYTOWN_FIXTURE))
    keep_out = ("DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY", "SITE_URL")
    env = {name: value for name, value in os.environ.items() if name not in keep_out}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    commands = readme_manage_py_commands()
    assert any(" migrate" in line for line in commands) and any("send_reminders" in line for line in commands)

    output = ""
    for line in commands:
        command = line.replace("path/to/your_council.json", str(your_council))
        result = subprocess.run(["bash", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"{line}\n{result.stdout}\n{result.stderr}"
        output += result.stdout

    assert "Loaded Stockport's challenge (stockport-cpc-2022)" in output
    assert "Loaded Anytown's challenge (anytown-cpc-2024)" in output
