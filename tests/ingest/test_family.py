"""Layouts and writing of the whole family of plans, each from a document written for the test."""
import pytest

from duban.ingest import parse
from duban.ingest.readers import RawDocument, Row
from duban.ingest.table import build_plan
from duban.ingest.units import parse_units

from tests.ingest.builders import build_docx, build_html, build_xlsx

pytestmark = pytest.mark.pure
TITLE = ["某某县人民政府办公室", "某政办发〔2022〕3号", "某某县2022年政务公开工作要点任务分工", "2022年3月1日"]


def table(rows, paragraphs=TITLE):
    return build_plan(RawDocument(format="test", rows=[Row([p]) for p in paragraphs] + [Row(r, table=0) for r in rows]))


@pytest.mark.parametrize("text, lead, responsible, groups", [
    ("县发展改革局、县财政局分别牵头落实", ["县发展改革局", "县财政局"], [], []),
    ("县财政局会同县税务局负责", ["县财政局"], ["县税务局"], []),
    ("县政府办公室牵头，县司法局配合", ["县政府办公室"], ["县司法局"], []),
    ("县直各部门等按职责分工落实", [], [], ["县直各部门"]),
    ("区残联、区妇联、团区委按职责分工负责", [], ["区残联", "区妇联", "团区委"], []),
])
def test_role_words_anywhere_in_a_unit_cell(text, lead, responsible, groups):
    clause = parse_units(text)
    assert [u.name for u in clause.units if u.role == "lead"] == lead
    assert [u.name for u in clause.units if u.role == "responsible" and not u.group] == responsible
    assert [u.name for u in clause.units if u.group] == groups


def test_instructions_among_the_units_are_kept_as_a_note_never_as_a_unit():
    plan = table([
        ["序号", "工作任务", "责任单位", "完成时限"],
        ["1", "做好政策解读。", "由县政府办公室牵头，各乡镇要高度重视，县司法局负责做好指导", "年底前"],
    ])
    (task,) = plan.tasks
    assert task.lead_units == ["县政府办公室"] and task.responsible_units == ["县司法局"]
    assert task.unit_groups == ["各乡镇"]
    assert task.note == "要高度重视；做好指导"
    assert any("不是单位名称" in w for w in task.warnings)


def test_two_part_columns_the_finer_is_the_requirement():
    plan = table([
        ["序号", "工作任务", "细化分工", "责任单位", "完成时限"],
        ["1", "推进规划公开", "公开国土空间规划。", "县自然资源局", "6月底前"],
        ["2", "推进规划公开", "公开专项规划。", "县发展改革局", "年底前"],
    ])
    assert [(t.section, t.requirement) for t in plan.tasks] == [
        (["推进规划公开"], "公开国土空间规划。"), (["推进规划公开"], "公开专项规划。")]


def test_five_digit_task_numbers():
    rows = [["序号", "具体要求", "责任单位", "完成时限"]] + [
        [str(n), f"第{n}项工作。", "县财政局", "年底前"] for n in range(9998, 10003)]
    plan = table(rows)
    assert [t.no for t in plan.tasks] == [9998, 9999, 10000, 10001, 10002]
    assert plan.tasks[2].requirement == "第10000项工作。"


def test_prose_points_before_the_table_are_not_tasks():
    paragraphs = TITLE + [
        "一、总体要求", "1．坚持以公开为常态、不公开为例外。", "2．各单位要明确分管领导和工作人员。（县政府办公室负责）",
        "附件：任务分工表",
    ]
    plan = table([
        ["序号", "工作任务", "责任单位", "完成时限"],
        ["1", "公开预算。", "县财政局", "年底前"],
        ["2", "公开决算。", "县财政局", "年底前"],
    ], paragraphs)
    assert [t.requirement for t in plan.tasks] == ["公开预算。", "公开决算。"]


@pytest.mark.parametrize("build, ext", [(build_docx, "docx"), (build_html, "html"), (build_xlsx, "xlsx")])
def test_a_unit_cell_merged_down_gives_every_row_its_units(build, ext):
    rows = [
        ["序号", "工作任务", "具体要求", "牵头单位", "完成时限"],
        ["1", "推进财政公开", "公开预算。", "县财政局", "年底前"],
        ["2", "推进财政公开", "公开决算。", "县财政局", "年底前"],
        ["3", "推进财政公开", "公开债务信息。", "县财政局", "每季度"],
    ]
    plan = parse(build(TITLE, rows, vmerge_col=3), f"plan.{ext}")
    assert [t.lead_units for t in plan.tasks] == [["县财政局"]] * 3


@pytest.mark.parametrize("build, ext", [(build_docx, "docx"), (build_html, "html"), (build_xlsx, "xlsx")])
def test_three_levels_of_merged_section_cells(build, ext):
    rows = [
        ["序号", "一级任务", "二级任务", "三级任务", "具体要求", "责任单位", "完成时限"],
        ["1", "深化公开", "规划公开", "国土规划", "公开国土空间规划。", "县自然资源局", "6月底前"],
        ["2", "深化公开", "规划公开", "专项规划", "公开专项规划。", "县发展改革局", "年底前"],
        ["3", "深化公开", "财政公开", "预决算", "公开预决算。", "县财政局", "年底前"],
    ]
    data = build(TITLE, rows, vmerge_col=1)
    plan = parse(data, f"plan.{ext}")
    assert [t.section for t in plan.tasks] == [
        ["深化公开", "规划公开", "国土规划"], ["深化公开", "规划公开", "专项规划"], ["深化公开", "财政公开", "预决算"]]


def test_traditional_characters_are_read_and_kept():
    rows = [
        ["序號", "工作任務", "具體要求", "牽頭單位", "責任單位", "完成時限"],
        ["1", "推進決策公開", "公開重大行政決策事項目錄。", "縣司法局", "縣政府各部門", "長期堅持"],
        ["2", "推進財政公開", "做好預決算公開工作。", "縣財政局", "各鄉鎮人民政府", "2022年6月底前"],
    ]
    plan = parse(build_docx(["某某縣人民政府辦公室", "某某縣2022年政務公開工作要點任務分工", "2022年3月1日"], rows, vmerge_col=None), "plan.docx")
    t1, t2 = plan.tasks
    assert t1.requirement == "公開重大行政決策事項目錄。" and t1.section == ["推進決策公開"]
    assert t1.lead_units == ["縣司法局"] and t1.units[0].aliases == ["县司法局"]
    assert t1.unit_groups == ["縣政府各部門"] and t1.deadline.kind == "ongoing"
    assert t2.deadline.date.isoformat() == "2022-06-30"
    assert any("繁体" in w for w in plan.warnings)


def test_garbled_text_is_said_to_be_garbled():
    mojibake = "鍙戝竷鏀垮姟鍏紑宸ヤ綔瑕佺偣鍒嗗伐鏂规"  # UTF-8 bytes read as GBK
    plan = table([
        ["序号", "具体要求", "责任单位", "完成时限"],
        ["1", mojibake + "。", "县财政局", "年底前"],
        ["2", "公开预算。", "县财政局", "年底前"],
    ])
    # build_plan alone does not judge the writing; parse() does
    assert not any("乱码" in w for w in plan.warnings)
    from duban.ingest import script

    doc = RawDocument(format="test", rows=[Row([p]) for p in TITLE] + [Row(r, table=0) for r in [
        ["序号", "具体要求", "责任单位", "完成时限"], ["1", mojibake + "。", "县财政局", "年底前"], ["2", "公开预算。", "县财政局", "年底前"]]])
    copy, back, warnings = script.prepare(doc)
    plan = build_plan(copy)
    script.finish(plan, back, warnings)
    assert "乱码" in plan.warnings[0] and "第1项" in plan.warnings[0]
    assert any("乱码" in w for w in plan.tasks[0].warnings) and not any("乱码" in w for w in plan.tasks[1].warnings)


def test_radicals_from_a_broken_font_map_are_repaired_and_said():
    text = "某某县2022年政务公开⼯作要点\n序号\t具体要求\t责任单位\t完成时限\n1\t公开预算⽂件。\t县财政局\t年底前\n"
    plan = parse(text.encode("utf-8"), "plan.txt")
    assert plan.tasks[0].requirement == "公开预算文件。"
    assert any("部首字符" in w for w in plan.warnings)


@pytest.mark.parametrize("header, deadline_col", [
    (["序号", "主要任务", "责任部门", "时间进度"], 3),
    (["序号", "任务事项", "实施主体", "截止时间"], 3),
    (["序号", "公开内容", "公开主体", "公开时间", "公开方式"], 3),
    (["序号", "工作任务", "责任分工", "办结时限"], 3),
])
def test_other_names_for_the_columns(header, deadline_col):
    row = ["1", "公开年度预算。", "县财政局", "", ""][: len(header)]
    row[deadline_col] = "6月底前"
    plan = table([header, row])
    (task,) = plan.tasks
    assert task.requirement == "公开年度预算。" and task.responsible_units == ["县财政局"]
    assert task.deadline.date.isoformat() == "2022-06-30"
