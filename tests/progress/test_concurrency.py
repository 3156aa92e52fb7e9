"""Two people clicking at once: the assignment row is locked, so exactly one move wins and the other
gets the lifecycle's message. PostgreSQL only (SQLite has no row locks; it serialises whole writes)."""
from __future__ import annotations


import pytest
from django.db import connection

from duban.plans.models import Assignment
from duban.progress import lifecycle
from duban.progress.lifecycle import ReportDraft, TransitionError
from duban.progress.models import Attachment, Report, StatusChange

from .samples import PDF, race, stored_files, upload

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")


@pytest.fixture
def submitted(transactional_db, lead_assignment, liaison):
    lifecycle.submit(lead_assignment, liaison, ReportDraft(text="已公开。", links=[("https://www.xishan.gov.cn/1.shtml", "")]))
    return lead_assignment


def test_accept_and_return_at_once_one_wins(submitted, coordinator):
    results = race(lambda: lifecycle.accept(submitted, coordinator, "good"), lambda: lifecycle.return_(submitted, coordinator, "不全"))
    won = [r for r in results if isinstance(r, Report)]
    lost = [r for r in results if isinstance(r, TransitionError)]
    assert len(won) == 1 and len(lost) == 1, results
    submitted.refresh_from_db()
    assert submitted.status in (Assignment.ACCEPTED, Assignment.RETURNED)
    assert StatusChange.objects.filter(assignment=submitted).exclude(to_status=Assignment.SUBMITTED).count() == 1


def test_two_submissions_at_once_keep_one_report_and_its_files(transactional_db, responsible_assignment, liaison, media_root):
    def send(name):
        return lambda: lifecycle.submit(responsible_assignment, liaison, ReportDraft(text=name, files=[upload(f"{name}.pdf", PDF)]))

    results = race(send("甲"), send("乙"))
    assert sum(isinstance(r, Report) for r in results) == 1, results
    assert sum(isinstance(r, TransitionError) for r in results) == 1, results
    assert Report.objects.count() == 1 and Attachment.objects.count() == 1
    assert len(stored_files(media_root)) == 1  # the loser's file was removed
