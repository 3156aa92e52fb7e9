"""Read a year's holiday arrangement from a small JSON or CSV file (pure, no Django).

JSON::

    {
      "year": 2026,
      "complete": true,
      "source": "https://www.gov.cn/zhengce/content/202511/content_7047090.htm",
      "note": "",
      "holidays": [["2026-01-01", "2026-01-03", "元旦"], ["2026-04-05", "清明节"]],
      "workdays": ["2026-01-04", ["2026-02-14", "春节调休上班"]]
    }

``holidays``: ``[start, end, name]`` (inclusive range) or ``[date, name]``.
``workdays``: the 调休上班 weekend days, a date or ``[date, name]``.
``complete`` (default true) says the file holds the year's whole arrangement;
``source`` and ``note`` are optional.

CSV (UTF-8, header row required; year/source come from the command line)::

    kind,start,end,name
    holiday,2026-01-01,2026-01-03,元旦
    workday,2026-01-04,,元旦调休上班

``kind`` is ``holiday``/``放假`` or ``workday``/``上班``/``调休上班``; an empty
``end`` means a single day.

Dates may lie in the year or in the previous December (a notice can reach back,
e.g. 2023年元旦 began 2022-12-31). Errors are collected and reported together.
"""
from __future__ import annotations

import csv
import datetime
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

HOLIDAY, WORKDAY = "holiday", "workday"
KINDS = {"holiday": HOLIDAY, "放假": HOLIDAY, "workday": WORKDAY, "上班": WORKDAY, "调休上班": WORKDAY}
JSON_KEYS = {"year", "complete", "source", "note", "holidays", "workdays"}
MAX_RANGE_DAYS = 31


class HolidayFileError(ValueError):
    pass


@dataclass
class Arrangement:
    year: int
    complete: bool = True
    source: str = ""
    note: str = ""
    days: dict[datetime.date, tuple[str, str]] = field(default_factory=dict)  # date -> (kind, name)

    def count(self, kind: str) -> int:
        return sum(1 for k, _ in self.days.values() if k == kind)


def read_file(path: str | Path, year: int | None = None) -> Arrangement:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise HolidayFileError(f"找不到文件：{path}") from None
    except UnicodeDecodeError:
        raise HolidayFileError(f"文件 {path.name} 不是 UTF-8 编码") from None
    suffix = path.suffix.lower()
    if suffix == ".json":
        return parse_json(text, year)
    if suffix == ".csv":
        if year is None:
            raise HolidayFileError("CSV 文件需要用 --year 指明年份")
        return parse_csv(text, year)
    raise HolidayFileError(f"不支持的文件类型“{path.suffix}”，请使用 .json 或 .csv")


def parse_json(text: str, year: int | None = None) -> Arrangement:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise HolidayFileError(f"JSON 格式错误：{exc}") from None
    if not isinstance(data, dict):
        raise HolidayFileError("JSON 顶层应为对象（{...}）")
    unknown = sorted(set(data) - JSON_KEYS)
    if unknown:
        raise HolidayFileError(f"无法识别的字段：{'、'.join(unknown)}（可用字段：{'、'.join(sorted(JSON_KEYS))}）")
    file_year = data.get("year")
    if not isinstance(file_year, int) or isinstance(file_year, bool):
        raise HolidayFileError("缺少年份“year”，或年份不是整数")
    if year is not None and year != file_year:
        raise HolidayFileError(f"文件中的年份是{file_year}年，与指定的{year}年不一致")
    complete = data.get("complete", True)
    if not isinstance(complete, bool):
        raise HolidayFileError("“complete”应为 true 或 false")
    rows = []
    for i, item in enumerate(_list(data, "holidays"), 1):
        where = f"holidays 第{i}项"
        if isinstance(item, list) and len(item) == 3:
            rows.append((where, HOLIDAY, *item))
        elif isinstance(item, list) and len(item) == 2:
            rows.append((where, HOLIDAY, item[0], item[0], item[1]))
        else:
            rows.append((where, None, item, None, None))
    for i, item in enumerate(_list(data, "workdays"), 1):
        where = f"workdays 第{i}项"
        if isinstance(item, str):
            rows.append((where, WORKDAY, item, item, ""))
        elif isinstance(item, list) and len(item) == 2:
            rows.append((where, WORKDAY, item[0], item[0], item[1]))
        else:
            rows.append((where, None, item, None, None))
    return _build(file_year, complete, _str(data.get("source")), _str(data.get("note")), rows)


def parse_csv(text: str, year: int) -> Arrangement:
    reader = csv.DictReader(io.StringIO(text))
    missing = {"kind", "start", "end", "name"} - set(reader.fieldnames or [])
    if missing:
        raise HolidayFileError("CSV 第一行应为表头：kind,start,end,name")
    rows = []
    for row in reader:
        where = f"第{reader.line_num}行"
        kind = KINDS.get((row["kind"] or "").strip())
        if kind is None:
            rows.append((where, None, row["kind"], None, None))
            continue
        start = (row["start"] or "").strip()
        rows.append((where, kind, start, (row["end"] or "").strip() or start, (row["name"] or "").strip()))
    return _build(year, True, "", "", rows)


def _build(year, complete, source, note, rows) -> Arrangement:
    if not 2000 <= year <= 2100:
        raise HolidayFileError(f"年份{year}不在合理范围（2000–2100）内")
    first, last = datetime.date(year - 1, 12, 1), datetime.date(year, 12, 31)
    result = Arrangement(year=year, complete=complete, source=source, note=note)
    errors = []
    for where, kind, start, end, name in rows:
        if kind is None:
            errors.append(f"{where}：格式不正确（{start!r}），请参照说明中的格式")
            continue
        if not isinstance(name, str):
            errors.append(f"{where}：名称应为文字")
            continue
        try:
            start_d, end_d = _date(start), _date(end)
        except ValueError as exc:
            errors.append(f"{where}：{exc}")
            continue
        if end_d < start_d:
            errors.append(f"{where}：结束日期 {end_d} 早于开始日期 {start_d}")
            continue
        if (end_d - start_d).days >= MAX_RANGE_DAYS:
            errors.append(f"{where}：{start_d} 至 {end_d} 超过{MAX_RANGE_DAYS}天，请检查")
            continue
        d = start_d
        while d <= end_d:
            if not first <= d <= last:
                errors.append(f"{where}：{d} 不属于{year}年的安排（只能是{year}年内或上一年12月的日期）")
            elif d in result.days:
                errors.append(f"{where}：{d} 重复出现")
            elif kind == WORKDAY and d.weekday() < 5:
                errors.append(f"{where}：{d} 是星期{'一二三四五'[d.weekday()]}，本来就是工作日；调休上班日应为周六或周日")
            else:
                result.days[d] = (kind, name.strip() or ("调休上班" if kind == WORKDAY else "放假"))
            d += datetime.timedelta(days=1)
    if complete and not result.count(HOLIDAY) and not errors:
        errors.append("标记为已完整录入，但没有任何放假日期；如果只录入了一部分，请设置 \"complete\": false")
    if errors:
        raise HolidayFileError("\n".join(errors))
    return result


def _list(data, key):
    value = data.get(key, [])
    if not isinstance(value, list):
        raise HolidayFileError(f"“{key}”应为列表")
    return value


def _str(value) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise HolidayFileError("“source”和“note”应为文字")
    return value.strip()


def _date(value) -> datetime.date:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"日期“{value}”格式不正确，应为 YYYY-MM-DD")
