"""`manage.py load_challenge stockport_cpc`: add a council's peer challenge from a fixture, once.

`make run` runs it every time it starts. When the fixture's challenge (by its slug) is in the
database already, it changes nothing at all, so what people did stays as they left it: their
edits, completions and settings, and the actions they deleted stay deleted. Otherwise it loads the
fixture in one transaction, keeping as it is any object that is already there (the council, when
it has an earlier challenge), and finishes as loaddata does (recommendations.loading): statuses
from the updates, and a first history record "Loaded from the Stockport challenge".
"""

from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from recommendations.loading import council_short_name, describe_counts, label_of
from recommendations.management.commands.loaddata import Command as LoaddataCommand
from recommendations.models import PeerChallenge


class AlreadyLoaded(Exception):
    """The fixture's challenge is in the database: stop before anything is written."""

    def __init__(self, slug):
        super().__init__(slug)
        self.slug = slug


def challenge_name(challenge):
    return f"{council_short_name(challenge.council.name)}'s challenge ({challenge.slug})"


class Command(LoaddataCommand):
    help = (
        "Load a council's peer challenge from a fixture (e.g. stockport_cpc) if that challenge is not in the "
        "database yet; otherwise change nothing. Never overwrites what people have done."
    )

    def add_arguments(self, parser):
        parser.add_argument("fixture", help="The fixture holding one peer challenge: stockport_cpc, or a file's path.")
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            choices=tuple(connections),
            help='The database to load into (default: "default").',
        )

    def handle(self, fixture, **options):
        self.challenge_seen = False
        options.update(app_label=None, ignore=False, exclude=[], format=None)
        try:
            super().handle(fixture, **options)
        except AlreadyLoaded as loaded:
            challenge = PeerChallenge.objects.using(options["database"]).select_related("council").get(slug=loaded.slug)
            if self.verbosity >= 1:
                self.stdout.write(f"{challenge_name(challenge)} is already loaded: nothing changed")

    def save_obj(self, obj):
        if isinstance(obj.object, PeerChallenge) and self.would_save(obj):
            if self.challenge_seen:
                raise CommandError(
                    "load_challenge loads one peer challenge at a time and this fixture has more: "
                    "split it into one fixture per challenge"
                )
            self.challenge_seen = True
            slug = obj.object.slug
            if PeerChallenge.objects.using(self.using).filter(slug=slug).exists():
                raise AlreadyLoaded(slug)
        return super().save_obj(obj)

    def save_existing(self, obj):
        """Keep what is already there as it is (the council of a second challenge, say)."""
        self.found.append(obj.object)
        return False

    def check_load(self):
        if not self.challenge_seen:
            raise CommandError(
                f"{', '.join(self.fixture_labels)} has no peer challenge: load_challenge loads a challenge "
                "and what belongs to it (use loaddata for other fixtures)"
            )

    def report(self, django_summary):
        if self.verbosity < 1:
            return
        challenge = next(obj for obj in self.loaded if isinstance(obj, PeerChallenge))
        self.stdout.write(f"Loaded {challenge_name(challenge)}: {describe_counts(self.loaded)}.")
        if self.found:
            kept = "; ".join(label_of(obj) for obj in self.found)
            self.stdout.write(f"Kept as they were, already in the database: {kept}.")
