"""`duban remind`: today's reminders and escalations. A system timer runs it every few minutes.

Safe to run twice at once and as often as you like: each reminder is recorded once in the ledger
(duban.reminders.models.Reminder) and only the run that records it sends it. See
duban.reminders.sweep for what is sent to whom, and duban.reminders.schedule for when.
"""
import datetime

from django.core.management.base import BaseCommand, CommandError

from duban.reminders.sweep import sweep
from duban.workcal import clock


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD，收到“{value}”") from None


class Command(BaseCommand):
    help = (
        "按各方案的提醒规则，向到期前若干工作日、到期当日和逾期未报送的任务分工发送提醒和督办通知，"
        "然后发送通知。由定时器每隔几分钟运行一次；同一提醒只会发送一次，可同时运行多个。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="按哪一天计算（YYYY-MM-DD），用于测试或补发；默认今天")
        parser.add_argument("--no-deliver", action="store_true", help="只生成通知，不发送（由 send_notifications 发送）")

    def handle(self, *args, **options):
        today = options["today"]
        if isinstance(today, str):
            today = iso_date(today)
        today = today or clock.today()
        report = sweep(today, deliver=not options["no_deliver"])
        for problem in report.problems:
            self.stderr.write(problem)
        if report.reminders or report.rolled or options["verbosity"] > 1:
            self.stdout.write(
                f"{today:%Y-%m-%d}：检查 {report.assignments} 项未办结的任务分工（{report.due_dates} 个完成日期），"
                f"新提醒 {report.reminders} 项，生成通知 {report.notifications} 条"
                + (f"，{report.rolled} 项进入新的报送周期" if report.rolled else "")
                + "。"
            )
        d = report.delivery
        if d and (d.sent or d.retrying or d.failed or options["verbosity"] > 1):
            self.stdout.write(f"已发送 {d.sent} 条，稍后重试 {d.retrying} 条，放弃 {d.failed} 条。")
