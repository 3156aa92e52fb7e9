"""The notification outbox: enqueue now, deliver from a timer (`duban send_notifications`).

Life of a row::

    pending --claim--> sending --ok--> sent
       ^                  |
       +---- retry <------+ error (attempt < MAX_ATTEMPTS) ; otherwise failed

* ``dedupe_key`` is unique: the same reminder is never created twice.
* Claiming is safe when two workers run at once: on PostgreSQL with
  ``SELECT ... FOR UPDATE SKIP LOCKED``; elsewhere (SQLite) with a conditional
  UPDATE on (status, attempts), which only one worker can win.
* A claim is a lease: ``next_attempt_at`` is set LEASE ahead. A row still
  ``sending`` after that (the worker crashed) is due again.
* Failed attempts are retried after 1, 2, 4, 8 … minutes (at most 6 h); after
  MAX_ATTEMPTS the row is ``failed``. Rows are never deleted.

Delivery is at-least-once: a worker that crashes after the message went out but
before recording it will cause one duplicate, never a loss.
"""
from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from . import channels
from .channels import DeliveryError
from .models import InboxMessage, Notification, Webhook

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = datetime.timedelta(minutes=10)
MAX_DELAY = datetime.timedelta(hours=6)


def retry_delay(attempts: int) -> datetime.timedelta:
    """Wait after the given number of failed attempts: 1, 2, 4, 8 … minutes, capped at 6 h."""
    return min(datetime.timedelta(minutes=2 ** (attempts - 1)), MAX_DELAY)


def enqueue(channel: str, recipient: str, subject: str, body: str, dedupe_key: str, link: str = "") -> Notification | None:
    """Create a pending notification; None if one with this dedupe_key already exists."""
    if channel not in dict(Notification.CHANNEL_CHOICES):
        raise ValueError(f"未知的通知渠道：{channel}")
    if Notification.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    try:
        with transaction.atomic():
            return Notification.objects.create(
                channel=channel, recipient=str(recipient), subject=subject, body=body, link=link, dedupe_key=dedupe_key
            )
    except IntegrityError:
        # Another process created it between our check and our insert.
        if Notification.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise


def enqueue_webhooks(subject: str, body: str, dedupe_key: str, link: str = "", *, org) -> list[Notification]:
    """Enqueue the message for the active group robots of ``org`` and those of all organisations (dedupe key per robot).

    ``org`` (an Organisation or its id) is the one the message is about; None reaches only the
    robots of all organisations.
    """
    created = []
    for hook in Webhook.objects.filter(Q(org__isnull=True) | Q(org=org), active=True).order_by("pk"):
        row = enqueue(hook.kind, hook.url, subject, body, f"{dedupe_key}:webhook:{hook.pk}", link)
        if row is not None:
            created.append(row)
    return created


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def deliver_due(now: datetime.datetime | None = None, limit: int = 100) -> DeliveryReport:
    """Deliver up to ``limit`` due notifications. ``now`` is for tests."""
    clock = (lambda: now) if now is not None else timezone.now
    report = DeliveryReport()
    report.failed += _give_up_on_abandoned(clock())
    for _ in range(limit):
        row = _claim(clock())
        if row is None:
            break
        try:
            _deliver(row, clock())
        except Exception as exc:  # noqa: BLE001 — any failure must leave the row retryable, never stuck
            if _record_failure(row, clock(), exc) == Notification.FAILED:
                report.failed += 1
            else:
                report.retrying += 1
        else:
            report.sent += 1
    return report


def _due(now):
    return Q(next_attempt_at__lte=now) & (
        Q(status=Notification.PENDING) | Q(status=Notification.SENDING, attempts__lt=MAX_ATTEMPTS)
    )


def _claim(now) -> Notification | None:
    """Take one due row: status sending, one more attempt, leased until now + LEASE."""
    due = Notification.objects.filter(_due(now)).order_by("next_attempt_at", "pk")
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            row = due.select_for_update(skip_locked=True).first()
            if row is None:
                return None
            row.status, row.attempts, row.next_attempt_at = Notification.SENDING, row.attempts + 1, now + LEASE
            row.save(update_fields=["status", "attempts", "next_attempt_at"])
            return row
    for row in due[:20]:
        won = Notification.objects.filter(_due(now), pk=row.pk, status=row.status, attempts=row.attempts).update(
            status=Notification.SENDING, attempts=row.attempts + 1, next_attempt_at=now + LEASE
        )
        if won:
            row.status, row.attempts, row.next_attempt_at = Notification.SENDING, row.attempts + 1, now + LEASE
            return row
    return None


def _give_up_on_abandoned(now) -> int:
    """Rows whose worker died while sending the last allowed attempt become failed."""
    return Notification.objects.filter(
        status=Notification.SENDING, attempts__gte=MAX_ATTEMPTS, next_attempt_at__lte=now
    ).update(status=Notification.FAILED, last_error="发送过程中断（发送进程可能已退出），已达最大尝试次数")


def _deliver(row: Notification, now) -> None:
    if row.channel == Notification.INBOX:
        try:
            user_id = int(row.recipient)
        except ValueError:
            raise DeliveryError(f"站内消息的接收方应为用户 ID，而不是“{row.recipient}”") from None
        if not get_user_model().objects.filter(pk=user_id).exists():
            raise DeliveryError(f"用户 ID {user_id} 不存在")
        with transaction.atomic():  # the message and the "sent" mark together, or neither
            InboxMessage.objects.create(user_id=user_id, title=row.subject, body=row.body, link=row.link)
            _mark_sent(row, now)
        return
    link = _absolute(row.link)
    if row.channel == Notification.EMAIL:
        channels.send_email(row.recipient, row.subject, row.body + (f"\n\n{link}" if link else ""))
    else:
        text = f"### {row.subject}\n\n{row.body}" + (f"\n\n[查看详情]({link})" if link else "")
        if row.channel == Notification.WECOM:
            channels.send_wecom(row.recipient, text)
        elif row.channel == Notification.DINGTALK:
            secret = Webhook.objects.filter(url=row.recipient).values_list("secret", flat=True).first()
            channels.send_dingtalk(row.recipient, text, secret=secret or None, title=row.subject)
        else:
            raise DeliveryError(f"未知的通知渠道：{row.channel}")
    _mark_sent(row, now)


def _mark_sent(row: Notification, now) -> None:
    Notification.objects.filter(pk=row.pk).update(status=Notification.SENT, sent_at=now)


def _record_failure(row: Notification, now, exc: Exception) -> str:
    if isinstance(exc, DeliveryError):
        error = str(exc)
        logger.warning("通知 #%s（%s）第 %s 次发送失败：%s", row.pk, row.channel, row.attempts, error)
    else:
        error = f"{type(exc).__name__}: {exc}"
        logger.exception("通知 #%s（%s）第 %s 次发送出错", row.pk, row.channel, row.attempts)
    if row.attempts >= MAX_ATTEMPTS:
        status, next_attempt_at = Notification.FAILED, now
    else:
        status, next_attempt_at = Notification.PENDING, now + retry_delay(row.attempts)
    # Only if the row is still ours (a worker that overran its lease must not undo a newer attempt).
    Notification.objects.filter(pk=row.pk, status=Notification.SENDING, attempts=row.attempts).update(
        status=status, next_attempt_at=next_attempt_at, last_error=error[:2000]
    )
    return status


def _absolute(link: str) -> str:
    if link.startswith("/"):
        return settings.SITE_URL.rstrip("/") + link
    return link
