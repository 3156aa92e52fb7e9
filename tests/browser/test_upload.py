"""Importing a plan in the browser: the page shows the upload's progress, then the import job's page with
its steps, then lands on the review page."""
from __future__ import annotations

import time

import pytest

from duban.plans import importing
from duban.plans.models import Plan

from .conftest import SEED, make_user
from .conftest import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def directory_only(transactional_db):
    from duban.directory.exchange import load_json
    from duban.directory.models import Organisation
    from tests.web.conftest import DIRECTORY_JSON

    load_json(DIRECTORY_JSON)
    return Organisation.objects.get(short_name="西山区")


def test_coordinator_uploads_the_seed_and_sees_progress(live_server, directory_only, page, artifacts, monkeypatch):
    # The seed is read in a fraction of a second; checking its units slowly (3 s) lets the job page be seen at work.
    # The live server runs in this process, so its background thread checks them slowly too.
    resolve_task = importing.resolve_task
    monkeypatch.setattr(importing, "resolve_task", lambda directory, task: time.sleep(0.04) or resolve_task(directory, task))
    make_user(directory_only, "coordinator", "coordinator")
    log_in(page, live_server.url, "coordinator")
    steps = []  # the step each job page showed as current
    page.expose_function("recordStep", lambda text: steps.append(text))
    page.add_init_script("""document.addEventListener("DOMContentLoaded", () => {
        const step = document.querySelector("#job [aria-current=step]");
        if (step) window.recordStep(step.textContent);
    })""")
    page.goto(f"{live_server.url}/plans/upload/")
    statuses = []
    page.expose_function("recordStatus", lambda text: statuses.append(text))
    page.evaluate("""() => new MutationObserver(() => window.recordStatus(
        document.querySelector('[data-upload-status]').textContent))
        .observe(document.querySelector('[data-upload-status]'), {childList: true, characterData: true, subtree: true})""")
    page.set_input_files("input[type=file]", str(SEED))
    page.click("form[data-upload-progress] button[type=submit]")
    page.wait_for_selector("#job progress")  # the job page, refreshing itself
    page.screenshot(path=str(artifacts / "upload-job.png"), full_page=False)
    page.wait_for_url("**/review/", timeout=30000)
    page.wait_for_load_state("networkidle")
    plan = Plan.objects.get()
    assert page.url.endswith(f"/plans/{plan.pk}/review/")  # the import's warnings are waiting to be settled
    assert plan.tasks.count() == 74
    assert any("正在上传" in s or "上传完成" in s for s in statuses), statuses
    assert any(s.startswith("核对单位") for s in steps), steps  # the step that was slowed down, seen on the job page
    assert set(s.rstrip("…") for s in steps) <= set(importing.IMPORT_STEPS), steps
    assert f"已导入《{plan.title}》：74 项任务" in page.text_content(".messages")  # the message reached the page shown
    page.screenshot(path=str(artifacts / "upload-review.png"), full_page=False)


def test_a_bad_file_shows_the_error_page_as_rendered(live_server, directory_only, page, tmp_path):
    make_user(directory_only, "coordinator", "coordinator")
    log_in(page, live_server.url, "coordinator")
    page.goto(f"{live_server.url}/plans/upload/")
    bad = tmp_path / "plan.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    page.set_input_files("input[type=file]", str(bad))
    page.click("form[data-upload-progress] button[type=submit]")
    page.wait_for_selector("text=无法导入")
    assert Plan.objects.count() == 0
