"""The coordinator creates a liaison on a phone, and the liaison logs in with the one-time password."""
from __future__ import annotations

import pytest

from duban.directory.models import Unit

from .conftest import log_in, make_user

pytestmark = pytest.mark.browser


def test_coordinator_creates_a_liaison_on_a_phone(live_server, seeded, page, artifacts):
    org, plan = seeded
    make_user(org, "coordinator", "coordinator")
    make_user(org, "leader", "leader")
    unit = Unit.objects.get(org=org, name="区委网信办")
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, "coordinator")
    page.click("#nav-users")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text().startswith("用户管理")
    # On a phone the list is one card per account, no header row, nothing wider than the screen.
    assert page.locator("table.users thead").is_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts / "users-phone.png"), full_page=True)

    page.click("#new-user")
    page.fill("input[name=username]", "wangxin")
    page.fill("input[name=first_name]", "李明")
    page.select_option("select[name=role]", "liaison")
    page.select_option("select[name=unit]", label="区委网信办")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts / "user-new-phone.png"), full_page=True)
    page.click("form.user-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "账号已创建"
    password = page.locator("#one-time-password").inner_text()
    assert len(password) == 14
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts / "user-created-phone.png"), full_page=True)

    page.click("text=返回用户列表")
    row = page.locator('tr[data-username="wangxin"]')
    assert "区委网信办" in row.inner_text() and "从未登录" in row.inner_text()

    # The new liaison logs in with that password, must choose one of their own, then sees the unit's tasks.
    page.context.clear_cookies()
    log_in(page, live_server.url, "wangxin", password)
    assert page.url.endswith("/password/")
    page.fill("input[name=old_password]", password)
    page.fill("input[name=new_password1]", "Tq7-mountain-river")
    page.fill("input[name=new_password2]", "Tq7-mountain-river")
    page.locator("main form button[type=submit], main form input[type=submit]").first.click()
    page.goto(f"{live_server.url}/")
    assert page.url.endswith(f"/units/{unit.pk}/")
    assert page.locator("h1").inner_text() == "区委网信办"
