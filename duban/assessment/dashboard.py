"""The numbers of the dashboard, from duban.assessment.figures (the one definition), at an as-of date.

- accepted, on time, awaiting review, overdue: see duban.assessment.figures. Work a unit submitted and
  the office has not yet reviewed is 待审核, never overdue against the unit.
- Rates divide by what was due by the as-of date.
- Lights are the reminders' (duban.plans.deadlines), see duban.assessment.lights.
- The trend counts acceptances per week (Monday to Sunday) and their running total.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, OrderedDict
from dataclasses import dataclass

from duban.assessment import figures
from duban.assessment.facts import Fact

is_done = figures.is_accepted
is_on_time = figures.is_on_time
is_overdue = figures.is_overdue
Row = figures.Counts
rows_by = figures.rows_by
per_unit = figures.per_unit
per_section = figures.per_section
total = figures.total


# --- lights -------------------------------------------------------------------------------------


def light_counts(facts: list[Fact], as_of: dt.date, light) -> list[tuple[str, str, int]]:
    """(key, label, count) for each light of duban.plans.deadlines, worst first, zeros included."""
    from duban.assessment.lights import LIGHTS

    counts = Counter(light(f) for f in facts)
    return [(k, label, counts.get(k, 0)) for k, label in LIGHTS]


# --- trend ----------------------------------------------------------------------------------------


def monday(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=d.weekday())


def weekly_trend(facts: list[Fact], as_of: dt.date, start: dt.date | None = None) -> list[tuple[dt.date, int, int]]:
    """(week's Monday, accepted that week, accepted so far) from the start's week to the as-of week."""
    days = [f.accepted_on for f in facts if is_done(f, as_of)]
    if start is None:
        start = min(days) if days else as_of
    start = min([start] + days)
    per_week = Counter(monday(d) for d in days)
    out, week, running = [], monday(start), 0
    while week <= monday(as_of):
        running += per_week.get(week, 0)
        out.append((week, per_week.get(week, 0), running))
        week += dt.timedelta(days=7)
    return out


# --- overdue list -----------------------------------------------------------------------------------


Overdue = figures.OverdueItem


def overdue_list(facts: list[Fact], as_of: dt.date, cal) -> list[figures.OverdueItem]:
    return figures.overdue_items(facts, as_of, cal)


@dataclass
class OverdueTask:
    """A task with units past the same due date: one line in lists people read (dashboard, 督办通报)."""

    task_id: int
    task_no: int
    requirement: str
    due_date: dt.date
    days: int | None  # working days overdue
    units: list[str]
    calendar_days: int = 0

    # The units as one text each, escaped once in the page rather than name by name (a thousand names in the seed)
    @property
    def units_text(self) -> str:
        return "、".join(self.units)

    @property
    def first_units_text(self) -> str:
        return "、".join(self.units[:8])


def overdue_by_task(items: list[Overdue]) -> list[OverdueTask]:
    groups: OrderedDict = OrderedDict()
    for o in sorted(items, key=lambda o: (o.fact.task_no, o.fact.due_date, o.fact.unit_sort, o.fact.unit_name)):
        key = (o.fact.task_id, o.fact.due_date)
        if key not in groups:
            groups[key] = OverdueTask(o.fact.task_id, o.fact.task_no, o.fact.requirement, o.fact.due_date, o.days, [],
                                       o.calendar_days)
        groups[key].units.append(o.fact.unit_name)
    return list(groups.values())
