"""Status lights in pages: ``{% load lights %}``. Every light is a coloured dot **and its label**
(已逾期 / 临近期限 / 正常 / 已办结 / 逾期办结 / 待审核 / 时限待定 / 日历未载入), so it reads without hover, on a
phone and in black and white; all pages render lights through the tags below, so they agree.

* ``{% light assignment %}`` — the light of one assignment;
* ``{% task_light task %}`` — the worst light of the task's assignments the user may see (uses the
  prefetched ``task.assignments``, or the rows in ``task.light_rows``; a liaison sees the light of their own unit's assignment);
  ``{% task_light task unit=unit %}`` — that unit's own light (the division table filtered by a unit);
* ``{% light_key "red" %}`` — a light by its key (legends, column headings, counts);
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


def _dot(key: str, title: str = "") -> str:
    """The one rendering of a light: dot (decoration) + label (the meaning), with the detail in the title."""
    return format_html(
        '<span class="light light-{}" data-light="{}" title="{}"><i class="light-dot" aria-hidden="true"></i>'
        '<span class="light-label">{}</span></span>',
        key, key, title or deadlines.LIGHT_TITLES.get(key, ""), deadlines.LIGHT_LABELS[key],
    )


def _key(lights: deadlines.Lights, assignment, task) -> str:
    key = lights(assignment)
    if key == deadlines.GREY and deadlines.grey_reason(task, assignment) == deadlines.STATE_LABELS[deadlines.CALENDAR_MISSING]:
        return deadlines.NO_CALENDAR  # an event-relative date the missing calendar cannot count yet
    return key


def _title(key: str, assignment, task) -> str:
    if key == deadlines.GREY:
        return deadlines.grey_reason(task, assignment) or deadlines.LIGHT_TITLES[key]
    title = deadlines.LIGHT_TITLES[key]
    if assignment.due_date and key != deadlines.REVIEW:
        title += f"，完成日期 {assignment.due_date:%Y-%m-%d}"
    return title


@register.simple_tag(takes_context=True)
def light(context, assignment):
    task = assignment.task
    key = _key(_lights(context).for_plan(task.plan_id), assignment, task)
    return _dot(key, _title(key, assignment, task))


@register.simple_tag(takes_context=True)
def task_light(context, task, unit=None):
    """The worst light of the visible assignments; with ``unit``, only that unit's own."""
    units = _lights(context).visible_units(getattr(context.get("request"), "user", None))
    rows = getattr(task, "light_rows", None)  # the division table's plain rows (duban.plans.views._rows)
    mine = [a for a in (task.assignments.all() if rows is None else rows)
            if a.unit_id in units and (unit is None or a.unit_id == unit.pk)]
    if not mine:
        return ""
    lights = _lights(context).for_plan(task.plan_id)
    keys = [_key(lights, a, task) for a in mine]
    key = deadlines.worst(keys)
    if len(mine) == 1:
        return _dot(key, _title(key, mine[0], task))
    counts = "，".join(f"{deadlines.LIGHT_LABELS[k]} {keys.count(k)}" for k in deadlines.LIGHT_ORDER if k in keys)
    return _dot(key, f"{len(mine)} 个单位：{counts}")


@register.simple_tag
def light_key(key: str, title: str = ""):
    """A light by its key, with its label: legends, column headings, counts."""
    return _dot(key, title) if key in deadlines.LIGHT_LABELS else ""


@register.filter
def light_label(key: str) -> str:
    return deadlines.LIGHT_LABELS.get(key, key)
