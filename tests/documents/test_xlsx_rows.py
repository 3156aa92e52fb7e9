"""write_table's data rows, written straight into the sheet's XML rather than as openpyxl cells (issues 13
and 14): read back with openpyxl, every cell keeps its value, its type and its style, the long sheet's last
row included, and a workbook saved the usual way (Workbook.save) holds them too."""
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from openpyxl import Workbook

from duban.documents.xlsx_docs import DATE_FORMAT, LINK_FONT, PERCENT_FORMAT, Col, save_workbook, write_table

pytestmark = pytest.mark.pure

COLS = [Col("单位", 20), Col("序号", 6, "center"), Col("具体要求", 40), Col("完成日期", 14, "center"),
        Col("得分", 8, "center", "0.00"), Col("公开地址", 30)]


def table(rows, **kw) -> Workbook:
    wb = Workbook()
    write_table(wb.active, "得分明细", COLS, rows, subtitle="截至2021年11月30日", **kw)
    return wb


def read(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def test_values_types_and_styles_read_back_as_written():
    rows = [["区财政局", 1, "  公开预算 & 决算 <及时>\r\n第二行  ", dt.date(2021, 10, 15), 96.5, "https://a.example/1"],
            ["区民政局", 2, "=HYPERLINK(\"https://evil.example\")", dt.datetime(2021, 11, 1, 9, 30), None, ""],
            ["区教育体育局", 3, "#N/A", None, 7, None],
            ["区司法局", True, "合计", dt.date(2021, 12, 31), Decimal("1.5"), None]]
    wb = table(rows, links={(0, 5): "https://a.example/1"}, number_formats={(3, 4): PERCENT_FORMAT})
    ws = read(save_workbook(wb))
    first = [c for c in ws[4]]
    assert [c.value for c in first] == ["区财政局", 1, "  公开预算 & 决算 <及时>\r\n第二行  ", dt.datetime(2021, 10, 15), 96.5,
                                        "https://a.example/1"]
    assert first[3].is_date and first[3].number_format == DATE_FORMAT
    assert first[4].data_type == "n" and first[4].number_format == "0.00"
    assert first[5].hyperlink.target == "https://a.example/1" and first[5].font.color.rgb == LINK_FONT.color.rgb
    for c in first:
        assert c.border.left.style == c.border.bottom.style == "thin" and c.font.name == "仿宋_GB2312"
        assert c.alignment.wrap_text and c.alignment.vertical == "center"
    assert [c.alignment.horizontal for c in first] == ["left", "center", "left", "center", "center", "left"]
    # formula-looking text stays text (quote prefix), a datetime keeps its time, empty cells keep their style
    formula = ws["C5"]
    assert (formula.value, formula.data_type, formula.quotePrefix) == ("=HYPERLINK(\"https://evil.example\")", "s", True)
    assert ws["D5"].value == dt.datetime(2021, 11, 1, 9, 30) and ws["D5"].number_format == DATE_FORMAT
    assert ws["E5"].value is None and ws["E5"].border.top.style == "thin" and ws["E5"].number_format == "General"
    assert ws["C6"].data_type == "e" and ws["E6"].value == 7 and ws["E6"].number_format == "0.00"
    # what openpyxl itself writes: a bool, a Decimal, a format of the cell's own
    assert ws["B7"].value is True and ws["E7"].value == 1.5 and ws["E7"].number_format == PERCENT_FORMAT
    assert ws["C4"].font.color is None and ws["C4"].hyperlink is None


def test_a_long_sheet_ends_with_its_last_row_and_its_heights():
    rows = [[f"单位{i}", i, "公开" * (i % 50 + 1), dt.date(2021, 1, 1) + dt.timedelta(days=i % 365), i / 4, ""]
            for i in range(1, 6001)]
    ws = read(save_workbook(table(rows)))
    assert ws.max_row == 3 + 6000 and ws.dimensions == "A1:F6003"
    last = [c.value for c in ws[6003]]
    assert last == ["单位6000", 6000, "公开" * 1, dt.datetime(2021, 1, 1) + dt.timedelta(days=6000 % 365), 1500.0, None]
    assert ws.row_dimensions[6003].height == 24 and ws.row_dimensions[6002].height == 114  # 1 line; 100 characters in 6
    assert ws.auto_filter.ref == "A3:F6003" and ws.freeze_panes == "A4"
    assert ws["A1"].value == "得分明细" and ws["A3"].value == "单位" and ws["A3"].font.b


def test_control_characters_a_workbook_cannot_hold_are_left_out():
    wb = table([["区财政局\x01", 1, "公开预算\x0b和决算\t。", None, None, None]])
    assert [c.value for c in read(save_workbook(wb))[4]][:3] == ["区财政局", 1, "公开预算和决算\t。"]


def test_workbook_save_writes_the_rows_too():
    wb = table([["区财政局", 1, "公开预算", dt.date(2021, 10, 15), 1.0, None]])
    buf = io.BytesIO()
    wb.save(buf)
    assert [c.value for c in read(buf.getvalue())[4]] == ["区财政局", 1, "公开预算", dt.datetime(2021, 10, 15), 1.0, None]


def test_merged_ranges_keep_their_text_and_borders():
    rows = [[f"单位{i}", i, "同一项要求" if i == 1 else "", None, None, None] for i in range(1, 4)]
    ws = read(save_workbook(table(rows, merges=[(0, 2, 2, 2)])))
    assert "C4:C6" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["C4"].value == "同一项要求" and ws["C4"].border.top.style == "thin"
    assert ws["C6"].border.bottom.style == "thin" and [ws["A6"].value, ws["B6"].value] == ["单位3", 3]
