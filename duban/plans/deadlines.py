"""Due dates and status lights: what each assignment is due by, and how it stands today.

Due dates
---------
``due_for(task, calendar, today)`` returns ``(date | None, state)`` from the task's deadline:

* ``date`` ("10月31日前完成") → that date, as written. A date that falls on a non-working day is
  **not moved**: the plan says "10月31日前", and 2021-10-31 is a Sunday, so the due date stays
  10-31. The light turns red the day after (11-01); the reminders count working days *before* it
  (1 working day before 10-31 is Friday 10-29) and escalation starts on the first working day after
  it (duban.reminders.schedule).
* ``after_event`` ("文件成文后20个工作日内") → the event date plus N working days on the official
  calendar (the event day itself not counted), once someone has recorded the event date; until then
  ``None`` with state ``waiting_event`` (a grey light). When the calendar has no data for a year
  the count runs into (today: 2027), ``None`` with state ``calendar_missing`` — never a guessed date;
  ``refresh_task`` returns the calendar's message so the caller can show it, and the coordinator
  overview lists such tasks.
* ``ongoing`` (长期坚持) → periodic reports: the end of the current reporting period. The period
  is a per-plan setting (``ReminderRule.report_period``, quarterly by default).
* ``recurring`` (每月、每季度……) → the end of the current period of the task's ``deadline_every``.
* no deadline, or one the parser could not read → ``None``, state ``no_deadline`` (the plan's
  review page already asks the coordinator to set it).

Periods are calendar periods (a week ends on Sunday; a month, quarter, half year or year on its last
day) and stay inside the plan's year: the first period of an ongoing task is the one containing today
(or 1 January of the plan year, if earlier), and none ends after 31 December of the plan year.

An assignment's own ``due_override`` (set by the coordinator, with a reason) wins over all of this; next
comes ``due_extended``, the date of an approved extension request (延期申请), which only an approval sets
and which clearing the override therefore leaves in force.
``refresh_task(task)`` / ``refresh_plan(plan)`` store the due date in force on every assignment
(``Assignment.due_date``, one UPDATE per distinct date); they never change an assignment's status.

Periodic reports: how a period rolls over
-----------------------------------------
An assignment of an ongoing or recurring task has one due date at a time: the end of the period whose
report is awaited. ``refresh_task`` keeps a stored due date that is still a period end of the task's
kind, so re-running it does not skip a period whose report is missing. When that report has been
**accepted and the period is over** (today is after the due date), ``duban remind`` moves the due date
to the end of the *next* period and sets the status back to 推进中 (in_progress), with a status-change
record (duban.reminders.periods). One period at a time: a unit that missed a quarter owes that
quarter's report first; nothing is skipped silently. A report not yet accepted never rolls: the
assignment stays due (and, after its date, red and escalated) for its period. After the last period
of the plan year is accepted the assignment stays 已办结.

Reporting windows
-----------------
Each period of a periodic task has a reporting window (``period_window``): it opens ``ReminderRule.period_opens``
working days before the period's due date (default 10) and closes ``ReminderRule.period_grace`` working days
after it (default 5). A report is filed into the period of the assignment's due date when it is submitted
(``Report.period_due``); the unit's report form names that period and its window. A period whose window has
closed without an accepted report (nor one submitted within the window and awaiting review — 待审核 is never
the unit's delay) is **missed**; duban.assessment.figures.periods_of / periods_missed count them, and the
overview and unit page show "漏报 N 期" beside the light. Earlier periods' reports are kept: each names its period.

Lights
------
``light(assignment, today, calendar, yellow_days)`` — anything with ``status`` and ``due_date``:

Each light has a label shown beside its colour (LIGHT_LABELS; duban.plans.templatetags.lights renders both):

* ``done``   已办结: accepted, on time by duban.assessment.figures' rule (the accepted submission was made on
  or before the due date; no due date counts as on time);
* ``late_done`` 逾期办结: accepted, but the accepted submission came after the due date;
* ``grey``   时限待定: no due date (waiting for the event, no deadline, or an event-relative date the calendar
  cannot count yet);
* ``no_calendar`` 日历未载入: a due date whose year's working-day calendar is missing, so "within N working
  days" cannot be said;
* ``review`` 待审核: submitted and awaiting the office's review — never red, whatever the date: the
  office's review backlog is not the unit's delay (duban.assessment.figures counts it the same way);
* ``green``  正常: on track;
* ``red``    已逾期: today is after the due date and nothing has been submitted;
* ``yellow`` 临近期限: the due date is within ``yellow_days`` working days (default 5, a per-plan setting):
  today is on or after the ``yellow_days``-th working day before the due date — the day of the first
  reminder with the default rule.

``Lights(calendar, today, yellow_days)`` does the same for many assignments, computing the calendar
threshold once per distinct due date.
"""
from __future__ import annotations

import calendar as _calendar
import datetime
from collections.abc import Iterable
from typing import NamedTuple

from django.db import transaction

from duban.assessment import figures
from duban.plans import bulk
from duban.plans.models import Assignment, Plan, Task
from duban.workcal import clock
from duban.workcal.calendar import UnknownCalendarYear, WorkCalendar

ONE_DAY = datetime.timedelta(days=1)

# States of a due date.
OK = "ok"
WAITING_EVENT = "waiting_event"
NO_DEADLINE = "no_deadline"
CALENDAR_MISSING = "calendar_missing"
STATE_LABELS = {OK: "", WAITING_EVENT: "等待起算事件", NO_DEADLINE: "未设完成时限", CALENDAR_MISSING: "工作日历缺失"}

# Lights. Every light is shown with its label (the colour alone says nothing on a phone or to a colour-blind reader).
DONE, LATE_DONE, RED, YELLOW, REVIEW, GREEN, GREY, NO_CALENDAR = "done", "late_done", "red", "yellow", "review", "green", "grey", "no_calendar"
LIGHT_LABELS = {RED: "已逾期", YELLOW: "临近期限", GREEN: "正常", DONE: "已办结", LATE_DONE: "逾期办结", REVIEW: "待审核",
                GREY: "时限待定", NO_CALENDAR: "日历未载入"}
LIGHT_TITLES = {GREEN: "正常推进", YELLOW: "临近期限", RED: "已逾期", REVIEW: "已报送，待审核（不计逾期）", GREY: "暂无完成日期",
                DONE: "已按时办结", LATE_DONE: "已办结，但报送晚于完成日期", NO_CALENDAR: "该年度的工作日历尚未载入，暂不能计算"}
# worst first: a task shows the worst light of its assignments
LIGHT_ORDER = [RED, YELLOW, REVIEW, GREEN, NO_CALENDAR, GREY, LATE_DONE, DONE]

PERIODS = ["week", "month", "quarter", "half_year", "year"]
PERIODIC_KINDS = ("ongoing", "recurring")
DEFAULT_REPORT_PERIOD = "quarter"
DEFAULT_YELLOW_DAYS = 5


class Due(NamedTuple):
    date: datetime.date | None
    state: str


def office_today() -> datetime.date:
    """The office's today (Asia/Shanghai), from duban.workcal.clock (which a demo instance can set)."""
    return clock.today()


# --- periods ---------------------------------------------------------------------------------


def period_end(d: datetime.date, every: str, year: int | None = None) -> datetime.date:
    """The last day of the period of kind ``every`` that contains ``d``; not after 31 December of ``year``."""
    if every == "week":
        end = d + datetime.timedelta(days=6 - d.weekday())
    elif every == "month":
        end = d.replace(day=_calendar.monthrange(d.year, d.month)[1])
    elif every == "quarter":
        month = (d.month - 1) // 3 * 3 + 3
        end = datetime.date(d.year, month, _calendar.monthrange(d.year, month)[1])
    elif every == "half_year":
        end = datetime.date(d.year, 6, 30) if d.month <= 6 else datetime.date(d.year, 12, 31)
    elif every == "year":
        end = datetime.date(d.year, 12, 31)
    else:
        raise ValueError(f"unknown period {every!r}")
    if year is not None:
        end = min(end, datetime.date(year, 12, 31))
    return end


def next_period_end(end: datetime.date, every: str, year: int | None = None) -> datetime.date | None:
    """The end of the period after the one ending on ``end``; None when ``end`` is the plan year's last."""
    if year is not None and end >= datetime.date(year, 12, 31):
        return None
    return period_end(end + ONE_DAY, every, year)


def is_period_end(d: datetime.date, every: str, year: int | None = None) -> bool:
    if year is not None and d.year != year:
        return False
    return period_end(d, every, year) == d


def period_label(end: datetime.date, every: str) -> str:
    """How people name the period ending on ``end``: 2021年第四季度, 2021年10月 ……"""
    if every == "quarter":
        return f"{end.year}年第{'一二三四'[(end.month - 1) // 3]}季度"
    if every == "month":
        return f"{end.year}年{end.month}月"
    if every == "half_year":
        return f"{end.year}年{'上' if end.month <= 6 else '下'}半年"
    if every == "year":
        return f"{end.year}年"
    start = end - datetime.timedelta(days=end.weekday())
    return f"{start.month}月{start.day}日所在周"


def period_ends(start: datetime.date, every: str, year: int, upto: datetime.date) -> list[datetime.date]:
    """The period ends of the plan year from the period containing ``start`` to the one containing ``upto``."""
    first = datetime.date(year, 1, 1)
    start = first if not first <= start <= datetime.date(year, 12, 31) else start
    if upto < first:
        return []
    ends, end = [], period_end(start, every, year)
    last = period_end(min(upto, datetime.date(year, 12, 31)), every, year)
    while end is not None and end <= last:
        ends.append(end)
        end = next_period_end(end, every, year)
    return ends


def period_window(end: datetime.date, calendar: WorkCalendar, opens: int, grace: int) -> tuple[datetime.date | None, datetime.date | None]:
    """The reporting window of the period ending on ``end``: it opens ``opens`` working days before the due date
    and closes ``grace`` working days after it (both days included). None where the calendar cannot tell."""
    try:
        start = calendar.subtract_working_days(end, opens) if opens else end
    except UnknownCalendarYear:
        start = None
    try:
        close = calendar.add_working_days(end, grace) if grace else end
    except UnknownCalendarYear:
        close = None
    return start, close


def task_period(task: Task, report_period: str = DEFAULT_REPORT_PERIOD) -> str | None:
    """The reporting period of a periodic task; None for other kinds or a recurring task without one."""
    if task.deadline_kind == "ongoing":
        return report_period if report_period in PERIODS else DEFAULT_REPORT_PERIOD
    if task.deadline_kind == "recurring":
        return task.deadline_every if task.deadline_every in PERIODS else None
    return None


# --- due dates -------------------------------------------------------------------------------


def due_for(task: Task, calendar: WorkCalendar, today: datetime.date, report_period: str = DEFAULT_REPORT_PERIOD) -> Due:
    """The task's due date today and its state (see the module docstring). Overrides are per assignment: not here."""
    kind = task.deadline_kind
    if kind == "date":
        return Due(task.deadline_date, OK) if task.deadline_date else Due(None, NO_DEADLINE)
    if kind == "after_event":
        if task.deadline_working_days is None:
            return Due(None, NO_DEADLINE)
        if task.event_date is None:
            return Due(None, WAITING_EVENT)
        try:
            return Due(calendar.add_working_days(task.event_date, task.deadline_working_days), OK)
        except UnknownCalendarYear:
            return Due(None, CALENDAR_MISSING)
    if kind in PERIODIC_KINDS:
        every = task_period(task, report_period)
        if every is None:
            return Due(None, NO_DEADLINE)
        year = task.plan.year
        base = today
        if year is not None:
            base = min(max(today, datetime.date(year, 1, 1)), datetime.date(year, 12, 31))
        return Due(period_end(base, every, year), OK)
    return Due(None, NO_DEADLINE)


def calendar_message(task: Task, calendar: WorkCalendar) -> str:
    """The calendar's own words on why an event-relative due date cannot be counted yet ("" if it can)."""
    if task.deadline_kind != "after_event" or task.event_date is None or task.deadline_working_days is None:
        return ""
    try:
        calendar.add_working_days(task.event_date, task.deadline_working_days)
    except UnknownCalendarYear as exc:
        return f"第{task.no}项：{exc}"
    return ""


def assignment_due(assignment: Assignment, task: Task, due: Due, report_period: str = DEFAULT_REPORT_PERIOD) -> datetime.date | None:
    """The due date to store on one assignment of ``task``, given the task's ``due``."""
    if assignment.due_override:
        return assignment.due_override
    if getattr(assignment, "due_extended", None):  # an approved 延期申请 (duban.progress.lifecycle.decide_extension)
        return assignment.due_extended
    every = task_period(task, report_period)
    current = assignment.due_date
    if every is not None and current is not None and is_period_end(current, every, task.plan.year):
        return current  # the period whose report is awaited; it rolls only once that report is accepted
    return due.date


def report_period_of(plan: Plan) -> str:
    from duban.reminders.models import ReminderRule  # the per-plan settings live with the reminder rules

    return ReminderRule.for_plan(plan, create=False).report_period


def refresh_task(task: Task, today: datetime.date | None = None, calendar: WorkCalendar | None = None, report_period: str | None = None) -> list[str]:
    """Store the due date in force on each of the task's assignments.

    Returns messages for the user (Chinese), e.g. that the calendar of a year is missing; an empty list
    when all is well. Never raises for a missing calendar year and never guesses a date.
    """
    if calendar is None:
        from duban.workcal.services import get_calendar

        calendar = get_calendar()
    today = today or office_today()
    report_period = report_period or report_period_of(task.plan)
    due = due_for(task, calendar, today, report_period)
    changed: dict[datetime.date | None, list[int]] = {}
    with transaction.atomic():
        for a in Assignment.objects.filter(task=task).select_for_update().only("id", "due_date", "due_override", "due_extended"):
            new = assignment_due(a, task, due, report_period)
            if new != a.due_date:
                changed.setdefault(new, []).append(a.pk)
        for new, ids in changed.items():  # one UPDATE per distinct date: a task's assignments share one or two
            for i in range(0, len(ids), 500):
                Assignment.objects.filter(pk__in=ids[i : i + 500]).update(due_date=new)
    if due.state == CALENDAR_MISSING:
        return [calendar_message(task, calendar)]
    return []


def first_due_dates(plan: Plan, tasks: list[Task], today: datetime.date | None = None, calendar: WorkCalendar | None = None) -> list[datetime.date | None]:
    """The due date each of these tasks' new assignments starts with: what refresh_plan would store on them
    (an import writes it with the assignments instead of updating them afterwards)."""
    if calendar is None:
        from duban.workcal.services import get_calendar

        calendar = get_calendar()
    today = today or office_today()
    report_period = report_period_of(plan)
    return [due_for(t, calendar, today, report_period).date for t in tasks]


def refresh_plan(plan: Plan, today: datetime.date | None = None, calendar: WorkCalendar | None = None) -> list[str]:
    """refresh_task for every task of the plan, with one calendar and one rule. Returns the messages."""
    if calendar is None:
        from duban.workcal.services import get_calendar

        calendar = get_calendar()
    today = today or office_today()
    report_period = report_period_of(plan)
    tasks = {t.pk: t for t in Task.objects.filter(plan=plan).select_related("plan")}
    dues = {pk: due_for(t, calendar, today, report_period) for pk, t in tasks.items()}
    # As refresh_task, but one read and one UPDATE (executemany) for the whole plan: an import calls this
    # inside its transaction, and on SQLite every other writer waits until that commits.
    changed: list[Assignment] = []
    with transaction.atomic():
        rows = Assignment.objects.filter(task__plan=plan).select_for_update(of=("self",)).order_by("pk")
        for a in rows.values_list("id", "task_id", "due_date", "due_override", "due_extended", named=True):  # no model instances
            new = assignment_due(a, tasks[a.task_id], dues[a.task_id], report_period)
            if new != a.due_date:
                changed.append(Assignment(id=a.id, due_date=new))
        bulk.update_rows(Assignment, changed, ["due_date"])
    return [calendar_message(t, calendar) for pk, t in tasks.items() if dues[pk].state == CALENDAR_MISSING]


# --- lights ----------------------------------------------------------------------------------


class Lights:
    """The light of many assignments on one day: the working-day threshold is computed once per due date."""

    def __init__(self, calendar: WorkCalendar, today: datetime.date, yellow_days: int = DEFAULT_YELLOW_DAYS):
        self.calendar, self.today, self.yellow_days = calendar, today, yellow_days
        self._yellow_from: dict[datetime.date, datetime.date | None] = {}

    def yellow_from(self, due: datetime.date) -> datetime.date | None:
        """The first day of the yellow light for this due date; None if the calendar cannot tell."""
        if due not in self._yellow_from:
            try:
                self._yellow_from[due] = self.calendar.subtract_working_days(due, self.yellow_days)
            except UnknownCalendarYear:
                self._yellow_from[due] = None
        return self._yellow_from[due]

    def __call__(self, assignment) -> str:
        return self.key(assignment.status, assignment.due_date, getattr(assignment, "submitted_at", None),
                        getattr(assignment, "accepted_at", None))

    def key(self, status: str, due: datetime.date | None, submitted_at=None, accepted_at=None) -> str:
        """The light of an assignment given as its values (a row of a values_list query)."""
        if status == Assignment.EXEMPT:  # 不涉及, approved: nothing owed
            return DONE
        if status == Assignment.ACCEPTED:
            # On time by the figures' own rule (duban.assessment.figures.done_on_time): the accepted submission's day.
            on_time = figures.done_on_time(due, submitted_at, accepted_at)
            return DONE if on_time else LATE_DONE
        if status == Assignment.SUBMITTED:
            return REVIEW
        if due is None:
            return GREY
        if self.today > due:
            return RED
        start = self.yellow_from(due)
        if start is None:
            return NO_CALENDAR  # the calendar of the due date's year is missing: we cannot say "within N working days"
        return YELLOW if self.today >= start else GREEN


def light(assignment, today: datetime.date, calendar: WorkCalendar, yellow_days: int = DEFAULT_YELLOW_DAYS) -> str:
    """The light key of one assignment (see the module docstring)."""
    return Lights(calendar, today, yellow_days)(assignment)


def worst(lights: Iterable[str]) -> str | None:
    """The light a group shows: the worst of its members; None for an empty group."""
    present = set(lights)
    return next((k for k in LIGHT_ORDER if k in present), None)


def grey_reason(task: Task, assignment=None) -> str:
    """Why an assignment of this task has no due date, in words."""
    if assignment is not None and getattr(assignment, "due_date", None) is not None:
        return ""
    if task.deadline_kind == "after_event" and task.deadline_working_days is not None:
        if task.event_date is None:
            return f"等待“{task.deadline_event or '起算事件'}”日期录入"
        return STATE_LABELS[CALENDAR_MISSING]
    return STATE_LABELS[NO_DEADLINE]
