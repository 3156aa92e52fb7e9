"""Assessment-indicator tables (一级指标 … 五级指标 · 责任科室): tasks with their scores kept apart."""
import pytest

from duban.ingest import parse
from duban.ingest.readers import RawDocument, Row
from duban.ingest.table import build_plan, split_score

from tests.ingest.builders import build_docx

pytestmark = pytest.mark.pure
TITLE = ["某某县教育局2022年度政务公开重点工作任务分解", "2022年3月10日"]
HEADER = ["一级指标", "二级指标", "三级指标", "四级指标", "责任科室"]


def test_score_tails_leave_the_text():
    assert split_score("是否公开本地区招生政策(0.25") == ("是否公开本地区招生政策", 0.25)
    assert split_score("是否公开监督检查情况等0.5") == ("是否公开监督检查情况等", 0.5)
    assert split_score("学前教育(2") == ("学前教育", 2.0)
    assert split_score("公开2022年招生计划") == ("公开2022年招生计划", None)  # a year is not a score


def test_rows_with_cells_merged_down_written_on_their_first_row_only():
    """As copied from a web page: merged cells (and their scores) appear on the first row of their group."""
    rows = [
        HEADER,
        ["主动公开", "10", "教育信息", "4", "招生入学", "2", "是否及时公开义务教育招生政策(1", "基础教育科"],
        ["是否按季度公开学位供给情况(1", "基础教育科", "发展规划科"],
        ["学生资助", "2", "是否公开资助政策和受助名单(2", "学生资助中心"],
        # the same block repeated at the top of the next page: headings only, no task
        ["主动公开", "10", "教育信息", "4", "学生资助", "2"],
        ["是否在规定时间内公开资助资金发放", "情况(0.5", "学生资助中心"],
    ]
    plan = build_plan(RawDocument(format="test", rows=[Row([p]) for p in TITLE] + [Row(r, table=0) for r in rows]))
    assert [t.no for t in plan.tasks] == [1, 2, 3, 4]
    t1, t2, t3, t4 = plan.tasks
    assert t1.section == ["主动公开", "教育信息", "招生入学"] and t1.requirement == "是否及时公开义务教育招生政策"
    assert t1.score == 1 and t1.responsible_units == ["基础教育科"]
    assert t2.section == t1.section and t2.responsible_units == ["基础教育科", "发展规划科"]
    assert t2.deadline.kind == "recurring" and any("取自具体要求" in w for w in t2.warnings)
    assert t3.section == ["主动公开", "教育信息", "学生资助"] and t3.score == 2
    # a cell cut by the page break is joined; the repeated headings made no task
    assert t4.requirement == "是否在规定时间内公开资助资金发放情况" and t4.score == 0.5
    assert t4.responsible_units == ["学生资助中心"]


def test_indicator_table_in_word_with_merged_cells():
    rows = [
        HEADER,
        ["主动公开", "教育信息", "招生入学", "是否及时公开义务教育招生政策（1分）", "基础教育科"],
        ["主动公开", "教育信息", "招生入学", "是否公开学位供给情况（1分）", "基础教育科"],
        ["主动公开", "教育信息", "学生资助", "是否公开资助政策和受助名单（2分）", "学生资助中心"],
    ]
    plan = parse(build_docx(TITLE, rows, vmerge_col=0), "plan.docx")
    assert [(t.section[-1], t.requirement, t.score, t.responsible_units) for t in plan.tasks] == [
        ("招生入学", "是否及时公开义务教育招生政策", 1, ["基础教育科"]),
        ("招生入学", "是否公开学位供给情况", 1, ["基础教育科"]),
        ("学生资助", "是否公开资助政策和受助名单", 2, ["学生资助中心"]),
    ]


def test_paragraph_per_cell_text_with_row_ends():
    """Text copied from a page whose table cells became paragraphs; a line holding a space ends a row."""
    cells = [HEADER, ["主动公开", "教育信息", "招生入学", "是否及时公开义务教育招生政策(1", "基础教育科"],
             ["是否公开学位供给情况(1", "基础教育科"]]
    text = "\n".join(TITLE) + "\n\n" + "\n \n".join("\n\n".join(row) for row in cells) + "\n \n"
    plan = parse(text.encode("utf-8"), "plan.txt")
    assert [(t.requirement, t.responsible_units) for t in plan.tasks] == [
        ("是否及时公开义务教育招生政策", ["基础教育科"]), ("是否公开学位供给情况", ["基础教育科"])]


def test_deadline_taken_from_a_note_column_when_there_is_no_deadline_column():
    rows = [
        ["序号", "工作任务", "责任单位", "备注"],
        ["1", "公开年度招生计划。", "县教育局", "6月底前完成"],
        ["2", "公开学生资助政策。", "县教育局", ""],
    ]
    plan = build_plan(RawDocument(format="test", rows=[Row([p]) for p in TITLE] + [Row(r, table=0) for r in rows]))
    t1, t2 = plan.tasks
    assert t1.deadline.date.isoformat() == "2022-06-30" and any("备注" in w for w in t1.warnings)
    assert t2.deadline is None and any("没有“完成时限”栏" in w for w in t2.warnings)
