"""How long since a progress update, for a page: {% load staleness %}{{ update.date|age }}."""

from django import template

from .. import staleness

register = template.Library()


@register.filter
def age(date):
    """'45 days ago' (or 'No update yet' for None), counted from today."""
    return staleness.age(date)
