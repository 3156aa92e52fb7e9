"""Plans written as numbered paragraphs instead of a table."""
from pathlib import Path

from duban.ingest import parse

PROSE = (Path(__file__).parent / "data" / "prose_plan.txt").read_bytes()


def test_numbered_text_becomes_tasks_with_sections_units_and_deadlines():
    plan = parse(PROSE, "plan.txt")
    assert (plan.title, plan.doc_number, plan.issued_on.isoformat(), plan.year) == (
        "某某县2023年政务公开工作要点任务分工", "某政办发〔2023〕12号", "2023-04-06", 2023,
    )
    t1, t2, t3, t4 = plan.tasks
    # a line wrapped in the PDF text is one requirement again
    assert t1.requirement == "及时公开稳经济政策措施，做好政策解读。"
    assert t1.section == ["着力提升政务公开质量", "围绕稳经济促发展加强公开"]
    assert t1.lead_units == ["县发展改革局"] and t1.unit_groups == ["县政府各部门"]
    assert t1.deadline.date.isoformat() == "2023-06-30"
    assert t2.responsible_units == ["县财政局"] and t2.deadline.kind == "ongoing"
    # 牵头单位/责任单位/完成时限 written on lines of their own
    assert t3.section == ["着力提升政务公开质量", "围绕保障改善民生加强公开"]
    assert t3.lead_units == ["县人力资源社会保障局"] and t3.unit_groups == ["各乡镇人民政府"]
    assert t3.deadline.date.isoformat() == "2023-12-31"
    assert t4.section == ["夯实政务公开基础"]
    assert t4.deadline.to_json() == {"kind": "after_event", "event": "文件成文", "working_days": 15}
    assert all(t.warnings == [] for t in plan.tasks)


def test_same_plan_as_docx_paragraphs():
    from docx import Document
    import io

    document = Document()
    for line in PROSE.decode("utf-8").splitlines():
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    from_docx = parse(buf.getvalue(), "plan.docx")
    assert [t.to_json() for t in from_docx.tasks] == [t.to_json() for t in parse(PROSE, "plan.txt").tasks]


def test_inline_labels_and_headings_that_are_tasks():
    plan = parse((Path(__file__).parent / "data" / "prose_inline_labels.txt").read_bytes(), "plan.txt")
    t1, t2, t3 = plan.tasks
    assert t1.requirement == "推进规划公开。主动公开“十四五”规划纲要。"
    assert (t1.lead_units, t1.unit_groups, t1.deadline.date.isoformat()) == (["区发展改革局"], ["各街道办事处"], "2022-06-30")
    assert (t2.responsible_units, t2.deadline.kind) == (["区财政局"], "ongoing")
    assert t3.section == ["强化政策解读"] and t3.lead_units == ["区政府办公室"] and t3.deadline.kind == "ongoing"
    assert [t.no for t in plan.tasks] == [1, 2, 3]


def test_several_tasks_in_one_paragraph_each_closed_by_its_units():
    text = (
        "某某市人民政府办公室\n某某市2022年政务公开工作要点\n2022年4月2日\n"
        "一、加强重点工作信息公开\n"
        "（一）围绕稳住经济大盘做好信息公开。公开减税降费政策及落实情况。（市财政局、市税务局分别负责落实）"
        "做好市场主体帮扶政策解读，12月底前完成。（市发展改革委牵头；市商务局按职责分工负责）"
        "及时发布就业信息（含高校毕业生专场招聘）。（市人力社保局负责落实）\n"
        "（二）加强政策解读。围绕重大政策开展解读。（市政府办公室牵头，各区人民政府负责落实）\n"
    ).encode("utf-8")
    plan = parse(text, "plan.txt")
    assert [t.no for t in plan.tasks] == [1, 2, 3, 4]
    t1, t2, t3, t4 = plan.tasks
    assert t1.section == ["加强重点工作信息公开", "围绕稳住经济大盘做好信息公开。"]
    assert t1.requirement == "公开减税降费政策及落实情况。"
    assert t1.responsible_units == ["市财政局", "市税务局"]
    assert t2.lead_units == ["市发展改革委"] and t2.responsible_units == ["市商务局"]
    # a bracket that names no units stays in the text
    assert t3.requirement == "及时发布就业信息（含高校毕业生专场招聘）。" and t3.responsible_units == ["市人力社保局"]
    assert t4.section[-1] == "加强政策解读。" and t4.requirement == "围绕重大政策开展解读。"
    assert t4.lead_units == ["市政府办公室"] and t4.unit_groups == ["各区人民政府"]
    assert all(any("没有阿拉伯数字序号" in w for w in t.warnings) for t in plan.tasks)
