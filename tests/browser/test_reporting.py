"""The report loop in a real browser: a liaison reports with a link and a file, the coordinator returns
it with a reason, the liaison reads the reason and reports again, the coordinator accepts; the unit
page's status and light follow each step.

"Today" is the real date: the assignment's due date is set ten days before it, so the light is red
(overdue) while nothing is submitted, 待审核 while a report awaits review, and 逾期办结 at the end (accepted,
but reported after the due date) —
the same on any day, whatever the working-day calendar says."""
from __future__ import annotations

import datetime

import pytest

from duban.directory.models import Unit
from duban.plans import deadlines
from duban.plans.models import Assignment

from .conftest import log_in, make_user

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
REASON = "链接指向的是栏目首页，请提供2021年部门预算公开的具体页面。"


def signed_in(browser, base: str, username: str, phone: bool = False):
    viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15000)
    log_in(page, base, username)
    return page


def row(page, no: int):
    return page.locator(f'tr.task[data-no="{no}"]')


def light_of(page, no: int) -> str:
    cls = row(page, no).locator(".light").get_attribute("class")
    return next(c.removeprefix("light-") for c in cls.split() if c.startswith("light-"))


def test_report_return_resubmit_accept(live_server, seeded, browser, artifacts, tmp_path):
    org, plan = seeded
    finance = Unit.objects.get(org=org, name="区财政局")
    make_user(org, "liaison", "liaison", finance)
    make_user(org, "coordinator", "coordinator")
    a = plan.tasks.get(no=8).assignments.get(unit=finance)  # 区财政局牵头
    overdue = deadlines.office_today() - datetime.timedelta(days=10)
    Assignment.objects.filter(pk=a.pk).update(due_override=overdue, due_date=overdue, due_override_reason="测试")
    evidence = tmp_path / "2021年部门预算公开截图.pdf"
    evidence.write_bytes(PDF)
    base = live_server.url

    # The liaison: task 8 is overdue and not started.
    liaison = signed_in(browser, base, "liaison")
    assert liaison.url.endswith(f"/units/{finance.pk}/")
    assert light_of(liaison, 8) == "red"
    assert row(liaison, 8).locator(".status").inner_text() == "未开始"
    row(liaison, 8).locator(".status").click()
    assert liaison.url.endswith(f"/assignments/{a.pk}/")
    liaison.fill("textarea[name=text]", "已在区政府门户网站公开2021年部门预算。")
    liaison.fill("input[name=published_on]", "2021-09-30")
    liaison.fill("input[name=url_1]", "http://www.xishan.gov.cn/zfxxgk/czyjs/")
    liaison.fill("input[name=title_1]", "财政预决算栏目")
    liaison.set_input_files("input[name=files]", str(evidence))
    liaison.screenshot(path=str(artifacts / "reporting-1-liaison-form.png"), full_page=True)
    liaison.click("#report-form button[type=submit]")
    liaison.wait_for_load_state("networkidle")
    assert liaison.locator("#status").inner_text() == "已报送"
    assert liaison.get_by_role("link", name="2021年部门预算公开截图.pdf").is_visible()
    liaison.goto(f"{base}/units/{finance.pk}/")
    assert light_of(liaison, 8) == "review"  # submitted, awaiting review: 待审核
    assert row(liaison, 8).locator(".status").inner_text() == "已报送"

    # The coordinator returns it from the review queue.
    coordinator = signed_in(browser, base, "coordinator")
    coordinator.click("#nav-review")
    assert coordinator.locator("h1").inner_text() == "待审核（1）"
    coordinator.click("tr.queued a.button")
    # The evidence file downloads with its own name.
    with coordinator.expect_download() as download:
        coordinator.get_by_role("link", name="2021年部门预算公开截图.pdf").click()
    assert download.value.suggested_filename == "2021年部门预算公开截图.pdf"
    assert open(download.value.path(), "rb").read() == PDF
    coordinator.fill("#return-form textarea[name=reason]", REASON)
    coordinator.screenshot(path=str(artifacts / "reporting-2-coordinator-review.png"), full_page=True)
    coordinator.click("#return-form button[type=submit]")
    coordinator.wait_for_load_state("networkidle")
    assert coordinator.locator("h1").inner_text() == "待审核（0）"

    # The liaison sees the reason on the unit page and on the assignment page, and reports again.
    liaison.goto(f"{base}/units/{finance.pk}/")
    assert REASON in liaison.locator("#returned").inner_text()
    assert row(liaison, 8).locator(".status").inner_text() == "退回"
    assert light_of(liaison, 8) == "red"  # overdue again: nothing awaiting review
    liaison.screenshot(path=str(artifacts / "reporting-3-liaison-returned.png"), full_page=True)
    liaison.locator("#returned a").click()
    assert REASON in liaison.locator("#return-reason").inner_text()
    liaison.fill("textarea[name=text]", "已补充部门预算公开的具体页面。")
    liaison.fill("input[name=url_1]", "http://www.xishan.gov.cn/zfxxgk/czyjs/2021/0930/123.shtml")
    liaison.click("#report-form button[type=submit]")
    liaison.wait_for_load_state("networkidle")
    assert liaison.locator("#status").inner_text() == "已报送"

    # The coordinator accepts with a grade.
    coordinator.goto(f"{base}/assignments/{a.pk}/")
    coordinator.check("#accept-form input[name=grade][value=excellent]")
    coordinator.click("#accept-form button[type=submit]")
    coordinator.wait_for_load_state("networkidle")
    assert coordinator.locator("#status").inner_text() == "已办结"
    assert "评价：优" in coordinator.locator("article.report.outcome-accepted").inner_text()

    # The unit page: done.
    liaison.goto(f"{base}/units/{finance.pk}/")
    assert row(liaison, 8).locator(".status").inner_text() == "已办结"
    assert light_of(liaison, 8) == "late_done"  # reported ten days after the due date: 逾期办结, not 已办结
    assert row(liaison, 8).locator(".light-label").inner_text() == "逾期办结"
    assert liaison.locator("#returned").count() == 0
    liaison.screenshot(path=str(artifacts / "reporting-4-liaison-done.png"), full_page=True)
    a.refresh_from_db()
    assert a.status == Assignment.ACCEPTED
    assert [s.to_status for s in a.status_changes.order_by("at", "id")] == ["submitted", "returned", "submitted", "accepted"]

    # The same assignment page on a phone.
    phone = signed_in(browser, base, "liaison", phone=True)
    phone.goto(f"{base}/assignments/{a.pk}/")
    assert phone.locator("#status").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone.screenshot(path=str(artifacts / "reporting-5-phone.png"), full_page=True)
    phone.goto(f"{base}/units/{finance.pk}/")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert row(phone, 8).locator(".status").is_visible()
    phone.screenshot(path=str(artifacts / "reporting-6-phone-unit.png"), full_page=False)
    for p in (liaison, coordinator, phone):
        p.context.close()
