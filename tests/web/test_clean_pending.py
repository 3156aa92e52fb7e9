"""`duban clean_pending`: revised plans uploaded but never confirmed are deleted after --hours."""
import io
import os
import time

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from duban.plans.import_jobs import pending_name
from duban.plans.models import ImportJob

from .conftest import make_user

HOUR = 3600
pytestmark = pytest.mark.django_db


def clean(*args):
    out = io.StringIO()
    call_command("clean_pending", *args, stdout=out)
    return out.getvalue()


def pending(token_char: str, hours_old: float):
    """A pending upload where the upload view puts it, last written hours_old ago."""
    path = Path(settings.MEDIA_ROOT) / pending_name(token_char * 64)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"plan")
    then = time.time() - hours_old * HOUR
    os.utime(path, (then, then))
    return path


def test_files_older_than_a_day_are_deleted_and_listed():
    old, older, fresh = pending("a", 25), pending("b", 24 * 7), pending("c", 23)
    other = old.parent / "README.txt"  # not an upload: never touched
    other.write_text("x")
    os.utime(other, (0, 0))

    out = clean()

    assert not old.exists() and not older.exists()
    assert fresh.exists() and other.exists()
    assert f"已删除 pending/{old.name}（上传于 " in out and f"已删除 pending/{older.name}（上传于 " in out and fresh.name not in out
    assert "共删除 2 个超过 24 小时未确认的文件。" in out


def test_hours_option():
    two_hours, half_hour = pending("a", 2), pending("b", 0.5)
    assert "共删除 1 个超过 1 小时未确认的文件。" in clean("--hours", "1")
    assert not two_hours.exists() and half_hour.exists()


def test_quiet_when_nothing_is_removed():
    assert clean() == ""  # no pending folder yet
    pending("a", 1)
    assert clean() == ""
    assert "共删除 0 个" in clean("--verbosity", "2")


def test_hours_must_be_positive():
    path = pending("a", 1)
    with pytest.raises(CommandError, match="--hours 应大于 0"):
        clean("--hours", "0")
    assert path.exists()


def test_the_file_of_an_import_still_queued_or_running_is_kept(org):
    user = make_user(org, "c", "coordinator")
    queued, running, done = pending("a", 48), pending("b", 48), pending("c", 48)
    for path, status in ((queued, ImportJob.QUEUED), (running, ImportJob.RUNNING), (done, ImportJob.DONE)):
        ImportJob.objects.create(org=org, created_by=user, file_name="x.txt", sha256="0" * 64, token=path.stem, status=status)
    assert "共删除 1 个" in clean()
    assert queued.exists() and running.exists() and not done.exists()
