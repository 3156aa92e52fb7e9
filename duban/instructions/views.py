"""A leader writes a 批示 on a task (the one thing a leader may write); it reaches the units concerned at once."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from duban.audit.events import record
from duban.audit.models import AuditEvent
from duban.instructions.models import MAX_TEXT, Instruction
from duban.notify.models import InboxMessage
from duban.plans import access
from duban.reminders.models import ReminderRule
from duban.reminders.sweep import Sender, recipients
from duban.reminders.urging import result_text


class UnitInstructionForm(forms.Form):
    text = forms.CharField(label="批示内容", max_length=MAX_TEXT, error_messages={"required": "请填写批示内容。", "max_length": f"批示内容最多 {MAX_TEXT} 字。"})


class InstructionForm(UnitInstructionForm):
    unit = forms.TypedChoiceField(label="批示给", coerce=int, required=False, empty_value=None,
                                  error_messages={"invalid_choice": "所选单位不在本任务中。"})


def notice(instruction: Instruction, unit_name: str) -> tuple[str, str]:
    task = instruction.task
    if task is None:
        subject = f"【领导批示】{instruction.author_name}对{unit_name}的批示"
        about = ""
    else:
        subject = f"【领导批示】第{task.no}项：{instruction.author_name}的批示"
        about = f"《{task.plan.title}》第{task.no}项：{task.requirement[:80]}\n\n"
    body = f"{unit_name}：\n{about}{instruction.author_name}批示：{instruction.text}\n\n请认真落实，并在督办系统中报送办理情况。"
    return subject[:200], body


def _deliver(request, instruction: Instruction, concerned: list[tuple], plan_or_none, org_id: int, target: str) -> str:
    """To each (unit, assignment or None, link): its liaisons' inboxes at once, e-mail as the plan's rule allows
    (every channel when there is no plan); one robot message; audited. Returns what was delivered, in words."""
    rule = ReminderRule.for_plan(plan_or_none, create=False) if plan_or_none is not None else ReminderRule()
    send = Sender(rule, kind=InboxMessage.INSTRUCTION, inbox_always=True)
    key = f"instruction:{instruction.pk}"
    people = recipients([u.pk for u, _, _ in concerned], []).liaisons
    for unit, assignment, link in concerned:
        subject, body = notice(instruction, unit.name)
        ids = [assignment.pk] if assignment is not None else []
        for user_id, email in people.get(unit.pk, []):
            send.to_user(f"{key}:u{unit.pk}:liaison", user_id, email, subject, body, link, assignment_ids=ids, batch=key)
        send.to_address(f"{key}:u{unit.pk}:unit:email", unit.contact_email, subject, body, link)
    names = "、".join(u.name for u, _, _ in concerned) or "（暂无单位）"
    subject, _ = notice(instruction, names)
    send.to_robots(key, subject, f"{target}\n{instruction.author_name}批示：{instruction.text}\n批示单位：{names}",
                   concerned[0][2] if concerned else reverse("home"), org_id)
    send.flush()
    record(request, AuditEvent.INSTRUCTION, target=target, after={"text": instruction.text, "units": [u.name for u, _, _ in concerned]})
    return result_text([send])


def _form_errors(form) -> str:
    return "批示未保存：" + "；".join(e for errors in form.errors.values() for e in errors)


@require_POST
@login_required
def create(request, task_id: int):
    """A 批示 on a task, to all its units or to one of them."""
    if not access.can_instruct(request.user):
        raise PermissionDenied("只有领导可以作出批示。")
    task = get_object_or_404(access.visible_tasks(request.user).select_related("plan"), pk=task_id)
    rows = list(access.visible_assignments(request.user).filter(task=task).select_related("unit").order_by("unit__sort_order", "unit_id"))
    form = InstructionForm(request.POST)
    form.fields["unit"].choices = [("", "全部单位")] + [(a.unit_id, a.unit.name) for a in rows]
    back = reverse("task", args=[task.pk]) + "#instructions"
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(back)
    unit_id = form.cleaned_data["unit"]
    concerned = [(a.unit, a, reverse("assignment", args=[a.pk])) for a in rows if unit_id is None or a.unit_id == unit_id]
    with transaction.atomic():
        instruction = Instruction.objects.create(
            task=task, unit_id=unit_id, text=form.cleaned_data["text"].strip(), author=request.user,
            author_name=request.user.first_name or request.user.get_username(),
        )
        said = _deliver(request, instruction, concerned, task.plan, task.plan.org_id, f"{task.plan.title} 第{task.no}项")
    messages.success(request, f"批示已保存，发给 {len(concerned)} 个单位：{said}。")
    return redirect(back)


@require_POST
@login_required
def create_for_unit(request, unit_id: int):
    """A 批示 to a unit, about its work as a whole (no one task): shown on the unit's page."""
    if not access.can_instruct(request.user):
        raise PermissionDenied("只有领导可以作出批示。")
    unit = get_object_or_404(access.visible_units(request.user), pk=unit_id)
    form = UnitInstructionForm(request.POST)
    back = reverse("unit", args=[unit.pk]) + "#instructions"
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(back)
    plan = access.visible_plans(request.user).filter(tasks__assignments__unit=unit).distinct().first()  # its newest plan's channels
    with transaction.atomic():
        instruction = Instruction.objects.create(
            unit=unit, text=form.cleaned_data["text"].strip(), author=request.user,
            author_name=request.user.first_name or request.user.get_username(),
        )
        said = _deliver(request, instruction, [(unit, None, reverse("unit", args=[unit.pk]))], plan, unit.org_id, unit.name)
    messages.success(request, f"批示已保存，发给{unit.name}：{said}。")
    return redirect(back)
