"""Generate queued documents. Run it from a timer (e.g. every minute); the web pages also start a
background thread for each new job, so this is the safety net for a restarted server."""
from django.core.management.base import BaseCommand

from duban.exports import jobs


class Command(BaseCommand):
    help = "生成排队中的文书导出任务，并把中断的任务标记为失败"

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="最多处理几个任务")

    def handle(self, *args, limit=None, **options):
        stale = jobs.fail_stale()
        done = jobs.run_pending(limit)
        failed = sum(1 for j in done if j.status == j.FAILED)
        self.stdout.write(f"处理 {len(done)} 个任务，失败 {failed} 个，标记中断 {stale} 个。")
