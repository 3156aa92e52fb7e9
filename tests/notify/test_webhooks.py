"""企业微信 / 钉钉 robots, against a real HTTP server on 127.0.0.1."""
import base64
import datetime
import hashlib
import hmac
import time

import pytest
from django.utils import timezone

from duban.notify import channels
from duban.notify.channels import DeliveryError
from duban.directory.models import Organisation
from duban.notify.models import Notification, Webhook
from duban.notify.outbox import deliver_due, enqueue, enqueue_webhooks

pytestmark = pytest.mark.django_db(transaction=True)

MINUTE = datetime.timedelta(minutes=1)


def test_wecom_markdown(robot):
    url = robot.url + "/cgi-bin/webhook/send?key=abc-123"
    enqueue("wecom", url, "督办提醒：任务即将到期", "请于**3月18日**前报送。", "k-wecom", link="https://duban.example/t/1")

    assert deliver_due().sent == 1

    [request] = robot.requests
    assert request["path"] == "/cgi-bin/webhook/send"
    assert request["query"] == {"key": ["abc-123"]}
    assert request["headers"]["Content-Type"].startswith("application/json")
    assert request["json"] == {
        "msgtype": "markdown",
        "markdown": {"content": "### 督办提醒：任务即将到期\n\n请于**3月18日**前报送。\n\n[查看详情](https://duban.example/t/1)"},
    }


def test_dingtalk_markdown_with_verifiable_signature(robot):
    secret = "SEC0123456789abcdef"
    hook = Webhook.objects.create(name="督办群", kind="dingtalk", url=robot.url + "/robot/send?access_token=tok", secret=secret)
    enqueue("dingtalk", hook.url, "督办提醒", "请尽快报送。", "k-ding")

    assert deliver_due().sent == 1

    [request] = robot.requests
    assert request["json"] == {"msgtype": "markdown", "markdown": {"title": "督办提醒", "text": "### 督办提醒\n\n请尽快报送。"}}
    query = request["query"]
    assert query["access_token"] == ["tok"]
    timestamp, sign = query["timestamp"][0], query["sign"][0]  # parse_qs already undid the URL encoding
    assert abs(int(timestamp) - time.time() * 1000) < 60_000
    # Verify as DingTalk does: base64(HMAC-SHA256(secret, f"{timestamp}\n{secret}")).
    expected = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    assert base64.b64decode(sign) == expected


def test_dingtalk_without_secret_is_unsigned(robot):
    channels.send_dingtalk(robot.url + "/robot/send?access_token=tok", "## 标题\n正文")
    [request] = robot.requests
    assert set(request["query"]) == {"access_token"}
    assert request["json"]["markdown"]["title"] == "标题"


@pytest.mark.parametrize("mode, error", [("http500", "HTTP 500"), ("errcode", "errcode=310000 errmsg=sign not match")])
def test_failure_is_retried_after_backoff_then_delivered(robot, mode, error):
    robot.mode = mode
    enqueue("wecom", robot.url + "/send?key=k", "提醒", "正文", "k-retry")
    now = timezone.now()

    report = deliver_due(now=now)

    assert (report.sent, report.retrying) == (0, 1)
    row = Notification.objects.get()
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at == now + MINUTE
    assert error in row.last_error

    robot.mode = "ok"
    assert deliver_due(now=now + 30 * datetime.timedelta(seconds=1)).sent == 0  # still backing off
    assert len(robot.requests) == 1
    assert deliver_due(now=now + MINUTE).sent == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)
    assert len(robot.requests) == 2


def test_backoff_doubles_and_gives_up_after_eight_attempts(robot):
    robot.mode = "errcode"
    enqueue("dingtalk", robot.url + "/send", "提醒", "正文", "k-giveup")
    now = timezone.now()
    waits = []
    for _ in range(7):
        deliver_due(now=now)
        row = Notification.objects.get()
        waits.append((row.next_attempt_at - now) // MINUTE)
        now = row.next_attempt_at
    assert waits == [1, 2, 4, 8, 16, 32, 64]

    assert deliver_due(now=now).failed == 1
    row = Notification.objects.get()
    assert (row.status, row.attempts) == ("failed", 8)
    assert "errcode=310000" in row.last_error

    # Kept, and left alone from now on.
    assert deliver_due(now=now + datetime.timedelta(days=1)).failed == 0
    assert len(robot.requests) == 8


def test_hanging_server_times_out_and_the_notification_is_kept(robot, hanging_server, short_timeout):
    enqueue("wecom", hanging_server.url + "/send?key=k", "提醒", "挂起的服务器", "k-hang")
    enqueue("wecom", robot.url + "/send?key=k", "提醒", "正常的服务器", "k-after-hang")
    now = timezone.now()

    started = time.monotonic()
    report = deliver_due(now=now)

    assert time.monotonic() - started < 5
    assert (report.sent, report.retrying) == (1, 1)
    hung = Notification.objects.get(dedupe_key="k-hang")
    assert (hung.status, hung.attempts) == ("pending", 1)
    assert "超时" in hung.last_error
    assert hung.next_attempt_at == now + MINUTE
    assert Notification.objects.get(dedupe_key="k-after-hang").status == "sent"


def test_channel_errors_are_delivery_errors(robot, short_timeout):
    robot.mode = "errcode"
    with pytest.raises(DeliveryError, match="errcode=310000"):
        channels.send_wecom(robot.url + "/send", "x")
    with pytest.raises(DeliveryError, match="无法连接"):
        channels.send_wecom("http://127.0.0.1:1/send", "x")


def test_wecom_content_is_cut_to_4096_bytes(robot):
    channels.send_wecom(robot.url + "/send", "政务公开" * 2000)
    content = robot.requests[0]["json"]["markdown"]["content"]
    assert len(content.encode("utf-8")) <= 4096
    assert content.endswith("已截断）")


def test_enqueue_webhooks_goes_to_active_robots_once(robot):
    Webhook.objects.create(name="企业微信群", kind="wecom", url=robot.url + "/wecom")
    Webhook.objects.create(name="钉钉群", kind="dingtalk", url=robot.url + "/ding")
    Webhook.objects.create(name="已停用", kind="wecom", url=robot.url + "/off", active=False)

    assert len(enqueue_webhooks("提醒", "正文", "remind:plan:7", org=None)) == 2
    assert enqueue_webhooks("提醒", "正文", "remind:plan:7", org=None) == []
    assert deliver_due().sent == 2
    assert sorted(r["path"] for r in robot.requests) == ["/ding", "/wecom"]


def test_enqueue_webhooks_reaches_the_organisations_robots_and_those_of_all():
    city = Organisation.objects.create(name="昆明市人民政府", short_name="昆明市")
    district = Organisation.objects.create(name="昆明市西山区人民政府", short_name="西山区")
    Webhook.objects.create(name="市群", kind="wecom", url="http://robot.invalid/city", org=city)
    Webhook.objects.create(name="区群", kind="wecom", url="http://robot.invalid/district", org=district)
    Webhook.objects.create(name="总群", kind="wecom", url="http://robot.invalid/all")

    def reached(org, key):
        return sorted(n.recipient.rsplit("/", 1)[1] for n in enqueue_webhooks("提醒", "正文", key, org=org))

    assert reached(district, "k1") == ["all", "district"]
    assert reached(city.pk, "k2") == ["all", "city"]  # an id will do
    assert reached(None, "k3") == ["all"]


def test_webhook_admin_says_blank_means_all_organisations(admin_client):
    Organisation.objects.create(name="昆明市西山区人民政府", short_name="西山区")
    Webhook.objects.create(name="总群", kind="wecom", url="http://robot.invalid/all")
    page = admin_client.get("/admin/notify/webhook/add/").content.decode()
    assert "（全部机构）" in page and "留空则接收所有机构的提醒" in page
    listing = admin_client.get("/admin/notify/webhook/").content.decode()
    assert "（全部机构）" in listing
