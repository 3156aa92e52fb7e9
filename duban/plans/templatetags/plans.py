"""``{% load plans %}``: ``{% plan_picker plan "dashboard_home" %}``, the plan selector of 看板, 考评, 文书 and
总览: a GET form of the user's plans (access.visible_plans, newest first) that asks the named page for
?plan=<id>; that page opens the chosen plan (or answers 404 for a plan the user may not see).
``{% unit_list units unit %}``: a task's units in the division table."""
from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import mark_safe

from duban.plans import access

register = template.Library()


@register.inclusion_tag("plans/_plan_picker.html", takes_context=True)
def plan_picker(context, plan, url_name: str):
    plans = list(access.visible_plans(context["request"].user).only("pk", "title", "year"))
    return {"plan": plan, "plans": plans, "url_name": url_name}


@register.simple_tag
def unit_list(units, unit=None):
    """A task's units in the division table, the one the table is filtered by marked; more than 8 folded.
    Written here, not as an included template: the table shows every assignment of the plan (2,500 in the seed)."""
    spans = "".join(f'<span class="unit{" hit" if u == unit else ""}">{escape(u.name)}</span>' for u in units)
    if len(units) > 8:
        return mark_safe(f"<details><summary>{len(units)} 个单位</summary>{spans}</details>\n")
    return mark_safe((spans or '<span class="muted">—</span>') + "\n")  # the line end the included template had
