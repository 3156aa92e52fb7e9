"""A large plan being written does not lock the site: pages still read (WAL), and a login — which writes
its session and last_login — waits its turn behind the import's short write and succeeds.

The import is the 1,000-task synthetic plan (24,700 assignments), written in a thread with its own
database connection while the test logs in through the real login page."""
from __future__ import annotations

import threading
import time

import pytest
from django.db import connections
from django.test import Client

from duban import ingest
from duban.plans import importing
from duban.plans.models import Assignment, Plan
from tests.ingest.builders import TITLE, build_text, synthetic_table

from .conftest import PASSWORD, make_user


@pytest.fixture
def large(transactional_db, org):
    data = build_text(TITLE, synthetic_table(1000))
    return importing.prepare(org, data, "plan.txt", parsed=ingest.parse(data, "plan.txt"))


def test_a_login_succeeds_while_a_large_import_is_writing(large, org, monkeypatch):
    user = make_user(org, "coordinator", "coordinator")
    writing, read, outcome = threading.Event(), threading.Event(), {}
    real = importing._create_tasks

    def create_tasks(*args, **kwargs):
        writing.set()  # the import's transaction holds the write lock from here until it commits
        real(*args, **kwargs)
        read.wait(30)  # and does not commit before the test has read: the read is surely during the write

    monkeypatch.setattr(importing, "_create_tasks", create_tasks)

    def work():
        try:
            started = time.monotonic()
            outcome["plan"] = importing.apply(large, keep_unknown=True)
            outcome["seconds"] = time.monotonic() - started
        except Exception as exc:  # noqa: BLE001 — the test inspects it
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=work)
    thread.start()
    try:
        assert writing.wait(60)
        reading = time.monotonic()
        assert Plan.objects.count() == 0  # not blocked, and nothing half-written is visible
        read_seconds = time.monotonic() - reading
        still_writing = thread.is_alive()
        read.set()
        r = Client().post("/login/", {"username": "coordinator", "password": PASSWORD})
    finally:
        read.set()
        thread.join(120)
    assert "error" not in outcome, outcome
    assert still_writing and read_seconds < 1
    assert r.status_code == 302 and r["Location"] == "/"
    user.refresh_from_db()
    assert user.last_login is not None
    plan = outcome["plan"]
    assert plan.tasks.count() == 1000 and Assignment.objects.filter(task__plan=plan).count() == 24700


def test_a_plan_too_large_to_write_in_one_short_transaction_is_refused(org, monkeypatch):
    from .conftest import SEED, parsed_seed, seed_bytes

    monkeypatch.setattr(importing, "MAX_ASSIGNMENTS", 100)
    with pytest.raises(importing.ImportProblem, match=r"文件中有 74 项任务、共 \d+ 条分工，超过 100 条的上限"):
        importing.prepare(org, seed_bytes(), SEED.name, parsed=parsed_seed())
    assert not Plan.objects.exists()
