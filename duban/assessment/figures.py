"""The figures, defined once: what every page and document says about progress at an as-of date.

Everything is computed from duban.assessment.facts (one Fact per assignment) and read through
``working_assignments(plan)``: the one place that decides which assignments count at all.

An assignment's **state** on the as-of date is exactly one of:

* ``accepted``     已通过审核 — accepted on or before the date;
* ``awaiting``     已报送待审核 — the unit submitted on or before the date and the office had not
  accepted it by then. It is the office's review backlog, **never overdue against the unit**;
* ``returned``     退回修改 — the office returned the last report;
* ``in_progress``  推进中 — started (or submitted only after the date);
* ``not_started``  未开始.

Over that partition:

* **due** — the due date in force is on or before the as-of date (work without a due date — ongoing,
  waiting for an event, no deadline — is not due, and neither is work due later);
* **on time** — accepted, and the accepted submission was made on or before the due date (a report
  submitted in time and accepted later is on time); accepted work without a due date is on time;
* **overdue** — returned, in progress or not started, and the due date is *before* the as-of date
  (due today is not yet overdue). Days overdue are given both as calendar days and as working days
  (the Chinese working-day calendar), always labelled.

**不涉及** (exempt) — work the unit declared not its own and the office agreed: left out of every
figure, numerators and denominators alike (``working_assignments``); ``exempt_count`` says how many.

**签收** (acknowledgement) has its own clock: a unit acknowledges new work within
``DUBAN_ACK_WORKING_DAYS`` working days (default 2) of its being assigned. ``AckClock.state`` says, at the
as-of date, whether an assignment is acknowledged (in time or late), waiting, or **领办逾期** (not
acknowledged after that), distinct from the due-date overdue (**反馈逾期**); ``acknowledgement`` counts
them. Only work the unit must report on counts (not the units 负责落实 of a task only lead units report on).

Rates divide by what was due: 完成率 = accepted work that was due ÷ due; 按时完成率 = on-time work
that was due ÷ due. ``None`` when nothing was due.

A **task** is counted once: accepted when all its units are; awaiting when all are accepted or
awaiting; otherwise returned if any unit is, in progress if any unit has started, else not started. It
is due when every unit's due date is due, on time when accepted and every unit on time, overdue when
any unit is overdue. A unit has one assignment per task, so per unit the task and assignment
counts are the same.
"""
from __future__ import annotations

import datetime as dt
from django.db import models
from collections import Counter, OrderedDict
from dataclasses import dataclass, field

from duban.assessment.facts import Fact, completed_on, localdate
from duban.plans.models import Assignment

ACCEPTED, AWAITING, RETURNED, IN_PROGRESS, NOT_STARTED = "accepted", "awaiting", "returned", "in_progress", "not_started"
STATES = [ACCEPTED, AWAITING, RETURNED, IN_PROGRESS, NOT_STARTED]
STATE_LABELS = {ACCEPTED: "已完成", AWAITING: "已报送待审核", RETURNED: "退回修改", IN_PROGRESS: "推进中", NOT_STARTED: "未开始"}
OVERDUE_LABEL = "逾期未完成"


def working_assignments(plan, queryset=None):
    """The assignments of ``plan`` that the figures count (optionally narrowed from ``queryset``).

    Every page and document reads assignments through here, so a rule such as leaving out archived
    assignments is one line in one place."""
    qs = queryset if queryset is not None else Assignment.objects.all()
    if plan is not None:  # None: the queryset's own plans (a unit's page, every year at once)
        qs = qs.filter(task__plan=plan)
    # Archived work (a unit removed from a task, a task dropped by a revision) is kept, never counted;
    # Assignment.objects leaves it out already, a queryset passed in might not. Work approved as 不涉及
    # is nobody's: no denominator includes it.
    return qs.filter(archived_at__isnull=True).exclude(status=Assignment.EXEMPT)


def exempt_counts(queryset) -> dict[int, int]:
    """plan id -> assignments in force of ``queryset`` approved as 不涉及 (left out of the figures); one query."""
    return dict(
        queryset.filter(archived_at__isnull=True, status=Assignment.EXEMPT)
        .order_by().values_list("task__plan_id").annotate(n=models.Count("pk"))
    )


def exempt_count(plan, queryset=None) -> int:
    """Assignments of ``plan`` in force approved as 不涉及 (left out of the figures)."""
    qs = queryset if queryset is not None else Assignment.objects.all()
    return exempt_counts(qs.filter(task__plan=plan)).get(plan.pk, 0)


# --- one assignment ---------------------------------------------------------------------------


def state_on(f: Fact, as_of: dt.date) -> str:
    if f.state_memo is not None and f.state_memo[0] == as_of:  # a Fact does not change once loaded
        return f.state_memo[1]
    state = _state_on(f, as_of)
    f.state_memo = (as_of, state)
    return state


def _state_on(f: Fact, as_of: dt.date) -> str:
    if f.accepted_by(as_of):
        return ACCEPTED
    if f.status in (Assignment.SUBMITTED, Assignment.ACCEPTED):
        return AWAITING if f.submitted_on is not None and f.submitted_on <= as_of else IN_PROGRESS
    if f.status == Assignment.RETURNED:
        return RETURNED
    if f.status == Assignment.IN_PROGRESS:
        started = f.started_on is None or f.started_on <= as_of
        return IN_PROGRESS if started else NOT_STARTED
    return NOT_STARTED


def is_due(f: Fact, as_of: dt.date) -> bool:
    return f.due_date is not None and f.due_date <= as_of


def is_accepted(f: Fact, as_of: dt.date) -> bool:
    return f.accepted_by(as_of)


def done_on_time(due_date: dt.date | None, submitted_at: dt.datetime | None, accepted_at: dt.datetime | None) -> bool:
    """Accepted work is on time when the accepted submission was made on or before the due date (or there is
    no due date). The lights (已办结 / 逾期办结) ask the same question through here."""
    done = completed_on(submitted_at, accepted_at)
    return due_date is None or done is None or done <= due_date


def is_on_time(f: Fact, as_of: dt.date) -> bool:
    # done_on_time(f.due_date, f.submitted_at, f.accepted_at), with the fact's done day worked out once
    return f.accepted_by(as_of) and (f.due_date is None or f.done_on is None or f.done_on <= f.due_date)


OWED = (RETURNED, IN_PROGRESS, NOT_STARTED)


def is_overdue(f: Fact, as_of: dt.date) -> bool:
    """Overdue against the unit: not accepted, not waiting for the office, and past its due date."""
    return f.due_date is not None and f.due_date < as_of and state_on(f, as_of) in OWED


def is_awaiting(f: Fact, as_of: dt.date) -> bool:
    return state_on(f, as_of) == AWAITING


def status_text(f: Fact, as_of: dt.date) -> str:
    """How a list shows one assignment: its state, with 逾期 added only to work the unit owes."""
    state = state_on(f, as_of)
    if state == ACCEPTED:
        return "已完成（按时）" if is_on_time(f, as_of) else "已完成（逾期完成）"
    if state == AWAITING:
        return STATE_LABELS[AWAITING]
    if is_overdue(f, as_of):
        return f"{OVERDUE_LABEL}（{STATE_LABELS[state]}）"
    return STATE_LABELS[state]


# --- 签收 -----------------------------------------------------------------------------------

ACK_NONE, ACK_ON_TIME, ACK_LATE, ACK_WAITING, ACK_OVERDUE = "", "on_time", "late", "waiting", "overdue"
ACK_LABELS = {ACK_ON_TIME: "已签收", ACK_LATE: "已签收（超时）", ACK_WAITING: "待签收", ACK_OVERDUE: "领办逾期"}
ACK_OPEN = (Assignment.NOT_STARTED, Assignment.IN_PROGRESS, Assignment.RETURNED)


class AckClock:
    """The 签收 deadline and state of assignments at one as-of date; the calendar is asked once per day assigned."""

    def __init__(self, cal, as_of: dt.date, days: int | None = None):
        from django.conf import settings
        from django.utils import timezone

        self.cal, self.as_of = cal, as_of
        self.tz = timezone.get_current_timezone()  # looked up once: a copied plan's assignments each have their own time
        self.days = days if days is not None else getattr(settings, "DUBAN_ACK_WORKING_DAYS", 2)
        self._deadline: dict[dt.date, dt.date | None] = {}
        self._days: dict[dt.datetime, dt.date] = {}  # a plan's assignments share their assigned_at: localdate once each

    def _day(self, at: dt.datetime) -> dt.date:
        if at not in self._days:
            self._days[at] = localdate(at, self.tz)
        return self._days[at]

    def deadline(self, assigned_on: dt.date) -> dt.date | None:
        """The last day to acknowledge; None when the calendar of that year is missing (never guessed)."""
        from duban.workcal.calendar import UnknownCalendarYear

        if assigned_on not in self._deadline:
            try:
                self._deadline[assigned_on] = self.cal.add_working_days(assigned_on, self.days) if self.cal is not None else None
            except UnknownCalendarYear:
                self._deadline[assigned_on] = None
        return self._deadline[assigned_on]

    def state(self, assigned_at, acknowledged_at, status: str, must_report: bool = True) -> str:
        if not must_report or assigned_at is None:
            return ACK_NONE
        assigned_on = self._day(assigned_at)
        deadline = self.deadline(assigned_on)
        if acknowledged_at is not None:
            acknowledged_on = localdate(acknowledged_at, self.tz)
            if acknowledged_on <= self.as_of:
                return ACK_LATE if deadline is not None and acknowledged_on > deadline else ACK_ON_TIME
        if status not in ACK_OPEN:  # closed without a 签收 (统一办结): nothing owed
            return ACK_NONE
        if assigned_on > self.as_of:
            return ACK_NONE
        return ACK_OVERDUE if deadline is not None and self.as_of > deadline else ACK_WAITING


@dataclass
class AckCounts:
    waiting: int = 0  # not acknowledged, still in time
    overdue: int = 0  # 领办逾期: not acknowledged past the deadline
    late: int = 0  # acknowledged after the deadline
    on_time: int = 0

    @property
    def unacknowledged(self) -> int:
        return self.waiting + self.overdue


def acknowledgement(facts: list[Fact], as_of: dt.date, cal, days: int | None = None) -> AckCounts:
    """How the units stand with 签收 at ``as_of``: waiting, 领办逾期, acknowledged late, on time."""
    clock, c = AckClock(cal, as_of, days), AckCounts()
    for f in facts:
        state = clock.state(f.assigned_at, f.acknowledged_at, f.status, f.must_report)
        if state:
            setattr(c, state, getattr(c, state) + 1)
    return c


# --- counts -----------------------------------------------------------------------------------


@dataclass
class Counts:
    """Counts of assignments (or tasks); the five states add up to ``total``."""

    key: object = None
    label: str = ""
    total: int = 0
    due: int = 0  # due on or before the as-of date
    accepted: int = 0  # all accepted by the date, due or not
    accepted_due: int = 0  # accepted, of those due
    on_time: int = 0  # accepted on time, of those due
    awaiting: int = 0
    awaiting_before_due: int = 0  # submitted on or before the due date (or without one)
    returned: int = 0
    in_progress: int = 0
    not_started: int = 0
    overdue: int = 0  # returned / in progress / not started, past the due date

    @property
    def not_due(self) -> int:
        return self.total - self.due

    @property
    def late(self) -> int:
        """Accepted after the due date (of those due)."""
        return self.accepted_due - self.on_time

    @property
    def done_rate(self) -> float | None:
        return self.accepted_due / self.due if self.due else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.due if self.due else None

    # the names the dashboard templates used
    @property
    def assigned(self) -> int:
        return self.total

    @property
    def done(self) -> int:
        return self.accepted

    def count(self, state: str, *, due: bool, accepted_due: bool, on_time: bool, overdue: bool, before_due: bool,
              n: int = 1) -> None:
        """n assignments (or tasks) of this state and kind."""
        self.total += n
        self.due += due * n
        self.accepted += (state == ACCEPTED) * n
        self.accepted_due += accepted_due * n
        self.on_time += on_time * n
        self.awaiting += (state == AWAITING) * n
        self.awaiting_before_due += (state == AWAITING and before_due) * n
        self.returned += (state == RETURNED) * n
        self.in_progress += (state == IN_PROGRESS) * n
        self.not_started += (state == NOT_STARTED) * n
        self.overdue += overdue * n

    def add(self, f: Fact, as_of: dt.date) -> None:
        self.add_kind(kind_on(f, as_of))

    def add_kind(self, kind: tuple, n: int = 1) -> None:
        """n assignments of this kind_on()."""
        state, due, accepted_due, on_time, overdue, before_due = kind
        self.count(state, due=due, accepted_due=accepted_due, on_time=on_time, overdue=overdue, before_due=before_due, n=n)

    def add_all(self, facts, as_of: dt.date) -> None:
        """Every fact: the few kinds tallied first, then counted once each (a page counts every assignment in
        several tables)."""
        kinds = Counter(kind_on(f, as_of) for f in facts)
        for kind, n in kinds.items():
            self.add_kind(kind, n)


def kind_on(f: Fact, as_of: dt.date) -> tuple:
    """What Counts counts of a fact at the as-of date: (state, due, accepted_due, on_time, overdue, before_due).
    is_due, is_on_time and is_overdue spelt out over the one state, worked out once per fact and date."""
    if f.kind_memo is not None and f.kind_memo[0] == as_of:
        return f.kind_memo[1]
    state, due_date = state_on(f, as_of), f.due_date
    due = due_date is not None and due_date <= as_of
    accepted_due = due and state == ACCEPTED
    on_time = accepted_due and (f.done_on is None or f.done_on <= due_date)
    before_due = due_date is None or (f.submitted_on is not None and f.submitted_on <= due_date)
    overdue = due_date is not None and due_date < as_of and state in OWED
    kind = (state, due, accepted_due, on_time, overdue, before_due)
    f.kind_memo = (as_of, kind)
    return kind


@dataclass
class TaskFigure:
    task_id: int
    no: int
    requirement: str
    section_title: str
    state: str
    due: bool
    on_time: bool
    overdue: bool
    units: Counts  # its assignments
    outstanding: list[str] = field(default_factory=list)  # units not accepted by the date
    overdue_units: list[str] = field(default_factory=list)
    awaiting_units: list[str] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


def task_figure(fs: list[Fact], as_of: dt.date) -> TaskFigure:
    units = Counts(fs[0].task_id, f"第{fs[0].task_no}项")
    units.add_all(fs, as_of)
    states = [state_on(f, as_of) for f in fs]
    if all(s == ACCEPTED for s in states):
        state = ACCEPTED
    elif all(s in (ACCEPTED, AWAITING) for s in states):
        state = AWAITING
    elif RETURNED in states:
        state = RETURNED
    elif any(s != NOT_STARTED for s in states):
        state = IN_PROGRESS
    else:
        state = NOT_STARTED
    due = all(is_due(f, as_of) for f in fs)
    order = sorted(fs, key=lambda f: (f.unit_sort, f.unit_name))
    return TaskFigure(
        task_id=fs[0].task_id, no=fs[0].task_no, requirement=fs[0].requirement, section_title=fs[0].section_title,
        state=state, due=due, on_time=state == ACCEPTED and all(is_on_time(f, as_of) for f in fs),
        overdue=units.overdue > 0, units=units,
        outstanding=[f.unit_name for f in order if state_on(f, as_of) != ACCEPTED],
        overdue_units=[f.unit_name for f in order if is_overdue(f, as_of)],
        awaiting_units=[f.unit_name for f in order if state_on(f, as_of) == AWAITING],
    )


def task_counts(tasks: list[TaskFigure]) -> Counts:
    c = Counts(None, "任务")
    for t in tasks:
        c.count(t.state, due=t.due, accepted_due=t.due and t.state == ACCEPTED, on_time=t.due and t.on_time,
                overdue=t.overdue, before_due=True)
    return c


# --- lists ------------------------------------------------------------------------------------


@dataclass
class OverdueItem:
    fact: Fact
    calendar_days: int  # 逾期日历天数: days after the due date up to the as-of date
    working_days: int | None  # 逾期工作日: working days in (due date, as-of]; None when the calendar is missing

    @property
    def days(self) -> int | None:  # what the older lists called "days": working days
        return self.working_days


@dataclass
class AwaitingItem:
    fact: Fact
    submitted_on: dt.date
    age_days: int  # calendar days the report has waited for the office by the as-of date
    before_due: bool


@dataclass
class Backlog:
    """The office's own review backlog: reports submitted and not yet reviewed at the date."""

    items: list[AwaitingItem]

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def before_due(self) -> int:
        return sum(i.before_due for i in self.items)

    @property
    def oldest_days(self) -> int | None:
        return max((i.age_days for i in self.items), default=None)

    @property
    def older_than_week(self) -> int:
        return sum(i.age_days > 7 for i in self.items)


def overdue_items(facts: list[Fact], as_of: dt.date, cal) -> list[OverdueItem]:
    from duban.workcal.calendar import UnknownCalendarYear

    working: dict[dt.date, int | None] = {}
    out = []
    for f in facts:
        if not is_overdue(f, as_of):
            continue
        if f.due_date not in working:
            try:
                working[f.due_date] = cal.working_days_between(f.due_date, as_of) if cal is not None else None
            except UnknownCalendarYear:
                working[f.due_date] = None
        out.append(OverdueItem(f, (as_of - f.due_date).days, working[f.due_date]))
    return sorted(out, key=lambda o: (-o.calendar_days, o.fact.task_no, o.fact.unit_sort, o.fact.unit_name))


def backlog(facts: list[Fact], as_of: dt.date) -> Backlog:
    items = []
    for f in facts:
        if state_on(f, as_of) != AWAITING:
            continue
        day = f.submitted_on
        items.append(AwaitingItem(f, day, (as_of - day).days, f.due_date is None or day <= f.due_date))
    items.sort(key=lambda i: (-i.age_days, i.fact.task_no, i.fact.unit_sort))
    return Backlog(items)


# --- the whole plan ---------------------------------------------------------------------------


def rows_by(facts: list[Fact], as_of: dt.date, key, label) -> list[Counts]:
    out: OrderedDict = OrderedDict()
    groups: dict = {}
    for f in facts:
        k = key(f)
        if k not in out:
            out[k], groups[k] = Counts(k, label(f)), []
        groups[k].append(f)
    for k, c in out.items():
        c.add_all(groups[k], as_of)
    return list(out.values())


def per_unit(facts: list[Fact], as_of: dt.date) -> list[Counts]:
    """A row per unit in the directory's order; grouped first and the few groups sorted (not every fact)."""
    groups: dict[int, list[Fact]] = {}
    for f in facts:
        groups.setdefault(f.unit_id, []).append(f)
    out = []
    for fs in sorted(groups.values(), key=lambda fs: (fs[0].unit_sort, fs[0].unit_name)):
        c = Counts(fs[0].unit_id, fs[0].unit_name)
        c.add_all(fs, as_of)
        out.append(c)
    return out


def per_section(facts: list[Fact], as_of: dt.date) -> list[Counts]:
    return rows_by(facts, as_of, lambda f: f.section_id, lambda f: f.section_title)


def total(facts: list[Fact], as_of: dt.date) -> Counts:
    c = Counts(None, "合计")
    c.add_all(facts, as_of)
    return c


def per_task(facts: list[Fact], as_of: dt.date) -> list[TaskFigure]:
    by_task: OrderedDict[int, list[Fact]] = OrderedDict()
    for f in sorted(facts, key=lambda f: f.task_no):
        by_task.setdefault(f.task_id, []).append(f)
    return [task_figure(fs, as_of) for fs in by_task.values()]


@dataclass
class PlanFigures:
    as_of: dt.date
    assignments: Counts
    tasks: Counts
    task_rows: list[TaskFigure]
    units: list[Counts]
    sections: list[Counts]
    overdue: list[OverdueItem]
    backlog: Backlog
    facts: list[Fact]

    @property
    def unit_count(self) -> int:
        return len(self.units)


def compute(plan, as_of: dt.date, cal=None, facts: list[Fact] | None = None) -> PlanFigures:
    """All the figures of ``plan`` at ``as_of``. ``cal`` (a WorkCalendar) gives the working days overdue."""
    from duban.assessment import facts as facts_mod

    if facts is None:
        facts = facts_mod.load(plan)
    tasks = per_task(facts, as_of)
    return PlanFigures(as_of=as_of, assignments=total(facts, as_of), tasks=task_counts(tasks), task_rows=tasks,
                       units=per_unit(facts, as_of), sections=per_section(facts, as_of),
                       overdue=overdue_items(facts, as_of, cal), backlog=backlog(facts, as_of), facts=facts)


def cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def as_of_text(as_of: dt.date) -> str:
    """What every page and document states: "截至2021年11月15日"."""
    return f"截至{cn_date(as_of)}"


# --- reporting periods of recurring tasks (每季度, 每月, 长期坚持 …) ----------------------------------------
# Each period has a reporting window (duban.plans.deadlines.period_window). A period is
#   on_time  按时报送 — an accepted report filed into it was submitted on or before its due date;
#   late     逾期报送 — accepted, submitted after the due date;
#   awaiting 待审核   — a report filed into it, submitted by the window's close, awaits review (never missed);
#   missed   漏报     — its window has closed without any of the above;
#   open     报送中   — the window is open (or the calendar cannot tell when it closes);
#   upcoming 未开放   — the window has not opened yet.
P_ON_TIME, P_LATE, P_AWAITING, P_MISSED, P_OPEN, P_UPCOMING = "on_time", "late", "awaiting", "missed", "open", "upcoming"
PERIOD_STATE_LABELS = {P_ON_TIME: "按时报送", P_LATE: "逾期报送", P_AWAITING: "已报送待审核", P_MISSED: "漏报",
                       P_OPEN: "报送中", P_UPCOMING: "未开放"}


@dataclass
class Period:
    due: dt.date
    label: str
    opens: dt.date | None
    closes: dt.date | None
    state: str

    @property
    def state_label(self) -> str:
        return PERIOD_STATE_LABELS[self.state]


class PeriodBook:
    """The reporting periods of many assignments at an as-of date: one query for the reports, one rule per plan."""

    def __init__(self, as_of: dt.date, calendar=None, rules: dict | None = None):
        """``rules``: plan id -> ReminderRule already read by the caller (saves a query per plan)."""
        from duban.workcal.services import get_calendar

        self.as_of, self.calendar = as_of, calendar or get_calendar()
        self._rules: dict[int, object] = dict(rules or {})
        self._windows: dict[tuple, tuple] = {}

    def _rule(self, plan_id: int):
        from duban.reminders.models import ReminderRule

        if plan_id not in self._rules:
            self._rules[plan_id] = ReminderRule.for_plan(plan_id, create=False)
        return self._rules[plan_id]

    def _rule_of(self, plan):
        """The plan's rule, from select_related("task__plan__reminder_rule") when the caller read it along."""
        from django.core.exceptions import ObjectDoesNotExist

        from duban.reminders.models import ReminderRule

        read_along = getattr(getattr(plan, "_state", None), "fields_cache", {})
        if plan.pk not in self._rules and "reminder_rule" in read_along:
            try:
                self._rules[plan.pk] = plan.reminder_rule
            except ObjectDoesNotExist:
                self._rules[plan.pk] = ReminderRule(plan_id=plan.pk)
        return self._rule(plan.pk)

    def periods(self, assignments) -> dict[int, list[Period]]:
        """assignment id -> its periods up to the current one (empty for work with one due date).
        The assignments need ``task`` and ``task.plan`` (select_related)."""
        from duban.plans import deadlines
        from duban.progress.models import ACCEPTED as R_ACCEPTED, PENDING as R_PENDING, PROGRESS, Report

        periodic = [a for a in assignments if a.task.deadline_kind in deadlines.PERIODIC_KINDS and a.task.plan.year
                    and a.status != Assignment.EXEMPT]
        filed: dict[int, list[tuple[dt.date, str, dt.date]]] = {}
        # The reports of every assignment given, not only the periodic ones: one query for a page whatever it
        # holds (period_due is set only on reports of periodic tasks).
        ids = [a.pk for a in assignments]
        for i in range(0, len(ids), 500):
            rows = (Report.objects.filter(assignment_id__in=ids[i:i + 500], kind=PROGRESS, period_due__isnull=False,
                                          outcome__in=[R_ACCEPTED, R_PENDING])
                    .values_list("assignment_id", "period_due", "outcome", "submitted_at"))
            for aid, due, outcome, at in rows:
                filed.setdefault(aid, []).append((due, outcome, localdate(at)))
        out: dict[int, list[Period]] = {a.pk: [] for a in assignments}
        for a in periodic:
            task, rule = a.task, self._rule_of(a.task.plan)
            every = deadlines.task_period(task, rule.report_period)
            if every is None:
                continue
            year = task.plan.year
            by_period: dict[dt.date, list[tuple[str, dt.date]]] = {}
            for due, outcome, on in filed.get(a.pk, []):  # a due date moved by the office (调整) files into the period containing it
                end = due if deadlines.is_period_end(due, every, year) else deadlines.period_end(due, every, year)
                by_period.setdefault(end, []).append((outcome, on))
            start = localdate(a.assigned_at) if a.assigned_at else dt.date(year, 1, 1)
            for end in deadlines.period_ends(start, every, task.plan.year, self.as_of):
                key = (end, rule.period_opens, rule.period_grace)
                if key not in self._windows:
                    self._windows[key] = deadlines.period_window(end, self.calendar, rule.period_opens, rule.period_grace)
                opens, closes = self._windows[key]
                out[a.pk].append(Period(end, deadlines.period_label(end, every), opens, closes,
                                        self._state(by_period.get(end, []), end, opens, closes)))
        return out

    def _state(self, reports: list[tuple[str, dt.date]], due: dt.date, opens, closes) -> str:
        from duban.progress.models import ACCEPTED as R_ACCEPTED

        accepted = [on for outcome, on in reports if outcome == R_ACCEPTED and on <= self.as_of]
        if accepted:
            return P_ON_TIME if min(accepted) <= due else P_LATE
        if any(on <= self.as_of and (closes is None or on <= closes) for _, on in reports):
            return P_AWAITING
        if closes is not None and self.as_of > closes:
            return P_MISSED
        if opens is not None and self.as_of < opens:
            return P_UPCOMING
        return P_OPEN


def periods_missed(assignments, as_of: dt.date, calendar=None, rules: dict | None = None) -> dict[int, int]:
    """assignment id -> periods past their reporting window without an accepted report (see PeriodBook)."""
    book = PeriodBook(as_of, calendar, rules)
    return {pk: sum(1 for p in ps if p.state == P_MISSED) for pk, ps in book.periods(assignments).items()}


# --- 回头看: assignments carried over from last year's plan (duban.plans.carry_over) ---------------------


def carried_over(plan, as_of: dt.date) -> tuple[int, int]:
    """(assignments of ``plan`` carried from the previous year's, of which accepted by ``as_of``); archived and
    不涉及 work left out as everywhere (working_assignments)."""
    qs = working_assignments(plan).filter(carried_from__isnull=False)
    accepted = qs.filter(status=Assignment.ACCEPTED, accepted_at__isnull=False).values_list("accepted_at", flat=True)
    return qs.count(), sum(1 for at in accepted if localdate(at) <= as_of)
