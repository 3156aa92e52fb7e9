from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from duban.directory.exchange import DirectoryError, load_data, load_json, read_xlsx

DEFAULT = Path(__file__).resolve().parents[3] / "data" / "xishan_directory.json"


class Command(BaseCommand):
    help = "读入单位名录（默认：西山区的默认名录）。可重复运行：已有的单位按名称更新，不会重复创建。"

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(DEFAULT), help="名录 JSON 文件")
        parser.add_argument("--xlsx", metavar="FILE", help="从导出的 Excel 文件读入")

    def handle(self, *args, **opts):
        try:
            stats = load_data(read_xlsx(opts["xlsx"])) if opts["xlsx"] else load_json(opts["file"])
        except DirectoryError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"单位名录已读入：{stats}")
