"""The review queue and the 待审核 count in the menu at size: a fixed number of queries whatever the number of
pending reports, a page of 50 at a time, the evidence counted per report, and only the coordinator's own
organisation's reports in force (issue 14)."""
from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from duban.directory.models import Organisation, Unit
from duban.plans import access
from duban.plans.models import Assignment, Plan, Task
from duban.progress.models import ACCEPTED, Attachment, EvidenceLink, Report
from tests.web.conftest import make_user

T0 = timezone.make_aware(datetime.datetime(2021, 9, 1, 9, 0))


def submit(assignments, start=0):
    """Pending reports on `assignments` (one each, a minute apart, oldest first), with 2 links and 1 file on
    every third, as lifecycle.submit leaves them but written in bulk."""
    Assignment.all_objects.filter(pk__in=[a.pk for a in assignments]).update(status=Assignment.SUBMITTED)
    reports = Report.objects.bulk_create([
        Report(assignment=a, text=f"第{start + i}次报送。", submitted_at=T0 + datetime.timedelta(minutes=start + i))
        for i, a in enumerate(assignments)
    ])
    with_evidence = reports[::3]
    EvidenceLink.objects.bulk_create([EvidenceLink(report=r, url=f"https://www.xishan.gov.cn/c/{r.pk}-{k}.shtml")
                                      for r in with_evidence for k in range(2)])
    Attachment.objects.bulk_create([Attachment(report=r, file=f"evidence/2021/09/{r.pk}", original_name="说明.pdf", size=10,
                                               content_type="application/pdf", sha256="0" * 64) for r in with_evidence])
    return reports


@pytest.fixture
def assignments(seed_plan):
    """The seed plan's assignments in force, in task order: more than two pages."""
    found = list(Assignment.objects.filter(task__plan=seed_plan).order_by("task__no", "id"))
    assert len(found) > 120
    return found


def queued(html):
    return re.findall(r'class="queued" data-assignment="(\d+)"', html)


def get(client, url):
    """The page and the SQL it ran."""
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return r.content.decode(), [q["sql"] for q in ctx.captured_queries]


def shown(client, query: str) -> list[str]:
    """Every assignment id the queue lists for `query`, page after page."""
    out, page = [], 1
    while True:
        html, _ = get(client, f"/review-queue/?{query}&page={page}")
        out += queued(html)
        if 'rel="next"' not in html:
            return out
        page += 1


def test_the_queue_runs_as_many_queries_for_50_reports_as_for_5(assignments, coordinator, client):
    client.force_login(coordinator)
    # filtered by plan and unit, and on a later page: the same too (a chosen plan adds one query, its sections)
    filtered_url = f"/review-queue/?plan={assignments[0].task.plan_id}&unit={assignments[0].unit_id}&page=1"
    submit(assignments[:5])
    html, small = get(client, "/review-queue/")
    _, filtered_small = get(client, filtered_url)
    assert len(queued(html)) == 5 and "待审核（5）" in html
    submit(assignments[5:50], start=5)
    html, large = get(client, "/review-queue/")
    assert len(queued(html)) == 50 and "待审核（50）" in html
    assert len(large) == len(small), "\n".join(large)
    _, filtered = get(client, filtered_url)
    assert len(filtered) == len(filtered_small) == len(small) + 1


def test_the_menu_count_is_one_query_at_any_size(assignments, coordinator, client, seed_plan):
    client.force_login(coordinator)
    url = f"/tasks/{assignments[0].task_id}/"
    html, none = get(client, url)
    assert 'id="nav-review">待审核<' in html  # no number when nothing waits
    submit(assignments[:5])
    html, small = get(client, url)
    assert 'id="nav-review">待审核（5）' in html
    submit(assignments[5:50], start=5)
    html, large = get(client, url)
    assert 'id="nav-review">待审核（50）' in html
    assert len(large) == len(small)
    counts = [q for q in large if "progress_report" in q and "COUNT(" in q.upper()]
    assert len(counts) == 1 and " IN (SELECT" not in counts[0].upper()  # one count, a join, no subquery on assignments


def test_a_page_of_50_oldest_first_with_page_links(assignments, coordinator, client):
    reports = submit(assignments[:120])
    client.force_login(coordinator)
    html, _ = get(client, "/review-queue/")
    assert "待审核（120）" in html
    assert queued(html) == [str(r.assignment_id) for r in reports[:50]]
    assert 'href="?page=2"' in html and 'href="?page=3"' in html and "第 1 / 3 页" in html
    html, _ = get(client, "/review-queue/?page=3")
    assert queued(html) == [str(r.assignment_id) for r in reports[100:]]
    assert 'href="?page=2" rel="prev"' in html and 'rel="next"' not in html
    # the filters are kept by the page links
    plan = assignments[0].task.plan_id
    html, _ = get(client, f"/review-queue/?plan={plan}")
    assert f'href="?plan={plan}&amp;page=2"' in html


@pytest.mark.parametrize("page, shown", [("abc", 1), ("0", 3), ("-1", 3), ("99999999999999999999", 3), ("2.5", 1), ("", 1)])
def test_a_bad_page_number_shows_a_page_not_an_error(assignments, coordinator, client, page, shown):
    submit(assignments[:120])
    client.force_login(coordinator)
    html, _ = get(client, f"/review-queue/?page={page}")
    assert f"第 {shown} / 3 页" in html


def test_links_and_files_are_counted_per_report(assignments, coordinator, client):
    submit(assignments[:3])  # the first has 2 links and 1 file, the others nothing
    client.force_login(coordinator)
    html, _ = get(client, "/review-queue/")
    rows = html.split('class="queued"')[1:]
    assert "链接 2 · 附件 1" in rows[0]
    assert all("链接" not in row and "附件" not in row and '<span class="muted">无</span>' in row for row in rows[1:])


def test_only_the_own_organisation_and_assignments_in_force(assignments, coordinator, leader, liaison, client, org):
    mine = submit(assignments[:4])
    # an assignment archived (a unit removed from the task) keeps its pending report, out of the queue
    Assignment.all_objects.filter(pk=mine[3].assignment_id).update(archived_at=timezone.now())
    # another district, in the same database, with a pending report of its own
    other = Organisation.objects.create(name="昆明市五华区人民政府", short_name="五华区")
    plan = Plan.objects.create(org=other, title="五华区分工方案", sha256="1" * 64)
    task = Task.objects.create(plan=plan, no=1, requirement="公开预算。")
    theirs = submit([Assignment.objects.create(task=task, unit=Unit.objects.create(org=other, name="五华区财政局"), role="lead")])
    ids = lambda user: set(access.reports_to_review(user).values_list("pk", flat=True))  # noqa: E731
    assert ids(coordinator) == {r.pk for r in mine[:3]}
    assert ids(make_user(other, "wuhua", "coordinator")) == {theirs[0].pk}
    assert ids(leader) == set() and ids(liaison) == set()
    client.force_login(coordinator)
    html, _ = get(client, "/review-queue/")
    assert queued(html) == [str(r.assignment_id) for r in mine[:3]] and "待审核（3）" in html
    # an accepted or returned report is no longer waiting
    Report.objects.filter(pk=mine[0].pk).update(outcome=ACCEPTED)
    assert ids(coordinator) == {r.pk for r in mine[1:3]}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_the_count_and_the_queue_can_read_only_the_organisations_submitted_rows(assignments, coordinator, seed_plan):
    """With a hundred districts in one database (bench/pages.py at 1M: 99 organisations), the 待审核 count and the
    queue's rows are read from the organisation's plans through two small partial indexes: its submitted
    assignments in force (assignment_submitted) and their pending reports (report_pending), not every
    district's. At this test's size the planner rightly prefers reading whole tables, so scans and hash joins
    are turned off here: the test holds that the query's conditions still match the indexes' (a change to
    either that made them unusable would fail here, not only at 1M)."""
    from tests.pages_data import copy_plan, organisation

    submit(assignments[:60])
    # another district with four times the seed plan, a tenth of it submitted: most submitted rows are not ours
    copy_plan(seed_plan, 2021, org=organisation(seed_plan.org, "昆明市五华区人民政府", "五华区"), times=4)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        for setting in ("enable_seqscan", "enable_hashjoin", "enable_mergejoin", "enable_bitmapscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
    count = access.reports_to_review(coordinator).explain()
    rows = access.reports_to_review(coordinator).select_related("assignment__unit").order_by("submitted_at")[:50].explain()
    for plan in (count, rows):
        assert "assignment_submitted" in plan and "report_pending" in plan, plan
        assert "Seq Scan" not in plan, plan
