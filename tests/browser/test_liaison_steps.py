"""A liaison on a phone (390×844): signs the unit's new work, reports on three tasks in one form, and asks
for more time on a fourth; the coordinator then sees the request. Screenshots in test-artifacts/."""
from __future__ import annotations

import datetime

import pytest

from duban.directory.models import Unit
from duban.plans import deadlines
from duban.plans.models import Assignment
from duban.progress.models import ExtensionRequest, Report

from .conftest import make_user
from .test_reporting import row, signed_in

pytestmark = pytest.mark.browser


def test_sign_report_three_at_once_ask_for_more_time(live_server, seeded, browser, artifacts):
    org, plan = seeded
    finance = Unit.objects.get(org=org, name="区财政局")
    make_user(org, "liaison", "liaison", finance)
    make_user(org, "coordinator", "coordinator")
    ask = plan.tasks.get(no=8).assignments.get(unit=finance)  # 区财政局牵头, due in three weeks
    due = deadlines.office_today() + datetime.timedelta(days=21)
    Assignment.objects.filter(pk=ask.pk).update(due_date=due)
    three = list(Assignment.objects.filter(unit=finance, task__no__in=[5, 12, 13]).order_by("task__no"))
    base = live_server.url

    phone = signed_in(browser, base, "liaison", phone=True)
    assert phone.url.endswith(f"/units/{finance.pk}/")
    assert "待签收" in phone.locator("#ack-notice").inner_text()
    phone.screenshot(path=str(artifacts / "liaison-steps-1-unit-page.png"))

    # 签收: all at once.
    phone.click("#ack-all-form button")
    phone.wait_for_load_state("networkidle")
    assert phone.locator("#ack-notice").count() == 0
    assert not Assignment.objects.filter(unit=finance, acknowledged_at__isnull=True).exists()

    # Tick three tasks and report once.
    for a in three:
        row(phone, a.task.no).locator("input[name=a]").check()
    phone.screenshot(path=str(artifacts / "liaison-steps-2-ticked.png"))
    phone.click("#batch-go")
    phone.wait_for_load_state("networkidle")
    assert phone.locator("#batch-form input[name=a]:checked").count() == 3
    phone.fill("textarea[name=text]", "已在区政府门户网站政务公开专栏统一公开相关信息。")
    phone.fill("input[name=url_1]", "http://www.xishan.gov.cn/zfxxgk/")
    phone.screenshot(path=str(artifacts / "liaison-steps-3-batch-form.png"), full_page=True)
    phone.click("#batch-form button[type=submit]")
    phone.wait_for_load_state("networkidle")
    assert "已报送 3 项" in phone.locator("body").inner_text()
    assert Report.objects.filter(assignment__in=three).count() == 3
    for a in three:
        assert row(phone, a.task.no).locator(".status").first.inner_text() == "已报送"
    phone.screenshot(path=str(artifacts / "liaison-steps-4-reported.png"))

    # Ask for more time on task 8.
    row(phone, 8).locator(".status").first.click()
    phone.wait_for_load_state("networkidle")
    phone.click("#extension summary")
    new_due = due + datetime.timedelta(days=14)
    phone.fill("#extension-form input[name=new_due]", new_due.isoformat())
    phone.fill("#extension-form textarea[name=reason]", "上级批复推迟，需待批复后公开。")
    phone.screenshot(path=str(artifacts / "liaison-steps-5-extension-form.png"), full_page=True)
    phone.click("#extension-form button[type=submit]")
    phone.wait_for_load_state("networkidle")
    assert "延期申请待审批" in phone.locator("#extension-open").inner_text()
    req = ExtensionRequest.objects.get()
    assert (req.new_due, req.status) == (new_due, "pending")
    phone.screenshot(path=str(artifacts / "liaison-steps-6-extension-asked.png"), full_page=True)

    # The coordinator sees it, approves it, and the due date moves.
    office = signed_in(browser, base, "coordinator")
    office.goto(f"{base}/overview/?plan={plan.pk}")
    assert "待审批的延期申请（1）" in office.locator("#extensions").inner_text()
    fin = office.locator(f"#units tr#u{finance.pk}")
    assert fin.locator("td.ack-waiting").inner_text() == "" and fin.locator("td.ack-overdue").inner_text() == ""  # all signed
    office.screenshot(path=str(artifacts / "liaison-steps-7-overview.png"))
    office.click(f"#extensions a[href='/assignments/{ask.pk}/#extension-open']")
    office.wait_for_load_state("networkidle")
    office.check("#extension-decide-form input[value=approve]")
    office.click("#extension-decide-form button[type=submit]")
    office.wait_for_load_state("networkidle")
    assert f"{new_due.year}年{new_due.month}月{new_due.day}日" in office.locator("#due").inner_text()
    office.screenshot(path=str(artifacts / "liaison-steps-8-approved.png"), full_page=True)
