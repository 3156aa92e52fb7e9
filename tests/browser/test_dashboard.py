"""The coordinator in a real browser: the dashboard's charts draw (ECharts from our own static files,
no console errors), then a 督办通报 and a unit's task list are generated and downloaded."""
from __future__ import annotations

import datetime as dt
import io

import docx
import openpyxl
import pytest
from django.utils import timezone

from duban.directory.models import Unit
from duban.plans.models import Assignment

from .conftest import make_user
from .conftest import log_in

pytestmark = pytest.mark.browser


def some_progress(plan):
    """A few assignments done and some overdue, so the charts have something to draw."""
    at = lambda d: timezone.make_aware(dt.datetime.combine(d, dt.time(10)))  # noqa: E731
    assignments = list(Assignment.objects.filter(task__plan=plan).order_by("task__no", "id")[:40])
    for i, a in enumerate(assignments):
        a.due_date = dt.date(2021, 10, 29)
        if i % 3 == 0:
            continue  # left overdue
        day = dt.date(2021, 9, 1) + dt.timedelta(days=3 * i)
        a.status, a.submitted_at, a.accepted_at = "accepted", at(day), at(day + dt.timedelta(days=1))
        a.save()


def wait_for_job_and_download(page):
    page.wait_for_selector("#download", timeout=60000)  # the job page refreshes itself until the file is ready
    with page.expect_download() as info:
        page.click("#download")
    return info.value


def test_coordinator_sees_charts_and_downloads_documents(live_server, seeded, page, artifacts, tmp_path):
    org, plan = seeded
    some_progress(plan)
    make_user(org, "coordinator", "coordinator")
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "favicon" not in (m.location or {}).get("url", "") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    requests = []
    page.on("request", lambda r: requests.append(r.url))

    log_in(page, live_server.url, "coordinator")
    page.click("header nav >> text=看板")
    page.wait_for_url(f"**/plans/{plan.pk}/dashboard/")
    page.fill("input[name=date]", "2021-12-31")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    for chart in ("units", "sections", "lights", "trend"):
        page.wait_for_selector(f"[data-chart={chart}] canvas")
    assert page.locator("[data-chart] canvas").count() >= 4
    assert page.evaluate("typeof echarts") == "object"
    assert errors == []
    assert all(u.startswith(live_server.url) for u in requests), [u for u in requests if not u.startswith(live_server.url)]
    # the numbers are in tables too
    late = Assignment.objects.filter(task__plan=plan, due_date__lt=dt.date(2021, 12, 31)).exclude(status__in=["accepted", "submitted"])  # 待审核 is not overdue
    assert page.locator("table.overdue tbody tr").count() == late.values("task", "due_date").distinct().count()
    page.screenshot(path=str(artifacts / "dashboard.png"), timeout=30000)

    # 督办通报: the form comes filled in; the coordinator changes the number and generates it.
    page.click("header nav >> text=文书")
    page.fill("#bulletin input[name=as_of]", "2021-12-31")
    page.click("#bulletin button[type=submit]")
    assert "区" in page.locator("textarea[name=named]").input_value()
    page.fill("input[name=doc_number]", "第9期")
    page.click("#make-bulletin")
    download = wait_for_job_and_download(page)
    assert download.suggested_filename == "督办通报（第9期）-20211231.docx"
    path = tmp_path / "bulletin.docx"
    download.save_as(path)
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "第9期" in text and "关于2021年政务公开工作要点落实情况的督办通报" in text.replace("\n", "")  # the title on two lines (GB/T 9704)

    # A unit's task list, as Excel.
    finance = Unit.objects.get(org=org, name="区财政局")
    page.goto(f"{live_server.url}/plans/{plan.pk}/documents/")
    page.select_option("#unit-lists select[name=unit]", label="区财政局")
    page.click("#unit-lists button[value=xlsx]")
    download = wait_for_job_and_download(page)
    assert download.suggested_filename == "区财政局-任务清单.xlsx"
    path = tmp_path / "finance.xlsx"
    download.save_as(path)
    ws = openpyxl.load_workbook(path).active
    numbers = [r[0] for r in ws.iter_rows(values_only=True) if isinstance(r[0], int)]
    assert numbers == list(Assignment.objects.filter(task__plan=plan, unit=finance).order_by("task__no").values_list("task__no", flat=True))
    assert errors == []
