"""Lights for the dashboard, by the reminders' rule (duban.plans.deadlines.Lights) applied to each
assignment as it stood on the as-of date: accepted by then → 已办结, or 逾期办结 when the accepted
submission came after the due date (figures.done_on_time, the 按时完成率's rule); submitted by then and not yet
accepted → 待审核; otherwise its current status (未开始/推进中/退回 all light the same way)."""
from __future__ import annotations

import datetime as dt
from duban.assessment import figures
from duban.assessment.facts import Fact
from duban.plans import deadlines
from duban.plans.models import Assignment

LIGHTS = [(k, deadlines.LIGHT_LABELS[k]) for k in deadlines.LIGHT_ORDER]


_STATUS = {figures.ACCEPTED: Assignment.ACCEPTED, figures.AWAITING: Assignment.SUBMITTED, figures.RETURNED: Assignment.RETURNED,
           figures.IN_PROGRESS: Assignment.IN_PROGRESS, figures.NOT_STARTED: Assignment.NOT_STARTED}


def status_on(f: Fact, as_of: dt.date) -> str:
    """The assignment's status on the as-of date, by duban.assessment.figures.state_on."""
    return _STATUS[figures.state_on(f, as_of)]


def light_function(facts, as_of: dt.date, cal, yellow_days: int = deadlines.DEFAULT_YELLOW_DAYS):
    """yellow_days: the plan's own threshold (its ReminderRule), so the dashboard agrees with the other pages."""
    lights = deadlines.Lights(cal, as_of, yellow_days)

    def light(f: Fact) -> str:
        status = status_on(f, as_of)
        if status == Assignment.ACCEPTED:  # Lights.key's rule (figures.done_on_time) with the fact's days worked out once
            return deadlines.DONE if figures.is_on_time(f, as_of) else deadlines.LATE_DONE
        return lights.key(status, f.due_date)

    return light
