"""GB/T 9704 positions measured on the PDF LibreOffice makes of the .docx: 28 characters × 22 lines,
the 版头 35 mm below the 版心 top, the date 右空四字 under the issuer, the 版记 at the foot of an even
last page. (Skipped without LibreOffice; see test_render.py.)"""
import dataclasses
import datetime as dt
import statistics

import pdfplumber
import pytest

from duban.documents import bulletin_docx
from duban.documents.gongwen import GongwenDocument
from duban.documents.render import banji_on_even_page, convert_to_pdf, page_count, soffice_path

from . import samples

pytestmark = [
    pytest.mark.pure,
    pytest.mark.render,
    pytest.mark.skipif(soffice_path() is None, reason="LibreOffice (soffice) is not installed"),
]

MM = 72 / 25.4
TOP, LEFT, RIGHT, BOTTOM = 37, 28, 210 - 26, 297 - 35  # the 版心, mm from the page's top left


def lines_of(page):
    """Text lines of a page: (top in mm, [chars]) from top to bottom, page numbers left out."""
    rows = {}
    for c in page.chars:
        rows.setdefault(round(c["top"], 0), []).append(c)
    out = [(top / MM, sorted(cs, key=lambda c: c["x0"])) for top, cs in sorted(rows.items())]
    return [(t, cs) for t, cs in out if t < BOTTOM]


def text(chars):
    return "".join(c["text"] for c in chars)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    src = tmp_path_factory.mktemp("gbt9704")
    grid = GongwenDocument(title="网格")
    grid.paragraph("政" * 60, indent=False)
    grid.paragraph("务" * (28 * 30), indent=False)  # one paragraph, so that no widow control shortens the page
    data = samples.bulletin()
    bulletin = banji_on_even_page(lambda new_page: bulletin_docx(dataclasses.replace(data, banji_new_page=new_page)))
    (src / "grid.docx").write_bytes(grid.to_bytes())
    (src / "bulletin.docx").write_bytes(bulletin)
    out = convert_to_pdf([src / "grid.docx", src / "bulletin.docx"], src / "pdf", tmp_path_factory.mktemp("profile"))
    return {p.stem: p for p in out}


def test_28_characters_a_line_and_22_lines_a_page(pdfs):
    with pdfplumber.open(pdfs["grid"]) as pdf:
        lines = lines_of(pdf.pages[0])
    assert len(lines) == 22
    assert [len(cs) for _, cs in lines[:2]] == [28, 28]  # 60 = 28 + 28 + 4
    assert len(lines[2][1]) == 4
    assert {len(cs) for _, cs in lines[3:]} == {28}
    first, last = lines[0][1][0], lines[0][1][-1]
    assert abs(first["x0"] / MM - LEFT) < 0.5 and abs(last["x1"] / MM - RIGHT) < 1.0
    pitch = statistics.median(b - a for (a, _), (b, _) in zip(lines, lines[1:]))
    assert abs(pitch - 225 / 22) < 0.1  # 22 lines fill the 225 mm 版心
    assert lines[-1][0] < BOTTOM


def test_masthead_35_mm_below_the_top_of_the_text_area(pdfs):
    with pdfplumber.open(pdfs["bulletin"]) as pdf:
        top, chars = lines_of(pdf.pages[0])[0]
    assert text(chars) == "西山区人民政府办公室督办通报"
    assert abs(top - TOP - 35) < 1.0, top


def test_date_four_characters_in_and_the_issuer_centred_over_it(pdfs):
    with pdfplumber.open(pdfs["bulletin"]) as pdf:
        for page in pdf.pages:
            lines = lines_of(page)
            found = [i for i, (_, cs) in enumerate(lines) if text(cs) == "2021年10月15日"]
            if found:
                break
    i = found[0]
    date, issuer = lines[i][1], lines[i - 1][1]
    assert text(issuer) == "西山区人民政府办公室"
    char = 156 / 28  # one character of the grid
    assert abs((RIGHT - date[-1]["x1"] / MM) - 4 * char) < 1.5
    centre = lambda cs: (cs[0]["x0"] + cs[-1]["x1"]) / 2 / MM  # noqa: E731
    # Centred on the date's width in characters (7: eight half-width digits and 年月日). LibreOffice 7.4
    # adds space between Chinese and digits, which the document turns off (w:autoSpaceDE/DN) but it
    # does not honour, and its substitute font's digits are wider than half a character: the date is
    # about 8.2 characters wide there, which moves its centre some 3.5 mm left of the issuer's.
    assert abs(centre(issuer) - centre(date)) < 4.5
    assert abs((lines[i][0] - lines[i - 1][0]) - 225 / 22) < 0.3  # the date on the next line, no extra space


def test_banji_at_the_foot_of_an_even_last_page(pdfs):
    n = page_count(pdfs["bulletin"])
    assert n % 2 == 0
    with pdfplumber.open(pdfs["bulletin"]) as pdf:
        last = pdf.pages[-1]
        rules = sorted(line["top"] / MM for line in last.lines if abs(line["x1"] - line["x0"]) / MM > 150)
        words = text(last.chars)
    assert "印发" in words and "抄送" in words
    assert len(rules) == 3 and abs(rules[-1] - BOTTOM) < 1.0  # the last rule on the 版心's bottom edge
