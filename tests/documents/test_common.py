"""Helpers shared by the generators, and builder details not covered by the documents."""
import datetime as dt
import io
import zipfile

import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH

from duban.documents import division_table_docx
from duban.documents.common import (
    cn_date,
    cn_number,
    fullwidth_punctuation,
    number,
    percent,
    section_merges,
    split_title,
    text_width_chars,
)
from duban.documents.gongwen import GongwenDocument
from duban.documents.model import Figures, PlanMeta

from . import samples
from .helpers import open_docx

pytestmark = pytest.mark.pure


def test_cn_date_has_no_leading_zeros():
    assert cn_date(dt.date(2021, 8, 2)) == "2021年8月2日"


@pytest.mark.parametrize("n,text", [(1, "一"), (5, "五"), (10, "十"), (11, "十一"), (20, "二十"), (34, "三十四")])
def test_cn_number(n, text):
    assert cn_number(n) == text


def test_number_and_percent():
    assert [number(x) for x in (95.0, 95.25, 7, None)] == ["95", "95.25", "7", ""]
    assert [percent(x) for x in (0.875, 1, None)] == ["87.5%", "100.0%", "—"]
    assert Figures(total=0).on_time_rate is None


def test_text_width_counts_half_width_as_half():
    assert text_width_chars("2021年8月12日") == 6.5
    assert text_width_chars("西山区人民政府办公室") == 10


def test_section_merges_mixed_depths():
    sections = [["甲", "子"], ["甲", "子"], ["甲"], ["甲", "丑"], [], []]
    texts, merges = section_merges(sections, 2)
    assert texts == [["甲", "子"], ["", ""], ["甲", ""], ["甲", "丑"], ["", ""], ["", ""]]
    # rows 0-1 share both levels; row 2 spans both columns on its own; row 3 is a single
    # cell at each level; the two rows without a section share one blank span.
    assert sorted(merges) == [(0, 0, 1, 0), (0, 1, 1, 1), (2, 0, 2, 1), (4, 0, 5, 1)]


def test_signature_centres_a_short_issuer_over_the_date():
    g = GongwenDocument()
    g.signature("区政务办", dt.date(2021, 12, 31))
    doc = open_docx(g.to_bytes())
    issuer, date = doc.paragraphs[-2], doc.paragraphs[-1]
    assert issuer.text == "区政务办" and date.text == "2021年12月31日"
    assert issuer.alignment == date.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    # 成文日期右空四字 (7 characters wide), the 4-character issuer centred over it
    assert abs(date.paragraph_format.right_indent.pt - 4 * 16) < 0.1
    assert abs(issuer.paragraph_format.right_indent.pt - (4 + 1.5) * 16) < 0.1


def test_page_number_mode_is_checked():
    with pytest.raises(ValueError, match="page_numbers"):
        GongwenDocument(page_numbers="roman")
    doc = open_docx(GongwenDocument(page_numbers=None).to_bytes())
    assert "PAGE" not in doc.sections[0].footer._element.xml


def test_division_table_landscape_option():
    doc = open_docx(division_table_docx(samples.PLAN, samples.division_rows(10), landscape=True))
    s = doc.sections[0]
    assert abs(s.page_width.mm - 297) < 0.05
    table = doc.tables[0]
    assert len(table.rows) == 11
    widths = [int(g.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}w"))
              for g in table._tbl.tblGrid]
    assert abs(sum(widths) / 1440 * 25.4 - 225) < 0.5


def test_empty_plan_still_makes_a_document():
    doc = open_docx(division_table_docx(PlanMeta("空方案"), []))
    assert len(doc.tables[0].rows) == 1


def test_document_properties_and_no_template_thumbnail():
    blob = division_table_docx(samples.PLAN, samples.division_rows(3))
    names = zipfile.ZipFile(io.BytesIO(blob)).namelist()
    assert not any("thumbnail" in n for n in names)
    props = open_docx(blob).core_properties
    assert props.title == samples.PLAN.title
    assert props.author == samples.PLAN.issuer
    assert "python-docx" not in (props.comments or "")


# --- 标题回行 ---------------------------------------------------------------------------

TITLES = [
    ("关于2021年政务公开工作要点落实情况的督办通报", "关于2021年政务公开\n工作要点落实情况的督办通报"),
    ("关于2021年第三季度政务公开工作要点落实情况的督办通报", "关于2021年第三季度政务公开\n工作要点落实情况的督办通报"),
    ("西山区人民政府办公室关于印发西山区2021年政务公开工作要点分工方案的通知",
     "西山区人民政府办公室关于印发西山区\n2021年政务公开工作要点分工方案的通知"),
    ("昆明市西山区住房和城乡建设局政务公开工作任务清单", "昆明市西山区住房和城乡建设局\n政务公开工作任务清单"),
]


@pytest.mark.parametrize("title, expected", TITLES)
def test_titles_break_on_word_boundaries(title, expected):
    lines = split_title(title, 19, words=["昆明市西山区住房和城乡建设局"])
    assert lines == expected
    assert lines.replace("\n", "") == title
    assert all(text_width_chars(line) <= 19 for line in lines.split("\n"))


@pytest.mark.parametrize("title", [t for t, _ in TITLES] + ["区政府办公室2021年督办通报政务公开工作任务分工方案落实情况报告"])
def test_titles_never_break_inside_a_word_or_a_number(title):
    for width in (9, 12, 15, 19):
        lines = split_title(title, width).split("\n")
        for a, b in zip(lines, lines[1:]):
            joint = a[-1] + b[0]
            assert joint not in ("督办", "办通", "通报", "政务", "公开", "方案", "清单", "报告", "情况"), (width, lines)
            assert not (a[-1].isdigit() and (b[0].isdigit() or b[0] == "年")), (width, lines)
            assert not any(w in a[-3:] + b[:3] and w not in a and w not in b for w in ("督办通报", "人民政府", "办公室")), lines


def test_titles_that_fit_or_carry_their_own_breaks_are_kept():
    assert split_title("西山区2021年政务公开工作要点分工方案", 19) == "西山区2021年政务公开工作要点分工方案"
    assert split_title("关于\n督办通报的说明的说明的说明的说明的说明的说明", 10) == "关于\n督办通报的说明的说明的说明的说明的说明的说明"


def test_three_line_titles_are_a_trapezoid_or_a_diamond():
    title = "西山区人民政府办公室关于印发西山区2021年政务公开工作要点分工方案的通知"
    widths = [text_width_chars(line) for line in split_title(title, 14).split("\n")]
    assert len(widths) == 3 and max(widths) <= 14
    assert widths[0] <= widths[1]  # never an inverted triangle at the top


# --- 全角标点 ---------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("按照“谁牵头编制,谁主动公开”的原则,做好(国土空间规划)工作;", "按照“谁牵头编制，谁主动公开”的原则，做好（国土空间规划）工作；"),
    ("是否完成?已完成! 详见附件:清单", "是否完成？已完成！详见附件：清单"),
    ("截至10:30,共1,000项", "截至10:30，共1,000项"),  # time and thousands stay
    ("项目(PPP)的信息", "项目（PPP）的信息"),
    ("区政府办公室(区外事办)牵头", "区政府办公室（区外事办）牵头"),
    ("Hello, world (ok)", "Hello, world (ok)"),  # no Chinese around: unchanged
    ("访问https://www.km.gov.cn/a,b?x=1(详见)", "访问https://www.km.gov.cn/a,b?x=1（详见）"),  # the URL is kept
    ("见 www.xs.gov.cn/x?a=1,2。发送至a.b@xs.gov.cn,谢谢", "见 www.xs.gov.cn/x?a=1,2。发送至a.b@xs.gov.cn，谢谢"),
    ("2021-10-15公开", "2021-10-15公开"),
])
def test_fullwidth_punctuation(text, expected):
    assert fullwidth_punctuation(text) == expected


def test_generated_docx_text_has_fullwidth_punctuation():
    from duban.documents.gongwen import GongwenDocument, Hyperlink

    g = GongwenDocument()
    g.paragraph("各单位要对照分工方案,逐项梳理(含退回事项);")
    g.table(["要求", "地址"], [["做好公开,接受监督", Hyperlink("https://a.gov.cn/x,y", "https://a.gov.cn/x,y")]], [80, 76])
    doc = open_docx(g.to_bytes())
    assert doc.paragraphs[0].text == "各单位要对照分工方案，逐项梳理（含退回事项）；"
    cells = [c.text for c in doc.tables[0].rows[1].cells]
    assert cells == ["做好公开，接受监督", "https://a.gov.cn/x,y"]
