"""The outbox: dedupe, claiming, leases, inbox delivery, the command and the admin."""
import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from duban.notify import outbox
from duban.notify.models import InboxMessage, Notification
from duban.notify.outbox import MAX_ATTEMPTS, deliver_due, enqueue, retry_delay

MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user("zhangsan", password="x")


def test_retry_delay_doubles_up_to_six_hours():
    assert [retry_delay(n) // MINUTE for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 64, 128]
    assert retry_delay(9) == datetime.timedelta(hours=4, minutes=16)
    assert retry_delay(10) == retry_delay(30) == datetime.timedelta(hours=6)


@pytest.mark.django_db
def test_enqueue_twice_makes_one_row(user):
    first = enqueue("inbox", user.pk, "提醒", "正文", "remind:assignment:42:due-5wd")
    again = enqueue("inbox", user.pk, "提醒（重复）", "正文", "remind:assignment:42:due-5wd")
    assert first is not None and again is None
    assert Notification.objects.count() == 1
    with pytest.raises(ValueError, match="未知的通知渠道"):
        enqueue("sms", "1380000", "x", "y", "k")


@pytest.mark.django_db
def test_enqueue_survives_losing_the_race(user, monkeypatch):
    # Another process inserts the row between our existence check and our INSERT.
    enqueue("inbox", user.pk, "提醒", "正文", "k-race")
    real_filter = Notification.objects.filter
    calls = []

    def first_check_misses(*args, **kwargs):
        calls.append(kwargs)
        qs = real_filter(*args, **kwargs)
        return qs.none() if len(calls) == 1 else qs

    monkeypatch.setattr(Notification.objects, "filter", first_check_misses)
    assert enqueue("inbox", user.pk, "提醒", "正文", "k-race") is None
    monkeypatch.undo()
    assert Notification.objects.count() == 1
    assert Notification.objects.get().subject == "提醒"  # the database is still usable (savepoint)


@pytest.mark.django_db
def test_inbox_delivery_and_deliver_twice_sends_once(user):
    enqueue("inbox", user.pk, "任务即将到期", "请于3月18日前报送。", "k-inbox", link="/tasks/42/")

    assert deliver_due().sent == 1
    assert deliver_due().sent == 0

    [message] = InboxMessage.objects.all()
    assert (message.user, message.title, message.body, message.link) == (user, "任务即将到期", "请于3月18日前报送。", "/tasks/42/")
    assert message.read_at is None
    assert Notification.objects.get().status == "sent"


@pytest.mark.django_db
def test_inbox_to_unknown_user_is_retried():
    enqueue("inbox", "999999", "提醒", "正文", "k-nobody")
    assert deliver_due().retrying == 1
    row = Notification.objects.get()
    assert row.status == "pending" and "不存在" in row.last_error
    assert not InboxMessage.objects.exists()


@pytest.mark.django_db
def test_unexpected_error_leaves_the_row_retryable(user, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("程序错误")

    monkeypatch.setattr(InboxMessage.objects, "bulk_create", boom)
    enqueue("inbox", user.pk, "提醒", "正文", "k-boom")
    assert deliver_due().retrying == 1
    row = Notification.objects.get()
    assert row.status == "pending" and row.last_error == "RuntimeError: 程序错误"


@pytest.mark.django_db
def test_a_row_stuck_in_sending_becomes_due_again(user):
    enqueue("inbox", user.pk, "提醒", "正文", "k-stuck")
    now = timezone.now()
    [claimed] = outbox._claim(now)  # a worker claims it, then dies
    assert claimed.status == "sending" and claimed.attempts == 1

    assert deliver_due(now=now + 9 * MINUTE).sent == 0  # lease still running
    assert deliver_due(now=now + 10 * MINUTE).sent == 1
    row = Notification.objects.get()
    assert (row.status, row.attempts) == ("sent", 2)
    assert InboxMessage.objects.count() == 1


@pytest.mark.django_db
def test_a_worker_past_its_lease_does_not_undo_a_newer_attempt(user):
    enqueue("inbox", user.pk, "提醒", "正文", "k-late")
    now = timezone.now()
    [stale] = outbox._claim(now)
    deliver_due(now=now + 10 * MINUTE)  # the row is re-claimed and sent
    outbox._record_failure(stale, now + 11 * MINUTE, outbox.DeliveryError("迟到的失败"))
    assert Notification.objects.get().status == "sent"


@pytest.mark.django_db
def test_abandoned_last_attempt_becomes_failed(user):
    enqueue("inbox", user.pk, "提醒", "正文", "k-abandoned")
    Notification.objects.update(status="sending", attempts=MAX_ATTEMPTS, next_attempt_at=timezone.now() - MINUTE)
    assert deliver_due().failed == 1
    row = Notification.objects.get()
    assert row.status == "failed" and "中断" in row.last_error
    assert not InboxMessage.objects.exists()


@pytest.mark.django_db
def test_limit(user):
    for i in range(5):
        enqueue("inbox", user.pk, f"提醒{i}", "正文", f"k-limit-{i}")
    assert deliver_due(limit=3).sent == 3
    assert deliver_due(limit=3).sent == 2


@pytest.mark.django_db
def test_send_notifications_command(user, capsys):
    enqueue("inbox", user.pk, "提醒", "正文", "k-cmd")
    call_command("send_notifications")
    assert "已发送 1 条" in capsys.readouterr().out
    call_command("send_notifications")
    assert capsys.readouterr().out == ""


@pytest.mark.django_db
def test_admin_log_and_retry_action(admin_client, user):
    failed = enqueue("inbox", "999999", "失败的提醒", "正文", "k-admin-failed")
    Notification.objects.filter(pk=failed.pk).update(status="failed", attempts=MAX_ATTEMPTS)
    sent = enqueue("inbox", user.pk, "已发送的提醒", "正文", "k-admin-sent")
    deliver_due()

    for url in ["/admin/notify/notification/", "/admin/notify/notification/?status__exact=failed",
                f"/admin/notify/notification/{failed.pk}/change/", "/admin/notify/webhook/", "/admin/notify/inboxmessage/"]:
        assert admin_client.get(url).status_code == 200, url
    assert admin_client.get("/admin/notify/notification/add/").status_code == 403

    response = admin_client.post(
        "/admin/notify/notification/",
        {"action": "retry_now", "_selected_action": [failed.pk, sent.pk]},
        follow=True,
    )
    assert "已安排 1 条通知立即重试" in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == "pending" and failed.next_attempt_at <= timezone.now()
    assert Notification.objects.get(pk=sent.pk).status == "sent"
    # One more attempt, then failed again (it is past the maximum already).
    assert deliver_due().failed == 1
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("failed", MAX_ATTEMPTS + 1)
