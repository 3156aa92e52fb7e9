"""Reporting periods of a recurring task (每季度): a window per period, reports filed into their period, missed periods counted.

A year of a quarterly task for 区财政局 on the 2021 calendar (清明 4/3–4/5 off; 国庆 10/1–10/7 off, Saturday 10/9
worked), with the default window: opens 10 working days before each quarter's last day, closes 5 working days after.
Q1 reported on time, Q2 reported in the grace period (late, and awaiting review past the close: never missed),
Q3 and Q4 never reported (missed once their windows close).
"""
import datetime

import pytest
from django.utils import timezone

from duban.assessment import figures
from duban.plans import deadlines
from duban.plans.models import Assignment
from duban.progress import lifecycle
from duban.progress.models import Report
from duban.reminders.models import ReminderRule
from duban.reminders.periods import roll_periods
from duban.workcal import clock
from tests.web.conftest import as_user  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db
D = datetime.date


def at(day: datetime.date, hour: int = 10):
    return clock.at(timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour)))


@pytest.fixture
def quarterly(responsible_assignment):
    """Task 4 made 每季度; 区财政局's assignment assigned on 4 January 2021, due end of Q1."""
    task = responsible_assignment.task
    task.deadline_kind, task.deadline_every, task.deadline_date = "recurring", "quarter", None
    task.save()
    Assignment.objects.filter(pk=responsible_assignment.pk).update(
        assigned_at=timezone.make_aware(datetime.datetime(2021, 1, 4, 9)), due_date=D(2021, 3, 31))
    assert task.plan.year == 2021
    return Assignment.objects.select_related("task", "task__plan").get(pk=responsible_assignment.pk)


def report(a, liaison, day, text):
    with at(day):
        return lifecycle.submit(Assignment.objects.get(pk=a.pk), liaison, lifecycle.ReportDraft(text=text))


def accept(a, coordinator, day):
    with at(day):
        lifecycle.accept(Assignment.objects.get(pk=a.pk), coordinator, "good")


def periods(a, day):
    a = Assignment.objects.select_related("task", "task__plan").get(pk=a.pk)
    return {p.due: p for p in figures.PeriodBook(day).periods([a])[a.pk]}


def states(a, day):
    return {due: p.state for due, p in periods(a, day).items()}


def test_window_opens_and_closes_on_working_days(quarterly):
    q1 = periods(quarterly, D(2021, 3, 1))[D(2021, 3, 31)]
    assert (q1.opens, q1.closes, q1.label) == (D(2021, 3, 17), D(2021, 4, 8), "2021年第一季度")
    assert q1.state == figures.P_UPCOMING
    assert periods(quarterly, D(2021, 3, 17))[D(2021, 3, 31)].state == figures.P_OPEN
    q3 = periods(quarterly, D(2021, 10, 1))[D(2021, 9, 30)]
    assert q3.closes == D(2021, 10, 13)  # 10/8, 10/9 (worked Saturday), 10/11, 10/12, 10/13


def test_plan_settings_move_the_window(quarterly):
    ReminderRule.objects.update_or_create(plan=quarterly.task.plan, defaults={"period_opens": 0, "period_grace": 0})
    q1 = periods(quarterly, D(2021, 4, 1))[D(2021, 3, 31)]
    assert (q1.opens, q1.closes, q1.state) == (D(2021, 3, 31), D(2021, 3, 31), figures.P_MISSED)


def test_a_year_of_quarters_on_time_late_and_missed(quarterly, liaison, coordinator):
    # Q1: reported and accepted before the due date → on time; the next morning's roll opens Q2.
    r1 = report(quarterly, liaison, D(2021, 3, 25), "一季度已公开")
    assert r1.period_due == D(2021, 3, 31)
    accept(quarterly, coordinator, D(2021, 3, 26))
    with at(D(2021, 4, 1)):
        assert roll_periods(D(2021, 4, 1)) == 1
    assert Assignment.objects.get(pk=quarterly.pk).due_date == D(2021, 6, 30)
    assert states(quarterly, D(2021, 4, 9)) == {D(2021, 3, 31): figures.P_ON_TIME, D(2021, 6, 30): figures.P_UPCOMING}

    # Q2: reported in the grace period, reviewed only after the window closed: awaiting, never missed; then late.
    r2 = report(quarterly, liaison, D(2021, 7, 2), "二季度已公开")
    assert r2.period_due == D(2021, 6, 30)
    assert states(quarterly, D(2021, 7, 9))[D(2021, 6, 30)] == figures.P_AWAITING
    assert figures.periods_missed([quarterly], D(2021, 7, 9)) == {quarterly.pk: 0}
    accept(quarterly, coordinator, D(2021, 7, 12))
    with at(D(2021, 7, 13)):
        assert roll_periods(D(2021, 7, 13)) == 1
    assert states(quarterly, D(2021, 7, 13))[D(2021, 6, 30)] == figures.P_LATE

    # Q3: nothing reported. Open until 10/13, missed from 10/14.
    assert states(quarterly, D(2021, 10, 13))[D(2021, 9, 30)] == figures.P_OPEN
    assert figures.periods_missed([quarterly], D(2021, 10, 13)) == {quarterly.pk: 0}
    assert figures.periods_missed([quarterly], D(2021, 10, 14)) == {quarterly.pk: 1}
    # Q4 on the last day of the year: open (its grace runs into January); once closed, missed too.
    assert states(quarterly, D(2021, 12, 31)) == {
        D(2021, 3, 31): figures.P_ON_TIME, D(2021, 6, 30): figures.P_LATE,
        D(2021, 9, 30): figures.P_MISSED, D(2021, 12, 31): figures.P_OPEN,
    }
    assert figures.periods_missed([quarterly], D(2022, 2, 28)) == {quarterly.pk: 2}

    # Earlier periods' reports are all kept, each naming its period.
    assert list(Report.objects.filter(assignment=quarterly).order_by("submitted_at").values_list("period_due", "outcome")) == [
        (D(2021, 3, 31), "accepted"), (D(2021, 6, 30), "accepted")]


def test_a_late_report_for_a_missed_period_makes_it_late(quarterly, liaison, coordinator):
    report(quarterly, liaison, D(2021, 4, 20), "一季度补报")  # after Q1's close (4/8): filed into Q1, still due
    assert figures.periods_missed([quarterly], D(2021, 4, 21)) == {quarterly.pk: 1}  # pending after the close
    accept(quarterly, coordinator, D(2021, 4, 22))
    assert states(quarterly, D(2021, 4, 22))[D(2021, 3, 31)] == figures.P_LATE


def test_work_with_one_due_date_has_no_periods(lead_assignment):
    a = Assignment.objects.select_related("task", "task__plan").get(pk=lead_assignment.pk)
    assert a.task.deadline_kind not in deadlines.PERIODIC_KINDS
    assert figures.PeriodBook(D(2021, 12, 31)).periods([a]) == {a.pk: []}


def test_pages_show_the_period_and_the_missed_count(quarterly, liaison, coordinator, as_user, settings):
    report(quarterly, liaison, D(2021, 3, 25), "一季度已公开")
    accept(quarterly, coordinator, D(2021, 3, 26))
    with at(D(2021, 4, 1)):
        roll_periods(D(2021, 4, 1))
    settings.DUBAN_TODAY = D(2021, 7, 20)  # Q2 (due 6/30, window closed 7/7) never reported

    page = as_user(liaison).get(f"/assignments/{quarterly.pk}/").content.decode()
    assert "本次报送计入<strong>2021年第二季度</strong>" in page and "报送窗口 2021-06-16 至 2021-07-07" in page
    assert "漏报 1 期" in page and "报送周期 2021年第一季度" in page and "按时报送" in page

    unit_page = as_user(liaison).get(f"/units/{quarterly.unit_id}/").content.decode()
    assert "漏报 1 期" in unit_page

    overview = as_user(coordinator).get(f"/overview/?plan={quarterly.task.plan_id}").content.decode()
    # 区财政局's row says 1; the plan's total counts every unit of task 4 (the others, assigned before the year, never reported).
    row = overview[overview.index(f'<tr id="u{quarterly.unit_id}"'):]
    assert "漏报 1 期" in row[:row.index("</tr>")]
    others = Assignment.objects.filter(task=quarterly.task).exclude(pk=quarterly.pk).select_related("task", "task__plan")
    expected = 1 + sum(figures.periods_missed(list(others), D(2021, 7, 20)).values())
    assert expected == 1 + 2 * others.count() and f"漏报 {expected} 期</strong>" in overview

    # Filed into Q2 after its window: Q2 becomes late, nothing is missed any more; Q1's report is still there.
    report(quarterly, liaison, D(2021, 7, 20), "二季度补报")
    accept(quarterly, coordinator, D(2021, 7, 20))
    page = as_user(liaison).get(f"/assignments/{quarterly.pk}/").content.decode()
    assert "漏报" not in page and "逾期报送" in page and "一季度已公开" in page


def test_the_coordinator_sets_the_window_on_the_rule_page(seed_plan, coordinator, as_user):
    form = {"days_before": "5,3,1", "escalate_every": "5", "yellow_days": "5", "report_period": "quarter", "by_inbox": "on"}
    client = as_user(coordinator)
    assert client.post(f"/plans/{seed_plan.pk}/reminders/", form | {"period_opens": "3", "period_grace": "0"}).status_code == 302
    rule = ReminderRule.objects.get(plan=seed_plan)
    assert (rule.period_opens, rule.period_grace) == (3, 0)
    assert client.post(f"/plans/{seed_plan.pk}/reminders/", form).status_code == 302  # left out: kept
    assert ReminderRule.objects.values_list("period_opens", "period_grace").get(plan=seed_plan) == (3, 0)
    bad = client.post(f"/plans/{seed_plan.pk}/reminders/", form | {"period_grace": "-1"})
    assert bad.status_code == 200 and 'class="error"' in bad.content.decode()


def test_a_due_date_moved_within_a_period_files_into_that_period(quarterly, liaison, coordinator):
    Assignment.objects.filter(pk=quarterly.pk).update(due_override=D(2021, 3, 20), due_date=D(2021, 3, 20))
    r = report(quarterly, liaison, D(2021, 3, 19), "一季度提前完成")
    assert r.period_due == D(2021, 3, 20)
    accept(quarterly, coordinator, D(2021, 3, 19))
    assert states(quarterly, D(2021, 4, 30))[D(2021, 3, 31)] == figures.P_ON_TIME
