"""The coordinator overview, the 催办 button, the reminder rule page, and the lights on the plan pages."""
import datetime

import pytest
from django.test import Client

from duban.notify.models import InboxMessage, Notification, Webhook
from duban.plans import deadlines
from duban.plans.models import Assignment, Task
from duban.reminders.models import ReminderRule, Urge
from tests.web.conftest import make_user

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def on(monkeypatch):
    """Move the pages' clock."""

    def set_day(day):
        monkeypatch.setattr(deadlines, "office_today", lambda: day)

    return set_day


def test_overview_counts_and_overdue_list(seed_plan, coordinator, as_user, on, unit):
    fin = unit("区财政局")
    Assignment.objects.filter(task__plan=seed_plan, unit=fin, task__no=6).update(status=Assignment.SUBMITTED)
    Assignment.objects.filter(task__plan=seed_plan, unit=fin, task__no=7).update(status=Assignment.ACCEPTED)
    on(D(2021, 11, 2))
    page = as_user(coordinator).get("/overview/")
    assert page.status_code == 200
    o = page.context["o"]
    total = Assignment.objects.filter(task__plan=seed_plan).count()
    open_due = Assignment.objects.filter(task__plan=seed_plan, due_date__lte=D(2021, 10, 31)).exclude(status__in=["submitted", "accepted"]).count()
    no_due = Assignment.objects.filter(task__plan=seed_plan, due_date__isnull=True).count()
    yellow = Assignment.objects.filter(task__plan=seed_plan, due_date=D(2021, 12, 31)).count()
    assert o.total.total == total
    assert o.total.light["red"] == open_due and o.total.light["grey"] == no_due and o.total.light["done"] == 1
    assert o.total.light["green"] == yellow  # task 5 (12/31) is not yet within 5 working days
    assert o.total.light["review"] == 1  # task 6 submitted: 待审核 (the office's to review), never red
    assert o.total.status["submitted"] == 1 and o.total.status["accepted"] == 1
    fin_row = next(r for r in o.units if r.unit == fin)
    # Task 6 submitted (待审核), 7 accepted (done), 5 due 12/31 (green), three tasks without a deadline (grey).
    assert dict(fin_row.light) == {"green": 1, "review": 1, "done": 1, "grey": 3, "red": fin_row.total - 6}
    assert sum(s.total for s in o.sections) == total
    assert len(o.overdue) == open_due
    first = o.overdue[0]
    assert first.due_date == D(2021, 10, 31) and first.calendar_days == 2 and first.working_days == 2  # 11/1, 11/2
    assert [t.no for t in o.waiting] == [1]
    html = page.content.decode()
    assert "督办总览" in html and 'action="/overview/urge/' in html and "等待录入起算事件日期" in html
    # the unit's row: a cell per status and light, a count shown, a zero left blank and greyed
    row = html[html.index(f'<tr id="u{fin.pk}"'):]
    row = row[:row.index("</tr>")]
    assert '<td class="num" data-label="已报送">1</td>' in row and '<td class="num zero" data-label="退回">' in row
    assert f'<td class="num" data-label="已逾期">{fin_row.total - 6}</td>' in row
    assert row.count('data-label="') == 1 + len(o.total.status_cells()) + len(o.total.light_cells()) + 3


def test_overview_is_for_the_office(seed_plan, coordinator, leader, liaison, client):
    client.force_login(leader)
    page = client.get("/overview/")
    assert page.status_code == 200 and "/overview/urge/" not in page.content.decode()
    client.force_login(liaison)
    assert client.get("/overview/").status_code == 403
    client.logout()
    assert client.get("/overview/").status_code == 302


def test_overview_says_when_the_calendar_is_missing(seed_plan, coordinator, as_user, on):
    Task.objects.filter(plan=seed_plan, no=1).update(event_date=D(2027, 1, 5))
    on(D(2027, 1, 6))
    html = as_user(coordinator).get("/overview/").content.decode()
    assert "第1项：2027年的法定节假日和调休安排尚未录入" in html


def test_urge_sends_once_a_day(seed_plan, org, coordinator, unit, robot, on):
    on(D(2021, 11, 2))
    fin = unit("区财政局")
    fin.contact_email = "czj@example.gov.cn"
    fin.save()
    liaison = make_user(org, "fin-liaison", "liaison", fin)
    liaison.email = "fin@example.gov.cn"
    liaison.save()
    Webhook.objects.create(name="群", kind=Webhook.WECOM, url=robot.url + "/cgi-bin/webhook/send?key=k")
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    page = client.get("/overview/")
    token = page.cookies["csrftoken"].value
    assert client.post(f"/overview/urge/{fin.pk}/", {"plan": seed_plan.pk}).status_code == 403  # no CSRF token
    answer = client.post(f"/overview/urge/{fin.pk}/", {"plan": seed_plan.pk, "csrfmiddlewaretoken": token}, follow=True)
    html = answer.content.decode()
    assert answer.status_code == 200 and "已向区财政局发送催办" in html
    assert "1 条站内消息已送达联络员，3 条邮件或群机器人消息已排队发送" in html and "一分钟" not in html
    urge = Urge.objects.get()
    fin_rows = Assignment.objects.filter(task__plan=seed_plan, unit=fin)
    assert (urge.unit, urge.day, urge.sent_by) == (fin, D(2021, 11, 2), coordinator)
    assert (urge.open_count, urge.overdue_count) == (fin_rows.count(), fin_rows.filter(due_date__lt=D(2021, 11, 2)).count())
    sent = set(Notification.objects.values_list("channel", "recipient", "dedupe_key"))
    assert sent == {
        ("email", liaison.email, f"urge:{urge.pk}:liaison:email:{liaison.pk}"),
        ("email", "czj@example.gov.cn", f"urge:{urge.pk}:unit:email"),
        ("wecom", Webhook.objects.get().url, f"urge:{urge.pk}:webhook:{Webhook.objects.get().pk}"),
    }
    message = InboxMessage.objects.get()  # in the liaison's inbox at once, no timer needed
    assert (message.user, message.kind, message.batch) == (liaison, "urge", f"urge:{urge.pk}")
    assert set(message.assignments.values_list("pk", flat=True)) == set(fin_rows.values_list("pk", flat=True))
    body = Notification.objects.filter(channel="email").first().body
    assert "已逾期" in body and "逾期 2 个工作日" in body
    # A double click: recorded once, sent once.
    again = client.post(f"/overview/urge/{fin.pk}/", {"plan": seed_plan.pk, "csrfmiddlewaretoken": token}, follow=True)
    assert "未重复发送" in again.content.decode()
    assert Urge.objects.count() == 1 and Notification.objects.count() == 3 and InboxMessage.objects.count() == 1
    page = client.get("/overview/").content.decode()
    assert "今日已催办" in page
    on(D(2021, 11, 3))  # the next day it may be sent again
    client.post(f"/overview/urge/{fin.pk}/", {"plan": seed_plan.pk, "csrfmiddlewaretoken": token})
    assert Urge.objects.count() == 2 and Notification.objects.count() == 6 and InboxMessage.objects.count() == 2


def test_urge_reaches_only_the_organisations_robots(seed_plan, org, coordinator, unit, on):
    from duban.directory.models import Organisation

    on(D(2021, 11, 2))
    other = Organisation.objects.create(name="昆明市五华区人民政府", short_name="五华区")
    Webhook.objects.create(name="西山区群", kind=Webhook.WECOM, url="http://robot.invalid/xishan", org=org)
    Webhook.objects.create(name="五华区群", kind=Webhook.WECOM, url="http://robot.invalid/wuhua", org=other)
    Webhook.objects.create(name="市级总群", kind=Webhook.WECOM, url="http://robot.invalid/city")
    client = Client()
    client.force_login(coordinator)
    client.post(f"/overview/urge/{unit('区财政局').pk}/", {"plan": seed_plan.pk})
    robots = Notification.objects.filter(channel="wecom").values_list("recipient", flat=True)
    assert sorted(robots) == ["http://robot.invalid/city", "http://robot.invalid/xishan"]


def test_only_the_coordinator_urges(seed_plan, leader, liaison, unit, client):
    fin = unit("区财政局")
    for user in (leader, liaison):
        client.force_login(user)
        assert client.post(f"/overview/urge/{fin.pk}/", {"plan": seed_plan.pk}).status_code == 403
    assert client.get(f"/overview/urge/{fin.pk}/").status_code == 405
    assert not Urge.objects.exists() and not Notification.objects.exists()


def test_the_coordinator_edits_the_rule(seed_plan, coordinator, leader, client):
    client.force_login(leader)
    assert client.get(f"/plans/{seed_plan.pk}/reminders/").status_code == 403
    client.force_login(coordinator)
    assert client.get(f"/plans/{seed_plan.pk}/reminders/").status_code == 200
    form = {"days_before": "3，1，3", "on_due_day": "on", "escalate": "on", "escalate_every": "3", "yellow_days": "3",
            "report_period": "month", "by_inbox": "on"}
    assert client.post(f"/plans/{seed_plan.pk}/reminders/", form).status_code == 302
    rule = ReminderRule.objects.get(plan=seed_plan)
    assert (rule.days_before, rule.escalate_every, rule.yellow_days, rule.report_period, rule.by_email, rule.updated_by) == (
        "3,1", 3, 3, "month", False, coordinator
    )
    bad = client.post(f"/plans/{seed_plan.pk}/reminders/", form | {"days_before": "5,0"})
    assert bad.status_code == 200 and "不是 1–30 之间的工作日数" in bad.content.decode()


def test_lights_on_the_plan_pages(seed_plan, coordinator, leader, liaison, client, on, unit):
    on(D(2021, 10, 26))
    client.force_login(coordinator)
    html = client.get(f"/plans/{seed_plan.pk}/").content.decode()
    assert html.count("light-yellow") >= 60  # the 10/31 tasks
    assert "light-grey" in html  # task 1 waits for its event
    assert "light-" not in client.get(f"/plans/{seed_plan.pk}/print/").content.decode().split("<main>")[1]
    assert '<a href="/overview/">督办总览</a>' in html
    fin = unit("区财政局")
    Assignment.objects.filter(unit=fin, task__no=6).update(status=Assignment.ACCEPTED)
    client.force_login(liaison)  # 区财政局's liaison sees its own light on a task shared by 40 units
    html = client.get(f"/plans/{seed_plan.pk}/").content.decode()
    row = html.split('id="t6"')[1].split("</tr>")[0]
    assert "light-done" in row
    assert "督办总览" not in html
    html = client.get(f"/units/{fin.pk}/").content.decode()
    assert "light-yellow" in html and "light-done" in html and "应完成 2021-10-31" in html
    client.force_login(leader)
    html = client.get(f"/tasks/{Task.objects.get(plan=seed_plan, no=6).pk}/").content.decode()
    assert "light-yellow" in html  # the worst of its units
