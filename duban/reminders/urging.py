"""催办: the coordinator's notice to a unit — one click on the overview, per task with a note, or every red unit at once.

Each 催办 of a unit is an Urge row (at most one per unit and day for the whole plan, one per unit, task and
day for a task), and in the same transaction one inbox message to each liaison of the unit (always: the
inbox is a delivered channel, whatever the plan's reminder channels say), linked to the assignments it
names (the coordinator's read receipt), plus e-mail to the liaisons and the unit's address as the plan's
rule allows. Robots hear once per action (`robots`), not once per unit.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from duban.notify.models import InboxMessage
from duban.plans.models import Assignment
from duban.reminders import notices
from duban.reminders.models import ReminderRule, Urge
from duban.reminders.sweep import Sender, escalations, recipients, working_days_between

MAX_NOTE = 500


class AlreadyUrged(Exception):
    """This unit was urged today (for this task); the message says by whom and when."""


@dataclass
class Sent:
    urge: Urge
    items: int
    delivered: int  # inbox messages, there now
    queued: int  # e-mails waiting in the outbox


def items(rows: list[Assignment], today: datetime.date, calendar) -> list[notices.Item]:
    out = []
    for a in rows:
        late = a.due_date is not None and a.due_date < today
        days = working_days_between(calendar, today, a.due_date) if a.due_date else None
        out.append(notices.Item(a.task.no, a.task.requirement, a.role, a.due_date, "", late, days if late else None, None if late else days))
    return out


def who(user) -> str:
    return (user.first_name or user.get_username()) if user else "协调人"


def earlier_message(unit, day, task=None) -> str:
    earlier = Urge.objects.filter(unit=unit, day=day, task=task).select_related("sent_by").first()
    when = timezone.localtime(earlier.sent_at).strftime("%H:%M") if earlier else ""
    what = f"第{task.no}项的" if task is not None else ""
    return f"今天{when}已由{who(earlier.sent_by if earlier else None)}向{unit.name}发送过{what}催办通知，未重复发送。"


def urge_unit(unit, plan, rows: list[Assignment], user, today: datetime.date, calendar, *, task=None, note: str = "", overdue_only: bool = False) -> Sent:
    """Record and send one 催办 to one unit about ``rows`` (its open assignments). Raises AlreadyUrged."""
    its = items(rows, today, calendar)
    note = (note or "").strip()[:MAX_NOTE]
    try:
        with transaction.atomic():
            urge = Urge.objects.create(
                unit=unit, plan=plan, task=task, note=note, day=today, sent_by=user,
                open_count=len(its), overdue_count=sum(i.overdue for i in its),
            )
            subject, body = notices.urge_notice(unit.name, plan.title, who(user), its, note=note, task_no=task.no if task else None, overdue_only=overdue_only)
            if len(rows) == 1:
                link = reverse("assignment", args=[rows[0].pk])
            else:
                link = reverse("unit", args=[unit.pk])
            rule = ReminderRule.for_plan(plan)
            send = Sender(rule, kind=InboxMessage.URGE, inbox_always=True)
            key = f"urge:{urge.pk}"
            ids = [a.pk for a in rows]
            people = recipients([unit.pk], [])
            for user_id, email in people.liaisons.get(unit.pk, []):
                send.to_user(f"{key}:liaison", user_id, email, subject, body, link, assignment_ids=ids, batch=key)
            for pk, email in people.contact_liaisons(unit.pk):  # 联络员 in the directory without an account
                send.to_address(f"{key}:liaison:contact:{pk}", email, subject, body, link)
            send.to_address(f"{key}:unit:email", unit.contact_email, subject, body, link)
            for e in escalations(unit, people.contacts.get(unit.pk, []), rule, its):  # long-overdue work: 负责人, 分管负责人
                send.to_address(f"{key}:{e.key}", e.email, *notices.urge_notice(unit.name, plan.title, who(user), e.items, note=note,
                                task_no=task.no if task else None, overdue_only=overdue_only), link)
            send.flush()
    except IntegrityError:
        raise AlreadyUrged(earlier_message(unit, today, task)) from None
    return Sent(urge, len(its), send.delivered, send.queued)


def robots(plan, subject: str, body: str, key: str, link: str) -> int:
    """One message to the plan's group robots for the whole action."""
    send = Sender(ReminderRule.for_plan(plan))
    send.to_robots(key, subject, body, link, plan.org_id)
    send.flush()
    return send.queued


def result_text(sent: list[Sent], robots_queued: int = 0) -> str:
    """What the coordinator reads afterwards: what is there now, and what is only queued."""
    delivered = sum(s.delivered for s in sent)
    queued = sum(s.queued for s in sent) + robots_queued
    parts = []
    if delivered:
        parts.append(f"{delivered} 条站内消息已送达联络员")
    if queued:
        parts.append(f"{queued} 条邮件或群机器人消息已排队发送")
    return "，".join(parts) if parts else "通知无人接收（没有联络员账号、单位邮箱，也没有启用的群机器人）"
