import signal
import threading

from django.core.management.base import BaseCommand
from django.db import connection

from duban.notify.outbox import DeliveryReport, deliver_due


class Command(BaseCommand):
    help = (
        "发送到期的通知（邮件、企业微信、钉钉、站内消息）。由定时器每分钟运行一次，或以 --loop 常驻；"
        "可同时运行多个，同一条通知只发送一次。失败的通知会按 1、2、4、8……分钟间隔重试。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="本次最多发送多少条（默认不限）")
        parser.add_argument("--max-seconds", type=float, default=50, help="每一轮最多运行多少秒（默认 50，不超过定时器的一分钟）")
        parser.add_argument("--loop", action="store_true", help="常驻运行：发完后等待 --interval 秒再查，直到被终止")
        parser.add_argument("--interval", type=float, default=5, help="--loop 时无通知可发的等待秒数（默认 5）")
        parser.add_argument("--workers", type=int, default=1, help="同时发送的线程数（默认 1）")

    def handle(self, *args, limit, max_seconds, loop, interval, workers, **options):
        stop = threading.Event()
        if loop:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stop.set())
        total, lock = DeliveryReport(), threading.Lock()

        def work():
            while not stop.is_set():
                report = deliver_due(limit=limit, seconds=max_seconds)
                with lock:
                    total.add(report)
                if not loop:
                    return
                if not (report.sent or report.retrying or report.failed):
                    stop.wait(interval)

        def thread():
            try:
                work()
            finally:
                connection.close()  # the thread's own connection

        if workers == 1:
            work()
        else:
            threads = [threading.Thread(target=thread) for _ in range(workers)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        if total.sent or total.retrying or total.failed or total.deferred or options["verbosity"] > 1:
            line = f"已发送 {total.sent} 条，稍后重试 {total.retrying} 条，放弃 {total.failed} 条"
            if total.deferred:
                line += f"，推迟 {total.deferred} 条（非工作时间或机器人限速）"
            self.stdout.write(line + "。")
