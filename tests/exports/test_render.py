"""One document of each kind, generated from the database, converted by LibreOffice (headless) to PDF
and its first page to PNG with pdftoppm: the conversion succeeds and the page counts are right."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from duban.documents.render import convert_to_pdf, soffice_path
from duban.exports import build

pytestmark = [
    pytest.mark.render,
    pytest.mark.django_db,
    pytest.mark.skipif(soffice_path() is None or shutil.which("pdftoppm") is None,
                       reason="LibreOffice and poppler-utils are needed: apt-get install libreoffice-writer-nogui "
                              "libreoffice-calc-nogui poppler-utils fonts-noto-cjk"),
]


def pages(pdf) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def test_each_kind_renders_to_pdf_and_png(year, tmp_path):
    # (The seed plan is not used here: importing it into the same organisation and year replaces the simulated plan.)
    finance = year.units["区财政局"]
    files = {
        "division": build.build_division(year.plan, {"fmt": "docx"})[1],
        "division_sheet": build.build_division(year.plan, {"fmt": "xlsx"})[1],
        "unit_list": build.build_unit_lists(year.plan, {"fmt": "docx", "unit": finance.pk})[1],
        "bulletin": build.build_bulletin(year.plan, {"fmt": "docx", "as_of": "2021-12-31", "doc_number": "第1期",
                                                      "named": build.bulletin_suggestions(year.plan, year_end())["named"]})[1],
        "annual": build.build_annual(year.plan, {"fmt": "docx", "as_of": "2021-12-31"})[1],
        "assessment": build.build_assessment(year.plan, {"fmt": "docx", "as_of": "2021-12-31"})[1],
        "assessment_sheet": build.build_assessment(year.plan, {"fmt": "xlsx", "as_of": "2021-12-31"})[1],
    }
    paths = []
    for name, blob in files.items():
        path = tmp_path / f"{name}.{'xlsx' if name.endswith('_sheet') else 'docx'}"
        path.write_bytes(blob)
        paths.append(path)
    pdfs = {p.stem: p for p in convert_to_pdf(paths, tmp_path / "pdf", tmp_path / "lo-profile")}
    counts = {stem: pages(pdf) for stem, pdf in pdfs.items()}
    assert counts["division"] == 1  # five tasks
    assert counts["division_sheet"] == 1
    assert counts["unit_list"] == 1  # four tasks
    assert 2 <= counts["bulletin"] <= 3  # 版头 and figures; per-unit and overdue tables; 署名
    assert 1 <= counts["annual"] <= 2  # five tasks with their reports and links
    assert 1 <= counts["assessment"] <= 2  # four units, landscape
    assert counts["assessment_sheet"] >= 2  # the ranking sheet and the breakdown sheet each print on their own
    for stem, pdf in pdfs.items():
        out = tmp_path / "png" / stem
        out.parent.mkdir(exist_ok=True)
        subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(out)], check=True, timeout=120)
        [png] = list(out.parent.glob(f"{stem}*.png"))
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 1000, stem


def year_end():
    import datetime as dt

    return dt.date(2021, 12, 31)
