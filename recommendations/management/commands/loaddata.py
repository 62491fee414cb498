"""`manage.py loaddata`, made safe for a live action plan.

Django's own loaddata saves each fixture object over the one with the same natural key (or pk), so
loading a challenge again quietly undoes people's edits, completions and settings and brings back
the actions they deleted. This one refuses, and changes nothing, when any object in the fixtures is
already in the database; `--overwrite` replaces them as Django's does. Whatever it loads, it then
finishes the load as load_challenge does (recommendations.loading.finish_loading): the actions'
statuses worked out from their updates, and a first history record for each action and update.
"""

import io

from django.core.management.base import CommandError, OutputWrapper
from django.core.management.commands import loaddata
from django.db import router

from recommendations.loading import describe_counts, finish_loading, label_of
from recommendations.models import Action

EXAMPLES_SHOWN = 3


class Command(loaddata.Command):
    help = (
        "Installs the named fixture(s) in the database, unless any of their objects is already there "
        "(then it changes nothing: use load_challenge to add a challenge once, or --overwrite to replace "
        "them). Loaded actions get their statuses from their updates and a first history record."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Replace the objects that are already in the database, as Django's loaddata does: "
            "people's changes to them are lost.",
        )

    def handle(self, *fixture_labels, overwrite=False, **options):
        self.overwrite = overwrite
        self.fixture_labels = fixture_labels
        super().handle(*fixture_labels, **options)

    def loaddata(self, fixture_labels):
        """Load, then refuse or finish, all inside the transaction Django's handle() opened. Django's
        own "Installed …" line is held back until we know the load stands."""
        self.loaded = []  # the instances this run saved
        self.saved_keys = set()  # their (model, pk), so a duplicate in the fixture is not "already there"
        self.found = []  # the instances that were already in the database
        self.replaced = set()  # (model, pk) of those --overwrite replaced
        output, held = self.stdout, io.StringIO()
        self.stdout = OutputWrapper(held)
        try:
            super().loaddata(fixture_labels)
        finally:
            self.stdout = output
        self.check_load()
        finish_loading(self.loaded, replaced=self.replaced)
        self.report(held.getvalue())

    def save_obj(self, obj):
        """Save a new object; ask save_existing what to do with one that is already there. New
        objects are saved even when the load will be refused (and rolled back), because the
        natural keys of the objects after them are looked up through them."""
        if not self.would_save(obj):
            return super().save_obj(obj)  # excluded: Django skips it
        if self.is_in_database(obj) and not self.save_existing(obj):
            return False
        saved = super().save_obj(obj)
        if saved:
            self.loaded.append(obj.object)
            self.saved_keys.add((type(obj.object), obj.object.pk))
        return saved

    def would_save(self, obj):
        """Django's own test in save_obj: not excluded by --exclude or the database router."""
        model = type(obj.object)
        excluded = obj.object._meta.app_config in self.excluded_apps or model in self.excluded_models
        return not excluded and router.allow_migrate_model(self.using, model)

    def is_in_database(self, obj):
        """Is there a row for this object already? The deserializer has looked its natural key up
        (setting the pk when found); a fixture written with pks has them already."""
        model, pk = type(obj.object), obj.object.pk
        if pk is None or (model, pk) in self.saved_keys:
            return False
        return model._base_manager.using(self.using).filter(pk=pk).exists()

    def save_existing(self, obj):
        """What to do with an object that is already in the database: True to save over it.
        Without --overwrite it is noted for the refusal and left alone."""
        if not self.overwrite:
            self.found.append(obj.object)
            return False
        model, pk = type(obj.object), obj.object.pk
        self.replaced.add((model, pk))
        if model is Action:
            # Replacing is a change like any other: raise the version so a form opened before is refused.
            obj.object.version = Action.objects.using(self.using).values_list("version", flat=True).get(pk=pk) + 1
        return True

    def check_load(self):
        """Raise (rolling the whole load back) when objects were already there and --overwrite was not given."""
        if not self.found or self.overwrite:
            return
        count = len(self.found)
        examples = "; ".join(label_of(obj) for obj in self.found[:EXAMPLES_SHOWN])
        raise CommandError(
            f"Nothing was loaded: {count} of the {self.fixture_object_count} objects in "
            f"{', '.join(self.fixture_labels)} {'is' if count == 1 else 'are'} already in the database "
            f"({describe_counts(self.found)}; for example {examples}). Loading them again would overwrite "
            "people's work on them (their edits, completions and settings) and bring back what they deleted. "
            "To add a challenge only if it is not there yet, use load_challenge, "
            "or pass --overwrite if you really mean to replace them."
        )

    def report(self, django_summary):
        self.stdout.write(django_summary, ending="")
        if self.replaced and self.verbosity >= 1:
            replaced = [obj for obj in self.loaded if (type(obj), obj.pk) in self.replaced]
            self.stdout.write(
                f"Replaced {len(replaced)} object{'' if len(replaced) == 1 else 's'} that were already in the "
                f"database (--overwrite): {describe_counts(replaced)}."
            )
