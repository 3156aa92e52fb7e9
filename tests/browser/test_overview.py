"""The overview at the seed's size (2,526 assignments) in a real browser: the list pages, filters and
exports; the plan selector switches plans; on a 390 px phone no page scrolls sideways."""
from __future__ import annotations

import io

import openpyxl
import pytest

from duban.directory.models import Unit
from duban.plans.models import Assignment
from tests.pages_data import copy_plan

from .conftest import log_in, make_user

pytestmark = pytest.mark.browser


def listed(page) -> list[str]:
    return page.locator("table.overdue tbody tr").evaluate_all("rows => rows.map(r => r.dataset.assignment)")


def test_overview_pages_filters_exports_and_switches_plans(live_server, seeded, page, artifacts):
    org, plan = seeded
    older = copy_plan(plan, 2020)
    make_user(org, "coordinator", "coordinator")
    assert Assignment.objects.filter(task__plan=plan).count() == 2526
    overdue = Assignment.objects.filter(task__plan=plan, due_date__isnull=False).count()  # the seed is years past
    log_in(page, live_server.url, "coordinator")
    page.goto(f"{live_server.url}/overview/")
    assert page.locator("h2#overdue").inner_text() == f"逾期清单（{overdue}）"
    first = listed(page)
    assert len(first) == 50
    page.screenshot(path=str(artifacts / "overview-desktop.png"), full_page=False)

    page.click("nav.pages a[rel=next]")
    page.wait_for_load_state("networkidle")
    assert "page=2" in page.url and page.locator("nav.pages strong[aria-current=page]").inner_text() == "2"
    second = listed(page)
    assert len(second) == 50 and not set(first) & set(second)

    finance = Unit.objects.get(org=org, name="区财政局")
    page.select_option("#list-filters select[name=unit]", str(finance.pk))
    page.select_option("#list-filters select[name=light]", "all")
    page.select_option("#list-filters select[name=sort]", "unit")
    page.click("#list-filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    everything = Assignment.objects.filter(task__plan=plan, unit=finance).count()
    assert page.locator("h2#overdue").inner_text() == f"任务清单（{everything}）"
    assert set(page.locator("table.overdue tbody td[data-label=单位]").all_inner_texts()) == {"区财政局"}

    with page.expect_download() as info:
        page.click("#list-export")
    ws = openpyxl.load_workbook(io.BytesIO(open(info.value.path(), "rb").read())).active
    assert ws.max_row - 1 == everything and {r[0] for r in ws.iter_rows(min_row=2, values_only=True)} == {"区财政局"}

    page.select_option(".plan-picker select[name=plan]", str(older.pk))  # submits itself
    page.wait_for_url(f"**/overview/?plan={older.pk}")
    assert older.title in page.locator("main .meta").first.inner_text()

    page.goto(f"{live_server.url}/plans/{plan.pk}/dashboard/?date=2021-12-31")
    with page.expect_navigation():
        page.select_option(".plan-picker select[name=plan]", str(older.pk))
    page.wait_for_url(f"**/plans/{older.pk}/dashboard/")


def test_no_page_scrolls_sideways_on_a_phone(live_server, seeded, browser, artifacts):
    org, plan = seeded
    finance = Unit.objects.get(org=org, name="区财政局")
    make_user(org, "coordinator", "coordinator")
    make_user(org, "liaison-finance", "liaison", finance)
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, device_scale_factor=1)
    phone = context.new_page()
    phone.set_default_timeout(30000)
    log_in(phone, live_server.url, "coordinator")
    pages = {
        "overview": "/overview/",
        "overview-all": "/overview/?light=all&sort=unit",
        "dashboard": f"/plans/{plan.pk}/dashboard/?date=2021-12-31",
        "ranking": f"/plans/{plan.pk}/assessment/?date=2021-12-31",
        "score": f"/plans/{plan.pk}/assessment/units/{finance.pk}/?date=2021-12-31",
        "unit": f"/units/{finance.pk}/",
        "documents": f"/plans/{plan.pk}/documents/",
    }
    wide = {}
    for name, url in pages.items():
        phone.goto(live_server.url + url)
        phone.wait_for_load_state("networkidle")
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide[name] = width
        if name in ("overview", "dashboard", "score"):
            phone.screenshot(path=str(artifacts / f"{name}-phone.png"), full_page=False)
        if name == "overview":
            phone.locator("#list-filters").scroll_into_view_if_needed()
            phone.screenshot(path=str(artifacts / "overview-list-phone.png"), full_page=False)
    context.close()
    assert wide == {}
