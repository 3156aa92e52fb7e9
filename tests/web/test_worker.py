"""`duban worker` works queued imports and exports; with DUBAN_WEB_RUNS_JOBS off the web server only queues
them (it never parses a plan itself), and a second worker finds nothing left to do."""
from __future__ import annotations

import io
from types import SimpleNamespace

from django.core.management import call_command

from duban import background
from duban.plans.models import ImportJob, Plan

from .conftest import seed_bytes
from .test_import_jobs import client_c, post  # noqa: F401 - client_c is a fixture


def test_the_web_only_queues_and_the_worker_imports(client_c, org, settings, django_capture_on_commit_callbacks, monkeypatch):
    settings.DUBAN_WEB_RUNS_JOBS = False
    parsed = []
    from duban.ingest import worker as parse_worker

    real = parse_worker.parse
    monkeypatch.setattr(parse_worker, "parse", lambda *a, **kw: parsed.append(1) or real(*a, **kw))
    with django_capture_on_commit_callbacks(execute=True):
        r = post(client_c, seed_bytes(), "plan.txt")
    job = ImportJob.objects.get()
    assert r.status_code == 302 and job.status == ImportJob.QUEUED and parsed == [] and not Plan.objects.exists()

    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    job.refresh_from_db()
    assert job.status == ImportJob.DONE and parsed == [1] and Plan.objects.get().tasks.count() == 74
    assert "处理 1 个任务，失败 0 个" in out.getvalue()

    out = io.StringIO()
    call_command("worker", "--once", stdout=out)  # another worker: the job is taken, nothing is done twice
    assert "处理 0 个任务" in out.getvalue() and Plan.objects.count() == 1 and parsed == [1]


def test_by_default_the_web_server_starts_the_job_itself(monkeypatch, settings):
    started = []
    monkeypatch.setattr(background.threading, "Thread", lambda target, name, daemon: SimpleNamespace(start=lambda: started.append(name)))
    background.start(print, 1, "import-1")
    assert started == ["import-1"]
    settings.DUBAN_WEB_RUNS_JOBS = False
    background.start(print, 2, "import-2")
    assert started == ["import-1"]
