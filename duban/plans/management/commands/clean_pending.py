"""`duban clean_pending`: delete revised plans that were uploaded but never confirmed.

An upload waits in the default storage as pending/<token>.bin (under MEDIA_ROOT, or in the bucket):
while its import job runs, and for a revision until the coordinator confirms or cancels it. A
coordinator who just closes the page leaves the file behind; this removes those older than --hours, except the files of
import jobs still queued or running. A confirmation page opened after that says the file
has expired and asks for the upload again.
"""
import datetime

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from duban.plans.models import ImportJob

FOLDER = "pending"


def _modified(stored: str) -> datetime.datetime | None:
    """When ``stored`` was uploaded, or None if it is gone since the folder was listed. The local disk says so
    with FileNotFoundError; django-storages' S3Storage lets the bucket's 404 through as botocore's ClientError."""
    from botocore.exceptions import ClientError

    try:
        return default_storage.get_modified_time(stored)
    except FileNotFoundError:
        return None
    except ClientError as exc:
        if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
            return None
        raise


class Command(BaseCommand):
    help = "删除上传后超过指定小时数仍未确认的修订版方案文件（pending/，在 MEDIA_ROOT 或对象存储中）。可由定时器每天运行；没有可删除的文件时不输出。"

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=float, default=24, help="删除多少小时以前上传的文件（默认 24）")

    def handle(self, *args, hours, **options):
        if hours <= 0:
            raise CommandError("--hours 应大于 0。")
        cutoff = timezone.now() - datetime.timedelta(hours=hours)
        removed = 0
        in_work = {f"{t}.bin" for t in ImportJob.objects.filter(status__in=[ImportJob.QUEUED, ImportJob.RUNNING]).values_list("token", flat=True)}
        try:
            names = default_storage.listdir(FOLDER)[1]
        except FileNotFoundError:  # nothing uploaded yet
            names = []
        for name in sorted(names):
            if not name.endswith(".bin") or name in in_work:
                continue
            stored = f"{FOLDER}/{name}"
            uploaded = _modified(stored)
            if uploaded is None or uploaded >= cutoff:  # None: confirmed, cancelled or taken by its job meanwhile
                continue
            default_storage.delete(stored)  # no error if it went since (the disk and S3 alike)
            removed += 1
            self.stdout.write(f"已删除 {stored}（上传于 {timezone.localtime(uploaded):%Y-%m-%d %H:%M}）")
        if removed or options["verbosity"] > 1:
            self.stdout.write(f"共删除 {removed} 个超过 {hours:g} 小时未确认的文件。")
