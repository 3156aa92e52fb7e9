"""`duban remind` on the seed plan: who gets what, missed days, the calendar, channels, real SMTP and robots."""
import datetime
import io
import threading
from email.header import decode_header, make_header

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection

from duban.accounts.models import Profile
from duban.directory.models import Unit
from duban.notify import outbox
from duban.notify.models import InboxMessage, Notification, Webhook
from duban.plans.models import Assignment
from duban.reminders import sweep as sweep_module
from duban.reminders.models import Reminder, ReminderRule

D = datetime.date


def remind(day, *extra):
    out = io.StringIO()
    call_command("remind", "--today", day.isoformat(), *extra, stdout=out, stderr=out)
    return out.getvalue()


def liaison_of(org, unit, email=True):
    user = User.objects.create_user(f"l-{unit.pk}-{User.objects.count()}", email=f"l{unit.pk}@example.gov.cn" if email else "")
    Profile.objects.create(user=user, org=org, role=Profile.LIAISON, unit=unit)
    return user


@pytest.mark.django_db
def test_whole_plan_one_digest_per_unit_and_each_assignment_once(seed_plan, org):
    """All 44 units: on 10/25 every open assignment due 10/31 gets its first reminder, in one digest per unit."""
    for u in Unit.objects.filter(org=org):
        liaison_of(org, u)
    due_1031 = Assignment.objects.filter(task__plan=seed_plan, due_date=D(2021, 10, 31))
    out = remind(D(2021, 10, 25), "--no-deliver")
    assert f"新提醒 {due_1031.count()} 项" in out
    assert set(Reminder.objects.values_list("stage", "sent_on").distinct()) == {("before5", D(2021, 10, 25))}
    assert Reminder.objects.count() == due_1031.count()
    units = due_1031.values("unit").distinct().count()
    assert Notification.objects.filter(channel="email").count() == units
    assert InboxMessage.objects.filter(kind="reminder").count() == units  # in the inbox at once, even with --no-deliver
    assert remind(D(2021, 10, 25), "--no-deliver") == ""  # nothing new
    assert Reminder.objects.count() == due_1031.count()
    # 11/1: the first escalation for all of them, and one digest to the coordinators.
    coordinator = User.objects.create_user("coord", email="coord@example.gov.cn")
    Profile.objects.create(user=coordinator, org=org, role=Profile.COORDINATOR)
    remind(D(2021, 11, 1), "--no-deliver")
    assert Reminder.objects.filter(stage="escalate1", sent_on=D(2021, 11, 1)).count() == due_1031.count()
    assert Notification.objects.filter(recipient=coordinator.email).count() == 1


@pytest.mark.django_db
def test_a_run_after_missed_days_sends_the_latest_stage_once(seed_plan, org, unit):
    fin = unit("区财政局")
    liaison_of(org, fin)
    remind(D(2021, 10, 28), "--no-deliver")  # the timer was down on 10/25 and 10/27
    assert set(Reminder.objects.filter(assignment__unit=fin).values_list("stage", flat=True)) == {"before3"}
    remind(D(2021, 10, 29), "--no-deliver")
    assert set(Reminder.objects.filter(assignment__unit=fin).values_list("stage", flat=True)) == {"before3", "before1"}
    assert Notification.objects.filter(channel="email").count() == 2  # one digest a day


@pytest.mark.django_db
def test_submitted_accepted_and_inactive_are_not_reminded(seed_plan, org, unit):
    fin, stat = unit("区财政局"), unit("区统计局")
    Assignment.objects.filter(unit=fin, task__no__lte=10).update(status=Assignment.SUBMITTED)
    Assignment.objects.filter(unit=fin, task__no__gt=10).update(status=Assignment.ACCEPTED)
    Unit.objects.filter(pk=stat.pk).update(active=False)
    remind(D(2021, 10, 25), "--no-deliver")
    assert not Reminder.objects.filter(assignment__unit__in=[fin, stat]).exists()
    assert Reminder.objects.exists()


@pytest.mark.django_db
def test_channels_follow_the_rule(seed_plan, org, unit, robot):
    fin = unit("区财政局")
    liaison_of(org, fin)
    Webhook.objects.create(name="群", kind=Webhook.DINGTALK, url=robot.url + "/robot/send?access_token=t")
    ReminderRule.objects.update_or_create(plan=seed_plan, defaults={"by_email": False, "by_webhook": False})
    remind(D(2021, 10, 25), "--no-deliver")
    assert not Notification.objects.exists() and InboxMessage.objects.filter(kind="reminder").count() == 1


@pytest.mark.django_db
def test_a_2027_deadline_is_reported_not_guessed(seed_plan, org, unit):
    fin = unit("区财政局")
    liaison_of(org, fin)
    a = Assignment.objects.filter(unit=fin).first()
    Assignment.objects.filter(pk=a.pk).update(due_date=D(2027, 1, 15), due_override=D(2027, 1, 15))
    out = remind(D(2027, 1, 14), "--no-deliver")
    assert "2027年的法定节假日和调休安排尚未录入" in out
    assert not Reminder.objects.filter(assignment=a).exists()


@pytest.mark.django_db
def test_bad_date_is_a_clear_error(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        remind_raw = call_command
        remind_raw("remind", "--today", "2021-13-01")


@pytest.mark.django_db
def test_robots_hear_only_of_their_own_organisations_plans(seed_plan, org, unit):
    """A city and its district on one deployment: each robot gets its organisation's digest; a robot without one gets both."""
    from duban.directory.exchange import load_data
    from duban.directory.models import Organisation
    from duban.plans import importing
    from tests.web.conftest import SEED, directory_doc, parsed_seed, seed_bytes

    doc = directory_doc()
    doc["organisations"][0].update(name="昆明市五华区人民政府", short_name="五华区")
    load_data(doc)
    other = Organisation.objects.get(short_name="五华区")
    other_plan = importing.apply(importing.prepare(other, seed_bytes(), SEED.name, parsed=parsed_seed()), user=None, keep_unknown=False)
    ours = Webhook.objects.create(name="西山区群", kind=Webhook.WECOM, url="http://robot.invalid/xishan", org=org)
    theirs = Webhook.objects.create(name="五华区群", kind=Webhook.WECOM, url="http://robot.invalid/wuhua", org=other)
    everyone = Webhook.objects.create(name="市级总群", kind=Webhook.WECOM, url="http://robot.invalid/city")

    remind(D(2021, 10, 25), "--no-deliver")

    def plans_told(hook):
        return sorted(n.dedupe_key.split(":")[2] for n in Notification.objects.filter(recipient=hook.url))

    assert plans_told(ours) == [f"p{seed_plan.pk}"]
    assert plans_told(theirs) == [f"p{other_plan.pk}"]
    assert plans_told(everyone) == sorted([f"p{seed_plan.pk}", f"p{other_plan.pk}"])


# --- real delivery ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_remind_delivers_by_real_smtp_and_robot(seed_plan, org, unit, smtp_server, robot):
    fin = unit("区财政局")
    user = liaison_of(org, fin)
    Webhook.objects.create(name="政务公开工作群", kind=Webhook.WECOM, url=robot.url + "/cgi-bin/webhook/send?key=k")
    out = remind(D(2021, 10, 25))
    assert "已发送" in out
    [message] = smtp_server.messages
    assert message["To"] == user.email
    # Django folds the encoded subject onto a continuation line; decode it the way mail clients do.
    subject = str(make_header(decode_header(message.get("Subject", "").strip())))
    assert subject.startswith("【督办提醒】区财政局：") and subject.endswith("项任务将于10月31日到期")
    body = message.get_content()
    assert "2021年10月31日（星期日），还剩 5 个工作日（含今天）" in body and f"/units/{fin.pk}/" in body
    assert InboxMessage.objects.filter(user=user).count() == 1
    [post] = robot.requests
    assert post["json"]["msgtype"] == "markdown" and "区财政局" in post["json"]["markdown"]["content"]
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_a_failing_robot_does_not_lose_the_reminder(seed_plan, org, unit, robot):
    liaison_of(org, unit("区财政局"))
    Webhook.objects.create(name="群", kind=Webhook.WECOM, url=robot.url + "/cgi-bin/webhook/send?key=k")
    robot.mode = "http500"
    remind(D(2021, 10, 25))
    hook = Notification.objects.get(channel="wecom")
    assert hook.status == "pending" and hook.attempts == 1 and "HTTP 500" in hook.last_error
    remind(D(2021, 10, 25))  # the next run does not make a second one, and the retry waits its minute
    assert Notification.objects.filter(channel="wecom").count() == 1
    robot.mode = "ok"
    outbox.deliver_due(now=hook.next_attempt_at + datetime.timedelta(seconds=1))
    hook.refresh_from_db()
    assert hook.status == "sent" and len(robot.requests) == 2


# --- two runs at once ------------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections writing at once: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_reminder_once(seed_plan, org, unit, monkeypatch):
    """Both runs compute the same reminders, then insert them at the same moment: one wins each row."""
    for u in Unit.objects.filter(org=org):
        liaison_of(org, u)
    barrier = threading.Barrier(2, timeout=30)
    real = sweep_module.record

    def both_at_once(*args, **kwargs):
        barrier.wait()  # both runs have decided what to send; now they race to record it
        return real(*args, **kwargs)

    monkeypatch.setattr(sweep_module, "record", both_at_once)
    outputs, errors = [], []

    def run():
        try:
            outputs.append(remind(D(2021, 10, 25), "--no-deliver"))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    due = Assignment.objects.filter(due_date=D(2021, 10, 31)).count()
    assert Reminder.objects.count() == due
    assert len({r.run for r in Reminder.objects.all()}) in (1, 2)
    keys = list(Notification.objects.values_list("dedupe_key", flat=True))
    assert len(keys) == len(set(keys))
    units = Assignment.objects.filter(due_date=D(2021, 10, 31)).values("unit").distinct().count()
    # Each unit's reminders were won by one run or split between the two: never the same reminder twice.
    per_unit = {}
    for r in Reminder.objects.select_related("assignment"):
        per_unit.setdefault(r.assignment.unit_id, set()).add(r.run)
    expected_digests = sum(len(runs) for runs in per_unit.values())
    assert len(per_unit) == units
    assert Notification.objects.filter(channel="email").count() == expected_digests
