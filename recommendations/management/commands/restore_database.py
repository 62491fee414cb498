"""`manage.py restore_database FILE` (`make restore BACKUP=FILE`): restore a backup made by
backup_database into the configured database.

It refuses a database that holds tables unless --force, because a restore replaces its contents.
PostgreSQL: pg_restore in one transaction (a failed restore changes nothing); SQLite: SQLite's
backup API into the database file. See recommendations.backups.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from recommendations.backups import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by backup_database (a PostgreSQL .dump or a SQLite .sqlite3) into the "
        "configured database. Refuses a database that is not empty unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help="The backup file to restore.")
        parser.add_argument(
            "--force", action="store_true", help="Replace the contents of a database that is not empty."
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            choices=tuple(connections),
            help='The database to restore into (default: "default").',
        )

    def handle(self, *args, backup, force, database, **options):
        connections[database].close()  # nothing of ours holds the database while it is replaced
        try:
            summary = restore(connections[database].settings_dict, backup, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if options["verbosity"] >= 1:
            self.stdout.write(summary)
