"""A plan whose tasks have no section (a table 序号 · 工作任务 · 牵头单位 · 责任单位 · 完成时限, no heading
rows) works on every page that shows a plan, for every role: imported through the real upload, then
walked page by page, filter by filter, document by document."""
from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from duban.exports.models import ExportJob
from duban.plans.models import Assignment, Plan, PlanWarning, Section
from tests.ingest.builders import build_docx

from .conftest import make_user
from .test_import import upload

HEADER = ["序号", "工作任务", "牵头单位", "责任单位", "完成时限"]
ROWS = [
    ["1", "主动公开“十四五”规划纲要。", "区政府办公室", "区发展改革局", "10月31日前完成"],
    ["2", "做好财政预决算公开工作。", "区财政局", "区民政局、区司法局", "长期坚持"],
    ["3", "加强政策解读，回应社会关切。", "区政府办公室", "区财政局", "每季度"],
]
TITLE = ["西山区2022年政务公开工作要点分工方案"]


def no_section_docx() -> bytes:
    return build_docx(TITLE, [HEADER, *ROWS], vmerge_col=None)


@pytest.fixture
def plan(client, org, coordinator):
    client.force_login(coordinator)
    r = upload(client, no_section_docx(), "分工方案.docx")
    assert r.status_code == 302, r.content.decode()[:2000]
    client.logout()
    return Plan.objects.get()


def test_the_plan_imports_without_sections(plan, unit):
    assert Section.objects.filter(plan=plan).count() == 0
    tasks = list(plan.tasks.order_by("no"))
    assert [(t.no, t.section_id, t.requirement) for t in tasks] == [(int(r[0]), None, r[1]) for r in ROWS]
    by_role = {(a.task.no, a.unit.name, a.role) for a in Assignment.objects.filter(task__plan=plan).select_related("task", "unit")}
    assert by_role == {
        (1, "区政府办公室", "lead"), (1, "区发展改革局", "responsible"),
        (2, "区财政局", "lead"), (2, "区民政局", "responsible"), (2, "区司法局", "responsible"),
        (3, "区政府办公室", "lead"), (3, "区财政局", "responsible"),
    }


def filters(plan, unit) -> list[str]:
    finance = unit("区财政局").pk
    return [
        "", f"?unit={finance}", f"?unit={finance}&role=lead", f"?unit={finance}&role=responsible", "?role=lead",
        "?section=", "?kind=date", "?kind=ongoing", "?kind=recurring", "?kind=none", "?month=10", "?month=2022-10",
        "?q=公开", "?q=区财政局", "?open=1", f"?q=政策&unit={finance}&kind=recurring&open=1",
    ]


def pages(plan, unit) -> dict[str, dict[str, int]]:
    """URL → the status each role gets: coordinator, leader, liaison of 区财政局."""
    p = plan.pk
    finance = unit("区财政局").pk
    office = unit("区政府办公室").pk
    every = {"coordinator": 200, "leader": 200, "liaison": 200}
    readers = {"coordinator": 200, "leader": 200, "liaison": 403}
    out = {}
    for f in filters(plan, unit):
        out[f"/plans/{p}/{f}"] = every
        out[f"/plans/{p}/print/{f}"] = every
    out[f"/plans/{p}/?unit={office}"] = {"coordinator": 200, "leader": 200, "liaison": 404}
    out.update({
        "/": {"coordinator": 302, "leader": 302, "liaison": 302},
        "/plans/": every,
        f"/plans/{p}/source/": {"coordinator": 200, "leader": 200, "liaison": 404},
        f"/plans/{p}/review/": readers,
        f"/units/{finance}/": every,
        f"/units/{office}/": {"coordinator": 200, "leader": 200, "liaison": 404},
        "/review-queue/": {"coordinator": 200, "leader": 403, "liaison": 403},
        "/overview/": readers,
        f"/overview/?plan={p}": readers,
        f"/plans/{p}/reminders/": {"coordinator": 200, "leader": 403, "liaison": 403},
        "/dashboard/": {"coordinator": 302, "leader": 302, "liaison": 403},
        f"/plans/{p}/dashboard/": readers,
        "/assessment/": {"coordinator": 302, "leader": 302, "liaison": 302},
        f"/plans/{p}/assessment/": readers,
        f"/plans/{p}/assessment/units/{finance}/": every,
        f"/plans/{p}/assessment/units/{office}/": {"coordinator": 200, "leader": 200, "liaison": 404},
        f"/plans/{p}/assessment/scheme/": readers,  # leaders read the scheme and deductions, only coordinators change them
        f"/plans/{p}/assessment/deductions/": readers,
        "/documents/": {"coordinator": 302, "leader": 302, "liaison": 302},
        f"/plans/{p}/documents/": every,
        f"/plans/{p}/documents/bulletin/": readers,
    })
    for t in plan.tasks.all():
        mine = t.assignments.filter(unit=finance).exists()
        out[f"/tasks/{t.pk}/"] = {"coordinator": 200, "leader": 200, "liaison": 200 if mine else 404}
        out[f"/tasks/{t.pk}/edit/"] = {"coordinator": 200, "leader": 403, "liaison": 403}
        lead = t.assignments.filter(unit=finance, role="lead").exists()
        out[f"/tasks/{t.pk}/event-date/"] = {"coordinator": 200, "leader": 403, "liaison": 200 if lead else (403 if mine else 404)}
    for w in PlanWarning.objects.filter(plan=plan):  # 没有找到文号, 没有找到成文日期: settled on the review page
        out[f"/warnings/{w.pk}/"] = {"coordinator": 200, "leader": 403, "liaison": 403}
    for a in Assignment.objects.filter(task__plan=plan):
        out[f"/assignments/{a.pk}/"] = {"coordinator": 200, "leader": 200, "liaison": 200 if a.unit_id == finance else 404}
    return out


@pytest.fixture
def users(org, unit, coordinator, leader, liaison):
    return {"coordinator": coordinator, "leader": leader, "liaison": liaison}


@pytest.mark.parametrize("role", ["coordinator", "leader", "liaison"])
def test_every_page_of_the_plan_answers(plan, unit, users, client, role):
    client.force_login(users[role])
    client.raise_request_exception = False  # a 500 shows up in the comparison, with every other page
    got = {url: client.get(url).status_code for url in pages(plan, unit)}
    want = {url: statuses[role] for url, statuses in pages(plan, unit).items()}
    assert got == want
    assert sum("/warnings/" in url for url in want) == 2


def test_division_table_and_print_view_list_the_three_tasks_without_headings(plan, client, coordinator):
    client.force_login(coordinator)
    for url in (f"/plans/{plan.pk}/", f"/plans/{plan.pk}/print/"):
        html = client.get(url).content.decode()
        assert html.count('<tr class="task"') == 3
        assert '<tr class="section">' not in html
        for row in ROWS:
            assert row[1] in html


def test_tasks_without_a_section_after_sectioned_ones_get_their_own_heading(plan, client, coordinator):
    """A plan that has sections for some tasks only: the tasks without one are not shown under the
    heading of the task before them."""
    section = Section.objects.create(plan=plan, title="推进规划信息公开", order=1)
    plan.tasks.filter(no=1).update(section=section)
    client.force_login(coordinator)
    html = client.get(f"/plans/{plan.pk}/").content.decode()
    assert html.count('<tr class="section">') == 2
    first, second = html.index("推进规划信息公开"), html.index("其他任务")
    assert first < html.index('id="t1"') < second < html.index('id="t2"')


DOCUMENTS = [
    ("division", "docx", {}), ("division", "xlsx", {}),
    ("unit_list", "docx", {"unit": "finance"}), ("unit_list", "xlsx", {"unit": "finance"}),
    ("annual", "docx", {"date": "2022-12-31"}), ("annual", "xlsx", {"date": "2022-12-31"}),
    ("assessment", "docx", {"as_of": "2022-12-31"}), ("assessment", "xlsx", {"as_of": "2022-12-31"}),
]


@pytest.mark.parametrize("kind,fmt,extra", DOCUMENTS)
def test_every_document_is_generated(plan, unit, client, coordinator, kind, fmt, extra):
    client.force_login(coordinator)
    data = {"kind": kind, "fmt": fmt, **{k: (unit("区财政局").pk if v == "finance" else v) for k, v in extra.items()}}
    r = client.post(f"/plans/{plan.pk}/documents/new/", data)
    assert r.status_code == 302
    call_command("run_exports", stdout=io.StringIO())
    job = ExportJob.objects.get()
    assert (job.status, job.message) == (ExportJob.DONE, job.message) and job.status == ExportJob.DONE, job.message
    assert client.get(f"/exports/{job.pk}/").status_code == 200
    r = client.get(f"/exports/{job.pk}/download/")
    assert r.status_code == 200 and len(b"".join(r.streaming_content)) > 1000


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_the_bulletin_is_generated(plan, client, coordinator, fmt):
    client.force_login(coordinator)
    form = client.get(f"/plans/{plan.pk}/documents/bulletin/?as_of=2022-12-31").context["form"]
    data = {name: form.initial.get(name, "") for name in form.fields if form.initial.get(name) is not None}
    data.update({"fmt": fmt, "as_of": "2022-12-31", "date": "2022-12-31"})
    r = client.post(f"/plans/{plan.pk}/documents/bulletin/", data)
    assert r.status_code == 302, r.context["form"].errors
    call_command("run_exports", stdout=io.StringIO())
    job = ExportJob.objects.get()
    assert job.status == ExportJob.DONE, job.message
    assert client.get(f"/exports/{job.pk}/download/").status_code == 200


def test_a_liaison_generates_its_unit_task_list(plan, unit, client, liaison):
    client.force_login(liaison)
    r = client.post(f"/plans/{plan.pk}/documents/new/", {"kind": "unit_list", "fmt": "xlsx", "unit": unit("区财政局").pk})
    assert r.status_code == 302
    call_command("run_exports", stdout=io.StringIO())
    job = ExportJob.objects.get()
    assert job.status == ExportJob.DONE, job.message
    assert client.get(f"/exports/{job.pk}/download/").status_code == 200


def test_a_second_liaison_sees_only_its_own_tasks(plan, unit, client, org):
    office = make_user(org, "liaison-office", "liaison", unit("区政府办公室"))
    client.force_login(office)
    html = client.get(f"/plans/{plan.pk}/").content.decode()
    assert html.count('<tr class="task"') == 2 and ROWS[1][1] not in html
