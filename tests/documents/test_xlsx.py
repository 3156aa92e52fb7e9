"""The .xlsx documents, read back with openpyxl and checked against their inputs."""
import datetime as dt
import io

import openpyxl
import pytest

from duban.documents import (
    annual_report_section_xlsx,
    assessment_xlsx,
    bulletin_xlsx,
    division_table_xlsx,
    unit_task_list_xlsx,
)
from duban.documents.model import units_sentence
from duban.documents.xlsx_docs import DATE_FORMAT, wrapped_lines

from . import samples

pytestmark = pytest.mark.pure


def load(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def merged(ws):
    return {str(r) for r in ws.merged_cells.ranges}


def values(ws, row):
    return [c.value for c in ws[row]]


def assert_sheet_layout(ws, title, ncols, header_row):
    last = openpyxl.utils.get_column_letter(ncols)
    assert ws["A1"].value == title
    assert ws["A1"].font.b
    assert f"A1:{last}1" in merged(ws)
    assert ws.freeze_panes == f"A{header_row + 1}"
    assert ws.print_title_rows in (f"{header_row}:{header_row}", f"${header_row}:${header_row}")
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
    for c in range(1, ncols + 1):
        letter = openpyxl.utils.get_column_letter(c)
        assert ws.column_dimensions[letter].width > 0
        head = ws.cell(row=header_row, column=c)
        assert head.font.b or (head.value is None and head.coordinate in ws.merged_cells)
    assert ws.cell(row=header_row + 1, column=ncols).alignment.wrap_text


# --- 分工方案 ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def division():
    rows = samples.division_rows()
    return rows, load(division_table_xlsx(samples.PLAN, rows)).active


def test_division_layout_and_rows(division):
    rows, ws = division
    assert_sheet_layout(ws, samples.PLAN.title, 6, header_row=3)
    assert ws["A2"].value == "西政办通〔2021〕51号　2021年8月12日"
    assert values(ws, 3) == ["序号", "工作任务", None, "具体要求", "牵头落实单位", "完成时限"]
    assert "B3:C3" in merged(ws)
    assert ws.max_row == 3 + 74
    for i, row in enumerate(rows):
        r = 4 + i
        no = ws.cell(row=r, column=1)
        assert no.value == row.no and no.data_type == "n"  # a number, not text
        assert ws.cell(row=r, column=4).value == row.requirement
        assert ws.cell(row=r, column=5).value == units_sentence(row.lead_units, row.responsible_units)
        assert ws.cell(row=r, column=6).value == row.deadline_text


def test_division_sections_merged_like_the_plan(division):
    rows, ws = division
    ranges = merged(ws)
    assert "B4:B6" in ranges and "C4:C6" in ranges  # 深化重点领域信息公开 / 推进各类规划主动公开
    assert ws["B4"].value == "深化重点领域信息公开" and ws["C4"].value == "推进各类规划主动公开"
    assert ws["B5"].value is None
    assert "B7:C7" in ranges and ws["B7"].value == "推进重大建设项目批准和实施领域信息公开"
    assert "B8:C14" in ranges and ws["B8"].value == "推进财政领域信息公开"
    # one merged range per run of equal headings (every run here covers more than one cell):
    # 18 at the first level, 4 at the second
    first = [rng for rng in ws.merged_cells.ranges if rng.min_col == 2 and rng.min_row > 3]
    assert len(first) == len(samples.section_runs(rows, 0)) == 18
    second = [rng for rng in ws.merged_cells.ranges if rng.min_col == 3 and rng.min_row > 3]
    assert len(second) == 4
    # rows are tall enough for their wrapped text
    assert ws.row_dimensions[4].height < ws.row_dimensions[6].height


def test_division_unmerged_variant_repeats_sections_and_filters():
    rows = samples.division_rows()
    ws = load(division_table_xlsx(samples.PLAN, rows, merge_sections=False)).active
    assert merged(ws) == {"A1:F1", "A2:F2", "B3:C3"}
    assert ws.auto_filter.ref == "A3:F77"
    assert [ws.cell(row=4 + i, column=2).value for i in range(74)] == [r.section[0] for r in rows]
    assert ws["C7"].value is None  # a one-level section leaves the second level empty


# --- 单位任务清单 -----------------------------------------------------------------------


def test_unit_task_list():
    data = samples.unit_task_list()
    ws = load(unit_task_list_xlsx(data)).active
    assert ws.title == "区财政局"
    assert_sheet_layout(ws, "区财政局政务公开工作任务清单", 7, header_row=3)
    assert values(ws, 3) == ["序号", "工作任务", "具体要求", "责任类型", "完成时限", "截止日期", "进展情况"]
    assert ws.max_row == 3 + len(data.rows)
    for i, row in enumerate(data.rows):
        got = values(ws, 4 + i)
        assert got[0] == row.no and got[2] == row.requirement and got[3] == row.role
        assert got[1] == "\n".join(row.section)
        assert got[6] == row.status
        due = ws.cell(row=4 + i, column=6)
        if row.due_date:
            assert due.is_date and due.value == dt.datetime(2021, 10, 29)
            assert due.number_format == DATE_FORMAT
        else:
            assert due.value is None


# --- 督办通报 ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bulletin():
    data = samples.bulletin()
    return data, load(bulletin_xlsx(data))


def test_bulletin_figures_sheet(bulletin):
    data, wb = bulletin
    assert wb.sheetnames == ["总体情况", "各单位情况", "逾期事项", "通报单位"]
    ws = wb["总体情况"]
    assert_sheet_layout(ws, data.title, 2, header_row=3)
    assert ws["A2"].value == "西山区人民政府办公室督办通报　西政办督〔2021〕3号　截至2021年10月14日"
    table = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2) for r in range(4, ws.max_row + 1)}
    assert {k: v.value for k, v in table.items() if not k.endswith("率")} == {
        "任务总数": 74, "已完成": 40, "其中：按时完成": 35, "正在推进": 26, "尚未启动": 2, "逾期未完成": 6}
    assert table["按时完成率"].value == pytest.approx(35 / 74)
    assert table["按时完成率"].number_format == "0.0%"
    assert table["完成率"].value == pytest.approx(40 / 74)


def test_bulletin_per_unit_sheet(bulletin):
    data, wb = bulletin
    ws = wb["各单位情况"]
    assert_sheet_layout(ws, "各单位落实情况", 7, header_row=3)
    assert values(ws, 3) == ["序号", "责任单位", "承担任务", "已完成", "逾期未完成", "按时完成率", "得分"]
    got = [values(ws, r) for r in range(4, ws.max_row + 1)]
    assert got == [[i, u.unit, u.assigned, u.done, u.overdue, u.on_time_rate, u.score]
                   for i, u in enumerate(data.per_unit, 1)]
    assert ws["F4"].number_format == "0.0%" and ws["F4"].data_type == "n"
    assert ws.auto_filter.ref == "A3:G7"


def test_bulletin_overdue_and_named_sheets(bulletin):
    data, wb = bulletin
    ws = wb["逾期事项"]
    assert ws.max_row == 3 + len(data.overdue)
    for i, o in enumerate(data.overdue):
        row = values(ws, 4 + i)
        assert row[1:4] == [o.no, o.unit, o.requirement]
        assert row[4] == dt.datetime.combine(o.due_date, dt.time())
        assert ws.cell(row=4 + i, column=5).number_format == DATE_FORMAT
        assert row[5] == o.days_overdue
    ws = wb["通报单位"]
    assert [values(ws, r)[1:] for r in (4, 5)] == [[u.unit, u.kind, u.reason] for u in data.units_named]


# --- 年度报告部分 -------------------------------------------------------------------------


def test_annual_report_section():
    data = samples.annual_section()
    wb = load(annual_report_section_xlsx(data))
    ws = wb["落实情况"]
    assert_sheet_layout(ws, "西山区2021年政务公开工作要点落实情况", 4, header_row=3)
    assert ws["A2"].value == "2022年1月20日"
    for i, row in enumerate(data.rows):
        got = values(ws, 4 + i)
        assert got[:3] == [row.no, row.requirement, row.done_text]
        link = ws.cell(row=4 + i, column=4)
        if row.urls:
            assert link.value == "\n".join(row.urls)
            assert link.hyperlink.target == row.urls[0]
        else:
            assert link.value is None and link.hyperlink is None
    figures = wb["总体情况"]
    assert figures["A1"].value == "西山区2021年政务公开工作要点完成情况"
    assert figures["B3"].value == 74 and figures["B4"].value == 70


# --- 考评结果 ---------------------------------------------------------------------------


def test_assessment():
    data = samples.assessment()
    ws = load(assessment_xlsx(data)).active
    ncols = 3 + len(data.items) + 2
    assert_sheet_layout(ws, data.title, ncols, header_row=3)
    # units are ranked within their group (区直部门 / 街道 / 其他单位); "不排名" for units listed apart
    assert values(ws, 3) == ["分组", "排名", "单位", *data.items, "总分", "备注"]
    for i, row in enumerate(data.rows):
        got = values(ws, 4 + i)
        assert (got[0] or "") == (row.group or "")
        got = got[1:]
        assert got[:2] == [row.rank if row.rank is not None else "不排名", row.unit]
        assert got[2:-2] == row.breakdown
        assert got[-2] == pytest.approx(row.score)
        assert ws.cell(row=4 + i, column=ncols - 1).data_type == "n"
        assert (got[-1] or "") == row.remark
    note_row = 3 + len(data.rows) + 2
    assert ws.cell(row=note_row, column=1).value == "说明：" + data.notes[0]


def test_wrapped_lines_estimate():
    assert wrapped_lines(None, 10) == 1
    assert wrapped_lines(42, 10) == 1
    # 60 units ≈ 412 px; a 12 pt CJK character is 16 px: about 25 characters a line
    assert wrapped_lines("字" * 25, 60) == 1
    assert wrapped_lines("字" * 60, 60) == 3
    assert wrapped_lines("甲\n乙\n丙", 60) == 3


def test_annual_section_rows_per_unit_report_stay_printable():
    from duban.documents.model import UnitReport

    data = samples.annual_section()
    long_text = "按照要点要求，在门户网站专栏主动公开相关信息，并通过政务新媒体同步发布解读材料。" * 4
    data.rows[0].reports = [UnitReport(f"区第{i}局", long_text, [f"http://www.kmxs.gov.cn/c/{i}.shtml"]) for i in range(36)]
    data.rows[1].reports = [UnitReport("区财政局", "公开了预决算。" * 400)]  # far taller than one row may be
    wb = load(annual_report_section_xlsx(data))
    ws = wb["落实情况"]
    rows = [values(ws, r) for r in range(4, ws.max_row + 1)]
    first = [r for r in rows if r[0] == data.rows[0].no]
    assert len(first) == 36 and [r[2] for r in first] == [f"区第{i}局" for i in range(36)]
    assert first[0][1] == data.rows[0].requirement and all(r[1] is None for r in first[1:])
    assert ws.cell(row=4, column=5).hyperlink.target == "http://www.kmxs.gov.cn/c/0.shtml"
    second = [r for r in rows if r[0] == data.rows[1].no or (r[0] is None and str(r[3]).startswith("（续）"))]
    assert len(second) > 1 and "".join(r[3].removeprefix("（续）") for r in second) == "公开了预决算。" * 400
    for sheet in wb.worksheets:
        heights = [d.height for d in sheet.row_dimensions.values() if d.height is not None]
        assert max(heights) <= 409, sheet.title
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1, sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.print_title_rows, sheet.title
