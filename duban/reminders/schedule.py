"""When an assignment is reminded: the stages of one due date, on the working-day calendar.

For a due date D and a rule (days_before "5,3,1", on_due_day, escalate every N working days):

* ``before5``, ``before3``, ``before1``: on the 5th, 3rd, 1st working day before D
  (``calendar.subtract_working_days(D, k)``, D itself not counted);
* ``due``: on D, only when D is a working day. For a due date on a non-working day (2021-10-31 is a
  Sunday) there is no separate due-day reminder: the 1-working-day-before reminder (Friday 10-29) is
  the last one before the deadline;
* ``escalate1``: on the first working day after D (2021-11-01), then ``escalate2``, ``escalate3`` …
  every N working days after that (11-08, 11-15 … with N = 5) until the assignment is submitted.

``current_stage(...)`` is the latest stage whose day is on or before today. `duban remind` sends that
one stage if it has not been sent yet, and nothing else: when the timer was down on a reminder day,
the next run sends the latest missed stage once — never a burst of every missed one — and its text
says what stands today.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from duban.workcal.calendar import WorkCalendar

REMIND, ESCALATE = "remind", "escalate"


@dataclass(frozen=True)
class Stage:
    day: datetime.date
    name: str  # before5, due, escalate1 …
    kind: str  # remind / escalate


@dataclass(frozen=True)
class Rule:
    """The parts of a ReminderRule the schedule needs (a plain value, so it can key a cache)."""

    days_before: tuple[int, ...] = (5, 3, 1)
    on_due_day: bool = True
    escalate: bool = True
    escalate_every: int = 5

    @classmethod
    def of(cls, rule) -> "Rule":
        return cls(tuple(rule.days_before_list()), rule.on_due_day, rule.escalate, rule.escalate_every)


def stages_until(due: datetime.date, today: datetime.date, rule: Rule, calendar: WorkCalendar) -> list[Stage]:
    """Every stage of this due date whose day is on or before today, in order of day.

    Raises UnknownCalendarYear when a day needed to decide lies in a year without calendar data.
    """
    out: list[Stage] = []
    for k in sorted(set(rule.days_before), reverse=True):
        day = calendar.subtract_working_days(due, k)
        if day > today:
            break  # the stages closer to the due date are later still
        out.append(Stage(day, f"before{k}", REMIND))
    if rule.on_due_day and due <= today and calendar.is_workday(due):
        out.append(Stage(due, "due", REMIND))
    if rule.escalate and due < today:
        day, n = calendar.add_working_days(due, 1), 1
        while day <= today:
            out.append(Stage(day, f"escalate{n}", ESCALATE))
            day, n = calendar.add_working_days(day, rule.escalate_every), n + 1
    return out


def current_stage(due: datetime.date, today: datetime.date, rule: Rule, calendar: WorkCalendar) -> Stage | None:
    """The latest stage on or before today (None before the first reminder day)."""
    stages = stages_until(due, today, rule, calendar)
    return stages[-1] if stages else None
