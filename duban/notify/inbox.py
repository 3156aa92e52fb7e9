"""The in-site inbox (消息): written at once, read on /messages/, and read receipts for the coordinator.

The inbox is a delivered channel: `deliver` writes the messages in the caller's transaction, so a unit
with no e-mail address and no robot has its 催办, 退回 and reminders the moment they are sent (no timer,
no outbox row). E-mail and robots still go through duban.notify.outbox.
"""
from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Max, QuerySet
from django.utils import timezone

from .models import InboxLink, InboxMessage


def deliver(user_ids: Iterable[int], title: str, body: str, link: str = "", *, kind: str = InboxMessage.OTHER,
            assignment_ids: Iterable[int] = (), batch: str = "") -> int:
    """One message to each user (duplicates ignored), linked to the assignments it is about. Returns how many."""
    users = list(dict.fromkeys(user_ids))
    if not users:
        return 0
    messages = InboxMessage.objects.bulk_create(
        [InboxMessage(user_id=u, kind=kind, title=title[:200], body=body, link=link[:500], batch=batch[:100]) for u in users]
    )
    assignment_ids = list(dict.fromkeys(assignment_ids))
    if assignment_ids:
        InboxLink.objects.bulk_create(
            [InboxLink(message_id=m.pk, assignment_id=a) for m in messages for a in assignment_ids], batch_size=1000
        )
    return len(messages)


def deliver_many(messages: list[tuple]) -> int:
    """Many messages in a few statements: each (user_id, title, body, link, kind, assignment_ids, batch)."""
    if not messages:
        return 0
    if connection.vendor == "postgresql":
        return _copy_many(messages)
    rows = InboxMessage.objects.bulk_create(
        [InboxMessage(user_id=u, kind=kind, title=title[:200], body=body, link=link[:500], batch=batch[:100])
         for u, title, body, link, kind, _, batch in messages],
        batch_size=1000,
    )
    InboxLink.objects.bulk_create(
        [InboxLink(message_id=row.pk, assignment_id=a) for row, m in zip(rows, messages) for a in dict.fromkeys(m[5])],
        batch_size=1000,
    )
    return len(rows)


def _copy_many(messages: list[tuple]) -> int:
    """deliver_many on PostgreSQL: the messages' ids taken from their sequence (in order), then the messages and
    their links copied in (COPY: no model object per row, and batched inserts of the table's pages)."""
    ops, now = connection.ops, timezone.now()
    table, links = ops.quote_name(InboxMessage._meta.db_table), ops.quote_name(InboxLink._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                       [InboxMessage._meta.db_table, len(messages)])
        ids = sorted(pk for (pk,) in cursor.fetchall())
        with cursor.copy(f"COPY {table} (id, user_id, kind, title, body, link, batch, created_at) FROM STDIN") as copy:
            for pk, (u, title, body, link, kind, _, batch) in zip(ids, messages):
                copy.write_row((pk, u, kind, title[:200], body, link[:500], batch[:100], now))
        with cursor.copy(f"COPY {links} (message_id, assignment_id) FROM STDIN") as copy:
            for pk, m in zip(ids, messages):
                for a in dict.fromkeys(m[5]):
                    copy.write_row((pk, a))
    return len(ids)


def unread(user) -> QuerySet[InboxMessage]:
    return InboxMessage.objects.filter(user=user, read_at__isnull=True)


def mark_read(messages: QuerySet[InboxMessage]) -> int:
    """Mark the unread ones read now (the first reading is the one that counts)."""
    return messages.filter(read_at__isnull=True).update(read_at=timezone.now())


# --- read receipts ------------------------------------------------------------------------------


@dataclass
class Receipt:
    """The latest sending of a kind (a 催办) about an assignment, or of a batch: when, and when first read."""

    sent_at: datetime.datetime
    read_at: datetime.datetime | None = None

    @property
    def read(self) -> bool:
        return self.read_at is not None


def _first_read(a: datetime.datetime | None, b: datetime.datetime | None):
    return min(x for x in (a, b) if x is not None) if (a or b) else None


def receipts(assignments: QuerySet, kind: str = InboxMessage.URGE) -> dict[int, Receipt]:
    """assignment id -> the receipt of the latest message of ``kind`` about it (read if any recipient read it).

    Three queries whatever the history: the latest message per assignment (grouped in the database), their
    batches, and the messages of those batches."""
    latest = dict(
        InboxLink.objects.filter(assignment__in=assignments.values("pk"), message__kind=kind)
        .order_by().values("assignment_id").annotate(last=Max("message_id")).values_list("assignment_id", "last")
    )
    batch_of = dict(InboxMessage.objects.filter(pk__in=set(latest.values())).values_list("pk", "batch"))
    by_batch = batch_receipts(set(batch_of.values()))
    return {a: by_batch[batch_of[m]] for a, m in latest.items() if batch_of.get(m) in by_batch}


def batch_receipts(batches: Iterable[str]) -> dict[str, Receipt]:
    """batch -> when it was sent and first read (by any of its recipients)."""
    out: dict[str, Receipt] = {}
    for batch, created_at, read_at in InboxMessage.objects.filter(batch__in=[b for b in batches if b]).values_list(
        "batch", "created_at", "read_at"
    ):
        if batch not in out:
            out[batch] = Receipt(created_at, read_at)
        else:
            out[batch].read_at = _first_read(out[batch].read_at, read_at)
    return out
