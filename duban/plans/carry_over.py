"""回头看: carry last year's unfinished assignments into the new year's plan (结转上年未完成任务).

The coordinator picks, on the new plan's page "结转上年未完成任务", assignments of the previous plan of the
same organisation that were not finished (未开始, 推进中, 退回). Each becomes a new assignment of the new plan
with ``carried_from`` pointing at the old one:

* on a task of the new plan the coordinator chose (the unit is added to it in its old role; a unit already
  on that task gets the link if it has none), or
* by default, on a new task "（结转）<old requirement>" in a section "上年结转任务" — one new task per old task,
  reused when more of its units are carried later.

The old assignments, their reports and history are never changed or deleted (PROTECT on ``carried_from``).
Every carry-over is audited (duban.audit.events) and written to the task's change history.
"""
from __future__ import annotations

from django.db import transaction

from duban.audit import events
from duban.plans import deadlines, editing, structure
from duban.plans.models import Assignment, Plan, Task

SECTION = "上年结转任务"
PREFIX = "（结转）"
UNFINISHED = (Assignment.NOT_STARTED, Assignment.IN_PROGRESS, Assignment.RETURNED)


class CarryError(Exception):
    """A carry-over that cannot be done, in words for the coordinator."""


def previous_plan(plan: Plan) -> Plan | None:
    """The same organisation's plan of the latest earlier year."""
    if plan.year is None:
        return None
    return Plan.objects.filter(org_id=plan.org_id, year__lt=plan.year).order_by("-year", "-created_at", "-pk").first()


def candidates(plan: Plan, previous: Plan | None = None):
    """The previous plan's unfinished assignments in force not yet carried into ``plan``."""
    previous = previous if previous is not None else previous_plan(plan)
    if previous is None:
        return Assignment.objects.none()
    carried = Assignment.objects.filter(task__plan=plan, carried_from__isnull=False).values("carried_from")
    return (Assignment.objects.filter(task__plan=previous, task__archived_at__isnull=True, status__in=UNFINISHED)
            .exclude(pk__in=carried).select_related("task", "unit").order_by("task__no", "role", "unit__sort_order", "pk"))


@transaction.atomic
def carry(plan: Plan, user, old_ids: list[int], target: Task | None = None, request=None) -> list[Assignment]:
    """Carry these assignments (ids among ``candidates(plan)``) into ``plan``; returns the new plan's assignments.
    All or none: an id that is not a candidate (finished since, already carried, another plan) stops it all."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)  # one carry-over of a plan at a time
    previous = previous_plan(plan)
    wanted = set(old_ids)
    if not wanted:
        raise CarryError("请至少勾选一项上年未完成的任务分工。")
    old = list(candidates(plan, previous).filter(pk__in=wanted))
    if len(old) != len(wanted):
        raise CarryError("所选任务分工中有的已办结、已结转或不属于上年方案，请刷新页面后重新勾选。")
    if target is not None and (target.plan_id != plan.pk or target.archived_at is not None):
        raise CarryError("只能结转到本方案的任务。")
    by_task: dict[int, list[Assignment]] = {}
    for a in old:
        by_task.setdefault(a.task_id, []).append(a)
    note = f"结转{previous.year}年未完成任务"
    carried = []
    for old_task_id, rows in by_task.items():
        task = target or _carry_task(plan, user, rows[0].task, note)
        current = {a.unit_id: a for a in Assignment.objects.filter(task=task)}
        editing.set_assignments(task, user, {**{a.unit: a.role for a in Assignment.objects.filter(task=task).select_related("unit")},
                                             **{a.unit: a.role for a in rows if a.unit_id not in current}}, note)
        for a in rows:
            new = Assignment.objects.get(task=task, unit_id=a.unit_id)
            if new.carried_from_id is None:
                Assignment.objects.filter(pk=new.pk).update(carried_from=a)
                new.carried_from = a
            carried.append(new)
            events.record(request, "carry_over", target=f"assignment:{new.pk}", user=user,
                          before={"assignment": a.pk, "plan": previous.pk, "task_no": a.task.no, "unit": a.unit.name, "status": a.status},
                          after={"assignment": new.pk, "plan": plan.pk, "task_no": task.no})
        deadlines.refresh_task(task)
    return carried


def _carry_task(plan: Plan, user, old_task: Task, note: str) -> Task:
    """The new plan's task carrying ``old_task``: the one made by an earlier carry-over, else a new one at the end."""
    made = Task.objects.filter(plan=plan, assignments__carried_from__task=old_task).first()
    if made is not None:
        return made
    last = Task.all_objects.filter(plan=plan).order_by("-no").values_list("no", flat=True).first() or 0
    values = {k: "" for k in ("units_text", "deadline_text", "deadline_kind", "deadline_event", "deadline_every")}
    values.update(requirement=f"{PREFIX}{old_task.requirement}"[:5000], units_text=old_task.units_text,
                  deadline_date=None, deadline_working_days=None)
    task = structure._create(plan, user, last + 1, structure.section_at(plan, [SECTION]), values, {}, note, "结转")
    return task

