"""{% task_instructions task %}: the 批示 on a task (those concerning the reader's unit, for a liaison) and a leader's form."""
from django import template

from duban.instructions.models import MAX_TEXT
from duban.plans import access

register = template.Library()


@register.inclusion_tag("instructions/_task_instructions.html", takes_context=True)
def task_instructions(context, task):
    user = context.get("user")
    can_write = access.can_instruct(user) and task.archived_at is None
    units = []
    if can_write:
        units = [(a.unit_id, a.unit.name) for a in access.visible_assignments(user).filter(task=task).select_related("unit").order_by("unit__sort_order", "unit_id")]
    return {
        "task": task, "csrf_token": context.get("csrf_token"), "max_text": MAX_TEXT, "can_write": can_write, "units": units,
        "instructions": list(access.visible_instructions(user).filter(task=task).select_related("unit")),
    }


@register.inclusion_tag("instructions/_unit_instructions.html", takes_context=True)
def unit_instructions(context, unit):
    """The 批示 to the unit itself (not about one task), and a leader's form for one."""
    user = context.get("user")
    return {
        "unit": unit, "csrf_token": context.get("csrf_token"), "max_text": MAX_TEXT, "can_write": access.can_instruct(user),
        "instructions": list(access.visible_instructions(user).filter(task__isnull=True, unit=unit)),
    }
