"""GIN expression indexes for search (reports.search) on PostgreSQL: on the text it searches of
every kind of record it finds, the same expression FullTextSearch.document builds,
so a search finds its matches without reading every record (110,000 progress updates: from seconds
to milliseconds for a word few of them hold). Other databases (SQLite) search without them.

The indexes are on the plan's tables but belong to search, so they live here; the models do not
declare them (Django's GinIndex cannot be made on SQLite). reports.tests.test_search checks
PostgreSQL uses them.
"""

from django.db import migrations

INDEXES = {
    # name: (table, [(column, weight)])
    "search_progressupdate_idx": ("recommendations_progressupdate", [("text", "B"), ("next_steps", "B")]),
    "search_action_idx": ("recommendations_action", [("reference", "A"), ("description", "B")]),
    "search_recommendation_idx": ("recommendations_recommendation", [("title", "A"), ("text", "B")]),
    "search_finding_idx": ("reviews_finding", [("text", "B")]),
    "search_consideration_idx": ("reviews_consideration", [("title", "A"), ("text", "B")]),
    "search_indicator_idx": ("reviews_indicator", [("name", "A"), ("description", "B")]),
}


def document(columns):
    parts = [
        f"setweight(to_tsvector('english'::regconfig, COALESCE({column}, '')), '{weight}')"
        for column, weight in columns
    ]
    return f"({' || '.join(parts)})"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, columns) in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({document(columns)})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_report_from_round"),
        ("recommendations", "0011_richer_record"),
        ("reviews", "0003_indicators_over_time"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
