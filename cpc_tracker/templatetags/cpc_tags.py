"""Template tags for CPC Tracker's shared includes."""

from django import template
from django.http import QueryDict

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The current query string with ``page`` set to ``number``, other parameters kept: ``?status=at_risk&page=2``."""
    request = context.get("request")
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    query["page"] = number
    return f"?{query.urlencode()}"


@register.simple_tag
def elided_page_range(page_obj, on_each_side=1, on_ends=1):
    """Page numbers around the current page, with ``Paginator.ELLIPSIS`` marking each gap."""
    return list(page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=on_each_side, on_ends=on_ends))
