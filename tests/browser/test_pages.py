"""The pages in a real browser: the coordinator filters the division table; a liaison is kept to their unit."""
from __future__ import annotations

import re

import pytest

from duban.directory.models import Unit

from .conftest import log_in, make_user

pytestmark = pytest.mark.browser


def shown_task_numbers(page) -> list[int]:
    return [int(n) for n in page.locator("tr.task").evaluate_all("rows => rows.map(r => r.dataset.no)")]


def test_coordinator_filters_the_division_table_to_one_unit(live_server, seeded, page, artifacts):
    org, plan = seeded
    make_user(org, "coordinator", "coordinator")
    log_in(page, live_server.url, "coordinator")
    assert page.url.endswith(f"/plans/{plan.pk}/")
    assert len(shown_task_numbers(page)) == 74
    # 区委网信办 is named on tasks 36 and 38 only (区政府办公室、区委网信办牵头).
    page.select_option("select[name=unit]", label="区委网信办")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert shown_task_numbers(page) == [36, 38]
    assert page.locator("#task-count").inner_text() == "2"
    assert page.locator(".unit.hit").first.inner_text() == "区委网信办"
    page.screenshot(path=str(artifacts / "division-table-filtered.png"), full_page=True)
    # The same table on a phone: one card per task, still readable.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/plans/{plan.pk}/?unit={Unit.objects.get(org=org, name='区财政局').pk}&role=lead")
    assert shown_task_numbers(page) == [6, 7, 8, 9, 10, 11, 39, 49]
    assert page.locator("table.division thead").is_hidden()
    page.screenshot(path=str(artifacts / "division-table-phone.png"), full_page=False)


def test_liaison_cannot_open_another_units_page(live_server, seeded, page, artifacts):
    org, plan = seeded
    own = Unit.objects.get(org=org, name="区委网信办")
    other = Unit.objects.get(org=org, name="区民政局")
    make_user(org, "liaison", "liaison", own)
    log_in(page, live_server.url, "liaison")
    assert page.url.endswith(f"/units/{own.pk}/")
    assert page.locator("h1").inner_text() == "区委网信办"
    assert sorted(int(n) for n in page.locator("tr.task").evaluate_all("rows => rows.map(r => r.dataset.no)")) == [36, 38]
    response = page.goto(f"{live_server.url}/units/{other.pk}/")
    assert response.status in (403, 404)
    assert "区民政局" not in page.content()
    task_not_mine = plan.tasks.get(no=53)
    assert page.goto(f"{live_server.url}/tasks/{task_not_mine.pk}/").status in (403, 404)
    page.goto(f"{live_server.url}/units/{own.pk}/")
    page.screenshot(path=str(artifacts / "liaison-unit-page.png"), full_page=True)
    assert re.search(r"共 2 项任务", page.content())


def test_no_page_is_wider_than_a_phone(live_server, seeded, page, artifacts):
    """Every page the coordinator works in fits 390 px: wide tables scroll within themselves."""
    org, plan = seeded
    make_user(org, "coordinator", "coordinator")
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, "coordinator")
    unit = Unit.objects.get(org=org, name="区财政局")
    for path in [f"/plans/{plan.pk}/", f"/plans/{plan.pk}/review/", "/overview/", "/review-queue/",
                 f"/plans/{plan.pk}/dashboard/", f"/plans/{plan.pk}/assessment/", f"/plans/{plan.pk}/documents/",
                 f"/units/{unit.pk}/", "/accounts/users/", "/audit/", "/plans/upload/", "/directory/"]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 392:
            page.screenshot(path=str(artifacts / f"too-wide{path.replace('/', '-')}.png"), full_page=False)
        assert width <= 392, (path, width)
