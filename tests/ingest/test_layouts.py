"""Layouts other governments use, as real Word files built here."""
import io

from docx import Document

from duban.ingest import parse


def municipal_docx() -> bytes:
    """A city's 任务分工: full-width heading rows, a merged 重点任务 column, one name per line in 责任单位."""
    d = Document()
    for p in ["某某市人民政府办公室", "某市政办函〔2022〕15号", "某某市人民政府办公室关于印发某某市2022年政务公开工作要点任务分工的通知",
              "各县（市、区）人民政府，市直各部门：", "现将……印发给你们，请认真抓好落实。", "某某市人民政府办公室", "2022年5月10日",
              "（此件公开发布）", "某某市2022年政务公开工作要点任务分工"]:
        d.add_paragraph(p)
    rows = [
        ["序号", "重点任务", "工作措施", "责任单位", "完成时限"],
        ["一、深化重点领域信息公开", "", "", "", ""],
        ["1", "推进规划信息公开", "1.主动公开“十四五”专项规划。\n2.做好规划解读。", "市发展改革委（牵头）\n市自然资源局", "2022年6月底前"],
        ["2", "", "做好历史规划归集整理。", "市直有关部门按职责分工负责", "长期坚持"],
        ["二、强化政策解读", "", "", "", ""],
        ["3", "加强政策解读", "落实政策解读“三同步”。", "市政府办公室牵头，各县（市、区）人民政府、市直各部门负责落实", "2022年12月底前"],
        ["4", "", "开展政策吹风会。", "市政府新闻办", "每季度"],
    ]
    table = d.add_table(rows=len(rows), cols=5)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    for r in (1, 4):
        merged = table.cell(r, 0).merge(table.cell(r, 4))
        merged.text = rows[r][0]
    table.cell(2, 1).merge(table.cell(3, 1))
    table.cell(5, 1).merge(table.cell(6, 1))
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_municipal_layout():
    plan = parse(municipal_docx(), "分工.docx")
    assert (plan.title, plan.issuer, plan.doc_number, str(plan.issued_on), plan.year) == (
        "某某市2022年政务公开工作要点任务分工", "某某市人民政府办公室", "某市政办函〔2022〕15号", "2022-05-10", 2022,
    )
    t1, t2, t3, t4 = plan.tasks
    # full-width heading rows sit above the 重点任务 column's headings
    assert t1.section == t2.section == ["深化重点领域信息公开", "推进规划信息公开"]
    assert t3.section == t4.section == ["强化政策解读", "加强政策解读"]
    assert t1.requirement == "1.主动公开“十四五”专项规划。2.做好规划解读。"
    assert (t1.lead_units, t1.responsible_units) == (["市发展改革委"], ["市自然资源局"])
    assert t2.unit_groups == ["市直有关部门"] and t2.deadline.kind == "ongoing"
    assert t3.lead_units == ["市政府办公室"] and t3.unit_groups == ["各县（市、区）人民政府", "市直各部门"]
    assert t4.responsible_units == ["市政府新闻办"] and t4.deadline.every == "每季度"
    assert all(t.warnings == [] for t in plan.tasks) and plan.warnings == []
