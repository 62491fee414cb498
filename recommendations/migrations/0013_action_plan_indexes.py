"""Indexes for the coordinators' action plan, so a page of it reads about a page of rows however many
councils the reader belongs to: plan order (newest challenge first, then recommendation and action,
read in order with an incremental sort), and the sorts by due date, status and recommendation number.
Measured in docs/performance.md, "The action plan at scale"."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0012_council_facts_and_cpc_clock"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="action",
            index=models.Index(fields=["due_date", "id"], name="action_due_idx"),
        ),
        migrations.AddIndex(
            model_name="action",
            index=models.Index(fields=["status", "id"], name="action_status_idx"),
        ),
        migrations.AddIndex(
            model_name="peerchallenge",
            index=models.Index(fields=["-on_site_from", "id"], name="challenge_plan_order_idx"),
        ),
        migrations.AddIndex(
            model_name="recommendation",
            index=models.Index(fields=["number", "id"], name="recommendation_number_idx"),
        ),
    ]
