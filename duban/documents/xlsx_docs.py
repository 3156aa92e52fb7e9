"""The five documents as .xlsx (openpyxl), and a zip of per-unit task lists. Each returns bytes.

Every sheet has a bold title row merged across its columns, an optional
subtitle row, a header row that is frozen and repeated on every printed page,
column widths, wrapped text, thin borders and an A4 landscape print setup fitted
to the page width with "第 N 页 共 M 页" in the footer. Counts and scores are
written as numbers, rates as fractions with a percent format, dates as real dates
shown as "2021年10月15日".
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import math
import re
import time
import zipfile
from dataclasses import dataclass
from typing import Any, Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .common import (
    annual_section_title,
    bulletin_masthead,
    cn_date,
    fullwidth_punctuation,
    section_merges,
    section_text,
    text_width_chars,
    unit_task_list_title,
)
from .docx_docs import unit_task_list_docx
from .gongwen import FONT_BODY, FONT_H1, FONT_TITLE
from .model import (
    AnnualSection,
    AssessmentTable,
    BulletinData,
    DivisionRow,
    Figures,
    PlanMeta,
    UnitTaskList,
    division_units_text,
)

DATE_FORMAT = 'yyyy"年"m"月"d"日"'
PERCENT_FORMAT = "0.0%"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
TITLE_FONT = Font(name=FONT_TITLE, size=18, bold=True)
SUBTITLE_FONT = Font(name=FONT_BODY, size=12)
HEADER_FONT = Font(name=FONT_H1, size=12, bold=True)
CELL_FONT = Font(name=FONT_BODY, size=12)
LINK_FONT = Font(name=FONT_BODY, size=12, color="0056B3", underline="single")


# A cell whose text starts with one of these is read by Excel/WPS as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def keep_as_text(cell) -> None:
    """Make a cell holding text that looks like a formula plain text: stored as a string, never a
    formula, and marked with Excel's quote prefix (what typing ' before it does) so that editing it
    keeps it text. What the cell shows is unchanged."""
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True


def put(cell, value) -> None:
    cell.value = value
    keep_as_text(cell)


@dataclass
class Col:
    """A column: header text (``None`` = merged into the header on its left), width in
    character units, horizontal alignment and an optional number format."""

    header: str | None
    width: float
    align: str = "left"
    number_format: str | None = None


def write_table(ws: Worksheet, title: str, cols: Sequence[Col], rows: Sequence[Sequence[Any]], *,
                subtitle: str = "", merges: Sequence[tuple[int, int, int, int]] = (),
                links: dict[tuple[int, int], str] | None = None, autofilter: bool = True) -> int:
    """Write a titled table on ``ws``; returns the header row number.

    ``merges`` are ``(row0, col0, row1, col1)`` rectangles in data coordinates (0-based,
    inclusive); ``links`` maps a data cell ``(row, col)`` to a URL.
    """
    n = len(cols)
    last = get_column_letter(n)
    put(ws["A1"], title)
    ws["A1"].font = TITLE_FONT
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.merge_cells(f"A1:{last}1")
    ws.row_dimensions[1].height = 30 * wrapped_lines(title, sum(c.width for c in cols), TITLE_FONT.size) + 6
    header_row = 2
    if subtitle:
        put(ws["A2"], subtitle)
        ws["A2"].font = SUBTITLE_FONT
        ws["A2"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.merge_cells(f"A2:{last}2")
        ws.row_dimensions[2].height = 22
        header_row = 3

    for c, col in enumerate(cols, 1):
        ws.column_dimensions[get_column_letter(c)].width = col.width
        cell = ws.cell(row=header_row, column=c)
        put(cell, col.header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    c = 1
    while c <= n:
        end = c
        while end < n and cols[end].header is None:
            end += 1
        if end > c:
            ws.merge_cells(start_row=header_row, start_column=c, end_row=header_row, end_column=end)
        c = end + 1

    covered = set()
    for r0, c0, r1, c1 in merges:
        covered |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)} - {(r0, c0)}
    links = links or {}
    # openpyxl looks each style up among the workbook's on every assignment, which made a sheet of
    # 300,000 cells take most of a minute: a cell's style is set the slow way once per kind of cell
    # and copied to the others (the same style ids, added to the workbook in the same order).
    # Cells are made directly (not through ws.cell, which checks and looks up each coordinate first)
    # and added to the sheet once styled.
    styles: dict[tuple, Any] = {}
    for r, values in enumerate(rows):
        if len(values) != n:
            raise ValueError(f"row {r} has {len(values)} cells, expected {n}")
        row_no = header_row + 1 + r
        for c, (col, value) in enumerate(zip(cols, values)):
            if (r, c) in covered:
                cell = Cell(ws, row=row_no, column=c + 1)
                key = (c, True)
                if key not in styles:
                    _style_cell(cell, col)
                    styles[key] = StyleArray(cell._style)
                cell._style = StyleArray(styles[key])
                ws._add_cell(cell)
                continue
            if isinstance(value, str):
                cell = Cell(ws, row=row_no, column=c + 1)
                _set_text(cell, fullwidth_punctuation(value))
            else:
                cell = Cell(ws, row=row_no, column=c + 1, value=value)
            if isinstance(value, (dt.date, dt.datetime)):
                number_format = DATE_FORMAT
            elif col.number_format and isinstance(value, (int, float)):
                number_format = col.number_format
            else:
                number_format = None
            link = links.get((r, c))
            key = (c, False, cell.quotePrefix, number_format, link is not None)
            if key not in styles:
                _style_cell(cell, col)
                if number_format:
                    cell.number_format = number_format
                if link is not None:
                    cell.font = LINK_FONT
                styles[key] = StyleArray(cell._style)
            cell._style = StyleArray(styles[key])
            ws._add_cell(cell)
            if link is not None:
                cell.hyperlink = link
    _set_row_heights(ws, header_row, cols, rows, merges)
    for r0, c0, r1, c1 in merges:
        if (r0, c0) != (r1, c1):
            ws.merge_cells(start_row=header_row + 1 + r0, start_column=c0 + 1,
                           end_row=header_row + 1 + r1, end_column=c1 + 1)

    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    if autofilter and rows and not merges:
        ws.auto_filter.ref = f"A{header_row}:{last}{header_row + len(rows)}"
    setup_print(ws)
    return header_row


_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # openpyxl's ILLEGAL_CHARACTERS_RE as one character class


def _set_text(cell, text: str) -> None:
    """put(cell, text) for a text, without openpyxl's type dispatch and its slower search for the
    control characters a workbook cannot hold (the same check, the same IllegalCharacterError)."""
    text = text[:32767]
    if _ILLEGAL.search(text):
        raise IllegalCharacterError(f"{text} cannot be used in worksheets.")
    cell._value = text
    cell.data_type = "e" if text in ERROR_CODES else "s"
    keep_as_text(cell)


def _style_cell(cell, col: Col) -> None:
    cell.border = BORDER
    cell.alignment = Alignment(horizontal=col.align, vertical="center", wrap_text=True)
    cell.font = CELL_FONT


def wrapped_lines(value: Any, width: float, size: float = CELL_FONT.size) -> int:
    """Lines a value takes in a wrapped cell ``width`` Excel units wide (an estimate:
    an Excel unit is about 7 px, a full-width character of ``size`` pt about size×4/3 px)."""
    if value is None or not isinstance(value, str):
        return 1
    return _text_lines(value, width, size)


@functools.lru_cache(maxsize=8192)
def _text_lines(value: str, width: float, size: float) -> int:
    """wrapped_lines of a text; remembered, as a long sheet repeats its texts (a requirement on each
    of its units' rows) and each cell is measured twice (split_tall_rows, _set_row_heights)."""
    per_line = _per_line(width, size)
    return sum(max(1, math.ceil(text_width_chars(part) / per_line)) for part in value.split("\n"))


def _per_line(width: float, size: float = CELL_FONT.size) -> float:
    """Full-width characters on a line of a wrapped cell ``width`` Excel units wide (wrapped_lines)."""
    return max(1.0, (7 * width - 8) / (size * 4 / 3))


def _set_row_heights(ws: Worksheet, header_row: int, cols: Sequence[Col], rows, merges) -> None:
    """Explicit heights for the header and data rows.

    Neither LibreOffice nor every Excel version sizes rows to wrapped text on opening a
    file, so the height is estimated from the text. Cells merged over several rows are
    left out; cells merged across columns count their combined width.
    """
    span = {(r0, c0): (r1 - r0 + 1, sum(cols[c].width for c in range(c0, c1 + 1)))
            for r0, c0, r1, c1 in merges}
    covered = {(r, c) for r0, c0, r1, c1 in merges for r in range(r0, r1 + 1)
               for c in range(c0, c1 + 1)} - set(span)
    line = CELL_FONT.size * 1.5
    header_lines = max(wrapped_lines(c.header, c.width, HEADER_FONT.size) for c in cols)
    ws.row_dimensions[header_row].height = header_lines * HEADER_FONT.size * 1.5 + 6
    for r, values in enumerate(rows):
        lines = 1
        for c, value in enumerate(values):
            if (r, c) in covered:
                continue
            nrows, width = span.get((r, c), (1, cols[c].width))
            if nrows == 1:
                lines = max(lines, wrapped_lines(value, width))
        ws.row_dimensions[header_row + 1 + r].height = min(MAX_ROW_HEIGHT, lines * line + 6)


MAX_ROW_HEIGHT = 409  # points: Excel's limit; a taller row is cut off when printed (split_tall_rows)


def split_tall_rows(cols: Sequence[Col], rows: Sequence[Sequence[Any]], max_height: float = MAX_ROW_HEIGHT) -> list[list[Any]]:
    """Rows whose wrapped text would be taller than ``max_height`` points split into a row and
    continuation rows ("（续）"), each within the limit; other cells of a continuation row are empty."""
    line = CELL_FONT.size * 1.5
    max_lines = max(1, int((max_height - 6) // line))
    out: list[list[Any]] = []
    for values in rows:
        if max(wrapped_lines(v, c.width) for c, v in zip(cols, values)) <= max_lines:
            out.append(list(values))
            continue
        pieces = [_chunks(v, c.width, max_lines) if isinstance(v, str) else [v] for c, v in zip(cols, values)]
        for k in range(max(len(p) for p in pieces)):
            if k == 0:
                out.append([p[0] for p in pieces])
            else:
                out.append([("（续）" + p[k]) if k < len(p) and isinstance(values[c], str) and len(p) > 1 else ""
                            for c, p in enumerate(pieces)])
    return out


def _chunks(text: str, width: float, max_lines: int) -> list[str]:
    """``text`` cut into pieces of at most ``max_lines`` wrapped lines (one line kept for "（续）").

    A piece ends before the character that would make ``wrapped_lines(piece)`` too many; the lines are
    counted as the piece grows (the lines of its finished lines, the width of its last), not again
    from its start for each character, which made a long 落实情况 cell quadratic."""
    per_line = _per_line(width)

    def lines(done: int, last: float) -> int:
        return done + max(1, math.ceil(last / per_line))

    def add(done: int, last: float, ch: str) -> tuple[int, float]:
        return (lines(done, last), 0.0) if ch == "\n" else (done, last + text_width_chars(ch))

    out, current = [], []
    done, last = 0, 0.0  # the lines of the piece's finished lines, the width of its last line
    for ch in text:
        done2, last2 = add(done, last, ch)
        if lines(done2, last2) > max_lines - 1 and current:
            out.append("".join(current))
            current = []
            done2, last2 = add(0, 0.0, ch)
        current.append(ch)
        done, last = done2, last2
    current = "".join(current)
    return out + [current] if current or not out else out


def setup_print(ws: Worksheet) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.6
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"


def list_cell(ws, value):
    """A value for a row of a write-only sheet (the long lists' exports): text without the control characters a
    workbook cannot hold (Word's \x0b line break, pasted into a report or a requirement; openpyxl refuses them),
    and text that looks like a formula kept as text."""
    from openpyxl.cell import WriteOnlyCell

    if not isinstance(value, str):
        return value
    value = _ILLEGAL.sub("", value)
    if not value.startswith(FORMULA_START):
        return value
    c = WriteOnlyCell(ws)
    put(c, value)
    return c


def save_list(wb: Workbook) -> bytes:
    """A long list (the overview's, the review queue's) saved for download at once: what Workbook.save writes,
    compressed at zlib's fastest level. At the seed's size (2,526 rows) that takes some 30 ms less CPU than the
    default level for a file about a third larger (400 KB rather than 300 KB); what the workbook holds is the same."""
    from openpyxl.writer.excel import ExcelWriter

    if wb.write_only and not wb.worksheets:  # what Workbook.save and openpyxl's save_workbook do besides
        wb.create_sheet()
    wb.properties.modified = dt.datetime.now(tz=dt.timezone.utc).replace(tzinfo=None)
    buf = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=1)).save()
    return buf.getvalue()


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _new_workbook(title: str, author: str = "") -> tuple[Workbook, Worksheet]:
    wb = Workbook()
    wb.properties.title = title.replace("\n", "")
    wb.properties.creator = author or "duban"
    return wb, wb.active


def _sheet_name(name: str) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "Sheet"


# --- 分工方案 ---------------------------------------------------------------------


def division_table_xlsx(plan_meta: PlanMeta, rows: Sequence[DivisionRow], *,
                        merge_sections: bool = True) -> bytes:
    """The 分工方案 table. With ``merge_sections`` (the default) each 工作任务 heading is one
    merged cell, as in the plan; without it every row repeats its headings and the sheet
    gets an autofilter, which is easier to sort and filter."""
    wb, ws = _new_workbook(plan_meta.title, plan_meta.issuer)
    ws.title = "分工方案"
    depth = max([len(r.section) for r in rows] + [1])
    cols = [Col("序号", 6, "center")]
    section_w = 26 if depth == 1 else 20
    cols += [Col("工作任务" if k == 0 else None, section_w, "center") for k in range(depth)]
    cols += [Col("具体要求", 60), Col("牵头落实单位", 40), Col("完成时限", 16, "center")]
    if merge_sections:
        texts, sec_merges = section_merges([r.section for r in rows], depth)
        merges = [(r0, 1 + k0, r1, 1 + k1) for r0, k0, r1, k1 in sec_merges]
    else:
        texts = [[(list(r.section) + [""] * depth)[k] for k in range(depth)] for r in rows]
        merges = []
    data = [[r.no, *texts[i], r.requirement, division_units_text(r), r.deadline_text]
            for i, r in enumerate(rows)]
    subtitle = "　".join(x for x in (plan_meta.doc_number,
                                     cn_date(plan_meta.date) if plan_meta.date else "") if x)
    write_table(ws, plan_meta.title, cols, data, subtitle=subtitle, merges=merges)
    return _save(wb)


# --- 单位任务清单 -------------------------------------------------------------------


def _unit_task_list_sheet(ws: Worksheet, data: UnitTaskList) -> None:
    cols = [Col("序号", 6, "center"), Col("工作任务", 22, "center"), Col("具体要求", 56),
            Col("责任类型", 10, "center"), Col("完成时限", 18, "center"), Col("截止日期", 16, "center"),
            Col("进展情况", 18, "center")]
    rows = [[r.no, section_text(r.section), r.requirement, r.role, r.due_text, r.due_date, r.status]
            for r in data.rows]
    bits = []
    if data.plan_title:
        bits.append(f"依据《{data.plan_title}》")
    if data.date:
        bits.append(f"制表日期：{cn_date(data.date)}")
    if data.as_of:
        bits.append(f"进展情况截至{cn_date(data.as_of)}")
    write_table(ws, unit_task_list_title(data), cols, rows, subtitle="，".join(bits))


def unit_task_list_xlsx(data: UnitTaskList) -> bytes:
    wb, ws = _new_workbook(unit_task_list_title(data), data.unit_name)
    ws.title = _sheet_name(data.unit_name)
    _unit_task_list_sheet(ws, data)
    return _save(wb)


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def unit_file_name(unit_name: str, ext: str) -> str:
    """"区财政局-任务清单.docx"; characters not allowed in Windows file names become "_"."""
    return f"{_UNSAFE.sub('_', unit_name).strip() or '单位'}-任务清单.{ext}"


def unit_task_lists_zip(lists: Sequence[UnitTaskList], fmt: str = "docx") -> bytes:
    """One task list per unit in a zip: "区财政局-任务清单.docx" (or .xlsx).

    File names are stored in UTF-8 with the zip's UTF-8 flag (bit 11) set, so
    Windows Explorer, macOS and unzip show them correctly. Two units with the same
    file name get "(2)", "(3)" … appended.
    """
    if fmt not in ("docx", "xlsx"):
        raise ValueError(f"fmt must be 'docx' or 'xlsx', not {fmt!r}")
    build = unit_task_list_docx if fmt == "docx" else unit_task_list_xlsx
    buf = io.BytesIO()
    seen: dict[str, int] = {}
    stamp = time.localtime()[:6]
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for data in lists:
            name = unit_file_name(data.unit_name, fmt)
            if name in seen:
                seen[name] += 1
                stem, ext = name.rsplit(".", 1)
                name = f"{stem}({seen[name]}).{ext}"
            else:
                seen[name] = 1
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.flag_bits |= 0x800  # names are UTF-8
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, build(data))
    return buf.getvalue()


# --- 督办通报 -----------------------------------------------------------------------


def _figures_rows(f: Figures) -> list[list[Any]]:
    if f.due is not None:
        return [["任务总数", f.total], ["截至统计日已到期", f.due], ["已完成", f.done],
                ["其中：到期任务已完成", f.done_due if f.done_due is not None else f.done],
                ["其中：到期任务按时完成", f.on_time], ["已报送待审核", f.awaiting], ["退回修改", f.returned],
                ["正在推进", f.in_progress], ["尚未启动", f.not_started], ["逾期未完成", f.overdue],
                ["完成率（已完成÷已到期）", f.done_rate], ["按时完成率（按时完成÷已到期）", f.on_time_rate]]
    rows = [["任务总数", f.total], ["已完成", f.done], ["其中：按时完成", f.on_time],
            ["正在推进", f.in_progress]]
    if f.not_started:
        rows.append(["尚未启动", f.not_started])
    rows += [["逾期未完成", f.overdue], ["完成率", f.done_rate], ["按时完成率", f.on_time_rate]]
    return rows


def _figures_sheet(ws: Worksheet, title: str, f: Figures, subtitle: str) -> None:
    cols = [Col("项目", 34), Col("数值", 14, "center")]
    rows = _figures_rows(f)
    write_table(ws, title, cols, rows, subtitle=subtitle, autofilter=False)
    header_row = 3 if subtitle else 2
    for i, (label, _) in enumerate(rows):
        if "率" in label:
            ws.cell(row=header_row + 1 + i, column=2).number_format = PERCENT_FORMAT


def bulletin_xlsx(data: BulletinData) -> bytes:
    """The figures, the per-unit table, the overdue list and the units named, one sheet each."""
    wb, ws = _new_workbook(data.title, data.issuer)
    as_of = data.as_of or data.date
    subtitle = "　".join(x for x in (bulletin_masthead(data), data.doc_number,
                                     f"截至{cn_date(as_of)}") if x)
    ws.title = "总体情况"
    _figures_sheet(ws, data.title, data.figures, subtitle)

    ws = wb.create_sheet("各单位情况")
    with_score = any(u.score is not None for u in data.per_unit)
    detailed = any(u.due is not None for u in data.per_unit)
    if detailed:
        cols = [Col("序号", 6, "center"), Col("责任单位", 30), Col("承担任务", 10, "center"), Col("已到期", 10, "center"),
                Col("其中已完成", 10, "center"), Col("其中按时完成", 12, "center"), Col("已报送待审核", 12, "center"),
                Col("逾期未完成", 12, "center"), Col("完成率", 10, "center", PERCENT_FORMAT),
                Col("按时完成率", 12, "center", PERCENT_FORMAT)]
    else:
        cols = [Col("序号", 6, "center"), Col("责任单位", 30), Col("承担任务", 10, "center"),
                Col("已完成", 10, "center"), Col("逾期未完成", 12, "center"),
                Col("按时完成率", 12, "center", PERCENT_FORMAT)]
    if with_score:
        cols.append(Col("得分", 10, "center"))
    rows = []
    for i, u in enumerate(data.per_unit, 1):
        if detailed:
            row = [i, u.unit, u.assigned, u.due, u.done, u.on_time, u.awaiting, u.overdue, u.done_rate, u.on_time_rate]
        else:
            row = [i, u.unit, u.assigned, u.done, u.overdue, u.on_time_rate]
        if with_score:
            row.append(u.score)
        rows.append(row)
    write_table(ws, "各单位落实情况", cols, rows, subtitle=subtitle)

    ws = wb.create_sheet("逾期事项")
    cols = [Col("序号", 6, "center"), Col("任务编号", 10, "center"), Col("责任单位", 26),
            Col("具体要求", 60), Col("完成时限", 18, "center")]
    if any(o.calendar_days is not None for o in data.overdue):
        cols += [Col("逾期天数（日历天）", 12, "center"), Col("逾期工作日", 10, "center")]
        rows = [[i, o.no, o.unit, o.requirement, o.due_date, o.calendar_days, o.days_overdue]
                for i, o in enumerate(data.overdue, 1)]
    else:
        cols.append(Col("逾期天数", 10, "center"))
        rows = [[i, o.no, o.unit, o.requirement, o.due_date, o.days_overdue]
                for i, o in enumerate(data.overdue, 1)]
    write_table(ws, "逾期未完成事项", cols, rows, subtitle=subtitle)

    if data.units_named:
        ws = wb.create_sheet("通报单位")
        cols = [Col("序号", 6, "center"), Col("单位", 30), Col("类别", 12, "center"), Col("事由", 70)]
        rows = [[i, u.unit, u.kind, u.reason] for i, u in enumerate(data.units_named, 1)]
        write_table(ws, "通报表扬和批评", cols, rows, subtitle=subtitle)
    return _save(wb)


# --- 年度报告（工作要点落实情况） -----------------------------------------------------


def annual_report_section_xlsx(data: AnnualSection) -> bytes:
    """落实情况: one row per unit report (序号 on each, the 工作要点 on a task's first row), so that a task
    reported on by 36 units is 36 printable rows, not one cell taller than a page; text that still
    passes Excel's 409 pt row limit goes on in continuation rows. Tasks without reports (or callers
    that give only ``done_text``) keep one row. Then the figures and, with ``summary``, the prose."""
    title = annual_section_title(data)
    wb, ws = _new_workbook(title, data.issuer)
    ws.title = "落实情况"
    by_unit = any(r.reports for r in data.rows)
    if by_unit:
        cols = [Col("序号", 6, "center"), Col("工作要点", 44), Col("责任单位", 18), Col("落实情况", 60), Col("公开地址", 40)]
    else:
        cols = [Col("序号", 6, "center"), Col("工作要点", 50), Col("落实情况", 60), Col("公开地址", 45)]
    rows, links = [], {}
    for r in data.rows:
        if by_unit:
            entries = [[r.no, r.requirement if i == 0 else "", u.unit, u.text, "\n".join(u.urls)]
                       for i, u in enumerate(r.reports)] or [[r.no, r.requirement, "", r.done_text, ""]]
        else:
            entries = [[r.no, r.requirement, r.done_text, "\n".join(r.urls)]]
        for entry in split_tall_rows(cols, entries):
            url = entry[-1].split("\n")[0] if isinstance(entry[-1], str) and entry[-1].startswith("http") else ""
            if url:
                links[(len(rows), len(cols) - 1)] = url
            rows.append(entry)
    subtitle = cn_date(data.date) if data.date else ""
    write_table(ws, title, cols, rows, subtitle=subtitle, links=links)
    ws = wb.create_sheet("总体情况")
    as_of = f"统计截止{cn_date(data.as_of)}" if data.as_of else ""
    _figures_sheet(ws, f"{data.area}{data.year}年政务公开工作要点完成情况", data.figures, as_of)
    if data.summary:
        ws = wb.create_sheet("完成情况说明")
        paragraphs = data.summary + [p for head, ps in data.progress for p in [head] + ps]
        cols = [Col("说明", 100)]
        write_table(ws, title, cols, split_tall_rows(cols, [[p] for p in paragraphs]), subtitle=as_of, autofilter=False)
    return _save(wb)


# --- 考评结果 -----------------------------------------------------------------------


def content_width(values: Sequence[Any], header: str, *, least: float = 6, most: float = 40) -> float:
    """An Excel column width that fits the longest value on one line (a full-width character is about
    two units), the header in up to two lines, within [least, most]."""
    def units(v):
        if isinstance(v, float):
            v = f"{v:.2f}"
        return text_width_chars(str(v)) * 2 + 2 if v not in (None, "") else 0
    return max(least, min(most, max([units(header) / 2 + 1, *[units(v) for v in values]])))


def assessment_xlsx(data: AssessmentTable) -> bytes:
    """考评结果: one sheet, a 分组 column (units are ranked within their group; "不排名" for units listed
    apart), column widths following their content."""
    return _save(assessment_workbook(data))


def assessment_workbook(data: AssessmentTable) -> Workbook:
    """The workbook of assessment_xlsx, unsaved (the export adds its 得分明细 sheet before saving)."""
    wb, ws = _new_workbook(data.title, data.issuer)
    ws.title = "考评结果"
    rows = []
    for r in data.rows:
        if len(r.breakdown) != len(data.items):
            raise ValueError(f"{r.unit}: {len(r.breakdown)} scores for {len(data.items)} items")
        rows.append([r.group, "不排名" if r.rank is None else r.rank, r.unit, *r.breakdown, r.score, r.remark])
    headers = ["分组", "排名", "单位", *data.items, "总分", "备注"]
    column = lambda c: [row[c] for row in rows]  # noqa: E731
    cols = [Col("分组", content_width(column(0), "分组"), "center"),
            Col("排名", content_width(column(1), "排名"), "center"),
            Col("单位", content_width(column(2), "单位", least=14, most=30))]
    cols += [Col(item, content_width(column(3 + i), item, least=10, most=12), "center") for i, item in enumerate(data.items)]
    cols += [Col("总分", content_width(column(len(headers) - 2), "总分", least=8), "center"),
             Col("备注", content_width(column(len(headers) - 1), "备注", least=20, most=44))]
    subtitle = "　".join(x for x in (data.issuer, cn_date(data.date) if data.date else "") if x)
    write_table(ws, data.title, cols, split_tall_rows(cols, rows), subtitle=subtitle)
    if data.notes:
        at = ws.max_row + 2
        for i, note in enumerate(data.notes):
            cell = ws.cell(row=at + i, column=1)
            put(cell, ("说明：" if i == 0 else "") + note)
            cell.font = CELL_FONT
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            ws.merge_cells(start_row=at + i, start_column=1, end_row=at + i, end_column=len(cols))
            # Excel does not size merged rows to their text: estimate the lines.
            lines = wrapped_lines(("说明：" if i == 0 else "") + note, sum(c.width for c in cols))
            ws.row_dimensions[at + i].height = min(MAX_ROW_HEIGHT, CELL_FONT.size * 1.5 * lines + 6)
    return wb
