"""A plan without sections in a real browser: the division table and its print view, on a desktop and on a phone."""
from __future__ import annotations

import pytest

from duban.plans import importing
from tests.web.test_no_sections import ROWS, no_section_docx

from .conftest import make_user
from .conftest import log_in
from .test_pages import shown_task_numbers

pytestmark = pytest.mark.browser


@pytest.fixture
def plan_without_sections(transactional_db):
    from duban.directory.exchange import load_json
    from duban.directory.models import Organisation
    from tests.web.conftest import DIRECTORY_JSON

    load_json(DIRECTORY_JSON)
    org = Organisation.objects.get(short_name="西山区")
    return org, importing.apply(importing.prepare(org, no_section_docx(), "分工方案.docx"))


@pytest.mark.parametrize("device,viewport", [("desktop", {"width": 1280, "height": 900}), ("phone", {"width": 390, "height": 844})])
def test_division_table_and_print_view_of_a_plan_without_sections(live_server, plan_without_sections, page, artifacts, device, viewport):
    org, plan = plan_without_sections
    make_user(org, "coordinator", "coordinator")
    page.set_viewport_size(viewport)
    log_in(page, live_server.url, "coordinator")
    for name, path in (("table", f"/plans/{plan.pk}/"), ("print", f"/plans/{plan.pk}/print/")):
        response = page.goto(live_server.url + path)
        assert response.status == 200
        assert shown_task_numbers(page) == [1, 2, 3]
        assert page.locator("tr.section").count() == 0
        if name == "print":  # no 文号: no stray separator before the count
            assert page.locator("p.meta").inner_text() == "共 3 项"
        else:  # no sections: nothing to filter by section
            assert page.locator("select[name=section]").count() == 0
        for no, row in enumerate(ROWS, start=1):
            assert page.locator(f"#t{no} td.req").inner_text() == row[1]
        assert page.locator("#t2 td.units").nth(1).locator("span").all_inner_texts() == ["区民政局", "区司法局"]
        # Nothing runs off the right edge of the screen.
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} on {device} is {overflow}px wider than the screen"
        page.screenshot(path=str(artifacts / f"no-sections-{name}-{device}.png"), full_page=True)
