"""The Excel template offered on the upload page: it downloads, and once filled in (here with openpyxl, the
way a person fills it in Excel) it is read into exactly the tasks typed, and imports through the upload."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from duban.ingest import Deadline, parse
from duban.plans.models import Assignment, Plan

from .test_import import upload

HEADER = ["序号", "工作任务", "具体要求", "牵头单位", "责任单位", "完成时限", "备注"]
TITLE = "西山区2023年政务公开工作要点分工方案"


def download(client) -> bytes:
    r = client.get("/plans/upload/template.xlsx")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert r["Content-Disposition"] == "attachment; filename*=utf-8''%E5%88%86%E5%B7%A5%E6%96%B9%E6%A1%88%E6%A8%A1%E6%9D%BF.xlsx"
    return r.content


@pytest.fixture
def blank(client, coordinator) -> bytes:
    client.force_login(coordinator)
    return download(client)


def fill(blank: bytes, rows, title: str = TITLE, merge_section: tuple[int, int] | None = None) -> bytes:
    """Type the rows into the plan sheet from row 3, as a person would; merge_section=(first, last)
    merges the 工作任务 cells of those rows (1-based task rows)."""
    wb = openpyxl.load_workbook(io.BytesIO(blank))
    ws = wb["分工方案"]
    ws["A1"] = title
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row, start=1):
            if value not in ("", None):
                ws.cell(row=r, column=c, value=value)
    if merge_section:
        first, last = merge_section
        ws.merge_cells(start_row=first + 2, start_column=2, end_row=last + 2, end_column=2)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


ROWS = [
    [1, "推进财政信息公开", "做好财政预决算公开工作，及时公开财政资金直达基层有关信息。", "区财政局", "区政府各办、局，各街道办事处", "2023年10月31日前", "第一项"],
    [2, "", "推动补贴信息公开向村和社区延伸。", "区农业农村局、区民政局", "各街道办事处", dt.datetime(2023, 6, 30), ""],
    [3, "强化政策解读", "加强政策解读，回应社会关切。\n重要政策文件与解读材料同步发布。", "区政府办公室", "区发展改革局、区司法局", "长期坚持", ""],
    [4, "强化政策解读", "编制年度政府信息公开工作报告。", "", "区政府办公室", "文件成文后20个工作日内", "无牵头单位"],
]


def test_the_template_downloads_ready_to_fill_and_print(blank, org):
    wb = openpyxl.load_workbook(io.BytesIO(blank))
    assert wb.sheetnames == ["填写说明", "分工方案"]
    ws = wb["分工方案"]
    assert wb.active.title == "分工方案"  # it opens on the sheet to fill in
    assert ws["A1"].value == f"西山区{timezone.localdate().year}年政务公开工作要点分工方案"
    assert "A1:G1" in {str(r) for r in ws.merged_cells.ranges}
    assert [c.value for c in ws[2]] == HEADER
    assert all(c.comment is not None and c.comment.text for c in ws[2])  # each header says how to fill its column
    assert ws.max_row > 2 and all(c.value is None for row in ws.iter_rows(min_row=3) for c in row)  # nothing to delete
    assert ws["C3"].alignment.wrap_text and ws["C3"].border.left.style == "thin"
    assert ws.column_dimensions["C"].width > ws.column_dimensions["A"].width
    assert ws["C3"].number_format == "@" and ws["A3"].number_format == "General"
    assert (ws.page_setup.orientation, int(ws.page_setup.paperSize)) == ("landscape", 9)  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1  # the width fits the page
    assert ws.print_title_rows == "$1:$2"  # the title and the header on every printed page
    assert ws.freeze_panes == "A3"
    help_sheet = wb["填写说明"]
    text = "\n".join(str(c.value) for row in help_sheet.iter_rows() for c in row if c.value)
    assert "每项任务填一行" in text and "推进财政信息公开" in text  # the instructions and the example
    assert [c.value for c in help_sheet[6]] == ["栏目", "示例", "填写要求"]


def test_only_coordinators_download_it(client, leader, liaison):
    for user in (leader, liaison):
        client.force_login(user)
        assert client.get("/plans/upload/template.xlsx").status_code == 403
    client.logout()
    assert client.get("/plans/upload/template.xlsx").status_code == 302  # to the login page


def test_the_upload_page_links_to_it(client, coordinator):
    client.force_login(coordinator)
    assert 'href="/plans/upload/template.xlsx"' in client.get("/plans/upload/").content.decode()


def test_a_filled_template_reads_into_exactly_the_tasks(blank):
    plan = parse(fill(blank, ROWS, merge_section=(1, 2)), "分工方案模板.xlsx")
    assert (plan.title, plan.year) == (TITLE, 2023)
    assert plan.warnings == ["没有找到文号", "没有找到成文日期"]  # true of every template: it has neither
    got = [
        (t.no, t.section, t.requirement, t.lead_units, t.responsible_units, t.unit_groups, t.deadline_text, t.deadline, t.warnings)
        for t in plan.tasks
    ]
    assert got == [
        (1, ["推进财政信息公开"], "做好财政预决算公开工作，及时公开财政资金直达基层有关信息。", ["区财政局"], [],
         ["区政府各办、局", "各街道办事处"], "2023年10月31日前", Deadline(kind="date", date=dt.date(2023, 10, 31)), []),
        (2, ["推进财政信息公开"], "推动补贴信息公开向村和社区延伸。", ["区农业农村局", "区民政局"], [],
         ["各街道办事处"], "2023年6月30日", Deadline(kind="date", date=dt.date(2023, 6, 30)), []),
        # A line break typed in a cell (Alt+Enter) is joined, as in every reader: the text is kept whole.
        (3, ["强化政策解读"], "加强政策解读，回应社会关切。重要政策文件与解读材料同步发布。", ["区政府办公室"],
         ["区发展改革局", "区司法局"], [], "长期坚持", Deadline(kind="ongoing"), []),
        (4, ["强化政策解读"], "编制年度政府信息公开工作报告。", [], ["区政府办公室"], [], "文件成文后20个工作日内",
         Deadline(kind="after_event", event="文件成文", working_days=20), []),
    ]


def test_a_template_without_sections_reads_too(blank):
    rows = [[no, "", requirement, lead, resp, deadline, ""] for no, _, requirement, lead, resp, deadline, _ in ROWS]
    plan = parse(fill(blank, rows), "模板.xlsx")
    assert [(t.no, t.section) for t in plan.tasks] == [(1, []), (2, []), (3, []), (4, [])]
    assert all(t.warnings == [] for t in plan.tasks)


def test_a_filled_template_imports_through_the_upload(client, blank, unit):
    r = upload(client, fill(blank, ROWS, merge_section=(1, 2)), "分工方案模板.xlsx")
    plan = Plan.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/plans/{plan.pk}/review/"  # 文号 and 成文日期 to settle
    assert plan.title == TITLE and plan.tasks.count() == 4
    assert list(plan.plan_warnings.values_list("message", flat=True).order_by("id")) == ["没有找到文号", "没有找到成文日期"]
    def units(no, role):
        return set(Assignment.objects.filter(task__plan=plan, task__no=no, role=role).values_list("unit__name", flat=True))
    assert units(3, "lead") == {"区政府办公室"} and units(3, "responsible") == {"区发展改革局", "区司法局"}
    assert units(4, "lead") == set() and units(4, "responsible") == {"区政府办公室"}
    streets = units(2, "responsible")  # 各街道办事处: the ten streets
    assert len(streets) == 10 and all(name.endswith("街道办事处") for name in streets)
    assert plan.tasks.get(no=2).deadline_date == dt.date(2023, 6, 30)
    assert client.get(f"/plans/{plan.pk}/").status_code == 200


def test_an_unfilled_template_is_refused_in_chinese(client, blank):
    r = upload(client, blank, "分工方案模板.xlsx")
    assert r.status_code == 400
    assert "没有任何任务" in r.content.decode()
    assert Plan.objects.count() == 0
