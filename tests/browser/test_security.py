"""The Content-Security-Policy in a real browser: nothing the pages need is blocked (charts, select-to-submit, print)."""
from __future__ import annotations

import pytest

from .conftest import log_in, make_user

pytestmark = pytest.mark.browser


def test_pages_work_under_the_content_security_policy(live_server, seeded, page):
    from duban.plans.models import Plan

    org, plan = seeded
    make_user(org, "coordinator", "coordinator")
    other = Plan.objects.create(org=org, title="另一份方案（空）", sha256="0" * 64)  # two plans: the overview shows its selector
    blocked = []
    page.on("console", lambda m: blocked.append(f"{page.url}: {m.text}") if "Content Security Policy" in m.text else None)
    log_in(page, live_server.url, "coordinator")

    page.goto(f"{live_server.url}/plans/{plan.pk}/dashboard/")
    page.wait_for_selector(".chart canvas")
    box = page.locator(".chart").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 60)  # a tooltip: ECharts styles it with attributes
    page.wait_for_timeout(300)

    # The plan selector on the overview submits itself on change (behaviours.js, no inline handler).
    page.goto(f"{live_server.url}/overview/?plan={plan.pk}")
    with page.expect_navigation():
        page.select_option("select[data-autosubmit]", str(other.pk))
    assert page.url.endswith(f"plan={other.pk}")

    page.goto(f"{live_server.url}/plans/{plan.pk}/print/")
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.click("button[data-print]")
    assert page.evaluate("() => window.printed") == 1
    assert blocked == []
