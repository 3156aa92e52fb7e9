"""Importing a plan in the browser: the page shows the upload's progress, then lands on the review page."""
from __future__ import annotations

import pytest

from duban.plans.models import Plan

from .conftest import SEED, make_user
from .test_pages import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def directory_only(transactional_db):
    from duban.directory.exchange import load_json
    from duban.directory.models import Organisation
    from tests.web.conftest import DIRECTORY_JSON

    load_json(DIRECTORY_JSON)
    return Organisation.objects.get(short_name="西山区")


def test_coordinator_uploads_the_seed_and_sees_progress(live_server, directory_only, page, artifacts):
    make_user(directory_only, "coordinator", "coordinator")
    log_in(page, live_server.url, "coordinator")
    page.goto(f"{live_server.url}/plans/upload/")
    statuses = []
    page.expose_function("recordStatus", lambda text: statuses.append(text))
    page.evaluate("""() => new MutationObserver(() => window.recordStatus(
        document.querySelector('[data-upload-status]').textContent))
        .observe(document.querySelector('[data-upload-status]'), {childList: true, characterData: true, subtree: true})""")
    page.set_input_files("input[type=file]", str(SEED))
    with page.expect_navigation():
        page.click("form[data-upload-progress] button[type=submit]")
    page.wait_for_load_state("networkidle")
    plan = Plan.objects.get()
    assert page.url.endswith(f"/plans/{plan.pk}/review/")  # the import's warnings are waiting to be settled
    assert plan.tasks.count() == 74
    assert any("正在上传" in s or "正在解析" in s for s in statuses), statuses
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
