"""Finishing a fixture load the same way, whichever command loaded it.

Fixtures are saved "raw": Django skips the signals' work, so an action's statuses do not follow
its progress updates and django-simple-history writes no record. `finish_loading` does both once
the objects are in: the loaded actions' statuses are worked out from their updates (by the one rule
in recommendations.publication), then every loaded object whose model keeps a history gets its
first record ("Loaded from the Stockport challenge"). The action's timeline then starts from what
was loaded, and the first real edit shows who changed what, old → new.

`manage.py load_challenge` (adds a challenge once, never touching what is there) and this app's
`manage.py loaddata` (refuses to load over existing objects unless told to --overwrite) both call it.
"""

import functools
import re
from collections import Counter, defaultdict

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q
from django.utils import timezone
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_history_manager_for_model

from .models import Action, ProgressUpdate
from .publication import refresh_actions

# The way from each history-tracked model to its council, for the history record's reason.
COUNCIL_PATHS = {
    Action: "recommendation__challenge__council",
    ProgressUpdate: "action__recommendation__challenge__council",
}

COUNCIL_SUFFIX = re.compile(
    r"\s+(?:(?:Metropolitan|Royal)\s+)?(?:(?:Borough|City|County|District|Town|Parish)\s+)?Council$",
    re.IGNORECASE,
)


def council_short_name(name):
    """The council's name as people say it: "Stockport" for "Stockport Metropolitan Borough Council".
    A name that does not end with "… Council" is kept whole."""
    short = COUNCIL_SUFFIX.sub("", name.strip())
    return short or name


def loaded_reason(council):
    return f"Loaded from the {council_short_name(council.name)} challenge" if council else "Loaded from a fixture"


def replaced_reason(council):
    where = f"the {council_short_name(council.name)} challenge" if council else "a fixture"
    return f"Replaced from {where} (loaddata --overwrite)"


def describe_counts(objects):
    """How many of each kind, in the order first met, e.g. "1 council, 39 actions and 39 progress updates"."""
    counts = Counter(type(obj) for obj in objects)
    parts = [
        f"{n} {model._meta.verbose_name if n == 1 else model._meta.verbose_name_plural}" for model, n in counts.items()
    ]
    if len(parts) > 1:
        return f"{', '.join(parts[:-1])} and {parts[-1]}"
    return parts[0] if parts else "nothing"


def label_of(obj):
    """'council “Stockport Metropolitan Borough Council”', for messages about particular objects."""
    try:
        return f"{obj._meta.verbose_name} “{obj}”"
    except (ObjectDoesNotExist, AttributeError):  # a reference the fixture had not resolved yet
        return f"{obj._meta.verbose_name} {obj.pk}"


def finish_loading(loaded, *, replaced=()):
    """Bring the loaded actions' statuses in line with their updates, then record each loaded
    history-tracked object's first history entry. `loaded` are the saved model instances;
    `replaced` the (model, pk) of those that overwrote an object already in the database, recorded
    as a change ("~") rather than an addition so the timeline shows what the overwrite did.
    Call it in the loading transaction: the records are then exactly as durable as the load."""
    pks_by_model = defaultdict(set)
    for obj in loaded:
        pks_by_model[type(obj)].add(obj.pk)
    _refresh_loaded_actions(pks_by_model[Action], pks_by_model[ProgressUpdate])
    now = timezone.now()
    replaced = set(replaced)
    for model, pks in pks_by_model.items():
        if pks:
            _record_first_history(model, pks, replaced, now)


def _refresh_loaded_actions(action_pks, update_pks):
    """The loaded actions and the actions of loaded updates (an update-only fixture changes them too)."""
    if not (action_pks or update_pks):
        return
    actions = Action.objects.filter(Q(pk__in=action_pks) | Q(progress_updates__in=update_pks)).distinct()
    refresh_actions(actions)


def _record_first_history(model, pks, replaced, when):
    try:
        manager = get_history_manager_for_model(model)
    except NotHistoricalModelError:
        return
    objects = model._default_manager.filter(pk__in=pks).order_by("pk")
    path = COUNCIL_PATHS.get(model)
    if path:
        objects = objects.select_related(path)
    max_length = manager.model._meta.get_field("history_change_reason").max_length
    added, changed = [], []
    for obj in objects:
        council = functools.reduce(getattr, path.split("__"), obj) if path else None
        was_replaced = (model, obj.pk) in replaced
        reason = replaced_reason(council) if was_replaced else loaded_reason(council)
        obj._change_reason = reason[:max_length]
        (changed if was_replaced else added).append(obj)
    manager.bulk_history_create(added, default_date=when)
    manager.bulk_history_create(changed, update=True, default_date=when)
