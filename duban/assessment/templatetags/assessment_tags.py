from django import template

from duban.documents.common import percent as _percent

register = template.Library()


@register.filter
def percent(rate):
    """0.875 → "87.5%"; None → "—"."""
    return _percent(rate)
