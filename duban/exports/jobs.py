"""Working export jobs. The job row is the source of truth.

A job is claimed by a conditional UPDATE (queued → running), so the view's background thread and
`duban run_exports` never both work the same job. Progress goes to the row as the builder reports
it; the file goes to the default storage, under exports/. A builder that raises marks its job failed with a
message in Chinese; a job left "running" longer than STALE_AFTER (its process died) is marked
failed by the next `run_exports`. The mechanics are shared with import jobs (duban.background).
"""
from __future__ import annotations

import datetime as dt
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from duban import background
from duban.exports.build import BUILDERS
from duban.exports.models import ExportJob
from duban.workcal.calendar import UnknownCalendarYear

log = logging.getLogger(__name__)
STALE_AFTER = background.STALE_AFTER
CRASHED = "生成过程意外中断（后台进程已退出），请重新生成。"


def claim(job_id: int) -> bool:
    return background.claim(ExportJob, job_id, "开始生成")


def report(job_id: int, percent: int, message: str) -> None:
    background.report(ExportJob, job_id, percent, message)


def run(job_id: int) -> ExportJob | None:
    """Claim and work one job; returns it, or None if someone else had it."""
    if not claim(job_id):
        return None
    job = ExportJob.objects.select_related("plan", "plan__org").get(pk=job_id)
    try:
        builder = BUILDERS[job.kind]
        name, blob = builder(job.plan, job.params, lambda p, m: report(job.pk, p, m))
        job.result.save(name, ContentFile(blob), save=False)
        job.result_name = name
        job.status, job.progress, job.message, job.finished_at = ExportJob.DONE, 100, f"已生成（{len(blob) // 1024 + 1} KB）", timezone.now()
        job.save(update_fields=["result", "result_name", "status", "progress", "message", "finished_at"])
    except UnknownCalendarYear as exc:
        fail(job, str(exc))
    except Exception as exc:  # noqa: BLE001 - any crash becomes a failed job the user can see
        log.exception("export job %s failed", job_id)
        fail(job, f"生成失败：{type(exc).__name__}。请稍后重试，或联系管理员查看日志。")
    return job


def fail(job: ExportJob, message: str) -> None:
    job.status, job.message, job.finished_at = ExportJob.FAILED, message[:500], timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(status=job.status, message=job.message, finished_at=job.finished_at)


def fail_stale(now=None) -> int:
    """Jobs running for longer than STALE_AFTER: their worker is gone."""
    now = now or timezone.now()
    return background.stale(ExportJob, now).update(status=ExportJob.FAILED, message=CRASHED, finished_at=now)


def purge(keep_days: int, now=None) -> int:
    """Delete finished jobs older than ``keep_days`` days, with their files."""
    now = now or timezone.now()
    old = ExportJob.objects.filter(status__in=[ExportJob.DONE, ExportJob.FAILED], created_at__lt=now - dt.timedelta(days=keep_days))
    n = 0
    for job in old:
        if job.result:
            job.result.delete(save=False)
        job.delete()
        n += 1
    return n


def run_pending(limit: int | None = None) -> list[ExportJob]:
    fail_stale()
    done = []
    for job_id in background.queued(ExportJob, limit):
        job = run(job_id)
        if job is not None:
            done.append(job)
    return done


def start(job_id: int) -> None:
    """Work the job in a background thread, so a plain `runserver` needs no timer."""
    background.start(run, job_id, name=f"export-{job_id}")


def enqueue(job: ExportJob) -> ExportJob:
    """Save a new job and start working it once the transaction has committed."""
    job.save()
    transaction.on_commit(lambda: start(job.pk))
    return job
