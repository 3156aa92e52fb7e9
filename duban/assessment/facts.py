"""The stored facts the assessment and the dashboards are computed from, read in a few queries.

One Fact per assignment of a plan: who, what role, the due date in force, when the work was
accepted and when the accepted submission was made, the grade given at acceptance, and the
times its reports were returned (from the progress StatusChange log).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.db import models
from django.db.models import Case, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from duban.plans.models import DEADLINE_FIELDS, Assignment, Plan, Section, Task
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
    # (as-of date, state) of the last duban.assessment.figures.state_on: a page asks it a dozen times per fact
    state_memo: tuple | None = field(default=None, repr=False, compare=False)
    kind_memo: tuple | None = field(default=None, repr=False, compare=False)  # (as-of date, figures.kind_on)
    # The office's time zone, looked up once by load(): timezone.get_current_timezone() costs more than the
    # conversion itself, and a figure page turns thousands of times into days. None: looked up per call.
    tz: dt.tzinfo | None = field(default=None, repr=False, compare=False)

    @property
    def role_display(self) -> str:
        return "牵头" if self.role == "lead" else "负责落实"

    @property
    def status_display(self) -> str:
        return dict(Assignment.STATUS_CHOICES).get(self.status, self.status)

    # The days of the times, in the office's time zone: asked for every assignment on every figure page.
    def day(self, value: dt.datetime) -> dt.date:
        """localdate(value), in the time zone load() found."""
        return localdate(value, self.tz)

    @cached_property
    def accepted_on(self) -> dt.date | None:
        return self.day(self.accepted_at) if self.accepted_at is not None else None

    @cached_property
    def submitted_on(self) -> dt.date | None:
        return self.day(self.submitted_at) if self.submitted_at is not None else None

    @cached_property
    def started_on(self) -> dt.date | None:
        return self.day(self.started_at) if self.started_at is not None else None

    def accepted_by(self, as_of: dt.date) -> bool:
        return self.status == Assignment.ACCEPTED and self.accepted_on is not None and self.accepted_on <= as_of

    def completed_on(self) -> dt.date | None:
        return self.done_on

    @cached_property
    def done_on(self) -> dt.date | None:
        return completed_on(self.submitted_at, self.accepted_at, self.tz)

    def returns_by(self, as_of: dt.date) -> int:
        if not self.returns:  # most work was never returned: asked for every fact on the ranking pages
            return 0
        return sum(1 for at in self.returns if self.day(at) <= as_of)


def completed_on(submitted_at: dt.datetime | None, accepted_at: dt.datetime | None,
                 tz: dt.tzinfo | None = None) -> dt.date | None:
    """The day the work counts as done: the accepted submission's day (a submission later accepted
    counts at its submission time); the acceptance day when there was no submission. tz: as localdate's."""
    if accepted_at is None:
        return None
    when = submitted_at if submitted_at and submitted_at <= accepted_at else accepted_at
    return localdate(when, tz)


def localdate(value: dt.datetime, tz: dt.tzinfo | None = None) -> dt.date:
    """timezone.localdate(value), and value.date() for a naive value. tz: the current time zone when the caller
    has looked it up once for many values (timezone.get_current_timezone() costs more than the conversion)."""
    if not timezone.is_aware(value):
        return value.date()
    return value.astimezone(tz if tz is not None else timezone.get_current_timezone()).date()


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


# The columns load() reads, in one query: no model instances (a Task row carries its JSON source text).
_COLUMNS = (
    "pk", "task_id", "task__no", "task__requirement", "task__section_id", "unit_id", "unit__name",
    "unit__sort_order", "role", "status", "due_date", "submitted_at", "accepted_at", "started",
    "task__plan_id", "assigned", "acknowledged_at", "task__report_scope",
    *(f"task__{name}" for name in DEADLINE_FIELDS), "task__deadline_text",
)
# Worked out by the database: a date-time read on SQLite costs a parse per row (the seed's 2,526 rows each had
# the plan's created_at), and work not started has no start time to read.
_ANNOTATIONS = {
    "assigned": Coalesce("assigned_at", "task__plan__created_at"),
    "started": Case(When(status=Assignment.NOT_STARTED, then=Value(None)), default="status_changed_at",
                    output_field=models.DateTimeField()),
}


def load(plan: Plan | None, assignments=None) -> list[Fact]:
    """Facts of the plan's assignments (or of the given assignment queryset), in task and unit order.

    With plan None: the facts of every plan in the queryset at once, in the same few queries (a unit's page).
    Read as plain rows (values_list), not model instances: this runs on every figure page, for every
    assignment of the plan. A whole plan's facts are kept across requests (duban.assessment.factscache)."""
    if plan is not None and assignments is None:
        from duban.assessment import factscache

        return factscache.load(getattr(plan, "pk", plan), lambda: _read(plan, assignments))
    return _read(plan, assignments)


def _read(plan: Plan | None, assignments) -> list[Fact]:
    from duban.assessment.figures import working_assignments

    qs = working_assignments(plan, assignments)
    rows = list(qs.annotate(**_ANNOTATIONS).order_by("task__no", "role", "unit__sort_order", "unit_id").values_list(*_COLUMNS))
    ids = qs.order_by().values("pk")  # a subquery: thousands of ids as parameters cost more than the query
    top = top_sections(plan if plan is not None else {r[14] for r in rows})

    accepted: dict[int, tuple] = {}
    for a_id, submitted_at, grade in Report.objects.filter(assignment__in=ids, outcome=REPORT_ACCEPTED).order_by(
            "submitted_at", "id").values_list("assignment_id", "submitted_at", "grade"):
        accepted[a_id] = (submitted_at, grade)  # the latest accepted report wins
    returns: dict[int, list] = defaultdict(list)
    started: dict[int, dt.datetime] = {}
    for a_id, frm, to, at in StatusChange.objects.filter(assignment__in=ids).order_by("at", "id").values_list(
            "assignment", "from_status", "to_status", "at"):
        if to == Assignment.RETURNED and frm != to:  # not a 签收 or extension step while returned
            returns[a_id].append(at)
        if frm == Assignment.NOT_STARTED and to != frm and a_id not in started:  # a 签收 (from == to) is no start
            started[a_id] = at

    deadline_text: dict[int, str] = {}  # per task, not per assignment
    tz = timezone.get_current_timezone()
    facts = []
    for (pk, task_id, task_no, requirement, section_id, unit_id, unit_name, unit_sort, role, status, due_date,
         submitted_at, accepted_at, status_changed_at, plan_id, assigned_at, acknowledged_at, report_scope,
         *deadline) in rows:
        if task_id not in deadline_text:
            deadline_text[task_id] = Task(**dict(zip(DEADLINE_FIELDS + ["deadline_text"], deadline))).deadline_display()
        report = accepted.get(pk)
        section = top.get(section_id)
        facts.append(Fact(
            assignment_id=pk, task_id=task_id, task_no=task_no, requirement=requirement,
            deadline_text=deadline_text[task_id],
            section_id=section.pk if section else None, section_title=section.title if section else "（未分类）",
            unit_id=unit_id, unit_name=unit_name, unit_sort=unit_sort, role=role, status=status,
            due_date=due_date,
            submitted_at=report[0] if report else submitted_at,
            accepted_at=accepted_at, grade=report[1] if report else "",
            returns=returns.get(pk, []),
            started_at=started.get(pk) or status_changed_at,  # None when not started (_ANNOTATIONS)
            plan_id=plan_id,
            assigned_at=assigned_at, acknowledged_at=acknowledged_at,  # the plan's import for older rows
            must_report=role == "lead" or report_scope != "lead", tz=tz,
        ))
    return facts
