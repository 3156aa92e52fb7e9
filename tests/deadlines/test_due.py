"""Due dates for each kind of deadline, on the official 2021 calendar, and the lights.

2021 arrangement (国办发明电〔2020〕27号): 中秋 9/19–9/21 off, Saturday 9/18 worked;
国庆 10/1–10/7 off, Sunday 9/26 and Saturday 10/9 worked.
"""
import datetime
from types import SimpleNamespace

import pytest

from duban.plans import deadlines
from duban.plans.deadlines import CALENDAR_MISSING, NO_DEADLINE, OK, WAITING_EVENT, Due, due_for, light
from duban.plans.models import Assignment, Plan, Task
from duban.workcal.calendar import WorkCalendar

D = datetime.date
CAL = WorkCalendar()  # the chinese_calendar package: 2004–2026, nothing entered for 2027
TODAY = D(2021, 8, 12)  # the day the seed plan was issued


def task(**kw):
    kw.setdefault("plan", Plan(year=2021))
    return Task(no=1, requirement="x", **kw)


# --- date ------------------------------------------------------------------------------------


def test_a_date_is_the_due_date_even_on_a_sunday():
    # 10月31日前完成: 2021-10-31 is a Sunday. The date stays as written (see the module docstring).
    assert due_for(task(deadline_kind="date", deadline_date=D(2021, 10, 31)), CAL, TODAY) == Due(D(2021, 10, 31), OK)


def test_a_date_kind_without_a_date_has_no_deadline():
    assert due_for(task(deadline_kind="date"), CAL, TODAY) == (None, NO_DEADLINE)


@pytest.mark.parametrize("kind", ["", "something-else"])
def test_unknown_kind_has_no_deadline(kind):
    assert due_for(task(deadline_kind=kind), CAL, TODAY) == (None, NO_DEADLINE)


# --- after an event ---------------------------------------------------------------------------


def test_after_event_waits_for_the_event():
    t = task(deadline_kind="after_event", deadline_event="文件成文", deadline_working_days=20)
    assert due_for(t, CAL, TODAY) == (None, WAITING_EVENT)


def test_after_event_counts_working_days_across_mid_autumn_and_national_day():
    # 文件成文 on Wednesday 2021-09-15; 20 working days after it, the day itself not counted:
    #   9/16 Thu 1, 9/17 Fri 2, 9/18 Sat (调休上班) 3, [9/19–9/21 中秋], 9/22 4, 9/23 5, 9/24 6,
    #   [9/25 Sat], 9/26 Sun (调休上班) 7, 9/27 8, 9/28 9, 9/29 10, 9/30 11, [10/1–10/7 国庆],
    #   10/8 Fri 12, 10/9 Sat (调休上班) 13, [10/10 Sun], 10/11 14, 10/12 15, 10/13 16, 10/14 17,
    #   10/15 18, [10/16–17], 10/18 19, 10/19 Tue 20.
    t = task(deadline_kind="after_event", deadline_event="文件成文", deadline_working_days=20, event_date=D(2021, 9, 15))
    assert due_for(t, CAL, TODAY) == (D(2021, 10, 19), OK)


@pytest.mark.parametrize(
    "event, n, due",
    [
        (D(2021, 9, 30), 1, D(2021, 10, 8)),  # the first working day after the holiday
        (D(2021, 10, 8), 1, D(2021, 10, 9)),  # Saturday 10/9 is worked
        (D(2021, 9, 24), 1, D(2021, 9, 26)),  # Friday → Sunday 9/26 (worked), not Monday
        (D(2021, 9, 30), 0, D(2021, 9, 30)),  # "within 0 working days": the event day
    ],
)
def test_after_event_around_national_day(event, n, due):
    t = task(deadline_kind="after_event", deadline_working_days=n, event_date=event)
    assert due_for(t, CAL, TODAY).date == due


def test_after_event_without_a_count_has_no_deadline():
    assert due_for(task(deadline_kind="after_event", event_date=D(2021, 9, 15)), CAL, TODAY) == (None, NO_DEADLINE)


def test_2027_is_refused_not_guessed():
    t = task(deadline_kind="after_event", deadline_event="文件成文", deadline_working_days=20, event_date=D(2027, 3, 1), plan=Plan(year=2027))
    assert due_for(t, CAL, D(2027, 3, 2)) == (None, CALENDAR_MISSING)
    assert "2027年的法定节假日和调休安排尚未录入" in deadlines.calendar_message(t, CAL)
    # An event late in 2026 whose count runs into 2027 is refused too.
    t.event_date = D(2026, 12, 20)
    assert due_for(t, CAL, D(2026, 12, 21)) == (None, CALENDAR_MISSING)


def test_a_plain_2027_date_needs_no_calendar():
    t = task(deadline_kind="date", deadline_date=D(2027, 6, 30), plan=Plan(year=2027))
    assert due_for(t, CAL, D(2027, 1, 5)) == (D(2027, 6, 30), OK)


# --- ongoing and recurring ---------------------------------------------------------------------


def test_ongoing_is_due_at_the_end_of_the_reporting_period():
    t = task(deadline_kind="ongoing")
    assert due_for(t, CAL, TODAY) == (D(2021, 9, 30), OK)  # quarterly by default
    assert due_for(t, CAL, D(2021, 10, 1)).date == D(2021, 12, 31)
    assert due_for(t, CAL, TODAY, report_period="month").date == D(2021, 8, 31)
    assert due_for(t, CAL, TODAY, report_period="half_year").date == D(2021, 12, 31)


def test_periods_stay_inside_the_plan_year():
    t = task(deadline_kind="ongoing")
    assert due_for(t, CAL, D(2020, 11, 20)).date == D(2021, 3, 31)  # a plan read before its year starts
    assert due_for(t, CAL, D(2022, 2, 1)).date == D(2021, 12, 31)  # and after it ended
    weekly = task(deadline_kind="recurring", deadline_every="week")
    assert due_for(weekly, CAL, D(2021, 12, 29)).date == D(2021, 12, 31)  # that week ends on 2022-01-02


@pytest.mark.parametrize(
    "every, due",
    [
        ("week", D(2021, 8, 15)),  # Thursday 8/12 → Sunday
        ("month", D(2021, 8, 31)),
        ("quarter", D(2021, 9, 30)),
        ("half_year", D(2021, 12, 31)),
        ("year", D(2021, 12, 31)),
    ],
)
def test_recurring_is_due_at_the_end_of_its_period(every, due):
    assert due_for(task(deadline_kind="recurring", deadline_every=every), CAL, TODAY) == (due, OK)


def test_recurring_without_a_period_has_no_deadline():
    assert due_for(task(deadline_kind="recurring"), CAL, TODAY) == (None, NO_DEADLINE)


def test_period_helpers():
    assert deadlines.next_period_end(D(2021, 9, 30), "quarter", 2021) == D(2021, 12, 31)
    assert deadlines.next_period_end(D(2021, 12, 31), "quarter", 2021) is None
    assert deadlines.is_period_end(D(2021, 9, 30), "quarter", 2021)
    assert not deadlines.is_period_end(D(2021, 8, 31), "quarter", 2021)
    assert deadlines.period_label(D(2021, 12, 31), "quarter") == "2021年第四季度"


# --- lights ------------------------------------------------------------------------------------


def a(status="not_started", due=D(2021, 10, 31)):
    return SimpleNamespace(status=status, due_date=due)


@pytest.mark.parametrize(
    "today, status, due, expected",
    [
        (D(2021, 10, 22), "not_started", D(2021, 10, 31), "green"),
        # Due Sunday 10/31: the 5th working day before it is Monday 10/25 (29, 28, 27, 26, 25).
        (D(2021, 10, 24), "in_progress", D(2021, 10, 31), "green"),
        (D(2021, 10, 25), "in_progress", D(2021, 10, 31), "yellow"),
        (D(2021, 10, 31), "returned", D(2021, 10, 31), "yellow"),  # the due day itself
        (D(2021, 11, 1), "in_progress", D(2021, 10, 31), "red"),
        (D(2021, 11, 1), "submitted", D(2021, 10, 31), "review"),  # awaiting review (待审核): not the unit's fault
        (D(2021, 10, 25), "submitted", D(2021, 10, 31), "review"),  # nor yellow: the unit has done its part
        (D(2021, 11, 1), "submitted", None, "review"),
        (D(2021, 11, 1), "accepted", D(2021, 10, 31), "done"),
        (D(2021, 11, 1), "not_started", None, "grey"),
        # Due Monday 10/11: 5 working days before are 10/9 (Sat, worked), 10/8, 9/30, 9/29, 9/28.
        (D(2021, 9, 27), "not_started", D(2021, 10, 11), "green"),
        (D(2021, 9, 28), "not_started", D(2021, 10, 11), "yellow"),
    ],
)
def test_lights(today, status, due, expected):
    assert light(a(status, due), today, CAL, 5) == expected


def test_yellow_days_is_a_setting():
    assert light(a(due=D(2021, 10, 31)), D(2021, 10, 27), CAL, 2) == "green"
    assert light(a(due=D(2021, 10, 31)), D(2021, 10, 28), CAL, 2) == "yellow"


def test_a_light_that_needs_a_missing_year_says_the_calendar_is_missing():
    assert light(a(due=D(2027, 1, 6)), D(2026, 12, 31), CAL, 5) == "no_calendar"  # 日历未载入, not a guess
    assert light(a(due=D(2026, 12, 30)), D(2027, 1, 4), CAL, 5) == "red"  # overdue needs no calendar


def test_worst_light_of_a_group():
    assert deadlines.worst(["done", "green", "red"]) == "red"
    assert deadlines.worst(["done", "done"]) == "done"
    assert deadlines.worst([]) is None


# --- stored due dates --------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_stores_due_dates(seed_plan):
    qs = Assignment.objects.filter(task__plan=seed_plan)
    assert qs.filter(task__deadline_kind="date", due_date__isnull=True).count() == 0
    assert set(qs.filter(task__no=2).values_list("due_date", flat=True)) == {D(2021, 10, 31)}
    assert set(qs.filter(task__no=5).values_list("due_date", flat=True)) == {D(2021, 12, 31)}
    assert set(qs.filter(task__no=1).values_list("due_date", flat=True)) == {None}  # waiting for 文件成文


@pytest.mark.django_db
def test_refresh_after_the_event_and_override_wins(seed_plan):
    t1 = Task.objects.get(plan=seed_plan, no=1)
    t1.event_date = D(2021, 9, 15)
    Task.objects.filter(pk=t1.pk).update(event_date=t1.event_date)  # no signal: refresh_task does it
    first, second = t1.assignments.order_by("pk")
    Assignment.objects.filter(pk=second.pk).update(due_override=D(2021, 11, 5), due_override_reason="延期")
    assert deadlines.refresh_task(t1, today=TODAY) == []
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.due_date, second.due_date) == (D(2021, 10, 19), D(2021, 11, 5))


@pytest.mark.django_db
def test_refresh_in_2027_stores_nothing_and_says_why(seed_plan):
    t1 = Task.objects.get(plan=seed_plan, no=1)
    Task.objects.filter(pk=t1.pk).update(event_date=D(2027, 1, 5))
    t1.refresh_from_db()
    messages = deadlines.refresh_task(t1, today=D(2027, 1, 6))
    assert len(messages) == 1 and "第1项" in messages[0] and "2027年" in messages[0]
    assert set(t1.assignments.values_list("due_date", flat=True)) == {None}


@pytest.mark.django_db
def test_editing_a_deadline_refreshes_due_dates(seed_plan, coordinator):
    from duban.plans import editing

    t = Task.objects.get(plan=seed_plan, no=21)  # its 完成时限 cell was empty
    assert set(t.assignments.values_list("due_date", flat=True)) == {None}
    editing.update_task(t, coordinator, {"deadline_kind": "date", "deadline_date": D(2021, 11, 30)}, note="设置完成时限")
    assert set(t.assignments.values_list("due_date", flat=True)) == {D(2021, 11, 30)}


@pytest.mark.django_db
def test_ongoing_due_dates_are_kept_when_refreshed(seed_plan):
    t = Task.objects.get(plan=seed_plan, no=3)
    Task.objects.filter(pk=t.pk).update(deadline_kind="ongoing", deadline_date=None)
    t.refresh_from_db()
    deadlines.refresh_task(t, today=TODAY)
    assert set(t.assignments.values_list("due_date", flat=True)) == {D(2021, 9, 30)}
    # In October the Q3 report is still awaited: refreshing does not skip it.
    deadlines.refresh_task(t, today=D(2021, 10, 12))
    assert set(t.assignments.values_list("due_date", flat=True)) == {D(2021, 9, 30)}
