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


class InstructionForm(forms.Form):
    text = forms.CharField(label="批示内容", max_length=MAX_TEXT, error_messages={"required": "请填写批示内容。", "max_length": f"批示内容最多 {MAX_TEXT} 字。"})
    unit = forms.TypedChoiceField(label="批示给", coerce=int, required=False, empty_value=None,
                                  error_messages={"invalid_choice": "所选单位不在本任务中。"})


def notice(instruction: Instruction, unit_name: str) -> tuple[str, str]:
    task = instruction.task
    subject = f"【领导批示】第{task.no}项：{instruction.author_name}的批示"
    body = (f"{unit_name}：\n《{task.plan.title}》第{task.no}项：{task.requirement[:80]}\n\n"
            f"{instruction.author_name}批示：{instruction.text}\n\n请认真落实，并在督办系统中报送办理情况。")
    return subject[:200], body


@require_POST
@login_required
def create(request, task_id: int):
    if not access.can_instruct(request.user):
        raise PermissionDenied("只有领导可以作出批示。")
    task = get_object_or_404(access.visible_tasks(request.user).select_related("plan"), pk=task_id)
    rows = list(access.visible_assignments(request.user).filter(task=task).select_related("unit").order_by("unit__sort_order", "unit_id"))
    form = InstructionForm(request.POST)
    form.fields["unit"].choices = [("", "全部单位")] + [(a.unit_id, a.unit.name) for a in rows]
    back = reverse("task", args=[task.pk]) + "#instructions"
    if not form.is_valid():
        messages.error(request, "批示未保存：" + "；".join(e for errors in form.errors.values() for e in errors))
        return redirect(back)
    unit_id = form.cleaned_data["unit"]
    concerned = [a for a in rows if unit_id is None or a.unit_id == unit_id]
    author = request.user.first_name or request.user.get_username()
    with transaction.atomic():
        instruction = Instruction.objects.create(
            task=task, unit_id=unit_id, text=form.cleaned_data["text"].strip(), author=request.user, author_name=author,
        )
        send = Sender(ReminderRule.for_plan(task.plan), kind=InboxMessage.INSTRUCTION, inbox_always=True)
        key = f"instruction:{instruction.pk}"
        people = recipients([a.unit_id for a in concerned], []).liaisons
        for a in concerned:
            subject, body = notice(instruction, a.unit.name)
            link = reverse("assignment", args=[a.pk])
            for user_id, email in people.get(a.unit_id, []):
                send.to_user(f"{key}:u{a.unit_id}:liaison", user_id, email, subject, body, link, assignment_ids=[a.pk], batch=key)
            send.to_address(f"{key}:u{a.unit_id}:unit:email", a.unit.contact_email, subject, body, link)
        subject, _ = notice(instruction, "")
        names = "、".join(a.unit.name for a in concerned) or "（本任务暂无单位）"
        send.to_robots(key, subject, f"《{task.plan.title}》第{task.no}项\n{author}批示：{instruction.text}\n批示单位：{names}",
                       reverse("task", args=[task.pk]), task.plan.org_id)
        record(request, AuditEvent.INSTRUCTION, target=f"{task.plan.title} 第{task.no}项",
               after={"text": instruction.text, "units": [a.unit.name for a in concerned]})
    messages.success(request, f"批示已保存，发给 {len(concerned)} 个单位：{result_text([send])}。")
    return redirect(back)
