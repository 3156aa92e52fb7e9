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
    assert 3 <= counts["bulletin"] <= 4  # 版头, figures, units named, 署名; 附件1 and 附件2 each on a new page
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


def seed_year(plan):
    """A simulated year on the seed plan, as of 2021-11-15, shaped like the issue's trial: about 69%
    accepted, 6% submitted and not yet reviewed, 3% returned, 11% in progress, 11% not started, with
    due dates spread over September to December."""
    import datetime as dt

    from django.utils import timezone

    from duban.plans.models import Assignment

    def at(d):
        return timezone.make_aware(dt.datetime(d.year, d.month, d.day, 10))

    as_of = dt.date(2021, 11, 15)
    rows = list(Assignment.objects.filter(task__plan=plan).order_by("pk"))
    nos = dict(Assignment.objects.filter(task__plan=plan).values_list("pk", "task__no"))
    for i, a in enumerate(rows):
        a.due_date = dt.date(2021, 9, 1) + dt.timedelta(days=(nos[a.pk] * 13) % 110)  # one date per task
        k = (i * 37) % 100
        if k < 69:
            done = a.due_date + dt.timedelta(days=6 if k % 8 == 0 else -3)  # one in eight late
            done = min(done, as_of - dt.timedelta(days=1))
            a.status, a.submitted_at, a.accepted_at = "accepted", at(done), at(min(done + dt.timedelta(days=2), as_of))
        elif k < 75:
            a.status, a.submitted_at = "submitted", at(min(a.due_date - dt.timedelta(days=1), as_of))
        elif k < 78:
            a.status = "returned"
        elif k < 89:
            a.status = "in_progress"
        else:
            a.status = "not_started"
    Assignment.objects.bulk_update(rows, ["due_date", "status", "submitted_at", "accepted_at"], batch_size=500)
    return as_of


def test_the_seed_years_bulletin_body_is_at_most_four_pages(seed_plan, tmp_path, settings):
    settings.DUBAN_PAGINATE_WITH_LIBREOFFICE = True  # the 版记 on an even last page, as in production
    as_of = seed_year(seed_plan)
    params = {k: (v.isoformat() if hasattr(v, "isoformat") else v)
              for k, v in build.bulletin_suggestions(seed_plan, as_of).items()}
    params.update(fmt="docx", doc_number="第1期", date="2021-11-16", contact="张三，0871-68000000", rectify_by="2021-11-30")
    named = build.parse_named(params["named"])
    criticised = [n.unit for n in named if n.kind == "通报批评"]
    assert "区政府办公室" not in criticised
    assert all(n.kind == "通报表扬" for n in named[: len(named) - len(criticised)])  # praise first
    path = tmp_path / "bulletin.docx"
    path.write_bytes(build.build_bulletin(seed_plan, params)[1])
    [pdf] = convert_to_pdf([path], tmp_path / "pdf", tmp_path / "lo-profile")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    page_texts = text.split("\f")
    assert pages(pdf) % 2 == 0  # GB/T 9704: the 版记 is on an even page, the last one
    assert "印发" in page_texts[pages(pdf) - 1] and "抄送" in page_texts[pages(pdf) - 1]
    annex = next(i for i, t in enumerate(page_texts) if re.search(r"^\s*附件\s*1\s*$", t, re.M))
    assert 1 <= annex <= 4, f"the body runs to {annex} pages"
    flat = [re.sub(r"—\d+—", "", re.sub(r"\s+", "", t)) for t in page_texts]  # without the page numbers
    assert "截至2021年11月15日" in flat[0]
    assert any("逾期未完成事项清单" in t for t in flat[annex:])
    body = "".join(flat[:annex])
    assert "区政府办公室（" not in body and "区政府办公室：" not in body  # the issuer is not named
    # the body's figures, counted here from the database: what was due, and the part of it accepted by then
    from duban.plans.models import Assignment

    due = Assignment.objects.filter(task__plan=seed_plan, due_date__lte=as_of)
    accepted = due.filter(status="accepted", accepted_at__date__lte=as_of)
    assert f"已到完成时限的{due.count()}项，已完成{accepted.count()}项" in body
    assert f"已报送、待审核{Assignment.objects.filter(task__plan=seed_plan, status='submitted').count()}项" in body


def test_the_seed_years_annual_section_is_short_without_the_appendix(seed_plan, tmp_path):
    as_of = seed_year(seed_plan)
    plain = tmp_path / "annual.docx"
    plain.write_bytes(build.build_annual(seed_plan, {"fmt": "docx", "as_of": as_of.isoformat(), "date": "2021-11-16"})[1])
    [pdf] = convert_to_pdf([plain], tmp_path / "pdf", tmp_path / "lo-profile")
    assert pages(pdf) <= 6
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)
    assert "统计截止2021年11月15日" in text and "各项任务完成情况" in text and "主要数据" in text
