"""A unit's page reads a fixed number of queries however many plans (years) the unit has work in."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from duban.directory.models import Unit
from duban.plans.models import Assignment, Plan, Task
from duban.progress.models import RETURNED, Report
from duban.reminders.models import ReminderRule
from tests.web.conftest import make_user

D = datetime.date
pytestmark = pytest.mark.django_db


def add_plans(org, unit, years, tasks=3):
    for year in years:
        plan = Plan.objects.create(org=org, title=f"{year}年政务公开工作要点分工方案", year=year, sha256=f"{year:064d}", source_file="x.txt")
        ReminderRule.objects.create(plan=plan, yellow_days=3 + year % 3)  # each plan its own yellow-light setting
        for no in range(1, tasks + 1):
            task = Task.objects.create(plan=plan, no=no, requirement=f"{year}年第{no}项", deadline_kind="date", deadline_date=D(year, 10, 31))
            Assignment.objects.create(task=task, unit=unit, role="lead" if no == 1 else "responsible", due_date=task.deadline_date,
                                      status=Assignment.ACCEPTED if no == 2 else Assignment.NOT_STARTED)


def queries(client, unit) -> int:
    with CaptureQueriesContext(connection) as seen:
        page = client.get(f"/units/{unit.pk}/")
    assert page.status_code == 200
    return len(seen.captured_queries), page.content.decode()


@pytest.mark.parametrize("role", ["coordinator", "liaison"])
def test_the_unit_page_does_not_query_per_plan(org, role, client, django_assert_max_num_queries):
    unit = Unit.objects.filter(org=org).first()
    user = make_user(org, f"u-{role}", role, unit if role == "liaison" else None)
    client.force_login(user)
    add_plans(org, unit, [2021, 2022])
    two, html = queries(client, unit)
    assert 'id="current-plan" data-plan' in html and "2022年第3项" in html and html.count("<tr data-plan=") == 1  # 2021 folded
    add_plans(org, unit, range(2010, 2020), tasks=8)  # five times the plans, more tasks in each
    twelve, html = queries(client, unit)
    assert "2022年第3项" in html and html.count("<tr data-plan=") == 11  # the other years, one line each
    assert twelve == two
    with django_assert_max_num_queries(two):
        client.get(f"/units/{unit.pk}/")


def test_returned_work_costs_no_extra_query(org, client):
    """The 退回 notice above the list reads its reasons in the same query: a unit with returned work and one
    without ask the same number (a prefetch, skipped when nothing is returned, made it one query fewer)."""
    unit = Unit.objects.filter(org=org).first()
    client.force_login(make_user(org, "u-liaison", "liaison", unit))
    add_plans(org, unit, [2022])
    none, html = queries(client, unit)
    assert 'id="returned"' not in html
    a = Assignment.objects.filter(unit=unit, task__no=3).get()
    a.status = Assignment.RETURNED
    a.save()
    for day, note in ((1, "请写明公开日期。"), (3, "请补充链接。")):  # the last return's reason is shown
        Report.objects.create(assignment=a, text="已公开。", outcome=RETURNED, review_note=note,
                              reviewed_at=timezone.make_aware(datetime.datetime(2022, 5, day, 9)))
    some, html = queries(client, unit)
    assert "被退回、需重新报送（1 项）" in html and "请补充链接。" in html and "请写明公开日期。" not in html
    assert some == none
