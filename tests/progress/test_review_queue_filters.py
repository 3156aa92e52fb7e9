"""The review queue's 工作任务 (section) and 时限 (逾期报送 / 未逾期) filters and its sort orders: the rows shown
are exactly those asked for, in the order asked for, and the page links keep them (issue 13)."""
from __future__ import annotations

import datetime

import pytest

from duban.assessment.facts import top_sections
from duban.plans.models import Assignment, Plan
from tests.progress.test_review_queue import T0, assignments, get, queued, shown, submit  # noqa: F401 - assignments is a fixture


@pytest.fixture
def queue(assignments, coordinator, client):
    """120 pending reports spread over the plan's tasks (a minute apart, from 2021-09-01 09:00 Beijing time),
    the coordinator signed in."""
    reports = submit(assignments[::20][:120])
    client.force_login(coordinator)
    return reports


def ids(reports) -> list[str]:
    return [str(r.assignment_id) for r in reports]


def test_the_section_filter_keeps_the_tasks_under_a_top_level_section_of_the_chosen_plan(queue, seed_plan, client):
    tops = top_sections(seed_plan)
    by_top: dict[int, list] = {}
    for r in queue:
        by_top.setdefault(tops[r.assignment.task.section_id].pk, []).append(r)
    assert len(by_top) > 1, "the first 120 reports span several sections"
    section, expected = sorted(by_top.items())[1]
    html, _ = get(client, f"/review-queue/?plan={seed_plan.pk}")
    assert f'<option value="{section}">' in html  # the plan's sections are offered
    assert sorted(shown(client, f"plan={seed_plan.pk}&section={section}")) == sorted(ids(expected))
    html, _ = get(client, f"/review-queue/?plan={seed_plan.pk}&section={section}")
    assert f'<option value="{section}" selected>' in html and f"符合条件 {len(expected)} 条" in html
    # without a plan, or with a section of no plan the user chose, the filter is ignored
    assert len(shown(client, f"section={section}")) == 120
    other = Plan.objects.create(org=seed_plan.org, title="另一方案", sha256="2" * 64)
    assert len(shown(client, f"plan={seed_plan.pk}&section=99999")) == 120
    html, _ = get(client, f"/review-queue/?plan={other.pk}&section={section}")
    assert queued(html) == [] and 'name="section"' not in html


def test_late_and_on_time_split_the_queue_by_the_office_day_of_the_report(queue, client):
    """Reported on 2021-09-01 (Beijing time): a due date of 08-31 makes it late, 09-01 or none keeps it on time."""
    late, due_today, no_due = queue[:3], queue[3:6], queue[6:9]
    Assignment.objects.filter(pk__in=[r.assignment_id for r in queue]).update(due_date=datetime.date(2030, 1, 1))
    Assignment.objects.filter(pk__in=[r.assignment_id for r in late]).update(due_date=datetime.date(2021, 8, 31))
    Assignment.objects.filter(pk__in=[r.assignment_id for r in due_today]).update(due_date=datetime.date(2021, 9, 1))
    Assignment.objects.filter(pk__in=[r.assignment_id for r in no_due]).update(due_date=None)
    assert shown(client, "timing=late") == ids(late)
    on_time = shown(client, "timing=on_time")
    assert len(on_time) == 117 and not set(on_time) & set(ids(late))
    html, _ = get(client, "/review-queue/?timing=late")
    assert html.count("逾期报送</span>") == 3 and 'href="/review-queue/export.xlsx?timing=late"' in html
    # 16:30 UTC on 08-31 is 00:30 on 09-01 in Beijing: the office's day decides, not UTC's
    from duban.progress.models import Report

    Report.objects.filter(pk=late[0].pk).update(submitted_at=datetime.datetime(2021, 8, 31, 16, 30, tzinfo=datetime.timezone.utc))
    assert shown(client, "timing=late") == ids(late[:1] + late[1:])  # still late: 09-01 > 08-31
    Report.objects.filter(pk=late[0].pk).update(submitted_at=datetime.datetime(2021, 8, 31, 15, 30, tzinfo=datetime.timezone.utc))
    assert shown(client, "timing=late") == ids(late[1:])  # 23:30 on 08-31 in Beijing: on time


def test_the_sort_orders(queue, client):
    assert shown(client, "") == ids(queue)  # oldest first by default
    assert shown(client, "sort=submitted") == ids(queue)
    assert shown(client, "sort=-submitted") == ids(reversed(queue))
    by_unit = shown(client, "sort=unit")
    order = {str(r.assignment_id): (r.assignment.unit.sort_order, r.assignment.unit_id, r.submitted_at) for r in queue}
    assert by_unit == sorted(by_unit, key=order.get) and sorted(by_unit) == sorted(ids(queue))
    by_task = shown(client, "sort=task")
    nos = {str(r.assignment_id): (r.assignment.task.no, r.assignment.unit.sort_order, r.assignment.unit_id) for r in queue}
    assert by_task == sorted(by_task, key=nos.get)
    # by due date, the undated last
    Assignment.objects.filter(pk=queue[5].assignment_id).update(due_date=datetime.date(2020, 1, 1))
    Assignment.objects.filter(pk=queue[0].assignment_id).update(due_date=None)
    by_due = shown(client, "sort=due")
    assert by_due[0] == str(queue[5].assignment_id)
    dues = dict(Assignment.objects.filter(pk__in=[int(i) for i in by_due]).values_list("pk", "due_date"))
    in_order = [dues[int(i)] for i in by_due]
    n_dated = sum(1 for d in in_order if d is not None)
    assert in_order[:n_dated] == sorted(in_order[:n_dated]) and set(in_order[n_dated:]) == {None}
    assert str(queue[0].assignment_id) in by_due[n_dated:]


def test_page_links_keep_the_filters_and_the_sort(queue, seed_plan, client):
    html, _ = get(client, f"/review-queue/?plan={seed_plan.pk}&sort=-submitted&timing=on_time")
    assert f'href="?plan={seed_plan.pk}&amp;timing=on_time&amp;sort=-submitted&amp;page=2"' in html
    assert f'href="/review-queue/export.xlsx?plan={seed_plan.pk}&amp;timing=on_time&amp;sort=-submitted"' in html
    html, _ = get(client, "/review-queue/")
    assert 'href="?page=2"' in html  # the default sort is not spelled out


def test_filters_and_sorts_ask_no_more_queries_with_more_reports(assignments, coordinator, client, seed_plan):
    client.force_login(coordinator)
    section = min(t.pk for t in top_sections(seed_plan).values())
    urls = ["/review-queue/?sort=due&timing=late", f"/review-queue/?plan={seed_plan.pk}&section={section}&sort=task",
            "/review-queue/?sort=unit&timing=on_time&page=2"]
    submit(assignments[:5])
    small = [len(get(client, url)[1]) for url in urls]
    submit(assignments[5:120], start=5)
    assert [len(get(client, url)[1]) for url in urls] == small


SECTION_HINT = "选定方案后可按工作任务筛选"


def test_the_section_hint_is_shown_only_while_no_plan_is_chosen(queue, seed_plan, client):
    """Without a plan the page says a plan must be chosen to filter by 工作任务; with a chosen plan that has no
    sections there is nothing to choose, so neither the hint nor the filter is shown."""
    html, _ = get(client, "/review-queue/")
    assert SECTION_HINT in html and 'name="section"' not in html
    html, _ = get(client, f"/review-queue/?plan={seed_plan.pk}")
    assert SECTION_HINT not in html and 'name="section"' in html
    bare = Plan.objects.create(org=seed_plan.org, title="未分工作任务的方案", sha256="3" * 64)
    html, _ = get(client, f"/review-queue/?plan={bare.pk}")
    assert SECTION_HINT not in html and 'name="section"' not in html
    assert "“逾期报送”指报送晚于完成日期。" in html
