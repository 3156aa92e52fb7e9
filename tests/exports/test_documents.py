"""Each document generated from the stored data, opened with python-docx / openpyxl and checked
against the database: row counts, numbers, unit names."""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest

from duban.exports import build
from duban.plans.models import Assignment, Task
from tests.assessment.year import AS_OF, CIVIL, EDUCATION, FINANCE, JUSTICE

from duban.documents.common import fullwidth_punctuation

from .reading import docx_tables, docx_text, sheet_rows, workbook

pytestmark = pytest.mark.django_db


# --- (1) the division table --------------------------------------------------------------------


def test_division_table_has_every_task_of_the_plan(seed_plan):
    tasks = list(Task.objects.filter(plan=seed_plan).order_by("no"))
    assert len(tasks) == 74
    name, blob = build.build_division(seed_plan, {"fmt": "docx"})
    assert name == f"{seed_plan.title}.docx"
    [table] = docx_tables(blob)
    header, rows = table[0], table[1:]
    assert header[0] == "序号" and header[-3:] == ["具体要求", "牵头落实单位", "完成时限"]
    assert [int(r[0]) for r in rows] == [t.no for t in tasks]
    for r, t in zip(rows, tasks):
        # the plan's text, with the half-width commas the PDF gave it set full-width in Chinese
        assert r[-3] == fullwidth_punctuation(t.requirement)
        # every unit of the task once: named (the directory's name) or counted in a group phrase
        names = list(Assignment.objects.filter(task=t, archived_at__isnull=True).values_list("unit__name", flat=True))
        counted = sum(int(n) for n in re.findall(r"（共(\d+)个单位）", r[-2]))
        assert counted + sum(1 for n in names if n in r[-2]) == len(names), (t.no, r[-2])
    assert any("," in t.requirement for t in tasks)
    assert not any("," in r[-3] for r in rows)
    assert rows[0][1] == "深化重点领域信息公开"
    assert seed_plan.title in docx_text(blob)

    name, blob = build.build_division(seed_plan, {"fmt": "xlsx"})
    ws = workbook(blob)["分工方案"]
    header, rows = sheet_rows(ws)
    assert len(rows) == 74
    assert [r[0] for r in rows] == [t.no for t in tasks]
    t21 = next(t for t in tasks if t.no == 21)
    assert rows[20][-3] == fullwidth_punctuation(t21.requirement)
    assert rows[20][-1] == "待定（未确定）"  # the seed gives task 21 no deadline  # the seed gives task 21 no deadline
    assert ws["A1"].value == seed_plan.title


# --- (2) unit task lists -----------------------------------------------------------------------------


def test_a_units_task_list(seed_plan, unit):
    finance = unit("区财政局")
    mine = list(Assignment.objects.filter(task__plan=seed_plan, unit=finance).select_related("task").order_by("task__no"))
    name, blob = build.build_unit_lists(seed_plan, {"fmt": "docx", "unit": finance.pk})
    assert name == "区财政局-任务清单.docx"
    [table] = docx_tables(blob)
    assert [int(r[0]) for r in table[1:]] == [a.task.no for a in mine]
    assert [r[3] for r in table[1:]] == [a.get_role_display() for a in mine]
    leads = sum(a.role == "lead" for a in mine)
    assert f"区财政局共承担任务{len(mine)}项，其中牵头{leads}项、负责落实{len(mine) - leads}项。" in docx_text(blob)

    name, blob = build.build_unit_lists(seed_plan, {"fmt": "xlsx", "unit": finance.pk})
    header, rows = sheet_rows(workbook(blob).active)
    assert [r[0] for r in rows] == [a.task.no for a in mine]
    assert [r[2] for r in rows] == [a.task.requirement for a in mine]


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_all_units_in_one_zip(seed_plan, fmt):
    """One list per unit of the plan, none missing, each with exactly that unit's tasks and roles, in task order."""
    from duban.assessment.figures import working_assignments

    mine: dict[str, list] = {}
    for unit_name, no, role in working_assignments(seed_plan).order_by("task__no", "role").values_list("unit__name", "task__no", "role"):
        mine.setdefault(unit_name, []).append((no, {"lead": "牵头", "responsible": "负责落实"}[role]))
    assert len(mine) > 30 and len({tuple(rows) for rows in mine.values()}) > 20  # the units' lists differ
    name, blob = build.build_unit_lists(seed_plan, {"fmt": fmt})
    assert name.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        assert sorted(zf.namelist()) == sorted(f"{u}-任务清单.{fmt}" for u in mine)
        for unit_name, expected in mine.items():
            member = zf.read(f"{unit_name}-任务清单.{fmt}")
            if fmt == "docx":
                [table] = docx_tables(member)
                rows = [(int(r[0]), r[3]) for r in table[1:]]
                assert f"{unit_name}共承担任务{len(expected)}项" in docx_text(member)
            else:
                _, data = sheet_rows(workbook(member).active)
                rows = [(r[0], r[3]) for r in data]
            assert rows == expected, unit_name


# --- (3) the 督办通报 -----------------------------------------------------------------------------------


def bulletin_params(plan, **extra):
    s = build.bulletin_suggestions(plan, AS_OF)
    params = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in s.items()}
    params.update(extra)
    return params


def test_bulletin_suggestions_name_late_units_and_praise_punctual_ones(year):
    # 12-31: 财政 has 2 of its 3 due tasks on time (66.7%) and task 2 overdue: named only under a threshold above that
    s = build.bulletin_suggestions(year.plan, AS_OF, threshold=70)
    named = build.parse_named(s["named"])
    assert [(n.unit, n.kind) for n in named] == [(FINANCE, "通报批评")]
    assert "第2项" not in named[0].reason and "逾期未完成1项" in named[0].reason and "45个工作日" in named[0].reason
    assert build.parse_named(build.bulletin_suggestions(year.plan, AS_OF, threshold=60)["named"]) == []
    assert s["doc_number"] == "" and s["issuer"] == "昆明市西山区人民政府办公室"  # the number is given on issue
    # on 2021-10-10: 财政 on time (praise); 司法 overdue (returned 10-09); 民政's report of 10-08 awaits
    # review — the office's backlog, so 民政 is not criticised
    early = build.parse_named(build.bulletin_suggestions(year.plan, dt.date(2021, 10, 10))["named"])
    assert {(n.unit, n.kind) for n in early} == {(JUSTICE, "通报批评"), (FINANCE, "通报表扬")}


def test_bulletin_docx_and_xlsx(year):
    params = bulletin_params(year.plan, fmt="docx", doc_number="第3期", date="2022-01-04",
                             named="区财政局｜通报批评｜有1项任务逾期未完成。\n区民政局 | 通报表扬 | 按时完成。", with_score=True)
    name, blob = build.build_bulletin(year.plan, params)
    assert name == "督办通报（第3期）-20211231.docx"
    text = docx_text(blob)
    # tasks: 1 done (all three units, 民政/司法 late), 2 overdue (财政), 3 not done but due today, 4 not done, 5 not due
    assert "5项任务中已到期3项；所有责任单位均已完成的1项（其中按时0项）" in text and "有单位逾期未完成的1项" in text
    # assignments: 12, due 9 (tasks 1–3), done 6 of them, 3 on time (财政1, 民政2, 财政3); 财政2 overdue
    assert "共12项任务分工" in text and "已到完成时限的9项，已完成6项（按时完成3项、逾期完成3项），完成率66.7%，按时完成率33.3%" in text
    assert "逾期未完成1项" in text
    assert "第3期" in text and "2022年1月4日" in text
    assert "区财政局：有1项任务逾期未完成。" in text and "区民政局：按时完成。" in text
    tables = docx_tables(blob)
    per_unit = next(t for t in tables if t[0][1] == "责任单位")
    overdue = next(t for t in tables if t[0][1] == "任务编号")
    assert per_unit[0] == ["序号", "责任单位", "承担任务", "已到期", "其中已完成", "其中按时完成", "已报送待审核", "逾期未完成",
                           "完成率", "按时完成率", "得分"]
    rows = {r[1]: r[2:] for r in per_unit[1:]}
    # rates divide by what was due (财政5 and the tasks without a due date are not in the denominator)
    assert rows == {FINANCE: ["4", "3", "2", "2", "0", "1", "66.7%", "66.7%", "62.29"],
                    CIVIL: ["3", "2", "2", "1", "0", "0", "100.0%", "50.0%", "96.64"],
                    JUSTICE: ["2", "2", "1", "0", "0", "0", "50.0%", "0.0%", "16.75"],
                    EDUCATION: ["3", "2", "1", "0", "1", "0", "50.0%", "0.0%", "37.5"]}  # task 3 awaits review: not scored
    assert overdue[1:] == [["1", "2", FINANCE, year.tasks[2].requirement, "2021年10月29日", "63", "45"]]

    name, blob = build.build_bulletin(year.plan, {**params, "fmt": "xlsx"})
    wb = workbook(blob)
    assert wb.sheetnames == ["总体情况", "各单位情况", "逾期事项", "通报单位"]
    _, units = sheet_rows(wb["各单位情况"])
    assert {r[1]: (r[2], r[3], r[4], r[7]) for r in units} == {FINANCE: (4, 3, 2, 1), CIVIL: (3, 2, 2, 0), JUSTICE: (2, 2, 1, 0),
                                                                 EDUCATION: (3, 2, 1, 0)}
    assert [r[1] for r in units] == [EDUCATION, CIVIL, JUSTICE, FINANCE]  # the directory's order
    _, late = sheet_rows(wb["逾期事项"])
    assert [(r[1], r[2], r[5], r[6]) for r in late] == [(2, FINANCE, 63, 45)]
    _, named = sheet_rows(wb["通报单位"])
    assert [(r[1], r[2]) for r in named] == [(FINANCE, "通报批评"), (CIVIL, "通报表扬")]


# --- (4) the annual report section -----------------------------------------------------------------------


def test_annual_report_section(year):
    name, blob = build.build_annual(year.plan, {"fmt": "docx", "as_of": "2021-12-31", "appendix": True})
    assert name == "2021年政务公开工作要点落实情况.docx"
    table = docx_tables(blob)[-1]  # the liaisons' texts: in the appendix
    rows = {int(r[0]): r for r in table[1:]}
    assert sorted(rows) == [1, 2, 3, 4, 5]
    # task 1: the three accepted reports, one per unit; the evidence link of 财政's
    assert sorted(rows[1][2].splitlines()) == sorted([f"{FINANCE}：{FINANCE}已完成第1项（第1次报送）。（2021年9月30日公开）",
                                       f"{CIVIL}：{CIVIL}已完成第1项（第1次报送）。（2021年10月8日公开）",
                                       f"{JUSTICE}：{JUSTICE}已完成第1项（第2次报送）。（2021年10月12日公开）"])
    assert rows[1][3] == "http://www.kmxs.gov.cn/c/2021-09-30/1.shtml"
    assert "http://www.kmxs.gov.cn/c/2021-10-29/2.shtml" in rows[2][3] and "http://www.kmxs.gov.cn/c/2021-12-31/3.shtml" in rows[2][3]
    assert rows[5][2] == "尚未办结。"
    text = docx_text(blob)
    assert "（统计截止2021年12月31日）" in text and "所有责任单位均已完成的1项" in text

    name, blob = build.build_annual(year.plan, {"fmt": "xlsx", "as_of": "2021-12-31"})
    wb = workbook(blob)
    header, rows = sheet_rows(wb["落实情况"])
    assert header == ["序号", "工作要点", "责任单位", "落实情况", "公开地址"]
    # one row per accepted report (task 1: three units), the requirement on a task's first row only
    nos = [r[0] for r in rows]
    assert nos == sorted(nos) and set(nos) == {1, 2, 3, 4, 5}
    task1 = [r for r in rows if r[0] == 1]
    assert sorted(r[2] for r in task1) == sorted([FINANCE, CIVIL, JUSTICE])
    assert [r[1] for r in task1].count(None) == 2
    finance1 = next(r for r in task1 if r[2] == FINANCE)
    assert finance1[3] == f"{FINANCE}已完成第1项（第1次报送）。（2021年9月30日公开）"
    assert finance1[4] == "http://www.kmxs.gov.cn/c/2021-09-30/1.shtml"
    task3 = [r for r in rows if r[0] == 3]
    assert [(r[2], r[4]) for r in task3] == [(FINANCE, "http://www.kmxs.gov.cn/c/2021-12-15/4.shtml")]  # 教体 accepted in 2022
    assert [r[3] for r in rows if r[0] == 5] == ["尚未办结。"]
    assert all(h is None or h <= 409 for h in (d.height for d in wb["落实情况"].row_dimensions.values()))
    figures = {r[0]: r[1] for r in wb["总体情况"].iter_rows(values_only=True) if r[0]}
    assert figures["任务总数"] == 5 and figures["已完成"] == 1 and figures["逾期未完成"] == 1
    assert figures["截至统计日已到期"] == 3  # tasks 1–3; task 4 has no due date, task 5 is due in 2022


# --- (5) the assessment table ----------------------------------------------------------------------------


def test_assessment_table_with_ranking_and_breakdown(year):
    name, blob = build.build_assessment(year.plan, {"fmt": "docx", "as_of": "2021-12-31", "date": "2022-01-10"})
    assert name == "2021年度政务公开工作考评结果-20211231.docx"
    [table] = docx_tables(blob)  # one group: all four are 区直部门 (局)
    assert table[0] == ["排名", "单位", "计分任务", "应得分", "实得分", "得分率（%）", "退回扣分", "其他扣分", "总分", "备注"]
    # 教体 and 司法 are scored on two assignments each (教体's task 3 awaits review): listed apart
    assert [r[:3] + [r[8]] for r in table[1:]] == [["1", CIVIL, "3", "96.64"], ["2", FINANCE, "3", "62.29"],
                                                     ["不排名", EDUCATION, "2", "37.5"], ["不排名", JUSTICE, "2", "16.75"]]
    assert table[1][3:8] == ["5", "4.88", "97.64", "1", "0"]  # 民政: 5 possible, 4.882 earned, two returns
    assert "退回2次" in table[1][9]
    assert table[3][9].startswith("任务较少，不参与排名；") and "待审核1项未计分" in table[3][9]
    text = docx_text(blob)
    assert "逾期完成每晚一个工作日扣减2个百分点" in text and "一、区直部门" in text
    assert "已报送、尚未审核的任务分工（本期1项）暂不计分" in text

    name, blob = build.build_assessment(year.plan, {"fmt": "xlsx", "as_of": "2021-12-31"})
    wb = workbook(blob)
    header, rows = sheet_rows(wb["考评结果"], first_header="分组")
    assert [(r[0], r[1], r[2], r[9]) for r in rows[:4]] == [
        ("区直部门", 1, CIVIL, 96.64), ("区直部门", 2, FINANCE, 62.29), ("区直部门", "不排名", EDUCATION, 37.5), ("区直部门", "不排名", JUSTICE, 16.75)]
    header, detail = sheet_rows(wb["得分明细"], first_header="单位")
    assert len(detail) == Assignment.objects.filter(task__plan=year.plan).count()
    justice_1 = next(r for r in detail if r[0] == JUSTICE and r[1] == 1)
    assert tuple(justice_1[6:13]) == ("逾期完成", dt.datetime(2021, 10, 12), 4, 0.92, "中", 1, 0.69)
    education_3 = next(r for r in detail if r[0] == EDUCATION and r[1] == 3)
    assert (education_3[6], education_3[9], education_3[12]) == ("待审核（未计分）", None, None)


def test_an_undecided_deadline_is_written_as_undecided_and_the_documents_page_says_so(seed_plan, coordinator, client):
    """Tasks 21, 55 and 68 of the seed have no 完成时限: no document passes them off as dated, and the
    documents page warns before anything is issued."""
    undecided = {21, 55, 68}
    assert set(Task.objects.filter(plan=seed_plan, deadline_kind="").values_list("no", flat=True)) == undecided
    _, blob = build.build_division(seed_plan, {"fmt": "docx"})
    rows = docx_tables(blob)[0][1:]
    written = {int(r[0]): r[-1] for r in rows}
    assert {no for no, d in written.items() if d == "待定（未确定）"} == undecided
    assert written[2] == "10月31日前完成"  # the plan's own words where the deadline was read
    client.force_login(coordinator)
    page = client.get(f"/plans/{seed_plan.pk}/documents/").content.decode()
    unsettled = seed_plan.plan_warnings.filter(settled_at__isnull=True).count()
    assert f"本方案还有{unsettled}条待处理提示，其中3项任务的完成时限尚未确定" in page
    printed = client.get(f"/plans/{seed_plan.pk}/print/").content.decode()
    assert printed.count("待定（未确定）") == 3
    # once the coordinator sets it, the documents write the date
    task = Task.objects.get(plan=seed_plan, no=21)
    Task.objects.filter(pk=task.pk).update(deadline_kind="date", deadline_date=dt.date(2021, 11, 30))
    _, blob = build.build_division(seed_plan, {"fmt": "docx"})
    assert {int(r[0]): r[-1] for r in docx_tables(blob)[0][1:]}[21] == "2021年11月30日前"


def test_the_documents_page_offers_each_unit_with_work_in_force_in_the_plan_once_in_directory_order(seed_plan, org, coordinator, client):
    from duban.directory.models import Unit
    from tests.pages_data import copy_plan

    finance = Unit.objects.get(org=org, name="区财政局")
    only_archived = Assignment.objects.filter(task__plan=seed_plan).exclude(unit=finance).values_list("unit", flat=True).first()
    copy_plan(seed_plan, 2020)  # the unit whose work here is archived below has work in force in this other plan
    Assignment.objects.filter(task__plan=seed_plan, unit=only_archived).update(archived_at=dt.datetime(2021, 5, 1, tzinfo=dt.timezone.utc))
    client.force_login(coordinator)
    page = client.get(f"/plans/{seed_plan.pk}/documents/").content.decode()
    offered = [int(pk) for pk in re.findall(r'<option value="(\d+)">', page.split('name="unit"', 1)[1].split("</select>", 1)[0])]
    expected = list(Unit.objects.filter(assignments__in=Assignment.objects.filter(task__plan=seed_plan)).distinct()
                    .order_by("sort_order", "name").values_list("pk", flat=True))
    assert offered == expected and finance.pk in offered and only_archived not in offered


# --- text a workbook or a Word file cannot hold ----------------------------------------------------------


def test_control_characters_in_stored_text_are_left_out_of_every_document_not_a_failed_export(year):
    """Word's line break (\\x0b) pasted into a requirement, and a stray \\x01 in a liaison's report (the API and
    the forms accept both): the .docx and .xlsx are made, with the text as it reads, not 生成失败."""
    from duban.progress.models import Report

    task = Task.objects.filter(plan=year.plan, no=1).get()
    Task.objects.filter(pk=task.pk).update(requirement="公开预算\x0b和决算\x0c。")
    report = Report.objects.filter(assignment__task=task, outcome="accepted", assignment__unit__name=FINANCE).latest("id")
    Report.objects.filter(pk=report.pk).update(text="第一段\x0b第二段\x01。")

    _, blob = build.build_division(year.plan, {"fmt": "docx"})
    [table] = docx_tables(blob)
    assert [r[-3] for r in table[1:] if r[0] == "1"] == ["公开预算和决算。"]
    _, blob = build.build_annual(year.plan, {"fmt": "docx", "as_of": "2021-12-31", "appendix": True})
    appendix = {r[0]: r for r in docx_tables(blob)[-1][1:]}
    assert f"{FINANCE}：第一段 第二段。（2021年9月30日公开）" in appendix["1"][2].splitlines()  # a line break read as a space
    _, blob = build.build_annual(year.plan, {"fmt": "xlsx", "as_of": "2021-12-31"})
    _, rows = sheet_rows(workbook(blob)["落实情况"])
    assert "第一段 第二段。（2021年9月30日公开）" in [r[3] for r in rows if r[0] == 1 and r[2] == FINANCE]
