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
