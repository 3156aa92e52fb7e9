from django.core.management.base import BaseCommand, CommandError

from duban.directory.exchange import write_xlsx
from duban.directory.models import Organisation


class Command(BaseCommand):
    help = "把单位名录导出为 Excel 文件（可编辑后用 load_directory --xlsx 读回）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="输出的 .xlsx 文件")
        parser.add_argument("--org", help="只导出该机构（简称或名称）")

    def handle(self, *args, **opts):
        orgs = Organisation.objects.all()
        if opts["org"]:
            orgs = orgs.filter(short_name=opts["org"]) | orgs.filter(name=opts["org"])
            if not orgs:
                raise CommandError(f"没有机构“{opts['org']}”。")
        write_xlsx(orgs, opts["file"])
        self.stdout.write(f"已导出到 {opts['file']}")
