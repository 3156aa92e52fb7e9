"""The notification outbox: enqueue now, deliver from a timer (`duban send_notifications`).

Life of a row::

    pending --claim--> sending --ok--> sent
       ^                  |
       +---- retry <------+ error (attempt < MAX_ATTEMPTS) ; otherwise failed

* ``dedupe_key`` is unique: the same reminder is never created twice.
* Enqueue one (``enqueue``) or thousands (``enqueue_many``: a few statements).
* Deliverers claim due rows in batches, oldest first, through a partial index
  that holds only the rows still to send. Several may run at once (two
  ``send_notifications`` processes, or ``--workers``): on PostgreSQL a claim
  picks rows with ``FOR UPDATE SKIP LOCKED`` and marks them in one UPDATE;
  that UPDATE repeats the due condition, so where rows cannot be locked
  (SQLite) a row is not taken twice either.
* A claim is a lease: ``next_attempt_at`` is set LEASE ahead. A row still
  ``sending`` after that (the worker crashed) is due again.
* Failed attempts are retried after 1, 2, 4, 8 … minutes (at most 6 h); after
  MAX_ATTEMPTS the row is ``failed``. Rows are never deleted.
* Quiet hours (``hours``): outside working hours e-mail and robot messages are
  held until the next working morning; the inbox is delivered at once.
* Robots: the messages due to one robot go out as one digest per run, and at
  most DUBAN_ROBOT_PER_MINUTE posts a minute reach one robot URL; the rest wait
  (deferred: not an attempt, not a failure).

Delivery is at-least-once: a worker that crashes after the message went out but
before recording it will cause one duplicate (a digest: its messages), never a loss.
"""
from __future__ import annotations

import datetime
import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from duban.workcal.services import get_calendar

from . import channels, hours
from .channels import DeliveryError
from .models import InboxMessage, Notification, RobotQuota, Subscription, Webhook, WorkApp

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = datetime.timedelta(minutes=10)
MAX_DELAY = datetime.timedelta(hours=6)
MINUTE = datetime.timedelta(minutes=1)
BATCH = 100  # rows per claim
DIGEST_MAX = 50  # messages to one robot taken together into a digest
ROBOT_MAX_BYTES = 4000  # one robot message (企业微信 markdown: 4096 bytes)
ROBOTS = (Notification.WECOM, Notification.DINGTALK)
WORK_APPS = (Notification.WECOM_APP, Notification.DINGTALK_APP)  # to one person, by user id (workapps)
QUIET_CHANNELS = (Notification.EMAIL, *ROBOTS, *WORK_APPS)  # held outside working hours; the inbox never is


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


def enqueue_many(notifications: Iterable[Notification]) -> int:
    """Insert many unsaved notifications in a few statements, skipping those whose dedupe key is stored
    already (or repeated in the list: the first of a key wins, as if enqueued one by one); return how many
    were inserted. See enqueue_rows."""
    return enqueue_rows((n.channel, n.recipient, n.subject, n.body, n.link, n.dedupe_key) for n in notifications)


def enqueue_rows(rows: Iterable[tuple]) -> int:
    """enqueue_many for plain (channel, recipient, subject, body, link, dedupe_key) tuples: no model object per row.

    On PostgreSQL the rows are copied (COPY, tens of thousands a second) into a temporary table and moved
    with ON CONFLICT DO NOTHING; elsewhere the keys are looked up first and the rest inserted with
    ON CONFLICT DO NOTHING. Either way another process inserting the same key at the same moment never
    makes a duplicate (on SQLite the row it won may be counted here too).
    """
    channels = dict(Notification.CHANNEL_CHOICES)
    first: dict[str, tuple] = {}
    for channel, recipient, subject, body, link, key in rows:
        if channel not in channels:
            raise ValueError(f"未知的通知渠道：{channel}")
        if key not in first:
            first[key] = (channel, str(recipient), subject, body, link, key)
    fresh = list(first.values())
    if not fresh:
        return 0
    if connection.vendor == "postgresql":
        return _copy_in(fresh)
    keys = list(first)
    seen = set()
    for i in range(0, len(keys), 1000):
        seen.update(Notification.objects.filter(dedupe_key__in=keys[i : i + 1000]).values_list("dedupe_key", flat=True))
    fresh = [
        Notification(channel=channel, recipient=recipient, subject=subject, body=body, link=link, dedupe_key=key)
        for channel, recipient, subject, body, link, key in fresh if key not in seen
    ]
    Notification.objects.bulk_create(fresh, batch_size=1000, ignore_conflicts=True)
    return len(fresh)


def _copy_in(rows: list[tuple]) -> int:
    table, now = Notification._meta.db_table, timezone.now()
    columns = "channel, recipient, subject, body, link, dedupe_key, status, attempts, next_attempt_at, last_error, created_at"
    with transaction.atomic(), connection.cursor() as cursor:  # the temporary table lives until the commit
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS new_notification ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA")
        cursor.execute("TRUNCATE new_notification")
        with cursor.copy(f"COPY new_notification ({columns}) FROM STDIN") as copy:
            tail = (Notification.PENDING, 0, now, "", now)
            for row in rows:
                copy.write_row(row + tail)
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM new_notification ON CONFLICT (dedupe_key) DO NOTHING")
        return cursor.rowcount


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
    deferred: int = 0  # held for working hours or a robot's rate limit: not an attempt, not a failure
    robot_posts: int = 0  # messages posted to robots (a digest carries several notifications)

    def add(self, other: DeliveryReport) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def deliver_due(
    now: datetime.datetime | None = None, limit: int | None = 100, seconds: float | None = None, calendar=None
) -> DeliveryReport:
    """Deliver due notifications, in batches, up to ``limit`` of them and for about ``seconds`` at most.

    ``now`` is for tests (a fake clock); ``calendar`` (the working days) is read from the database unless given.
    """
    clock = (lambda: now) if now is not None else timezone.now
    started = time.monotonic()
    report = DeliveryReport()
    report.failed += _give_up_on_abandoned(clock())
    opening = hours.next_opening(clock(), calendar or get_calendar())
    if opening is not None:  # quiet hours: the inbox and webhooks only; e-mail and robots wait for the morning
        report.deferred += _hold_until(opening, clock())
        only = ~Q(channel__in=QUIET_CHANNELS)
    else:  # robots first, each robot's due messages in one digest; the batches below leave them out
        only = ~Q(channel__in=ROBOTS)
        _deliver_robot_digests(clock, report)
    claimed = 0
    while limit is None or claimed < limit:
        if seconds is not None and time.monotonic() - started > seconds:
            break
        rows = _claim(clock(), BATCH if limit is None else min(BATCH, limit - claimed), only)
        if not rows:
            break
        claimed += len(rows)
        _deliver_batch(rows, clock, report)
    return report


def _due(now):
    return Q(status__in=[Notification.PENDING, Notification.SENDING], next_attempt_at__lte=now) & (
        Q(status=Notification.PENDING) | Q(status=Notification.SENDING, attempts__lt=MAX_ATTEMPTS)
    )


def _claim(now, n: int = 1, only: Q = Q()) -> list[Notification]:
    """Take up to ``n`` due rows, the oldest first: status sending, one more attempt, leased until
    now + LEASE; return them.

    The ids are picked first — on PostgreSQL with FOR UPDATE SKIP LOCKED, so deliverers running at once
    take different rows without waiting for each other — then marked in one UPDATE that repeats the due
    condition, so that where rows cannot be locked a row another deliverer took meanwhile is not taken
    again (SQLite's writers take turns anyway). The ids are not picked inside the UPDATE: PostgreSQL may
    run such a subquery more than once, and SKIP LOCKED then picks more than ``n``.
    """
    queue = Notification.objects.filter(_due(now), only).order_by("next_attempt_at", "pk")
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            queue = queue.select_for_update(skip_locked=True)
        ids = list(queue.values_list("pk", flat=True)[:n])
        if not ids:
            return []
        ops = connection.ops
        sql = (
            f"UPDATE {ops.quote_name(Notification._meta.db_table)} SET status = %s, attempts = attempts + 1, next_attempt_at = %s "
            f"WHERE id IN ({', '.join(['%s'] * len(ids))}) AND next_attempt_at <= %s "
            f"AND (status = %s OR (status = %s AND attempts < %s)) RETURNING *"
        )
        params = [
            Notification.SENDING, ops.adapt_datetimefield_value(now + LEASE), *ids,
            ops.adapt_datetimefield_value(now), Notification.PENDING, Notification.SENDING, MAX_ATTEMPTS,
        ]
        rows = list(Notification.objects.raw(sql, params))
    return sorted(rows, key=lambda row: row.pk)


def _give_up_on_abandoned(now) -> int:
    """Rows whose worker died while sending the last allowed attempt become failed."""
    return Notification.objects.filter(
        status=Notification.SENDING, attempts__gte=MAX_ATTEMPTS, next_attempt_at__lte=now
    ).update(status=Notification.FAILED, last_error="发送过程中断（发送进程可能已退出），已达最大尝试次数")


def _hold_until(opening, now) -> int:
    """Outside working hours: due e-mail and robot messages wait for ``opening`` (one statement)."""
    return Notification.objects.filter(_due(now), channel__in=QUIET_CHANNELS).update(
        status=Notification.PENDING, next_attempt_at=opening
    )


def _deliver_robot_digests(clock, report: DeliveryReport) -> None:
    """Each robot with due messages gets them together: one digest per robot and run."""
    robots = (
        Notification.objects.filter(_due(clock()), channel__in=ROBOTS)
        .order_by()
        .values_list("channel", "recipient")
        .distinct()
    )
    for channel, url in list(robots):
        rows = _claim(clock(), DIGEST_MAX, Q(channel=channel, recipient=url))
        if rows:
            _deliver_robot(rows, clock, report)


def _deliver_batch(rows: list[Notification], clock, report: DeliveryReport) -> None:
    by_channel = defaultdict(list)
    for row in rows:
        by_channel[row.channel].append(row)
    _deliver_inbox(by_channel.pop(Notification.INBOX, []), clock(), report)
    _deliver_emails(by_channel.pop(Notification.EMAIL, []), clock, report)
    _deliver_webhooks(by_channel.pop(Notification.WEBHOOK, []), clock, report)
    _deliver_work_messages([row for channel in WORK_APPS for row in by_channel.pop(channel, [])], clock, report)
    for channel in ROBOTS:
        by_robot = defaultdict(list)
        for row in by_channel.pop(channel, []):
            by_robot[row.recipient].append(row)
        for group in by_robot.values():
            _deliver_robot(group, clock, report)
    for row in (row for group in by_channel.values() for row in group):
        _fail(row, clock(), DeliveryError(f"未知的通知渠道：{row.channel}"), report)


def _deliver_inbox(rows: list[Notification], now, report: DeliveryReport) -> None:
    """The in-site messages of a batch, written together with their "sent" marks (or none of them)."""
    wanted = {}
    for row in rows:
        try:
            wanted[row.pk] = int(row.recipient)
        except ValueError:
            _fail(row, now, DeliveryError(f"站内消息的接收方应为用户 ID，而不是“{row.recipient}”"), report)
    known = set(get_user_model().objects.filter(pk__in=set(wanted.values())).values_list("pk", flat=True))
    good = []
    for row in rows:
        if row.pk in wanted and wanted[row.pk] not in known:
            _fail(row, now, DeliveryError(f"用户 ID {wanted[row.pk]} 不存在"), report)
        elif row.pk in wanted:
            good.append(row)
    if not good:
        return
    try:
        with transaction.atomic():
            InboxMessage.objects.bulk_create(
                [InboxMessage(user_id=wanted[row.pk], title=row.subject, body=row.body, link=row.link) for row in good]
            )
            _mark_sent(good, now)
    except Exception as exc:  # noqa: BLE001 — e.g. a user deleted meanwhile: the rows stay retryable
        for row in good:
            _fail(row, now, exc, report)
    else:
        report.sent += len(good)


def _deliver_emails(rows: list[Notification], clock, report: DeliveryReport) -> None:
    """The e-mails of a batch over one SMTP session; each marked sent as soon as it went out."""
    if not rows:
        return
    session = channels.mail_connection()
    try:
        for row in rows:
            link = _absolute(row.link)
            try:
                channels.send_email(
                    row.recipient, row.subject, row.body + (f"\n\n{link}" if link else ""),
                    connection=session, headers={"X-Duban-Notification": str(row.pk)},
                )
            except Exception as exc:  # noqa: BLE001 — any failure must leave the row retryable, never stuck
                _fail(row, clock(), exc, report)
            else:
                _mark_sent([row], clock())
                report.sent += 1
    finally:
        session.close()


def _deliver_webhooks(rows: list[Notification], clock, report: DeliveryReport) -> None:
    """Event POSTs to subscribers (duban.notify.events), each marked sent as soon as it was accepted."""
    from . import events

    subscriptions = Subscription.objects.in_bulk([int(row.recipient) for row in rows if row.recipient.isdigit()])
    for row in rows:
        subscription = subscriptions.get(int(row.recipient)) if row.recipient.isdigit() else None
        if subscription is None or not subscription.active:
            # Nothing to retry: the subscriber is gone or paused (a paused one gets what happens after).
            Notification.objects.filter(pk=row.pk, status=Notification.SENDING).update(
                status=Notification.FAILED, last_error="订阅已删除或已停用，不再推送"
            )
            report.failed += 1
            continue
        try:
            events.send(row, subscription)
        except Exception as exc:  # noqa: BLE001 — any failure must leave the row retryable, never stuck
            _fail(row, clock(), exc, report)
        else:
            _mark_sent([row], clock())
            report.sent += 1


def _deliver_work_messages(rows: list[Notification], clock, report: DeliveryReport) -> None:
    """企业微信应用消息 / 钉钉工作通知 to one person each; an app at its rate limit gets the rest of its rows later."""
    from . import workapps

    wanted = {row.pk: workapps.parse_recipient(row) for row in rows}
    apps = WorkApp.objects.in_bulk({w[0] for w in wanted.values() if w})
    limited: dict[int, datetime.datetime] = {}  # app id → when to try again
    for row in rows:
        target = wanted[row.pk]
        app = apps.get(target[0]) if target else None
        if app is None or not app.active:
            _fail(row, clock(), DeliveryError("应用消息的应用不存在或已停用"), report)
            continue
        if app.pk in limited:
            report.deferred += _defer([row], limited[app.pk])
            continue
        try:
            workapps.send(app, target[1], row.subject, robot_text([row])[1], now=clock())
        except workapps.RateLimited:
            limited[app.pk] = clock() + MINUTE
            report.deferred += _defer([row], limited[app.pk])
        except Exception as exc:  # noqa: BLE001 — any failure must leave the row retryable, never stuck
            _fail(row, clock(), exc, report)
        else:
            _mark_sent([row], clock())
            report.sent += 1


def _deliver_robot(rows: list[Notification], clock, report: DeliveryReport) -> None:
    """Messages to one robot: as few posts as the size limit allows (a digest), each within the rate limit."""
    channel, url = rows[0].channel, rows[0].recipient
    secret = None
    if channel == Notification.DINGTALK:
        secret = Webhook.objects.filter(url=url).values_list("secret", flat=True).first() or None
    while rows:
        chunk, rows = _digest_chunk(rows)
        free_at = _take_robot_slot(url, clock())
        if free_at is not None:
            report.deferred += _defer(chunk + rows, free_at)
            return
        title, text = robot_text(chunk)
        try:
            if channel == Notification.WECOM:
                channels.send_wecom(url, text)
            else:
                channels.send_dingtalk(url, text, secret=secret, title=title)
        except Exception as exc:  # noqa: BLE001 — any failure must leave the rows retryable, never stuck
            for row in chunk:
                _fail(row, clock(), exc, report)
        else:
            _mark_sent(chunk, clock())
            report.sent += len(chunk)
        report.robot_posts += 1


def robot_text(rows: list[Notification]) -> tuple[str, str]:
    """The title and markdown of one robot post: the message itself, or a digest of several."""
    def item(row, heading):
        link = _absolute(row.link)
        return f"{heading} {row.subject}\n\n{row.body}" + (f"\n\n[查看详情]({link})" if link else "")

    if len(rows) == 1:
        return rows[0].subject, item(rows[0], "###")
    title = f"督办消息汇总（{len(rows)} 条）"
    return title, f"### {title}\n\n" + "\n\n---\n\n".join(item(row, "####") for row in rows)


def _digest_chunk(rows: list[Notification]) -> tuple[list[Notification], list[Notification]]:
    """The first rows whose digest fits in one robot message (at least one row), and the rest."""
    size = 1
    while size < len(rows) and len(robot_text(rows[: size + 1])[1].encode("utf-8")) <= ROBOT_MAX_BYTES:
        size += 1
    return rows[:size], rows[size:]


def _take_robot_slot(url: str, now) -> datetime.datetime | None:
    """Count a post to ``url`` at ``now`` if the robot's rate allows it (None); else when it will."""
    per_minute = settings.DUBAN_ROBOT_PER_MINUTE
    with transaction.atomic():  # the row lock (or SQLite's write lock) makes deliverers take turns
        quota, _ = RobotQuota.objects.select_for_update().get_or_create(url=url)
        recent = sorted(t for t in map(datetime.datetime.fromisoformat, quota.recent) if t > now - MINUTE)
        if len(recent) >= per_minute:
            return recent[len(recent) - per_minute] + MINUTE
        quota.recent = [t.isoformat() for t in [*recent, now]]
        quota.save(update_fields=["recent"])
    return None


def _defer(rows: list[Notification], until) -> int:
    """Put claimed rows back, due at ``until``, without counting the attempt."""
    return Notification.objects.filter(pk__in=[row.pk for row in rows], status=Notification.SENDING).update(
        status=Notification.PENDING, attempts=F("attempts") - 1, next_attempt_at=until
    )


def _mark_sent(rows: list[Notification], now) -> None:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # A "sent" mark need not wait for the disk (half of a deliverer's time otherwise): only a crash
            # of the database server itself in the next fraction of a second could lose it, and then the
            # message is sent again — at-least-once, as ever. (SQLite in WAL mode commits without waiting.)
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        Notification.objects.filter(pk__in=[row.pk for row in rows]).update(status=Notification.SENT, sent_at=now)


def _fail(row: Notification, now, exc: Exception, report: DeliveryReport) -> None:
    if _record_failure(row, now, exc) == Notification.FAILED:
        report.failed += 1
    else:
        report.retrying += 1


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
