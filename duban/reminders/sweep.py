"""One `duban remind` sweep: decide which reminders are due today, record them once, enqueue the notices.

1. Periodic assignments whose accepted period is over move to the next period (reminders.periods).
2. Every open assignment with a due date — status 未开始, 推进中 or 退回; an assignment that is
   submitted (the office has to review it) or accepted is not reminded; nor is one of an inactive
   unit — is read once, as (id, due date, plan). They are grouped by (plan, due date), and the
   schedule (reminders.schedule) is computed once per distinct due date: the current stage today.
3. The stages not yet in the ledger (Reminder, unique per assignment, due date and stage) are
   inserted in one transaction with ON CONFLICT DO NOTHING and this run's token; the rows carrying
   the token are the ones this run won. Only those are turned into notices, in the same
   transaction: a run that crashes sends nothing and records nothing, and two runs at once cannot
   both win a row — so no reminder is ever sent twice, and none is lost.
4. The notices are digests, not one message per assignment (a unit with 60 tasks due on 10-31
   gets one e-mail, not 60):
   * to each liaison of the unit (e-mail to the user's address; the in-site inbox, written at once and
     linked to the assignments): its items;
   * for overdue items, to the unit's leader (Unit.leader_email) and, one digest per run, to
     every coordinator of the organisation (inbox and e-mail);
   * one message per plan per run to the group robots (企业微信/钉钉) of the plan's organisation
     and to those of all organisations, counts per unit.
   Notification dedupe keys are derived from the day, the unit or plan and the first ledger row of
   the digest, e.g. ``remind:2021-10-25:u12:r3401:liaison:email:57``.
5. Then the outbox is delivered (unless told not to): e-mail and robots with retries (the inbox is already written).
"""
from __future__ import annotations

import datetime
import logging
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse

from duban.accounts.models import Profile
from duban.directory.models import Unit
from duban.notify import inbox, outbox
from duban.notify.models import InboxMessage, Notification
from duban.plans.models import Assignment, Plan
from duban.reminders import notices, schedule
from duban.reminders.models import Reminder, ReminderRule
from duban.reminders.periods import roll_periods
from duban.workcal.calendar import UnknownCalendarYear, WorkCalendar
from duban.workcal.services import get_calendar

logger = logging.getLogger(__name__)

OPEN_STATUSES = [Assignment.NOT_STARTED, Assignment.IN_PROGRESS, Assignment.RETURNED]
DELIVERY_BUDGET_SECONDS = 120


@dataclass
class SweepReport:
    today: datetime.date
    assignments: int = 0  # open assignments with a due date looked at
    due_dates: int = 0  # distinct (plan, due date) schedules computed
    reminders: int = 0  # ledger rows this run won
    notifications: int = 0  # notifications enqueued
    rolled: int = 0  # periodic assignments moved to their next period
    problems: list[str] = field(default_factory=list)
    delivery: outbox.DeliveryReport | None = None


def rules_by_plan() -> dict[int, ReminderRule]:
    """Every plan's rule; plans without one get the defaults stored now."""
    rules = {r.plan_id: r for r in ReminderRule.objects.all()}
    missing = Plan.objects.exclude(pk__in=list(rules)).values_list("pk", flat=True)
    if missing:
        ReminderRule.objects.bulk_create([ReminderRule(plan_id=pk) for pk in missing], ignore_conflicts=True)
        rules = {r.plan_id: r for r in ReminderRule.objects.all()}
    return rules


def sweep(today: datetime.date, deliver: bool = True, calendar: WorkCalendar | None = None) -> SweepReport:
    report = SweepReport(today)
    report.rolled = roll_periods(today)
    calendar = calendar or get_calendar()
    rules = rules_by_plan()

    by_due: dict[tuple[int, datetime.date], list[int]] = defaultdict(list)
    rows = (
        Assignment.objects.filter(due_date__isnull=False, status__in=OPEN_STATUSES, unit__active=True)
        .order_by()
        .values_list("pk", "due_date", "task__plan_id")
    )
    with transaction.atomic():  # on PostgreSQL a cursor outside a transaction is WITH HOLD: materialised first
        for pk, due, plan_id in rows.iterator(chunk_size=10000):
            by_due[(plan_id, due)].append(pk)
            report.assignments += 1
    report.due_dates = len(by_due)

    # One schedule per distinct due date (and rule); the assignments only pick up its current stage.
    wanted: dict[tuple[datetime.date, str, str], list[int]] = defaultdict(list)
    stage_cache: dict[tuple[schedule.Rule, datetime.date], schedule.Stage | None] = {}
    for (plan_id, due), ids in by_due.items():
        rule = schedule.Rule.of(rules[plan_id])
        key = (rule, due)
        if key not in stage_cache:
            try:
                stage_cache[key] = schedule.current_stage(due, today, rule, calendar)
            except UnknownCalendarYear as exc:
                stage_cache[key] = None
                report.problems.append(f"完成日期为 {due:%Y-%m-%d} 的 {len(ids)} 项任务分工无法计算提醒日期：{exc}")
        stage = stage_cache[key]
        if stage is not None:
            wanted[(due, stage.name, stage.kind)] += ids

    new: list[Reminder] = []
    token = uuid.uuid4().hex
    for (due, stage, kind), ids in wanted.items():
        done = set(Reminder.objects.filter(due_date=due, stage=stage).values_list("assignment_id", flat=True))
        new += [
            Reminder(assignment_id=pk, due_date=due, stage=stage, kind=kind, sent_on=today, run=token)
            for pk in sorted(ids)
            if pk not in done
        ]
    if new:
        new.sort(key=lambda r: (r.assignment_id, r.stage))  # one order for every run: concurrent inserts wait, never deadlock
        with transaction.atomic():
            Reminder.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
            won = list(
                Reminder.objects.filter(run=token).values(
                    "id", "stage", "kind", "due_date", "assignment_id",
                    "assignment__unit_id", "assignment__role", "assignment__task__no",
                    "assignment__task__requirement", "assignment__task__plan_id",
                )
            )
            report.reminders = len(won)
            report.notifications = enqueue_notices(won, today, rules, calendar)
    for problem in report.problems:
        logger.warning(problem)
    if deliver:
        report.delivery = deliver_all()
    return report


def deliver_all(budget: float = DELIVERY_BUDGET_SECONDS) -> outbox.DeliveryReport:
    """Deliver due notifications in rounds of 100 until none is left or the time budget is spent."""
    total = outbox.DeliveryReport()
    started = time.monotonic()
    while True:
        r = outbox.deliver_due(limit=100)
        total.sent, total.retrying, total.failed = total.sent + r.sent, total.retrying + r.retrying, total.failed + r.failed
        if r.sent + r.retrying + r.failed < 100 or time.monotonic() - started > budget:
            return total


# --- notices -------------------------------------------------------------------------------------


def working_days_between(calendar: WorkCalendar, today: datetime.date, due: datetime.date) -> int | None:
    """After the due date: working days overdue (due, today]. Up to it: working days left [today, due], today included."""
    try:
        if today > due:
            return calendar.working_days_between(due, today)
        return calendar.working_days_between(today - datetime.timedelta(days=1), due)
    except UnknownCalendarYear:
        return None


@dataclass
class Recipients:
    liaisons: dict[int, list[tuple[int, str]]]  # unit id -> [(user id, e-mail)]
    coordinators: dict[int, list[tuple[int, str]]]  # org id -> [(user id, e-mail)]


def recipients(unit_ids, org_ids) -> Recipients:
    liaisons: dict[int, list] = defaultdict(list)
    for unit_id, user_id, email in (
        Profile.objects.filter(role=Profile.LIAISON, unit__in=unit_ids, user__is_active=True)
        .order_by("user_id")
        .values_list("unit_id", "user_id", "user__email")
    ):
        liaisons[unit_id].append((user_id, email))
    coordinators: dict[int, list] = defaultdict(list)
    for org_id, user_id, email in (
        Profile.objects.filter(role=Profile.COORDINATOR, org__in=org_ids, user__is_active=True)
        .order_by("user_id")
        .values_list("org_id", "user_id", "user__email")
    ):
        coordinators[org_id].append((user_id, email))
    return Recipients(liaisons, coordinators)


class Sender:
    """Sends one message to people as the rule's channels allow: the inbox at once (delivered), e-mail and
    robots through the outbox (queued). ``inbox_always``: the inbox even if the rule leaves it out (催办)."""

    def __init__(self, rule: ReminderRule, kind: str = InboxMessage.REMINDER, inbox_always: bool = False):
        self.rule, self.kind, self.inbox_always = rule, kind, inbox_always
        self.delivered = 0  # inbox messages written
        self.queued = 0  # e-mail and robot notifications enqueued

    @property
    def count(self) -> int:
        return self.delivered + self.queued

    def to_user(self, key: str, user_id: int, email: str, subject: str, body: str, link: str,
                assignment_ids=(), batch: str = "") -> None:
        if self.rule.by_inbox or self.inbox_always:
            self.delivered += inbox.deliver([user_id], subject, body, link, kind=self.kind, assignment_ids=assignment_ids, batch=batch or key)
        if self.rule.by_email and email:
            self._add(outbox.enqueue(Notification.EMAIL, email, subject, body, f"{key}:email:{user_id}", link=link))

    def to_address(self, key: str, email: str, subject: str, body: str, link: str) -> None:
        if self.rule.by_email and email:
            self._add(outbox.enqueue(Notification.EMAIL, email, subject, body, key, link=link))

    def to_robots(self, key: str, subject: str, body: str, link: str, org_id: int) -> None:
        if self.rule.by_webhook:
            self.queued += len(outbox.enqueue_webhooks(subject, body, key, link=link, org=org_id))

    def _add(self, row) -> None:
        self.queued += row is not None


def enqueue_notices(won: list[dict], today: datetime.date, rules: dict[int, ReminderRule], calendar: WorkCalendar) -> int:
    plans = {p.pk: p for p in Plan.objects.filter(pk__in={r["assignment__task__plan_id"] for r in won})}
    unit_ids = {r["assignment__unit_id"] for r in won}
    units = {u.pk: u for u in Unit.objects.filter(pk__in=unit_ids).order_by("sort_order", "pk")}
    people = recipients(unit_ids, {p.org_id for p in plans.values()})
    counted: dict[datetime.date, int] = {}

    def item(r: dict) -> notices.Item:
        due = r["due_date"]
        late = r["kind"] == Reminder.ESCALATE
        if due not in counted:  # the schedule has just used the calendar on these days
            counted[due] = working_days_between(calendar, today, due)
        return notices.Item(
            r["assignment__task__no"], r["assignment__task__requirement"], r["assignment__role"], due, r["stage"],
            late, counted[due] if late else None, None if late else counted[due],
        )

    groups: dict[int, dict[int, list[dict]]] = defaultdict(lambda: defaultdict(list))  # plan -> unit -> rows
    for r in won:
        groups[r["assignment__task__plan_id"]][r["assignment__unit_id"]].append(r)

    count = 0
    for plan_id, by_unit in sorted(groups.items()):
        plan, sender = plans[plan_id], Sender(rules[plan_id])
        soon_lines, overdue_lines = [], []
        for unit_id in sorted(by_unit, key=lambda u: (units[u].sort_order, u)):
            unit, rows = units[unit_id], by_unit[unit_id]
            items = [item(r) for r in rows]
            batch = f"u{unit_id}:r{min(r['id'] for r in rows)}"
            overdue = [i for i in items if i.overdue]
            soon = [i for i in items if not i.overdue]
            prefix = "escalate" if overdue else "remind"
            link = reverse("unit", args=[unit_id])
            subject, body = notices.unit_digest(unit.name, plan.title, items)
            ids = [r["assignment_id"] for r in rows]
            for user_id, email in people.liaisons.get(unit_id, []):
                sender.to_user(f"{prefix}:{today}:{batch}:liaison", user_id, email, subject, body, link, assignment_ids=ids)
            if overdue:
                subject, body = notices.leader_digest(unit.name, unit.leader_name, plan.title, items)
                sender.to_address(f"escalate:{today}:{batch}:leader", unit.leader_email, subject, body, link)
                overdue_lines.append(
                    notices.UnitLine(unit.name, len(overdue), min(i.due_date for i in overdue), max(i.overdue_working_days or 0 for i in overdue))
                )
            if soon:
                soon_lines.append(notices.UnitLine(unit.name, len(soon), min(i.due_date for i in soon)))
        first = min(r["id"] for rows in by_unit.values() for r in rows)
        overview = reverse("overview") + f"?plan={plan_id}"
        if overdue_lines:
            subject, body = notices.coordinator_digest(plan.title, today, overdue_lines)
            for user_id, email in people.coordinators.get(plan.org_id, []):
                sender.to_user(f"escalate:{today}:p{plan_id}:r{first}:coordinator", user_id, email, subject, body, overview)
        subject, body = notices.robot_digest(plan.title, today, soon_lines, overdue_lines)
        sender.to_robots(f"remind:{today}:p{plan_id}:r{first}", subject, body, reverse("home"), plan.org_id)
        count += sender.count
    return count
