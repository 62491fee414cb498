"""`make backup` and `make restore` (README: Backups).

The round trips build the Stockport challenge plus factory data (build_data), back it up with `make backup`,
restore it with `make restore` into an EMPTY database (a new PostgreSQL database; a new SQLite file),
then check that every table holds the same rows and that the app serves the restored database: its
public challenge and theme pages, an officer's own actions and an unpublished update, and a new row written
after the restore. The other tests check that each refusal says why, exits non-zero and changes
nothing.
"""

import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.conf import settings
from django.core.management import call_command

from recommendations.backups import BackupError, backup, restore
from recommendations.roles import OFFICER, SCRUTINY_MEMBER

ROOT = Path(settings.BASE_DIR)
SLUG = "stockport-cpc-2022"
THEME = "Transformation and New Ways of Working"
RECOMMENDATION = "Maximise the benefits of neighbourhood / area working in the borough"
OFFICERS_ACTION = "Set up a Working Group to consider best practice across the sector on reports"
UPDATE_TEXT = "Draft terms of reference agreed — café meeting on 3 March ✓"


def build_data():
    """The Stockport challenge and factory-made rows: an officer (a user with a membership) who leads
    the actions under recommendations 10 and 11, an unpublished update on one of them, and another
    council's challenge with an action and a published update."""
    from recommendations.models import Action, PeerChallenge, Status
    from recommendations.tests.factories import ActionFactory, ProgressUpdateFactory, UserFactory

    call_command("load_challenge", "stockport_cpc", verbosity=0)
    council = PeerChallenge.objects.get(slug=SLUG).council
    officer = UserFactory(username="officer", roles=[(council, OFFICER)])
    UserFactory(username="scrutiny", roles=[(council, SCRUTINY_MEMBER)])
    plan = Action.objects.filter(recommendation__challenge__slug=SLUG)
    plan.filter(recommendation__number__in=[10, 11]).update(lead_officer=officer)
    ProgressUpdateFactory(action=plan.get(reference="10.1"), text=UPDATE_TEXT, published=False, percent_complete=40)
    ActionFactory(status=Status.ON_TRACK)


# What the app shows from the restored database, run in a process of its own (DATABASE_URL).
SERVE = f"""
import json
import django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
from recommendations.models import Action

client = Client(HTTP_HOST="localhost")
pages = {{"challenge": client.get("/challenges/{SLUG}/"), "theme": client.get("/challenges/{SLUG}/themes/1/")}}
client.force_login(get_user_model().objects.get(username="officer"))
action = Action.objects.get(recommendation__challenge__slug="{SLUG}", reference="10.1")
pages["my_actions"] = client.get("/my-actions/")
pages["action"] = client.get(f"/actions/{{action.pk}}/")
added = get_user_model().objects.create_user("added-after-restore")
print(json.dumps({{
    "pages": {{name: [page.status_code, page.content.decode()] for name, page in pages.items()}},
    "added": added.pk,
}}))
"""


def environment(database_url):
    # Not the settings of the test run, nor the flags and variables of a `make test` this runs under.
    ignored = ("DJANGO_SETTINGS_MODULE", "DEBUG", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")
    env = {k: v for k, v in os.environ.items() if k not in ignored}
    env.update(DATABASE_URL=database_url, SECRET_KEY="test-only-secret-key-for-backups", DEBUG="true")
    return env


def make(target, database_url, **variables):
    """`make backup` / `make restore` as a person runs them; -o: never reinstall the virtualenv here."""
    return subprocess.run(
        ["make", "--no-print-directory", "-o", ".make/venv", target, *(f"{k}={v}" for k, v in variables.items())],
        cwd=ROOT,
        env=environment(database_url),
        capture_output=True,
        text=True,
        timeout=120,
    )


def python(code, database_url):
    env = environment(database_url)
    env.update(DJANGO_SETTINGS_MODULE="cpc_tracker.test_settings", DEBUG="false")
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def fingerprint(connection, tables, sequences=()):
    """Each table's row count and a hash of its sorted rows (and each sequence's value)."""
    cursor = connection.cursor()
    result = {}
    for table in tables:
        cursor.execute(f'SELECT * FROM "{table}"')
        rows = sorted(repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)) for row in cursor)
        result[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    for name, value in sequences:
        result[f"sequence {name}"] = value
    return result


def postgres_fingerprint(connection):
    cursor = connection.cursor()
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    tables = [name for (name,) in cursor.fetchall()]
    cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
    return fingerprint(connection, tables, cursor.fetchall())


def sqlite_fingerprint(path):
    connection = sqlite3.connect(f"{Path(path).as_uri()}?mode=ro", uri=True)
    try:
        tables = [name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return fingerprint(connection, tables)
    finally:
        connection.close()


def assert_same_data(source, restored):
    assert restored.keys() == source.keys()
    different = {table for table in source if restored[table] != source[table]}
    assert not different, f"tables that differ after the restore: {sorted(different)}"
    # The round trip carried real data, not just empty tables.
    for table in [
        "recommendations_peerchallenge",
        "recommendations_action",
        "recommendations_progressupdate",
        "recommendations_membership",
        "auth_user",
        "django_migrations",
    ]:
        assert source[table][0] > 0, table


def assert_app_serves_it(database_url):
    served = json.loads(python(SERVE, database_url).strip().splitlines()[-1])
    pages = served["pages"]
    assert pages["challenge"][0] == 200 and THEME in pages["challenge"][1]
    assert pages["theme"][0] == 200 and RECOMMENDATION in pages["theme"][1]
    assert pages["my_actions"][0] == 200 and OFFICERS_ACTION in pages["my_actions"][1]
    assert pages["action"][0] == 200 and UPDATE_TEXT in pages["action"][1]
    assert served["added"]  # new rows get fresh keys: the sequences came back too


# PostgreSQL ------------------------------------------------------------------------------------------


def postgres_params(settings_dict, name):
    params = {"dbname": name}
    for key, setting in [("host", "HOST"), ("port", "PORT"), ("user", "USER"), ("password", "PASSWORD")]:
        if settings_dict.get(setting):
            params[key] = str(settings_dict[setting])
    return params


def postgres_url(settings_dict, name):
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(str(settings_dict.get("PASSWORD") or ""), safe="")
    login = f"{user}{':' + password if password else ''}@" if user else ""
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{login}{quote(settings_dict.get('HOST') or '', safe='')}{port}/{quote(name, safe='')}"


@pytest.fixture
def postgres_source(transactional_db):
    """The test database, holding committed data that pg_dump can see."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL round trip needs DATABASE_URL to be PostgreSQL (make test sets it)")
    build_data()
    return connection.settings_dict


@pytest.fixture
def empty_postgres_database(postgres_source):
    """A new, empty PostgreSQL database on the same server, dropped afterwards."""
    name = f"cpc_backup_dst_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(**postgres_params(postgres_source, postgres_source["NAME"]))
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    yield name
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def test_postgresql_round_trip_into_an_empty_database_gives_the_same_data_and_the_app_serves_it(
    postgres_source, empty_postgres_database, tmp_path
):
    source_url = postgres_url(postgres_source, postgres_source["NAME"])
    target_url = postgres_url(postgres_source, empty_postgres_database)
    dump = tmp_path / "cpc.dump"

    backed_up = make("backup", source_url, BACKUP=dump)
    assert backed_up.returncode == 0, backed_up.stderr
    assert f"to {dump}" in backed_up.stdout and "by pg_dump 1" in backed_up.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["cpc.dump"]  # no temporary file left behind
    assert dump.stat().st_mode & 0o077 == 0  # readable by its owner only

    restored = make("restore", target_url, BACKUP=dump)
    assert restored.returncode == 0, restored.stderr
    assert f"into the PostgreSQL database {empty_postgres_database}" in restored.stdout

    source = psycopg2.connect(**postgres_params(postgres_source, postgres_source["NAME"]))
    target = psycopg2.connect(**postgres_params(postgres_source, empty_postgres_database))
    source.autocommit = target.autocommit = True  # hold no locks that would keep pg_restore waiting
    try:
        expected = postgres_fingerprint(source)
        assert_same_data(expected, postgres_fingerprint(target))
        assert_app_serves_it(target_url)

        # Restoring again is refused: the database holds data now (the app added a user). Nothing changes.
        served = postgres_fingerprint(target)
        assert served["auth_user"][0] == expected["auth_user"][0] + 1
        target_settings = {**postgres_source, "NAME": empty_postgres_database}
        with pytest.raises(BackupError, match=f"The PostgreSQL database {empty_postgres_database} .* is not empty"):
            restore(target_settings, dump)
        assert postgres_fingerprint(target) == served

        # Forced, it replaces the data with the backup's; a table the backup lacks is kept, and named.
        target.cursor().execute("CREATE TABLE leftover (id int)")
        forced = restore(target_settings, dump, force=True)
        assert "were left as they were: leftover" in forced
        after = postgres_fingerprint(target)
        del after["leftover"]
        assert_same_data(expected, after)
    finally:
        source.close()
        target.close()


def test_postgresql_refusals_are_readable_and_write_nothing(postgres_source, tmp_path):
    missing = {**postgres_source, "NAME": f"cpc_backup_missing_{uuid.uuid4().hex[:8]}"}
    with pytest.raises(
        BackupError,
        match=r"Cannot connect to the PostgreSQL database cpc_backup_missing_\w+ .*"
        r"does not exist",
    ):
        backup(missing, tmp_path, directory=None)
    assert list(tmp_path.iterdir()) == []  # no half-written backup

    dump, _ = backup(postgres_source, tmp_path / "cpc.dump", directory=None)
    with pytest.raises(BackupError, match="exists already: choose another BACKUP path, or FORCE=1"):
        backup(postgres_source, dump, directory=None)

    with pytest.raises(BackupError, match="is not empty: it has \\d+ tables holding [\\d,]+ rows"):
        restore(postgres_source, dump)

    sqlite_backup = tmp_path / "cpc.sqlite3"
    make_sqlite_database(sqlite_backup)
    with pytest.raises(BackupError, match="is a SQLite backup, but the configured database is the PostgreSQL"):
        restore(postgres_source, sqlite_backup)


# SQLite ----------------------------------------------------------------------------------------------


def make_sqlite_database(path, marker=True):
    connection = sqlite3.connect(path)
    with connection:
        connection.execute(f"CREATE TABLE {'django_migrations' if marker else 'other'} (id integer, name text)")
        connection.execute(f"INSERT INTO {'django_migrations' if marker else 'other'} VALUES (1, 'first')")
    connection.close()


def sqlite(path):
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}


def test_sqlite_round_trip_into_a_new_file_gives_the_same_data_and_the_app_serves_it(tmp_path):
    source, target, backups = tmp_path / "source.sqlite3", tmp_path / "restored.sqlite3", tmp_path / "backups"
    backups.mkdir()
    python(
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('migrate', verbosity=0); from tests.test_backup_restore import build_data; build_data()",
        f"sqlite:///{source}",
    )

    backed_up = make("backup", f"sqlite:///{source}", BACKUP=f"{backups}/")  # a folder: the default name
    assert backed_up.returncode == 0, backed_up.stderr
    [copy] = backups.iterdir()
    assert copy.name.startswith("cpc-tracker-") and copy.suffix == ".sqlite3"
    assert f"Backed up the SQLite database {source} to {copy}" in backed_up.stdout
    assert copy.stat().st_mode & 0o077 == 0

    restored = make("restore", f"sqlite:///{target}", BACKUP=copy)
    assert restored.returncode == 0, restored.stderr
    assert f"Restored {copy} into the SQLite database {target}" in restored.stdout

    assert_same_data(sqlite_fingerprint(source), sqlite_fingerprint(target))
    assert_app_serves_it(f"sqlite:///{target}")

    # The app added a user: restoring again is refused, and changes nothing; FORCE=1 replaces it.
    served = sqlite_fingerprint(target)
    with pytest.raises(BackupError, match=re.escape(f"The SQLite database {target} is not empty")):
        restore(sqlite(target), copy)
    assert sqlite_fingerprint(target) == served
    forced = make("restore", f"sqlite:///{target}", BACKUP=copy, FORCE=1)
    assert forced.returncode == 0, forced.stderr
    assert_same_data(sqlite_fingerprint(source), sqlite_fingerprint(target))  # the added user is gone again


def test_make_restore_without_a_backup_says_how_to_name_one():
    result = make("restore", "sqlite:////nonexistent/db.sqlite3")

    assert result.returncode != 0
    assert "Name the backup to restore: make restore BACKUP=" in result.stderr


def test_make_restore_of_a_missing_file_says_so_and_fails(tmp_path):
    result = make("restore", f"sqlite:///{tmp_path}/db.sqlite3", BACKUP=tmp_path / "cpc-tracker.sqlite3")

    assert result.returncode != 0
    assert f"CommandError: There is no backup at {tmp_path}/cpc-tracker.sqlite3." in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_backing_up_a_missing_sqlite_database_creates_nothing(tmp_path):
    with pytest.raises(BackupError, match="There is no SQLite database at .*: check DATABASE_URL"):
        backup(sqlite(tmp_path / "db.sqlite3"), directory=tmp_path / "backups")

    assert not (tmp_path / "db.sqlite3").exists()
    assert list((tmp_path / "backups").iterdir()) == []


def test_a_backup_never_replaces_an_existing_file_unless_forced(tmp_path):
    make_sqlite_database(tmp_path / "db.sqlite3")
    (tmp_path / "keep.sqlite3").write_bytes(b"an earlier backup")

    with pytest.raises(BackupError, match="keep.sqlite3 exists already"):
        backup(sqlite(tmp_path / "db.sqlite3"), tmp_path / "keep.sqlite3", directory=None)
    assert (tmp_path / "keep.sqlite3").read_bytes() == b"an earlier backup"

    path, _ = backup(sqlite(tmp_path / "db.sqlite3"), tmp_path / "keep.sqlite3", directory=None, force=True)
    assert sqlite_fingerprint(path) == sqlite_fingerprint(tmp_path / "db.sqlite3")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db.sqlite3", "keep.sqlite3"]


def test_restoring_over_a_sqlite_database_that_holds_data_is_refused_unless_forced(tmp_path):
    backup_file, target = tmp_path / "backup.sqlite3", tmp_path / "db.sqlite3"
    make_sqlite_database(backup_file)
    connection = sqlite3.connect(target)
    with connection:
        connection.execute("CREATE TABLE django_migrations (id integer, name text)")
        connection.executemany("INSERT INTO django_migrations VALUES (?, ?)", [(1, "mine"), (2, "also mine")])
    connection.close()
    before = sqlite_fingerprint(target)

    with pytest.raises(BackupError) as refused:
        restore(sqlite(target), backup_file)

    assert str(refused.value) == (
        f"The SQLite database {target} is not empty: it has 1 tables holding 2 rows. A restore replaces them "
        "with the backup's. If that is what you want, run it again with FORCE=1 (make restore) or --force "
        "(manage.py restore_database)."
    )
    assert sqlite_fingerprint(target) == before

    restore(sqlite(target), backup_file, force=True)
    assert sqlite_fingerprint(target) == sqlite_fingerprint(backup_file)


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "There is no backup at "),
        (b"name,status\n", "is not a backup made by make backup (neither a PostgreSQL custom-format dump nor a SQLite"),
        (b"PGDMP\x01\x0e\x00", "is a PostgreSQL backup, but the configured database is the SQLite database"),
        ("other", "has no django_migrations table: it is not a CPC Tracker backup."),
        (b"SQLite format 3\x00" + b"\x00" * 200, "is not a readable SQLite database"),
    ],
    ids=["missing", "not a backup", "PostgreSQL dump into SQLite", "another app's SQLite", "damaged SQLite"],
)
def test_restoring_what_is_not_a_backup_for_this_database_is_refused_and_creates_nothing(tmp_path, content, message):
    source, target = tmp_path / "backup", tmp_path / "db.sqlite3"
    if content == "other":
        make_sqlite_database(source, marker=False)
    elif content is not None:
        source.write_bytes(content)

    with pytest.raises(BackupError, match=re.escape(message)):
        restore(sqlite(target), source)

    assert not target.exists()


def test_restoring_into_a_file_that_is_not_a_database_leaves_it_as_it_was(tmp_path):
    backup_file, target = tmp_path / "backup.sqlite3", tmp_path / "db.sqlite3"
    make_sqlite_database(backup_file)
    target.write_bytes(b"not a database, but somebody's file" * 100)

    with pytest.raises(BackupError, match="is not a SQLite database .*: nothing was restored"):
        restore(sqlite(target), backup_file, force=True)

    assert target.read_bytes() == b"not a database, but somebody's file" * 100
