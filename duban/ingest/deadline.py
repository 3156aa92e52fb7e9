"""The 完成时限 cell: its meaning, not just its text.

    "10月31日前完成"          -> date, in the plan's year
    "2022年6月底前" / "年底前" / "上半年" / "第三季度"  -> date
    "文件成文后20个工作日内"   -> after_event: event 文件成文, 20 working days
    "长期坚持" / "持续推进"    -> ongoing
    "每季度" / "每月"          -> recurring
Anything else is None with a warning: a person decides, the parser does not guess.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from duban.ingest.model import Deadline
from duban.ingest.text import cn_number, tidy

NUM = r"[0-9〇零一二两三四五六七八九十百]+"
ONGOING = re.compile(r"长期坚持|长期执行|长期开展|持续推进|持续开展|持续实施|长期|常态化|持续|日常|全年|贯穿全年|动态更新|及时更新|实时|及时|随时|即时")
RECURRING = [
    (re.compile(r"每周|按周"), "每周"),
    (re.compile(r"每月|按月|月度"), "每月"),
    (re.compile(r"每季度|每季|按季度|按季|季度末"), "每季度"),
    (re.compile(r"每半年|半年一次"), "每半年"),
    (re.compile(r"每年|按年|年度内每年"), "每年"),
]
AFTER_EVENT = re.compile(rf"^(.{{1,30}}?)(?:之日)?(?:后|起)({NUM})个?(工作日|日|天|个?月)(?:内|以内|之内)?")
FULL_DATE = re.compile(rf"(?:({NUM})\s*年)?\s*({NUM})\s*月\s*(?:({NUM})\s*[日号]|(底|末|上旬|中旬|下旬|份|初))?")
ISO_DATE = re.compile(r"(20\d\d)[-./](\d{1,2})[-./](\d{1,2})")
YEAR_END = re.compile(rf"(?:({NUM})年)?\s*(年底|年末|年内|年终|上半年|下半年|前三季度|第([一二三四1-4])季度|([一二三四1-4])季度)")


@dataclass
class DeadlineResult:
    deadline: Deadline | None
    warnings: list[str] = field(default_factory=list)


def _year(text: str | None, plan_year: int | None) -> int | None:
    if text:
        y = cn_number(text)
        if y is not None and y < 100:
            y += 2000
        return y
    return plan_year


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _dates(text: str, plan_year: int | None) -> tuple[list[dt.date], list[str]]:
    """Every date the text names, in order; and warnings for dates that cannot be."""
    found: list[tuple[int, dt.date]] = []
    warnings: list[str] = []
    spans: list[tuple[int, int]] = []

    for m in ISO_DATE.finditer(text):
        try:
            found.append((m.start(), dt.date(int(m[1]), int(m[2]), int(m[3]))))
        except ValueError:
            warnings.append(f"日期“{m.group()}”不存在")
        spans.append(m.span())

    for m in FULL_DATE.finditer(text):
        if any(a <= m.start() < b for a, b in spans):
            continue
        month = cn_number(m[2])
        year = _year(m[1], plan_year)
        if month is None or not 1 <= month <= 12:
            warnings.append(f"“{m.group()}”中的月份不存在")
            continue
        if year is None:
            warnings.append(f"“{m.group()}”没有写年份，文件中也找不到方案年度")
            continue
        try:
            if m[3]:
                day = cn_number(m[3])
                date = dt.date(year, month, day)
            elif m[4] == "上旬":
                date = dt.date(year, month, 10)
            elif m[4] == "中旬":
                date = dt.date(year, month, 20)
            elif m[4] == "初":
                date = dt.date(year, month, 5)
            else:  # 底/末/下旬/份/bare month: the month's last day
                date = _month_end(year, month)
        except (TypeError, ValueError):
            warnings.append(f"日期“{m.group()}”不存在")
            continue
        found.append((m.start(), date))
        spans.append(m.span())

    for m in YEAR_END.finditer(text):
        if any(a <= m.start() < b for a, b in spans):
            continue
        year = _year(m[1], plan_year)
        if year is None:
            warnings.append(f"“{m.group()}”没有写年份，文件中也找不到方案年度")
            continue
        word = m[2]
        quarter = m[3] or m[4]
        if quarter:
            q = cn_number(quarter)
            date = _month_end(year, q * 3)
        elif word == "上半年":
            date = dt.date(year, 6, 30)
        elif word == "前三季度":
            date = dt.date(year, 9, 30)
        else:
            date = dt.date(year, 12, 31)
        found.append((m.start(), date))
    found.sort()
    return [d for _, d in found], warnings


def parse_deadline(text: str, plan_year: int | None = None) -> DeadlineResult:
    raw = tidy(text)
    compact = re.sub(r"\s+", "", raw)
    if not compact:
        return DeadlineResult(None, ["完成时限为空，请补充"])

    m = AFTER_EVENT.search(compact)
    if m and not FULL_DATE.match(m[1]):
        event = m[1].strip("，,、在于自从")
        count = cn_number(m[2])
        unit = m[3]
        if unit == "工作日" and count is not None:
            return DeadlineResult(Deadline(kind="after_event", event=event, working_days=count))
        return DeadlineResult(
            None, [f"完成时限“{raw}”按{unit}计算（不是工作日），请确定具体日期或换算为工作日"]
        )

    dates, warnings = _dates(compact, plan_year)
    ongoing = ONGOING.search(compact)
    every = next((label for rx, label in RECURRING if rx.search(compact)), None)
    if dates:
        if len(set(dates)) > 1:
            warnings.append(f"完成时限“{raw}”有多个时间节点，已取最后一个（{max(dates):%Y年%-m月%-d日}），请核对")
        if ongoing or every:
            warnings.append(f"完成时限“{raw}”既有具体日期又有“{(ongoing.group() if ongoing else every)}”，已按日期处理，请核对")
        return DeadlineResult(Deadline(kind="date", date=max(dates)), warnings)
    if warnings:
        return DeadlineResult(None, warnings + [f"无法确定完成时限“{raw}”的日期，请补充"])
    if every:
        return DeadlineResult(Deadline(kind="recurring", every=every))
    if ongoing:
        return DeadlineResult(Deadline(kind="ongoing"))
    return DeadlineResult(None, [f"无法识别完成时限“{raw}”，请人工确定"])
