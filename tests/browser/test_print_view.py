"""The division table's print view, printed by Chromium to A4: the 74 tasks of the seed plan on a
handful of pages (each group of units counted, not 36 names in every row), no section heading
alone at the foot of a page."""
from __future__ import annotations

import re

import pdfplumber

from .conftest import log_in, make_user


def test_the_seed_plan_prints_on_few_pages_without_stranded_headings(live_server, seeded, page, tmp_path):
    org, plan = seeded
    make_user(org, "coordinator", "coordinator")
    log_in(page, live_server.url, "coordinator")
    page.goto(f"{live_server.url}/plans/{plan.pk}/print/")
    page.emulate_media(media="print")
    pdf = tmp_path / "print.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=False)
    headings = [" › ".join(t) for t in [[s.strip() for s in h.split("›")] for h in
                page.locator("tr.section th").all_inner_texts()]]
    with pdfplumber.open(pdf) as doc:
        texts = [re.sub(r"\s+", "", p.extract_text() or "") for p in doc.pages]
        n = len(doc.pages)
    assert n <= 25, f"{n} pages"  # it was 70 with every unit of every group spelled out
    assert "区政府各办、局（共" in "".join(texts)
    # a section heading on a page is followed there by at least one of its tasks
    for i, text in enumerate(texts):
        for h in headings:
            last = h.replace(" ", "").split("›")[-1]
            if text.endswith(last):
                raise AssertionError(f"heading {h!r} stranded at the foot of page {i + 1}")
