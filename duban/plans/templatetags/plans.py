"""``{% load plans %}``: ``{% plan_picker plan "dashboard_home" %}``, the plan selector of 看板, 考评, 文书 and
总览: a GET form of the user's plans (access.visible_plans, newest first) that asks the named page for
?plan=<id>; that page opens the chosen plan (or answers 404 for a plan the user may not see)."""
from __future__ import annotations

from django import template

from duban.plans import access

register = template.Library()


@register.inclusion_tag("plans/_plan_picker.html", takes_context=True)
def plan_picker(context, plan, url_name: str):
    plans = list(access.visible_plans(context["request"].user).only("pk", "title", "year"))
    return {"plan": plan, "plans": plans, "url_name": url_name}
