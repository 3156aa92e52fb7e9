from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from duban.workcal import holidayfile
from duban.workcal.holidayfile import HOLIDAY, WORKDAY, HolidayFileError
from duban.workcal.models import CalendarYear, DayOverride

HELP = """录入（或更正）某一年的法定节假日和调休安排。

同一文件可重复导入：该年原有的放假/调休日期会被文件内容整体替换，
全部校验通过才写入，出错时数据库不做任何改动。

JSON 格式（示例见 duban/data/holidays_example.json）：
  {"year": 2026, "complete": true, "source": "国务院办公厅通知网址",
   "holidays": [["2026-01-01", "2026-01-03", "元旦"], ...],
   "workdays": ["2026-01-04", ["2026-02-14", "春节调休上班"], ...]}
  holidays 每项为 [开始, 结束, 名称] 或 [日期, 名称]；workdays 为调休上班的周末日期。
  complete 默认为 true，表示该年安排已全部录入，可以按工作日计算。

CSV 格式（UTF-8，需用 --year 指明年份）：
  kind,start,end,name
  holiday,2026-01-01,2026-01-03,元旦
  workday,2026-01-04,,元旦调休上班
  kind 为 holiday/放假 或 workday/上班；end 留空表示单日。

日期可以是该年内，或上一年12月（例如2023年元旦从2022年12月31日开始）。"""


class Command(BaseCommand):
    help = HELP

    def create_parser(self, prog_name, subcommand, **kwargs):
        from argparse import RawDescriptionHelpFormatter

        kwargs["formatter_class"] = RawDescriptionHelpFormatter
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("file", help="节假日安排文件（.json 或 .csv）")
        parser.add_argument("--year", type=int, help="年份（CSV 必填；JSON 可选，用于核对）")
        parser.add_argument("--source", help="依据（通知网址），覆盖文件中的值")
        parser.add_argument("--note", help="备注，覆盖文件中的值")
        parser.add_argument(
            "--incomplete", action="store_true", help="只录入了部分日期：该年暂不能按工作日计算"
        )

    def handle(self, *args, **options):
        try:
            arrangement = holidayfile.read_file(options["file"], options["year"])
        except HolidayFileError as exc:
            raise CommandError(f"未导入任何数据：\n{exc}") from None
        if options["source"] is not None:
            arrangement.source = options["source"].strip()
        if options["note"] is not None:
            arrangement.note = options["note"].strip()
        if options["incomplete"]:
            arrangement.complete = False
        save(arrangement)
        status = "已完整录入，可按工作日计算" if arrangement.complete else "尚未完整录入，该年暂不能按工作日计算"
        self.stdout.write(
            f"{arrangement.year}年节假日安排：放假 {arrangement.count(HOLIDAY)} 天，"
            f"调休上班 {arrangement.count(WORKDAY)} 天；{status}。"
        )


@transaction.atomic
def save(arrangement: holidayfile.Arrangement) -> CalendarYear:
    taken = (
        DayOverride.objects.filter(date__in=list(arrangement.days))
        .exclude(year__year=arrangement.year)
        .select_related("year")
        .order_by("date")
    )
    if taken:
        lines = [f"{o.date} 已录入在{o.year.year}年的安排中" for o in taken]
        raise CommandError("未导入任何数据：\n" + "\n".join(lines))
    calendar_year, _ = CalendarYear.objects.update_or_create(
        year=arrangement.year,
        defaults={"complete": arrangement.complete, "source": arrangement.source, "note": arrangement.note},
    )
    calendar_year.days.all().delete()
    DayOverride.objects.bulk_create(
        DayOverride(year=calendar_year, date=d, kind=kind, name=name)
        for d, (kind, name) in sorted(arrangement.days.items())
    )
    return calendar_year
