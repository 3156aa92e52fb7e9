"""E-mail through a real SMTP server (aiosmtpd on 127.0.0.1)."""
import datetime
import time
from email.header import decode_header, make_header

import pytest
from django.utils import timezone

from duban.notify.models import Notification
from duban.notify.outbox import deliver_due, enqueue

from .conftest import free_port

pytestmark = pytest.mark.django_db(transaction=True)

SUBJECT = "【督办提醒】“政务公开工作要点”第3项任务将于5个工作日后到期"
BODY = "西山区人民政府办公室：\n请于2026年3月18日前报送落实情况。\n——区政务公开办"


def test_email_arrives_with_chinese_decoded(smtp_server, settings):
    settings.SITE_URL = "https://duban.example.gov.cn"
    enqueue("email", "zhangsan@example.gov.cn", SUBJECT, BODY, "remind:assignment:42:due-5wd", link="/tasks/42/")

    report = deliver_due()

    assert report.sent == 1
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ["zhangsan@example.gov.cn"]
    assert envelope.mail_from == "duban@example.gov.cn"
    [message] = smtp_server.messages
    # Django folds the encoded subject onto a continuation line; decode it the way mail clients do.
    assert str(make_header(decode_header(message.get("Subject", "").strip()))) == SUBJECT
    text = message.get_content()
    assert "请于2026年3月18日前报送落实情况。" in text
    assert "https://duban.example.gov.cn/tasks/42/" in text
    row = Notification.objects.get()
    assert row.status == "sent" and row.sent_at is not None and row.attempts == 1


def test_unreachable_smtp_server_is_retried(smtp_server, settings):
    good_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there
    enqueue("email", "lisi@example.gov.cn", SUBJECT, BODY, "k1")
    now = timezone.now()

    assert deliver_due(now=now).retrying == 1
    row = Notification.objects.get()
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at == now + datetime.timedelta(minutes=1)
    assert "邮件发送失败" in row.last_error

    settings.EMAIL_PORT = good_port
    assert deliver_due(now=now).sent == 0  # not due yet
    assert deliver_due(now=now + datetime.timedelta(minutes=1)).sent == 1
    assert len(smtp_server.envelopes) == 1
    assert Notification.objects.get().attempts == 2


def test_hanging_smtp_server_times_out(hanging_server, short_timeout, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", hanging_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    enqueue("email", "wangwu@example.gov.cn", SUBJECT, BODY, "k2")

    started = time.monotonic()
    report = deliver_due()

    assert time.monotonic() - started < 5
    assert report.retrying == 1
    row = Notification.objects.get()
    assert (row.status, row.attempts) == ("pending", 1)
    assert "超时" in row.last_error
