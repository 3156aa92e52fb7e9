"""A generated document is stored in the bucket, downloaded from there through the access-checked view, and
deleted from the bucket with its job when `duban run_exports` clears old jobs."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from duban.exports.models import ExportJob
from tests.exports.reading import workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def done(seed_plan, as_user, coordinator):
    r = as_user(coordinator).post(f"/plans/{seed_plan.pk}/documents/new/", {"kind": "division", "fmt": "xlsx"})
    assert r.status_code == 302
    call_command("run_exports", stdout=io.StringIO())
    job = ExportJob.objects.get()
    assert job.status == "done"
    return job


def test_the_document_is_stored_in_the_bucket_and_served_from_it(done, seed_plan, bucket, local_files, as_user, coordinator):
    assert done.result.name == f"exports/{done.created_at:%Y/%m}/{done.pk}/{done.result_name}"
    assert bucket.keys("exports/") == [done.result.name] and local_files() == []
    stored = bucket.read(done.result.name)
    assert workbook(stored)["分工方案"]["A1"].value == seed_plan.title
    r = as_user(coordinator).get(f"/exports/{done.pk}/download/")
    assert r.status_code == 200 and b"".join(r.streaming_content) == stored and r["Content-Length"] == str(len(stored))


def test_someone_without_access_gets_nothing(done, as_user, liaison):
    assert as_user(liaison).get(f"/exports/{done.pk}/download/").status_code == 404  # the whole-plan table is the office's


def test_a_document_gone_from_the_bucket_is_a_404(done, bucket, as_user, coordinator):
    bucket.delete(done.result.name)
    r = as_user(coordinator).get(f"/exports/{done.pk}/download/")
    assert r.status_code == 404


def test_old_jobs_are_deleted_with_their_object(done, seed_plan, bucket, as_user, coordinator):
    as_user(coordinator).post(f"/plans/{seed_plan.pk}/documents/new/", {"kind": "division", "fmt": "xlsx"})
    call_command("run_exports", stdout=io.StringIO())
    recent = ExportJob.objects.exclude(pk=done.pk).get()
    ExportJob.objects.filter(pk=done.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    out = io.StringIO()
    call_command("run_exports", "--keep-days", "30", stdout=out)
    assert "清理过期 1 个" in out.getvalue()
    assert list(ExportJob.objects.all()) == [recent] and bucket.keys("exports/") == [recent.result.name]
