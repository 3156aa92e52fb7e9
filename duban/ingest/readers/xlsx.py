"""Excel .xlsx workbooks (openpyxl): every non-empty visible worksheet is a table, except a sheet of
instructions (填写说明, 示例) beside the plan's own.

The table index is the worksheet's index in the workbook. Merged ranges follow
the same rule as Word tables: a range spanning several rows repeats its
top-left value in each row; a range spanning several columns gives the value
once, in its first column, and "" in the others. Rows that are entirely empty
are dropped, and so are empty columns at the left and right edges. Rows above
the table (a title merged across A1:E1, say) come out like any other row; the
table parser finds the header row itself.
"""
from __future__ import annotations

import datetime as dt
import io
import re

from duban.ingest.errors import IngestError
from duban.ingest.readers import RawDocument, Row
from duban.ingest.readers.ooxml import check_zip, join_lines

# A sheet of instructions beside the plan (Duban's own template has one) holds an example row, not tasks.
INSTRUCTIONS = re.compile(r"^(填写|填表|使用|模板|导入)?(说明|须知|示例|样例)$")
MAX_CELLS = 2_000_000  # a plan has a few thousand cells; refuse sheets that would exhaust memory


def read(data: bytes) -> RawDocument:
    check_zip(data)
    try:
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    except IngestError:
        raise
    except Exception:  # noqa: BLE001 - openpyxl/zipfile/XML parsers raise many kinds
        raise IngestError("Excel 文件已损坏或格式不正确，无法读取。请在 Excel 或 WPS 中打开并另存为 .xlsx 后再导入。") from None
    doc = RawDocument(format="xlsx")
    try:
        sheets = [ws for ws in wb.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
        if any(not INSTRUCTIONS.match(ws.title.strip()) for ws in sheets):
            sheets = [ws for ws in sheets if not INSTRUCTIONS.match(ws.title.strip())]
        for ws in sheets:
            index = wb.worksheets.index(ws)
            for cells in _sheet_rows(ws):
                doc.rows.append(Row(cells=cells, table=index))
    except IngestError:
        raise
    except Exception:  # noqa: BLE001
        raise IngestError("Excel 文件内容结构异常，无法读取其中的表格。请在 Excel 或 WPS 中另存为 .xlsx 后再导入。") from None
    finally:
        wb.close()
    return doc


def _sheet_rows(ws) -> list[list[str]]:
    max_row, max_col = ws.max_row or 0, ws.max_column or 0
    if max_row * max_col > MAX_CELLS:
        raise IngestError(f"工作表“{ws.title}”过大（{max_row} 行 × {max_col} 列），不像是分工方案，已拒绝读取。")
    if max_row == 0 or max_col == 0:
        return []
    grid: list[list[str]] = [[""] * max_col for _ in range(max_row)]
    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=max_row, max_col=max_col)):
        for c, cell in enumerate(row):
            value = cell.value
            if value is not None:
                grid[r][c] = format_value(value, getattr(cell, "number_format", "") or "")
    for rng in ws.merged_cells.ranges:
        top, left = rng.min_row - 1, rng.min_col - 1
        if top >= max_row or left >= max_col:
            continue
        value = grid[top][left]
        for r in range(top, min(rng.max_row, max_row)):
            grid[r][left] = value
            for c in range(left + 1, min(rng.max_col, max_col)):
                grid[r][c] = ""
    rows = [row for row in grid if any(row)]
    if not rows:
        return []
    used = [c for c in range(max_col) if any(row[c] for row in rows)]
    first, last = used[0], used[-1]
    return [row[first : last + 1] for row in rows]


def format_value(value, number_format: str = "") -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0) or value.year > 1900:
            return f"{value.year}年{value.month}月{value.day}日"
        return value.strftime("%H:%M")  # pragma: no cover - time-only values stored as 1899-12-30 datetimes
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if "%" in number_format:
            return _number(value * 100) + "%"
        return _number(value)
    return join_lines(str(value), hard_breaks=True)


def _number(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        return ""
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    text = f"{value:.15g}"
    return text if "e" not in text else repr(value)
