"""{% task_urges task %}: on the task page, the coordinator's per-task 催办 form and the read receipts."""
from django import template

from duban.notify import inbox
from duban.plans import access
from duban.reminders.sweep import OPEN_STATUSES
from duban.reminders.urging import MAX_NOTE

register = template.Library()


@register.inclusion_tag("reminders/_task_urge.html", takes_context=True)
def task_urges(context, task):
    user = context.get("user")
    if not access.can_edit(user) or task.archived_at is not None:
        return {"show": False}
    rows = list(access.visible_assignments(user).filter(task=task).select_related("unit").order_by("role", "unit__sort_order", "unit_id"))
    receipts = inbox.receipts(access.visible_assignments(user).filter(task=task))
    return {
        "show": True, "task": task, "csrf_token": context.get("csrf_token"), "max_note": MAX_NOTE,
        "rows": [(a, a.status in OPEN_STATUSES, receipts.get(a.pk)) for a in rows],
        "open_count": sum(1 for a in rows if a.status in OPEN_STATUSES),
    }
