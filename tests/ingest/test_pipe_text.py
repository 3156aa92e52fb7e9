"""Tables copied out of a web page or a PDF viewer as text, their cells separated by "|"."""
import pytest

from duban.ingest import parse

pytestmark = pytest.mark.pure
TITLE = "某某县2022年政务公开重点任务清单\n"


def read(text: str):
    return parse((TITLE + text).encode("utf-8"), "plan.txt")


def test_a_cell_per_line_each_followed_by_a_pipe_line():
    plan = read("序号\n|\n具体要求\n|\n责任单位\n|\n完成时限\n|\n"
                "1\n|\n公开规划纲要。\n|\n县发展改革局\n|\n6月底前\n|\n"
                "2\n|\n公开预算。\n|\n县财政局\n|\n长期坚持\n|\n")
    assert [(t.no, t.requirement, t.responsible_units, t.deadline_text) for t in plan.tasks] == [
        (1, "公开规划纲要。", ["县发展改革局"], "6月底前"), (2, "公开预算。", ["县财政局"], "长期坚持")]


def test_cells_ending_in_a_pipe_and_rows_merged_across_the_table():
    plan = read("工作任务 |\n工作要求 |\n牵头单位 |\n责任单位 |\n"
                "一、深化规划公开 |\n|||\n"
                "1.主动公开规划纲要 |\n设立专题集中展示 |\n县发展改革局 |\n各乡镇人民政府 |\n"
                "二、深化财政公开 |\n|||\n"
                "2.公开预决算 |\n在专栏集中发布 |\n县财政局 |\n县直各部门 |\n")
    assert [t.no for t in plan.tasks] == [1, 2]
    assert plan.tasks[0].section == ["深化规划公开", "主动公开规划纲要"]
    assert plan.tasks[1].section == ["深化财政公开", "公开预决算"]
    assert plan.tasks[1].requirement == "在专栏集中发布"
    assert plan.tasks[1].lead_units == ["县财政局"] and plan.tasks[1].unit_groups == ["县直各部门"]


def test_a_section_cell_on_the_first_row_of_its_group_only():
    """The header's 工作任务 spans the section and the number; the section cell is merged down."""
    plan = read("工作任务\n|\n具体要求\n|\n责任科室\n|\n时限要求\n|\n"
                "做好主动公开\n|\n1\n|\n规范发布法定主动公开内容。\n|\n各科室\n|\n持续推进\n|\n"
                "2\n|\n编制发布年度报告。\n|\n办公室\n|\n年底前\n|\n"
                "规范依申请公开\n|\n3\n|\n依法办理政府信息公开申请。\n|\n各科室\n|\n持续推进\n|\n")
    assert [t.no for t in plan.tasks] == [1, 2, 3]
    assert [t.section for t in plan.tasks] == [["做好主动公开"], ["做好主动公开"], ["规范依申请公开"]]
    assert plan.tasks[1].requirement == "编制发布年度报告。"
    assert plan.tasks[1].responsible_units == ["办公室"]
    assert plan.tasks[2].deadline.kind == "ongoing"


def test_a_row_per_line_with_pipes_between_cells():
    plan = read("| 序号 | 工作任务 | 牵头单位 | 完成时限 |\n|---|---|---|---|\n"
                "| 1 | 公开规划纲要。 | 县发展改革局 | 2022年6月底前 |\n"
                "| 2 | 公开预算。 | 县财政局 | 长期坚持 |\n")
    assert [(t.no, t.requirement, t.lead_units) for t in plan.tasks] == [
        (1, "公开规划纲要。", ["县发展改革局"]), (2, "公开预算。", ["县财政局"])]
    assert plan.tasks[0].deadline.date.isoformat() == "2022-06-30"


def test_a_line_per_cell_and_a_pipe_line_between_rows():
    plan = read("序号\n工作任务\n责任单位\n完成时限\n|\n"
                "1\n公开规划纲要。\n县发展改革局\n6月底前\n|\n"
                "2\n公开预算。\n县财政局\n长期坚持\n|\n")
    assert [(t.no, t.requirement, t.responsible_units) for t in plan.tasks] == [
        (1, "公开规划纲要。", ["县发展改革局"]), (2, "公开预算。", ["县财政局"])]


def test_a_pipe_inside_prose_is_not_a_table():
    plan = read("一、深化规划公开\n1．公开规划纲要（县发展改革局负责落实）。\n附：A|B 两种格式均可。\n")
    assert [t.requirement for t in plan.tasks] == ["公开规划纲要"]


def test_a_line_per_cell_without_any_separator():
    """Copied from a page with no separators at all: the 序号 cells anchor the rows; a row whose
    deadline is empty, or whose requirement fills two lines, is placed by content and flagged."""
    plan = read("序号\n工作任务\n责任单位\n完成时限\n"
                "1\n公开规划纲要。\n县发展改革局\n6月底前\n"
                "2\n公开预算。\n县财政局\n"
                "3\n做好政策解读，\n提升解读质量。\n县政府办公室\n长期坚持\n")
    assert [(t.no, t.requirement, t.units_text, t.deadline_text) for t in plan.tasks] == [
        (1, "公开规划纲要。", "县发展改革局", "6月底前"),
        (2, "公开预算。", "县财政局", ""),
        (3, "做好政策解读，提升解读质量。", "县政府办公室", "长期坚持"),
    ]
    assert any("完成时限为空" in w for w in plan.tasks[1].warnings)
    assert any("没有对齐" in w for w in plan.tasks[2].warnings)
