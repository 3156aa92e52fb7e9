"""The set-based sweep: its ledger on a fixture with two rules, a query count that does not grow
with the data, and escalation by rule (liaison → 负责人 → 分管负责人) in the sweep and in a 催办.

November 2021 has no holiday: the working days are Monday to Friday (Mon 11/1, Mon 11/8, Mon 11/15).
"""
import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from duban.accounts.models import Profile
from duban.directory.models import Contact, Organisation, Unit
from duban.notify.models import InboxMessage, Notification
from duban.plans import deadlines
from duban.plans.models import Assignment, Plan, Task
from duban.reminders.models import Urge, Reminder, ReminderRule
from duban.reminders.sweep import sweep

D = datetime.date
pytestmark = pytest.mark.django_db


def make_org(name="测试区"):
    return Organisation.objects.create(name=f"{name}人民政府", short_name=name)


def make_plan(org, title, **rule):
    plan = Plan.objects.create(org=org, title=title, year=2021, sha256=title.encode().hex()[:64].ljust(64, "0"), source_file="x.txt")
    ReminderRule.objects.create(plan=plan, **rule)
    return plan


def assign(plan, unit, due, status=Assignment.NOT_STARTED, no=None):
    no = no or Task.objects.filter(plan=plan).count() + 1
    task = Task.objects.create(plan=plan, no=no, requirement=f"第{no}项任务。", deadline_kind="date", deadline_date=due)
    return Assignment.objects.create(task=task, unit=unit, role="lead", status=status, due_date=due)


def liaison(org, unit, name):
    from django.contrib.auth.models import User

    user = User.objects.create_user(name, email=f"{name}@example.gov.cn")
    Profile.objects.create(user=user, org=org, role=Profile.LIAISON, unit=unit)
    return user


def ledger():
    return set(Reminder.objects.values_list("assignment_id", "due_date", "stage", "sent_on"))


def test_the_ledger_of_two_rules_over_a_week():
    org = make_org()
    u1, u2 = (Unit.objects.create(org=org, name=n, sort_order=i) for i, n in enumerate(["一局", "二局"]))
    off = Unit.objects.create(org=org, name="撤销局", active=False)
    a = make_plan(org, "甲方案")  # the defaults: 5, 3, 1 working days before, on the due day, escalate every 5
    b = make_plan(org, "乙方案", days_before="2", on_due_day=False, escalate_every=2)
    a1 = assign(a, u1, D(2021, 11, 10))
    assign(a, u2, D(2021, 11, 10), status=Assignment.SUBMITTED)  # waits for review: never reminded
    a3 = assign(a, u1, D(2021, 11, 5), status=Assignment.IN_PROGRESS)
    a4 = assign(b, u1, D(2021, 11, 10), status=Assignment.RETURNED)
    assign(b, off, D(2021, 11, 10))  # an inactive unit: never reminded
    a6 = assign(b, u2, D(2021, 11, 1))
    assign(b, u2, D(2021, 11, 1), status=Assignment.ACCEPTED)

    won = {}
    for day in [D(2021, 11, 3), D(2021, 11, 4), D(2021, 11, 8), D(2021, 11, 10), D(2021, 11, 11)]:
        won[day] = sweep(day, deliver=False).reminders
        again = sweep(day, deliver=False)
        assert (again.reminders, again.notifications) == (0, 0), day

    n10, n5, n1 = D(2021, 11, 10), D(2021, 11, 5), D(2021, 11, 1)
    expected = {
        # 11/10 under the defaults: before5 11/3, before3 11/5 (no run that day: sent 11/8), before1 11/9 (no run),
        # due 11/10, escalate1 11/11.
        (a1.pk, n10, "before5", D(2021, 11, 3)), (a1.pk, n10, "before3", D(2021, 11, 8)),
        (a1.pk, n10, "due", n10), (a1.pk, n10, "escalate1", D(2021, 11, 11)),
        # Fri 11/5: before5 10/29 and before3 11/2 have passed by the first run (only the latest is sent),
        # before1 11/4, escalate1 Mon 11/8; escalate2 not before 11/15.
        (a3.pk, n5, "before3", D(2021, 11, 3)), (a3.pk, n5, "before1", D(2021, 11, 4)), (a3.pk, n5, "escalate1", D(2021, 11, 8)),
        # The other rule, 11/10: 2 working days before (11/8), no due-day reminder, escalate1 11/11.
        (a4.pk, n10, "before2", D(2021, 11, 8)), (a4.pk, n10, "escalate1", D(2021, 11, 11)),
        # Mon 11/1 under the other rule: escalate1 11/2 (sent on the first run, 11/3), then every 2 working days.
        (a6.pk, n1, "escalate1", D(2021, 11, 3)), (a6.pk, n1, "escalate2", D(2021, 11, 4)),
        (a6.pk, n1, "escalate3", D(2021, 11, 8)), (a6.pk, n1, "escalate4", D(2021, 11, 10)),
    }
    assert ledger() == expected
    assert won == {D(2021, 11, 3): 3, D(2021, 11, 4): 2, D(2021, 11, 8): 4, D(2021, 11, 10): 2, D(2021, 11, 11): 2}
    kinds = dict(Reminder.objects.values_list("stage", "kind").distinct())
    assert {s: k for s, k in kinds.items() if s.startswith("escalate")} == {s: "escalate" for s in kinds if s.startswith("escalate")}
    assert {k for s, k in kinds.items() if not s.startswith("escalate")} == {"remind"}


def test_a_new_due_date_starts_a_new_series():
    org = make_org()
    u = Unit.objects.create(org=org, name="一局")
    a = assign(make_plan(org, "甲方案"), u, D(2021, 11, 10))
    sweep(D(2021, 11, 3), deliver=False)
    Assignment.objects.filter(pk=a.pk).update(due_date=D(2021, 11, 12))  # five working days before: 11/5
    assert sweep(D(2021, 11, 4), deliver=False).reminders == 0  # the new series' first stage is not due yet
    assert sweep(D(2021, 11, 5), deliver=False).reminders == 1
    assert ledger() == {(a.pk, D(2021, 11, 10), "before5", D(2021, 11, 3)), (a.pk, D(2021, 11, 12), "before5", D(2021, 11, 5))}


def build(units: int, tasks: int, tag: str):
    """Two organisations, each a plan with its own rule; units × tasks assignments per plan on three due dates."""
    for o in range(2):
        org = make_org(f"{tag}区{o}")
        plan = make_plan(org, f"方案{o}", days_before="5,3,1" if o == 0 else "5,2")
        us = [Unit.objects.create(org=org, name=f"局{i}", sort_order=i, leader_email=f"l{o}{i}@example.gov.cn") for i in range(units)]
        for i, u in enumerate(us):
            liaison(org, u, f"{tag}liaison{o}-{i}")
            Contact.objects.create(unit=u, role=Contact.HEAD, name="局长", email=f"head{o}{i}@example.gov.cn")
            Contact.objects.create(unit=u, role=Contact.DEPUTY, name="副区长", email=f"deputy{o}{i}@example.gov.cn")
        dues = [D(2021, 11, 10), D(2021, 11, 5), D(2021, 10, 15)]
        for t in range(tasks):
            task = Task.objects.create(plan=plan, no=t + 1, requirement=f"第{t + 1}项", deadline_kind="date", deadline_date=dues[t % 3])
            Assignment.objects.bulk_create([Assignment(task=task, unit=u, role="responsible", due_date=task.deadline_date) for u in us])


def measure(units: int, tasks: int) -> tuple[int, int]:
    """Queries of a cold and of a repeat sweep on a new data set of this size (the earlier ones done with)."""
    Assignment.objects.update(status=Assignment.ACCEPTED)
    build(units, tasks, tag=f"{units}x{tasks}")
    with CaptureQueriesContext(connection) as cold:
        report = sweep(D(2021, 11, 3), deliver=False)
    assert report.reminders == 2 * units * tasks  # every assignment has a stage today (10/15's is an escalation)
    assert report.notifications >= 2 * units * 3  # per unit at least the liaison's inbox and e-mail and the 负责人
    with CaptureQueriesContext(connection) as warm:
        assert sweep(D(2021, 11, 3), deliver=False).reminders == 0
    return len(cold.captured_queries), len(warm.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_data():
    small = measure(units=2, tasks=3)
    large = measure(units=9, tasks=12)  # 18 times the assignments, 4.5 times the units and digests
    assert small == large, (small, large)
    assert large[1] < 15


@pytest.fixture
def escalating(monkeypatch):
    """A unit with a liaison, a 联络员 known only by e-mail, a 负责人 and a 分管负责人; a rule that escalates every
    working day, to the 负责人 from 2 working days overdue and to the 分管负责人 3 working days later."""
    org = make_org()
    u = Unit.objects.create(org=org, name="一局")
    plan = make_plan(org, "甲方案", escalate_every=1, head_after=2, deputy_after=3, by_webhook=False)
    user = liaison(org, u, "yiju")
    contacts = {
        role: Contact.objects.create(unit=u, role=role, name=name, email=f"{role}@example.gov.cn")
        for role, name in [(Contact.LIAISON, "王联络"), (Contact.HEAD, "李局长"), (Contact.DEPUTY, "赵副区长")]
    }
    Contact.objects.create(unit=u, role=Contact.DEPUTY, name="无邮箱")  # no address: nobody to send to
    first = assign(plan, u, D(2021, 11, 1), no=1)
    second = assign(plan, u, D(2021, 11, 5), no=2)
    return {"org": org, "unit": u, "plan": plan, "user": user, "contacts": contacts, "first": first, "second": second}


def told(day, unit):
    """Who heard of the unit on that day: the dedupe keys without the day and batch prefix."""
    out = {}
    for n in Notification.objects.filter(dedupe_key__contains=f":{day}:u{unit.pk}:"):
        out[n.dedupe_key.split(":", 3)[3].split(":", 1)[1]] = n
    return out


def test_escalation_goes_to_the_head_then_the_deputy(escalating):
    u, c, user = escalating["unit"], escalating["contacts"], escalating["user"]
    liaisons = {f"liaison:email:{user.pk}", f"liaison:contact:{c['liaison'].pk}"}  # and the inbox, written at once
    seen, inboxed = {}, {}
    for day in [D(2021, 11, 2), D(2021, 11, 3), D(2021, 11, 4), D(2021, 11, 5), D(2021, 11, 8)]:
        before = InboxMessage.objects.filter(user=user).count()
        sweep(day, deliver=False)
        seen[day] = told(day, u)
        inboxed[day] = InboxMessage.objects.filter(user=user).count() - before
    assert all(n == 1 for n in inboxed.values()), inboxed  # the liaison's digest in 消息 every day
    assert set(seen[D(2021, 11, 2)]) == liaisons  # 1 working day overdue: the liaisons only
    head = f"head:{c['head'].pk}"
    assert set(seen[D(2021, 11, 3)]) == liaisons | {head}  # 2 working days: the 负责人 too
    assert set(seen[D(2021, 11, 4)]) == set(seen[D(2021, 11, 5)]) == liaisons | {head}
    deputy = f"deputy:{c['deputy'].pk}"
    assert set(seen[D(2021, 11, 8)]) == liaisons | {head, deputy}  # 5 working days: the 分管负责人 too
    on8 = seen[D(2021, 11, 8)]
    assert on8[deputy].recipient == "deputy@example.gov.cn" and on8[deputy].body.startswith("赵副区长：")
    assert on8[head].body.startswith("李局长：")
    # Task 2 (due Fri 11/5) is 1 working day overdue on 11/8: the liaisons hear of it, the leaders not yet.
    assert "第2项" in on8[f"liaison:email:{user.pk}"].body
    assert "第1项" in on8[head].body and "第2项" not in on8[head].body and "第2项" not in on8[deputy].body
    assert "已逾期 5 个工作日" in on8[deputy].body


def test_the_units_leader_address_counts_as_its_head(escalating):
    u, c = escalating["unit"], escalating["contacts"]
    Unit.objects.filter(pk=u.pk).update(leader_name="李局长", leader_email="head@example.gov.cn")  # the same person
    Contact.objects.filter(pk=c["head"].pk).update(email="head@example.gov.cn")
    ReminderRule.objects.filter(plan=escalating["plan"]).update(head_after=1)
    sweep(D(2021, 11, 2), deliver=False)
    on2 = told(D(2021, 11, 2), u)
    assert "leader" in on2 and f"head:{c['head'].pk}" not in on2  # one message to one address
    assert f"deputy:{c['deputy'].pk}" not in on2


def test_an_urge_reaches_the_leaders_of_long_overdue_work(escalating, monkeypatch):
    from tests.web.conftest import make_user

    u, c, plan = escalating["unit"], escalating["contacts"], escalating["plan"]
    coordinator = make_user(escalating["org"], "coord", "coordinator")
    client = Client()
    client.force_login(coordinator)

    def urge(day):
        monkeypatch.setattr(deadlines, "office_today", lambda: day)
        assert client.post(f"/overview/urge/{u.pk}/", {"plan": plan.pk}).status_code == 302
        made = Urge.objects.get(unit=u, day=day, task__isnull=True)
        return {n.dedupe_key.split(":", 2)[2]: n for n in Notification.objects.filter(dedupe_key__startswith=f"urge:{made.pk}:")}

    user = escalating["user"]
    assert set(urge(D(2021, 11, 2))) == {f"liaison:email:{user.pk}", f"liaison:contact:{c['liaison'].pk}"}
    assert InboxMessage.objects.filter(user=user, kind=InboxMessage.URGE).count() == 1  # and 消息, at once
    assert f"head:{c['head'].pk}" in urge(D(2021, 11, 3))
    on8 = urge(D(2021, 11, 8))
    assert {f"head:{c['head'].pk}", f"deputy:{c['deputy'].pk}"} <= set(on8)
    assert on8[f"deputy:{c['deputy'].pk}"].subject == "【催办】请一局抓紧办理政务公开任务"
    assert "第1项" in on8[f"deputy:{c['deputy'].pk}"].body and "第2项" not in on8[f"deputy:{c['deputy'].pk}"].body


@pytest.mark.django_db(transaction=True)  # as outside the sweep: no transaction around it
def test_enqueue_many_skips_the_keys_already_taken():
    from duban.notify.outbox import enqueue_many

    def note(key, body="正文"):
        return Notification(channel=Notification.EMAIL, recipient="a@example.gov.cn", subject="标题", body=body, dedupe_key=key)

    assert enqueue_many([note("k1"), note("k2"), note("k1", "重复")]) == 2
    assert enqueue_many([note("k2"), note("k3")]) == 1
    assert sorted(Notification.objects.values_list("dedupe_key", "body", "status")) == [
        ("k1", "正文", "pending"), ("k2", "正文", "pending"), ("k3", "正文", "pending"),
    ]
    assert enqueue_many([]) == 0
