"""Status lights in pages: ``{% load lights %}``.

* ``{% light assignment %}`` — a coloured dot and its label (绿/黄/红/灰/已办结) for one assignment;
* ``{% task_light task %}`` — the worst light of the task's assignments the user may see (uses the
  prefetched ``task.assignments``; a liaison sees the light of their own unit's assignment);
* ``{{ "red"|light_label }}`` — the label of a light key.

The calendar, today and each plan's yellow-light setting are looked up once per request.
"""
from __future__ import annotations

from django import template
from django.utils.html import format_html

from duban.plans import access, deadlines

register = template.Library()


class _RequestLights:
    def __init__(self):
        from duban.workcal.services import get_calendar

        self.calendar = get_calendar()
        self.today = deadlines.office_today()
        self._by_plan: dict[int, deadlines.Lights] = {}

    def visible_units(self, user) -> set[int]:
        """The units whose assignments the user sees (access.visible_units): all for the office, one for a liaison."""
        if not hasattr(self, "_units"):
            self._units = set(access.visible_units(user).values_list("pk", flat=True)) if user is not None else set()
        return self._units

    def for_plan(self, plan_id: int) -> deadlines.Lights:
        if plan_id not in self._by_plan:
            if not hasattr(self, "_yellow"):  # every plan's setting in one query, not one per plan on the page
                from duban.reminders.models import ReminderRule

                self._yellow = dict(ReminderRule.objects.values_list("plan_id", "yellow_days"))
            yellow = self._yellow.get(plan_id, deadlines.DEFAULT_YELLOW_DAYS)
            self._by_plan[plan_id] = deadlines.Lights(self.calendar, self.today, yellow)
        return self._by_plan[plan_id]


def _lights(context) -> _RequestLights:
    request = context.get("request")
    holder = getattr(request, "_duban_lights", None) if request is not None else None
    if holder is None:
        holder = _RequestLights()
        if request is not None:
            request._duban_lights = holder
    return holder


def _dot(key: str, title: str) -> str:
    return format_html(
        '<span class="light light-{}" title="{}"><i class="light-dot" aria-hidden="true"></i>{}</span>',
        key, title, deadlines.LIGHT_LABELS[key],
    )


def _title(key: str, assignment, task) -> str:
    if key == deadlines.GREY:
        return deadlines.grey_reason(task, assignment) or (deadlines.STATE_LABELS[deadlines.CALENDAR_MISSING] if assignment.due_date else "")
    title = deadlines.LIGHT_TITLES[key]
    if assignment.due_date and key != deadlines.DONE:
        title += f"，完成日期 {assignment.due_date:%Y-%m-%d}"
    if key == deadlines.REVIEW:
        title = "已报送，待审核（不计逾期）"
    return title


@register.simple_tag(takes_context=True)
def light(context, assignment):
    task = assignment.task
    key = _lights(context).for_plan(task.plan_id)(assignment)
    return _dot(key, _title(key, assignment, task))


@register.simple_tag(takes_context=True)
def task_light(context, task):
    units = _lights(context).visible_units(getattr(context.get("request"), "user", None))
    mine = [a for a in task.assignments.all() if a.unit_id in units]
    if not mine:
        return ""
    lights = _lights(context).for_plan(task.plan_id)
    keys = [lights(a) for a in mine]
    key = deadlines.worst(keys)
    if len(mine) == 1:
        return _dot(key, _title(key, mine[0], task))
    counts = "，".join(f"{deadlines.LIGHT_LABELS[k]} {keys.count(k)}" for k in deadlines.LIGHT_ORDER if k in keys)
    return _dot(key, f"{len(mine)} 个单位：{counts}")


@register.filter
def light_label(key: str) -> str:
    return deadlines.LIGHT_LABELS.get(key, key)
