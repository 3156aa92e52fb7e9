"""Finish queued plan imports. Run it from a timer (e.g. every minute); the upload page also starts a
background thread for each new job, so this is the safety net for a restarted server."""
from django.core.management.base import BaseCommand

from duban.plans import import_jobs


class Command(BaseCommand):
    help = "完成排队中的方案导入任务，并把中断的任务标记为失败"

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="最多处理几个任务")
        parser.add_argument("--keep-days", type=int, default=30, help="已结束的任务保留天数（默认30天）")

    def handle(self, *args, limit=None, keep_days=30, **options):
        stale = import_jobs.fail_stale()
        done = import_jobs.run_pending(limit)
        failed = sum(1 for j in done if j.status == j.FAILED)
        purged = import_jobs.purge(keep_days)
        self.stdout.write(f"处理 {len(done)} 个任务，失败 {failed} 个，标记中断 {stale} 个，清理过期 {purged} 个。")
