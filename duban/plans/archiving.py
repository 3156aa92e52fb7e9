"""Archive, never delete: what happens to people's work when a unit leaves a task or a task leaves a plan.

    archive_assignment(a, by, reason)   # the unit is off the task; its reports, evidence, files and status log stay
    restore_assignment(a, by)           # back on the task as it was (its due date is computed again)
    archive_task(task, by, reason)      # the task and its assignments are archived together
    restore_task(task, by)              # only while no task in force has taken its number
    sync_assignments(task, wanted, by, reason)   # make the task's units exactly `wanted`, archiving and restoring
    archive_tasks(tasks, by, reason), restore_tasks(tasks), sync_many({task: wanted}, by, reason)
                                        # the same for many tasks at once in a fixed number of queries (a revised
                                        # plan's import, which refreshes the due dates itself)

`Assignment.objects` and `Task.objects` hold only what is in force, so every working list, reminder,
score and document leaves archived rows out; `Assignment.all_objects` / `Task.all_objects` reach them.
Files are deleted only by `duban purge_archived`. These functions record nothing in the change history:
their callers (duban.plans.editing, duban.plans.importing) do, in their own words.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from duban.plans.models import Assignment, Task

TASK_ARCHIVED = "任务已删除"  # the reason given to a task's assignments archived with it


def _who(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def archive_assignment(assignment: Assignment, by, reason: str) -> Assignment:
    if assignment.archived_at is None:
        assignment.archived_at = timezone.now()
        assignment.archived_by = _who(by)
        assignment.archived_reason = (reason or "")[:300]
        assignment.save(update_fields=["archived_at", "archived_by", "archived_reason"])
    return assignment


def restore_assignment(assignment: Assignment, by=None, role: str | None = None) -> Assignment:
    """Put the unit back on the task, with its reports and status as they were; the due date is computed again."""
    from duban.plans import deadlines

    if assignment.archived_at is not None:
        if Task.all_objects.filter(pk=assignment.task_id, archived_at__isnull=False).exists():
            raise ValueError("任务已删除（归档），请先恢复任务。")
        assignment.archived_at, assignment.archived_by, assignment.archived_reason = None, None, ""
        fields = ["archived_at", "archived_by", "archived_reason"]
        if role and role != assignment.role:
            assignment.role = role
            fields.append("role")
        assignment.save(update_fields=fields)
        deadlines.refresh_task(Task.objects.select_related("plan").get(pk=assignment.task_id))
    return assignment


@transaction.atomic
def archive_task(task: Task, by, reason: str) -> Task:
    """Archive the task and its assignments in force (they are restored with it)."""
    archive_tasks([task], by, reason)
    return task


@transaction.atomic
def archive_tasks(tasks: list[Task], by, reason: str) -> None:
    """archive_task for many tasks: two UPDATEs."""
    now, who = timezone.now(), _who(by)
    Assignment.objects.filter(task__in=[t.pk for t in tasks]).update(archived_at=now, archived_by=who, archived_reason=TASK_ARCHIVED)
    in_force = [t for t in tasks if t.archived_at is None]
    for t in in_force:
        t.archived_at, t.archived_by, t.archived_reason = now, who, (reason or "")[:300]
    Task.all_objects.filter(pk__in=[t.pk for t in in_force]).update(archived_at=now, archived_by=who, archived_reason=(reason or "")[:300])


def restore_tasks(tasks: list[Task]) -> None:
    """Bring archived tasks back with the assignments archived along with them, in two UPDATEs, under the
    numbers they now carry (the caller has made sure no task in force has them; due dates are the caller's)."""
    for t in tasks:
        t.archived_at, t.archived_by, t.archived_reason = None, None, ""
    Task.all_objects.bulk_update(tasks, ["no", "archived_at", "archived_by", "archived_reason"], batch_size=500)
    Assignment.all_objects.filter(task__in=[t.pk for t in tasks], archived_reason=TASK_ARCHIVED).update(archived_at=None, archived_by=None, archived_reason="")


@transaction.atomic
def restore_task(task: Task, by=None) -> Task:
    """Bring an archived task back with the assignments archived along with it. Refused (ValueError) while a
    task in force has the same number."""
    from duban.plans import deadlines

    if task.archived_at is None:
        return task
    if Task.objects.filter(plan=task.plan_id, no=task.no).exists():
        raise ValueError(f"方案中已有第{task.no}项任务，不能恢复。")
    task.archived_at, task.archived_by, task.archived_reason = None, None, ""
    task.save(update_fields=["archived_at", "archived_by", "archived_reason"])
    Assignment.all_objects.filter(task=task, archived_reason=TASK_ARCHIVED).update(archived_at=None, archived_by=None, archived_reason="")
    deadlines.refresh_task(Task.objects.select_related("plan").get(pk=task.pk))
    return task


@dataclass
class UnitChange:
    """One unit's change in sync_assignments: before/after are roles, "" for off the task."""

    assignment: Assignment
    before: str
    after: str
    restored: bool = False  # an archived assignment brought back, reports and all


def sync_assignments(task: Task, wanted: dict, by, reason: str) -> list[UnitChange]:
    """Make the task's units in force exactly `wanted` ({Unit: role}): a unit no longer wanted is archived,
    a wanted unit with an archived assignment is restored (its reports come back with it), others are new.
    The task's due dates are computed again."""
    from duban.plans import deadlines

    changes = sync_many({task: wanted}, by, reason)[task.pk]
    if changes:
        deadlines.refresh_task(Task.objects.select_related("plan").get(pk=task.pk))
    return changes


@transaction.atomic
def sync_many(wanted_by_task: dict[Task, dict], by, reason: str) -> dict[int, list[UnitChange]]:
    """sync_assignments for many tasks ({task: {Unit: role}}), in a fixed number of queries; due dates are
    left to the caller (deadlines.refresh_plan). Every task must be in force. Returns {task id: changes}."""
    now, who, reason = timezone.now(), _who(by), (reason or "")[:300]
    current: dict[int, dict[int, Assignment]] = {}
    for a in Assignment.all_objects.filter(task__in=[t.pk for t in wanted_by_task]).select_related("unit"):
        current.setdefault(a.task_id, {})[a.unit_id] = a
    out: dict[int, list[UnitChange]] = {}
    archived, restored, created, roles = [], [], [], []
    for task, wanted in wanted_by_task.items():
        mine = current.get(task.pk, {})
        wanted_by_id = {u.pk: (u, r) for u, r in wanted.items()}
        changes = out.setdefault(task.pk, [])
        for uid, a in mine.items():
            if a.archived_at is None and uid not in wanted_by_id:
                a.archived_at, a.archived_by, a.archived_reason = now, who, reason
                archived.append(a)
                changes.append(UnitChange(a, a.role, ""))
        for uid, (unit, role) in wanted_by_id.items():
            a = mine.get(uid)
            if a is None:
                a = Assignment(task=task, unit=unit, role=role)
                created.append(a)
                changes.append(UnitChange(a, "", role))
            elif a.archived_at is not None:
                a.archived_at, a.archived_by, a.archived_reason, a.role = None, None, "", role
                restored.append(a)
                changes.append(UnitChange(a, "", role, restored=True))
            elif a.role != role:
                before, a.role = a.role, role
                roles.append(a)
                changes.append(UnitChange(a, before, role))
    Assignment.all_objects.filter(pk__in=[a.pk for a in archived]).update(archived_at=now, archived_by=who, archived_reason=reason)
    Assignment.all_objects.bulk_update(restored + roles, ["archived_at", "archived_by", "archived_reason", "role"], batch_size=500)
    Assignment.objects.bulk_create(created, batch_size=500)
    return out
