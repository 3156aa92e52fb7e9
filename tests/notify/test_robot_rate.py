"""Robots: one digest per robot and run, and below 20 posts a minute per robot URL (18). A fake clock."""
import datetime

import pytest
from django.utils import timezone

from duban.notify.models import Notification, Webhook
from duban.notify.outbox import deliver_due, enqueue

pytestmark = pytest.mark.django_db(transaction=True)

SECOND = datetime.timedelta(seconds=1)
T0 = timezone.make_aware(datetime.datetime(2021, 9, 29, 10, 0))


def due_at(now):
    Notification.objects.filter(status="pending").update(next_attempt_at=now)


def test_messages_to_one_robot_go_as_one_digest(robot):
    secret = "SEC0123456789"
    Webhook.objects.create(name="钉钉群", kind="dingtalk", url=robot.url + "/ding?access_token=t", secret=secret)
    for i in range(3):
        enqueue("wecom", robot.url + "/wecom?key=k", f"第{i + 1}份提醒", f"正文{i + 1}", f"k-w{i}", link=f"https://duban.example/{i}")
    enqueue("dingtalk", robot.url + "/ding?access_token=t", "钉钉提醒", "只有一条", "k-d")
    due_at(T0)

    report = deliver_due(now=T0)

    assert (report.sent, report.robot_posts) == (4, 2)
    by_path = {r["path"]: r["json"]["markdown"] for r in robot.requests}
    digest = by_path["/wecom"]["content"]
    assert digest.startswith("### 督办消息汇总（3 条）")
    assert all(f"#### 第{i}份提醒\n\n正文{i}" in digest for i in (1, 2, 3))
    assert "[查看详情](https://duban.example/2)" in digest
    assert by_path["/ding"] == {"title": "钉钉提醒", "text": "### 钉钉提醒\n\n只有一条"}  # one message: as it is
    assert set(Notification.objects.values_list("status", "attempts")) == {("sent", 1)}


def test_eighteen_posts_a_minute_then_the_rest_wait(robot):
    url = robot.url + "/wecom?key=k"
    for i in range(20):  # a new message every second, each run posts it
        enqueue("wecom", url, f"提醒{i}", "正文", f"k{i}")
        due_at(T0 + i * SECOND)
        deliver_due(now=T0 + i * SECOND)
    assert len(robot.requests) == 18
    waiting = Notification.objects.exclude(status="sent")
    # deferred, not failed: no attempt counted, due when the first post of the minute is a minute old
    assert sorted(waiting.values_list("subject", "status", "attempts", "next_attempt_at")) == [
        ("提醒18", "pending", 0, T0 + 60 * SECOND), ("提醒19", "pending", 0, T0 + 60 * SECOND)
    ]

    assert deliver_due(now=T0 + 59 * SECOND).sent == 0
    report = deliver_due(now=T0 + 60 * SECOND)
    assert (report.sent, report.robot_posts) == (2, 1)  # together, in one digest
    assert len(robot.requests) == 19
    assert not Notification.objects.exclude(status="sent").exists()


def test_a_long_digest_is_split_and_the_split_posts_are_counted(robot):
    url = robot.url + "/wecom?key=k"
    long_body = "政务公开" * 125  # 1,500 bytes: two to a message
    for i in range(40):
        enqueue("wecom", url, f"提醒{i}", long_body, f"k{i}")
    due_at(T0)

    report = deliver_due(now=T0)

    assert (report.sent, report.robot_posts, report.deferred) == (36, 18, 4)
    contents = [r["json"]["markdown"]["content"] for r in robot.requests]
    assert all(len(c.encode("utf-8")) <= 4096 and c.startswith("### 督办消息汇总（2 条）") for c in contents)
    assert not any("已截断" in c for c in contents)
    assert set(Notification.objects.exclude(status="sent").values_list("attempts", "next_attempt_at")) == {(0, T0 + 60 * SECOND)}
    assert deliver_due(now=T0 + 60 * SECOND).sent == 4
    assert len(robot.requests) == 20


def test_each_robot_url_has_its_own_limit(robot, settings):
    settings.DUBAN_ROBOT_PER_MINUTE = 1
    for i in range(2):
        for name in ("a", "b"):
            enqueue("wecom", f"{robot.url}/{name}", f"提醒{i}", "正文", f"k-{name}{i}")
        due_at(T0 + i * SECOND)
        deliver_due(now=T0 + i * SECOND)
    assert sorted(r["path"] for r in robot.requests) == ["/a", "/b"]
    assert Notification.objects.filter(status="pending").count() == 2
