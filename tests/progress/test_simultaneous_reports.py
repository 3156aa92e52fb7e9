"""Twenty liaisons pressing 报送 at the same moment, through the real login page and submit view, each
thread with its own database connection: no error, every report and file stored. On SQLite (a file
database with the settings' WAL journal, busy timeout and immediate transactions) and on PostgreSQL.

Without those settings SQLite answered most of these requests with "database is locked"."""
from __future__ import annotations


import pytest
from django.db import connection
from django.test import Client

from duban.plans.models import Assignment
from duban.progress.models import Attachment, Report

from .conftest import make_user
from .samples import PDF, race, stored_files, upload
from tests.web.conftest import PASSWORD

N = 20


@pytest.fixture
def liaisons(transactional_db, seed_plan, org):
    """N liaisons of N different units, each with one assignment of the seed plan to report on."""
    picked: dict[int, Assignment] = {}
    for a in Assignment.objects.filter(task__plan=seed_plan).select_related("unit").order_by("task__no", "id"):
        picked.setdefault(a.unit_id, a)
    assert len(picked) >= N
    return [(make_user(org, f"liaison-{i}", "liaison", a.unit), a) for i, a in enumerate(list(picked.values())[:N])]


def test_twenty_simultaneous_logins_and_submissions_all_succeed(liaisons, media_root):
    clients = [Client() for _ in liaisons]

    def login(i):
        return lambda: clients[i].post("/login/", {"username": liaisons[i][0].username, "password": PASSWORD})

    logged_in = race(*[login(i) for i in range(N)], timeout=120)
    assert [getattr(r, "status_code", r) for r in logged_in] == [302] * N, logged_in

    def submit(i):
        user, a = liaisons[i]
        return lambda: clients[i].post(f"/assignments/{a.pk}/report/", {
            "text": f"{user.username} 已完成。", "url_1": "https://www.xishan.gov.cn/c/1.shtml", "files": [upload(f"{i}.pdf", PDF)],
        })

    results = race(*[submit(i) for i in range(N)], timeout=120)
    assert [getattr(r, "status_code", r) for r in results] == [302] * N, results
    assert Report.objects.count() == N and Attachment.objects.count() == N
    assert set(Report.objects.values_list("submitted_by__username", flat=True)) == {u.username for u, _ in liaisons}
    assert Assignment.objects.filter(pk__in=[a.pk for _, a in liaisons], status=Assignment.SUBMITTED).count() == N
    assert len(stored_files(media_root)) == N


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own settings")
def test_sqlite_connections_use_wal_a_busy_timeout_and_immediate_transactions(transactional_db, settings):
    with connection.cursor() as c:
        assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert c.execute("PRAGMA busy_timeout").fetchone()[0] == settings.SQLITE_BUSY_TIMEOUT * 1000 > 0
        assert c.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL: safe with WAL, far fewer fsyncs
    assert connection.transaction_mode == "IMMEDIATE"
