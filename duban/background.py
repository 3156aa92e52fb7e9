"""What export jobs and import jobs share: claiming a job row, reporting progress to it, failing jobs
whose worker died, and working one job in a background thread.

A job is a row with ``status`` (queued → running → done | failed), ``progress`` (0–100), ``message``,
``created_at``, ``started_at`` and ``finished_at``; the row is the source of truth. The page that creates
a job starts a thread once the transaction has committed, and a management command run by a timer works
whatever is still queued, so a restarted server loses nothing. A job is claimed by a conditional UPDATE
(queued → running), so two workers never work the same job.
"""
from __future__ import annotations

import datetime as dt
import os
import socket
import threading
from typing import Callable

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STALE_AFTER = dt.timedelta(minutes=15)


def claim(model, job_id: int, message: str) -> bool:
    """queued → running; False if another worker has it already."""
    return model.objects.filter(pk=job_id, status=QUEUED).update(
        status=RUNNING, started_at=timezone.now(), progress=1, message=message) == 1


def report(model, job_id: int, percent: int, message: str) -> None:
    """Progress of a running job; 100 is left for the moment it is done."""
    model.objects.filter(pk=job_id, status=RUNNING).update(progress=max(1, min(99, percent)), message=message[:500])


def stale(model, now=None):
    """Jobs running for longer than STALE_AFTER: their worker is gone."""
    now = now or timezone.now()
    return model.objects.filter(status=RUNNING, started_at__lt=now - STALE_AFTER)


def _started(pid: int) -> str | None:
    """When process pid started (clock ticks since boot, from /proc), or None when there is no such process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[19].decode()
    except (OSError, IndexError):
        return None


def worker_id() -> str:
    """This process, as "host:pid:start": the start time tells a reused pid from the worker."""
    return f"{socket.gethostname()}:{os.getpid()}:{_started(os.getpid()) or ''}"


def worker_gone(worker: str) -> bool:
    """True when the worker ran on this host and its process has ended (a restart, a crash, a kill);
    False when it still runs, or ran on another host (then only the STALE_AFTER rule can tell)."""
    host, _, rest = (worker or "").partition(":")
    pid, _, start = rest.partition(":")
    if host != socket.gethostname() or not pid.isdigit() or not os.path.isdir("/proc"):
        return False
    return _started(int(pid)) != (start or _started(int(pid)))


def queued(model, limit: int | None = None) -> list[int]:
    """Ids of queued jobs, oldest first."""
    return list(model.objects.filter(status=QUEUED).order_by("created_at", "id").values_list("pk", flat=True)[:limit])


def start(work: Callable[[int], object], job_id: int, name: str) -> None:
    """Work the job in a daemon thread, so a plain `runserver` needs no timer. The thread's database
    connection is closed when it ends. With DUBAN_WEB_RUNS_JOBS off, nothing: the job waits for `duban worker`."""
    if not settings.DUBAN_WEB_RUNS_JOBS:
        return

    def main() -> None:
        try:
            work(job_id)
        finally:
            close_old_connections()
            connection.close()

    threading.Thread(target=main, name=name, daemon=True).start()
