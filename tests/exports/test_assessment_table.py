"""The 考评表 (.docx and .xlsx) of tests/assessment/comparable.py: groups ranked apart, the 2-task unit
listed apart, the awaiting-review note, the title at mid-year and at the year's end, column widths
that follow the content, and the print setup and row heights of every sheet."""
from __future__ import annotations

import io

import docx
import docx.shared
import pytest

from duban.documents.common import text_width_chars
from duban.exports import build
from duban.plans.models import Task
from tests.assessment.comparable import CIVIL, FINANCE, JUSTICE, MAJIE, QIANWEI, TAX, build as build_plan

from .reading import docx_tables, docx_text, sheet_rows, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(org):
    return build_plan(org)[0]


def assessment(plan, fmt, as_of="2021-12-31"):
    return build.build_assessment(plan, {"fmt": fmt, "as_of": as_of, "date": "2022-01-10"})


@pytest.mark.parametrize("as_of, title", [
    ("2021-06-30", "2021年政务公开工作考评结果（截至2021年6月30日）"),
    ("2021-12-30", "2021年政务公开工作考评结果（截至2021年12月30日）"),
    ("2021-12-31", "2021年度政务公开工作考评结果"),
    ("2022-01-15", "2021年度政务公开工作考评结果"),
])
def test_title_says_年度_only_once_the_year_is_over(plan, as_of, title):
    name, blob = assessment(plan, "xlsx", as_of)
    assert workbook(blob)["考评结果"]["A1"].value == title
    assert name.startswith(title + "-")
    name, blob = assessment(plan, "docx", as_of)
    first = docx.Document(io.BytesIO(blob)).paragraphs[0].text
    assert first.replace("\n", "") == title


def test_docx_ranks_each_group_in_its_own_table(plan):
    _, blob = assessment(plan, "docx")
    text = docx_text(blob)
    assert text.index("一、区直部门") < text.index("二、街道") < text.index("三、其他单位")
    district, streets, other = docx_tables(blob)
    assert [(r[0], r[1], r[8]) for r in district[1:]] == [("1", FINANCE, "95"), ("2", CIVIL, "90"), ("不排名", JUSTICE, "100")]
    assert district[3][9].startswith("任务较少，不参与排名")
    assert [(r[0], r[1], r[8]) for r in streets[1:]] == [("1", MAJIE, "100"), ("2", QIANWEI, "66.67")]
    assert "待审核1项未计分" in streets[2][9]
    assert streets[2][2:6] == ["3", "3", "2", "66.67"]  # scored, possible, earned, 得分率: task 4 is out
    assert [(r[0], r[1]) for r in other[1:]] == [("1", TAX)]
    assert "计分任务少于3项的单位列于本组之后" in text


def test_docx_column_widths_follow_the_content(plan):
    _, blob = assessment(plan, "docx")
    d = docx.Document(io.BytesIO(blob))
    section = d.sections[0]
    text_width = docx.shared.Emu(section.page_width - section.left_margin - section.right_margin).mm
    for table in d.tables:
        widths = [c.width.mm for c in table.columns]
        assert sum(widths) == pytest.approx(text_width, abs=1.5)
        unit, numbers, remark = widths[1], widths[2:-1], widths[-1]
        assert unit >= 7 * 10.5 * 0.3528  # "马街街道办事处" on one line at 五号
        assert remark > max(numbers) and unit > max(numbers)
        # the longest remark wraps onto two lines at most (a fixed 30 mm column took four)
        longest = max(text_width_chars(row.cells[-1].text) for row in table.rows[1:])
        assert remark >= longest * 10.5 * 0.3528 / 2
        assert max(numbers) < 2 * min(numbers) + 8  # the number columns are alike, none starved


def test_xlsx_groups_and_rows(plan):
    _, blob = assessment(plan, "xlsx")
    header, rows = sheet_rows(workbook(blob)["考评结果"], first_header="分组")
    assert header[:3] == ["分组", "排名", "单位"] and header[6] == "得分率（%）"
    ranked = [(r[0], r[1], r[2], r[9]) for r in rows if r[2]]
    assert ranked == [("区直部门", 1, FINANCE, 95.0), ("区直部门", 2, CIVIL, 90.0), ("区直部门", "不排名", JUSTICE, 100.0),
                      ("街道", 1, MAJIE, 100.0), ("街道", 2, QIANWEI, 66.67), ("其他单位", 1, TAX, 100.0)]


def test_every_sheet_prints_landscape_fitted_to_width_with_its_header_repeated(plan):
    # a requirement far longer than one row can show: the breakdown sheet goes on in continuation rows
    long_text = "按照“谁制作、谁公开，谁保存、谁公开”的原则，做好政府信息主动公开工作。" * 120
    Task.objects.filter(plan=plan, no=1).update(requirement=long_text)
    _, blob = assessment(plan, "xlsx")
    wb = workbook(blob)
    assert wb.sheetnames == ["考评结果", "得分明细"]
    for ws in wb.worksheets:
        header_row = next(r for r in range(1, 5) if ws.cell(row=r, column=1).value in ("分组", "单位"))
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.paperSize == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0), ws.title
        assert ws.print_title_rows == f"${header_row}:${header_row}", ws.title
        heights = [d.height for d in ws.row_dimensions.values() if d.height is not None]
        assert heights and max(heights) <= 409, ws.title
    ws = wb["得分明细"]
    assert ws["A1"].value == "得分明细（截至2021年12月31日）"
    header, rows = sheet_rows(ws, first_header="单位")
    col = header.index("具体要求")
    first = next(i for i, r in enumerate(rows) if r[0] == FINANCE and r[1] == 1)
    pieces = [rows[first][col]]
    for r in rows[first + 1:]:
        if r[0] not in (None, ""):
            break
        assert r[col].startswith("（续）")
        pieces.append(r[col][len("（续）"):])
    assert len(pieces) > 1 and "".join(pieces) == long_text  # nothing lost, nothing cut off
    assert all(c.alignment.wrap_text for c in ws[ws.min_row + 2])
