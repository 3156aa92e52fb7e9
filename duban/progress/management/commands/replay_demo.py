"""`duban replay_demo --until 2021-09-30`: a year of reports, returns and acceptances on the demo plan, played
through the real lifecycle up to that date and marked 演示数据 (duban.progress.replay). Safe to run again."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from duban.plans.models import Plan
from duban.progress.replay import ReplayRefused, replay
from duban.workcal.clock import parse_demo_date


class Command(BaseCommand):
    help = (
        "演示或培训用：在演示方案上，按真实的办理流程（开始办理、报送、退回、通过）回放截至某一天的一年进展，"
        "报送均标记为“演示数据”。同一 --seed 每次结果相同；可重复运行，不会重复生成。只能在 DEBUG 或 DUBAN_DEMO=1 时运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--until", help="回放到哪一天（YYYY-MM-DD），默认今天（设置了 DUBAN_TODAY 时为演示日期）")
        parser.add_argument("--plan", type=int, help="方案编号；默认最早导入的方案")
        parser.add_argument("--seed", type=int, default=2021, help="随机种子，默认 2021")
        parser.add_argument("--task", type=int, action="append", help="只回放这一项任务（序号，可重复）")

    def handle(self, *args, **opts):
        from duban.workcal import clock

        try:
            until = parse_demo_date(opts["until"] or "") or clock.today()
        except ValueError as exc:
            raise CommandError(str(exc).replace("DUBAN_TODAY", "--until")) from None
        plans = Plan.objects.order_by("pk")
        plan = plans.filter(pk=opts["plan"]).first() if opts["plan"] else plans.first()
        if plan is None:
            raise CommandError("没有这个方案。" if opts["plan"] else "还没有方案。请先运行 duban import duban/data/xishan_2021_plan.txt。")
        try:
            result = replay(plan, until, seed=opts["seed"], tasks=opts["task"])
        except ReplayRefused as exc:
            raise CommandError(str(exc)) from None
        for problem in result.problems:
            self.stderr.write(problem)
        self.stdout.write(f"《{plan.title}》" + result.summary())
