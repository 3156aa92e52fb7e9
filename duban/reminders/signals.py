"""Keep stored due dates in step with the deadlines they come from.

The import calls deadlines.refresh_plan, and the progress app calls deadlines.refresh_task after
recording an event date or an override. These receivers cover the other ways a deadline changes:
the coordinator editing a task's deadline (plans.editing.update_task, settling a missing deadline)
and a unit added to a task (plans.editing.set_assignments). Bulk writes send no signals, and
refresh_task itself writes with QuerySet.update(), so nothing loops.
"""
from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from duban.plans import deadlines
from duban.plans.models import DEADLINE_FIELDS, Assignment, Task

WATCHED = frozenset(DEADLINE_FIELDS) | {"event_date"}


@receiver(post_save, sender=Task, dispatch_uid="reminders.task_deadline_changed")
def task_deadline_changed(sender, instance: Task, created: bool, update_fields=None, raw=False, **kwargs):
    if raw or created:
        return  # a new task has no assignments yet; the import refreshes the whole plan
    if update_fields is not None and not (WATCHED & set(update_fields)):
        return
    deadlines.refresh_task(instance)


@receiver(post_save, sender=Assignment, dispatch_uid="reminders.assignment_added")
def assignment_added(sender, instance: Assignment, created: bool, raw=False, **kwargs):
    if created and not raw and instance.due_date is None:
        deadlines.refresh_task(instance.task)
