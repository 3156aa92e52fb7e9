"""The stored facts the assessment and the dashboards are computed from, read in a few queries.

One Fact per assignment of a plan: who, what role, the due date in force, when the work was
accepted and when the accepted submission was made, the grade given at acceptance, and the
times its reports were returned (from the progress StatusChange log).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from duban.plans.models import Assignment, Plan, Section
from duban.progress.models import ACCEPTED as REPORT_ACCEPTED
from duban.progress.models import Report, StatusChange


@dataclass
class Fact:
    assignment_id: int
    task_id: int
    task_no: int
    requirement: str
    deadline_text: str
    section_id: int | None  # the top-level 工作任务 heading
    section_title: str
    unit_id: int
    unit_name: str
    unit_sort: int
    role: str
    status: str
    due_date: dt.date | None
    submitted_at: dt.datetime | None  # the submission that was accepted (else the latest one)
    accepted_at: dt.datetime | None
    grade: str = ""  # excellent / good / fair / poor, from the accepted report
    returns: list[dt.datetime] = field(default_factory=list)
    started_at: dt.datetime | None = None  # first change away from 未开始
    plan_id: int | None = None
    assigned_at: dt.datetime | None = None  # when the unit was given the work (the plan's import for older rows)
    acknowledged_at: dt.datetime | None = None  # 签收
    must_report: bool = True  # False for a unit 负责落实 of a task only lead units report on

    @property
    def role_display(self) -> str:
        return "牵头" if self.role == "lead" else "负责落实"

    @property
    def status_display(self) -> str:
        return dict(Assignment.STATUS_CHOICES).get(self.status, self.status)

    def accepted_by(self, as_of: dt.date) -> bool:
        return self.status == Assignment.ACCEPTED and self.accepted_at is not None and localdate(self.accepted_at) <= as_of

    def completed_on(self) -> dt.date | None:
        return completed_on(self.submitted_at, self.accepted_at)

    def returns_by(self, as_of: dt.date) -> int:
        return sum(1 for at in self.returns if localdate(at) <= as_of)


def completed_on(submitted_at: dt.datetime | None, accepted_at: dt.datetime | None) -> dt.date | None:
    """The day the work counts as done: the accepted submission's day (a submission later accepted
    counts at its submission time); the acceptance day when there was no submission."""
    if accepted_at is None:
        return None
    when = submitted_at if submitted_at and submitted_at <= accepted_at else accepted_at
    return localdate(when)


def localdate(value: dt.datetime) -> dt.date:
    return timezone.localdate(value) if timezone.is_aware(value) else value.date()


def top_sections(plan: Plan | set[int]) -> dict[int, Section]:
    """Each section of the plan (or of the plans with these ids) → its outermost heading."""
    sections = {s.pk: s for s in Section.objects.filter(plan__in=plan if isinstance(plan, set) else [plan])}
    top = {}
    for pk, s in sections.items():
        t = s
        while t.parent_id is not None and t.parent_id in sections:
            t = sections[t.parent_id]
        top[pk] = t
    return top


def load(plan: Plan | None, assignments=None) -> list[Fact]:
    """Facts of the plan's assignments (or of the given assignment queryset), in task and unit order.

    With plan None: the facts of every plan in the queryset at once, in the same few queries (a unit's page)."""
    from duban.assessment.figures import working_assignments

    qs = working_assignments(plan, assignments)
    qs = qs.select_related("task", "unit", "task__plan").order_by("task__no", "role", "unit__sort_order", "unit_id")
    rows = list(qs)
    ids = [a.pk for a in rows]
    top = top_sections(plan if plan is not None else {a.task.plan_id for a in rows})

    accepted: dict[int, Report] = {}
    for r in Report.objects.filter(assignment__in=ids, outcome=REPORT_ACCEPTED).order_by("submitted_at", "id"):
        accepted[r.assignment_id] = r  # the latest accepted report wins
    returns: dict[int, list] = defaultdict(list)
    started: dict[int, dt.datetime] = {}
    for a_id, frm, to, at in StatusChange.objects.filter(assignment__in=ids).order_by("at", "id").values_list(
            "assignment", "from_status", "to_status", "at"):
        if to == Assignment.RETURNED and frm != to:  # not a 签收 or extension step while returned
            returns[a_id].append(at)
        if frm == Assignment.NOT_STARTED and to != frm and a_id not in started:  # a 签收 (from == to) is no start
            started[a_id] = at

    facts = []
    for a in rows:
        report = accepted.get(a.pk)
        section = top.get(a.task.section_id)
        facts.append(Fact(
            assignment_id=a.pk, task_id=a.task_id, task_no=a.task.no, requirement=a.task.requirement,
            deadline_text=a.task.deadline_display(),
            section_id=section.pk if section else None, section_title=section.title if section else "（未分类）",
            unit_id=a.unit_id, unit_name=a.unit.name, unit_sort=a.unit.sort_order, role=a.role, status=a.status,
            due_date=a.due_date,
            submitted_at=report.submitted_at if report else a.submitted_at,
            accepted_at=a.accepted_at, grade=report.grade if report else "",
            returns=returns.get(a.pk, []),
            started_at=started.get(a.pk) or (a.status_changed_at if a.status != Assignment.NOT_STARTED else None),
            plan_id=a.task.plan_id,
            assigned_at=a.assigned_at or a.task.plan.created_at, acknowledged_at=a.acknowledged_at,
            must_report=a.role == "lead" or a.task.report_scope != "lead",
        ))
    return facts
