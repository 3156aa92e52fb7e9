"""`duban clean_pending`: delete revised plans that were uploaded but never confirmed.

An upload waits in MEDIA_ROOT/pending/<token>.bin: while its import job runs, and for a
revision until the coordinator confirms or cancels it. A coordinator who just closes the
page leaves the file behind; this removes those older than --hours, except the files of
import jobs still queued or running. A confirmation page opened after that says the file
has expired and asks for the upload again.
"""
import datetime
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from duban.plans.models import ImportJob


class Command(BaseCommand):
    help = "删除上传后超过指定小时数仍未确认的修订版方案文件（MEDIA_ROOT/pending/）。可由定时器每天运行；没有可删除的文件时不输出。"

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=float, default=24, help="删除多少小时以前上传的文件（默认 24）")

    def handle(self, *args, hours, **options):
        if hours <= 0:
            raise CommandError("--hours 应大于 0。")
        folder = Path(settings.MEDIA_ROOT) / "pending"
        cutoff = time.time() - hours * 3600
        removed = 0
        in_work = {f"{t}.bin" for t in ImportJob.objects.filter(status__in=[ImportJob.QUEUED, ImportJob.RUNNING]).values_list("token", flat=True)}
        for path in sorted(folder.glob("*.bin")):
            if path.name in in_work:
                continue
            try:
                mtime = path.stat().st_mtime
                if mtime >= cutoff or not path.is_file():
                    continue
                path.unlink()
            except FileNotFoundError:  # confirmed or cancelled meanwhile
                continue
            removed += 1
            uploaded = timezone.localtime(datetime.datetime.fromtimestamp(mtime, datetime.UTC)).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(f"已删除 {path}（上传于 {uploaded}）")
        if removed or options["verbosity"] > 1:
            self.stdout.write(f"共删除 {removed} 个超过 {hours:g} 小时未确认的文件。")
