"""Back up and restore the database: `make backup` and `make restore` (manage.py backup_database and
restore_database) call these two functions.

- PostgreSQL (DATABASE_URL set): a custom-format `pg_dump --no-owner --no-privileges`, restored with
  `pg_restore --clean --if-exists --no-owner --no-privileges --exit-on-error --single-transaction`,
  so a restore that fails changes nothing. The client tools of the server's major version are used
  when installed (/usr/lib/postgresql/<major>/bin); older tools than the server are refused.
- SQLite (the default of `make run`): SQLite's online backup API (Python's `Connection.backup`), which
  copies a consistent snapshot while the app keeps running; never a copy of the live file.

A backup is written to a private temporary file next to its destination, checked (pg_restore can
read it / SQLite's quick_check), then renamed into place: there is never a half-written backup under
the backup's name. A restore refuses a database that holds tables unless forced. Every refusal or
failure is a BackupError whose message says what happened and what to do.

The database is everything CPC Tracker keeps: it stores no uploaded files (an imported action plan
is read in memory and kept in the session until it is applied).
"""

import datetime
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from django.db import DatabaseError
from django.db.utils import load_backend

POSTGRESQL = "PostgreSQL"
SQLITE = "SQLite"
SUFFIXES = {POSTGRESQL: "dump", SQLITE: "sqlite3"}
MAGIC = {POSTGRESQL: b"PGDMP", SQLITE: b"SQLite format 3\x00"}
# Every CPC Tracker database has Django's migration table; a backup without it is someone else's.
MARKER_TABLE = "django_migrations"


_MIGRATE = {"database": " Check DATABASE_URL, or run manage.py migrate first.", "backup": ""}


class BackupError(Exception):
    """Why a backup or restore did not happen, in words for the person who ran it."""


@dataclass
class Database:
    """The database a Django settings dict (settings.DATABASES[alias]) points at."""

    settings: dict

    @property
    def engine(self):
        engine = self.settings["ENGINE"]
        if "postgresql" in engine or "postgis" in engine:
            return POSTGRESQL
        if "sqlite3" in engine:
            return SQLITE
        raise BackupError(f"Backups support PostgreSQL and SQLite; the configured database uses {engine}.")

    @property
    def name(self):
        return str(self.settings["NAME"])

    def __str__(self):
        if self.engine == SQLITE:
            return f"the SQLite database {self.name}"
        where = self.settings.get("HOST") or "the local socket"
        port = f":{self.settings['PORT']}" if self.settings.get("PORT") else ""
        return f"the PostgreSQL database {self.name} on {where}{port}"


def default_name(engine, now=None):
    now = now or datetime.datetime.now(datetime.UTC)
    return f"cpc-tracker-{now:%Y%m%dT%H%M%SZ}.{SUFFIXES[engine]}"


def backup(settings_dict, output=None, *, directory, force=False):
    """Back up the database to `output` (a file, or a folder for a file with the default name) or to
    `directory`/cpc-tracker-<UTC time>.<dump|sqlite3>. Returns (path, a sentence saying what was done)."""
    database = Database(settings_dict)
    engine = database.engine
    if output is None:
        directory = Path(directory)
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        destination = directory / default_name(engine)
    else:
        destination = Path(output)
        if destination.is_dir():
            destination = destination / default_name(engine)
    if not destination.parent.is_dir():
        raise BackupError(f"The folder {destination.parent} does not exist: create it, or choose another BACKUP path.")
    if destination.exists() and not force:
        raise BackupError(f"{destination} exists already: choose another BACKUP path, or FORCE=1 to replace it.")

    # mkstemp makes the file readable by its owner only: a backup holds password hashes and names.
    handle, partial = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.", suffix=".partial")
    os.close(handle)
    partial = Path(partial)
    try:
        if engine == POSTGRESQL:
            details = _backup_postgresql(database, partial)
        else:
            details = _backup_sqlite(database, partial)
        os.replace(partial, destination)
    finally:
        partial.unlink(missing_ok=True)
    return destination, f"Backed up {database} to {destination} ({_size(destination)}{details})."


def restore(settings_dict, source, *, force=False):
    """Restore the backup at `source` into the database, replacing what is there when `force`.
    Returns a sentence saying what was done."""
    database = Database(settings_dict)
    engine = database.engine
    source = Path(source)
    if source.is_dir():
        raise BackupError(f"{source} is a folder: name the backup file, e.g. BACKUP={source / default_name(engine)}")
    if not source.is_file():
        raise BackupError(f"There is no backup at {source}.")
    try:
        kind = kind_of(source)
    except OSError as error:
        raise BackupError(f"Cannot read {source}: {error.strerror}.") from error
    if kind is None:
        raise BackupError(
            f"{source} is not a backup made by make backup (neither a PostgreSQL custom-format dump nor a "
            "SQLite database)."
        )
    if kind != engine:
        where = (
            "set DATABASE_URL to a PostgreSQL database, e.g. DATABASE_URL=postgres:///cpc_tracker"
            if kind == POSTGRESQL
            else "unset DATABASE_URL to restore into db.sqlite3, or set DATABASE_URL=sqlite:////path/to/file.sqlite3"
        )
        raise BackupError(
            f"{source} is a {kind} backup, but the configured database is {database}. "
            f"To restore it, {where}. (Backups do not move data between PostgreSQL and SQLite.)"
        )
    if engine == POSTGRESQL:
        return _restore_postgresql(database, source, force)
    return _restore_sqlite(database, source, force)


def kind_of(path):
    """POSTGRESQL or SQLITE by the file's first bytes, or None."""
    with open(path, "rb") as file:
        start = file.read(16)
    return next((engine for engine, magic in MAGIC.items() if start.startswith(magic)), None)


def _size(path):
    size = path.stat().st_size
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024


def _quote(name):
    return '"' + name.replace('"', '""') + '"'


def _count_rows(cursor, tables):
    rows = 0
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {_quote(table)}")
        rows += cursor.fetchone()[0]
    return rows


def _sentence(text):
    return text[:1].upper() + text[1:]


def _not_empty(database, tables, rows):
    return BackupError(
        f"{_sentence(database)} is not empty: it has {len(tables)} tables holding {rows:,} rows. "
        "A restore replaces them with the backup's. If that is what you want, run it again with FORCE=1 "
        "(make restore) or --force (manage.py restore_database)."
    )


# SQLite ---------------------------------------------------------------------------------------------


def _sqlite_path(database):
    name = database.name
    if name == ":memory:" or name.startswith("file:"):
        raise BackupError(f"Backups need a SQLite database in a file; the configured one is {name}.")
    return Path(name)


def _sqlite_tables(connection):
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    return [name for (name,) in rows]


def _check_sqlite(connection, what, kind="backup"):
    """Check a SQLite database is whole and CPC Tracker's `kind` (database or backup); its tables."""
    try:
        result = connection.execute("PRAGMA quick_check").fetchone()[0]
        tables = _sqlite_tables(connection)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{_sentence(what)} is not a readable SQLite database: {error}.") from error
    if result != "ok":
        raise BackupError(f"{_sentence(what)} failed SQLite's integrity check: {result}.")
    if MARKER_TABLE not in tables:
        raise BackupError(
            f"{_sentence(what)} has no {MARKER_TABLE} table: it is not a CPC Tracker {kind}.{_MIGRATE[kind]}"
        )
    return tables


def _backup_sqlite(database, partial):
    path = _sqlite_path(database)
    if not path.is_file():
        raise BackupError(
            f"There is no SQLite database at {path}: check DATABASE_URL, or create it (make run, or manage.py migrate)."
        )
    try:
        # The online backup API copies a consistent snapshot while others read and write the database.
        with closing(sqlite3.connect(path, timeout=30)) as source, closing(sqlite3.connect(partial)) as copy:
            _check_sqlite(source, str(database), "database")
            source.backup(copy)
            tables = _check_sqlite(copy, "The backup")
    except sqlite3.Error as error:
        raise BackupError(f"Could not back up {database}: {error}.") from error
    return f", {len(tables)} tables, checked with SQLite's quick_check"


def _restore_sqlite(database, source, force):
    target = _sqlite_path(database)
    if not target.parent.is_dir():
        raise BackupError(f"The folder {target.parent} of {database} does not exist.")
    created = not target.exists()
    # immutable: a backup file is only read, and never gets a journal or lock files beside it.
    uri = f"{source.resolve().as_uri()}?mode=ro&immutable=1"
    try:
        with closing(sqlite3.connect(uri, uri=True)) as backup, closing(sqlite3.connect(target, timeout=30)) as db:
            tables = _check_sqlite(backup, str(source))
            try:
                existing = _sqlite_tables(db)
            except sqlite3.DatabaseError as error:
                raise BackupError(f"{target} is not a SQLite database ({error}): nothing was restored.") from error
            if existing and not force:
                raise _not_empty(str(database), existing, _count_rows(db.cursor(), existing))
            # One write transaction on the target: it has all of the backup, or stays as it was.
            backup.backup(db)
            _check_sqlite(db, str(database), "database")
    except sqlite3.Error as error:
        if created:
            target.unlink(missing_ok=True)
        raise BackupError(f"Could not restore {source} into {database}: {error}. Nothing was changed.") from error
    except BackupError:
        if created:
            target.unlink(missing_ok=True)
        raise
    return f"Restored {source} into {database}: {len(tables)} tables."


# PostgreSQL -----------------------------------------------------------------------------------------


def _libpq(database):
    """(a libpq connection string for --dbname, the environment) for pg_dump and pg_restore: the same
    server, user and options as Django's connection; the password only in the environment."""

    def value(text):
        return "'" + str(text).replace("\\", "\\\\").replace("'", "\\'") + "'"

    settings = database.settings
    parts = {"dbname": settings.get("NAME")}
    parts.update(host=settings.get("HOST"), port=settings.get("PORT"), user=settings.get("USER"))
    conninfo = " ".join(f"{key}={value(v)}" for key, v in parts.items() if v)
    environment = dict(os.environ)
    options = settings.get("OPTIONS") or {}
    for key, variable in [
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
        ("passfile", "PGPASSFILE"),
        ("service", "PGSERVICE"),
    ]:
        if options.get(key):
            environment[variable] = str(options[key])
    if settings.get("PASSWORD"):
        environment["PGPASSWORD"] = str(settings["PASSWORD"])
    return conninfo, environment


class _Server:
    """A connection to the PostgreSQL server through Django's backend, with readable failures."""

    def __init__(self, database):
        self.database = database
        self.connection = load_backend(database.settings["ENGINE"]).DatabaseWrapper(database.settings, alias="backup")
        try:
            self.connection.ensure_connection()
        except DatabaseError as error:
            reason = " ".join(str(error).split())
            raise BackupError(f"Cannot connect to {database}: {reason}") from error
        version = self.connection.pg_version
        self.major, self.version = version // 10000, f"{version // 10000}.{version % 10000}"

    def tables(self):
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() ORDER BY c.relname"
            )
            return [name for (name,) in cursor.fetchall()]

    def count_rows(self, tables):
        with self.connection.cursor() as cursor:
            return _count_rows(cursor, tables)

    def execute(self, sql):
        with self.connection.cursor() as cursor:
            cursor.execute(sql)

    def close(self):
        self.connection.close()

    def tool(self, name):
        """The server's major version of pg_dump or pg_restore (Debian keeps each version's in
        /usr/lib/postgresql/<major>/bin), else the one on PATH if it is not older than the server."""
        exact = Path(f"/usr/lib/postgresql/{self.major}/bin/{name}")
        path = str(exact) if exact.is_file() else shutil.which(name)
        install = (
            f"install PostgreSQL {self.major}'s client tools (Debian: apt-get install postgresql-client-{self.major})"
        )
        if path is None:
            raise BackupError(f"{name} is not installed: {install}.")
        output = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
        found = re.search(r"\(PostgreSQL\) (\d+)(\.\d+)?", output)
        if found is None:
            raise BackupError(f"{path} --version did not say its version ({output.strip()!r}).")
        if int(found[1]) < self.major:
            raise BackupError(
                f"{path} is version {found[1]}, older than the PostgreSQL {self.version} server: {install}."
            )
        return path, f"{found[1]}{found[2] or ''}"


def _run(command, environment, failure):
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()][-8:]
        raise BackupError(f"{failure}:\n  " + "\n  ".join(lines or [f"{command[0]} exited with {result.returncode}"]))
    return result.stdout


def _archive_contents(pg_restore, path, environment, what):
    """The archive's table of contents (pg_restore --list), checked to be CPC Tracker's."""
    listing = _run([pg_restore, "--list", str(path)], environment, f"{what} cannot be read by pg_restore")
    tables = re.findall(r"^\d+; \d+ \d+ TABLE DATA \S+ (\S+)", listing, flags=re.MULTILINE)
    if MARKER_TABLE not in tables:
        raise BackupError(f"{_sentence(what)} has no {MARKER_TABLE} table: it is not a CPC Tracker backup.")
    header = dict(re.findall(r"^;\s+(Archive created at|dbname:|Dumped from database version:) (.+)$", listing, re.M))
    return tables, header


def _backup_postgresql(database, partial):
    server = _Server(database)
    try:
        if MARKER_TABLE not in server.tables():
            raise BackupError(
                f"{_sentence(str(database))} has no {MARKER_TABLE} table: it is not a CPC Tracker database."
                + _MIGRATE["database"]
            )
        pg_dump, dump_version = server.tool("pg_dump")
        pg_restore, _ = server.tool("pg_restore")
    finally:
        server.close()
    conninfo, environment = _libpq(database)
    _run(
        [pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}", f"--dbname={conninfo}"],
        environment,
        f"pg_dump could not back up {database}; no backup was written",
    )
    tables, _ = _archive_contents(pg_restore, partial, environment, "The new backup")
    return f", {len(tables)} tables, from PostgreSQL {server.version} by pg_dump {dump_version}"


def _restore_postgresql(database, source, force):
    server = _Server(database)
    try:
        pg_restore, _ = server.tool("pg_restore")
        conninfo, environment = _libpq(database)
        tables, header = _archive_contents(pg_restore, source, environment, str(source))
        existing = server.tables()
        if existing and not force:
            raise _not_empty(str(database), existing, server.count_rows(existing))
    finally:
        server.close()
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",  # all of the backup, or (on any error) nothing changed
            f"--dbname={conninfo}",
            str(source),
        ],
        environment,
        f"pg_restore could not restore {source} into {database}; nothing was changed",
    )
    server = _Server(database)
    try:
        server.execute("ANALYZE")  # fresh planner statistics for the restored tables
    finally:
        server.close()
    made = (
        f" (made {header['Archive created at']} from the database {header['dbname:']})"
        if {"Archive created at", "dbname:"} <= header.keys()
        else ""
    )
    left = sorted(set(existing) - set(tables))
    note = f" These tables are not in the backup and were left as they were: {', '.join(left)}." if left else ""
    return f"Restored {source}{made} into {database}: {len(tables)} tables.{note}"
