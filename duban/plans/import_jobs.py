"""Import jobs: a plan upload is read in the background, so a big PDF shows its progress rather than a
frozen page.

    job = enqueue(org, user, uploaded_file, keep_unknown)   # keeps the bytes, saves the row, starts after commit
    run(job.pk)                                              # claims and works it: the thread, or `duban run_imports`

The row is the source of truth; claiming, progress and the thread are duban.background's, as for export
jobs. The bytes wait in the default storage as pending/<token>.bin (MEDIA_ROOT on the local disk, or the
bucket: a worker on another machine reads them there) and are deleted when the job ends — except for a revision, whose file the confirm page (views.upload_confirm) reads again and
deletes once the coordinator has decided. What the job found is its outcome; the job page
(views.import_job) turns it into the pages the upload showed when it still parsed in the request.
A job that raises fails with a message in Chinese, and stores nothing.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from duban import background
from duban.ingest import IngestError
from duban.plans import importing
from duban.plans.importing import READ, RECOGNISE, RESOLVE, WRITE
from duban.plans.models import ImportJob

log = logging.getLogger(__name__)
CRASHED = "无法导入：导入过程意外中断（后台进程已退出），请重新上传。"
FAILED_MESSAGE = "导入失败"
# Where each step falls on the progress bar: percent at its start and at its end. Reading the text out
# of a long PDF is the slow part.
SPAN = {READ: (1, 5), RECOGNISE: (5, 60), RESOLVE: (60, 75), WRITE: (75, 99)}


def pending_name(token: str) -> str:
    """The upload's name in the default storage."""
    return f"pending/{token}.bin"


def read_pending(token: str) -> bytes:
    """The uploaded bytes; FileNotFoundError once they are deleted."""
    with default_storage.open(pending_name(token), "rb") as fh:
        return fh.read()


def delete_pending(token: str) -> None:
    default_storage.delete(pending_name(token))  # no error if it is gone already


def enqueue(org, user, upload, keep_unknown: bool = False) -> ImportJob:
    """Keep the uploaded file as a pending file, save the job, and start working it once committed."""
    token = secrets.token_hex(32)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    try:
        default_storage.save(pending_name(token), upload)  # from the start again; a fresh random token: a new name
        job = ImportJob.objects.create(org=org, created_by=user, file_name=upload.name[:200], sha256=digest.hexdigest(),
                                       token=token, keep_unknown=keep_unknown)
    except BaseException:
        delete_pending(token)
        raise
    transaction.on_commit(lambda: start(job.pk))
    return job


class _Progress:
    """The progress callback of prepare() and apply(): writes the job's percent and step when they change,
    never backwards."""

    def __init__(self, job_id: int):
        self.job_id, self.last = job_id, (0, "")

    def __call__(self, step: str, fraction: float) -> None:
        lo, hi = SPAN[step]
        now = (max(self.last[0], lo + round((hi - lo) * min(max(fraction, 0.0), 1.0))), step)
        if now != self.last:
            background.report(ImportJob, self.job_id, *now)
            self.last = now


def run(job_id: int) -> ImportJob | None:
    """Claim and work one job; returns it, or None if someone else had it."""
    if not background.claim(ImportJob, job_id, READ):
        return None
    ImportJob.objects.filter(pk=job_id).update(worker=background.worker_id())
    job = ImportJob.objects.select_related("org", "created_by").get(pk=job_id)
    progress = _Progress(job.pk)
    keep_file = False
    try:
        try:
            data = read_pending(job.token)
        except FileNotFoundError:
            raise importing.ImportProblem("上传的文件已不存在，请重新上传。") from None
        progress(READ, 1.0)
        prep = importing.prepare(job.org, data, job.file_name, progress=progress)
        if prep.status == "duplicate":
            _done(job, ImportJob.DUPLICATE, f"该方案已导入过（《{prep.existing.title}》），未作改动。", plan=prep.existing)
        elif prep.unknown and not job.keep_unknown:
            _done(job, ImportJob.UNKNOWN_UNITS, f"有 {len(prep.unknown)} 个单位不在单位名录中，未导入。",
                  unknown=[[name, nos] for name, nos in prep.unknown.items()])  # a list: the document's order
        elif prep.status == "revision":
            keep_file = True
            c = prep.diff.counts()
            _done(job, ImportJob.REVISION, f"是《{prep.existing.title}》的修订版：新增 {c['added']} 项、删除 {c['removed']} 项、"
                  f"修改 {c['changed']} 项，确认后才会更新。", plan=prep.existing)
        else:
            plan = importing.apply(prep, job.created_by, keep_unknown=job.keep_unknown, progress=progress)
            if prep.status == "duplicate":  # the same file was imported at the same moment
                _done(job, ImportJob.DUPLICATE, f"该方案已导入过（《{plan.title}》），未作改动。", plan=plan)
            else:
                n = plan.plan_warnings.filter(settled_at__isnull=True).count()
                _done(job, ImportJob.NEW, f"已导入《{plan.title}》：{plan.tasks.count()} 项任务" + (f"，有 {n} 条提示待处理。" if n else "。"), plan=plan)
    except (IngestError, importing.ImportProblem) as exc:
        fail(job, f"无法导入：{exc}")
    except Exception as exc:  # noqa: BLE001 - any crash becomes a failed job the coordinator can see
        log.exception("import job %s failed", job_id)
        fail(job, f"无法导入：处理文件时出错（{type(exc).__name__}）。请稍后重试，或联系管理员查看日志。")
    finally:
        if not keep_file:
            delete_pending(job.token)
    return job


def _done(job: ImportJob, outcome: str, message: str, plan=None, unknown=None) -> None:
    job.status, job.progress, job.outcome, job.message = ImportJob.DONE, 100, outcome, message[:500]
    job.plan, job.unknown, job.finished_at = plan, unknown or [], timezone.now()
    job.save(update_fields=["status", "progress", "outcome", "message", "plan", "unknown", "finished_at"])


def fail(job: ImportJob, error: str) -> None:
    job.status, job.message, job.error, job.finished_at = ImportJob.FAILED, FAILED_MESSAGE, error, timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(status=job.status, message=job.message, error=job.error, finished_at=job.finished_at)


def fail_if_gone(job: ImportJob, now=None) -> bool:
    """A running job whose worker process has ended (the server restarted, the process was killed) is
    failed at once, rather than showing its last step until the STALE_AFTER rule catches it."""
    if job.status != ImportJob.RUNNING or not background.worker_gone(job.worker):
        return False
    now = now or timezone.now()
    if ImportJob.objects.filter(pk=job.pk, status=ImportJob.RUNNING, worker=job.worker).update(
            status=ImportJob.FAILED, message=FAILED_MESSAGE, error=CRASHED, finished_at=now):
        delete_pending(job.token)
        job.refresh_from_db()
        return True
    return False


def fail_stale(now=None) -> int:
    """Jobs whose worker process has ended, or running for longer than STALE_AFTER (a worker on another
    host): failed, and their file deleted."""
    now = now or timezone.now()
    n = sum(fail_if_gone(job, now) for job in ImportJob.objects.filter(status=ImportJob.RUNNING))
    for job in background.stale(ImportJob, now):
        if ImportJob.objects.filter(pk=job.pk, status=ImportJob.RUNNING).update(
                status=ImportJob.FAILED, message=FAILED_MESSAGE, error=CRASHED, finished_at=now):
            delete_pending(job.token)
            n += 1
    return n


def purge(keep_days: int, now=None) -> int:
    """Delete finished jobs older than ``keep_days`` days, with a revision's file never confirmed."""
    now = now or timezone.now()
    old = ImportJob.objects.filter(status__in=[ImportJob.DONE, ImportJob.FAILED], created_at__lt=now - dt.timedelta(days=keep_days))
    n = 0
    for job in old:
        delete_pending(job.token)
        job.delete()
        n += 1
    return n


def run_pending(limit: int | None = None) -> list[ImportJob]:
    fail_stale()
    done = []
    for job_id in background.queued(ImportJob, limit):
        job = run(job_id)
        if job is not None:
            done.append(job)
    return done


def start(job_id: int) -> None:
    """Work the job in a background thread, so a plain `runserver` needs no timer."""
    background.start(run, job_id, name=f"import-{job_id}")
