"""`duban worker`: work queued plan imports and document exports, one after another, until stopped.

Run one or more (on one machine or several, against one PostgreSQL database): each job is claimed by a
conditional UPDATE (duban.background.claim), so no two workers work the same job. With DUBAN_WEB_RUNS_JOBS=0
the web server only queues jobs and never parses a plan or builds a document itself; the workers do. Uploaded
plans wait in the default storage until a worker reads them: workers on other machines need the same storage
(an S3-compatible bucket, DUBAN_S3_BUCKET, or MEDIA_ROOT shared). SIGTERM or SIGINT lets the job at hand
finish, then the worker stops.
"""
from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from duban.exports import jobs as export_jobs
from duban.plans import import_jobs

PURGE_EVERY = 3600  # seconds between deletions of old finished jobs


class Command(BaseCommand):
    help = "持续处理排队中的方案导入和文书导出任务（可在多台服务器上同时运行）"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="处理完当前排队的任务后退出")
        parser.add_argument("--sleep", type=float, default=2.0, help="没有任务时，隔几秒再查看（默认2秒）")
        parser.add_argument("--keep-days", type=int, default=30, help="已结束的任务保留天数（默认30天）")

    def handle(self, *args, once=False, sleep=2.0, keep_days=30, **options):
        self.stopping = False
        if not once:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, self.stop)
        worked = failed = 0
        purged_at = 0.0
        while not self.stopping:
            if time.monotonic() - purged_at > PURGE_EVERY:
                import_jobs.purge(keep_days)
                export_jobs.purge(keep_days)
                purged_at = time.monotonic()
            done = import_jobs.run_pending(limit=1) + export_jobs.run_pending(limit=1)
            worked += len(done)
            failed += sum(1 for j in done if j.status == j.FAILED)
            if not done:
                if once:
                    break
                time.sleep(sleep)
                close_old_connections()  # a long-running process: no connection kept past its lifetime or broken
        self.stdout.write(f"处理 {worked} 个任务，失败 {failed} 个。")

    def stop(self, signum, frame):
        self.stopping = True
