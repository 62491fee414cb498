"""`manage.py backup_database` (`make backup`): back up the configured database to a file.

PostgreSQL: a custom-format pg_dump (`.dump`); SQLite: a copy made with SQLite's online backup API
(`.sqlite3`). By default the file is backups/cpc-tracker-<UTC time>.<dump|sqlite3>; see
recommendations.backups for how a backup is made and checked.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from recommendations.backups import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database (PostgreSQL with pg_dump, SQLite with its online backup API) to "
        "backups/cpc-tracker-<UTC time>.<dump|sqlite3>, or to --output."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            help="The backup's file, or a folder to write it in with the default name (default: backups/).",
        )
        parser.add_argument("--force", action="store_true", help="Replace the --output file if it exists.")
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            choices=tuple(connections),
            help='The database to back up (default: "default").',
        )

    def handle(self, *args, output, force, database, **options):
        try:
            _, summary = backup(
                connections[database].settings_dict, output, directory=settings.BASE_DIR / "backups", force=force
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        if options["verbosity"] >= 1:
            self.stdout.write(summary)
