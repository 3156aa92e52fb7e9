"""Several deliverers at once (two processes, or `send_notifications --workers N`): each notification exactly once."""
import pytest
from django.core.management import call_command
from django.db import connection

from duban.notify.models import InboxMessage, Notification
from duban.notify.outbox import deliver_due, enqueue_many
from tests.progress.samples import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections writing at once: PostgreSQL"),
]


@pytest.fixture
def backlog(django_user_model):
    """250 e-mails and 250 inbox messages: several batches of 100 for each deliverer."""
    users = [django_user_model.objects.create_user(f"u{i}") for i in range(5)]
    rows = []
    for i in range(250):
        rows.append(Notification(channel="email", recipient=f"l{i}@example.gov.cn", subject=f"提醒{i}", body="正文", dedupe_key=f"e{i}"))
        rows.append(Notification(channel="inbox", recipient=users[i % 5].pk, subject=f"提醒{i}", body="正文", dedupe_key=f"i{i}"))
    assert enqueue_many(rows) == 500
    return users


def delivered_once(smtp_server):
    ids = [m["X-Duban-Notification"] for m in smtp_server.messages]
    assert len(ids) == len(set(ids)) == 250  # no e-mail twice, none lost
    assert set(ids) == {str(pk) for pk in Notification.objects.filter(channel="email").values_list("pk", flat=True)}
    assert sorted(InboxMessage.objects.values_list("title", flat=True)) == sorted(f"提醒{i}" for i in range(250))
    assert Notification.objects.filter(status="sent", attempts=1).count() == 500


@pytest.mark.parametrize("skip_locked", [True, False], ids=["select-for-update", "conditional-update"])
def test_two_deliverers_at_once_send_each_notification_once(backlog, smtp_server, skip_locked, monkeypatch):
    monkeypatch.setattr(type(connection.features), "has_select_for_update_skip_locked", skip_locked)

    reports = race(lambda: deliver_due(limit=None), lambda: deliver_due(limit=None))

    assert all(not isinstance(r, Exception) for r in reports), reports
    assert sum(r.sent for r in reports) == 500
    if skip_locked:
        assert all(r.sent > 0 for r in reports)  # both worked: neither waited for the other's rows
    delivered_once(smtp_server)


def test_the_command_with_two_workers(backlog, smtp_server, capsys):
    call_command("send_notifications", workers=2)
    assert "已发送 500 条" in capsys.readouterr().out
    delivered_once(smtp_server)
