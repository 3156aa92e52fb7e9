"""The review queue in a real browser: the coordinator filters by plan, 工作任务 and 逾期报送, sorts, pages,
downloads the export and finds in it exactly the reports the filters keep; the sticky headings on a desktop,
one card per report and no sideways scrolling on a 390 px phone (issue 13)."""
from __future__ import annotations

import datetime
import io

import openpyxl
import pytest

from duban.assessment.facts import top_sections
from duban.plans.models import Assignment
from tests.progress.test_review_queue import submit

from .conftest import log_in, make_user

pytestmark = pytest.mark.browser


def listed(page) -> list[int]:
    return [int(x) for x in page.locator("table.queue tbody tr").evaluate_all("rows => rows.map(r => r.dataset.assignment)")]


def apply(page):
    page.click("#queue-filters button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_the_coordinator_filters_sorts_pages_and_exports_the_queue(live_server, seeded, page, browser, artifacts):
    org, plan = seeded
    make_user(org, "coordinator", "coordinator")
    spread = list(Assignment.objects.filter(task__plan=plan).order_by("task__no", "id"))[::19][:130]
    reports = submit(spread)  # 2021-09-01 09:00 Beijing time onwards, a minute apart
    late_ids = {r.assignment_id for r in reports[::2]}  # every other one reported after its due date
    Assignment.objects.filter(pk__in=[a.pk for a in spread]).update(due_date=datetime.date(2030, 1, 1))
    Assignment.objects.filter(pk__in=late_ids).update(due_date=datetime.date(2021, 8, 31))
    tops = top_sections(plan)
    by_section: dict[int, list] = {}
    for r in reports:
        by_section.setdefault(tops[r.assignment.task.section_id].pk, []).append(r)
    section = max(by_section, key=lambda s: len([r for r in by_section[s] if r.assignment_id in late_ids]))

    log_in(page, live_server.url, "coordinator")
    page.goto(f"{live_server.url}/review-queue/")
    assert page.locator("h1").inner_text() == "待审核（130）"
    assert listed(page) == [r.assignment_id for r in reports[:50]]  # oldest first
    assert page.locator("table.queue thead th").first.evaluate("th => getComputedStyle(th).position") == "sticky"
    page.screenshot(path=str(artifacts / "review-queue-desktop.png"), full_page=False)

    # newest first, in pages of 50
    page.select_option("#queue-filters select[name=plan]", str(plan.pk))
    page.select_option("#queue-filters select[name=sort]", "-submitted")
    apply(page)
    newest = [r.assignment_id for r in reversed(reports)]
    assert listed(page) == newest[:50]
    page.click("nav.pages a[rel=next]")
    page.wait_for_load_state("networkidle")
    assert "sort=-submitted" in page.url and page.locator("nav.pages strong[aria-current=page]").inner_text() == "2"
    assert listed(page) == newest[50:100]

    # one 工作任务 (offered once a plan is chosen), only the late reports, by unit
    page.select_option("#queue-filters select[name=section]", str(section))
    page.select_option("#queue-filters select[name=timing]", "late")
    page.select_option("#queue-filters select[name=sort]", "unit")
    apply(page)
    expected = sorted((r for r in by_section[section] if r.assignment_id in late_ids),
                      key=lambda r: (r.assignment.unit.sort_order, r.assignment.unit_id, r.submitted_at))
    assert 0 < len(expected) <= 50
    assert listed(page) == [r.assignment_id for r in expected]
    assert page.locator("table.queue tbody .badge.warn", has_text="逾期报送").count() == len(expected)

    with page.expect_download() as info:
        page.click("#queue-export")
    assert info.value.suggested_filename.startswith("待审核清单-")
    ws = openpyxl.load_workbook(io.BytesIO(open(info.value.path(), "rb").read())).active
    got = list(ws.iter_rows(min_row=2, values_only=True))
    assert [(row[2], row[4], row[8]) for row in got] == [(r.assignment.task.no, r.assignment.unit.name, "是") for r in expected]

    # a phone: one card per report, nothing wider than the screen
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, device_scale_factor=1)
    phone = context.new_page()
    phone.set_default_timeout(30000)
    log_in(phone, live_server.url, "coordinator")
    for query in ("", f"?plan={plan.pk}&sort=unit"):
        phone.goto(f"{live_server.url}/review-queue/{query}")
        phone.wait_for_load_state("networkidle")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390, query
        assert phone.locator("table.queue thead").evaluate("t => getComputedStyle(t).display") == "none"
    phone.screenshot(path=str(artifacts / "review-queue-phone.png"), full_page=False)
    context.close()
