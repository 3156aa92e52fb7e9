"""The numbers of the coordinator overview: counts by status and light, per unit and per section, and the overdue list."""
from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db.models import Count, QuerySet

from duban.accounts.models import Profile
from duban.assessment.figures import ACK_OVERDUE, ACK_WAITING, AckClock, exempt_count, working_assignments
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

    def add(self, status: str, light: str, ack: str = "") -> None:
        self.status[status] += 1
        self.light[light] += 1
        self.total += 1
        self.ack_waiting += ack == ACK_WAITING
        self.ack_overdue += ack == ACK_OVERDUE

    def statuses(self) -> list[int]:
        return [self.status.get(k, 0) for k, _ in STATUSES]

    def lights(self) -> list[int]:
        return [self.light.get(k, 0) for k, _ in LIGHTS]


@dataclass
class UnitRow(Counts):
    unit: Unit | None = None
    liaisons: int = 0
    last_urge: Urge | None = None
    urged_today: bool = False


@dataclass
class Overdue:
    assignment_id: int
    unit: Unit
    task_id: int
    task_no: int
    requirement: str
    role: str
    status: str
    due_date: datetime.date
    calendar_days: int
    working_days: int | None


@dataclass
class Overview:
    plan: Plan
    today: datetime.date
    total: Counts
    units: list[UnitRow]
    sections: list[Counts]
    overdue: list[Overdue]
    waiting: list[Task]
    calendar_problems: list[str]
    exempt: int = 0


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


def build(plan: Plan, assignments: QuerySet[Assignment], units: QuerySet[Unit], today: datetime.date, calendar: WorkCalendar, yellow_days: int) -> Overview:
    lights = deadlines.Lights(calendar, today, yellow_days)
    tops = _top_sections(plan)
    scoped, assignments = assignments, working_assignments(plan, assignments)
    rows = (
        assignments
        .order_by("task__no", "unit__sort_order", "unit_id")
        .values("id", "status", "due_date", "submitted_at", "accepted_at", "unit_id", "role", "task_id", "task__no", "task__section_id",
                "task__requirement", "assigned_at", "acknowledged_at", "task__report_scope")
    )
    clock = AckClock(calendar, today)
    unit_by_id = {u.pk: u for u in units.filter(pk__in=assignments.values("unit"))}
    total = Counts(None, "合计")
    per_unit: dict[int, UnitRow] = {}
    per_section: dict[object, Counts] = {}
    overdue: list[Overdue] = []
    working: dict[datetime.date, int | None] = {}
    for r in rows.iterator(chunk_size=5000):
        unit = unit_by_id.get(r["unit_id"])
        if unit is None:
            continue
        light = lights(SimpleNamespace(status=r["status"], due_date=r["due_date"], submitted_at=r["submitted_at"], accepted_at=r["accepted_at"]))
        ack = clock.state(r["assigned_at"] or plan.created_at, r["acknowledged_at"], r["status"],
                          r["role"] == "lead" or r["task__report_scope"] != Task.REPORT_LEAD)
        total.add(r["status"], light, ack)
        per_unit.setdefault(unit.pk, UnitRow(unit.pk, unit.name, unit=unit)).add(r["status"], light, ack)
        top = tops.get(r["task__section_id"], (None, "（未分章节）", 10**6))
        per_section.setdefault(top[0], Counts(top[2], top[1])).add(r["status"], light, ack)
        if light == deadlines.RED:
            due = r["due_date"]
            if due not in working:
                try:
                    working[due] = calendar.working_days_between(due, today)
                except UnknownCalendarYear:
                    working[due] = None
            overdue.append(
                Overdue(r["id"], unit, r["task_id"], r["task__no"], r["task__requirement"], r["role"], r["status"], due, (today - due).days, working[due])
            )
    liaisons = dict(
        Profile.objects.filter(role=Profile.LIAISON, unit__in=list(per_unit), user__is_active=True)
        .values_list("unit").annotate(n=Count("id")).values_list("unit", "n")
    )
    for urge in Urge.objects.filter(unit__in=list(per_unit), task__isnull=True).select_related("sent_by").order_by("unit_id", "-sent_at", "-id"):
        row = per_unit[urge.unit_id]
        if row.last_urge is None:
            row.last_urge = urge
            row.urged_today = urge.day == today
    unit_rows = sorted(per_unit.values(), key=lambda u: (u.unit.sort_order, u.unit.pk))
    for row in unit_rows:
        row.liaisons = liaisons.get(row.unit.pk, 0)
    overdue.sort(key=lambda o: (o.due_date, o.unit.sort_order, o.unit.pk, o.task_no))
    event_tasks = list(Task.objects.filter(plan=plan, deadline_kind="after_event").select_related("plan").order_by("no"))
    return Overview(
        plan=plan,
        today=today,
        total=total,
        units=unit_rows,
        sections=sorted(per_section.values(), key=lambda c: c.key),
        overdue=overdue,
        waiting=[t for t in event_tasks if t.event_date is None and t.deadline_working_days is not None],
        calendar_problems=[m for m in (deadlines.calendar_message(t, calendar) for t in event_tasks) if m],
        exempt=exempt_count(plan, scoped),
    )
