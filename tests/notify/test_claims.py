"""Batch claims: the oldest due rows, one statement to mark them, through the partial index of rows still to send."""
import datetime

import pytest
from django.db import connection
from django.utils import timezone

from duban.notify import outbox
from duban.notify.models import Notification
from duban.notify.outbox import enqueue_many

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)


def test_a_claim_takes_the_oldest_due_rows_only():
    now = timezone.now()
    enqueue_many(Notification(channel="email", recipient="a@example.gov.cn", subject=f"{i}", body="", dedupe_key=f"k{i}") for i in range(6))
    waits = {"k0": 3, "k1": 1, "k2": 2, "k3": -1, "k4": 0, "k5": 4}  # minutes after now; k3 is not due yet
    for key, minutes in waits.items():
        Notification.objects.filter(dedupe_key=key).update(next_attempt_at=now - minutes * MINUTE)
    Notification.objects.filter(dedupe_key="k4").update(status="sent")

    claimed = outbox._claim(now, 3)

    assert sorted(row.dedupe_key for row in claimed) == ["k0", "k2", "k5"]
    assert {(row.status, row.attempts, row.next_attempt_at) for row in claimed} == {("sending", 1, now + outbox.LEASE)}
    assert [row.dedupe_key for row in outbox._claim(now, 3)] == ["k1"]
    assert outbox._claim(now, 3) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_the_claim_reads_the_partial_index():
    enqueue_many(Notification(channel="email", recipient="a@example.gov.cn", subject="", body="", dedupe_key=f"k{i}") for i in range(2000))
    Notification.objects.filter(pk__in=Notification.objects.order_by("pk").values("pk")[:1990]).update(status="sent")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE notify_notification")
    queue = outbox.Notification.objects.filter(outbox._due(timezone.now())).order_by("next_attempt_at", "pk")
    plan = queue.values("pk")[:100].explain()
    assert "notify_queue" in plan, plan
