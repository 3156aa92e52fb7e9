"""The commands that delete files delete the objects in the bucket: `duban purge_archived` (evidence of
archived work), `duban clean_pending` (revised plans never confirmed), and `duban run_imports` clearing old
jobs; what is still in use stays."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from duban.plans import archiving
from duban.plans.import_jobs import pending_name
from duban.plans.models import ImportJob
from duban.progress import lifecycle
from duban.progress.lifecycle import ReportDraft
from tests.progress.samples import PDF, upload
from tests.web.conftest import make_user

pytestmark = pytest.mark.django_db


def report_with_file(a, user):
    return lifecycle.submit(a, user, ReportDraft(text="已公开。", files=[upload("说明.pdf", PDF)])).attachments.get()


def test_purge_archived_deletes_the_evidence_objects(seed_plan, org, unit, liaison, coordinator, bucket, django_capture_on_commit_callbacks):
    finance = unit("区财政局")
    archived = seed_plan.tasks.get(no=8).assignments.get(unit=finance)
    kept = seed_plan.tasks.get(no=4).assignments.get(unit=finance)
    gone, stays = report_with_file(archived, liaison), report_with_file(kept, liaison)
    archiving.archive_assignment(archived, coordinator, "改由区政府办公室牵头")
    assert bucket.keys("evidence/") == sorted([gone.file.name, stays.file.name])
    tomorrow = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_archived", "--before", tomorrow, stdout=io.StringIO())
    assert bucket.keys("evidence/") == [stays.file.name]


def pending(token_char: str) -> str:
    name = pending_name(token_char * 64)
    default_storage.save(name, ContentFile(b"plan"))
    return name


def clean(monkeypatch, hours_later: float) -> str:
    """`duban clean_pending` run with the clock moved on: S3 keeps its own upload times."""
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + dt.timedelta(hours=hours_later))
    out = io.StringIO()
    call_command("clean_pending", stdout=out)
    monkeypatch.setattr(timezone, "now", real_now)
    return out.getvalue()


def test_clean_pending_deletes_old_uploads_in_the_bucket(org, bucket, monkeypatch):
    user = make_user(org, "c", "coordinator")
    unconfirmed, queued = pending("a"), pending("b")
    ImportJob.objects.create(org=org, created_by=user, file_name="x.txt", sha256="0" * 64, token="b" * 64, status=ImportJob.QUEUED)
    bucket.client.put_object(Bucket=bucket.name, Key="duban/pending/README.txt", Body=b"x")  # not an upload: never touched
    assert clean(monkeypatch, 23) == ""
    assert bucket.keys("pending/") == sorted(["pending/README.txt", unconfirmed, queued])
    out = clean(monkeypatch, 25)
    assert f"已删除 {unconfirmed}（上传于 " in out and "共删除 1 个超过 24 小时未确认的文件。" in out
    assert bucket.keys("pending/") == sorted(["pending/README.txt", queued])


def test_run_imports_deletes_an_old_unconfirmed_revision_with_its_job(org, bucket):
    user = make_user(org, "c", "coordinator")
    old, recent = pending("a"), pending("b")
    for token, days in (("a", 31), ("b", 1)):
        job = ImportJob.objects.create(org=org, created_by=user, file_name="r.txt", sha256="0" * 64, token=token * 64,
                                       status=ImportJob.DONE, outcome=ImportJob.REVISION)
        ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(days=days))
    out = io.StringIO()
    call_command("run_imports", "--keep-days", "30", stdout=out)
    assert "清理过期 1 个" in out.getvalue()
    assert bucket.keys("pending/") == [recent] and old not in bucket.keys()


def test_clean_pending_passes_over_an_upload_a_worker_consumed_while_it_ran(org, bucket, monkeypatch):
    """The listing names an upload that the import worker (or a confirmation) then takes away before the command
    reads its time: S3 answers 404 for it, which is no error here — the others are still cleaned."""
    from storages.backends.s3 import S3Storage

    consumed, stale = pending("a"), pending("b")
    listdir = S3Storage.listdir

    def listdir_then_consumed(self, path):
        listed = listdir(self, path)
        bucket.delete(consumed)
        return listed

    monkeypatch.setattr(S3Storage, "listdir", listdir_then_consumed)  # the class: default_storage is a lazy object
    out = clean(monkeypatch, 25)
    assert f"已删除 {stale}（上传于 " in out and consumed not in out and "共删除 1 个" in out
    assert bucket.keys("pending/") == []
