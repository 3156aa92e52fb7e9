"""A 催办 in a real browser: the coordinator urges one unit of task 8 with a note from the task page; the unit's
liaison, on a phone (390×844), sees the unread badge in the header, opens the 催办 in 消息 and goes on to the
task; the coordinator then sees 已读 beside the unit."""
from __future__ import annotations

import datetime

import pytest

from duban.directory.models import Unit
from duban.plans import deadlines
from duban.plans.models import Assignment

from .conftest import log_in, make_user

pytestmark = pytest.mark.browser

NOTE = "请于本周五前在门户网站公开2021年部门预算，并报送链接。"


def signed_in(browser, base: str, username: str, phone: bool = False):
    viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = browser.new_context(locale="zh-CN", viewport=viewport, is_mobile=phone, has_touch=phone)
    page = context.new_page()
    page.set_default_timeout(15000)
    log_in(page, base, username)
    return page


def test_a_liaison_on_a_phone_sees_the_badge_and_opens_the_urge(live_server, seeded, browser, artifacts):
    org, plan = seeded
    finance = Unit.objects.get(org=org, name="区财政局")
    make_user(org, "liaison", "liaison", finance)  # no e-mail address, no robot: the inbox is the channel
    make_user(org, "coordinator", "coordinator")
    task = plan.tasks.get(no=8)
    a = task.assignments.get(unit=finance)
    overdue = deadlines.office_today() - datetime.timedelta(days=10)
    Assignment.objects.filter(pk=a.pk).update(due_override=overdue, due_date=overdue, due_override_reason="测试")
    base = live_server.url

    coordinator = signed_in(browser, base, "coordinator")
    coordinator.goto(f"{base}/tasks/{task.pk}/")
    coordinator.fill("#urge-note", NOTE)
    coordinator.check('#urge tr[data-unit="区财政局"] input[name=units]')
    coordinator.click("#urge-task")
    coordinator.wait_for_load_state("networkidle")
    assert "已就第8项向 1 个单位发送催办：1 条站内消息已送达联络员" in coordinator.locator(".messages").inner_text()
    assert coordinator.locator('#urge tr[data-unit="区财政局"] .receipt').inner_text() == "未读"

    liaison = signed_in(browser, base, "liaison", phone=True)
    badge = liaison.locator("#nav-messages .unread-badge")
    assert badge.is_visible() and badge.inner_text() == "1"
    box = badge.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390  # on the screen, not off to the right
    liaison.screenshot(path=str(artifacts / "inbox-1-phone-badge.png"))
    liaison.click("#nav-messages")
    liaison.wait_for_load_state("networkidle")
    item = liaison.locator("#inbox li.unread")
    assert item.count() == 1 and "【催办】第8项：请区财政局抓紧办理" in item.inner_text()
    liaison.screenshot(path=str(artifacts / "inbox-2-phone-list.png"))
    item.locator("a").click()
    liaison.wait_for_load_state("networkidle")
    assert NOTE in liaison.locator("#message").inner_text()
    assert liaison.locator("#nav-messages .unread-badge").count() == 0  # read: the badge is gone
    liaison.screenshot(path=str(artifacts / "inbox-3-phone-message.png"), full_page=True)
    liaison.click("#message-link")
    liaison.wait_for_load_state("networkidle")
    assert liaison.url.endswith(f"/assignments/{a.pk}/")

    coordinator.reload()
    assert coordinator.locator('#urge tr[data-unit="区财政局"] .receipt').inner_text() == "已读"
    coordinator.locator("#urge").scroll_into_view_if_needed()
    coordinator.screenshot(path=str(artifacts / "inbox-4-coordinator-receipt.png"))
