"""{% count_cells cells %}: the count cells of a row of the 督办总览's 各单位 and 各工作任务 tables."""
from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def count_cells(cells) -> str:
    """A <td> per (label, count), a zero left blank and marked "zero" (greyed). Written here, not by a
    template loop: 44 units × 16 counts were a loop body rendered 700 times (some 5 ms of the page's 70)."""
    return mark_safe("".join(
        f'<td class="num{"" if n else " zero"}" data-label="{conditional_escape(label)}">{n or ""}</td>' for label, n in cells
    ))
