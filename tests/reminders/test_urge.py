"""Per-task 催办 with a note, 催办所有红灯单位 in one action, and the read receipts the coordinator sees."""
import datetime

import pytest
from django.test import Client

from duban.audit.models import AuditEvent
from duban.notify.models import InboxMessage, Notification, Webhook
from duban.plans import deadlines
from duban.plans.models import Assignment
from duban.reminders.models import Urge
from tests.web.conftest import make_user

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def on(monkeypatch):
    def set_day(day):
        monkeypatch.setattr(deadlines, "office_today", lambda: day)

    return set_day


def signed_in(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def task2(seed_plan):
    """Task 8: due 2021-10-31, 区财政局 leads, every 办、局 and 街道 responsible."""
    return seed_plan.tasks.get(no=8)


def liaisons_of(org, task):
    """One liaison (without e-mail) for each unit of the task."""
    return {a.unit_id: make_user(org, f"l-{a.unit_id}", "liaison", a.unit) for a in task.assignments.select_related("unit")}


def test_per_task_urge_reaches_every_open_unit_with_the_note(seed_plan, org, coordinator, task2, on):
    on(D(2021, 11, 2))
    people = liaisons_of(org, task2)
    rows = list(task2.assignments.order_by("pk"))
    submitted, accepted = rows[0], rows[1]
    Assignment.objects.filter(pk=submitted.pk).update(status=Assignment.SUBMITTED)
    Assignment.objects.filter(pk=accepted.pk).update(status=Assignment.ACCEPTED)
    r = signed_in(coordinator).post(f"/tasks/{task2.pk}/urge/", {"note": "请于本周五前公开并报送链接。"}, follow=True)
    html = r.content.decode()
    open_rows = rows[2:]
    assert f"已就第8项向 {len(open_rows)} 个单位发送催办" in html and f"{len(open_rows)} 条站内消息已送达联络员" in html
    assert "一分钟" not in html
    assert Urge.objects.filter(task=task2).count() == len(open_rows)
    messages = InboxMessage.objects.filter(kind="urge")
    assert sorted(messages.values_list("user", flat=True)) == sorted(people[a.unit_id].pk for a in open_rows)
    m = messages.get(user=people[open_rows[0].unit_id])
    assert m.title == f"【催办】第8项：请{open_rows[0].unit.name}抓紧办理"
    assert "催办意见：请于本周五前公开并报送链接。" in m.body and list(m.assignments.all()) == [open_rows[0]]
    assert m.link == f"/assignments/{open_rows[0].pk}/"
    assert not messages.filter(user__in=[people[submitted.unit_id], people[accepted.unit_id]]).exists()
    event = AuditEvent.objects.get(action=AuditEvent.URGE_TASK)
    assert event.after["note"] == "请于本周五前公开并报送链接。" and len(event.after["units"]) == len(open_rows)
    # Again the same day: nothing twice.
    r = signed_in(coordinator).post(f"/tasks/{task2.pk}/urge/", {"note": "再催"}, follow=True)
    assert "未重复发送" in r.content.decode() and InboxMessage.objects.filter(kind="urge").count() == len(open_rows)


def test_per_task_urge_to_chosen_units_only(seed_plan, org, coordinator, task2, unit, on):
    on(D(2021, 11, 2))
    people = liaisons_of(org, task2)
    fin = unit("区财政局")
    assert task2.assignments.filter(unit=fin).exists()
    signed_in(coordinator).post(f"/tasks/{task2.pk}/urge/", {"note": "", "units": [fin.pk]})
    assert list(InboxMessage.objects.filter(kind="urge").values_list("user", flat=True)) == [people[fin.pk].pk]
    assert list(Urge.objects.values_list("unit", "task", "note")) == [(fin.pk, task2.pk, "")]


def test_a_bad_choice_or_note_sends_nothing(seed_plan, coordinator, task2, unit, on):
    on(D(2021, 11, 2))
    c = signed_in(coordinator)
    for data in ({"units": ["abc"]}, {"units": [unit("区民政局").pk + 100000]}, {"note": "长" * 501}):
        r = c.post(f"/tasks/{task2.pk}/urge/", data, follow=True)
        assert r.status_code == 200 and "催办未发送" in r.content.decode(), data
    assert not Urge.objects.exists() and not InboxMessage.objects.exists()


def test_a_plan_wide_urge_and_a_task_urge_the_same_day_are_both_allowed(seed_plan, org, coordinator, task2, unit, on):
    on(D(2021, 11, 2))
    fin = unit("区财政局")
    make_user(org, "fin", "liaison", fin)
    c = signed_in(coordinator)
    c.post(f"/tasks/{task2.pk}/urge/", {"units": [fin.pk]})
    r = c.post(f"/overview/urge/{fin.pk}/", {"plan": seed_plan.pk}, follow=True)
    assert "已向区财政局发送催办" in r.content.decode()
    assert Urge.objects.filter(unit=fin).count() == 2


def test_only_the_coordinator_urges_a_task(seed_plan, org, leader, liaison, task2, on):
    on(D(2021, 11, 2))
    for user in (leader, liaison):
        assert signed_in(user).post(f"/tasks/{task2.pk}/urge/", {"note": "x"}).status_code == 403
    assert "发送催办" not in signed_in(leader).get(f"/tasks/{task2.pk}/").content.decode()
    assert not Urge.objects.exists()


def test_read_receipts_on_the_task_page_and_the_overview(seed_plan, org, coordinator, unit, task2, on):
    on(D(2021, 11, 2))
    fin = unit("区财政局")
    first, second = make_user(org, "fin-1", "liaison", fin), make_user(org, "fin-2", "liaison", fin)
    Assignment.objects.filter(task__plan=seed_plan).exclude(task=task2).update(status=Assignment.ACCEPTED)  # a short overdue list
    c = signed_in(coordinator)
    c.post(f"/tasks/{task2.pk}/urge/", {"units": [fin.pk]})
    fin_row = task2.assignments.get(unit=fin)

    def task_cell():
        page = c.get(f"/tasks/{task2.pk}/").content.decode()
        row = page[page.index('<section id="urge"'):]
        row = row[row.index(f'data-unit="{fin.name}"'):]
        return row[: row.index("</tr>")]

    def overdue_cell():
        page = c.get("/overview/", {"plan": seed_plan.pk}).content.decode()
        row = page[page.index(f'data-assignment="{fin_row.pk}"'):]
        return row[: row.index("</tr>")]

    assert "未读" in task_cell() and "已读" not in task_cell()
    assert "未读" in overdue_cell()
    message = InboxMessage.objects.get(user=second)
    signed_in(second).get(f"/messages/{message.pk}/")  # one of the two liaisons opens it
    assert "已读" in task_cell() and "未读" not in task_cell()
    assert "已读" in overdue_cell()
    assert InboxMessage.objects.get(user=first).read_at is None
    # A newer 催办 starts unread again: the receipt is the latest one's.
    on(D(2021, 11, 3))
    c.post(f"/overview/urge/{fin.pk}/", {"plan": seed_plan.pk})
    assert "未读" in task_cell() and "未读" in overdue_cell()
    units = c.get("/overview/", {"plan": seed_plan.pk}).content.decode()
    fin_unit_row = units[units.index(f'id="u{fin.pk}"'):]
    assert "未读" in fin_unit_row[: fin_unit_row.index("</tr>")]


def red(seed_plan, today):
    return Assignment.objects.filter(task__plan=seed_plan, due_date__lt=today, status__in=["not_started", "in_progress", "returned"])


def test_urge_every_red_unit_confirms_then_sends_one_message_per_unit(seed_plan, org, coordinator, unit, robot, on):
    today = D(2021, 11, 2)
    on(today)
    fin, civil = unit("区财政局"), unit("区民政局")
    fin_liaison, civil_liaison = make_user(org, "fin", "liaison", fin), make_user(org, "civil", "liaison", civil)
    Webhook.objects.create(name="群", kind=Webhook.WECOM, url=robot.url + "/cgi-bin/webhook/send?key=k")
    c = signed_in(coordinator)
    assert 'id="urge-red"' in c.get("/overview/", {"plan": seed_plan.pk}).content.decode()
    red_units = set(red(seed_plan, today).values_list("unit", flat=True))
    c.post(f"/overview/urge/{civil.pk}/", {"plan": seed_plan.pk})  # 区民政局 already urged today
    InboxMessage.objects.all().delete()
    Notification.objects.all().delete()
    confirm = c.get("/overview/urge-red/", {"plan": seed_plan.pk})
    html = confirm.content.decode()
    assert confirm.status_code == 200 and f"确认向 {len(red_units) - 1} 个单位发送催办" in html and "今日已催办，不再发送" in html
    assert not Urge.objects.exclude(unit=civil).exists()  # the confirmation sends nothing
    r = c.post("/overview/urge-red/", {"plan": seed_plan.pk}, follow=True)
    assert f"已向 {len(red_units) - 1} 个红灯单位发送催办" in r.content.decode() and "区民政局" in r.content.decode()
    assert set(Urge.objects.exclude(unit=civil).values_list("unit", flat=True)) == red_units - {civil.pk}
    message = InboxMessage.objects.get(user=fin_liaison)
    fin_red = red(seed_plan, today).filter(unit=fin)
    assert message.title == f"【催办】请区财政局抓紧办理 {fin_red.count()} 项逾期任务"
    assert set(message.assignments.values_list("pk", flat=True)) == set(fin_red.values_list("pk", flat=True))
    assert "第5项" not in message.body  # task 5 is due 12/31: not red, not listed
    assert not InboxMessage.objects.filter(user=civil_liaison).exists()
    assert Notification.objects.filter(channel="wecom").count() == 1  # the robot hears once, not once per unit
    event = AuditEvent.objects.get(action=AuditEvent.URGE_RED)
    assert len(event.after["units"]) == len(red_units) - 1 and event.after["skipped"] == ["区民政局"]
    again = c.post("/overview/urge-red/", {"plan": seed_plan.pk}, follow=True)
    assert "没有需要催办的红灯单位" in again.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.URGE_RED).count() == 1


def test_urge_red_is_the_coordinators_and_needs_a_plan(seed_plan, leader, liaison, coordinator, on):
    on(D(2021, 11, 2))
    for user in (leader, liaison):
        assert signed_in(user).get("/overview/urge-red/", {"plan": seed_plan.pk}).status_code == 403
        assert signed_in(user).post("/overview/urge-red/", {"plan": seed_plan.pk}).status_code == 403
    assert signed_in(coordinator).post("/overview/urge-red/", {"plan": "abc"}).status_code == 404
    assert not Urge.objects.exists()


def test_an_urge_nobody_can_receive_says_so(seed_plan, coordinator, unit, on):
    on(D(2021, 11, 2))
    r = signed_in(coordinator).post(f"/overview/urge/{unit('区财政局').pk}/", {"plan": seed_plan.pk}, follow=True)
    html = r.content.decode()
    assert "已记录对区财政局的催办，但该单位没有联络员账号、单位邮箱，也没有启用的群机器人，通知无人接收。" in html
    assert "已送达" not in html and "一分钟" not in html
