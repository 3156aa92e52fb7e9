"""Lights for the dashboard, by the reminders' rule (duban.plans.deadlines.Lights) applied to each
assignment as it stood on the as-of date: accepted by then → done; submitted by then and not yet
accepted → submitted; otherwise its current status (未开始/推进中/退回 all light the same way)."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from duban.assessment.facts import Fact, localdate
from duban.plans import deadlines
from duban.plans.models import Assignment

LIGHTS = [(k, deadlines.LIGHT_TITLES[k]) for k in deadlines.LIGHT_ORDER]


def status_on(f: Fact, as_of: dt.date) -> str:
    if f.accepted_by(as_of):
        return Assignment.ACCEPTED
    if f.submitted_at is not None and localdate(f.submitted_at) <= as_of and f.status in (Assignment.SUBMITTED, Assignment.ACCEPTED):
        return Assignment.SUBMITTED
    if f.status in (Assignment.SUBMITTED, Assignment.ACCEPTED):
        return Assignment.IN_PROGRESS
    return f.status


def light_function(facts, as_of: dt.date, cal, yellow_days: int = deadlines.DEFAULT_YELLOW_DAYS):
    """yellow_days: the plan's own threshold (its ReminderRule), so the dashboard agrees with the other pages."""
    lights = deadlines.Lights(cal, as_of, yellow_days)
    return lambda f: lights(SimpleNamespace(status=status_on(f, as_of), due_date=f.due_date))
