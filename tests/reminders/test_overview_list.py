"""The overview's list: 50 rows a page, filters by unit, light, status and section, sorts, and the
.xlsx export of exactly the filtered list (formula-looking text kept as text)."""
import datetime
import io
import re

import openpyxl
import pytest

from duban.audit.models import AuditEvent
from duban.plans import deadlines
from duban.plans.models import Assignment, Section, Task

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def office(seed_plan, coordinator, client, monkeypatch):
    monkeypatch.setattr(deadlines, "office_today", lambda: D(2021, 11, 2))
    client.force_login(coordinator)
    return client


def rows(page) -> list[str]:
    return re.findall(r'<tr data-assignment="(\d+)"', page.content.decode())


def listed(page) -> set[int]:
    """Every row of the filtered list, all pages."""
    return {r.assignment_id for r in page.context["o"].rows}


def red(plan):
    """What the list shows by default: open (not submitted, not accepted) and past the due date."""
    return (Assignment.objects.filter(task__plan=plan, due_date__lt=D(2021, 11, 2))
            .exclude(status__in=[Assignment.SUBMITTED, Assignment.ACCEPTED]))


def test_the_overdue_list_pages_by_fifty(office, seed_plan):
    overdue = red(seed_plan).count()
    assert overdue > 2000
    first = office.get("/overview/")
    assert len(rows(first)) == 50 and first.context["page"].paginator.count == overdue
    assert f"逾期清单（{overdue}）" in first.content.decode()
    second = office.get("/overview/", {"page": 2})
    assert len(rows(second)) == 50 and not set(rows(first)) & set(rows(second))
    last = office.get("/overview/", {"page": 999})  # past the end: the last page
    assert last.context["page"].number == (overdue + 49) // 50 and len(rows(last)) == overdue - 50 * (overdue // 50)
    seen = set()
    for n in range(1, last.context["page"].number + 1):
        seen |= set(rows(office.get("/overview/", {"page": n})))
    assert seen == {str(pk) for pk in red(seed_plan).values_list("pk", flat=True)}


def test_filters_keep_only_what_is_asked(office, seed_plan, unit):
    fin = unit("区财政局")
    Assignment.objects.filter(task__plan=seed_plan, unit=fin, task__no=6).update(status=Assignment.SUBMITTED)
    r = office.get("/overview/", {"unit": fin.pk})
    assert listed(r) == set(red(seed_plan).filter(unit=fin).values_list("pk", flat=True)) and len(rows(r)) == 50
    everything = office.get("/overview/", {"unit": fin.pk, "light": "all"})
    assert listed(everything) == set(Assignment.objects.filter(task__plan=seed_plan, unit=fin).values_list("pk", flat=True))
    assert "任务清单" in everything.content.decode()
    review = office.get("/overview/", {"light": "review"})
    assert rows(review) == [str(Assignment.objects.get(task__plan=seed_plan, unit=fin, task__no=6).pk)]
    assert rows(office.get("/overview/", {"status": "submitted"})) == []  # 待审核 is never overdue
    assert rows(office.get("/overview/", {"status": "submitted", "light": "all"})) == rows(review)
    top = Section.objects.filter(plan=seed_plan, parent=None).order_by("order")[1]
    in_top = office.get("/overview/", {"section": top.pk, "light": "all"})
    tasks = Task.objects.filter(plan=seed_plan, section__in=[top, *Section.objects.filter(parent=top)])
    expected = Assignment.objects.filter(task__in=tasks).count()
    assert expected < Assignment.objects.filter(task__plan=seed_plan).count()
    assert expected and listed(in_top) == set(Assignment.objects.filter(task__in=tasks).values_list("pk", flat=True))
    # Filters are kept by the page links.
    assert f"unit={fin.pk}" in everything.context["query"] and "light=all" in everything.context["query"]


def test_sorts(office, seed_plan, unit):
    Assignment.objects.filter(task__plan=seed_plan, task__no=3).update(due_date=D(2021, 3, 1))
    by_due = office.get("/overview/").context["page"].object_list
    assert [r.due_date for r in by_due] == sorted(r.due_date for r in by_due) and by_due[0].due_date == D(2021, 3, 1)
    latest = office.get("/overview/", {"sort": "-due"}).context["page"].object_list
    assert latest[0].due_date == max(red(seed_plan).values_list("due_date", flat=True))
    most = office.get("/overview/", {"sort": "overdue"}).context["page"].object_list
    assert most[0].calendar_days == (D(2021, 11, 2) - D(2021, 3, 1)).days
    assert [r.calendar_days for r in most] == sorted((r.calendar_days for r in most), reverse=True)
    by_unit = office.get("/overview/", {"sort": "unit", "light": "all"}).context["page"].object_list
    keys = [(r.unit.sort_order, r.unit.pk) for r in by_unit]
    assert keys == sorted(keys)
    bad = office.get("/overview/", {"sort": "drop table", "light": "purple", "unit": "x"})  # ignored: the defaults
    assert bad.status_code == 200 and bad.context["shown"].sort == "due" and bad.context["shown"].light == "red"


def test_the_export_is_the_filtered_list(office, seed_plan, unit):
    fin = unit("区财政局")
    task = Task.objects.get(plan=seed_plan, no=6)
    task.requirement = "=HYPERLINK(\"http://evil.example\",\"点我\")"
    task.save()
    r = office.get("/overview/export.xlsx", {"unit": fin.pk, "light": "all", "sort": "unit"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in r["Content-Disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    values = list(ws.iter_rows(values_only=True))
    assert values[0][:4] == ("单位", "序号", "具体要求", "职责")
    body = values[1:]
    assert len(body) == Assignment.objects.filter(task__plan=seed_plan, unit=fin).count()  # every row, not one page
    assert {v[0] for v in body} == {"区财政局"}
    formula = next(c for row in ws.iter_rows(min_row=2) for c in row if str(c.value).startswith("=HYPERLINK"))
    assert formula.data_type == "s"  # text, not a formula
    overdue = openpyxl.load_workbook(io.BytesIO(office.get("/overview/export.xlsx").content)).active
    assert overdue.title == "逾期清单" and overdue.max_row - 1 == red(seed_plan).count()
    logged = AuditEvent.objects.filter(action=AuditEvent.EXPORT_DOWNLOAD).order_by("id")
    assert [e.after["rows"] for e in logged] == [len(body), red(seed_plan).count()]  # downloads are in the audit trail


def test_the_export_leaves_out_control_characters_a_workbook_cannot_hold(office, seed_plan):
    """A requirement edited with Word's line break (\x0b) pasted in: the export answered 500 (openpyxl refuses it)."""
    task = Task.objects.filter(plan=seed_plan, assignments__due_date__isnull=False).first()
    Task.objects.filter(pk=task.pk).update(requirement="公开预算\x0b和决算")
    r = office.get("/overview/export.xlsx", {"light": "all"})
    assert r.status_code == 200
    texts = {row[2] for row in openpyxl.load_workbook(io.BytesIO(r.content)).active.iter_rows(min_row=2, values_only=True)}
    assert "公开预算和决算" in texts


def test_the_export_is_the_offices(seed_plan, liaison, leader, client):
    client.force_login(liaison)
    assert client.get("/overview/export.xlsx").status_code == 403
    client.force_login(leader)
    assert client.get("/overview/export.xlsx").status_code == 200
    client.logout()
    assert client.get("/overview/export.xlsx")["Location"].startswith("/login/")
