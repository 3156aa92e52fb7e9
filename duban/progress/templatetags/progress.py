"""Bits of execution shown on pages other apps render: the review count in the menu, the returned
reports on a unit's page, whether a task is done, who may record a task's event date."""
from __future__ import annotations

from django import template
from django.db.models import OuterRef, Subquery

from duban.plans import access
from duban.plans.models import Assignment
from duban.progress import lifecycle
from duban.progress.models import RETURNED, Report

register = template.Library()


@register.simple_tag(takes_context=True)
def pending_review_count(context) -> int:
    """Reports waiting for the coordinator's review (0 for anyone else)."""
    return access.reports_to_review(context.get("user")).count()  # one query, whatever the number of reports


@register.inclusion_tag("progress/_returned.html", takes_context=True)
def returned_notice(context, unit):
    """The unit's returned assignments with the reason, for its liaison to act on. One query whether or not
    there are any (a prefetch would be skipped when there are none: the unit page's count would then depend
    on the data)."""
    user = context.get("user")
    last_note = (Report.objects.filter(assignment=OuterRef("pk"), outcome=RETURNED)
                 .order_by("-reviewed_at", "-id").values("review_note")[:1])
    items = list(
        access.visible_assignments(user).filter(unit=unit, status=Assignment.RETURNED)
        .select_related("task").annotate(return_note=Subquery(last_note))
        .order_by("task__plan_id", "task__no")
    )
    return {"items": items}


@register.filter
def task_done(task) -> bool:
    """Every assignment accepted: the `done` annotation of lifecycle.with_done() if present, else a query."""
    return task.done if hasattr(task, "done") else lifecycle.task_done(task)


@register.simple_tag(takes_context=True)
def may_record_event(context, task) -> bool:
    return task.deadline_kind == "after_event" and access.can_record_event(context.get("user"), task)
