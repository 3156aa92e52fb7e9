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
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.cell._writer import etree_write_cell
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.comments.comment_sheet import CommentRecord
from openpyxl.compat import safe_string
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter
from openpyxl.xml.functions import Element, tostring

from .common import (
    C0_CONTROLS,
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
                links: dict[tuple[int, int], str] | None = None, autofilter: bool = True,
                number_formats: dict[tuple[int, int], str] | None = None) -> int:
    """Write a titled table on ``ws``; returns the header row number.

    ``merges`` are ``(row0, col0, row1, col1)`` rectangles in data coordinates (0-based,
    inclusive); ``links`` maps a data cell ``(row, col)`` to a URL, ``number_formats`` to a number
    format of its own. The data rows are not openpyxl cells (see below): read or change them
    through these arguments, not through ``ws`` after writing; save with ``save_workbook``
    (or ``Workbook.save``, which is set to it).
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

    # A long sheet has hundreds of thousands of cells, and an openpyxl cell object for each (made, styled,
    # then written out one by one through lxml) took seconds: the data rows are written here straight
    # into the sheet's XML (_FastRows, saved by save_workbook), each cell with the style id of its kind,
    # which is made once the openpyxl way. Cells of merged ranges are openpyxl's own, as its merge gives
    # their edges borders; so are values other than text, numbers and dates (the old way, unchanged).
    merged = {(r, c) for r0, c0, r1, c1 in merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
    links = links or {}
    number_formats = number_formats or {}
    fast = _fast_rows(ws)
    fast.max_column = max(fast.max_column, n)
    heights = _row_heights(cols, rows, merges)
    letters = [get_column_letter(c + 1) for c in range(n)]
    epoch = ws.parent.epoch
    style_ids: dict[tuple, int] = {}
    texts: dict[str, tuple[str, tuple[str, str] | None]] = {}  # converted once: a long sheet repeats units, requirements, states

    def style_id(c: int, quote: bool, number_format: str | None, link: bool) -> int:
        key = (c, quote, number_format, link)
        if key not in style_ids:
            cell = Cell(ws)
            cell.quotePrefix = quote
            _style_cell(cell, cols[c])
            if number_format:
                cell.number_format = number_format
            if link:
                cell.font = LINK_FONT
            style_ids[key] = cell.style_id
        return style_ids[key]

    starts = {(r0, c0) for r0, c0, _r1, _c1 in merges}
    ws.row_dimensions[header_row].height = max(wrapped_lines(c.header, c.width, HEADER_FONT.size) for c in cols) * HEADER_FONT.size * 1.5 + 6
    for r, values in enumerate(rows):
        if len(values) != n:
            raise ValueError(f"row {r} has {len(values)} cells, expected {n}")
        row_no = header_row + 1 + r
        cells = []
        for c, value in enumerate(values):
            link = links.get((r, c))
            if link is not None and value is None:
                value = link  # what openpyxl does with a link on an empty cell
            if isinstance(value, str):
                if value not in texts:
                    text = _checked_text(fullwidth_punctuation(value))
                    texts[value] = text, _text_xml(text)
                value, typed = texts[value]
            else:
                typed = _value_xml(value, epoch)
            number_format = number_formats.get((r, c)) or _number_format(cols[c], value)
            ref = letters[c] + str(row_no)
            if typed is None or (r, c) in merged:
                _add_cell(ws, row_no, cols[c], c, value, number_format, link, covered=(r, c) in merged and (r, c) not in starts)
                continue
            quote = isinstance(value, str) and value.startswith(FORMULA_START)
            cells.append((c + 1, f'<c r="{ref}" s="{style_id(c, quote, number_format, link is not None)}" t="{typed[0]}"{typed[1]}'))
            if link is not None:
                fast.links.append(Hyperlink(ref=ref, target=link))
        fast.rows[row_no] = (heights[r], cells)
    for r0, c0, r1, c1 in merges:
        if (r0, c0) != (r1, c1):
            ws.merge_cells(start_row=header_row + 1 + r0, start_column=c0 + 1,
                           end_row=header_row + 1 + r1, end_column=c1 + 1)

    ws.freeze_panes = f"A{header_row + 1}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    if autofilter and rows and not merges:
        ws.auto_filter.ref = f"A{header_row}:{last}{header_row + len(rows)}"
    setup_print(ws)
    return header_row


_ILLEGAL = re.compile(f"[{C0_CONTROLS}]")


def _checked_text(text: str) -> str:
    """A text as a cell holds it: at most 32,767 characters, without the control characters a workbook cannot
    hold (Word's line break pasted into a requirement, a stray \\x01 sent by the API): left out, not a failed export."""
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("", text)
    return text[:32767]


def _set_text(cell, text: str) -> None:
    """put(cell, text) for a text, without openpyxl's type dispatch and its slower search for the
    control characters (_checked_text)."""
    text = _checked_text(text)
    cell._value = text
    cell.data_type = "e" if text in ERROR_CODES else "s"
    keep_as_text(cell)


def _number_format(col: Col, value: Any) -> str | None:
    """The number format of a data cell: dates as dates, numbers in the column's format."""
    if isinstance(value, (dt.date, dt.datetime)):
        return DATE_FORMAT
    if col.number_format and isinstance(value, (int, float)):
        return col.number_format
    return None


def _add_cell(ws: Worksheet, row_no: int, col: Col, c: int, value: Any, number_format: str | None,
              link: str | None, covered: bool) -> None:
    """A data cell as an openpyxl cell (a cell of a merged range, or a value _value_xml leaves to openpyxl);
    a cell ``covered`` by a merged range keeps only the column's style, as merging empties it."""
    cell = Cell(ws, row=row_no, column=c + 1)
    if not covered:
        if isinstance(value, str):
            _set_text(cell, value)
        else:
            cell.value = value
    _style_cell(cell, col)
    if not covered and number_format:
        cell.number_format = number_format
    if not covered and link is not None:
        cell.font = LINK_FONT
    ws._add_cell(cell)
    if not covered and link is not None:
        cell.hyperlink = link


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
    of its units' rows) and each cell is measured twice (split_tall_rows, _row_heights)."""
    per_line = _per_line(width, size)
    return sum(max(1, math.ceil(text_width_chars(part) / per_line)) for part in value.split("\n"))


def _per_line(width: float, size: float = CELL_FONT.size) -> float:
    """Full-width characters on a line of a wrapped cell ``width`` Excel units wide (wrapped_lines)."""
    return max(1.0, (7 * width - 8) / (size * 4 / 3))


def _row_heights(cols: Sequence[Col], rows, merges) -> list[float]:
    """Explicit heights for the data rows.

    Neither LibreOffice nor every Excel version sizes rows to wrapped text on opening a
    file, so the height is estimated from the text. Cells merged over several rows are
    left out; cells merged across columns count their combined width.
    """
    span = {(r0, c0): (r1 - r0 + 1, sum(cols[c].width for c in range(c0, c1 + 1)))
            for r0, c0, r1, c1 in merges}
    covered = {(r, c) for r0, c0, r1, c1 in merges for r in range(r0, r1 + 1)
               for c in range(c0, c1 + 1)} - set(span)
    line = CELL_FONT.size * 1.5
    heights = []
    for r, values in enumerate(rows):
        lines = 1
        for c, value in enumerate(values):
            if (r, c) in covered:
                continue
            nrows, width = span.get((r, c), (1, cols[c].width))
            if nrows == 1:
                lines = max(lines, wrapped_lines(value, width))
        heights.append(min(MAX_ROW_HEIGHT, lines * line + 6))
    return heights


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


# --- Writing long sheets fast ----------------------------------------------------------------


class _FastRows:
    """A sheet's rows written as XML (write_table's data rows, a ListSheet's rows): per row number, its
    height (None: the default) and its cells as (column, ``<c>`` element) in column order; the links of
    those cells. save_workbook puts them into the sheet's XML with any openpyxl cells of the same sheet."""

    def __init__(self) -> None:
        self.rows: dict[int, tuple[float | None, list[tuple[int, str]]]] = {}
        self.links: list[Hyperlink] = []
        self.max_column = 1


def _fast_rows(ws: Worksheet) -> _FastRows:
    if not hasattr(ws, "_fast_rows"):
        ws._fast_rows = _FastRows()
        # so that Workbook.save writes them too (a caller that saves the usual way loses no rows)
        ws.parent.save = functools.partial(_save_into, ws.parent)
    return ws._fast_rows


_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")  # what lxml also refuses, besides _ILLEGAL


def _value_xml(value: Any, epoch) -> tuple[str, str] | None:
    """A text (checked with _checked_text), number, date or no value as openpyxl writes it: the cell's type
    and the rest of its ``<c>`` element after the type; None for other values, which openpyxl writes."""
    if isinstance(value, str):
        return _text_xml(value)
    if value is None:
        return "n", "/>"
    if type(value) is int and -10**15 < value < 10**15:
        return "n", f"><v>{value}</v></c>"  # what safe_string writes ("%.16g"), sooner
    if type(value) in (int, float):
        return "n", f"><v>{safe_string(value)}</v></c>"
    if type(value) is dt.date or (type(value) is dt.datetime and value.tzinfo is None):
        return "n", f"><v>{_excel_date(value, epoch)}</v></c>"
    return None


def _text_xml(value: str) -> tuple[str, str] | None:
    """_value_xml of a text: an inline string, escaped as lxml escapes it."""
    if value in ERROR_CODES:
        return None
    if not value:
        return "inlineStr", "/>"
    if _NOT_XML.search(value):
        raise ValueError("All strings must be XML compatible: Unicode or ASCII, no NULL bytes or control characters")
    text = escape(value).replace("\r", "&#13;")
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return "inlineStr", f"><is><t{space}>{text}</t></is></c>"


@functools.lru_cache(maxsize=4096)
def _excel_date(value: dt.date, epoch) -> str:
    return safe_string(to_excel(value, epoch))


class _FastSheetWriter(WorksheetWriter):
    """openpyxl's sheet writer, with the sheet's _FastRows merged into its rows."""

    def __init__(self, ws: Worksheet) -> None:
        super().__init__(ws, out=io.BytesIO())
        self.fast = ws._fast_rows
        self.sheet_data = ""

    def write_dimensions(self) -> None:
        ws, fast = self.ws, self.fast
        last_row = max(ws.max_row, max(fast.rows, default=1))
        last_col = max(ws.max_column, fast.max_column)
        self.xf.send(SheetDimension(f"{get_column_letter(ws.min_column)}{ws.min_row}:{get_column_letter(last_col)}{last_row}").to_tree())

    def write_rows(self) -> None:
        """The rows as one string (put in place of an empty sheetData by xml()), as WorksheetWriter.write_rows
        writes them: openpyxl's cells (the title, the headers, merged ranges) through openpyxl."""
        ws, fast = self.ws, self.fast
        theirs: dict[int, list] = {}
        for (row, _col), cell in sorted(ws._cells.items()):
            theirs.setdefault(row, []).append(cell)
        dims = ws.row_dimensions
        out = ["<sheetData>"]
        for row in sorted(theirs.keys() | dims.keys() | fast.rows.keys()):
            height, cells = fast.rows.get(row, (None, []))
            if theirs.get(row):
                cells = sorted(cells + [(cell.column, self.cell_xml(cell)) for cell in theirs[row]
                                        if cell._value is not None or cell.has_style or cell._comment])
                if len({col for col, _ in cells}) != len(cells):
                    raise RuntimeError(f"row {row} of {ws.title} has a cell written twice")
            dim = dims.get(row)
            if dim is not None:
                attrs = "".join(f' {k}="{v}"' for k, v in dim)
            else:
                attrs = "" if height is None else f' ht="{safe_string(height)}" customHeight="1"'
            out.append(f'<row r="{row}"{attrs}>{"".join(xml for _, xml in cells)}</row>')
        out.append("</sheetData>")
        ws._hyperlinks.extend(fast.links)
        self.sheet_data = "".join(out)
        self.xf.send(Element("sheetData"))

    def cell_xml(self, cell) -> str:
        if cell._comment is not None:
            self.ws._comments.append(CommentRecord.from_cell(cell))
        written = []
        etree_write_cell(_Collect(written), self.ws, cell, cell.has_style)
        return tostring(written[0], encoding="unicode")

    def xml(self) -> bytes:
        return self.read().replace(b"<sheetData/>", self.sheet_data.encode(), 1)


class _Collect:
    """An xmlfile stand-in that keeps what is written to it."""

    def __init__(self, into: list) -> None:
        self.write = into.append


class _ExcelWriter(ExcelWriter):
    def write_worksheet(self, ws) -> None:
        if not hasattr(ws, "_fast_rows"):
            return super().write_worksheet(ws)
        ws._drawing = SpreadsheetDrawing()  # as ExcelWriter.write_worksheet
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = _FastSheetWriter(ws)
        writer.write()
        ws._rels = writer._rels
        self._archive.writestr(ws.path[1:], writer.xml())
        self.manifest.append(ws)


def _save_into(wb: Workbook, file, compresslevel: int | None = None) -> None:
    """What Workbook.save does, with the sheets' _FastRows."""
    if wb.write_only and not wb.worksheets:
        wb.create_sheet()
    wb.properties.modified = dt.datetime.now(tz=dt.timezone.utc).replace(tzinfo=None)
    with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=compresslevel) as archive:
        _ExcelWriter(wb, archive).save()


def save_workbook(wb: Workbook) -> bytes:
    """The workbook as .xlsx bytes (what Workbook.save writes), with the rows written by write_table."""
    buf = io.BytesIO()
    _save_into(wb, buf)
    return buf.getvalue()


class ListSheet:
    """A long list for download (the overview's, the review queue's): one sheet, a header row frozen at the
    top, then a row per item, unstyled. Its rows are written straight as XML (_FastRows), as write_table's
    are. Text loses the control characters a workbook cannot hold (Word's \x0b line break, pasted into a
    report or a requirement; openpyxl refuses them); text that looks like a formula is kept as text."""

    def __init__(self, title: str, headers: Sequence[str]) -> None:
        self.wb = Workbook()
        self.ws = self.wb.active
        self.ws.title = title
        self.ws.freeze_panes = "A2"
        self.fast = _fast_rows(self.ws)
        self.letters: list[str] = []
        self.quoted: int | None = None  # the style id of text kept as text
        # text -> the rest of its <c> element after the cell reference (None: openpyxl writes it), converted once:
        # a long list repeats its units, requirements, roles and states on every row
        self.texts: dict[str, str | None] = {}
        self.append(headers)

    @property
    def title(self) -> str:
        return self.ws.title

    def append(self, values: Sequence[Any]) -> None:
        row_no = len(self.fast.rows) + 1
        while len(self.letters) < len(values):
            self.letters.append(get_column_letter(len(self.letters) + 1))
        self.fast.max_column = max(self.fast.max_column, len(values))
        epoch = self.wb.epoch
        cells = []
        for c, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, str):
                if value not in self.texts:
                    self.texts[value] = self._text_rest(value)
                rest = self.texts[value]
                if rest is None:
                    value = _checked_text(value)
            else:
                typed = _value_xml(value, epoch)
                rest = None if typed is None or not isinstance(value, (int, float)) else f' t="{typed[0]}"{typed[1]}'
            if rest is None:  # openpyxl's own way (dates get a format)
                cell = Cell(self.ws, row=row_no, column=c + 1, value=value)
                self.ws._add_cell(cell)
                continue
            cells.append((c + 1, f'<c r="{self.letters[c]}{row_no}"{rest}'))
        self.fast.rows[row_no] = (None, cells)

    def _text_rest(self, value: str) -> str | None:
        """A text's <c> element after its reference: its style (text that looks like a formula is kept as text),
        type and value; None for a text openpyxl writes (one that reads as an error code, such as #N/A)."""
        value = _checked_text(value)
        typed = _text_xml(value)
        if typed is None:
            return None
        style = f' s="{self._quoted()}"' if value.startswith(FORMULA_START) else ""
        return f'{style} t="{typed[0]}"{typed[1]}'

    def _quoted(self) -> int:
        if self.quoted is None:
            cell = Cell(self.ws, value="=")
            keep_as_text(cell)
            self.quoted = cell.style_id
        return self.quoted

    def save(self) -> bytes:
        """The workbook, compressed at zlib's fastest level: at the seed's size (2,526 rows) that takes some
        30 ms less CPU than the default level for a file about a third larger."""
        buf = io.BytesIO()
        _save_into(self.wb, buf, compresslevel=1)
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
    return save_workbook(wb)


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
    return save_workbook(wb)


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
    rates = {(i, 1): PERCENT_FORMAT for i, (label, _) in enumerate(rows) if "率" in label}
    write_table(ws, title, cols, rows, subtitle=subtitle, autofilter=False, number_formats=rates)


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
    return save_workbook(wb)


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
    return save_workbook(wb)


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
    return save_workbook(assessment_workbook(data))


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
    rows = split_tall_rows(cols, rows)
    header_row = write_table(ws, data.title, cols, rows, subtitle=subtitle)
    if data.notes:
        at = header_row + len(rows) + 2
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
