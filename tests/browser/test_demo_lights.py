"""On a phone: the demo clock's banner and the lights' labels are there to read, without hover."""
from __future__ import annotations

import datetime

import pytest

from tests.browser.conftest import log_in
from tests.web.conftest import make_user

PHONE = {"width": 390, "height": 844}


def test_banner_and_labels_on_a_phone(live_server, seeded, page, artifacts, settings):
    from duban.plans.models import Assignment
    from duban.progress.replay import replay

    org, plan = seeded
    settings.DUBAN_DEMO, settings.DUBAN_TODAY = True, datetime.date(2021, 11, 2)
    make_user(org, "coordinator", "coordinator")
    fin = org.units.get(name="区财政局")
    for unit in {a.unit for a in Assignment.objects.filter(task__plan=plan, task__no__in=[1, 2, 5, 6, 7, 8]).select_related("unit")}:
        make_user(org, f"liaison{unit.pk}", "liaison", unit)
    replay(plan, datetime.date(2021, 11, 2), tasks=[1, 2, 5, 6, 7, 8])

    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, f"liaison{fin.pk}")
    page.goto(f"{live_server.url}/units/{fin.pk}/")
    banner = page.locator("#demo-clock")
    assert banner.is_visible() and "演示时钟：2021年11月2日" in banner.inner_text()
    labels = page.locator(".unit-tasks .light .light-label")
    assert labels.count() >= 6
    texts = set()
    for i in range(labels.count()):
        label = labels.nth(i)
        box = label.bounding_box()
        assert label.is_visible() and box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        texts.add(label.inner_text().strip())
    assert texts <= {"已逾期", "临近期限", "正常", "已办结", "逾期办结", "待审核", "时限待定", "日历未载入"}
    assert len(texts) >= 2  # a year in motion, not one colour
    page.screenshot(path=str(artifacts / "demo-lights-phone.png"), full_page=False)
    page.goto(f"{live_server.url}/plans/{plan.pk}/?unit={fin.pk}")
    assert page.locator("#demo-clock").is_visible()
    first = page.locator(".division td.deadline .light .light-label").first
    first.scroll_into_view_if_needed()
    assert first.is_visible() and first.inner_text().strip()
    page.screenshot(path=str(artifacts / "demo-division-phone.png"), full_page=False)
