"""A committee report's content as a plain, JSON-ready dict: built from the plan as of a cut-off
date (see the rules in reports/models.py), compared with the previous issued report, and made
readable for templates.

The dict (``FORMAT`` 2)::

    {
      "format": 2, "cut_off": "2023-10-16", "council": "...", "challenge": "...", "challenge_slug": "...",
      "summary": {
        "actions": {"counts": [{"status": "not_started", "count": 0}, ...], "total": 39},
        "recommendations": {"counts": [...], "total": 11},
        "overdue": 0,
        "dates": {"overdue", "not_yet_due", "complete", "dropped", "no_due_date"},   (format 2)
        "themes": [{"number": 1, "title": "...", "actions": {...}, "recommendations": {...}}],
      },
      "themes": [{"number": 1, "title": "...", "recommendations": [RECOMMENDATION, ...]}],
      "unthemed": [RECOMMENDATION, ...],
      "overdue": [{"id", "reference", "description", "recommendation", "due_date", "status"}],
      "updates_by_month": [{"month": "2023-10-01", "count": 39}],
      "review": null | {"id", "on_site", "letter_date",
                        "considerations": [{"id", "title", "text", "actions": [{"id", "reference",
                                            "description", "recommendation", "status"}]}],
                        "indicators": [{"name", "figure", "value", "unit", "comparator",
                                        "comparator_value", "comparator_label"}]   (before format 2 only)},
      "indicators": [INDICATOR, ...],   (format 2: the public indicators; reports before it have none)
      "changes": CHANGES,
    }

    INDICATOR = {"id", "name", "description", "unit", "polarity", "polarity_label", "frequency", "source",
                 "source_id", "source_url", "recommendations": [number], "themes": [number],
                 "values": [{"period", "period_start", "value", "figure", "target", "target_figure",
                             "comparator_value", "comparator_figure", "comparator_label", "comparator",
                             "note", "entered_on"}],   (oldest first; periods begun by the cut-off)
                 "direction": null | {"key", "words", "symbol", "movement", "sentence"},
                 "against_target": null | {"words", "good"}, "against_comparator": null | {"words", "good"}}
    (reports.indicator_data: public indicators only, whoever reads the report)

    RECOMMENDATION = {"id", "number", "title", "status", "actions": [ACTION, ...],
                      "response", "response_reason", "response_agreed_by", "response_agreed_on"}   (format 2)
    ACTION = {"id", "reference", "description", "lead", "timescale", "due_date", "status", "overdue",
              "latest_update": null | {"uid", "date", "created_at", "text", "status", "next_steps" (format 2)},
              "evidence": null | {"completion_evidence", "difference_made"},
              and from format 2: "planned_start", "actual_start", "actual_completion", "days_late",
              "not_yet_due", "closure_reason", "superseded_by": null | {"id", "reference"},
              "waiting_on": [{"id", "reference"}]}

Statuses, evidence, progress to date (the update's text), next steps, closing reasons and leads are
the public ones, by the rules of recommendations.publication, as of the cut-off; so are slippage,
overdue or not yet due, and what an action waits on (recommendations.schedule, with the cut-off as
"today"). Issued reports are never rebuilt: one of an earlier format lacks the keys added since
("evidence" came before format 2), and the templates and `readable` treat a missing key as nothing
to show.
    CHANGES = {"previous": null | {"id", "committee", "meeting_date", "cut_off", "issued_at"},
               "previous_counts": null | [{"status", "count"}],
               "status_changes": [{"id", "reference", "description", "old_status", "new_status"}],
               "new_actions": [{"id", "reference", "description", "status"}],
               "new_updates": [{"id", "reference", "description", "date", "text"}],
               "removed_actions": [{"id", "reference", "description"}]}

Dates are ISO strings and statuses their stored values, so the dict survives JSON unchanged.
"""

import copy
import datetime

from django.urls import reverse

from recommendations import schedule
from recommendations.models import DROPPED_STATUSES, Action, Recommendation, Response, Status, rolled_up_status
from recommendations.publication import evidence as evidence_of
from recommendations.publication import public_lead_of
from reviews.models import ProgressReview

from .indicator_data import indicator_entries
from .selectors import actions_with_public_status, published_updates_by_month

FORMAT = 2


def derive_status(statuses):
    """A recommendation's status from its actions' statuses: recommendations.models.rolled_up_status."""
    return rolled_up_status(statuses)


def status_counts(statuses):
    """{"counts": [{"status", "count"}] in the order of Status, "total"}."""
    statuses = list(statuses)
    return {
        "counts": [{"status": status.value, "count": statuses.count(status)} for status in Status],
        "total": len(statuses),
    }


def _iso(value):
    return value.isoformat() if value is not None else None


def _brief(action):
    return {"id": action.pk, "reference": action.reference}


def _as_of_cut_off(actions):
    """Give each action (from actions_with_public_status as of the cut-off) that status as its
    `public_status`, in memory only, so recommendations.schedule's public rules read the plan as it
    stood on the cut-off date. The actions are never saved."""
    for action in actions:
        action.public_status = action.published_status.value
    return actions


def _waiting_on(challenge, actions, cut_off):
    """{action id: the actions it depends on that were holding it up at the cut-off (overdue, at risk
    or off track by their published status then: schedule.holds_up)}, in plan order. One query."""
    by_id = {action.pk: action for action in actions}
    waiting = {}
    links = Action.depends_on.through.objects.filter(from_action__recommendation__challenge=challenge)
    for from_id, to_id in links.values_list("from_action_id", "to_action_id"):
        other = by_id.get(to_id)
        if from_id in by_id and other is not None and schedule.holds_up(other, public=True, today=cut_off):
            waiting.setdefault(from_id, []).append(other)
    return {action_id: sorted(others, key=schedule.plan_order) for action_id, others in waiting.items()}


def _action_entry(action, cut_off, challenge, by_id, waiting_on):
    update = action.public_update
    status = action.published_status
    evidence = evidence_of(update)  # the published update the status comes from (as of the cut-off)
    dropped = status in DROPPED_STATUSES
    successor = by_id.get(update.superseded_by_id) if dropped and update.superseded_by_id else None
    return {
        "id": action.pk,
        "reference": action.reference,
        "description": action.description,
        "lead": public_lead_of(action, challenge),
        "timescale": action.timescale,
        "due_date": _iso(action.due_date),
        "planned_start": _iso(action.starts_on),
        # As they stood at the cut-off: a start after it had not happened; a finish only once the
        # published status said Complete (schedule.completion_date), as on the public action page.
        "actual_start": _iso(action.actual_start) if action.actual_start and action.actual_start <= cut_off else None,
        "actual_completion": _iso(schedule.completion_date(action, public=True)),
        "status": status.value,
        "overdue": schedule.is_overdue(action, public=True, today=cut_off),
        "not_yet_due": schedule.is_not_yet_due(action, public=True, today=cut_off),
        "days_late": schedule.days_late(action, public=True, today=cut_off),
        "closure_reason": update.closure_reason if dropped else "",
        "superseded_by": None if successor is None else _brief(successor),
        "waiting_on": [_brief(other) for other in waiting_on.get(action.pk, [])],
        "latest_update": None
        if update is None
        else {
            "uid": str(update.uid),
            "date": _iso(update.date),
            "created_at": _iso(update.created_at),
            "text": update.text,
            "next_steps": update.next_steps,
            "status": update.status,
        },
        "evidence": None if evidence is None else {"completion_evidence": evidence[0], "difference_made": evidence[1]},
    }


def build_snapshot(*, challenge, cut_off):
    """The report's content from the plan as of `cut_off`, without the comparison. A fixed number of queries."""
    actions = _as_of_cut_off(actions_with_public_status(challenge, as_of=cut_off))
    by_id = {action.pk: action for action in actions}
    waiting_on = _waiting_on(challenge, actions, cut_off)
    entries = {action.pk: _action_entry(action, cut_off, challenge, by_id, waiting_on) for action in actions}
    actions_by_recommendation = {}
    for action in actions:
        actions_by_recommendation.setdefault(action.recommendation_id, []).append(entries[action.pk])

    recommendations = list(
        Recommendation.objects.filter(challenge=challenge).select_related("theme").order_by("number")
    )
    themes = {
        theme.pk: {"number": theme.number, "title": theme.title, "recommendations": []}
        for theme in challenge.themes.order_by("number")
    }
    unthemed = []
    recommendation_number = {}
    for recommendation in recommendations:
        recommendation_number[recommendation.pk] = recommendation.number
        its_actions = actions_by_recommendation.get(recommendation.pk, [])
        entry = {
            "id": recommendation.pk,
            "number": recommendation.number,
            "title": recommendation.title,
            "status": derive_status(a["status"] for a in its_actions).value,
            "actions": its_actions,
            "response": recommendation.response,
            "response_reason": recommendation.response_reason,
            "response_agreed_by": recommendation.response_agreed_by,
            "response_agreed_on": _iso(recommendation.response_agreed_on),
        }
        if recommendation.theme_id in themes:
            themes[recommendation.theme_id]["recommendations"].append(entry)
        else:
            unthemed.append(entry)

    theme_summaries = [
        {
            "number": theme["number"],
            "title": theme["title"],
            "actions": status_counts(a["status"] for r in theme["recommendations"] for a in r["actions"]),
            "recommendations": status_counts(r["status"] for r in theme["recommendations"]),
        }
        for theme in themes.values()
    ]
    all_recommendations = [r for theme in themes.values() for r in theme["recommendations"]] + unthemed
    overdue = [
        {
            "id": action.pk,
            "reference": action.reference,
            "description": action.description,
            "recommendation": recommendation_number.get(action.recommendation_id),
            "due_date": _iso(action.due_date),
            "status": entries[action.pk]["status"],
        }
        for action in sorted(
            (a for a in actions if entries[a.pk]["overdue"]),
            key=lambda a: (a.due_date, a.recommendation.number, a.reference),
        )
    ]
    months = published_updates_by_month([challenge.pk], until=cut_off)[challenge.pk]

    return {
        "format": FORMAT,
        "cut_off": _iso(cut_off),
        "council": challenge.council.name,
        "challenge": challenge.title,
        "challenge_slug": challenge.slug,
        "summary": {
            "actions": status_counts(entry["status"] for entry in entries.values()),
            "recommendations": status_counts(r["status"] for r in all_recommendations),
            "overdue": len(overdue),
            "dates": schedule.summary_of_dates(actions, public=True, today=cut_off),
            "themes": theme_summaries,
        },
        "themes": list(themes.values()),
        "unthemed": unthemed,
        "overdue": overdue,
        "updates_by_month": [{"month": _iso(month), "count": n} for month, n in months],
        "review": _review(challenge, cut_off, actions, entries, recommendation_number),
        "indicators": indicator_entries(challenge, cut_off),
    }


def _review(challenge, cut_off, actions, entries, recommendation_number):
    review = (
        ProgressReview.objects.filter(challenge=challenge, on_site__lte=cut_off)
        .order_by("-on_site")
        .prefetch_related("considerations")
        .first()
    )
    if review is None:
        return None
    actions_by_consideration = {}
    for action in actions:
        if action.consideration_id:
            entry = entries[action.pk]
            actions_by_consideration.setdefault(action.consideration_id, []).append(
                {
                    "id": action.pk,
                    "reference": action.reference,
                    "description": action.description,
                    "recommendation": recommendation_number.get(action.recommendation_id),
                    "status": entry["status"],
                }
            )
    return {
        "id": review.pk,
        "on_site": _iso(review.on_site),
        "letter_date": _iso(review.letter_date),
        "considerations": [
            {
                "id": consideration.pk,
                "title": consideration.title,
                "text": consideration.text,
                "actions": actions_by_consideration.get(consideration.pk, []),
            }
            for consideration in review.considerations.all()
        ],
    }


def all_actions(snapshot):
    """{action id: ACTION} over every recommendation in a snapshot."""
    recommendations = [r for theme in snapshot["themes"] for r in theme["recommendations"]] + snapshot["unthemed"]
    return {action["id"]: action for r in recommendations for action in r["actions"]}


def _update_key(update):
    return (update["date"], update["created_at"] or "", update["uid"])


def compare(previous, current):
    """What changed from the `previous` issued report's snapshot to `current`: actions whose status
    changed, actions that are new, actions (in both) with a newer latest published update, and
    actions no longer in the plan. Nothing else."""
    if previous is None:
        return {
            "previous_counts": None,
            "status_changes": [],
            "new_actions": [],
            "new_updates": [],
            "removed_actions": [],
        }
    before, now = all_actions(previous), all_actions(current)
    status_changes, new_actions, new_updates = [], [], []
    for action_id, action in now.items():
        brief = {"id": action_id, "reference": action["reference"], "description": action["description"]}
        old = before.get(action_id)
        if old is None:
            new_actions.append(brief | {"status": action["status"]})
            continue
        if old["status"] != action["status"]:
            status_changes.append(brief | {"old_status": old["status"], "new_status": action["status"]})
        latest, old_latest = action["latest_update"], old["latest_update"]
        if latest and (
            old_latest is None or (latest["uid"] != old_latest["uid"] and _update_key(latest) > _update_key(old_latest))
        ):
            new_updates.append(brief | {"date": latest["date"], "text": latest["text"]})
    removed = [
        {"id": action_id, "reference": action["reference"], "description": action["description"]}
        for action_id, action in before.items()
        if action_id not in now
    ]
    return {
        "previous_counts": previous["summary"]["actions"]["counts"],
        "status_changes": status_changes,
        "new_actions": new_actions,
        "new_updates": new_updates,
        "removed_actions": removed,
    }


def build_report_snapshot(*, challenge, cut_off, previous=None):
    """The whole content of a report: the plan as of `cut_off` and what changed since `previous`
    (an issued CommitteeReport, or None)."""
    snapshot = build_snapshot(challenge=challenge, cut_off=cut_off)
    changes = compare(previous.snapshot if previous else None, snapshot)
    changes["previous"] = (
        None
        if previous is None
        else {
            "id": previous.pk,
            "committee": previous.committee,
            "meeting_date": _iso(previous.meeting_date),
            "cut_off": _iso(previous.cut_off),
            "issued_at": _iso(previous.issued_at),
        }
    )
    snapshot["changes"] = changes
    return snapshot


# Making a snapshot readable: ISO strings back to dates, stored values back to Status, links added.

DATE_KEYS = {
    "cut_off",
    "due_date",
    "date",
    "month",
    "on_site",
    "letter_date",
    "meeting_date",
    "planned_start",
    "actual_start",
    "actual_completion",
    "response_agreed_on",
}
DATETIME_KEYS = {"created_at", "issued_at"}
STATUS_KEYS = {"status", "old_status", "new_status"}


def _convert(value, key=None):
    if isinstance(value, dict):
        converted = {k: _convert(v, k) for k, v in value.items()}
        if "counts" in converted and "total" in converted:
            converted["by_status"] = {row["status"].value: row["count"] for row in converted["counts"]}
        if "id" in converted and "reference" in converted and key != "removed_actions":
            converted["url"] = reverse("recommendations:action-detail", args=[converted["id"]])
        return converted
    if isinstance(value, list):
        return [_convert(item, key) for item in value]
    if value is None:
        return None
    if key in DATE_KEYS:
        return datetime.date.fromisoformat(value)
    if key in DATETIME_KEYS:
        return datetime.datetime.fromisoformat(value)
    if key in STATUS_KEYS:
        return Status(value)
    if key == "response":
        return Response(value)
    return value


def _slippage(action):
    """'12 days late' for an action late at the cut-off; 'On time' for one complete on time; '' otherwise
    (not yet due, no due date, dropped, or a report issued before slippage was kept)."""
    days = action.get("days_late")
    if days is None or (days == 0 and action["status"] != Status.COMPLETE):
        return ""
    return schedule.slippage_words(days)


def readable(snapshot, slug=None):
    """A copy of `snapshot` for templates: dates, statuses, each count table's `by_status`, links
    (to the challenge's pages under `slug`, its slug now, if it has changed since)."""
    content = _convert(copy.deepcopy(snapshot))
    slug = slug or content["challenge_slug"]
    recommendations = [r for theme in content["themes"] for r in theme["recommendations"]] + content["unthemed"]
    for recommendation in recommendations:
        recommendation["url"] = reverse("recommendations:recommendation-detail", args=[slug, recommendation["number"]])
        for action in recommendation["actions"]:
            action["slippage"] = _slippage(action)
    for theme in content["themes"]:
        theme["url"] = reverse("recommendations:theme-detail", args=[slug, theme["number"]])
    for theme in content["summary"]["themes"]:
        theme["url"] = reverse("recommendations:theme-detail", args=[slug, theme["number"]])
    if content["review"]:
        content["review"]["url"] = reverse("reviews:review-detail", args=[content["review"]["id"]])
        for consideration in content["review"]["considerations"]:
            consideration["url"] = reverse("reviews:consideration-detail", args=[consideration["id"]])
    # Reports made before indicators had figures over time have no "indicators": they show the figures
    # their review quoted (content["review"]["indicators"]) instead.
    content.setdefault("indicators", None)
    for indicator in content["indicators"] or []:
        indicator["url"] = reverse("reviews:indicator-detail", args=[indicator["id"]])
        indicator["latest"] = indicator["values"][-1] if indicator["values"] else None
        indicator["numbers"] = sum(1 for value in indicator["values"] if value["value"] is not None)
        latest = indicator["latest"] or {}
        said = [indicator["against_target"], indicator["against_comparator"]]
        indicator["standing_words"] = [c["words"] for c in said if c] + (
            [latest["comparator"][:1].upper() + latest["comparator"][1:]] if latest.get("comparator") else []
        )
    content["indicator_comparisons"] = [  # the latest figures against their comparators, for the bar chart
        {"name": indicator["name"], "unit": indicator["unit"]}
        | {key: indicator["latest"][key] for key in ("value", "comparator_value", "comparator_label")}
        for indicator in content["indicators"] or []
        if indicator["latest"]
    ]
    changes = content["changes"]
    changes["any"] = any(changes[k] for k in ("status_changes", "new_actions", "new_updates", "removed_actions"))
    if changes["previous"]:
        changes["previous"]["url"] = reverse("reports:report-detail", args=[changes["previous"]["id"]])
    before = {row["status"]: row["count"] for row in changes["previous_counts"] or []}
    changes["previous_total"] = sum(before.values())
    changes["total_change"] = content["summary"]["actions"]["total"] - changes["previous_total"]
    summary = content["summary"]
    # A previous report issued before a status existed counted none of its actions in it.
    summary["status_rows"] = [
        {"status": actions["status"], "recommendations": recommendations["count"], "actions": actions["count"]}
        | (
            {"before": before.get(actions["status"], 0), "change": actions["count"] - before.get(actions["status"], 0)}
            if changes["previous"]
            else {}
        )
        for actions, recommendations in zip(summary["actions"]["counts"], summary["recommendations"]["counts"])
    ]
    by_status = summary["actions"]["by_status"]
    summary["dropped"] = {
        "not_taken_forward": by_status.get(Status.NOT_TAKEN_FORWARD.value, 0),
        "superseded": by_status.get(Status.SUPERSEDED.value, 0),
    }
    summary["dropped"]["total"] = sum(summary["dropped"].values())
    return content
