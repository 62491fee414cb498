"""Evidence files for a page: {% load evidence_tags %}{{ file.content_type|evidence_type }}."""

from django import template

from .. import evidence

register = template.Library()


@register.filter
def evidence_type(content_type):
    """'PDF', 'Word document', 'PNG image', ...: a stored evidence file's type in words."""
    return evidence.type_label(content_type)
