"""The dates people set during execution: a task's starting event (文件成文日期) and a coordinator's
override of an assignment's due date. Each leaves a ChangeRecord, then the due dates are recomputed
by duban.plans.deadlines (when that module is installed)."""
from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from duban.plans import access
from duban.plans.models import Assignment, ChangeRecord, Task
from duban.progress.lifecycle import NotAllowed, TransitionError
from duban.workcal import clock


def _iso(d: datetime.date | None) -> str:
    return d.isoformat() if d else ""


def refresh(task: Task) -> str | None:
    """Recompute the task's due dates. Returns a message for the user if the calendar cannot say yet
    (duban.plans.deadlines never guesses a date for a year whose holidays are not entered)."""
    try:
        from duban.plans import deadlines
    except ModuleNotFoundError as exc:  # the deadlines module is not installed: nothing to recompute
        if exc.name != "duban.plans.deadlines":
            raise
        return None
    messages = deadlines.refresh_task(task)
    return "；".join(messages) if messages else None


def record_event_date(task: Task, user, day: datetime.date) -> str | None:
    """Store the day the task's starting event happened. Returns a calendar warning, if any."""
    if not access.can_record_event(user, task):
        raise NotAllowed("只有协调人或该任务牵头单位的联络员可以录入起算事件日期。")
    if task.deadline_kind != "after_event":
        raise TransitionError(f"第{task.no}项的完成时限不是按事件起算的，无需录入起算事件日期。")
    if day is None:
        raise ValidationError("请填写日期。")
    if day > clock.today():
        raise ValidationError("起算事件日期不能晚于今天。")
    with transaction.atomic():
        t = Task.objects.select_for_update().filter(pk=task.pk).first()
        if t is None:  # archived meanwhile
            raise ValidationError("任务已删除（归档），不能录入日期。")
        if t.event_date == day:
            return None
        ChangeRecord.objects.create(
            plan_id=t.plan_id, task=t, task_no=t.no, user=user, object_type="task", object_id=str(t.pk),
            field=f"起算事件日期（{t.deadline_event or '事件'}）", before=_iso(t.event_date), after=_iso(day), note="录入起算事件日期",
        )
        t.event_date, t.event_recorded_by = day, user
        t.save(update_fields=["event_date", "event_recorded_by"])
    task.event_date, task.event_recorded_by = day, user
    return refresh(task)


def override_due(assignment: Assignment, user, day: datetime.date | None, reason: str) -> str | None:
    """Set (or, with day None, remove) the coordinator's due date for one assignment. A reason is required."""
    if not access.can_review(user):
        raise NotAllowed("只有协调人可以调整完成日期。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写调整理由。")
    with transaction.atomic():
        a = Assignment.objects.select_for_update(of=("self",)).select_related("unit", "task").filter(pk=assignment.pk).first()
        if a is None:  # archived meanwhile
            raise ValidationError("该单位已从任务中移除，不能调整完成日期。")
        if a.due_override == day:
            return None
        ChangeRecord.objects.create(
            plan_id=a.task.plan_id, task=a.task, task_no=a.task.no, user=user, object_type="assignment", object_id=str(a.pk),
            field=f"完成日期：{a.unit.name}", before=_iso(a.due_override or a.due_date), after=_iso(day) or "（按任务时限）", note=reason[:300],
        )
        a.due_override, a.due_override_reason = day, reason[:300] if day else ""
        fields = ["due_override", "due_override_reason"]
        if day:
            a.due_date = day
            fields.append("due_date")
        a.save(update_fields=fields)
    return refresh(a.task)
