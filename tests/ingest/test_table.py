"""Table reconstruction on layouts other governments use, built row by row."""
import pytest

from duban.ingest import IngestError
from duban.ingest.readers import RawDocument, Row
from duban.ingest.table import build_plan

TITLE = ["某某区人民政府办公室文件", "某政办发〔2022〕7号", "某某区2022年政务公开工作要点任务分工", "2022年3月1日"]


def doc(rows, paragraphs=TITLE, whole_rows=True):
    return RawDocument(format="test", rows=[Row([p]) for p in paragraphs] + [Row(r, table=0) for r in rows], whole_rows=whole_rows)


def test_separate_lead_and_support_columns_map_to_roles():
    plan = build_plan(doc([
        ["序号", "重点任务", "具体措施", "牵头单位", "配合单位", "时间节点"],
        ["1", "推进决策公开", "公开重大行政决策事项目录。", "区司法局", "区政府各部门", "2022年6月底前"],
        ["2", "", "做好预决算公开。", "区财政局", "", "长期坚持"],
    ]))
    t1, t2 = plan.tasks
    assert t1.lead_units == ["区司法局"] and t1.unit_groups == ["区政府各部门"]
    assert [u.role for u in t1.units] == ["lead", "responsible"]
    assert t1.deadline.date.isoformat() == "2022-06-30"
    assert t2.section == ["推进决策公开"] and t2.deadline.kind == "ongoing"
    assert t1.warnings == [] and t2.warnings == []
    assert plan.year == 2022 and plan.doc_number == "某政办发〔2022〕7号"


def test_full_width_heading_rows_with_multilevel_numbering():
    plan = build_plan(doc([
        ["序号", "工作任务", "责任单位", "完成时限"],
        ["一、深化重点领域信息公开", "", "", ""],
        ["（一）推进规划公开", "", "", ""],
        ["1", "主动公开规划纲要。", "区发展改革局牵头，各街道负责落实", "6月30日前"],
        ["（二）推进财政信息公开", "", "", ""],
        ["2", "公开预决算。", "区财政局负责", "年底前"],
        ["二、强化政策解读", "", "", ""],
        ["3", "做好政策解读。", "区政府办公室牵头", "每季度"],
    ]))
    assert [t.section for t in plan.tasks] == [
        ["深化重点领域信息公开", "推进规划公开"],
        ["深化重点领域信息公开", "推进财政信息公开"],
        ["强化政策解读"],
    ]
    assert plan.tasks[0].requirement == "主动公开规划纲要。"
    assert plan.tasks[2].deadline.to_json() == {"kind": "recurring", "every": "每季度"}


def test_heading_paragraphs_between_tables():
    rows = [Row([p]) for p in TITLE] + [
        Row(["一、深化重点领域信息公开"]),
        Row(["序号", "具体要求", "牵头落实单位", "完成时限"], table=0),
        Row(["1", "公开规划。", "区发展改革局负责落实", "10月31日前"], table=0),
        Row(["二、加强平台建设"]),
        Row(["序号", "具体要求", "牵头落实单位", "完成时限"], table=1),
        Row(["2", "办好政府网站。", "区科技工信局负责落实", "10月31日前"], table=1),
        Row(["抄送：区委办公室。"]),
    ]
    plan = build_plan(RawDocument(format="test", rows=rows))
    assert [t.section for t in plan.tasks] == [["深化重点领域信息公开"], ["加强平台建设"]]


def test_continuation_rows_join_cell_by_cell_without_spaces():
    plan = build_plan(doc([
        ["序号", "工作任务", "具体要求", "牵头落实单位", "完成时限"],
        ["1", "推进公共卫生领域信息公开", "积极做好爱国卫生“7个专项行动”、健", "区卫生健康局、区城市", "10月31日前"],
        ["序号", "工作任务", "具体要求", "牵头落实单位", "完成时限"],
        ["", "", "康云南行动等工作的信息公开。", "管理局牵头；各街道办事处负责落实", "完成"],
    ]))
    (task,) = plan.tasks
    assert task.requirement == "积极做好爱国卫生“7个专项行动”、健康云南行动等工作的信息公开。"
    assert task.lead_units == ["区卫生健康局", "区城市管理局"]
    assert task.deadline_text == "10月31日前完成"


def test_shifted_row_is_placed_by_content_and_flagged():
    plan = build_plan(doc([
        ["序号", "工作任务", "具体要求", "牵头落实单位", "完成时限"],
        ["1", "推进生态环境领域信息公开", "公开空气质量信息。", "区生态环境分局负责落实", "10月31日前完成"],
        ["2", "", "推进民生保障领域信息公开", "做好就业信息公开工作。", "区人力资源社会保障局牵头；各街道办事处负责落实"],
    ]))
    task = plan.tasks[1]
    assert task.section == ["推进民生保障领域信息公开"]
    assert task.requirement == "做好就业信息公开工作。"
    assert task.lead_units == ["区人力资源社会保障局"]
    assert task.deadline is None
    assert any("没有对齐" in w for w in task.warnings)
    assert any("完成时限为空" in w for w in task.warnings)


def test_table_without_number_column_numbers_rows_and_says_so():
    plan = build_plan(doc([  # PDF text: a row cut at a page break goes on in the next row
        ["工作任务", "具体要求", "责任单位", "完成时限"],
        ["推进规划公开", "公开规划纲要。", "区发展改革局", "6月底前"],
        ["", "公开专项规划，", "区自然资源局", ""],
        ["", "并做好解读。", "", "年底前"],
        ["推进财政公开", "公开预算。", "区财政局", "年底前"],
    ], whole_rows=False))
    assert [t.no for t in plan.tasks] == [1, 2, 3]
    assert plan.tasks[1].requirement == "公开专项规划，并做好解读。"
    assert any("序号" in w for w in plan.warnings)
    # a 责任单位 column says the role: no doubt about names without a verb
    assert plan.tasks[0].responsible_units == ["区发展改革局"] and plan.tasks[0].warnings == []


def test_number_gaps_are_flagged():
    plan = build_plan(doc([
        ["序号", "具体要求", "牵头落实单位", "完成时限"],
        ["1", "甲。", "区财政局负责落实", "年底前"],
        ["3", "乙。", "区财政局负责落实", "年底前"],
    ]))
    assert [t.no for t in plan.tasks] == [1, 3]
    assert any("不连续" in w for w in plan.tasks[1].warnings)


def test_numbers_restarting_in_each_part_are_made_unique_and_flagged():
    plan = build_plan(doc([
        ["序号", "具体要求", "牵头落实单位", "完成时限"],
        ["一、深化公开", "", "", ""],
        ["1", "甲。", "区财政局负责落实", "年底前"],
        ["2", "乙。", "区财政局负责落实", "年底前"],
        ["二、加强解读", "", "", ""],
        ["1", "丙。", "区财政局负责落实", "年底前"],
    ]))
    assert [t.no for t in plan.tasks] == [1, 2, 3]
    assert [t.section for t in plan.tasks] == [["深化公开"], ["深化公开"], ["加强解读"]]
    assert plan.tasks[2].warnings == ["原文序号为1，已按全文顺序编为第3项"]
    assert any("重复" in w for w in plan.warnings)


def test_missing_units_and_requirement_are_flagged():
    plan = build_plan(doc([
        ["序号", "具体要求", "牵头落实单位", "完成时限"],
        ["1", "甲。", "", "年底前"],
    ]))
    assert any("单位" in w for w in plan.tasks[0].warnings)


def test_not_a_plan_is_a_clear_error():
    with pytest.raises(IngestError, match="没有找到分工表"):
        build_plan(doc([["姓名", "年龄"], ["张三", "30"]]))
    with pytest.raises(IngestError, match="没有任何任务"):
        build_plan(doc([["序号", "具体要求", "牵头落实单位", "完成时限"]]))


def test_paragraph_breaks_in_cells_separate_unit_names_but_not_sentences():
    plan = build_plan(doc([
        ["序号", "工作任务", "具体要求", "责任单位", "完成时限"],
        ["1", "推进规划\n主动公开", "主动公开“十四五”\n规划纲要。", "区政府办公室\n区发展改革局", "2021年\n10月底前"],
    ]))
    (task,) = plan.tasks
    assert task.section == ["推进规划主动公开"]
    assert task.requirement == "主动公开“十四五”规划纲要。"
    assert task.responsible_units == ["区政府办公室", "区发展改革局"]
    assert task.units_text == "区政府办公室、区发展改革局"
    assert task.deadline.date.isoformat() == "2021-10-31"


def test_numbers_within_sections_and_headings_in_the_number_column():
    plan = build_plan(doc([
        ["序号", "工作任务", "牵头单位", "配合单位", "完成时限"],
        ["", "一级任务", "", "", ""],  # a second header row before any task
        ["一", "深化公开", "", "", ""],
        ["（一）", "推进决策公开", "", "", ""],
        ["1.1", "公开决策事项目录。", "区司法局", "", "6月底前"],
        ["1.2", "公开决策草案。", "区司法局", "各街道办事处", "年底前"],
        ["（二）", "推进执行公开", "", "", ""],
        ["2.1", "公开执行情况。", "区政府办公室", "", "年底前"],
    ]))
    assert [t.no for t in plan.tasks] == [1, 2, 3]
    assert [t.section for t in plan.tasks] == [["深化公开", "推进决策公开"], ["深化公开", "推进决策公开"], ["深化公开", "推进执行公开"]]
    assert "1.2" in plan.tasks[1].warnings[0]
    assert plan.tasks[1].unit_groups == ["各街道办事处"]
    assert not plan.warnings


def test_year_from_the_doc_number_when_the_title_and_date_have_none():
    plan = build_plan(doc(
        [["序号", "具体要求", "牵头落实单位", "完成时限"], ["1", "甲。", "区财政局负责落实", "10月底前"]],
        paragraphs=["某政办发〔2024〕3号", "政务公开工作要点分工方案"],
    ))
    assert plan.year == 2024 and any("文号" in w for w in plan.warnings)
    assert plan.tasks[0].deadline.date.isoformat() == "2024-10-31"


def test_without_a_deadline_column_the_deadline_comes_from_the_requirement_with_a_warning():
    plan = build_plan(doc([
        ["序号", "工作任务", "责任单位"],
        ["1", "主动公开“十四五”规划纲要，2022年6月底前完成。", "区发展改革局"],
        ["2", "做好政策解读工作。", "区政府办公室"],
    ]))
    t1, t2 = plan.tasks
    assert t1.deadline_text == "2022年6月底前完成" and t1.deadline.date.isoformat() == "2022-06-30"
    assert any("取自具体要求" in w for w in t1.warnings)
    assert t2.deadline is None and any("没有写明时限" in w for w in t2.warnings)


def test_an_empty_deadline_cell_is_not_filled_from_the_requirement():
    plan = build_plan(doc([
        ["序号", "具体要求", "牵头落实单位", "完成时限"],
        ["1", "年内至少组织开展1次培训，12月底前完成。", "区政府办公室牵头", ""],
    ]))
    assert plan.tasks[0].deadline is None
    assert any("完成时限为空" in w for w in plan.tasks[0].warnings)


def test_a_number_outside_the_number_column_starts_the_next_task_only_if_it_is_next_in_sequence():
    plan = build_plan(doc([
        ["序号", "工作任务", "具体要求", "牵头落实单位", "完成时限"],
        ["1", "推进规划公开", "公开规划纲要。", "区发展改革局负责落实", "10月31日前"],
        ["", "2", "", "公开专项规划。", "区自然资源局负责落实", "10月31日前"],  # shifted right by one
        ["", "", "3．公开区域规划。", "区自然资源局负责落实", "10月31日前"],  # number written into the requirement
        ["", "", "5个街道试点，", "", ""],  # a continuation that starts with a digit stays a continuation
    ]))
    assert [t.no for t in plan.tasks] == [1, 2, 3]
    assert plan.tasks[1].requirement == "公开专项规划。" and plan.tasks[1].responsible_units == ["区自然资源局"]
    assert plan.tasks[2].requirement == "公开区域规划。5个街道试点，"
    assert all(any("序号不在" in w for w in t.warnings) for t in plan.tasks[1:])


def test_a_header_written_on_two_lines():
    plan = build_plan(doc([
        ["序号", "工作任务", "具体要求", "牵头落实", "完成时限"],
        ["", "", "", "单位", ""],
        ["1", "推进规划公开", "公开规划纲要。", "区发展改革局牵头；各街道办事处负责落实", "10月31日前"],
    ]))
    (task,) = plan.tasks
    assert task.lead_units == ["区发展改革局"] and task.unit_groups == ["各街道办事处"]
    assert task.warnings == []


def test_columns_duban_does_not_use_are_left_alone():
    plan = build_plan(doc([
        ["序号", "工作任务", "具体要求", "牵头领导", "责任单位", "完成时限", "完成情况", "备注"],
        ["1", "推进规划公开", "公开规划纲要。", "张三", "区发展改革局", "10月31日前", "已完成", "无"],
    ]))
    (task,) = plan.tasks
    assert (task.section, task.requirement, task.responsible_units) == (["推进规划公开"], "公开规划纲要。", ["区发展改革局"])
    assert task.warnings == []


def test_tasks_numbered_with_chinese_numerals():
    plan = build_plan(doc([
        ["序号", "工作任务", "责任单位", "完成时限"],
        ["一", "公开规划纲要。", "区发展改革局", "6月底前"],
        ["二、", "公开预决算。", "区财政局", "年底前"],
        ["（三）", "做好政策解读。", "区政府办公室", "长期坚持"],
    ]))
    assert [t.no for t in plan.tasks] == [1, 2, 3]
    assert [t.responsible_units for t in plan.tasks] == [["区发展改革局"], ["区财政局"], ["区政府办公室"]]
    assert all(t.section == [] and t.warnings == [] for t in plan.tasks)


def test_rows_of_a_word_table_are_never_joined_even_without_a_full_stop():
    """In Word, Excel and HTML a row is a row: a requirement without a full stop is not "cut"."""
    plan = build_plan(doc([
        ["工作任务", "工作要求", "牵头单位", "责任单位"],
        ["主动公开规划纲要", "设立专题集中展示", "市发展改革委", "市直有关单位"],
        ["归集整理历史规划", "在信息公开专栏集中发布", "市发展改革委", "各县（市、区）人民政府"],
    ]))
    assert [t.requirement for t in plan.tasks] == ["设立专题集中展示", "在信息公开专栏集中发布"]
    assert [t.section for t in plan.tasks] == [["主动公开规划纲要"], ["归集整理历史规划"]]


def test_number_written_in_the_task_column_is_the_task_number():
    plan = build_plan(doc([
        ["工作任务", "工作要求", "牵头单位", "责任单位"],
        ["一、深化规划公开", "", "", ""],
        ["1.主动公开规划纲要", "设立专题集中展示", "市发展改革委", "市直有关单位"],
        ["2.归集整理历史规划", "集中发布", "市自然资源和规划局", "市直有关单位"],
        ["（1）做好预算公开", "公开预算。", "市财政局", "各县（市、区）人民政府"],
    ]))
    assert [t.no for t in plan.tasks] == [1, 2, 3]
    assert [t.section[-1] for t in plan.tasks] == ["主动公开规划纲要", "归集整理历史规划", "做好预算公开"]
    assert plan.tasks[0].section == ["深化规划公开", "主动公开规划纲要"]
    assert plan.tasks[0].lead_units == ["市发展改革委"]


def test_number_written_at_the_start_of_the_requirement_leaves_the_text():
    plan = build_plan(doc([
        ["工作任务", "具体要求", "责任科室", "时限要求"],
        ["强化规范性文件公开", "1.对规范性文件进行全面清理。", "办公室", "年底前"],
        ["", "2．做好政策解读，提升解读质量。", "各科室", "持续推进"],
        ["", "1.5万元以下的采购信息按季度公开。", "办公室", "每季度"],
    ]))
    assert [t.no for t in plan.tasks] == [1, 2, 3]
    assert plan.tasks[0].requirement == "对规范性文件进行全面清理。"
    assert plan.tasks[1].requirement == "做好政策解读，提升解读质量。"
    assert plan.tasks[2].requirement.startswith("1.5万元")  # a figure, not a number
    assert plan.tasks[0].responsible_units == ["办公室"] and plan.tasks[1].unit_groups == ["各科室"]
