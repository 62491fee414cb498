"""Indicators over time: the four static figures a progress review quoted become indicators of the
council's peer challenge, each with its values by period.

Every existing indicator is kept: it belongs to its review's challenge, is public (the letter is
public), and its figure and comparator move into one value for the period "At the progress review,
<Month YYYY>", starting on the day the peer team was on site. Indicators of one challenge with the
same name (quoted by two reviews) become one indicator with a value for each review; two with the
same name in one review keep both, the later one named with its order."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def review_period(review):
    return f"At the progress review, {review.on_site:%B %Y}"


def figures_to_values(apps, schema_editor):
    Indicator = apps.get_model("reviews", "Indicator")
    IndicatorValue = apps.get_model("reviews", "IndicatorValue")
    kept = {}  # (challenge id, name) -> the indicator that keeps that name
    periods = {}  # indicator id -> period starts it has a value for
    for indicator in Indicator.objects.select_related("review").order_by("review__on_site", "review_id", "order", "pk"):
        review = indicator.review
        key = (review.challenge_id, indicator.name)
        target = kept.get(key)
        if target is not None and review.on_site in periods[target.pk]:
            indicator.name = f"{indicator.name} ({indicator.order})"[:200]
            key = (review.challenge_id, indicator.name)
            target = kept.get(key)
        if target is None:
            indicator.challenge_id = review.challenge_id
            indicator.public = True
            indicator.save(update_fields=["challenge", "public", "name"])
            kept[key] = target = indicator
            periods[target.pk] = set()
        IndicatorValue.objects.create(
            indicator=target,
            period_start=review.on_site,
            period=review_period(review),
            value=indicator.value,
            comparator_value=indicator.comparator_value,
            comparator_label=indicator.comparator_label,
            comparator=indicator.comparator,
        )
        periods[target.pk].add(review.on_site)
        if target.pk != indicator.pk:
            indicator.delete()  # its figure is now a value of the indicator of the same name
    if schema_editor.connection.vendor == "postgresql":
        # Check the new rows' foreign keys now, so the table can be altered in this transaction.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def values_to_figures(apps, schema_editor):
    """Back to one figure per review: each indicator's value for a review's on-site day."""
    Indicator = apps.get_model("reviews", "Indicator")
    IndicatorValue = apps.get_model("reviews", "IndicatorValue")
    ProgressReview = apps.get_model("reviews", "ProgressReview")
    for indicator in Indicator.objects.all():
        values = IndicatorValue.objects.filter(indicator=indicator)
        first = True
        for value in values.order_by("period_start"):
            review = ProgressReview.objects.filter(challenge_id=indicator.challenge_id, on_site=value.period_start)
            review = review.first()
            if review is None:
                continue
            copy = indicator if first else Indicator.objects.get(pk=indicator.pk)
            if not first:
                copy.pk = None
            copy.review = review
            copy.value = value.value
            copy.comparator_value = value.comparator_value
            copy.comparator_label = value.comparator_label
            copy.comparator = value.comparator
            copy.save()
            first = False
        if first:
            indicator.delete()  # no review quoted it: the old shape has no place for it
    for review in ProgressReview.objects.all():  # the old shape numbers a review's indicators 1, 2, 3
        for order, indicator in enumerate(Indicator.objects.filter(review=review).order_by("order", "name"), 1):
            Indicator.objects.filter(pk=indicator.pk).update(order=order)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0011_richer_record"),
        ("reviews", "0002_richer_record"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # 1. The new fields, the challenge nullable until every row has one; a review may quote
        # several indicators in any order, and an indicator need not be quoted by one.
        migrations.RemoveConstraint(model_name="indicator", name="unique_indicator_order"),
        migrations.AlterField(
            model_name="indicator",
            name="review",
            field=models.ForeignKey(
                blank=True,
                help_text="The progress review that quoted this indicator, if one did",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="indicators",
                to="reviews.progressreview",
                verbose_name="Quoted in the progress review",
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="challenge",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="indicators",
                to="recommendations.peerchallenge",
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="description",
            field=models.TextField(blank=True, verbose_name="What it measures"),
        ),
        migrations.AddField(
            model_name="indicator",
            name="polarity",
            field=models.CharField(
                choices=[("higher", "Higher is better"), ("lower", "Lower is better"), ("not_stated", "Not stated")],
                default="not_stated",
                max_length=20,
                verbose_name="Which way is better",
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="source",
            field=models.CharField(
                blank=True, help_text='Where the figures come from, e.g. "LG Inform"', max_length=200
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="source_id",
            field=models.CharField(blank=True, max_length=50, verbose_name="LG Inform metric id"),
        ),
        migrations.AddField(
            model_name="indicator",
            name="source_url",
            field=models.URLField(blank=True, max_length=500, verbose_name="Link to the source"),
        ),
        migrations.AddField(
            model_name="indicator",
            name="owner",
            field=models.ForeignKey(
                blank=True,
                help_text="An officer or coordinator of the council who keeps its figures up to date",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="owned_indicators",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="frequency",
            field=models.CharField(
                choices=[("monthly", "Monthly"), ("quarterly", "Quarterly"), ("annual", "Annual")],
                default="annual",
                max_length=20,
                verbose_name="Reporting frequency",
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="public",
            field=models.BooleanField(
                default=False,
                help_text="Public indicators are on public pages, reports and open data; "
                "internal ones only for the council's own members",
                verbose_name="Shown to the public",
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="recommendations",
            field=models.ManyToManyField(blank=True, related_name="indicators", to="recommendations.recommendation"),
        ),
        migrations.AddField(
            model_name="indicator",
            name="themes",
            field=models.ManyToManyField(blank=True, related_name="indicators", to="recommendations.theme"),
        ),
        migrations.AddField(
            model_name="indicator",
            name="version",
            field=models.PositiveIntegerField(
                default=1, editable=False, help_text="Raised on every change; guards against lost edits"
            ),
        ),
        migrations.CreateModel(
            name="IndicatorValue",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "period_start",
                    models.DateField(
                        help_text="The first day of the month, quarter or year the figure is for",
                        verbose_name="First day of the period",
                    ),
                ),
                (
                    "period",
                    models.CharField(
                        help_text='The period as people write it, e.g. "2022/23", "Q2 2023/24" or "September 2023"',
                        max_length=50,
                    ),
                ),
                ("value", models.DecimalField(blank=True, decimal_places=3, max_digits=14, null=True)),
                ("target", models.DecimalField(blank=True, decimal_places=3, max_digits=14, null=True)),
                (
                    "comparator_value",
                    models.DecimalField(
                        blank=True,
                        decimal_places=3,
                        help_text="The comparator as a number, if it is one",
                        max_digits=14,
                        null=True,
                        verbose_name="Comparator's figure",
                    ),
                ),
                (
                    "comparator_label",
                    models.CharField(
                        blank=True,
                        help_text='What it is compared with, e.g. "National average"',
                        max_length=100,
                        verbose_name="Comparator",
                    ),
                ),
                (
                    "comparator",
                    models.TextField(
                        blank=True,
                        help_text='e.g. "the third best rate for a Metropolitan Council"',
                        verbose_name="Comparison in words",
                    ),
                ),
                ("note", models.TextField(blank=True)),
                ("entered_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "entered_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "indicator",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="values", to="reviews.indicator"
                    ),
                ),
            ],
            options={
                "ordering": ["indicator", "period_start"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("indicator", "period_start"),
                        name="one_value_per_indicator_period",
                        violation_error_message="This indicator already has a figure for a period starting that day",
                    )
                ],
            },
        ),
        # 2. The figures move into values.
        migrations.RunPython(figures_to_values, values_to_figures),
        # 3. The old shape goes.
        migrations.RemoveField(model_name="indicator", name="value"),
        migrations.RemoveField(model_name="indicator", name="comparator"),
        migrations.RemoveField(model_name="indicator", name="comparator_value"),
        migrations.RemoveField(model_name="indicator", name="comparator_label"),
        migrations.AlterField(
            model_name="indicator",
            name="challenge",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="indicators",
                to="recommendations.peerchallenge",
            ),
        ),
        migrations.AlterField(
            model_name="indicator",
            name="order",
            field=models.PositiveSmallIntegerField(default=0, help_text="Where it comes in lists (lowest first)"),
        ),
        migrations.AlterField(
            model_name="indicator",
            name="name",
            field=models.CharField(max_length=200),
        ),
        migrations.AlterField(
            model_name="indicator",
            name="unit",
            field=models.CharField(blank=True, help_text='e.g. "%" or "per 10,000 children"', max_length=50),
        ),
        migrations.AlterModelOptions(name="indicator", options={"ordering": ["challenge", "order", "name"]}),
        migrations.AddConstraint(
            model_name="indicator",
            constraint=models.UniqueConstraint(
                fields=("challenge", "name"),
                name="unique_indicator_name",
                violation_error_message="This peer challenge already has an indicator with this name: use another",
            ),
        ),
    ]
