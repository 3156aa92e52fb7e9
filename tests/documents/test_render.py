"""Every document converted by LibreOffice (headless) to PDF, and pages of it to PNG.

All ten files go through one soffice run with a throw-away profile (made by
duban.documents.render, which also maps the GB font names to Noto CJK). Skipped only
when LibreOffice is not installed; poppler-utils (pdfinfo, pdftoppm) are then
required too. On Debian: apt-get install libreoffice-writer libreoffice-calc
poppler-utils fonts-noto-cjk.
"""
import re
import shutil
import subprocess
import unicodedata

import pdfplumber
import pytest

from duban.documents import (
    annual_report_section_docx,
    annual_report_section_xlsx,
    assessment_docx,
    assessment_xlsx,
    bulletin_docx,
    bulletin_xlsx,
    division_table_docx,
    division_table_xlsx,
    unit_task_list_docx,
    unit_task_list_xlsx,
)
from duban.documents.render import convert_to_pdf, soffice_path

from . import samples

pytestmark = [
    pytest.mark.pure,
    pytest.mark.render,
    pytest.mark.skipif(soffice_path() is None, reason="LibreOffice (soffice) is not installed: "
                       "apt-get install libreoffice-writer libreoffice-calc poppler-utils fonts-noto-cjk"),
]


def build_all():
    rows = samples.division_rows()
    return {
        "division-docx.docx": division_table_docx(samples.PLAN, rows),
        "unit-docx.docx": unit_task_list_docx(samples.unit_task_list()),
        "bulletin-docx.docx": bulletin_docx(samples.bulletin()),
        "annual-docx.docx": annual_report_section_docx(samples.annual_section()),
        "assessment-docx.docx": assessment_docx(samples.assessment()),
        "division-xlsx.xlsx": division_table_xlsx(samples.PLAN, rows),
        "unit-xlsx.xlsx": unit_task_list_xlsx(samples.unit_task_list()),
        "bulletin-xlsx.xlsx": bulletin_xlsx(samples.bulletin()),
        "annual-xlsx.xlsx": annual_report_section_xlsx(samples.annual_section()),
        "assessment-xlsx.xlsx": assessment_xlsx(samples.assessment()),
    }


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    src = tmp_path_factory.mktemp("documents")
    paths = []
    for name, blob in build_all().items():
        path = src / name
        path.write_bytes(blob)
        paths.append(path)
    profile = tmp_path_factory.mktemp("lo-profile")
    out = convert_to_pdf(paths, src / "pdf", profile)
    return {p.stem: p for p in out}


def page_count(pdf):
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def test_every_document_converts(pdfs):
    assert len(pdfs) == 10
    for stem, pdf in pdfs.items():
        assert pdf.stat().st_size > 1000, stem
        assert page_count(pdf) >= 1, stem


def test_page_counts(pdfs):
    # 74 rows of the division table do not fit on one page, in either format
    assert page_count(pdfs["division-docx"]) > 1
    assert page_count(pdfs["division-xlsx"]) > 1
    # a short bulletin: 版头, figures, two small tables, 署名 and 版记
    assert 1 <= page_count(pdfs["bulletin-docx"]) <= 3
    # the .xlsx bulletin prints each of its four sheets on its own page
    assert page_count(pdfs["bulletin-xlsx"]) == 4
    assert page_count(pdfs["assessment-docx"]) == 1
    # the page size survives: A4 portrait for the plan, landscape for the assessment and sheets
    with pdfplumber.open(pdfs["division-docx"]) as pdf:
        page = pdf.pages[0]
        assert (round(page.width / 72 * 25.4), round(page.height / 72 * 25.4)) == (210, 297)
    for stem in ("assessment-docx", "division-xlsx"):
        with pdfplumber.open(pdfs[stem]) as pdf:
            page = pdf.pages[0]
            assert (round(page.width / 72 * 25.4), round(page.height / 72 * 25.4)) == (297, 210), stem


def cjk_chars(page):
    return [c for c in page.chars if unicodedata.east_asian_width(c["text"]) == "W"]


@pytest.mark.parametrize("stem", ["bulletin-docx", "division-xlsx"])
def test_chinese_is_set_in_a_cjk_font(pdfs, stem):
    """The text is there as text and every Chinese character was drawn with a CJK font
    (tofu would come from a Latin font without the glyph)."""
    with pdfplumber.open(pdfs[stem]) as pdf:
        first = pdf.pages[0]
        text = first.extract_text()
        chars = cjk_chars(first)
    assert chars
    fonts = {c["fontname"].split("+")[-1] for c in chars}
    assert all("CJK" in f for f in fonts), fonts
    if stem == "bulletin-docx":
        for expected in ("督办通报", "西政办督〔2021〕3号", "一、总体情况"):
            assert expected in text.replace(" ", "")
    else:
        assert "西山区2021年政务公开工作要点分工方案" in text.replace(" ", "")
        assert "推进财政领域信息公开" in text.replace(" ", "")


def test_gb_fonts_are_replaced_by_serif_and_sans_noto(pdfs):
    """仿宋 body text comes out in Noto Serif CJK and 黑体 headings in Noto Sans CJK."""
    with pdfplumber.open(pdfs["bulletin-docx"]) as pdf:
        page = pdf.pages[0]
        lines = {}
        for c in cjk_chars(page):
            lines.setdefault(round(c["top"]), []).append(c)
        fonts_by_text = {"".join(c["text"] for c in cs): {c["fontname"].split("+")[-1] for c in cs}
                         for cs in lines.values()}
    heading = next(f for t, f in fonts_by_text.items() if t.startswith("一、总体情况"))
    body = next(f for t, f in fonts_by_text.items() if t.startswith("为推动"))
    assert all("Sans" in f for f in heading), heading
    assert all("Serif" in f for f in body), body


def test_png_pages(pdfs, tmp_path):
    assert shutil.which("pdftoppm"), "pdftoppm (poppler-utils) is needed next to LibreOffice"
    for stem in ("bulletin-docx", "division-xlsx"):
        subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdfs[stem]),
                        str(tmp_path / stem)], check=True)
        pngs = sorted(tmp_path.glob(f"{stem}*.png"))
        assert len(pngs) == 1
        data = pngs[0].read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
