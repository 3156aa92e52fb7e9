"""The numbers of the dashboard, from the same facts as the assessment, at an as-of date.

- done: accepted on or before the date; on time: done, and the accepted submission was made on or
  before the due date (or the assignment has no due date); overdue: not done and the due date has passed.
- Rates are shares of all assignments (so on-time rate ≤ completion rate), as in the 督办通报.
- Lights are the reminders' (duban.plans.deadlines), see duban.assessment.lights.
- The trend counts acceptances per week (Monday to Sunday) and their running total.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, OrderedDict
from dataclasses import dataclass

from duban.assessment.facts import Fact, localdate


def is_done(f: Fact, as_of: dt.date) -> bool:
    return f.accepted_by(as_of)


def is_on_time(f: Fact, as_of: dt.date) -> bool:
    return is_done(f, as_of) and (f.due_date is None or f.completed_on() <= f.due_date)


def is_overdue(f: Fact, as_of: dt.date) -> bool:
    return not is_done(f, as_of) and f.due_date is not None and f.due_date < as_of


@dataclass
class Row:
    key: object
    label: str
    assigned: int = 0
    done: int = 0
    on_time: int = 0
    overdue: int = 0

    @property
    def done_rate(self) -> float | None:
        return self.done / self.assigned if self.assigned else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.assigned if self.assigned else None

    def add(self, f: Fact, as_of: dt.date) -> None:
        self.assigned += 1
        self.done += is_done(f, as_of)
        self.on_time += is_on_time(f, as_of)
        self.overdue += is_overdue(f, as_of)


def rows_by(facts: list[Fact], as_of: dt.date, key, label) -> list[Row]:
    out: OrderedDict = OrderedDict()
    for f in facts:
        k = key(f)
        if k not in out:
            out[k] = Row(k, label(f))
        out[k].add(f, as_of)
    return list(out.values())


def per_unit(facts: list[Fact], as_of: dt.date) -> list[Row]:
    ordered = sorted(facts, key=lambda f: (f.unit_sort, f.unit_name))
    return rows_by(ordered, as_of, lambda f: f.unit_id, lambda f: f.unit_name)


def per_section(facts: list[Fact], as_of: dt.date) -> list[Row]:
    return rows_by(facts, as_of, lambda f: f.section_id, lambda f: f.section_title)


def total(facts: list[Fact], as_of: dt.date) -> Row:
    row = Row(None, "合计")
    for f in facts:
        row.add(f, as_of)
    return row


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
    days = [localdate(f.accepted_at) for f in facts if is_done(f, as_of)]
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


@dataclass
class Overdue:
    fact: Fact
    days: int  # working days past the due date


def overdue_list(facts: list[Fact], as_of: dt.date, cal) -> list[Overdue]:
    items = [Overdue(f, cal.working_days_between(f.due_date, as_of)) for f in facts if is_overdue(f, as_of)]
    return sorted(items, key=lambda o: (-o.days, o.fact.task_no, o.fact.unit_sort, o.fact.unit_name))


@dataclass
class OverdueTask:
    """A task with units past the same due date: one line in lists people read (dashboard, 督办通报)."""

    task_id: int
    task_no: int
    requirement: str
    due_date: dt.date
    days: int
    units: list[str]


def overdue_by_task(items: list[Overdue]) -> list[OverdueTask]:
    groups: OrderedDict = OrderedDict()
    for o in sorted(items, key=lambda o: (o.fact.task_no, o.fact.due_date, o.fact.unit_sort, o.fact.unit_name)):
        key = (o.fact.task_id, o.fact.due_date)
        if key not in groups:
            groups[key] = OverdueTask(o.fact.task_id, o.fact.task_no, o.fact.requirement, o.fact.due_date, o.days, [])
        groups[key].units.append(o.fact.unit_name)
    return list(groups.values())
