"""A small builder of 公文-style .docx files over python-docx (GB/T 9704-2012).

What follows the standard:

* A4 paper, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm, which leaves
  the 版心 of 156 × 225 mm. ``landscape=True`` turns the page and keeps the 版心
  size (225 × 156 mm) for wide tables (横排表格).
* Body 仿宋_GB2312 三号 (16 pt), first-line indent of two characters
  (``w:firstLineChars="200"``, with the equivalent ``w:firstLine`` in twips for
  programs that ignore character units), fixed line spacing of 28.95 pt, which
  gives the standard 22 lines in the 225 mm 版心; a ``linesAndChars`` document grid
  of 28 characters × 22 lines (:func:`set_doc_grid`), with text in other sizes
  kept off it.
* Titles broken on word boundaries into a 梯形/菱形 (:func:`.common.split_title`);
  generated text with full-width Chinese punctuation (:func:`.common.fullwidth_punctuation`).
* Title 方正小标宋简体 二号 (22 pt) centred; headings "一、" 黑体 三号 and
  "（一）" 楷体_GB2312 三号.
* Page numbers 4号半角宋体 digits between em dashes, "— 1 —", from a PAGE field:
  odd pages on the right and even pages on the left, each one character in from
  the edge of the 版心 (``page_numbers="gongwen"``, also for landscape tables, 7.5),
  or centred on every page (``page_numbers="centred"``).
* 发文机关标志 35 mm below the top of the 版心; 发文字号 line centred, with the red
  分隔线 drawn as the paragraph's bottom border; 署名 and 成文日期 in Arabic numerals
  ("2021年8月12日") placed as 7.3.5.1 (with a seal, the default) or 7.3.5.2 says;
  版记 (抄送 / 印发) as a one-column table as wide as the 版心 with a thick top rule,
  a thin middle rule and a thick bottom rule, floating at the foot of the 版心, on a
  page of its own when asked (:func:`duban.documents.render.banji_on_even_page`).
* Tables: header row repeated on every page (``w:tblHeader``), rows allowed to
  break across pages, single borders, fixed column widths, cell text in 四号, 小四
  (the default) or 五号 only.

Fonts. A run in a .docx names one font per script (``w:ascii``, ``w:hAnsi``,
``w:eastAsia``); there is no fallback list. We name the fonts the standard asks
for (the "GB" names in :data:`FONTS`) in all of them (``w:eastAsia`` is the one
that matters for Chinese text; ``font.name`` alone would only set the Latin
ones). Where a named font is missing the program substitutes:

* Word and WPS use word/fontTable.xml, where we describe each GB font with the
  GB2312 charset and an ``w:altName`` (the first entry of :data:`FONT_FALLBACKS`:
  仿宋_GB2312 → 仿宋, 楷体_GB2312 → 楷体, 方正小标宋简体 → 华文中宋, 黑体 → SimHei);
* LibreOffice asks fontconfig, which on Debian with ``fonts-noto-cjk`` gives
  Noto Sans CJK SC for every unknown name; :mod:`duban.documents.render` sets up
  a LibreOffice profile that maps each GB name to the last (Noto) entry of
  :data:`FONT_FALLBACKS` instead, so 仿宋 stays a serif face and 黑体 a sans one.

Not implemented: 份号, 密级, 紧急程度, 签发人, 印章. The module knows nothing about
Django or the database.
"""
from __future__ import annotations

import copy
import datetime as dt
import io
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace
from typing import Sequence, Union
from xml.sax.saxutils import escape  # &, <, > as lxml writes text content; quotes as they are

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.oxml import serialize_part_xml
from docx.opc.pkgwriter import PackageWriter
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.simpletypes import ST_Merge
from docx.shared import Emu, Length, Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from lxml import etree

from .common import cn_date, fullwidth_punctuation, printable, split_title, text_width_chars  # noqa: F401  (cn_date re-exported)

# --- page -----------------------------------------------------------------

PAGE_WIDTH = Mm(210)
PAGE_HEIGHT = Mm(297)
MARGIN_TOP = Mm(37)
MARGIN_BOTTOM = Mm(35)
MARGIN_LEFT = Mm(28)
MARGIN_RIGHT = Mm(26)
TEXT_WIDTH_MM = 156  # 版心
TEXT_HEIGHT_MM = 225
FOOTER_DISTANCE = Mm(21)  # puts the page-number line about 7 mm under the 版心

# --- type -----------------------------------------------------------------

FONT_TITLE = "方正小标宋简体"
FONT_BODY = "仿宋_GB2312"
FONT_H1 = "黑体"
FONT_H2 = "楷体_GB2312"
FONT_PAGE_NUMBER = "宋体"
FONTS = {
    "title": FONT_TITLE,
    "body": FONT_BODY,
    "heading1": FONT_H1,
    "heading2": FONT_H2,
    "page_number": FONT_PAGE_NUMBER,
}
# What replaces each font where it is missing, best first. The Windows names come
# with Windows/WPS; the Noto CJK families are what Debian's fonts-noto-cjk installs
# and what LibreOffice ends up using through fontconfig on a Linux server.
FONT_FALLBACKS = {
    FONT_TITLE: ["华文中宋", "宋体", "SimSun", "Noto Serif CJK SC"],
    FONT_BODY: ["仿宋", "FangSong", "Noto Serif CJK SC"],
    FONT_H1: ["SimHei", "Noto Sans CJK SC"],
    FONT_H2: ["楷体", "KaiTi", "Noto Serif CJK SC"],
    FONT_PAGE_NUMBER: ["SimSun", "Noto Serif CJK SC"],
}

# 字号 in points.
SIZE = {
    "初号": 42, "小初": 36, "一号": 26, "小一": 24, "二号": 22, "小二": 18,
    "三号": 16, "小三": 15, "四号": 14, "小四": 12, "五号": 10.5,
}
BODY_SIZE = SIZE["三号"]
TABLE_SIZES = (SIZE["四号"], SIZE["小四"], SIZE["五号"])  # the standard sizes a table is set in
TITLE_SIZE = SIZE["二号"]
LINE_PITCH = Pt(28.95)  # 22 lines × 28.95 pt ≈ 225 mm
CHARS_PER_LINE = 28  # 三号 characters per line of the 版心 (the document grid)
# 28 三号 characters (448 pt) are wider than the 版心 (442 pt). Word and WPS squeeze them onto the
# document grid; LibreOffice does not (a 16 pt character takes two 15.8 pt grid cells there), so 三号
# runs are also condensed by 0.25 pt, which gives 28 a line in all three.
GRID_CONDENSE = -5
BANJI_LINE = Pt(22)  # a line of the 四号 版记
BANJI_PAD = Pt(8)  # above and below the text of a 版记 row
TITLE_LINE = Pt(36)  # a 22 pt title needs more than 28.95 pt or CJK glyphs get clipped
RED = RGBColor(0xFF, 0x00, 0x00)
RED_HEX = "FF0000"
LINK_BLUE = RGBColor(0x00, 0x56, 0xB3)

ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}


@dataclass
class Hyperlink:
    text: str
    url: str


CellValue = Union[str, int, float, Hyperlink, Sequence[Union[str, Hyperlink]], None]


# --- low-level XML helpers --------------------------------------------------

# Children of w:pPr in schema order (ECMA-376 CT_PPr).
PPR_ORDER = (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
    "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens",
    "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
    "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)
_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def set_rfonts(rPr, name: str, ascii_name: str | None = None) -> None:
    """Name the font for every script on an ``w:rPr``, dropping theme fonts (which win over names)."""
    rFonts = rPr.find(qn("w:rFonts"))
    if rFonts is None:
        rFonts = OxmlElement("w:rFonts")
        rPr.insert(0, rFonts)
    for attr in _THEME_ATTRS:
        rFonts.attrib.pop(qn(attr), None)
    latin = ascii_name or name
    rFonts.set(qn("w:ascii"), latin)
    rFonts.set(qn("w:hAnsi"), latin)
    rFonts.set(qn("w:eastAsia"), name)
    rFonts.set(qn("w:cs"), latin)
    rFonts.set(qn("w:hint"), "eastAsia")


def style_run(run, font: str, size: float, *, bold: bool = False, color: RGBColor | None = None,
              ascii_name: str | None = None, underline: bool = False) -> None:
    set_rfonts(run._r.get_or_add_rPr(), font, ascii_name)
    run.font.size = Pt(size)
    if size == BODY_SIZE:
        condense(run)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    if underline:
        run.font.underline = True


def condense(run, twentieths: int = GRID_CONDENSE) -> None:
    """Character spacing ``w:spacing`` (in 1/20 pt) on a run; see :data:`GRID_CONDENSE`."""
    rPr = run._r.get_or_add_rPr()
    el = rPr.find(qn("w:spacing"))
    if el is None:
        el = OxmlElement("w:spacing")
        # CT_RPr order: … w:color, w:spacing, w:w, w:kern, w:position, w:sz …
        rPr.insert_element_before(el, "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight",
                                  "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign",
                                  "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish",
                                  "w:oMath")
    el.set(qn("w:val"), str(twentieths))


def _insert_ppr_child(pPr, el) -> None:
    """Insert ``el`` into ``w:pPr`` at its schema position, replacing an existing one."""
    old = pPr.find(el.tag)
    if old is not None:
        pPr.remove(old)
    name = "w:" + el.tag.split("}")[-1]
    pPr.insert_element_before(el, *PPR_ORDER[PPR_ORDER.index(name) + 1:])


def set_borders(paragraph, **sides: tuple[int, str, int]) -> None:
    """Paragraph borders: ``bottom=(size_eighths_pt, hex_colour, space_pt)`` etc."""
    pPr = paragraph._p.get_or_add_pPr()
    pBdr = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        if side in sides:
            sz, color, space = sides[side]
            b = OxmlElement(f"w:{side}")
            b.set(qn("w:val"), "single")
            b.set(qn("w:sz"), str(sz))
            b.set(qn("w:space"), str(space))
            b.set(qn("w:color"), color)
            pBdr.append(b)
    _insert_ppr_child(pPr, pBdr)


def no_auto_space(paragraph) -> None:
    """No automatic space between Chinese and Latin text or digits (``w:autoSpaceDE``/``DN`` off): a
    right-aligned date keeps exactly the indent given."""
    pPr = paragraph._p.get_or_add_pPr()
    for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), "0")
        _insert_ppr_child(pPr, el)


def set_outline_level(paragraph, level: int) -> None:
    pPr = paragraph._p.get_or_add_pPr()
    el = OxmlElement("w:outlineLvl")
    el.set(qn("w:val"), str(level))
    _insert_ppr_child(pPr, el)


def format_paragraph(paragraph, *, align: str = "justify", size: float = BODY_SIZE,
                     first_line_chars: float = 0, left_chars: float = 0, right_chars: float = 0,
                     hanging_chars: float = 0, line: Length | None = LINE_PITCH,
                     before: float = 0, after: float = 0) -> None:
    """Alignment, indents in characters of ``size`` points, exact line spacing. Only 三号 text
    (the body, headings, 署名) is set on the document grid; other sizes keep their own."""
    pf = paragraph.paragraph_format
    pf.alignment = ALIGN[align]
    pf.space_before = Emu(int(before))
    pf.space_after = Emu(int(after))
    if line is None:
        pf.line_spacing = 1.0
    else:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Emu(int(line))
    if left_chars:
        pf.left_indent = Pt(size * left_chars)
    if right_chars:
        pf.right_indent = Pt(size * right_chars)
        # in characters too, which Word and WPS measure on the document grid
        paragraph._p.get_or_add_pPr().get_or_add_ind().set(qn("w:rightChars"), str(round(right_chars * 100)))
    if first_line_chars or hanging_chars:
        pf.first_line_indent = Pt(size * (first_line_chars or -hanging_chars))
        ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
        if first_line_chars:
            ind.set(qn("w:firstLineChars"), str(round(first_line_chars * 100)))
        else:
            ind.set(qn("w:hangingChars"), str(round(hanging_chars * 100)))
    pf.widow_control = True
    if size != BODY_SIZE:
        off_grid(paragraph)


def add_field(paragraph, instruction: str, placeholder: str, style) -> None:
    """A complex field (``PAGE``, ``NUMPAGES`` …) whose cached result is ``placeholder``."""

    def run_with(child):
        r = paragraph.add_run()
        style(r)
        r._r.append(child)
        return r

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    style(paragraph.add_run(placeholder))
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def hyperlink_rel(part, url: str) -> str:
    """The rId of the part's hyperlink relationship to ``url``, added if new: what python-docx's
    ``part.relate_to(url, RT.HYPERLINK, is_external=True)`` returns (the same rId for the same url,
    else the lowest free one), without its walk of every relationship on each call, which made a
    table of thousands of links quadratic (the 年度报告 appendix). Relationships are never removed
    here, so the lowest free rId only moves up."""
    rels = part.rels
    cache = getattr(rels, "_duban_links", None)
    if cache is None:
        cache = rels._duban_links = {
            "by_url": {r.target_ref: r.rId for r in reversed(list(rels.values())) if r.is_external and r.reltype == RT.HYPERLINK},
            "next": 1,
        }
    r_id = cache["by_url"].get(url)
    if r_id is None:
        n = cache["next"]
        while f"rId{n}" in rels:
            n += 1
        r_id = f"rId{n}"
        rels.add_relationship(RT.HYPERLINK, url, r_id, is_external=True)
        cache["by_url"][url], cache["next"] = r_id, n + 1
    return r_id


def add_hyperlink(paragraph, text: str, url: str, font: str, size: float) -> None:
    r_id = hyperlink_rel(paragraph.part, url)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    link.set(qn("w:history"), "1")
    # Build the run through python-docx, then move it into the hyperlink.
    run = paragraph.add_run(printable(text))
    style_run(run, font, size, color=LINK_BLUE, ascii_name=font, underline=True)
    link.append(run._r)
    paragraph._p.append(link)


def set_doc_grid(section, chars: int = CHARS_PER_LINE, size: float = BODY_SIZE) -> None:
    """The 文档网格 "指定行和字符网格": ``chars`` characters of ``size`` points across the 版心 and
    lines of :data:`LINE_PITCH` (22 in the 225 mm 版心).

    Word and LibreOffice count the characters of a line from the grid's character pitch: the default
    font size plus ``w:charSpace`` (in 1/4096 pt). 28 三号 characters are 448 pt, more than the
    442 pt of the 版心, so without the grid a line holds 27; with it, each character is set 15.79 pt
    apart and a line holds 28.
    """
    # the pitch of the portrait 版心, also on a landscape page (which then holds 40 a line, not 28 spread out)
    width_twips = PAGE_WIDTH.twips - MARGIN_LEFT.twips - MARGIN_RIGHT.twips
    pitch = width_twips / 20 / chars  # points per character
    char_space = math.floor((pitch - size) * 4096)
    sectPr = section._sectPr
    grid = sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sectPr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH.twips)))
    grid.set(qn("w:charSpace"), str(char_space))


def off_grid(paragraph) -> None:
    """Keep a paragraph off the document grid (``w:snapToGrid w:val="0"``): a table cell, a title or
    a page number in another size is set at its own size, not stretched to the 三号 grid."""
    el = OxmlElement("w:snapToGrid")
    el.set(qn("w:val"), "0")
    _insert_ppr_child(paragraph._p.get_or_add_pPr(), el)


# --- the builder ----------------------------------------------------------------

_PREPARED: dict[tuple[bool, str | None], object] = {}  # (landscape, page numbers) → the document to copy (GongwenDocument)


class GongwenDocument:
    """Builds one document top to bottom; :meth:`to_bytes` returns the .docx."""

    def __init__(self, *, landscape: bool = False, page_numbers: str | None = "gongwen",
                 title: str = "", author: str = "") -> None:
        prepared = _PREPARED.get((landscape, page_numbers))
        if prepared is None:
            prepared = _PREPARED[(landscape, page_numbers)] = self._prepare(landscape, page_numbers)
        self.doc = copy.deepcopy(prepared)
        self.landscape = landscape
        self._row_xml: list[bytes] = []  # the data rows of each table, as XML text (table, to_bytes)
        props = self.doc.core_properties
        now = dt.datetime.now().replace(microsecond=0)
        props.title = title.replace("\n", "")
        props.author = author
        props.last_modified_by = author
        props.comments = ""
        props.created = now
        props.modified = now
        props.revision = 1

    def _prepare(self, landscape: bool, page_numbers: str | None):
        """python-docx's template with our defaults, fonts, page and page numbers, without its preview
        picture (which shows an empty page): made once for each layout and copied for each document
        (making it was a third of a unit's task list; the all-units zip makes dozens)."""
        self.doc = Document()
        self._setup_defaults()
        self._setup_page(landscape)
        if page_numbers:
            self._page_numbers(page_numbers)
        rels = self.doc.part.package.rels
        for r_id, rel in list(rels.items()):
            if rel.reltype == RT.THUMBNAIL:
                del rels[r_id]
        return self.doc

    # page and defaults

    def _setup_defaults(self) -> None:
        styles = self.doc.styles.element
        rPr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
        set_rfonts(rPr, FONT_BODY)
        rPr.find(qn("w:sz")).set(qn("w:val"), str(BODY_SIZE * 2))
        rPr.find(qn("w:szCs")).set(qn("w:val"), str(BODY_SIZE * 2))
        lang = rPr.find(qn("w:lang"))
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")
        spacing = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
        spacing.set(qn("w:after"), "0")
        spacing.set(qn("w:line"), "240")
        spacing.set(qn("w:lineRule"), "auto")
        self._register_fonts()
        normal = self.doc.styles["Normal"]
        set_rfonts(normal.element.get_or_add_rPr(), FONT_BODY)
        normal.font.size = Pt(BODY_SIZE)
        # The template's empty first paragraph is removed so the document starts with ours.
        body = self.doc.element.body
        for p in body.findall(qn("w:p")):
            body.remove(p)

    def _register_fonts(self) -> None:
        """Describe our fonts in word/fontTable.xml: GB2312 charset, serif or sans, and an
        ``altName`` (WPS and Word use these to pick a substitute when the font is missing)."""
        part = next(p for p in self.doc.part.package.iter_parts() if p.partname == "/word/fontTable.xml")
        xml_part = hasattr(part, "_element")
        root = part._element if xml_part else etree.fromstring(part.blob)
        have = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
        for name, alternatives in FONT_FALLBACKS.items():
            if name in have:
                continue
            font = OxmlElement("w:font")
            font.set(qn("w:name"), name)
            for tag, value in (("w:altName", alternatives[0]), ("w:charset", "86"),
                               ("w:family", "swiss" if name == FONT_H1 else "roman"),
                               ("w:pitch", "variable")):
                el = OxmlElement(tag)
                el.set(qn("w:val"), value)
                font.append(el)
            root.append(font)
        if not xml_part:
            part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _setup_page(self, landscape: bool) -> None:
        s = self.doc.sections[0]
        if landscape:
            s.orientation = WD_ORIENT.LANDSCAPE
            s.page_width, s.page_height = PAGE_HEIGHT, PAGE_WIDTH
            s.top_margin, s.bottom_margin = Mm(28), Mm(26)
            s.left_margin, s.right_margin = Mm(37), Mm(35)
        else:
            s.orientation = WD_ORIENT.PORTRAIT
            s.page_width, s.page_height = PAGE_WIDTH, PAGE_HEIGHT
            s.top_margin, s.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
            s.left_margin, s.right_margin = MARGIN_LEFT, MARGIN_RIGHT
        s.header_distance = Mm(15)
        s.footer_distance = FOOTER_DISTANCE if not landscape else Mm(14)
        self.landscape = landscape
        set_doc_grid(s)

    @property
    def text_width_mm(self) -> float:
        return TEXT_HEIGHT_MM if self.landscape else TEXT_WIDTH_MM

    @property
    def title_chars(self) -> float:
        """二号 characters on a title line, one kept spare for the proportional digits."""
        return math.floor(self.text_width_mm / 25.4 * 72 / TITLE_SIZE) - 1

    def _page_numbers(self, mode: str) -> None:
        size = SIZE["四号"]

        def style(run):
            style_run(run, FONT_PAGE_NUMBER, size, ascii_name=FONT_PAGE_NUMBER)

        def fill(footer, align, left=0.0, right=0.0):
            footer.is_linked_to_previous = False
            p = footer.paragraphs[0]
            format_paragraph(p, align=align, size=size, left_chars=left, right_chars=right, line=None)
            style(p.add_run("— "))
            add_field(p, "PAGE", "1", style)
            style(p.add_run(" —"))

        section = self.doc.sections[0]
        if mode == "centred":
            fill(section.footer, "center")
        elif mode == "gongwen":
            self.doc.settings.odd_and_even_pages_header_footer = True
            fill(section.footer, "right", right=1)  # 单页码居右空一字
            fill(section.even_page_footer, "left", left=1)  # 双页码居左空一字
        else:
            raise ValueError(f"page_numbers must be 'gongwen', 'centred' or None, not {mode!r}")

    # blocks

    def _para(self, text: str = "", *, font: str = FONT_BODY, size: float = BODY_SIZE,
              bold: bool = False, color: RGBColor | None = None, **fmt):
        p = self.doc.add_paragraph()
        format_paragraph(p, size=size, **fmt)
        lines = printable(fullwidth_punctuation(text)).split("\n")
        for i, line in enumerate(lines):
            run = p.add_run(line)
            style_run(run, font, size, bold=bold, color=color)
            if i < len(lines) - 1:
                run.add_break()
        return p

    def masthead(self, text: str, *, size: float | None = None, space_before_mm: float = 35):
        """发文机关标志 / 版头 in red 小标宋, centred; shrinks to fit one line of the 版心."""
        if size is None:
            fit = TEXT_WIDTH_MM / 25.4 * 72 / max(text_width_chars(text), 1)
            size = min(SIZE["小初"], int(fit))
        return self._para(text, font=FONT_TITLE, size=size, color=RED, align="center",
                          line=Pt(size * 1.5), before=Mm(space_before_mm) - Pt(size * 0.25))

    def doc_number_line(self, text: str, *, rule: bool = True, lines_before: float = 2):
        """发文字号 (or 期号) centred "发文机关标志下空二行", with the red 分隔线 4 mm below."""
        p = self._para(text, align="center", before=LINE_PITCH * lines_before if lines_before else 0)
        if rule:
            set_borders(p, bottom=(12, RED_HEX, 11))  # 1.5 pt red, about 4 mm under the text
        return p

    def issue_line(self, left: str, right: str, *, rule: bool = True):
        """A line with ``left`` at the left and ``right`` at the right edge, e.g. issuer and date."""
        p = self._para("", align="left")
        p.paragraph_format.tab_stops.add_tab_stop(Mm(self.text_width_mm), WD_TAB_ALIGNMENT.RIGHT)
        run = p.add_run(f"{left}\t{right}")
        style_run(run, FONT_BODY, BODY_SIZE)
        if rule:
            set_borders(p, bottom=(12, RED_HEX, 11))
        return p

    def red_rule(self):
        p = self._para("", line=Pt(6), size=6)
        set_borders(p, bottom=(12, RED_HEX, 0))
        return p

    def title(self, text: str, *, lines_before: float = 2, lines_after: float = 1, words: Sequence[str] = ()):
        """标题: 方正小标宋简体 二号, centred; ``\\n`` starts a new line. A title longer than a line is
        broken on word boundaries into a 梯形/菱形 (:func:`.common.split_title`; ``words`` are names
        to keep whole, such as unit names)."""
        text = split_title(text, self.title_chars, words)
        p = self._para(text, font=FONT_TITLE, size=TITLE_SIZE, align="center", line=TITLE_LINE,
                       before=LINE_PITCH * lines_before, after=LINE_PITCH * lines_after)
        p.paragraph_format.keep_with_next = True  # never alone at the foot of a page
        return p

    def subtitle(self, text: str):
        """A centred 楷体 line under the title, e.g. "（2021年10月15日）"."""
        p = self._para(text, font=FONT_H2, align="center", after=LINE_PITCH * 0.5)
        p.paragraph_format.keep_with_next = True
        return p

    def addressee(self, text: str):
        """主送机关: 顶格, ending with a full-width colon."""
        if text and not text.endswith("："):
            text += "："
        return self._para(text, align="justify")

    def paragraph(self, text: str, *, indent: bool = True, align: str = "justify"):
        """A body paragraph: 仿宋_GB2312 三号, first line indented two characters."""
        return self._para(text, align=align, first_line_chars=2 if indent else 0)

    def heading1(self, text: str):
        """First-level heading "一、……": 黑体 三号."""
        p = self._para(text, font=FONT_H1, first_line_chars=2, align="justify")
        p.paragraph_format.keep_with_next = True
        set_outline_level(p, 0)
        return p

    def heading2(self, text: str):
        """Second-level heading "（一）……": 楷体_GB2312 三号."""
        p = self._para(text, font=FONT_H2, first_line_chars=2, align="justify")
        p.paragraph_format.keep_with_next = True
        set_outline_level(p, 1)
        return p

    def label(self, text: str):
        """"附件" or a table caption line at the left: 黑体 三号, 顶格."""
        p = self._para(text, font=FONT_H1, align="left")
        p.paragraph_format.keep_with_next = True
        return p

    def link_paragraph(self, prefix: str, links: Sequence[Hyperlink], *, indent: bool = True):
        p = self._para(prefix, first_line_chars=2 if indent else 0, align="left")
        for i, link in enumerate(links):
            if i:
                style_run(p.add_run("；"), FONT_BODY, BODY_SIZE)
            add_hyperlink(p, link.text, link.url, FONT_BODY, BODY_SIZE)
        return p

    def blank(self, n: int = 1):
        for _ in range(n):
            self._para("")

    def signature(self, issuer: str, date: dt.date, *, seal: bool = True):
        """发文机关署名 and 成文日期 (GB/T 9704-2012 7.3.5).

        With ``seal`` (加盖印章, 7.3.5.1, the default: the office stamps what it sends): the date
        right-aligned "右空四字", the issuer centred over the date, one line below the text. Without
        (7.3.5.2): the issuer "右空二字" one blank line below the text, the date on the next line, its
        first character two characters right of the issuer's; a date longer than the issuer is
        "右空二字" and the issuer moves left to keep the two characters. The blank line is space
        before the issuer; neither line gets the automatic space between Chinese and digits nor the
        character grid (which moves a character that follows digits to the next cell), so the
        offsets are the characters counted here.
        """
        date_text = cn_date(date)
        wi, wd = text_width_chars(issuer), text_width_chars(date_text)
        if not issuer:
            return self._signature_line(date_text, 4.0, before=LINE_PITCH)
        if seal:
            date_right = 4.0
            issuer_right = max(0.0, date_right + (wd - wi) / 2)
        elif wi - wd >= 0:
            issuer_right, date_right = 2.0, wi - wd
        else:
            date_right = 2.0
            issuer_right = date_right + wd - wi + 2  # the date still starts two characters right of it
        self._signature_line(issuer, issuer_right, before=LINE_PITCH)
        return self._signature_line(date_text, date_right)

    def _signature_line(self, text: str, right_chars: float, before: float = 0):
        p = self._para(text, align="right", right_chars=right_chars, before=before)
        no_auto_space(p)
        off_grid(p)  # on the character grid each Chinese character after a digit jumps to the next cell
        return p

    def date_line(self, date: dt.date, *, right_chars: float = 4):
        """成文日期 alone, right-aligned, "右空四字"."""
        return self._signature_line(cn_date(date), right_chars)

    def banji(self, cc: Sequence[str], printed_by: str, printed_on: dt.date, *, new_page: bool = False):
        """版记: 抄送 and 印发机关/印发日期 in 仿宋 四号, at the foot of the last page.

        Drawn as a one-column table as wide as the 版心: its top and bottom borders are the
        thick 首条/末条分隔线 (about 0.35 mm), its inner border the thin 中间分隔线 (about
        0.25 mm), and cell margins of one character keep the text "左右各空一字". The 抄送
        line wraps under the first 机关 name (hanging indent after "抄送："). The table floats at
        the bottom of the 版心 (``w:tblpPr``, anchored to the margin), so that its last rule is the
        版心's bottom edge. The 版记 belongs on an even page: ``new_page`` starts a page for it when
        the text ends on an odd one (:func:`duban.documents.render.banji_on_even_page` finds out).
        """
        size = SIZE["四号"]
        width = self.text_width_mm
        table = self.doc.add_table(rows=2 if cc else 1, cols=1)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        _set_table_props(table._tbl.tblPr, width, borders={"top": 8, "bottom": 8, "insideH": 6},
                         side_margin_twips=round(size * 20))
        table.columns[0].width = Mm(width)
        cells = [row.cells[0] for row in table.rows]
        for cell in cells:
            cell.width = Mm(width)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        heights = []
        if cc:
            text = "抄送：" + "，".join(cc)
            if not text.endswith("。"):
                text += "。"
            p = cells[0].paragraphs[0]
            format_paragraph(p, align="justify", size=size, left_chars=3, hanging_chars=3, line=BANJI_LINE)
            style_run(p.add_run(text), FONT_BODY, size)
            per_line = (width - 2 * size * 25.4 / 72) / (size * 25.4 / 72)  # 左右各空一字
            heights.append(_banji_lines(text, per_line) * BANJI_LINE + BANJI_PAD)
        p = cells[-1].paragraphs[0]
        format_paragraph(p, align="left", size=size, line=BANJI_LINE)
        heights.append(BANJI_LINE + BANJI_PAD)
        for row, h in zip(table.rows, heights):
            row.height, row.height_rule = Emu(h), WD_ROW_HEIGHT_RULE.EXACTLY
        section = self.doc.sections[-1]
        # Word and LibreOffice place a table's first cell text, not its border, at the offset given
        _float_at_foot(table._tbl.tblPr, section.left_margin + Pt(size),
                       Mm(TEXT_WIDTH_MM if self.landscape else TEXT_HEIGHT_MM) - sum(heights))
        p.paragraph_format.tab_stops.add_tab_stop(Mm(width) - Pt(2 * size), WD_TAB_ALIGNMENT.RIGHT)
        style_run(p.add_run(f"{printed_by}\t{cn_date(printed_on)}印发"), FONT_BODY, size)
        anchor = self._para("", line=Pt(1), size=1)  # the paragraph the floating table is anchored to
        # a new page starts at that paragraph (a page break before the table is lost in LibreOffice)
        if new_page:
            anchor.paragraph_format.page_break_before = True
        return table

    def page_break(self):
        from docx.enum.text import WD_BREAK

        p = self.doc.add_paragraph()
        p.add_run().add_break(WD_BREAK.PAGE)
        return p

    def table(self, headers: Sequence[str | None], rows: Sequence[Sequence[CellValue]],
              widths_mm: Sequence[float], *, size: float = SIZE["小四"],
              header_size: float | None = None, align: Sequence[str] | None = None,
              merges: Sequence[tuple[int, int, int, int]] = (), repeat_header: bool = True):
        """A bordered table with a header row repeated on every page.

        ``headers[i] is None`` merges header cell *i* into the one on its left.
        ``rows`` holds the data rows; a cell value is text, a number, a
        :class:`Hyperlink`, or a list of those (one paragraph each).
        ``merges`` are rectangles ``(row0, col0, row1, col1)``, inclusive, in
        data-row coordinates; only the top-left cell of a rectangle is written.
        ``align`` gives each column's alignment ("left"/"center"/"right").
        Rows are allowed to break across pages. The header row is built with python-docx; the data rows
        are written as XML text (:class:`_RowWriter`), in time linear in the cells, and put in the
        document when it is saved (:meth:`to_bytes`): the table object returned holds the header row only.
        """
        ncols = len(widths_mm)
        header_size = header_size or size
        if {size, header_size} - set(TABLE_SIZES):
            raise ValueError(f"table text in {size}/{header_size} pt: use 四号, 小四 or 五号 ({TABLE_SIZES})")
        if len(headers) != ncols:
            raise ValueError("one header per column")
        align = list(align or ["left"] * ncols)
        table = self.doc.add_table(rows=1, cols=ncols)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        tblPr = table._tbl.tblPr
        _set_table_props(tblPr, sum(widths_mm))
        for i, w in enumerate(widths_mm):
            table.columns[i].width = Mm(w)

        # Merges as rectangles of grid positions; the header's None columns are merges of row -1.
        spans = []
        c = 0
        while c < ncols:
            end = c
            while end + 1 < ncols and headers[end + 1] is None:
                end += 1
            if end > c:
                spans.append((-1, c, -1, end))
            c = end + 1
        spans += merges
        covered = set()
        for r0, c0, r1, c1 in spans:
            if not (0 <= c0 <= c1 < ncols and -1 <= r0 <= r1 < len(rows)):
                raise ValueError(f"merge {(r0, c0, r1, c1)} is outside the table")
            if r0 < 0 <= r1:
                raise ValueError(f"merge {(r0, c0, r1, c1)} joins the header row to the data rows")
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if (r, c) in covered:
                        raise ValueError(f"merge {(r0, c0, r1, c1)} overlaps another")
                    covered.add((r, c))
        anchors = {(r0, c0) for r0, c0, r1, c1 in spans}
        covered -= anchors

        head = table.rows[0]
        trPr = head._tr.get_or_add_trPr()
        if repeat_header:
            trPr.append(OxmlElement("w:tblHeader"))
        trPr.insert(0, OxmlElement("w:cantSplit"))
        cells = head.cells
        for c, cell in enumerate(cells):
            cell.width = Mm(widths_mm[c])
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        blank = [_clone(tc) for tc in head._tr.tc_lst]  # each column's cell before its text: a data cell's start
        for c, cell in enumerate(cells):
            if headers[c] is not None:
                _write_cell(cell, headers[c], FONT_H1, header_size, "center")
        for r0, c0, r1, c1 in spans:
            if r0 < 0:
                _merge([head._tr], 0, c0, 0, c1)
        if rows:
            text = _RowWriter(self.doc.part, blank, align, size).rows(rows, [s for s in spans if s[0] >= 0], covered)
            table._tbl.append(etree.Comment(f"{_ROWS_MARK}{len(self._row_xml)}"))
            self._row_xml.append(text.encode("utf-8"))
        # A paragraph after the table so consecutive tables do not fuse.
        self._para("", line=Pt(size), size=size)
        return table

    def to_bytes(self) -> bytes:
        """The .docx: what python-docx's ``Document.save`` writes, with each table's data rows put in
        place of its marker (:meth:`table`)."""
        package = self.doc.part.package
        parts = package.parts
        for part in parts:
            part.before_marshal()
        xml = serialize_part_xml(self.doc.element)
        if self._row_xml:
            pieces = _ROWS_MARK_RE.split(xml)  # text, marker number, text, …
            xml = b"".join(self._row_xml[int(piece)] if i % 2 else piece for i, piece in enumerate(pieces))
        main = self.doc.part
        parts = [SimpleNamespace(partname=main.partname, content_type=main.content_type, rels=main.rels, blob=xml)
                 if part is main else part for part in parts]
        buf = io.BytesIO()
        PackageWriter.write(buf, package.rels, parts)
        return buf.getvalue()


ALL_BORDERS = {side: 4 for side in ("top", "left", "bottom", "right", "insideH", "insideV")}


def _set_table_props(tblPr, width_mm: float, *, borders: dict[str, int] = ALL_BORDERS,
                     side_margin_twips: int = 85) -> None:
    """Width, single borders of the given sizes (eighths of a point), fixed layout and
    cell margins (85 twips = 1.5 mm at the sides, none at top and bottom)."""
    def twips(mm):
        return str(round(mm / 25.4 * 1440))

    tblW = tblPr.find(qn("w:tblW"))
    if tblW is None:
        tblW = OxmlElement("w:tblW")
        tblPr.append(tblW)
    tblW.set(qn("w:w"), twips(width_mm))
    tblW.set(qn("w:type"), "dxa")
    bdr = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        b = OxmlElement(f"w:{side}")
        if side in borders:
            b.set(qn("w:val"), "single")
            b.set(qn("w:sz"), str(borders[side]))
            b.set(qn("w:color"), "000000")
        else:
            b.set(qn("w:val"), "nil")
        b.set(qn("w:space"), "0")
        bdr.append(b)
    # Schema order in tblPr: … tblW, jc, tblCellSpacing, tblInd, tblBorders, shd, tblLayout, tblCellMar, tblLook
    tblPr.insert_element_before(bdr, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
                                "w:tblCaption", "w:tblDescription")
    layout = tblPr.find(qn("w:tblLayout"))
    if layout is None:
        layout = OxmlElement("w:tblLayout")
        tblPr.insert_element_before(layout, "w:tblCellMar", "w:tblLook", "w:tblCaption",
                                    "w:tblDescription")
    layout.set(qn("w:type"), "fixed")
    margins = OxmlElement("w:tblCellMar")
    for side, w in (("top", 0), ("left", side_margin_twips), ("bottom", 0), ("right", side_margin_twips)):
        m = OxmlElement(f"w:{side}")
        m.set(qn("w:w"), str(w))
        m.set(qn("w:type"), "dxa")
        margins.append(m)
    old = tblPr.find(qn("w:tblCellMar"))
    if old is not None:
        tblPr.remove(old)
    tblPr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription")


def _banji_lines(text: str, per_line: float) -> int:
    """Lines of the 抄送 text in the 版记: the first line after "抄送：", the others under the first 机关."""
    return max(1, math.ceil((text_width_chars(text) - per_line) / (per_line - 3)) + 1) if text_width_chars(text) > per_line else 1


def _float_at_foot(tblPr, left: Length, top: Length) -> None:
    """A floating table ``left`` from the page's left edge and ``top`` below the top of its text area
    (the 版心): with its height known (exact row heights) it ends on the bottom edge of the 版心.
    Absolute offsets, because LibreOffice ignores ``w:tblpYSpec="bottom"`` and keeps a table as wide
    as the text area in the text unless it is placed against the page."""
    pos = OxmlElement("w:tblpPr")
    for attr, value in (("w:leftFromText", "0"), ("w:rightFromText", "0"), ("w:topFromText", "0"),
                        ("w:bottomFromText", "0"), ("w:vertAnchor", "margin"), ("w:horzAnchor", "page"),
                        ("w:tblpX", str(round(Emu(left).twips))), ("w:tblpY", str(round(Emu(top).twips)))):
        pos.set(qn(attr), value)
    style = tblPr.find(qn("w:tblStyle"))
    if style is not None:
        style.addnext(pos)
    else:
        tblPr.insert(0, pos)


def _merge(trs, top: int, left: int, bottom: int, right: int) -> None:
    """Merge the rectangle of grid positions (top, left)–(bottom, right), inclusive, of the table whose
    ``w:tr`` elements are ``trs``: what python-docx's ``_Cell.merge`` writes (gridSpan on each row's
    first cell, vMerge restart/continue down the rows, content moved into the top-left cell), without
    its search of the table for the row index of each cell, so a table's merges cost as much as its cells."""
    if (top, left) == (bottom, right):
        return
    width, height = right - left + 1, bottom - top + 1
    top_tc = trs[top].tc_at_grid_offset(left)
    for r in range(top, bottom + 1):
        tc = top_tc if r == top else trs[r].tc_at_grid_offset(left)
        vmerge = None if height == 1 else (ST_Merge.RESTART if r == top else ST_Merge.CONTINUE)
        tc._span_to_width(width, top_tc, vmerge)


def _items(value: CellValue) -> list:
    """A cell's paragraphs: one per item of a list, one for anything else."""
    if value is None:
        return [""]
    if isinstance(value, (str, int, float, Hyperlink)):
        return [value]
    return list(value) or [""]


def _write_cell(cell, value: CellValue, font: str, size: float, align: str) -> None:
    """A cell's text written with python-docx: the header rows, and what :class:`_RowWriter` must match."""
    for i, item in enumerate(_items(value)):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        format_paragraph(p, align=align, size=size, line=None)
        if isinstance(item, Hyperlink):
            add_hyperlink(p, item.text, item.url, font, size)
            continue
        lines = ("" if item is None else printable(fullwidth_punctuation(str(item)))).split("\n")
        for k, line in enumerate(lines):
            run = p.add_run(line)
            style_run(run, font, size)
            if k < len(lines) - 1:
                run.add_break()


# --- data rows as XML text ----------------------------------------------------------------

_ROWS_MARK = "duban-rows-"  # a comment in a table where its data rows go (GongwenDocument.table, to_bytes)
_ROWS_MARK_RE = re.compile(rb"<!--" + _ROWS_MARK.encode() + rb"(\d+)-->")
_NS_DECLARATION = re.compile(r' xmlns(?::\w+)?="[^"]*"')
# Text python-docx writes as more than one element (tabs, line breaks), or that lxml refuses (lxml's check): left to it.
_NOT_PLAIN = re.compile("[\x00-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml(el) -> str:
    """An element as it appears inside document.xml: lxml's text without the namespace declarations,
    which the document's root element makes (w:, r:)."""
    return _NS_DECLARATION.sub("", etree.tostring(el, encoding="unicode"))


def _run_text(text: str) -> str:
    """The content of a run holding ``text`` (after its w:rPr), as python-docx's ``run.text = text`` writes it."""
    if _NOT_PLAIN.search(text):
        r = OxmlElement("w:r")
        r.text = text  # w:tab and w:br, or lxml's ValueError for a control character
        return _xml(r)[len("<w:r>"):-len("</w:r>")]
    if len(text.strip()) < len(text):
        return f'<w:t xml:space="preserve">{escape(text)}</w:t>'
    return f"<w:t>{escape(text)}</w:t>"


@lru_cache(maxsize=None)
def _cell_format(font: str, size: float, align: str) -> tuple[str, str, str]:
    """What :func:`_write_cell` writes around a cell's text, as XML text: the paragraph's w:pPr, and the
    opening of a text run and of a link run up to their text (each with its w:rPr)."""
    p = Paragraph(OxmlElement("w:p"), None)
    format_paragraph(p, align=align, size=size, line=None)
    text_run, link_run = p.add_run(), p.add_run()
    style_run(text_run, font, size)
    style_run(link_run, font, size, color=LINK_BLUE, ascii_name=font, underline=True)
    runs = [_xml(r._r) for r in (text_run, link_run)]
    assert all(r.endswith("</w:r>") for r in runs), runs
    return _xml(p._p.pPr), runs[0][:-len("</w:r>")], runs[1][:-len("</w:r>")]


class _RowWriter:
    """A table's data rows as the XML text python-docx would make of them — the column's cell properties
    (:meth:`GongwenDocument.table`), :func:`_write_cell`'s paragraphs, the merges of :func:`_merge` —
    in one string, without an element per cell, paragraph and run (which made a table of 25,000 rows
    take seconds: the all-units zip, issue 14)."""

    def __init__(self, part, blank: Sequence, align: Sequence[str], size: float) -> None:
        self.part = part  # the hyperlinks' relationships
        self.blank = blank  # each column's w:tc before its text
        self.tc_pr = [_xml(tc.tcPr) for tc in blank]
        self.formats = [_cell_format(FONT_BODY, size, a) for a in align]

    def rows(self, rows: Sequence[Sequence[CellValue]], spans: Sequence[tuple[int, int, int, int]], covered: set) -> str:
        ncols = len(self.blank)
        merged: dict[tuple[int, int], str] = {}  # (row, column) → its w:tcPr, "" for a column a merge swallowed
        for top, left, bottom, right in spans:
            for r in range(top, bottom + 1):
                vmerge = None if top == bottom else ST_Merge.RESTART if r == top else ST_Merge.CONTINUE
                merged[(r, left)] = self.merged_tc_pr(left, right, vmerge)
                for c in range(left + 1, right + 1):
                    merged[(r, c)] = ""
        out = []
        for r, values in enumerate(rows):
            if len(values) != ncols:
                raise ValueError(f"row {r} has {len(values)} cells, expected {ncols}")
            out.append("<w:tr>")
            for c, value in enumerate(values):
                tc_pr = merged.get((r, c), self.tc_pr[c]) if merged else self.tc_pr[c]
                if not tc_pr:
                    continue
                body = "<w:p/>" if merged and (r, c) in covered else self.paragraphs(value, self.formats[c])
                out.append(f"<w:tc>{tc_pr}{body}</w:tc>")
            out.append("</w:tr>")
        return "".join(out)

    def merged_tc_pr(self, left: int, right: int, vmerge: str | None) -> str:
        """The w:tcPr of a merged cell's first column in one row: python-docx's merge on a row of blank cells."""
        tr = OxmlElement("w:tr")
        for c in range(left, right + 1):
            tr.append(_clone(self.blank[c]))
        tc = tr.tc_lst[0]
        tc._span_to_width(right - left + 1, tc, vmerge)
        return _xml(tc.tcPr)

    def paragraphs(self, value: CellValue, fmt: tuple[str, str, str]) -> str:
        ppr, text_run, link_run = fmt
        out = []
        for item in _items(value):
            out.append("<w:p>")
            out.append(ppr)
            if isinstance(item, Hyperlink):
                r_id = hyperlink_rel(self.part, item.url)
                content = _run_text(printable(item.text)) if item.text else ""
                out.append(f'<w:hyperlink r:id="{r_id}" w:history="1">{link_run}{content}</w:r></w:hyperlink>')
            else:
                lines = ("" if item is None else printable(fullwidth_punctuation(str(item)))).split("\n")
                last = len(lines) - 1
                for i, line in enumerate(lines):
                    out.append(text_run)
                    if line:
                        out.append(_run_text(line))
                    out.append("</w:r>" if i == last else "<w:br/></w:r>")
            out.append("</w:p>")
        return "".join(out)


def _clone(el):
    """A copy of an lxml element and its subtree (what lxml's __copy__ makes, as copy.deepcopy does)."""
    return el.__copy__()
