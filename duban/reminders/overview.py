"""The numbers of the coordinator overview: counts by status and light, per unit and per section, and the overdue list."""
from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db.models import Count, QuerySet

from duban.accounts.models import Profile
from duban.assessment.figures import ACK_OVERDUE, ACK_WAITING, AckClock, exempt_count, periods_missed, working_assignments
from duban.directory.models import Unit
from duban.plans import deadlines
from duban.plans.models import Assignment, Plan, Section, Task
from duban.reminders.models import Urge
from duban.workcal.calendar import UnknownCalendarYear, WorkCalendar

STATUSES = [(k, label) for k, label in Assignment.STATUS_CHOICES if k != Assignment.EXEMPT]  # 不涉及 is not counted
LIGHTS = [(k, deadlines.LIGHT_LABELS[k]) for k in deadlines.LIGHT_ORDER]


@dataclass
class Counts:
    key: object
    label: str
    status: Counter = field(default_factory=Counter)
    light: Counter = field(default_factory=Counter)
    total: int = 0
    ack_waiting: int = 0  # not acknowledged (签收), still in time
    ack_overdue: int = 0  # 领办逾期: not acknowledged past the deadline (the light's red is 反馈逾期)

    def add(self, status: str, light: str, ack: str = "", n: int = 1) -> None:
        """n assignments of this status, light and 签收 state."""
        self.status[status] += n
        self.light[light] += n
        self.total += n
        self.ack_waiting += n if ack == ACK_WAITING else 0
        self.ack_overdue += n if ack == ACK_OVERDUE else 0

    def statuses(self) -> list[int]:
        return [self.status.get(k, 0) for k, _ in STATUSES]

    def lights(self) -> list[int]:
        return [self.light.get(k, 0) for k, _ in LIGHTS]

    def status_cells(self) -> list[tuple[str, int]]:
        return [(label, self.status.get(k, 0)) for k, label in STATUSES]

    def light_cells(self) -> list[tuple[str, int]]:
        return [(label, self.light.get(k, 0)) for k, label in LIGHTS]


@dataclass
class UnitRow(Counts):
    unit: Unit | None = None
    liaisons: int = 0
    last_urge: Urge | None = None
    urged_today: bool = False
    periods_missed: int = 0  # 漏报: periods of recurring tasks closed without a report (figures.periods_missed)


@dataclass
class Row:
    """One line of the overview's list (screen and .xlsx alike): built in row() only, so a column is
    added there, in COLUMNS (the export) and in the template's table."""

    assignment_id: int
    unit: Unit
    task_id: int
    task_no: int
    requirement: str
    role: str
    status: str
    light: str
    section_id: object
    due_date: datetime.date | None
    calendar_days: int | None  # days overdue (red only)
    working_days: int | None  # working days overdue (red only; None when the calendar lacks a year)

    @property
    def role_label(self) -> str:
        return "牵头" if self.role == "lead" else "负责落实"

    @property
    def status_label(self) -> str:
        return dict(STATUSES).get(self.status, self.status)

    @property
    def light_label(self) -> str:
        return deadlines.LIGHT_LABELS.get(self.light, "")


Overdue = Row  # the list's rows were once only the overdue ones

# The .xlsx export of the list: (header, value of a row).
COLUMNS = [
    ("单位", lambda r: r.unit.name),
    ("序号", lambda r: r.task_no),
    ("具体要求", lambda r: r.requirement),
    ("职责", lambda r: r.role_label),
    ("完成日期", lambda r: r.due_date.isoformat() if r.due_date else ""),
    ("逾期工作日", lambda r: r.working_days),
    ("逾期天数", lambda r: r.calendar_days),
    ("状态", lambda r: r.status_label),
    ("灯", lambda r: r.light_label),
]

LIST_LIGHTS = [*LIGHTS, ("all", "全部")]
SORTS = [("due", "完成日期从早到晚"), ("-due", "完成日期从晚到早"), ("overdue", "逾期天数从多到少"), ("unit", "按单位")]


@dataclass
class ListFilter:
    """What the list shows: by default the overdue (red) assignments, oldest due date first."""

    unit: int | None = None
    light: str = deadlines.RED
    status: str = ""
    section: int | None = None
    sort: str = "due"

    def keeps(self, unit_id: int, light: str, status: str, section_id) -> bool:
        return (
            (self.unit is None or unit_id == self.unit)
            and (self.light == "all" or light == self.light)
            and (not self.status or status == self.status)
            and (self.section is None or section_id == self.section)
        )


def sort_rows(rows: list[Row], sort: str) -> None:
    unit = lambda r: (r.unit.sort_order, r.unit.pk)  # noqa: E731
    far = datetime.date.max
    if sort == "-due":
        rows.sort(key=lambda r: (r.due_date is not None, r.due_date or far, -r.unit.sort_order, -r.unit.pk, -r.task_no), reverse=True)
    elif sort == "overdue":
        rows.sort(key=lambda r: (r.calendar_days is None, -(r.calendar_days or 0), unit(r), r.task_no))
    elif sort == "unit":
        rows.sort(key=lambda r: (unit(r), r.task_no, r.role))
    else:
        rows.sort(key=lambda r: (r.due_date or far, unit(r), r.task_no))


@dataclass
class Overview:
    plan: Plan
    today: datetime.date
    total: Counts
    units: list[UnitRow]
    sections: list[Counts]
    rows: list[Row]  # the list, filtered and sorted
    overdue_total: int
    section_choices: list[tuple[int, int, str]]  # (order, id, title) of the top-level sections
    waiting: list[Task]
    calendar_problems: list[str]
    exempt: int = 0
    periods_missed: int = 0

    @property
    def overdue(self) -> list[Row]:
        return [r for r in self.rows if r.light == deadlines.RED]


NO_SECTION = (None, "（未分章节）", 10**6)


def _top_sections(plan: Plan) -> dict[int, tuple[int, str, int]]:
    """section id -> (top-level section id, its title, its order)."""
    rows = {s["id"]: s for s in Section.objects.filter(plan=plan).values("id", "parent_id", "title", "order")}
    out = {}
    for sid in rows:
        top = rows[sid]
        while top["parent_id"] is not None and top["parent_id"] in rows:
            top = rows[top["parent_id"]]
        out[sid] = (top["id"], top["title"], top["order"])
    return out


def build(plan: Plan, assignments: QuerySet[Assignment], units: QuerySet[Unit], today: datetime.date, calendar: WorkCalendar, yellow_days: int,
          shown: ListFilter | None = None, rule=None) -> Overview:
    """One pass over the plan's assignments: the counts, and the list's rows that `shown` keeps (a fixed
    number of queries whatever the size)."""
    shown = shown or ListFilter()
    lights = deadlines.Lights(calendar, today, yellow_days)
    tops = _top_sections(plan)
    scoped, assignments = assignments, working_assignments(plan, assignments)
    rows = (  # no ORDER BY and no text: the counts need no order, the list is sorted as asked (sort_rows)
        assignments.order_by()
        .values_list("id", "status", "due_date", "unit_id", "role", "task_id", "task__no", "task__section_id",
                     "submitted_at", "accepted_at", "assigned_at", "acknowledged_at", "task__report_scope",
                     "task__deadline_kind", "task__deadline_every")
    )
    clock = AckClock(calendar, today)
    unit_by_id = {u.pk: u for u in units.filter(pk__in=assignments.values("unit"))}
    requirements = dict(Task.all_objects.filter(plan=plan).values_list("pk", "requirement"))
    total = Counts(None, "合计")
    overdue_total = 0
    per_unit: dict[int, UnitRow] = {}
    per_section: dict[object, Counts] = {}
    rows_shown: list[Row] = []
    periodic: list[SimpleNamespace] = []
    working: dict[datetime.date, int | None] = {}
    # (unit, top section, status, light, 签收) -> assignments: counted once per kind, not once per assignment per table
    tally: Counter = Counter()

    def late(due: datetime.date) -> int | None:
        if due not in working:
            try:
                working[due] = calendar.working_days_between(due, today)
            except UnknownCalendarYear:
                working[due] = None
        return working[due]

    for r in rows.iterator(chunk_size=5000):
        pk, status, due, unit_id, role, task_id, task_no, section_id, submitted_at, accepted_at, assigned_at, acknowledged_at, scope, kind, every = r
        unit = unit_by_id.get(unit_id)
        if unit is None:
            continue
        light = lights.key(status, due, submitted_at, accepted_at)
        ack = clock.state(assigned_at or plan.created_at, acknowledged_at, status, role == "lead" or scope != Task.REPORT_LEAD)
        top = tops.get(section_id, NO_SECTION)
        tally[unit_id, top, status, light, ack] += 1
        if kind in deadlines.PERIODIC_KINDS:  # what figures.periods_missed reads of an assignment, without another query
            task = SimpleNamespace(deadline_kind=kind, deadline_every=every, plan_id=plan.pk, plan=plan)
            periodic.append(SimpleNamespace(pk=pk, status=status, assigned_at=assigned_at, unit_id=unit_id, task=task))
        if light == deadlines.RED:
            overdue_total += 1
        if shown.keeps(unit_id, light, status, top[0]):
            rows_shown.append(row(r, unit, requirements.get(task_id, ""), light, top[0], today, late))
    for (unit_id, top, status, light, ack), n in tally.items():  # in the order first met, as the rows were made
        total.add(status, light, ack, n)
        if unit_id not in per_unit:
            per_unit[unit_id] = UnitRow(unit_id, unit_by_id[unit_id].name, unit=unit_by_id[unit_id])
        per_unit[unit_id].add(status, light, ack, n)
        if top[0] not in per_section:
            per_section[top[0]] = Counts(top[2], top[1])
        per_section[top[0]].add(status, light, ack, n)
    liaisons = dict(
        Profile.objects.filter(role=Profile.LIAISON, unit__in=list(per_unit), user__is_active=True)
        .values_list("unit").annotate(n=Count("id")).values_list("unit", "n")
    )
    for urge in Urge.objects.filter(unit__in=list(per_unit), task__isnull=True).select_related("sent_by").order_by("unit_id", "-sent_at", "-id"):
        u = per_unit[urge.unit_id]
        if u.last_urge is None:
            u.last_urge = urge
            u.urged_today = urge.day == today
    # 漏报: periods of recurring tasks closed without a report (duban.assessment.figures.periods_missed); few rows
    missed = periods_missed(periodic, today, calendar, {plan.pk: rule} if rule is not None else None)
    for a in periodic:
        per_unit[a.unit_id].periods_missed += missed[a.pk]
    unit_rows = sorted(per_unit.values(), key=lambda u: (u.unit.sort_order, u.unit.pk))
    for u in unit_rows:
        u.liaisons = liaisons.get(u.unit.pk, 0)
    sort_rows(rows_shown, shown.sort)
    event_tasks = list(Task.objects.filter(plan=plan, deadline_kind="after_event").select_related("plan").order_by("no"))
    return Overview(
        plan=plan,
        today=today,
        total=total,
        units=unit_rows,
        sections=sorted(per_section.values(), key=lambda c: c.key),
        rows=rows_shown,
        overdue_total=overdue_total,
        section_choices=sorted({(order, sid, title) for sid, title, order in tops.values()}),
        waiting=[t for t in event_tasks if t.event_date is None and t.deadline_working_days is not None],
        calendar_problems=[m for m in (deadlines.calendar_message(t, calendar) for t in event_tasks) if m],
        exempt=exempt_count(plan, scoped),
        periods_missed=sum(missed.values()),
    )


def row(r: tuple, unit: Unit, requirement: str, light: str, section_id, today: datetime.date, late) -> Row:
    """A line of the list from a row of build()'s query; late(due) is the working days overdue."""
    pk, status, due, _unit_id, role, task_id, task_no, _section_id = r[:8]
    red = light == deadlines.RED
    return Row(
        pk, unit, task_id, task_no, requirement, role, status, light, section_id, due,
        (today - due).days if red else None, late(due) if red else None,
    )
