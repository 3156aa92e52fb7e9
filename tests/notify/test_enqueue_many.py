"""enqueue_many: thousands of notifications in a few statements, duplicates of a dedupe key skipped."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from duban.notify.models import Notification
from duban.notify.outbox import enqueue, enqueue_many

pytestmark = pytest.mark.django_db


def rows(keys, channel="email"):
    return [Notification(channel=channel, recipient=f"{k}@example.gov.cn", subject=f"提醒 {k}", body="正文", dedupe_key=k) for k in keys]


def test_inserts_and_counts_only_new_keys():
    enqueue("email", "old@example.gov.cn", "已有的提醒", "正文", "k1")

    created = enqueue_many(rows(["k1", "k2", "k3", "k2"]))

    assert created == 2
    assert sorted(Notification.objects.values_list("dedupe_key", flat=True)) == ["k1", "k2", "k3"]
    assert Notification.objects.get(dedupe_key="k1").subject == "已有的提醒"  # the stored one is kept
    assert Notification.objects.get(dedupe_key="k2").subject == "提醒 k2"  # the first of the list wins
    assert set(Notification.objects.values_list("status", flat=True)) == {"pending"}
    assert enqueue_many(rows(["k1", "k2", "k3"])) == 0
    assert enqueue_many([]) == 0


@pytest.mark.parametrize("size", [10, 3000])
def test_statements_do_not_grow_with_each_row(size):
    with CaptureQueriesContext(connection) as queries:
        assert enqueue_many(rows([f"k{i}" for i in range(size)])) == size
    assert Notification.objects.count() == size
    # SQLite: key look-ups of 1,000 at a time, inserts of as many as its 999 parameters allow (111);
    # PostgreSQL: a fixed six (savepoint, temporary table, truncate, COPY, insert, release). Never one per row.
    assert len(queries) <= 6 + size // 75, [q["sql"][:80] for q in queries]


def test_unknown_channel_is_refused_before_anything_is_stored():
    with pytest.raises(ValueError, match="未知的通知渠道：sms"):
        enqueue_many(rows(["a"]) + rows(["b"], channel="sms"))
    assert not Notification.objects.exists()


def test_recipient_ids_are_stored_as_text(django_user_model):
    user = django_user_model.objects.create_user("zhangsan")
    enqueue_many([Notification(channel="inbox", recipient=user.pk, subject="提醒", body="", dedupe_key="k")])
    assert Notification.objects.get().recipient == str(user.pk)
