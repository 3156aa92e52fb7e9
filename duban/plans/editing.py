"""The coordinator's changes to an imported plan. Every change leaves a ChangeRecord (who, when, before, after).

Callers check access.can_edit(user) first; these functions only do and record.
"""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from duban.directory.models import Unit
from duban.plans import archiving
from duban.plans.models import LEAD, ROLE_CHOICES, Assignment, ChangeRecord, PlanWarning, Task

ROLE_LABEL = dict(ROLE_CHOICES)
REMOVED = "（移除，已归档）"
EDITABLE_FIELDS = ["requirement", "units_text", "deadline_text", "deadline_kind", "deadline_date", "deadline_event", "deadline_working_days", "deadline_every"]


def _fmt(field: str, value) -> str:
    if value in (None, ""):
        return ""
    f = Task._meta.get_field(field)
    if f.choices:
        return str(dict(f.choices).get(value, value))
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _record(task: Task, user, field: str, before: str, after: str, note: str = "", object_type: str = "task", object_id=None):
    return ChangeRecord.objects.create(
        plan_id=task.plan_id, task=task, task_no=task.no, user=user if user and user.is_authenticated else None,
        object_type=object_type, object_id=str(object_id or task.pk), field=field, before=before, after=after, note=note[:300],
    )


@transaction.atomic
def update_task(task: Task, user, values: dict, note: str = "") -> list[ChangeRecord]:
    """Set the given fields of the task; record each field that actually changes."""
    records, changed = [], []
    for name, new in values.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"field {name} is not editable")
        old = getattr(task, name)
        if (old or None) != (new or None):
            records.append(_record(task, user, str(Task._meta.get_field(name).verbose_name), _fmt(name, old), _fmt(name, new), note))
            setattr(task, name, new)
            changed.append(name)
    if changed:
        task.save(update_fields=changed)
    return records


@transaction.atomic
def set_assignments(task: Task, user, wanted: dict[Unit, str], note: str = "") -> list[ChangeRecord]:
    """Make the task's assignments exactly `wanted` (unit -> role). A unit taken off is archived with its
    reports (shown on the task page as 已移除的单位); a unit put back gets its archived assignment again."""
    records = []
    for c in archiving.sync_assignments(task, wanted, user, reason=note or "在任务页移除"):
        a = c.assignment
        before = ROLE_LABEL[c.before] if c.before else ("（已移除）" if c.restored else "")
        after = (ROLE_LABEL[c.after] + ("（恢复）" if c.restored else "")) if c.after else REMOVED
        records.append(_record(task, user, f"分工：{a.unit.name}", before, after, note, "assignment", a.pk))
    return records


@transaction.atomic
def restore_assignment(assignment: Assignment, user, note: str = "") -> ChangeRecord:
    """Put a unit taken off the task back on it, with its reports."""
    archiving.restore_assignment(assignment, user)
    role = ROLE_LABEL[assignment.role]
    return _record(assignment.task, user, f"分工：{assignment.unit.name}", "（已移除）", f"{role}（恢复）", note or "恢复已移除的单位", "assignment", assignment.pk)


@transaction.atomic
def add_units(task: Task, user, units, role: str, note: str = "") -> list[ChangeRecord]:
    """Add units to the task in `role`. A unit already on the task keeps its role, except that
    naming it lead makes it lead (as at import: the lead role wins over a group's)."""
    wanted = {a.unit.pk: (a.unit, a.role) for a in task.assignments.select_related("unit")}
    for u in units:
        if u.pk not in wanted or role == LEAD:
            wanted[u.pk] = (u, role)
    return set_assignments(task, user, dict(wanted.values()), note)


@transaction.atomic
def settle(warning: PlanWarning, user, resolution: str) -> None:
    warning.settled_by = user if user and user.is_authenticated else None
    warning.settled_at = timezone.now()
    warning.resolution = resolution[:2000]
    warning.save(update_fields=["settled_by", "settled_at", "resolution"])
    if warning.task_id:
        _record(warning.task, user, f"待处理：{warning.get_kind_display()}", warning.message, f"已处理：{resolution}", object_type="warning", object_id=warning.pk)
    else:
        ChangeRecord.objects.create(
            plan_id=warning.plan_id, user=warning.settled_by, object_type="warning", object_id=str(warning.pk),
            field=f"待处理：{warning.get_kind_display()}", before=warning.message, after=f"已处理：{resolution}",
        )


def lead_first(assignments):
    return sorted(assignments, key=lambda a: (a.role != LEAD, a.unit.sort_order, a.unit_id))
