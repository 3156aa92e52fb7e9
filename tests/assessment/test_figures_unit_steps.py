"""The figures of issue 11's steps, on the simulated 2021 (tests/assessment/year.py): 不涉及 leaves every
count, rate and score; 签收 is counted on its own clock beside the due-date overdue."""
from __future__ import annotations

import datetime as dt

from duban.assessment import figures
from duban.assessment.scoring import assess
from duban.plans.models import Assignment
from duban.workcal.services import get_calendar
from tests.assessment.year import AS_OF, EDUCATION, FINANCE, at


def test_exempt_work_leaves_every_count_and_rate(year):
    """财政 on task 2 never reported (missing, overdue). Approved as 不涉及, it is in no denominator."""
    before = figures.compute(year.plan, AS_OF)
    fin_before = next(u for u in before.units if u.label == FINANCE)
    assert fin_before.overdue == 1 and fin_before.due == 3
    Assignment.objects.filter(pk=year.assignments[2, FINANCE].pk).update(status=Assignment.EXEMPT)
    after = figures.compute(year.plan, AS_OF)
    fin = next(u for u in after.units if u.label == FINANCE)
    assert (fin.total, fin.due, fin.overdue, fin.accepted_due) == (fin_before.total - 1, 2, 0, 2)
    assert fin.done_rate == 1.0 and fin_before.done_rate == 2 / 3
    assert after.assignments.due == before.assignments.due - 1
    assert [o.fact.unit_name for o in after.overdue].count(FINANCE) == 0
    task2 = next(t for t in after.task_rows if t.no == 2)
    assert FINANCE not in task2.outstanding and task2.units.total == 2
    assert figures.exempt_count(year.plan) == 1
    # and the assessment: the unit is no longer scored on it
    lines = {ln.fact.task_no for ln in assess(year.plan, AS_OF).unit(year.units[FINANCE].pk).lines}
    assert 2 not in lines


def test_unacknowledged_and_late_acknowledged_are_counted(year):
    """All work assigned Monday 2021-09-06, two working days to sign: by Wednesday 09-08."""
    Assignment.objects.filter(task__plan=year.plan).update(assigned_at=at(2021, 9, 6), acknowledged_at=None)
    Assignment.objects.filter(pk=year.assignments[5, FINANCE].pk).update(acknowledged_at=at(2021, 9, 7))
    Assignment.objects.filter(pk=year.assignments[3, EDUCATION].pk).update(acknowledged_at=at(2021, 9, 10))
    # The work already started, reported or accepted with no 签收 on record owes none (only open work does).
    facts = figures.compute(year.plan, AS_OF).facts
    open_unsigned = [f for f in facts if f.status in figures.ACK_OPEN and f.acknowledged_at is None]
    assert len(open_unsigned) == 3  # 财政 task 2 and 教体 task 4 in progress, 司法 task 3 not started
    c = figures.acknowledgement(facts, dt.date(2021, 9, 10), get_calendar(), days=2)
    assert (c.on_time, c.late, c.overdue, c.waiting) == (1, 1, 3, 0)
    # On the deadline nothing is late yet; 教体's 签收 of 09-10 had not happened (and its work is closed now).
    c = figures.acknowledgement(facts, dt.date(2021, 9, 8), get_calendar(), days=2)
    assert (c.on_time, c.late, c.overdue, c.waiting) == (1, 0, 0, 3)
    # Changing the rule changes the clock: with five working days nothing is late on 09-10.
    c = figures.acknowledgement(facts, dt.date(2021, 9, 10), get_calendar(), days=5)
    assert (c.late, c.overdue) == (0, 0)
