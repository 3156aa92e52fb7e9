from django.core.management.base import BaseCommand

from duban.notify.outbox import deliver_due


class Command(BaseCommand):
    help = "发送到期的通知（邮件、企业微信、钉钉、站内消息）。由定时器每分钟运行一次；失败的通知会按 1、2、4、8……分钟间隔重试。"

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=100, help="本次最多发送多少条（默认 100）")

    def handle(self, *args, limit, **options):
        report = deliver_due(limit=limit)
        if report.sent or report.retrying or report.failed or options["verbosity"] > 1:
            self.stdout.write(f"已发送 {report.sent} 条，稍后重试 {report.retrying} 条，放弃 {report.failed} 条。")
