"""One `duban remind` sweep: decide which reminders are due today, record them once, enqueue the notices.

Set-based and streaming: the work grows with the number of distinct due dates and stages, not with
the number of assignments, and no Python object is made per assignment except for the ledger rows
this run won, read one unit at a time.

1. Periodic assignments whose accepted period is over move to the next period (reminders.periods).
2. The open assignments with a due date — status 未开始, 推进中 or 退回; an assignment that is
   submitted (the office has to review it) or accepted is not reminded; nor is one of an inactive
   unit — are counted by the database per (plan, due date), in one query. The schedule
   (reminders.schedule) is computed once per distinct due date and rule: the current stage today.
3. One query counts what the ledger (Reminder, unique per assignment, due date and stage) already
   holds of those stages; (plan, due date) pairs it holds completely are skipped.
4. One ``INSERT … SELECT … ON CONFLICT DO NOTHING … RETURNING id``, joined to the list of the remaining
   (plan, due date, stage), records each stage for every open assignment without it, with this run's
   token, in one transaction (one scan of the open work, not one per stage; on SQLite in chunks of a
   few hundred stages); the rows carrying the token, between the returned ids, are the ones this run
   won. Only those are turned into notices, in
   the same transaction: a run that crashes sends nothing and records nothing, and two runs at once
   cannot both win a row — so no reminder is ever sent twice, and none is lost.
5. The notices are digests, not one message per assignment (a unit with 60 tasks due on 10-31
   gets one e-mail, not 60), read as a stream in (plan, unit) order and written in bulk, a few
   thousand messages at a time (plain tuples, no model object per message; COPY on PostgreSQL):
   * to each liaison of the unit (e-mail to the user's address; the in-site inbox, written at once and
     linked to the assignments) and to the unit's
     联络员 contacts in the directory that have no account: its items;
   * for overdue items, by the rule's escalation levels (``escalations``): overdue head_after working
     days or more, to the unit's 负责人 (Unit.leader_email and the 负责人 contacts); head_after +
     deputy_after or more, also to its 分管负责人 contacts; and, one digest per run, to every
     coordinator of the organisation (inbox and e-mail);
   * one message per plan per run to the group robots (企业微信/钉钉) of the plan's organisation
     and to those of all organisations, counts per unit.
   Notification dedupe keys are derived from the day, the unit or plan and the first ledger row of
   the digest, e.g. ``remind:2021-10-25:u12:r3401:liaison:email:57``.
6. Then the outbox is delivered (unless told not to): e-mail and robots with retries (the inbox is already written).
"""
from __future__ import annotations

import datetime
import logging
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter

from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from duban.accounts.models import Profile
from duban.directory.models import Contact, Unit
from duban.notify import events, inbox, outbox, workapps
from duban.notify.outbox import enqueue_rows
from duban.notify.models import InboxMessage, Notification, Subscription, Webhook, WorkApp
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
    open_work = Assignment.objects.filter(due_date__isnull=False, status__in=OPEN_STATUSES, unit__active=True).order_by()

    # 2. The distinct (plan, due date) pairs of open work, counted by the database; one schedule per due date and rule.
    wanted: dict[tuple[datetime.date, str, str], list[int]] = defaultdict(list)  # (due, stage, kind) -> plan ids
    stages: dict[tuple[schedule.Rule, datetime.date], schedule.Stage | str | None] = {}
    counts: dict[tuple[int, datetime.date], int] = {}
    plan_rules: dict[int, schedule.Rule] = {}
    for plan_id, due, n in open_work.values_list("task__plan_id", "due_date").annotate(n=Count("pk")).order_by("due_date", "task__plan_id"):
        counts[(plan_id, due)] = n
        report.assignments += n
        report.due_dates += 1
        if plan_id not in plan_rules:
            plan_rules[plan_id] = schedule.Rule.of(rules[plan_id])
        key = (plan_rules[plan_id], due)
        if key not in stages:
            try:
                stages[key] = schedule.current_stage(due, today, key[0], calendar)
            except UnknownCalendarYear as exc:
                stages[key] = str(exc)
        stage = stages[key]
        if isinstance(stage, str):
            report.problems.append(f"完成日期为 {due:%Y-%m-%d} 的 {n} 项任务分工无法计算提醒日期：{stage}")
        elif stage is not None:
            wanted[(due, stage.name, stage.kind)].append(plan_id)

    # 3. What the ledger already holds of these stages for the open work, counted per (plan, due date, stage):
    #    the plans whose count is complete need no insert (a repeat run of the day inserts nothing).
    held = dict(
        ((plan_id, due, stage), n)
        for plan_id, due, stage, n in Reminder.objects.filter(
            assignment__status__in=OPEN_STATUSES, assignment__unit__active=True, assignment__archived_at__isnull=True,
            due_date=F("assignment__due_date"),
            due_date__in={due for due, _, _ in wanted}, stage__in={stage for _, stage, _ in wanted},
        ).values_list("assignment__task__plan_id", "due_date", "stage").annotate(n=Count("pk")).order_by()
    ) if wanted else {}

    # 4. One INSERT … SELECT for every due date and stage; the rows carrying this run's token are the ones it won.
    todo = []
    for (due, stage, kind), plan_ids in sorted(wanted.items()):  # one order for every run: concurrent inserts wait, never deadlock
        plan_ids = [p for p in plan_ids if held.get((p, due, stage), 0) < counts[(p, due)]]
        if plan_ids:
            todo += [(len(todo), p, due, stage, kind) for p in plan_ids]
    if not todo:
        return finish(report, deliver)
    token = uuid.uuid4().hex
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # A crash right after the commit may lose this run's ledger rows and notices together (the next run
            # records and sends them again); it never keeps one without the other. So the commit need not wait for the disk.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        # SQLite takes a few hundred parameters a statement: there the wanted rows go in chunks, in order.
        size = len(todo) if connection.features.max_query_params is None else connection.features.max_query_params // 5 - 10
        won = [pk for i in range(0, len(todo), size) for pk in record(open_work, todo[i : i + size], today, token)]
        report.reminders = len(won)
        if won:
            plan_ids = {p for _, p, _, _, _ in todo}
            report.notifications = enqueue_notices(token, min(won), max(won), plan_ids, today, rules, calendar)
    return finish(report, deliver)


def finish(report: SweepReport, deliver: bool) -> SweepReport:
    for problem in report.problems:
        logger.warning(problem)
    if deliver:
        report.delivery = deliver_all()
    return report


def record(open_work, todo: list[tuple[int, int, datetime.date, str, str]], today: datetime.date, token: str) -> list[int]:
    """Insert, in one statement, one ledger row per open assignment (of ``open_work``) of each wanted
    (order, plan, due date, stage, kind) that has none yet, skipping rows another run holds; the ids of the rows
    inserted, which follow the wanted order and, within it, the assignments'."""
    ops = connection.ops
    work_sql, work_params = open_work.values(a=F("pk"), p=F("task__plan_id"), d=F("due_date")).query.sql_with_params()
    if connection.vendor == "postgresql":  # one array a column: five parameters however many stages (no 50,000 placeholders to parse)
        values = "SELECT * FROM unnest(%s::integer[], %s::bigint[], %s::date[], %s::text[], %s::text[])"
        params = [list(column) for column in zip(*todo)]
    else:
        values = "VALUES " + ", ".join(["(%s, %s, %s, %s, %s)"] * len(todo))
        params = [v for n, p, due, stage, kind in todo for v in (n, p, ops.adapt_datefield_value(due), stage, kind)]
    table = ops.quote_name(Reminder._meta.db_table)
    columns = ", ".join(ops.quote_name(c) for c in ("assignment_id", "due_date", "stage", "kind", "sent_on", "run", "created_at"))
    sql = (
        f"WITH wanted (n, plan_id, due_date, stage, kind) AS ({values}) "
        f"INSERT INTO {table} ({columns}) "
        f"SELECT work.a, wanted.due_date, wanted.stage, wanted.kind, %s, %s, %s "
        f"FROM ({work_sql}) work INNER JOIN wanted ON wanted.plan_id = work.p AND wanted.due_date = work.d "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} held WHERE held.assignment_id = work.a "
        f"AND held.due_date = wanted.due_date AND held.stage = wanted.stage) "
        f"ORDER BY wanted.n, work.a ON CONFLICT DO NOTHING RETURNING id"
    )
    params += [ops.adapt_datefield_value(today), token, ops.adapt_datetimefield_value(timezone.now()), *work_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [pk for (pk,) in cursor.fetchall()]


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
    contacts: dict[int, list[tuple[int, str, str, str]]] = field(default_factory=dict)  # unit id -> [(id, role, name, e-mail)]

    def contact_liaisons(self, unit_id: int) -> list[tuple[int, str]]:
        """The unit's 联络员 contacts known only by e-mail (not the address of one of its liaison accounts): [(id, e-mail)]."""
        accounts = {email for _, email in self.liaisons.get(unit_id, [])}
        return [(pk, email) for pk, role, _, email in self.contacts.get(unit_id, []) if role == Contact.LIAISON and email not in accounts]


def recipients(unit_ids=None, org_ids=(), *, orgs_units=None) -> Recipients:
    """The liaisons and directory contacts of the given units (or of every unit of ``orgs_units``), the coordinators of ``org_ids``."""
    units = Q(unit__in=unit_ids) if orgs_units is None else Q(unit__org__in=orgs_units)
    liaisons: dict[int, list] = defaultdict(list)
    for unit_id, user_id, email in (
        Profile.objects.filter(units, role=Profile.LIAISON, user__is_active=True)
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
    contacts: dict[int, list] = defaultdict(list)
    for unit_id, *contact in Contact.objects.filter(units, active=True).exclude(email="").order_by("pk").values_list("unit_id", "pk", "role", "name", "email"):
        contacts[unit_id].append(tuple(contact))
    return Recipients(liaisons, coordinators, contacts)


class Sender:
    """Collects messages to people and robots as the rule's channels allow; flush() writes them in bulk, in the
    caller's transaction: the inbox delivered there and then, e-mail and robots queued in the outbox.
    ``inbox_always``: the inbox even if the rule leaves it out (催办)."""

    def __init__(self, rule: ReminderRule, webhooks: list[Webhook] | None = None,
                 kind: str = InboxMessage.REMINDER, inbox_always: bool = False, work_ids=None):
        self.rule, self.webhooks, self.kind, self.inbox_always = rule, webhooks, kind, inbox_always
        self.delivered = 0  # inbox messages written
        self.queued = 0  # e-mail and robot notifications enqueued
        self.pending: list[tuple] = []  # (channel, recipient, subject, body, link, dedupe key): outbox.enqueue_rows
        self.inbox: list[tuple] = []  # (user id, subject, body, link, kind, assignment ids, batch)
        self.work_ids: dict[int, list[tuple[str, str]]] | None = work_ids  # read at the first to_user unless given

    @property
    def count(self) -> int:
        return self.delivered + self.queued

    def to_user(self, key: str, user_id: int, email: str, subject: str, body: str, link: str,
                assignment_ids=(), batch: str = "") -> None:
        if self.rule.by_inbox or self.inbox_always:
            self.inbox.append((user_id, subject, body, link, self.kind, list(assignment_ids), batch or key))
        if self.rule.by_email and email:
            self._add(Notification.EMAIL, email, subject, body, f"{key}:email:{user_id}", link)
        if self.rule.by_email:  # a personal channel, like e-mail: 企业微信/钉钉 messages to the user's id
            for channel, recipient in self._work_ids().get(user_id, ()):
                self._add(channel, recipient, subject, body, f"{key}:{channel}:{user_id}", link)

    def _work_ids(self) -> dict[int, list[tuple[str, str]]]:
        """Users with a 企业微信/钉钉 id in an organisation with that app active: user id → (channel, recipient)."""
        if self.work_ids is None:
            self.work_ids = defaultdict(list)
            apps = {(a.org_id, a.kind): a for a in WorkApp.objects.filter(active=True)}
            if apps:
                people = Profile.objects.exclude(wecom_userid="", dingtalk_userid="").filter(user__is_active=True)
                for user_id, org_id, wecom, ding in people.values_list("user_id", "org_id", "wecom_userid", "dingtalk_userid"):
                    for channel, userid in ((WorkApp.WECOM, wecom), (WorkApp.DINGTALK, ding)):
                        if userid and (org_id, channel) in apps:
                            self.work_ids[user_id].append((channel, workapps.recipient(apps[org_id, channel], userid)))
        return self.work_ids

    def to_address(self, key: str, email: str, subject: str, body: str, link: str) -> None:
        if self.rule.by_email and email:
            self._add(Notification.EMAIL, email, subject, body, key, link)

    def to_robots(self, key: str, subject: str, body: str, link: str, org_id: int) -> None:
        """The active robots of the organisation and those of all organisations (dedupe key per robot)."""
        if not self.rule.by_webhook:
            return
        if self.webhooks is None:
            self.webhooks = list(Webhook.objects.filter(active=True).order_by("pk"))
        for hook in self.webhooks:
            if hook.org_id in (None, org_id):
                self._add(hook.kind, hook.url, subject, body, f"{key}:webhook:{hook.pk}", link)

    def _add(self, channel, recipient, subject, body, key, link) -> None:
        self.pending.append((channel, recipient, subject, body, link, key))

    def flush(self) -> int:
        """Write the inbox messages and enqueue the rest, in bulk; returns everything sent so far."""
        self.delivered += inbox.deliver_many(self.inbox)
        self.queued += enqueue_rows(self.pending)
        self.inbox, self.pending = [], []
        return self.count


@dataclass
class Escalation:
    """Who besides the liaisons hears of a unit's overdue work, and of which items."""

    key: str  # the end of the dedupe key: leader, head:<contact id>, deputy:<contact id>
    name: str
    email: str
    items: list[notices.Item]


def escalations(unit: Unit, contacts: list[tuple], rule: ReminderRule, items: list[notices.Item]) -> list[Escalation]:
    """By the rule: items overdue head_after working days or more go also to the unit's 负责人 (Unit.leader_email
    and the directory contacts of that role); head_after + deputy_after or more, also to its 分管负责人.

    An item whose overdue days the calendar cannot count is escalated to the 负责人, not further.
    """
    def level(i: notices.Item) -> int:
        if not i.overdue:
            return 0
        days = i.overdue_working_days
        if days is None:
            return 1
        return 2 if days >= rule.head_after + rule.deputy_after else 1 if days >= rule.head_after else 0

    head = [i for i in items if level(i) >= 1]
    deputy = [i for i in items if level(i) >= 2]
    out = []
    if head and unit.leader_email:
        out.append(Escalation("leader", unit.leader_name, unit.leader_email, head))
    for pk, role, name, email in contacts:
        if role == Contact.HEAD and head and email != unit.leader_email:
            out.append(Escalation(f"head:{pk}", name, email, head))
        elif role == Contact.DEPUTY and deputy:
            out.append(Escalation(f"deputy:{pk}", name, email, deputy))
    return out


def overdue_event(reminder_id: int, assignment_id: int, i: notices.Item, plan: Plan, unit: Unit,
                  subscriptions: list[Subscription]) -> list[Notification]:
    """assignment.overdue for the plan's organisation's subscribers: one per won escalation ledger row."""
    return events.notifications("assignment.overdue", plan.org_id, f"reminder:{reminder_id}", {
        "assignment": {"id": assignment_id, "role": i.role, "due_date": i.due_date,
                       "overdue_working_days": i.overdue_working_days},
        "task": {"no": i.task_no}, "plan": {"id": plan.pk, "title": plan.title}, "unit": {"id": unit.pk, "name": unit.name},
    }, subscriptions=subscriptions)


FLUSH_ROWS = 5000  # messages held before they are written: a few statements for a whole run, and bounded memory


def enqueue_notices(token: str, first_id: int, last_id: int, plan_ids, today: datetime.date,
                    rules: dict[int, ReminderRule], calendar: WorkCalendar) -> int:
    """The digests of the ledger rows this run won (ids first_id…last_id, of the plans among ``plan_ids``), read in
    (plan, unit) order as a stream: one unit's rows at a time."""
    won = (
        Reminder.objects.filter(run=token, pk__gte=first_id, pk__lte=last_id)
        .order_by("assignment__task__plan_id", "assignment__unit__sort_order", "assignment__unit_id", "id")
        .values_list(
            "assignment__task__plan_id", "assignment__unit_id", "id", "assignment_id", "stage", "kind", "due_date",
            "assignment__role", "assignment__task__no", "assignment__task__requirement",
        )
    )
    plans = {p.pk: p for p in Plan.objects.filter(pk__in=plan_ids).only("pk", "org_id", "title")}
    org_ids = {p.org_id for p in plans.values()}
    units = {u.pk: u for u in Unit.objects.filter(org__in=org_ids)}
    people = recipients(org_ids=org_ids, orgs_units=org_ids)
    webhooks = list(Webhook.objects.filter(active=True).order_by("pk"))
    # A handful of rows: filtered here, as SQLite cannot look inside the JSON list.
    subscriptions = [s for s in Subscription.objects.filter(active=True, org__in=org_ids).order_by("pk") if "assignment.overdue" in s.events]
    counted: dict[datetime.date, int | None] = {}
    links: dict[int, str] = {}
    home = reverse("home")
    sender = Sender(None, webhooks)  # one for the run, its rule the plan's

    def item(stage, kind, due, role, no, requirement) -> notices.Item:
        late = kind == Reminder.ESCALATE
        if due not in counted:  # the schedule has just used the calendar on these days
            counted[due] = working_days_between(calendar, today, due)
        return notices.Item(no, requirement, role, due, stage, late, counted[due] if late else None, None if late else counted[due])

    for plan_id, plan_rows in groupby(won.iterator(chunk_size=2000), key=itemgetter(0)):
        plan, sender.rule = plans[plan_id], rules[plan_id]
        soon_lines, overdue_lines, first = [], [], None
        for unit_id, rows in groupby(plan_rows, key=itemgetter(1)):
            unit, ids, assignment_ids, items = units[unit_id], [], [], []
            for _, _, pk, assignment_id, *fields in rows:
                ids.append(pk)
                assignment_ids.append(assignment_id)
                items.append(item(*fields))
                if items[-1].overdue and subscriptions:
                    sender.pending += [(n.channel, n.recipient, n.subject, n.body, n.link, n.dedupe_key)
                                       for n in overdue_event(pk, assignment_id, items[-1], plan, unit, subscriptions)]
            first = min(ids) if first is None else min(first, *ids)
            batch = f"u{unit_id}:r{min(ids)}"
            overdue = [i for i in items if i.overdue]
            soon = [i for i in items if not i.overdue]
            prefix = "escalate" if overdue else "remind"
            if unit_id not in links:  # a unit is in several plans; reverse() costs more than the rest of a digest
                links[unit_id] = reverse("unit", args=[unit_id])
            link = links[unit_id]
            subject, body = notices.unit_digest(unit.name, plan.title, items)
            for user_id, email in people.liaisons.get(unit_id, []):
                sender.to_user(f"{prefix}:{today}:{batch}:liaison", user_id, email, subject, body, link, assignment_ids=assignment_ids)
            for pk, email in people.contact_liaisons(unit_id):
                sender.to_address(f"{prefix}:{today}:{batch}:liaison:contact:{pk}", email, subject, body, link)
            for e in escalations(unit, people.contacts.get(unit_id, []), rules[plan_id], overdue):
                subject, body = notices.leader_digest(unit.name, e.name, plan.title, e.items)
                sender.to_address(f"escalate:{today}:{batch}:{e.key}", e.email, subject, body, link)
            if overdue:
                overdue_lines.append(
                    notices.UnitLine(unit.name, len(overdue), min(i.due_date for i in overdue), max(i.overdue_working_days or 0 for i in overdue))
                )
            if soon:
                soon_lines.append(notices.UnitLine(unit.name, len(soon), min(i.due_date for i in soon)))
            if len(sender.pending) + len(sender.inbox) >= FLUSH_ROWS:
                sender.flush()
        overview = reverse("overview") + f"?plan={plan_id}"
        if overdue_lines:
            subject, body = notices.coordinator_digest(plan.title, today, overdue_lines)
            for user_id, email in people.coordinators.get(plan.org_id, []):
                sender.to_user(f"escalate:{today}:p{plan_id}:r{first}:coordinator", user_id, email, subject, body, overview)
        subject, body = notices.robot_digest(plan.title, today, soon_lines, overdue_lines)
        sender.to_robots(f"remind:{today}:p{plan_id}:r{first}", subject, body, home, plan.org_id)
    return sender.flush()
