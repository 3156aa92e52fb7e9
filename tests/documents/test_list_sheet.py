"""ListSheet, the fast writer of the long lists' exports (the overview's, the review queue's): the workbook
reads back exactly as an ordinary openpyxl write-only workbook of the same rows does — values, types, the
sheet's title and frozen heading row, the quote prefix that keeps formula-looking text text — its rows only
written faster (issue 13); control characters a workbook cannot hold are dropped from text."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from duban.documents.xlsx_docs import FORMULA_START, ListSheet, put

ROWS = [["单位", "序号", "具体要求", "逾期天数"], ["区财政局", 8, "=HYPERLINK(\"https://evil.example\")", 12], ["区民政局", 9, "+1-1", None],
        ["区教育体育局", 10, "公开" * 200, 3.5], ["区司法局", 11, "  A & B <C>\r\n", dt.date(2021, 10, 15)], ["", 12, "#N/A", True]]


def ordinary() -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("逾期清单")
    ws.freeze_panes = "A2"
    for row in ROWS:
        cells = []
        for v in row:
            if isinstance(v, str) and v.startswith(FORMULA_START):
                c = WriteOnlyCell(ws)
                put(c, v)
                v = c
            cells.append(v)
        ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def fast() -> bytes:
    sheet = ListSheet("逾期清单", ROWS[0])
    for row in ROWS[1:]:
        sheet.append(row)
    return sheet.save()


def read(data: bytes):
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    return ws.title, ws.freeze_panes, [[(c.value, c.data_type, c.quotePrefix, c.number_format) for c in row] for row in ws.iter_rows()]


def test_the_list_reads_back_as_an_ordinary_write_only_workbook():
    assert read(fast()) == read(ordinary())
    title, frozen, cells = read(fast())
    assert (title, frozen) == ("逾期清单", "A2")
    assert cells[1][2][:3] == ('=HYPERLINK("https://evil.example")', "s", True) and cells[2][2][:3] == ("+1-1", "s", True)
    assert cells[1][1][:3] == (8, "n", False) and cells[4][2][0] == "  A & B <C>\r\n"
    assert cells[4][3][0] == dt.datetime(2021, 10, 15) and cells[4][3][3] == "yyyy-mm-dd"
    assert cells[len(ROWS) - 1][3][:2] == (True, "b")


def test_control_characters_are_dropped_from_text():
    sheet = ListSheet("待审核清单", ["进展情况"])
    sheet.append(["第一段\x0b第二段\x01。\n第三段"])
    assert read(sheet.save())[2][1][0][0] == "第一段第二段。\n第三段"


def test_a_list_with_no_rows_has_its_header():
    assert read(ListSheet("任务清单", ["单位", "序号"]).save())[2] == [[("单位", "s", False, "General"), ("序号", "s", False, "General")]]
