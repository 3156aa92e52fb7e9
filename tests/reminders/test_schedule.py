"""The reminder schedule of one due date (pure: the package calendar, no database)."""
import datetime

import pytest

from duban.reminders.schedule import Rule, current_stage, stages_until
from duban.workcal.calendar import UnknownCalendarYear, WorkCalendar

D = datetime.date
CAL = WorkCalendar()
DEFAULT = Rule()


def names(due, today, rule=DEFAULT):
    return [(s.name, s.day) for s in stages_until(due, today, rule, CAL)]


def test_a_sunday_due_date_has_no_due_day_reminder():
    # 2021-10-31 is a Sunday: 5/3/1 working days before are Mon 10/25, Wed 10/27, Fri 10/29;
    # escalation from Monday 11/1, then every 5 working days.
    assert names(D(2021, 10, 31), D(2021, 11, 8)) == [
        ("before5", D(2021, 10, 25)), ("before3", D(2021, 10, 27)), ("before1", D(2021, 10, 29)),
        ("escalate1", D(2021, 11, 1)), ("escalate2", D(2021, 11, 8)),
    ]


def test_a_working_due_date_gets_its_due_day_reminder():
    assert names(D(2021, 12, 31), D(2021, 12, 31)) == [
        ("before5", D(2021, 12, 24)), ("before3", D(2021, 12, 28)), ("before1", D(2021, 12, 30)), ("due", D(2021, 12, 31)),
    ]


def test_around_national_day():
    # Due Monday 10/11: 10/9 (Saturday, worked) is 1 working day before; 9/30 is 3; 9/28 is 5.
    # Due Friday 10/8 (first day back): escalation on Saturday 10/9, a working day.
    assert names(D(2021, 10, 11), D(2021, 10, 11)) == [
        ("before5", D(2021, 9, 28)), ("before3", D(2021, 9, 30)), ("before1", D(2021, 10, 9)), ("due", D(2021, 10, 11)),
    ]
    assert names(D(2021, 10, 8), D(2021, 10, 9))[-2:] == [("due", D(2021, 10, 8)), ("escalate1", D(2021, 10, 9))]
    # Due in the holiday (10/3): reminders before it, none during it; escalation on 10/8.
    assert names(D(2021, 10, 3), D(2021, 10, 8)) == [
        ("before5", D(2021, 9, 26)), ("before3", D(2021, 9, 28)), ("before1", D(2021, 9, 30)), ("escalate1", D(2021, 10, 8)),
    ]


def test_nothing_before_the_first_reminder_day():
    assert current_stage(D(2021, 10, 31), D(2021, 10, 24), DEFAULT, CAL) is None


def test_only_the_latest_missed_stage():
    # The timer was down from 10/22 to 10/28: the run of 10/28 has only before3 to send, not before5 too.
    stage = current_stage(D(2021, 10, 31), D(2021, 10, 28), DEFAULT, CAL)
    assert (stage.name, stage.day, stage.kind) == ("before3", D(2021, 10, 27), "remind")
    # And down for weeks: only the latest escalation.
    stage = current_stage(D(2021, 10, 31), D(2021, 11, 20), DEFAULT, CAL)
    assert (stage.name, stage.day, stage.kind) == ("escalate3", D(2021, 11, 15), "escalate")


def test_rule_options():
    rule = Rule(days_before=(2,), on_due_day=False, escalate=True, escalate_every=2)
    assert names(D(2021, 12, 31), D(2022, 1, 7), rule) == [
        # [2022-01-01..03 元旦] escalations on 1/4, then 1/5 1/6 → 1/6.
        ("before2", D(2021, 12, 29)), ("escalate1", D(2022, 1, 4)), ("escalate2", D(2022, 1, 6)),
    ]
    assert names(D(2021, 12, 31), D(2022, 1, 7), Rule(days_before=(), on_due_day=True, escalate=False)) == [("due", D(2021, 12, 31))]


def test_a_missing_year_is_refused():
    with pytest.raises(UnknownCalendarYear):
        stages_until(D(2027, 1, 15), D(2027, 1, 14), DEFAULT, CAL)
    with pytest.raises(UnknownCalendarYear):  # escalating from 2026 into 2027
        stages_until(D(2026, 12, 31), D(2027, 1, 5), DEFAULT, CAL)
