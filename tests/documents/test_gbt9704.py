"""GB/T 9704-2012 details of the generated .docx, read from the XML: the character grid, title line
breaks, the 版头 offset, 署名 and 成文日期, the 版记, landscape page numbers, table sizes."""
import math

import pytest
from docx.oxml.ns import qn
from docx.shared import Emu

from duban.documents import bulletin_docx, division_table_docx

from . import samples
from .helpers import find_paragraph, open_docx

pytestmark = pytest.mark.pure


@pytest.fixture(scope="module")
def bulletin():
    data = samples.bulletin()
    return data, open_docx(bulletin_docx(data))


def grid_of(doc):
    grid = doc.sections[0]._sectPr.find(qn("w:docGrid"))
    return grid.get(qn("w:type")), int(grid.get(qn("w:linePitch"))), int(grid.get(qn("w:charSpace")))


def test_character_grid_gives_28_characters_and_22_lines():
    doc = open_docx(division_table_docx(samples.PLAN, samples.division_rows()))
    kind, line_pitch, char_space = grid_of(doc)
    assert kind == "linesAndChars"
    s = doc.sections[0]
    width_pt = Emu(s.page_width - s.left_margin - s.right_margin).pt
    height_pt = Emu(s.page_height - s.top_margin - s.bottom_margin).pt
    # Word's character pitch: the default size (三号, 16 pt) plus charSpace in 1/4096 pt
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:sz"))
    assert defaults.get(qn("w:val")) == "32"
    pitch = 16 + char_space / 4096
    assert math.floor(width_pt / pitch) == 28
    assert math.floor(height_pt / (line_pitch / 20)) == 22
    # margins: 天头 37 mm, 订口 28 mm, which leaves the 156 × 225 mm 版心
    assert round(s.top_margin.mm, 1) == 37 and round(s.left_margin.mm, 1) == 28
    assert round(width_pt / 72 * 25.4) == 156 and round(height_pt / 72 * 25.4) == 225


def test_body_text_is_on_the_grid_and_other_sizes_are_not(bulletin):
    data, doc = bulletin
    body = find_paragraph(doc, "一、总体情况")
    snap = body._p.pPr.find(qn("w:snapToGrid"))
    assert snap is None or snap.get(qn("w:val")) not in ("0", "false")
    title = find_paragraph(doc, data.title)
    assert title._p.pPr.find(qn("w:snapToGrid")).get(qn("w:val")) == "0"
    cell = doc.tables[0].cell(1, 1).paragraphs[0]
    assert cell._p.pPr.find(qn("w:snapToGrid")).get(qn("w:val")) == "0"
    # 三号 runs are condensed by 0.25 pt, so that 28 fit where the grid is not honoured
    assert body.runs[0]._r.rPr.find(qn("w:spacing")).get(qn("w:val")) == "-5"


def test_a_long_title_is_broken_between_words_in_the_docx():
    data = samples.bulletin()
    data.title = "关于2021年政务公开工作要点落实情况的督办通报"
    doc = open_docx(bulletin_docx(data))
    title = find_paragraph(doc, "关于2021年政务公开\n工作要点落实情况的督办通报")
    assert title._p.xml.count("<w:br/>") == 1
    assert doc.core_properties.title == data.title


def test_masthead_is_35_mm_below_the_top_of_the_text_area(bulletin):
    _, doc = bulletin
    masthead = find_paragraph(doc, "西山区人民政府办公室督办通报")
    size = masthead.runs[0].font.size.pt
    line = masthead.paragraph_format.line_spacing.pt
    before = masthead.paragraph_format.space_before.pt
    # the first paragraph of the page: space before, then the glyphs centred in their exact line
    top_of_glyphs_mm = (before + (line - size) / 2) / 72 * 25.4
    assert abs(top_of_glyphs_mm - 35) < 0.5


def test_signature_and_date_with_a_seal_and_without(bulletin):
    data, doc = bulletin
    date = [p for p in doc.paragraphs if p.text == "2021年10月15日"][-1]
    issuer = date._p.getprevious()
    assert issuer.xpath("string(.)") == "西山区人民政府办公室"
    for p in (issuer, date._p):
        pPr = p.pPr
        # no automatic space between Chinese and digits that would move the date off its place
        assert pPr.find(qn("w:autoSpaceDE")).get(qn("w:val")) == "0"
        assert pPr.find(qn("w:autoSpaceDN")).get(qn("w:val")) == "0"
    # the blank line above the issuer is explicit space, not an empty paragraph
    assert int(issuer.pPr.find(qn("w:spacing")).get(qn("w:before"))) == 579
    assert date.paragraph_format.space_before.pt == 0
    assert date._p.pPr.find(qn("w:ind")).get(qn("w:rightChars")) == "400"  # 右空四字
    assert issuer.pPr.find(qn("w:ind")).get(qn("w:rightChars")) == "250"  # centred over the 7-character date

    from duban.documents.gongwen import GongwenDocument

    g = GongwenDocument()
    g.signature("区政府办公室", data.date, seal=False)  # 7.3.5.2: 署名右空二字, the date two characters further right
    d = open_docx(g.to_bytes())
    rights = [int(p._p.pPr.find(qn("w:ind")).get(qn("w:rightChars"))) for p in d.paragraphs if p.text]
    # the 7-character date is longer than the 6-character issuer: the date 右空二字, and the issuer
    # as far left as keeps the date's first character two characters right of its own: 2 + 7 + 2 − 6
    assert rights == [500, 200]
    g = GongwenDocument()
    g.signature("西山区人民政府办公室", data.date, seal=False)  # 10 characters: 右空二字, the date 10 − 7 in
    rights = [int(p._p.pPr.find(qn("w:ind")).get(qn("w:rightChars"))) for p in open_docx(g.to_bytes()).paragraphs if p.text]
    assert rights == [200, 300]


def test_banji_floats_at_the_foot_of_the_text_area(bulletin):
    _, doc = bulletin
    banji = doc.tables[-1]
    pos = banji._tbl.tblPr.find(qn("w:tblpPr"))
    assert pos.get(qn("w:vertAnchor")) == "margin" and pos.get(qn("w:horzAnchor")) == "page"
    heights = []
    for row in banji.rows:
        trHeight = row._tr.trPr.find(qn("w:trHeight"))
        assert trHeight.get(qn("w:hRule")) == "exact"
        heights.append(int(trHeight.get(qn("w:val"))))
    # its rows have exact heights, so its last rule is the bottom edge of the 225 mm 版心
    bottom_mm = (int(pos.get(qn("w:tblpY"))) + sum(heights)) / 1440 * 25.4
    assert abs(bottom_mm - 225) < 0.1
    # the first cell's text one character (14 pt, the cell margin) in from the 订口 (28 mm)
    assert abs(int(pos.get(qn("w:tblpX"))) / 1440 * 25.4 - (28 + 14 / 72 * 25.4)) < 0.1
    # anchored to the paragraph after it, which starts a new page only when asked to
    body = doc.element.body
    anchor = body[body.index(banji._tbl) + 1]
    assert anchor.tag == qn("w:p") and anchor.pPr.find(qn("w:pageBreakBefore")) is None


def test_banji_on_a_page_of_its_own_when_asked():
    data = samples.bulletin()
    data.banji_new_page = True
    doc = open_docx(bulletin_docx(data))
    body = doc.element.body
    banji = doc.tables[-1]
    assert body[body.index(banji._tbl) + 1].pPr.find(qn("w:pageBreakBefore")) is not None


def test_tables_use_standard_sizes_only():
    from duban.documents import annual_report_section_docx, assessment_docx, unit_task_list_docx
    from duban.documents.gongwen import GongwenDocument

    blobs = [bulletin_docx(samples.bulletin()), division_table_docx(samples.PLAN, samples.division_rows()),
             annual_report_section_docx(samples.annual_section()), assessment_docx(samples.assessment()),
             unit_task_list_docx(samples.unit_task_list())]
    sizes = set()
    for blob in blobs:
        for table in open_docx(blob).tables:
            for sz in table._tbl.iter(qn("w:sz")):
                sizes.add(int(sz.get(qn("w:val"))) / 2)
    assert sizes and sizes <= {14, 12, 10.5}, sizes  # 四号, 小四, 五号
    with pytest.raises(ValueError, match="四号"):
        GongwenDocument().table(["甲"], [["乙"]], [156], size=11)


def test_headings_titles_and_labels_keep_with_the_next_paragraph():
    from duban.documents import annual_report_section_docx

    data = samples.annual_section()
    doc = open_docx(annual_report_section_docx(data))
    heads = [p for p in doc.paragraphs if p.text in ("一、总体情况", "二、具体落实情况", data.title or "西山区2021年政务公开工作要点落实情况")]
    assert len(heads) == 3
    assert all(p.paragraph_format.keep_with_next for p in heads)
    body = [p for p in doc.paragraphs if p.text.startswith("2021年，")]
    assert body and not body[0].paragraph_format.keep_with_next


def test_a_landscape_page_keeps_the_character_pitch():
    from duban.documents import assessment_docx

    portrait = grid_of(open_docx(division_table_docx(samples.PLAN, samples.division_rows())))
    doc = open_docx(assessment_docx(samples.assessment()))
    assert doc.sections[0].orientation == 1  # landscape
    assert grid_of(doc) == portrait
