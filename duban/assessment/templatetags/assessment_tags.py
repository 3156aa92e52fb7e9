from django import template
from django.utils.safestring import mark_safe

from duban.documents.common import percent as _percent

register = template.Library()


@register.filter
def percent(rate):
    """0.875 → "87.5%"; None → "—"."""
    return _percent(rate)


@register.simple_tag
def trend_rows(trend):
    """The rows of the dashboard's weekly trend table: one a week since the plan was issued (hundreds for a plan
    a few years old), written here rather than by a template loop, which cost about 10 µs a row. Dates and counts
    need no escaping; the numbers are plain, as the page has them ({% localize off %})."""
    return mark_safe("".join(f'<tr><td>{week.isoformat()}</td><td class="num">{n:d}</td><td class="num">{cum:d}</td></tr>'
                             for week, n, cum in trend))
