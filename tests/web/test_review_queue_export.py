"""The review queue's .xlsx export: every row the filters keep (no paging), in the page's order, text that
looks like a formula kept as text, the coordinator's alone and of their own organisation (issue 13)."""
from __future__ import annotations

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from duban.audit.models import AuditEvent
from duban.directory.models import Organisation
from duban.plans.models import Assignment
from duban.progress.models import Report
from tests.progress.test_review_queue import shown, submit

from .conftest import make_user

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def assignments(seed_plan):
    return list(Assignment.objects.filter(task__plan=seed_plan).order_by("task__no", "id"))[::10]


def workbook(client, query: str = ""):
    r = client.get(f"/review-queue/export.xlsx?{query}")
    assert r.status_code == 200 and r["Content-Type"] == XLSX
    assert r["Content-Disposition"].startswith("attachment;")
    return openpyxl.load_workbook(io.BytesIO(r.content)).active


def rows(ws) -> list[tuple]:
    return list(ws.iter_rows(min_row=2, values_only=True))


def test_every_row_of_the_filtered_queue_in_the_pages_order(assignments, coordinator, client, unit):
    reports = submit(assignments[:120])
    client.force_login(coordinator)
    ws = workbook(client)
    assert ws.title == "待审核清单" and ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]][:5] == ["报送时间", "方案", "序号", "具体要求", "单位"]
    assert len(rows(ws)) == 120  # no paging
    first = rows(ws)[0]
    r = reports[0]
    assert first[:3] == ("2021-09-01 09:00", r.assignment.task.plan.title, r.assignment.task.no)
    assert first[4] == r.assignment.unit.name and first[-3:-1] == (2, 1)  # 2 links, 1 file
    # the filters and the sort: the same assignments as the page lists, in the same order
    finance = unit("区财政局").pk
    plan = assignments[0].task.plan_id
    for query in ("sort=-submitted", f"plan={plan}&sort=unit", "sort=task&timing=on_time", f"unit={finance}", "sort=due"):
        got = rows(workbook(client, query))
        page_ids = shown(client, query)
        by_id = {str(x.assignment_id): x for x in reports}
        assert [(row[2], row[4]) for row in got] == [(by_id[i].assignment.task.no, by_id[i].assignment.unit.name) for i in page_ids], query
    assert {row[4] for row in rows(workbook(client, f"unit={finance}"))} <= {"区财政局"}
    assert AuditEvent.objects.filter(action=AuditEvent.EXPORT_DOWNLOAD, target__startswith="待审核清单").exists()


def test_late_reports_are_marked_and_filtered(assignments, coordinator, client):
    import datetime

    reports = submit(assignments[:4])
    Assignment.objects.filter(pk__in=[r.assignment_id for r in reports]).update(due_date=datetime.date(2030, 1, 1))
    Assignment.objects.filter(pk=reports[1].assignment_id).update(due_date=datetime.date(2021, 8, 31))
    client.force_login(coordinator)
    late = rows(workbook(client, "timing=late"))
    assert len(late) == 1 and late[0][7:9] == ("2021-08-31", "是")
    assert [row[8] for row in rows(workbook(client))] == [None, "是", None, None]
    assert len(rows(workbook(client, "timing=on_time"))) == 3


def test_text_that_looks_like_a_formula_stays_text(assignments, coordinator, client):
    reports = submit(assignments[:2])
    Report.objects.filter(pk=reports[0].pk).update(text='=HYPERLINK("https://evil.example","点此")')
    Report.objects.filter(pk=reports[1].pk).update(text="+1-1")
    client.force_login(coordinator)
    ws = workbook(client)
    cells = [row[9] for row in ws.iter_rows(min_row=2)]
    assert [c.value for c in cells] == ['=HYPERLINK("https://evil.example","点此")', "+1-1"]
    assert all(c.data_type == "s" for c in cells)


def test_control_characters_pasted_into_a_report_are_left_out(assignments, coordinator, client):
    """Word's line break (\x0b) and other control characters may be in a report's text; a workbook cannot hold them."""
    reports = submit(assignments[:1])
    Report.objects.filter(pk=reports[0].pk).update(text="第一段\x0b第二段\x01。\n第三段")
    client.force_login(coordinator)
    assert rows(workbook(client))[0][9] == "第一段第二段。\n第三段"


def test_only_the_coordinator_and_only_their_organisation(assignments, coordinator, leader, liaison, client, org):
    submit(assignments[:3])
    for user in (leader, liaison):
        client.force_login(user)
        assert client.get("/review-queue/export.xlsx").status_code == 403
    other = Organisation.objects.create(name="昆明市五华区人民政府", short_name="五华区")
    client.force_login(make_user(other, "wuhua", "coordinator"))
    assert rows(workbook(client, f"plan={assignments[0].task.plan_id}")) == []  # 西山区's plan asked for by id: nothing
    client.logout()
    assert client.get("/review-queue/export.xlsx")["Location"].startswith("/login/")


def test_the_export_asks_as_many_queries_for_200_reports_as_for_5(assignments, coordinator, client):
    client.force_login(coordinator)
    url = f"/review-queue/export.xlsx?plan={assignments[0].task.plan_id}&sort=unit"

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    submit(assignments[:5])
    small = count()
    submit(assignments[5:205], start=5)
    assert len(rows(workbook(client, "plan=" + str(assignments[0].task.plan_id)))) == 205
    assert count() == small


def test_role_type_and_author_columns(assignments, coordinator, liaison, client):
    """The columns read as plain values: the role and the type in words, the author by full name, else by user
    name, and nothing for a report whose author's account was deleted."""
    from django.contrib.auth.models import User

    reports = submit(assignments[:3])
    liaison.first_name, liaison.last_name = "张", "三"
    liaison.save()
    gone = User.objects.create_user("departed")
    Report.objects.filter(pk=reports[0].pk).update(submitted_by=liaison)
    Report.objects.filter(pk=reports[1].pk).update(submitted_by=coordinator, kind="exemption")
    Report.objects.filter(pk=reports[2].pk).update(submitted_by=gone)
    gone.delete()  # SET_NULL: the report stays, without an author
    coordinator.first_name = coordinator.last_name = ""
    coordinator.save()
    client.force_login(coordinator)
    got = rows(workbook(client))
    roles = {"lead": "牵头", "responsible": "负责落实"}
    assert [row[5] for row in got] == [roles[r.assignment.role] for r in reports]
    assert [row[6] for row in got] == ["进展报送", "本单位不涉及", "进展报送"]
    assert [row[12] for row in got] == ["张 三", coordinator.username, None]
