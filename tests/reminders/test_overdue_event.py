"""assignment.overdue (duban.notify.events) from the sweep: one per escalation ledger row the run won, for the
plan's organisation's subscribers of that event; reminders before the due date are not events."""
import datetime
import json

import pytest

from duban.directory.models import Unit
from duban.notify.models import Notification, Subscription
from duban.notify.outbox import deliver_due
from duban.plans.models import Assignment
from duban.reminders.models import Reminder
from duban.reminders.sweep import sweep
from tests.notify.test_events import Receiver, SECRET
from tests.reminders.test_sweep import assign, make_org, make_plan

D = datetime.date
pytestmark = pytest.mark.django_db(transaction=True)


def test_each_won_escalation_is_one_event_per_subscriber():
    org, other = make_org(), make_org("别区")
    unit = Unit.objects.create(org=org, name="一局")
    plan = make_plan(org, "甲方案", escalate_every=1)
    late = assign(plan, unit, D(2021, 11, 1))
    soon = assign(plan, unit, D(2021, 11, 10))
    assign(plan, unit, D(2021, 11, 1), status=Assignment.SUBMITTED)  # 待审核 is never overdue
    receiver = Receiver()
    try:
        sub = Subscription.objects.create(org=org, name="平台", url=receiver.url, secret=SECRET, events=["assignment.overdue"])
        Subscription.objects.create(org=org, name="只收导入", url=receiver.url, secret=SECRET, events=["plan.imported"])
        Subscription.objects.create(org=other, name="别区平台", url=receiver.url, secret=SECRET, events=["assignment.overdue"])

        sweep(D(2021, 11, 3), deliver=False)
        rows = Notification.objects.filter(channel=Notification.WEBHOOK)
        [won] = Reminder.objects.filter(assignment=late, kind=Reminder.ESCALATE)
        assert list(rows.values_list("dedupe_key", "recipient")) == [(f"event:assignment.overdue:reminder:{won.pk}:s{sub.pk}", str(sub.pk))]
        assert Reminder.objects.filter(assignment=soon).exists()  # reminded, but not an event
        data = json.loads(rows.get().body)["data"]
        assert data["assignment"]["id"] == late.pk and data["unit"]["name"] == "一局" and data["plan"]["id"] == plan.pk
        assert data["assignment"]["overdue_working_days"] == 2

        sweep(D(2021, 11, 3), deliver=False)  # the same day again: nothing won, nothing new
        assert rows.count() == 1
        sweep(D(2021, 11, 4), deliver=False)  # the next escalation is a new event
        assert rows.count() == 2

        assert deliver_due().sent == 2
        assert [r["body"]["event"] for r in receiver.received] == ["assignment.overdue"] * 2 and receiver.bad_signatures == 0
    finally:
        receiver.close()
