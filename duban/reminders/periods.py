"""Periodic reports (长期坚持, 每季度 …): open the next period once a period's report is accepted and the period is over.

See duban.plans.deadlines for the rule. `duban remind` calls roll_periods(today) before it looks for
reminders, so a quarter's report is asked for from the first day of the next quarter.
"""
from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F

from duban.plans import deadlines
from duban.plans.models import Assignment
from duban.reminders.models import ReminderRule
from duban.workcal import clock


def roll_periods(today: datetime.date) -> int:
    """Move accepted periodic assignments whose period has ended to the next period. Returns how many moved."""
    candidates = Assignment.objects.filter(
        task__deadline_kind__in=deadlines.PERIODIC_KINDS,
        status=Assignment.ACCEPTED,
        due_override__isnull=True,
        due_date__lt=today,
    ).exclude(  # the plan year's last period (31 December) has no next one: not read again on every run
        due_date__year__gte=F("task__plan__year"), due_date__month=12, due_date__day=31,
    ).exclude(due_date__year__gt=F("task__plan__year"))
    if not candidates.exists():
        return 0
    from duban.progress.models import StatusChange  # the status-change log of the lifecycle

    now = clock.now()
    moved = 0
    with transaction.atomic():
        rows = list(candidates.select_for_update().select_related("task", "task__plan").order_by("pk"))
        periods: dict[int, str] = {}
        changes = []
        for a in rows:
            task = a.task
            if task.plan_id not in periods:
                periods[task.plan_id] = ReminderRule.for_plan(task.plan_id, create=False).report_period
            every = deadlines.task_period(task, periods[task.plan_id])
            if every is None:
                continue
            nxt = deadlines.next_period_end(a.due_date, every, task.plan.year)
            if nxt is None:
                continue  # the plan year's last period is done: the assignment stays 已办结
            changes.append(
                StatusChange(
                    assignment=a, from_status=a.status, to_status=Assignment.IN_PROGRESS, by=None, at=now,
                    reason=f"新的报送周期：{deadlines.period_label(nxt, every)}，完成日期 {nxt:%Y-%m-%d}",
                )
            )
            # an extension granted for the period ends with it
            a.due_date, a.due_extended, a.status, a.status_changed_at = nxt, None, Assignment.IN_PROGRESS, now
            moved += 1
        Assignment.objects.bulk_update([c.assignment for c in changes], ["due_date", "due_extended", "status", "status_changed_at"], batch_size=500)
        StatusChange.objects.bulk_create(changes, batch_size=500)
    return moved
