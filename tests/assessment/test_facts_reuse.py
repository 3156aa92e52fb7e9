"""Facts are loaded once and asked many questions (duban.assessment.figures remembers a fact's state for
the last as-of date, its days and done day): the same facts asked at one date after another give exactly
the figures that facts loaded afresh for each date give, and a status changed in the database shows in
the next load."""
from __future__ import annotations

import datetime as dt

from duban.assessment import facts as facts_mod
from duban.assessment import figures
from duban.assessment.scoring import assess
from duban.plans.models import Assignment
from duban.workcal.services import get_calendar
from tests.assessment.year import AS_OF, FINANCE

DATES = [dt.date(2021, 3, 1), dt.date(2021, 6, 30), AS_OF, dt.date(2021, 6, 30), dt.date(2022, 1, 15)]


def summary(result: figures.PlanFigures) -> tuple:
    return (result.assignments, result.tasks, [(t.no, t.state, t.outstanding, t.overdue_units) for t in result.task_rows],
            result.units, result.sections, [(o.fact.assignment_id, o.calendar_days, o.working_days) for o in result.overdue],
            [(i.fact.assignment_id, i.age_days) for i in result.backlog.items])


def test_one_load_at_many_dates_gives_what_fresh_loads_give(year):
    cal, shared = get_calendar(), facts_mod.load(year.plan)
    for as_of in DATES:
        fresh = figures.compute(year.plan, as_of, cal, facts=facts_mod.load(year.plan))
        again = figures.compute(year.plan, as_of, cal, facts=shared)
        assert summary(again) == summary(fresh), as_of
        scores = {u.unit_id: (u.score, u.on_time, u.late, u.missing, u.awaiting) for u in
                  assess(year.plan, as_of, cal=cal, facts=shared).units}
        assert scores == {u.unit_id: (u.score, u.on_time, u.late, u.missing, u.awaiting) for u in
                          assess(year.plan, as_of, cal=get_calendar()).units}
    assert len({summary(figures.compute(year.plan, d, cal, facts=shared))[0].overdue for d in DATES}) > 1  # the dates differ


def test_a_status_changed_shows_in_the_next_figures(year):
    before = figures.compute(year.plan, AS_OF, get_calendar())
    fin = next(u for u in before.units if u.label == FINANCE)
    assert fin.overdue >= 1
    Assignment.objects.filter(task__plan=year.plan, unit__name=FINANCE).update(status=Assignment.EXEMPT)
    after = figures.compute(year.plan, AS_OF, get_calendar())
    assert FINANCE not in [u.label for u in after.units]
    assert after.assignments.overdue == before.assignments.overdue - fin.overdue
