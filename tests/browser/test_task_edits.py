"""Putting a misread plan right in a real browser: the coordinator splits a task and merges two, from the
review page and the task page, on a desktop and on a phone."""
from __future__ import annotations

import pytest

from duban.plans.models import Task

from .conftest import make_user
from .conftest import log_in

pytestmark = pytest.mark.browser


def no_overflow(page, what: str) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{what} is {overflow}px wider than the screen"


@pytest.mark.parametrize("device,viewport", [("desktop", {"width": 1280, "height": 900}), ("phone", {"width": 390, "height": 844})])
def test_split_and_merge_in_the_browser(live_server, seeded, page, artifacts, device, viewport):
    org, plan = seeded
    make_user(org, "coordinator", "coordinator")
    page.set_viewport_size(viewport)
    log_in(page, live_server.url, "coordinator")

    # From the division table to the review page's list of tasks.
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    page.click("#correct-plan")
    page.wait_for_load_state("networkidle")
    assert page.locator("#tasks").is_visible()
    no_overflow(page, f"review page on {device}")
    page.locator("#rt7").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"task-edits-review-{device}.png"), full_page=False)

    # Split task 7: the form comes with its text, units and deadline; the new task goes in as 8.
    page.locator("#rt7 td.ops a", has_text="拆分").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "拆分第7项"
    assert page.input_value("input[name=no]") == "8"
    assert page.input_value("input[name=deadline_date]") == "2021-10-31"
    page.fill("textarea[name=first_requirement]", "依法依规稳步推动地方政府债务信息公开。")
    page.fill("textarea[name=requirement]", "通过集中统一平台定期公开地方政府债务限额、余额。")
    no_overflow(page, f"split form on {device}")
    page.screenshot(path=str(artifacts / f"task-edits-split-form-{device}.png"), full_page=False)
    page.click("#split-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "第8项"
    assert "已将第7项拆分为两项：新任务为第8项。" in page.locator(".messages").inner_text()
    assert "通过集中统一平台定期公开地方政府债务限额、余额。" in page.locator("dl.fields").inner_text()
    assert "区财政局" in page.locator("dl.fields").inner_text()  # the units came along
    no_overflow(page, f"new task page on {device}")
    page.screenshot(path=str(artifacts / f"task-edits-split-done-{device}.png"), full_page=True)
    new = Task.objects.get(plan=plan, no=8)
    assert new.added_by_hand and new.assignments.count() == Task.objects.get(plan=plan, no=7).assignments.count()
    assert Task.objects.filter(plan=plan).count() == 75

    # Merge task 2 into task 1, from task 1's page.
    one = Task.objects.get(plan=plan, no=1)
    page.goto(f"{live_server.url}/tasks/{one.pk}/")
    page.click("#task-structure a:has-text('合并')")
    page.wait_for_load_state("networkidle")
    page.select_option("select[name=other]", label=f"第2项：{Task.objects.get(plan=plan, no=2).requirement[:40]}")
    no_overflow(page, f"merge form on {device}")
    page.screenshot(path=str(artifacts / f"task-edits-merge-form-{device}.png"), full_page=False)
    page.click("#merge-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "第1项"
    assert "已将第2项并入第1项" in page.locator(".messages").inner_text()
    text = page.locator("dl.fields").inner_text()
    assert "主动公开“十四五”规划纲要。" in text and "谁牵头编制,谁主动公开" in text
    assert "区自然资源局" in text  # task 2's lead unit is now on task 1
    assert page.locator("table.history").inner_text().count("并入第2项") == 1
    no_overflow(page, f"merged task page on {device}")
    page.screenshot(path=str(artifacts / f"task-edits-merge-done-{device}.png"), full_page=True)
    # The merged-away task is archived, listed under the table, and can be restored.
    two = Task.all_objects.get(plan=plan, no=2)
    assert two.archived_at is not None
    page.goto(f"{live_server.url}/tasks/{two.pk}/")
    assert page.locator("#task-archived").is_visible() and page.locator("#task-restore button").is_visible()
    page.screenshot(path=str(artifacts / f"task-edits-archived-{device}.png"), full_page=False)
