"""The acceptance test: a whole year of the seed plan on a frozen clock.

`duban remind` runs twice on every day from 2021-08-12 (the plan is issued) to 2021-12-31 — in the
morning, then the units and the office act, then again in the evening — and the test asserts the
exact set of reminders recorded (unit, task, stage, day) and of notifications (day, dedupe key,
channel, recipient): each sent once, none on the second run of a day, none in the holiday.

The data is restricted to four units (the others' assignments are deleted), so every expectation can
be written down; the logic is the same as for the whole plan (see test_whole_plan_*).

The 2021 calendar (国办发明电〔2020〕27号): 中秋 9/19–9/21 off, Saturday 9/18 worked; 国庆 10/1–10/7
off, Sunday 9/26 and Saturday 10/9 worked. Every expected date below is counted by hand from it.

Rule: the defaults — remind 5, 3 and 1 working days before, on the due day (when it is a working
day), escalate on the first working day after the due date and every 5 working days after.

A due date on a non-working day (10月31日 is a Sunday) stays as written: the reminders count working
days before it (5 → Mon 10/25, 3 → Wed 10/27, 1 → Fri 10/29), there is no separate due-day reminder,
and escalation starts on Monday 11/1.
"""
import datetime
import io
import re
from collections import defaultdict
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from duban.accounts.models import Profile
from duban.directory.models import Unit
from duban.notify.models import InboxMessage, Notification, Webhook
from duban.plans import deadlines, editing
from duban.plans.models import Assignment, Task
from duban.progress.models import StatusChange
from duban.reminders.models import Reminder

D = datetime.date
pytestmark = pytest.mark.django_db(transaction=False)

GOV, DEV, FIN, STAT = "区政府办公室", "区发展改革局", "区财政局", "区统计局"
UNITS = [GOV, DEV, FIN, STAT]
ONGOING_TASK = 26  # 统计数据公开 (区统计局牵头): made 长期坚持 for this test, quarterly reports
OVERRIDE_TASK = 11  # 政府采购信息公开: the office moves 区财政局's due date to 10/11
RETURNED_TASK = 8  # 预决算公开 (区财政局牵头): returned once

# Due Sunday 10/31: 5th, 3rd, 1st working day before; escalations from Monday 11/1, every 5 working days.
OCT31 = [
    ("before5", D(2021, 10, 25)), ("before3", D(2021, 10, 27)), ("before1", D(2021, 10, 29)),
    ("escalate1", D(2021, 11, 1)), ("escalate2", D(2021, 11, 8)), ("escalate3", D(2021, 11, 15)),
    ("escalate4", D(2021, 11, 22)), ("escalate5", D(2021, 11, 29)), ("escalate6", D(2021, 12, 6)),
    ("escalate7", D(2021, 12, 13)), ("escalate8", D(2021, 12, 20)), ("escalate9", D(2021, 12, 27)),
]
# Task 1, 文件成文 on Wed 9/15 → 20 working days → Tue 10/19 (see tests/deadlines/test_due.py).
# Before: 10/18 (1), 10/15, 10/14 (3), 10/13, 10/12 (5). Escalations: 10/20, then 10/21 22 25 26 27 → 10/27.
TASK1 = [
    ("before5", D(2021, 10, 12)), ("before3", D(2021, 10, 14)), ("before1", D(2021, 10, 18)),
    ("due", D(2021, 10, 19)), ("escalate1", D(2021, 10, 20)),
]
# Due Mon 10/11 (override): before it 10/9 (Sat, worked) 1, 10/8 2, [10/1–10/7 off], 9/30 3, 9/29 4, 9/28 5.
OCT11 = [("before5", D(2021, 9, 28)), ("before3", D(2021, 9, 30)), ("before1", D(2021, 10, 9)), ("due", D(2021, 10, 11))]
# Task 5, due Fri 12/31 (a working day: 2022's 元旦 is 1/1–1/3): 12/30 1, 12/29, 12/28 3, 12/27, 12/24 5.
DEC31 = [("before5", D(2021, 12, 24)), ("before3", D(2021, 12, 28)), ("before1", D(2021, 12, 30)), ("due", D(2021, 12, 31))]
# Q3 report of the ongoing task, due Thu 9/30: before it 9/29 1, 9/28, 9/27 3, 9/26 (Sun, worked), 9/24 5.
# Escalations: 10/8 (first working day after the holiday), then 10/9 11 12 13 14 → 10/14, then 10/21.
Q3 = [
    ("before5", D(2021, 9, 24)), ("before3", D(2021, 9, 27)), ("before1", D(2021, 9, 29)), ("due", D(2021, 9, 30)),
    ("escalate1", D(2021, 10, 8)), ("escalate2", D(2021, 10, 14)),
]


def noon(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


class Office:
    """What people do during a day, written straight to the assignment fields (the lifecycle's effect)."""

    def __init__(self, day_of):
        self.day_of = day_of

    def set(self, rows, status):
        when = noon(self.day_of())
        for a in rows:
            a.refresh_from_db()
            a.status, a.status_changed_at = status, when
            if status == Assignment.SUBMITTED:
                a.submitted_at = when
            if status == Assignment.ACCEPTED:
                a.accepted_at = when
            a.save(update_fields=["status", "status_changed_at", "submitted_at", "accepted_at"])

    def submit(self, rows):
        self.set(rows, Assignment.SUBMITTED)

    def accept(self, rows):
        self.set(rows, Assignment.ACCEPTED)

    def return_(self, rows):
        self.set(rows, Assignment.RETURNED)


@pytest.fixture
def year(seed_plan, org, unit, coordinator, leader, robot, monkeypatch, settings):
    """The seed plan for four units, their liaisons, a coordinator with e-mail, a group robot, a movable clock."""
    settings.DUBAN_ROBOT_PER_MINUTE = 1000  # a year of daily runs passes in seconds here (tests/notify/test_robot_rate.py)
    units = {name: unit(name) for name in UNITS}
    Assignment.objects.filter(task__plan=seed_plan).exclude(unit__in=units.values()).delete()
    Unit.objects.filter(pk=units[STAT].pk).update(leader_name="统计局张局长", leader_email="stat-leader@example.gov.cn")
    Unit.objects.filter(pk=units[GOV].pk).update(leader_email="gov-leader@example.gov.cn")
    coordinator.email = "coordinator@example.gov.cn"
    coordinator.save()
    liaisons = defaultdict(list)
    for name, u in units.items():
        user = User.objects.create_user(f"liaison-{u.pk}", email=f"liaison{u.pk}@example.gov.cn")
        Profile.objects.create(user=user, org=org, role=Profile.LIAISON, unit=u)
        liaisons[name].append(user)
    second = User.objects.create_user("fin-second")  # no e-mail address: inbox only
    Profile.objects.create(user=second, org=org, role=Profile.LIAISON, unit=units[FIN])
    liaisons[FIN].append(second)
    Webhook.objects.create(name="政务公开工作群", kind=Webhook.WECOM, url=robot.url + "/cgi-bin/webhook/send?key=test")
    clock = {"day": D(2021, 8, 12)}
    monkeypatch.setattr(deadlines, "office_today", lambda: clock["day"])
    return {"plan": seed_plan, "units": units, "liaisons": liaisons, "clock": clock, "coordinator": coordinator, "robot": robot}


def rows(plan, unit_name, nos=None, **filters):
    qs = Assignment.objects.filter(task__plan=plan, unit__name=unit_name, **filters)
    if nos is not None:
        qs = qs.filter(task__no__in=nos)
    return list(qs.order_by("task__no"))


def run_remind(day):
    """What one run sent: the outbox rows it enqueued, and the inbox messages it wrote (no outbox row: the
    inbox is written at once), the latter keyed as the outbox would, ``<batch>:inbox:<user id>``."""
    out = io.StringIO()
    before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    before_inbox = InboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    call_command("remind", today=day.isoformat(), stdout=out, stderr=out)
    inbox = [
        SimpleNamespace(dedupe_key=f"{m.batch}:inbox:{m.user_id}", channel="inbox", recipient=str(m.user_id), subject=m.title, body=m.body)
        for m in InboxMessage.objects.filter(pk__gt=before_inbox).order_by("pk")
    ]
    return list(Notification.objects.filter(pk__gt=before).order_by("pk")) + inbox


def normal(key):
    return re.sub(r":r\d+", ":r*", key)


def test_a_year_of_reminders(year):
    plan, units, liaisons, clock = year["plan"], year["units"], year["liaisons"], year["clock"]
    office = Office(lambda: clock["day"])
    t26 = Task.objects.get(plan=plan, no=ONGOING_TASK)
    Assignment.objects.filter(task=t26).exclude(unit__in=[units[STAT], units[FIN]]).delete()
    assert set(t26.assignments.values_list("unit__name", "role")) == {(STAT, "lead"), (FIN, "responsible")}
    nos = {name: set(Task.objects.filter(plan=plan, assignments__unit=u).values_list("no", flat=True)) for name, u in units.items()}
    oct31 = {
        name: sorted(no for no in Task.objects.filter(plan=plan, deadline_date=D(2021, 10, 31), no__in=nos[name]).values_list("no", flat=True) if no != ONGOING_TASK)
        for name in UNITS
    }
    oct31[FIN].remove(OVERRIDE_TASK)
    assert {1, 5} <= nos[GOV] and {1, 5} <= nos[DEV] and 5 in nos[FIN] and 5 in nos[STAT]
    assert RETURNED_TASK in oct31[FIN] and all(len(oct31[n]) > 50 for n in UNITS)
    no_deadline = set(Task.objects.filter(plan=plan, deadline_kind="").values_list("no", flat=True))
    assert no_deadline

    # What happens on which day (after that day's morning run).
    def actions(day):
        if day == D(2021, 8, 12):  # the office makes task 26 a standing task with quarterly reports
            editing.update_task(t26, year["coordinator"], {"deadline_kind": "ongoing", "deadline_date": None}, note="改为长期坚持")
            assert {a.due_date for a in t26.assignments.all()} == {D(2021, 9, 30)}
        elif day == D(2021, 9, 1):  # 区财政局 is asked to finish task 11 before a city inspection
            a = rows(plan, FIN, [OVERRIDE_TASK])[0]
            a.due_override, a.due_override_reason = D(2021, 10, 11), "配合市级检查提前完成"
            a.save(update_fields=["due_override", "due_override_reason"])
            assert deadlines.refresh_task(a.task) == []
        elif day == D(2021, 9, 15):  # 文件成文: the event of task 1 is recorded
            t1 = Task.objects.get(plan=plan, no=1)
            t1.event_date = day
            t1.save(update_fields=["event_date"])
            assert {a.due_date for a in t1.assignments.all()} == {D(2021, 10, 19)}
        elif day == D(2021, 9, 28):
            office.submit(rows(plan, FIN, [ONGOING_TASK]))
        elif day == D(2021, 9, 29):
            office.accept(rows(plan, FIN, [ONGOING_TASK]))
        elif day == D(2021, 10, 11):
            office.submit(rows(plan, FIN, [OVERRIDE_TASK]))
        elif day == D(2021, 10, 12):
            office.accept(rows(plan, FIN, [OVERRIDE_TASK]))
        elif day == D(2021, 10, 13):  # 区发展改革局 does everything early
            office.submit(rows(plan, DEV))
        elif day == D(2021, 10, 15):
            office.accept(rows(plan, DEV))
        elif day == D(2021, 10, 20):
            office.submit(rows(plan, STAT, [ONGOING_TASK]))  # its Q3 report, three weeks late
        elif day == D(2021, 10, 21):
            office.submit(rows(plan, GOV, [1]))
            office.accept(rows(plan, STAT, [ONGOING_TASK]))
        elif day == D(2021, 10, 22):
            office.accept(rows(plan, GOV, [1]))
        elif day == D(2021, 10, 26):
            office.submit(rows(plan, FIN, oct31[FIN]))
        elif day == D(2021, 10, 28):
            office.accept(rows(plan, FIN, [n for n in oct31[FIN] if n != RETURNED_TASK]))
            office.return_(rows(plan, FIN, [RETURNED_TASK]))
        elif day == D(2021, 11, 2):
            office.submit(rows(plan, FIN, [RETURNED_TASK]))
        elif day == D(2021, 11, 3):
            office.accept(rows(plan, FIN, [RETURNED_TASK]))
        elif day == D(2021, 11, 9):
            office.submit(rows(plan, GOV, oct31[GOV]))
        elif day == D(2021, 11, 10):
            office.accept(rows(plan, GOV, oct31[GOV]))
        elif day == D(2021, 12, 29):
            office.submit(rows(plan, FIN, [ONGOING_TASK]))  # its Q4 report
        elif day == D(2021, 12, 30):
            office.accept(rows(plan, FIN, [ONGOING_TASK]))

    created: dict[datetime.date, list[Notification]] = {}
    checkpoints = {}
    day = D(2021, 8, 12)
    while day <= D(2021, 12, 31):
        clock["day"] = day
        morning = run_remind(day)
        again = run_remind(day)
        assert again == [], f"{day}: a second run sent {[n.dedupe_key for n in again]}"
        actions(day)
        evening = run_remind(day)  # sends only what the day's actions made due (a return, see task 8 on 10/28)
        if morning or evening:
            created[day] = morning + evening
        if day in (D(2021, 10, 1), D(2021, 10, 21), D(2021, 12, 31)):
            checkpoints[day] = {a.unit.name: (a.status, a.due_date) for a in Assignment.objects.filter(task=t26).select_related("unit")}
        day += datetime.timedelta(days=1)

    # --- the ledger: every reminder, once ---------------------------------------------------------
    def series(unit_name, task_nos, stages):
        return {(unit_name, no, stage, d) for no in task_nos for stage, d in stages}

    expected = (
        # 区政府办公室: task 1 late by a day; the 10/31 tasks reported on 11/9 (after the second escalation); task 5 never.
        series(GOV, [1], TASK1)
        | series(GOV, oct31[GOV], OCT31[:5])
        | series(GOV, [5], DEC31)
        # 区发展改革局: everything reported on 10/13, the day after task 1's first reminder.
        | series(DEV, [1], TASK1[:1])
        # 区财政局: reported on 10/26 after the first reminder; task 8 returned on 10/28, reported again on 11/2.
        # The return re-opens task 8: that evening's run sends the latest stage it missed (before3, due 10/27) —
        # once, a day late, rather than nothing until the next stage.
        | series(FIN, oct31[FIN], OCT31[:1])
        | series(FIN, [RETURNED_TASK], [("before3", D(2021, 10, 28)), ("before1", D(2021, 10, 29)), ("escalate1", D(2021, 11, 1))])
        | series(FIN, [OVERRIDE_TASK], OCT11)
        | series(FIN, [5], DEC31)
        | series(FIN, [ONGOING_TASK], Q3[:2])  # Q3 report on 9/28
        | series(FIN, [ONGOING_TASK], DEC31[:2])  # Q4 (due 12/31) report on 12/29
        # 区统计局: never reports on the 10/31 tasks; its Q3 report comes on 10/20, none for Q4.
        | series(STAT, oct31[STAT], OCT31)
        | series(STAT, [5], DEC31)
        | series(STAT, [ONGOING_TASK], Q3)
        | series(STAT, [ONGOING_TASK], DEC31)
    )
    ledger = set(
        Reminder.objects.filter(assignment__task__plan=plan).values_list("assignment__unit__name", "assignment__task__no", "stage", "sent_on")
    )
    assert ledger - expected == set(), "unexpected reminders"
    assert expected - ledger == set(), "missing reminders"
    assert Reminder.objects.count() == len(expected)  # one row per reminder: nothing twice
    # The due date of a reminder is the one in force when it was sent (Q3 then Q4 for the standing task).
    assert set(Reminder.objects.filter(assignment__task__no=ONGOING_TASK, stage="before5").values_list("due_date", flat=True)) == {D(2021, 9, 30), D(2021, 12, 31)}
    assert not Reminder.objects.filter(assignment__task__no__in=no_deadline).exists()
    assert not Reminder.objects.filter(sent_on__range=(D(2021, 10, 1), D(2021, 10, 7))).exists()  # 国庆 holiday
    assert Reminder.objects.filter(sent_on=D(2021, 10, 9)).count() == 1  # the worked Saturday: task 11's last reminder

    # --- the periods of the standing task ---------------------------------------------------------
    assert checkpoints[D(2021, 10, 1)] == {FIN: ("in_progress", D(2021, 12, 31)), STAT: ("not_started", D(2021, 9, 30))}
    assert checkpoints[D(2021, 10, 21)] == {FIN: ("in_progress", D(2021, 12, 31)), STAT: ("in_progress", D(2021, 12, 31))}
    assert checkpoints[D(2021, 12, 31)] == {FIN: ("accepted", D(2021, 12, 31)), STAT: ("in_progress", D(2021, 12, 31))}
    rolls = StatusChange.objects.filter(assignment__task__no=ONGOING_TASK, by=None).values_list("assignment__unit__name", "to_status", "reason")
    assert sorted(rolls) == sorted([
        (FIN, "in_progress", "新的报送周期：2021年第四季度，完成日期 2021-12-31"),  # the morning of 10/1
        (STAT, "in_progress", "新的报送周期：2021年第四季度，完成日期 2021-12-31"),  # 10/21, once its Q3 report is accepted
    ])

    # --- the notifications: one digest per unit and day, once ------------------------------------
    by_day_unit = defaultdict(set)
    for unit_name, _, stage, d in expected:
        by_day_unit[(d, unit_name)].add(stage)
    want = set()
    escalation_days, reminder_days = set(), set()
    coordinator = year["coordinator"]
    for (d, unit_name), stages in by_day_unit.items():
        u = units[unit_name]
        escalated = any(s.startswith("escalate") for s in stages)
        prefix = "escalate" if escalated else "remind"
        reminder_days.add(d)
        for user in liaisons[unit_name]:
            want.add((d, f"{prefix}:{d}:u{u.pk}:r*:liaison:inbox:{user.pk}", "inbox", str(user.pk)))
            if user.email:
                want.add((d, f"{prefix}:{d}:u{u.pk}:r*:liaison:email:{user.pk}", "email", user.email))
        if escalated:
            escalation_days.add(d)
            leader_email = Unit.objects.get(pk=u.pk).leader_email
            if leader_email:
                want.add((d, f"escalate:{d}:u{u.pk}:r*:leader", "email", leader_email))
    hook = Webhook.objects.get()
    for d in escalation_days:
        want.add((d, f"escalate:{d}:p{plan.pk}:r*:coordinator:inbox:{coordinator.pk}", "inbox", str(coordinator.pk)))
        want.add((d, f"escalate:{d}:p{plan.pk}:r*:coordinator:email:{coordinator.pk}", "email", coordinator.email))
    for d in reminder_days:
        want.add((d, f"remind:{d}:p{plan.pk}:r*:webhook:{hook.pk}", "wecom", hook.url))
    got = {(d, normal(n.dedupe_key), n.channel, n.recipient) for d, ns in created.items() for n in ns}
    assert got - want == set(), "unexpected notifications"
    assert want - got == set(), "missing notifications"
    assert sum(len(ns) for ns in created.values()) == len(want)  # no two notifications for one entry
    assert sorted(created) == sorted(reminder_days)
    assert escalation_days == {D(2021, 10, 8), D(2021, 10, 14), D(2021, 10, 20)} | {d for _, d in OCT31[3:]}

    # Delivered: every notification sent, to the inboxes, the SMTP backend and the robot.
    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.SENT}
    assert InboxMessage.objects.filter(kind="reminder").count() == len([w for w in want if w[2] == "inbox"])
    assert len(mail.outbox) == len([w for w in want if w[2] == "email"])
    assert len(year["robot"].requests) == len(reminder_days)

    # --- the words of a few of them -----------------------------------------------------------------
    def one(d, pattern):
        found = [n for n in created[d] if re.fullmatch(pattern, normal(n.dedupe_key))]
        assert len(found) == 1, (d, pattern, [n.dedupe_key for n in created[d]])
        return found[0]

    fin, stat, gov = units[FIN], units[STAT], units[GOV]
    n = one(D(2021, 10, 29), rf"remind:2021-10-29:u{fin.pk}:r\*:liaison:email:\d+")
    assert n.subject == "【督办提醒】区财政局：1 项任务将于10月31日到期"
    assert f"第{RETURNED_TASK}项（牵头）" in n.body and "2021年10月31日（星期日），还剩 1 个工作日（含今天）" in n.body
    n = one(D(2021, 10, 9), rf"remind:2021-10-09:u{fin.pk}:r\*:liaison:email:\d+")  # the worked Saturday
    assert f"第{OVERRIDE_TASK}项" in n.body and "2021年10月11日（星期一），还剩 2 个工作日（含今天）" in n.body  # 10/9 and 10/11
    n = one(D(2021, 10, 28), rf"remind:2021-10-28:u{fin.pk}:r\*:liaison:email:\d+")  # after the return
    assert "还剩 2 个工作日（含今天）" in n.body  # 10/28 and 10/29
    n = one(D(2021, 11, 8), rf"escalate:2021-11-08:u{stat.pk}:r\*:leader")
    assert n.recipient == "stat-leader@example.gov.cn" and n.subject == f"【逾期督办】区统计局有 {len(oct31[STAT])} 项任务逾期未报送"
    assert n.body.startswith("统计局张局长：") and "已逾期 6 个工作日" in n.body  # 11/1 2 3 4 5 8
    n = one(D(2021, 11, 1), rf"escalate:2021-11-01:p{plan.pk}:r\*:coordinator:email:\d+")
    assert n.subject == f"【逾期督办】3 个单位共 {len(oct31[GOV]) + 1 + len(oct31[STAT])} 项任务逾期未报送"
    assert "区财政局：1 项" in n.body and f"区统计局：{len(oct31[STAT])} 项" in n.body
    n = one(D(2021, 12, 24), rf"remind:2021-12-24:u{stat.pk}:r\*:liaison:email:\d+")
    assert n.subject == "【督办提醒】区统计局：2 项任务将于12月31日到期"  # task 5 and the Q4 report
    robot_texts = [r["json"]["markdown"]["content"] for r in year["robot"].requests]
    assert any("**已逾期未报送**" in t and f"区统计局：{len(oct31[STAT])} 项（完成日期 10月31日）" in t for t in robot_texts)


def test_lights_through_the_autumn(year):
    """The lights of 区统计局's 10/31 assignment and of task 1 on days around the deadlines."""
    from duban.workcal.services import get_calendar

    plan, cal = year["plan"], get_calendar()
    a = rows(plan, STAT, [2])[0] if rows(plan, STAT, [2]) else rows(plan, STAT, [27])[0]
    assert a.due_date == D(2021, 10, 31)
    seen = {d: deadlines.light(a, d, cal, 5) for d in (D(2021, 10, 22), D(2021, 10, 24), D(2021, 10, 25), D(2021, 10, 31), D(2021, 11, 1))}
    assert seen == {D(2021, 10, 22): "green", D(2021, 10, 24): "green", D(2021, 10, 25): "yellow", D(2021, 10, 31): "yellow", D(2021, 11, 1): "red"}
    t1 = rows(plan, GOV, [1])[0]
    assert deadlines.light(t1, D(2021, 9, 1), cal, 5) == "grey"  # waiting for 文件成文

