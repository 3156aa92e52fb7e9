"""save_list, the fast save of the long lists' exports (the overview's, the review queue's): the workbook
reads back exactly as Workbook.save writes it — values, types, the sheet's title and frozen heading row, the
quote prefix that keeps formula-looking text text — only compressed faster (issue 13)."""
from __future__ import annotations

import io

import openpyxl
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from duban.documents.xlsx_docs import FORMULA_START, put, save_list

ROWS = [["单位", "序号", "具体要求", "逾期天数"], ["区财政局", 8, "=HYPERLINK(\"https://evil.example\")", 12], ["区民政局", 9, "+1-1", None],
        ["区教育体育局", 10, "公开" * 200, 3]]


def build() -> Workbook:
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
    return wb


def read(data: bytes):
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    return ws.title, ws.freeze_panes, [[(c.value, c.data_type, c.quotePrefix) for c in row] for row in ws.iter_rows()]


def test_the_fast_save_reads_back_as_the_ordinary_one():
    ordinary = io.BytesIO()
    build().save(ordinary)
    fast = save_list(build())
    assert read(fast) == read(ordinary.getvalue())
    title, frozen, cells = read(fast)
    assert (title, frozen) == ("逾期清单", "A2")
    assert cells[1][2] == ('=HYPERLINK("https://evil.example")', "s", True) and cells[2][2] == ("+1-1", "s", True)
    assert cells[1][1] == (8, "n", False)


def test_an_empty_write_only_workbook_still_gets_a_sheet():
    assert openpyxl.load_workbook(io.BytesIO(save_list(Workbook(write_only=True)))).sheetnames == ["Sheet"]
