"""`duban import FILE`: import a plan document (the module is named import.py; Django's loader is fine with that)."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from duban.ingest import IngestError
from duban.plans import importing


class Command(BaseCommand):
    help = "导入分工方案文件：解析、按单位名录识别单位，并在一个事务中保存。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="分工方案文件（.txt/.docx/.pdf/.xlsx/.html）")
        parser.add_argument("--org", help="导入到哪个机构（简称或名称，如 西山区）；只有一个机构时可省略")
        parser.add_argument("--keep-unknown", action="store_true", help="名录中没有的单位不阻止导入，记为待处理提示")
        parser.add_argument("--if-new", action="store_true", help="该方案已导入（或已有同一方案的其他版本）时什么也不做，正常退出")
        parser.add_argument("--yes", action="store_true", help="导入修订版时，确认按所列差异更新已有方案")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}：{exc.strerror}") from None
        try:
            org = importing.find_org(opts["org"])
            prep = importing.prepare(org, data, path.name)
        except (IngestError, importing.ImportProblem) as exc:
            raise CommandError(str(exc)) from None

        if prep.status == "duplicate":
            msg = f"该方案已导入过（《{prep.existing.title}》，编号 {prep.existing.pk}），未作改动。"
            if opts["if_new"]:
                self.stdout.write(msg)
                return
            raise CommandError(msg)
        if prep.unknown and not opts["keep_unknown"]:
            raise CommandError(f"{importing.UnknownUnits(prep.unknown)}\n未作改动。（命令行可加 --keep-unknown。）")
        if prep.status == "revision":
            counts = prep.diff.counts()
            self.stdout.write(
                f"这是已导入方案《{prep.existing.title}》的修订版：新增 {counts['added']} 项、删除 {counts['removed']} 项、修改 {counts['changed']} 项。"
            )
            self.stdout.write(prep.diff.as_text())
            if opts["if_new"]:
                self.stdout.write("使用了 --if-new：未作改动。")
                return
            if not opts["yes"]:
                raise CommandError("未作改动。确认按上述差异更新，请加 --yes 重新运行。")
        plan = importing.apply(prep, user=None, keep_unknown=opts["keep_unknown"])
        verb = "已更新" if prep.status == "revision" else "已导入"
        open_warnings = plan.plan_warnings.filter(settled_at__isnull=True).count()
        self.stdout.write(
            f"{verb}《{plan.title}》{('（' + plan.doc_number + '）') if plan.doc_number else ''}："
            f"{plan.tasks.count()} 项任务，{sum(len(t.assignments) for t in prep.tasks)} 条分工，待处理提示 {open_warnings} 条。"
        )
