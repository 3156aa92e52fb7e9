"""The .docx documents, read back with python-docx and checked against their inputs."""
import re

import pytest
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Emu

from duban.documents import (
    annual_report_section_docx,
    assessment_docx,
    bulletin_docx,
    division_table_docx,
    unit_task_list_docx,
)
from duban.documents.model import DivisionRow, PlanMeta, units_sentence

from . import samples
from .helpers import find_paragraph, ind, open_docx, paragraph_texts, run_fonts, spacing, table_rows_text

pytestmark = pytest.mark.pure


@pytest.fixture(scope="module")
def division():
    rows = samples.division_rows()
    return rows, open_docx(division_table_docx(samples.PLAN, rows))


@pytest.fixture(scope="module")
def bulletin():
    data = samples.bulletin()
    return data, open_docx(bulletin_docx(data))


# --- page, fonts, paragraphs (GB/T 9704) -------------------------------------------


def test_a4_page_and_gbt9704_margins(division):
    _, doc = division
    s = doc.sections[0]
    assert s.orientation == WD_ORIENT.PORTRAIT
    for value, mm in [(s.page_width, 210), (s.page_height, 297), (s.top_margin, 37),
                      (s.bottom_margin, 35), (s.left_margin, 28), (s.right_margin, 26)]:
        assert abs(value.mm - mm) < 0.05, (value.mm, mm)
    # 版心 156 × 225 mm
    assert abs(Emu(s.page_width - s.left_margin - s.right_margin).mm - 156) < 0.1
    assert abs(Emu(s.page_height - s.top_margin - s.bottom_margin).mm - 225) < 0.1


def test_title_font_size_and_centring(division):
    _, doc = division
    title = find_paragraph(doc, samples.PLAN.title)
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert run_fonts(title) == [("方正小标宋简体", "方正小标宋简体", 22.0)]


def test_body_headings_and_east_asian_fonts(bulletin):
    data, doc = bulletin
    body = find_paragraph(doc, "为推动《西山区2021年政务公开工作要点分工方案》各项任务按期落实，现将截至2021年10月14日的落实情况通报如下。")
    assert run_fonts(body) == [("仿宋_GB2312", "仿宋_GB2312", 16.0)]
    # first-line indent of two characters, fixed line spacing of 28.95 pt
    assert ind(body).get(qn("w:firstLineChars")) == "200"
    assert ind(body).get(qn("w:firstLine")) == "640"  # 2 × 16 pt in twips
    assert spacing(body).get(qn("w:lineRule")) == "exact"
    assert spacing(body).get(qn("w:line")) == "579"
    h1 = find_paragraph(doc, "一、总体情况")
    assert run_fonts(h1) == [("黑体", "黑体", 16.0)]
    assert ind(h1).get(qn("w:firstLineChars")) == "200"
    h2 = find_paragraph(doc, "（一）表扬")
    assert run_fonts(h2) == [("楷体_GB2312", "楷体_GB2312", 16.0)]
    # No run is left to a theme font (which would override the names).
    for p in doc.paragraphs:
        for r in p.runs:
            rFonts = r._r.rPr.find(qn("w:rFonts")) if r._r.rPr is not None else None
            if r.text:
                assert rFonts is not None and rFonts.get(qn("w:eastAsia")), p.text
                assert rFonts.get(qn("w:eastAsiaTheme")) is None


def test_document_defaults_are_chinese(division):
    _, doc = division
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rFonts = defaults.find(".//" + qn("w:rFonts"))
    assert rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert rFonts.get(qn("w:eastAsiaTheme")) is None
    assert defaults.find(".//" + qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"


def test_font_table_describes_the_gb_fonts(division):
    _, doc = division
    part = next(p for p in doc.part.package.iter_parts() if p.partname == "/word/fontTable.xml")
    xml = part.blob.decode("utf-8")
    for name, alt in [("仿宋_GB2312", "仿宋"), ("楷体_GB2312", "楷体"), ("黑体", "SimHei"),
                      ("方正小标宋简体", "华文中宋")]:
        assert re.search(rf'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>', xml), name


def test_page_number_field_in_odd_and_even_footers(division):
    _, doc = division
    s = doc.sections[0]
    assert doc.settings.odd_and_even_pages_header_footer
    for footer, align in [(s.footer, WD_ALIGN_PARAGRAPH.RIGHT), (s.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)]:
        p = footer.paragraphs[0]
        assert p.alignment == align
        xml = p._p.xml
        assert "<w:instrText" in xml and " PAGE " in xml
        assert [fc.get(qn("w:fldCharType")) for fc in p._p.iter(qn("w:fldChar"))] == ["begin", "separate", "end"]
        assert p.text == "— 1 —"  # em dashes around the cached page number
        fonts = run_fonts(p)
        assert fonts[0] == ("宋体", "宋体", 14.0)  # 4号半角宋体
    # 单页码居右空一字，双页码居左空一字
    assert abs(s.footer.paragraphs[0].paragraph_format.right_indent.pt - 14) < 0.1
    assert abs(s.even_page_footer.paragraphs[0].paragraph_format.left_indent.pt - 14) < 0.1


def test_landscape_assessment_keeps_the_gongwen_page_number_places():
    doc = open_docx(assessment_docx(samples.assessment()))
    s = doc.sections[0]
    assert s.orientation == WD_ORIENT.LANDSCAPE
    assert abs(s.page_width.mm - 297) < 0.05 and abs(s.page_height.mm - 210) < 0.05
    # the 版心 keeps its size, turned: 225 × 156 mm
    assert abs(Emu(s.page_width - s.left_margin - s.right_margin).mm - 225) < 0.1
    assert abs(Emu(s.page_height - s.top_margin - s.bottom_margin).mm - 156) < 0.1
    # 7.5: 横排表格的页码位置与公文其他页码保持一致 — odd pages right, even pages left, 空一字
    assert doc.settings.odd_and_even_pages_header_footer
    odd, even = s.footer.paragraphs[0], s.even_page_footer.paragraphs[0]
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT and " PAGE " in odd._p.xml
    assert even.alignment == WD_ALIGN_PARAGRAPH.LEFT and " PAGE " in even._p.xml
    assert abs(odd.paragraph_format.right_indent.pt - 14) < 0.1


# --- 分工方案 ---------------------------------------------------------------------------


def test_division_table_rows_and_columns(division):
    rows, doc = division
    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert len(table.rows) == 1 + 74
    header = [c.text for c in table.rows[0].cells]
    # 工作任务 spans the two heading levels of this plan
    assert header == ["序号", "工作任务", "工作任务", "具体要求", "牵头落实单位", "完成时限"]
    assert len(table.rows[0]._tr.findall(qn("w:tc"))) == 5
    for row, cells in zip(rows, table_rows_text(table)[1:]):
        assert cells[0] == str(row.no)
        assert cells[3] == row.requirement
        assert cells[4] == units_sentence(row.lead_units, row.responsible_units)
        assert cells[5] == row.deadline_text


def test_division_units_wording(division):
    rows, doc = division
    cells = table_rows_text(doc.tables[0])
    assert cells[2][4] == "区财政局、区发展改革局牵头；区政府各办、局、各街道办事处负责落实"
    assert cells[1][4] == "区政府办公室、区发展改革局牵头"
    assert cells[4][4] == "区政府各办、局、各街道办事处负责落实"


def test_division_sections_are_merged_once_per_run(division):
    rows, doc = division
    table = doc.tables[0]
    col1 = [table.cell(r, 1) for r in range(1, 75)]
    col2 = [table.cell(r, 2) for r in range(1, 75)]
    for row, c1, c2 in zip(rows, col1, col2):
        assert c1.text == row.section[0]
        assert c2.text == row.section[-1]
    # one cell per run of equal headings (python-docx returns the same cell for merged rows)
    distinct1 = {id(c._tc) for c in col1}
    assert len(distinct1) == len(samples.section_runs(rows, 0)) == 18
    two_level = {id(c._tc) for c, row in zip(col2, rows) if len(row.section) == 2}
    assert len(two_level) == len(samples.section_runs(rows, 1)) == 4
    # the first three rows share "深化重点领域信息公开" / "推进各类规划主动公开"
    tcs = [table.rows[r]._tr.findall(qn("w:tc")) for r in (1, 2, 3)]
    assert tcs[0][1].tcPr.find(qn("w:vMerge")).get(qn("w:val")) == "restart"
    assert tcs[1][1].tcPr.find(qn("w:vMerge")).get(qn("w:val")) in (None, "continue")
    # a one-level section spans both heading columns
    row4 = table.rows[4]._tr.findall(qn("w:tc"))
    assert row4[1].tcPr.find(qn("w:gridSpan")).get(qn("w:val")) == "2"
    assert row4[1].xpath("string(.)") == "推进重大建设项目批准和实施领域信息公开"


def test_division_one_level_plan_has_five_columns():
    rows = [DivisionRow(i, ["甲类任务"] if i <= 2 else ["乙类任务"], f"要求{i}", ["区财政局"], [], "长期坚持")
            for i in range(1, 6)]
    doc = open_docx(division_table_docx(PlanMeta("测试方案"), rows))
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["序号", "工作任务", "具体要求", "牵头落实单位", "完成时限"]
    tcs = [table.cell(r, 1)._tc for r in range(1, 6)]  # kept alive so that id() is the element's
    assert len({id(tc) for tc in tcs}) == 2
    assert [table.cell(r, 1).text for r in range(1, 6)] == ["甲类任务"] * 2 + ["乙类任务"] * 3


def test_division_units_text_overrides_lists():
    row = DivisionRow(1, ["甲"], "要求", ["区财政局"], [], "长期坚持", units_text="区财政局（区金融办）牵头")
    doc = open_docx(division_table_docx(PlanMeta("测试方案"), [row]))
    assert doc.tables[0].cell(1, 3).text == "区财政局（区金融办）牵头"


def test_table_header_repeats_rows_may_break_and_layout(division):
    _, doc = division
    table = doc.tables[0]
    head_trPr = table.rows[0]._tr.trPr
    assert head_trPr.find(qn("w:tblHeader")) is not None
    for row in table.rows[1:]:
        trPr = row._tr.trPr
        assert trPr is None or trPr.find(qn("w:cantSplit")) is None
        assert trPr is None or trPr.find(qn("w:tblHeader")) is None
    tblPr = table._tbl.tblPr
    borders = tblPr.find(qn("w:tblBorders"))
    assert {b.tag.split("}")[1] for b in borders} == {"top", "left", "bottom", "right", "insideH", "insideV"}
    assert tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    widths = [int(g.get(qn("w:w"))) for g in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert abs(sum(widths) / 1440 * 25.4 - 156) < 0.5  # as wide as the 版心
    cell = table.cell(1, 3)
    assert run_fonts(cell.paragraphs[0]) == [("仿宋_GB2312", "仿宋_GB2312", 12.0)]
    assert run_fonts(table.cell(0, 0).paragraphs[0]) == [("黑体", "黑体", 12.0)]


# --- 单位任务清单 -----------------------------------------------------------------------


def test_unit_task_list():
    data = samples.unit_task_list()
    doc = open_docx(unit_task_list_docx(data))
    texts = paragraph_texts(doc)
    assert "区财政局政务公开工作任务清单" in texts
    assert "（依据《西山区2021年政务公开工作要点分工方案》）" in texts
    assert find_paragraph(doc, "制表日期：2021年9月1日").alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert "区财政局共承担任务9项，其中牵头3项、负责落实6项。" in texts
    table = doc.tables[0]
    assert len(table.rows) == 1 + len(data.rows)
    for row, cells in zip(data.rows, table_rows_text(table)[1:]):
        assert cells == [str(row.no), "\n".join(row.section), row.requirement, row.role, row.due_text, row.status]


# --- 督办通报 ---------------------------------------------------------------------------


def test_bulletin_masthead_number_and_red_rule(bulletin):
    data, doc = bulletin
    texts = paragraph_texts(doc)
    masthead = find_paragraph(doc, "西山区人民政府办公室督办通报")
    assert masthead.runs[0].font.color.rgb == (0xFF, 0x00, 0x00)
    assert run_fonts(masthead)[0][0] == "方正小标宋简体"
    number = find_paragraph(doc, "西政办督〔2021〕3号")
    assert number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    bottom = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert bottom.get(qn("w:color")) == "FF0000" and bottom.get(qn("w:val")) == "single"
    assert texts.index("西山区人民政府办公室督办通报") < texts.index("西政办督〔2021〕3号") < texts.index(data.title)
    assert "\n" in data.title  # the caller's line break stays a line break in the title
    assert find_paragraph(doc, data.title).runs[0]._r.xml.count("<w:br/>") == 1
    assert "各街道办事处，区政府各办、局：" in texts


def test_bulletin_figures_in_words(bulletin):
    _, doc = bulletin
    assert ("截至2021年10月14日，《西山区2021年政务公开工作要点分工方案》共有任务74项，已完成40项（其中按时完成35项），"
            "正在推进26项，尚未启动2项，逾期未完成6项。完成率54.1%，按时完成率47.3%。") in paragraph_texts(doc)


def test_bulletin_per_unit_and_overdue_tables(bulletin):
    data, doc = bulletin
    per_unit, overdue, _banji = doc.tables
    cells = table_rows_text(per_unit)
    assert cells[0] == ["序号", "责任单位", "承担任务", "已完成", "逾期未完成", "按时完成率", "得分"]
    assert cells[1:] == [
        ["1", "区财政局", "12", "10", "1", "75.0%", "92.5"],
        ["2", "区民政局", "8", "8", "0", "100.0%", "100"],
        ["3", "区市场监管局", "9", "5", "2", "44.4%", "81.25"],
        ["4", "区卫生健康局", "6", "3", "3", "—", ""],
    ]
    cells = table_rows_text(overdue)
    assert len(cells) == 1 + len(data.overdue)
    assert cells[1] == ["1", "7", "区财政局", samples.REQUIREMENTS[2], "2021年10月8日", "5"]
    assert "截至2021年10月14日，共有3项任务逾期未完成，具体如下。" in paragraph_texts(doc)


def test_bulletin_units_named_signature_and_banji(bulletin):
    data, doc = bulletin
    texts = paragraph_texts(doc)
    assert texts.index("（一）表扬") < texts.index("区民政局：按时完成全部8项任务，公开内容规范完整。")
    assert texts.index("（二）通报批评") < texts.index("区卫生健康局：3项任务逾期未完成，且未说明原因。")
    assert "五、下一步工作要求" in texts
    issuer = [p for p in doc.paragraphs if p.text == "西山区人民政府办公室"][-1]
    date = find_paragraph(doc, "2021年10月15日")
    assert issuer.alignment == date.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    # 7.3.5.1 (the office stamps it): the date "右空四字"; the 10-character issuer centred over the
    # date (7 characters wide: 8 half-width digits and 年月日), so (10 - 7) / 2 = 1.5 further right
    assert abs(date.paragraph_format.right_indent.pt - 4 * 16) < 0.1
    assert ind(date).get(qn("w:rightChars")) == "400"
    assert abs(issuer.paragraph_format.right_indent.pt - 2.5 * 16) < 0.1
    # 版记: a one-column table as wide as the 版心, thick rules top and bottom, a thin one between
    banji = doc.tables[-1]
    assert table_rows_text(banji) == [["抄送：区委办公室，区人大常委会办公室，区政协办公室。"],
                                      ["西山区人民政府办公室\t2021年10月15日印发"]]
    borders = {b.tag.split("}")[1]: (b.get(qn("w:val")), b.get(qn("w:sz")))
               for b in banji._tbl.tblPr.find(qn("w:tblBorders"))}
    assert borders["top"] == borders["bottom"] == ("single", "8")
    assert borders["insideH"] == ("single", "6")
    assert borders["left"][0] == borders["right"][0] == borders["insideV"][0] == "nil"
    cc = banji.cell(0, 0).paragraphs[0]
    assert run_fonts(cc)[0] == ("仿宋_GB2312", "仿宋_GB2312", 14.0)
    assert ind(cc).get(qn("w:hangingChars")) == "300"  # wraps under the first 机关 after "抄送："
    assert doc.element.body.index(banji._tbl) > doc.element.body.index(date._p)


def test_bulletin_without_overdue_or_named_units():
    data = samples.bulletin()
    data.overdue, data.units_named, data.requirements, data.cc, data.per_unit = [], [], [], [], []
    doc = open_docx(bulletin_docx(data))
    texts = paragraph_texts(doc)
    assert "二、逾期未完成事项" in texts and "无逾期未完成事项。" in texts
    assert doc.tables == []  # no per-unit table, no overdue table, no 版记


# --- 年度报告部分 -------------------------------------------------------------------------


def test_annual_report_section_with_links():
    data = samples.annual_section()
    doc = open_docx(annual_report_section_docx(data))
    texts = paragraph_texts(doc)
    assert texts[0] == "西山区2021年政务公开工作要点落实情况"
    assert "一、总体情况" in texts and "二、具体落实情况" in texts
    assert ("2021年，西山区政务公开工作要点共有任务74项，已完成70项（其中按时完成66项），正在推进0项，"
            "逾期未完成4项。完成率94.6%，按时完成率89.2%。") in texts
    table = doc.tables[0]
    assert len(table.rows) == 1 + len(data.rows)
    rels = {r.target_ref for r in doc.part.rels.values() if r.is_external}
    for row, tr in zip(data.rows, table.rows[1:]):
        cells = tr.cells
        assert cells[1].text == row.requirement
        assert cells[2].text == row.done_text
        links = tr._tr.findall(".//" + qn("w:hyperlink"))
        assert [link.xpath("string(.)") for link in links] == row.urls
        assert set(row.urls) <= rels
        if not row.urls:
            assert cells[3].text == "—"
    assert texts[-1] == "2022年1月20日"


# --- 考评结果 ---------------------------------------------------------------------------


def test_assessment_table():
    data = samples.assessment()
    doc = open_docx(assessment_docx(data))
    assert "说明：考评依据《西山区2021年政务公开工作要点分工方案》落实情况和日常督办记录。" in paragraph_texts(doc)
    cells = table_rows_text(doc.tables[0])
    assert cells[0] == ["排名", "单位", *samples.ASSESSMENT_ITEMS, "总分", "备注"]
    assert cells[1] == ["1", "区民政局", "29.5", "20", "19", "18.5", "10", "97", ""]
    assert cells[4][-2:] == ["76.5", "逾期3项"]
    assert len(cells) == 1 + len(data.rows)


def test_assessment_rejects_misaligned_breakdown():
    data = samples.assessment()
    data.rows[0].breakdown = [1, 2]
    with pytest.raises(ValueError, match="区民政局"):
        assessment_docx(data)


def test_bulletin_with_praise_only_has_no_subheadings():
    data = samples.bulletin()
    data.units_named = data.units_named[:1]
    texts = paragraph_texts(open_docx(bulletin_docx(data)))
    assert "四、通报表扬" in texts and "（一）表扬" not in texts
    assert "区民政局：按时完成全部8项任务，公开内容规范完整。" in texts
