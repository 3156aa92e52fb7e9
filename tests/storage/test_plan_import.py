"""A plan uploaded to the web server waits in the bucket; `duban worker` (on any machine) reads it from there,
the plan keeps its source file in the bucket, and the waiting copy is deleted. A revision's copy stays in the
bucket for the confirm page, which reads it and deletes it once the coordinator has decided."""
from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from duban.plans import import_jobs
from duban.plans.models import ImportJob, Plan
from tests.web.conftest import seed_bytes
from tests.web.test_import import revised_seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_c(client, coordinator):
    client.force_login(coordinator)
    return client


def upload(client, data: bytes, name: str):
    """The web server only queues the job (DUBAN_WEB_RUNS_JOBS=0): the file is all a worker gets."""
    r = client.post("/plans/upload/", {"file": SimpleUploadedFile(name, data)})
    job = ImportJob.objects.latest("id")
    assert r.status_code == 302 and job.status == ImportJob.QUEUED
    return job


def work():
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    return out.getvalue()


def test_the_worker_reads_the_upload_from_the_bucket(client_c, settings, bucket, local_files, django_capture_on_commit_callbacks):
    settings.DUBAN_WEB_RUNS_JOBS = False
    with django_capture_on_commit_callbacks(execute=True):
        job = upload(client_c, seed_bytes(), "西山区2021.txt")
    assert bucket.keys("pending/") == [f"pending/{job.token}.bin"]
    assert bucket.read(f"pending/{job.token}.bin") == seed_bytes()

    assert "处理 1 个任务，失败 0 个" in work()
    job.refresh_from_db()
    plan = Plan.objects.get()
    assert (job.status, job.outcome, job.plan) == ("done", "new", plan) and plan.tasks.count() == 74
    assert bucket.keys("pending/") == []  # read, then deleted
    assert bucket.keys("plans/") == [plan.source_file.name] and bucket.read(plan.source_file.name) == seed_bytes()
    assert local_files() == []

    r = client_c.get(f"/plans/{plan.pk}/source/")
    assert r.status_code == 200 and b"".join(r.streaming_content) == seed_bytes()


def test_an_upload_gone_from_the_bucket_fails_the_job(client_c, settings, bucket):
    settings.DUBAN_WEB_RUNS_JOBS = False
    job = upload(client_c, seed_bytes(), "plan.txt")
    bucket.delete(f"pending/{job.token}.bin")
    assert "失败 1 个" in work()
    job.refresh_from_db()
    assert job.status == "failed" and "上传的文件已不存在" in job.error and not Plan.objects.exists()


def test_a_revision_waits_in_the_bucket_for_the_confirm_page(client_c, seed_plan, settings, bucket):
    settings.DUBAN_WEB_RUNS_JOBS = False
    job = upload(client_c, revised_seed("年内至少组织开展1次", "年内至少组织开展2次"), "revised.txt")
    work()
    job.refresh_from_db()
    assert job.outcome == "revision" and bucket.keys("pending/") == [import_jobs.pending_name(job.token)]
    r = client_c.get(f"/plans/imports/{job.pk}/")
    assert r.status_code == 302 and r["Location"] == f"/plans/upload/{job.token}/"
    page = client_c.get(r["Location"]).content.decode()  # read from the bucket
    assert "确认按修订版更新" in page and "修改 1 项" in page
    r = client_c.post(r["Location"], {"action": "apply"})
    assert r.status_code == 302 and r["Location"] == f"/plans/{seed_plan.pk}/"
    assert "2次政务公开业务培训" in seed_plan.tasks.get(no=68).requirement
    assert bucket.keys("pending/") == []
