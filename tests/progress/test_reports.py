"""The pages: a liaison reports on the assignment page, the coordinator reviews from the queue,
the reason of a return is shown where the liaison looks."""
from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from duban.plans.models import Assignment
from duban.progress import lifecycle
from duban.progress.lifecycle import ReportDraft
from duban.progress.models import Report

from .samples import PDF, upload

URL = "https://www.xishan.gov.cn/c/2021-09-30/5000001.shtml"


def page(client, a):
    r = client.get(f"/assignments/{a.pk}/")
    assert r.status_code == 200
    return r.content.decode()


def test_the_liaison_sees_the_task_and_the_report_form(lead_assignment, liaison, client):
    client.force_login(liaison)
    html = page(client, lead_assignment)
    assert "第8项 · 区财政局" in html and "进一步扩大预决算公开范围" in html and "牵头" in html
    assert "未开始" in html and "开始办理" in html and 'id="report-form"' in html
    assert 'id="accept-form"' not in html and 'id="due-form"' not in html


def test_the_liaison_starts_and_submits_with_links_a_file_and_a_date(lead_assignment, liaison, client):
    client.force_login(liaison)
    r = client.post(f"/assignments/{lead_assignment.pk}/start/")
    assert r.status_code == 302
    lead_assignment.refresh_from_db()
    assert lead_assignment.status == Assignment.IN_PROGRESS
    r = client.post(f"/assignments/{lead_assignment.pk}/report/", {
        "text": "已公开部门预算、决算。", "published_on": "2021-09-30",
        "url_1": URL, "title_1": "部门预算", "url_3": "http://www.xishan.gov.cn/c/2.shtml",
        "files": [upload("预算.pdf", PDF)],
    })
    assert r.status_code == 302, r.content.decode()
    report = Report.objects.get()
    assert report.published_on == datetime.date(2021, 9, 30) and report.submitted_by == liaison
    assert list(report.links.values_list("url", "title")) == [(URL, "部门预算"), ("http://www.xishan.gov.cn/c/2.shtml", "")]
    assert report.attachments.get().original_name == "预算.pdf"
    html = client.get(r["Location"]).content.decode()
    assert "已报送，等待区政府办公室审核" in html and "部门预算" in html and "预算.pdf" in html
    assert 'id="report-form"' not in html


def test_a_bad_link_is_shown_on_the_form(lead_assignment, liaison, client):
    client.force_login(liaison)
    r = client.post(f"/assignments/{lead_assignment.pk}/report/", {"text": "已公开。", "url_1": "www.xishan.gov.cn"})
    assert r.status_code == 400
    assert "请填写以 http:// 或 https:// 开头的完整网址" in r.content.decode()
    r = client.post(f"/assignments/{lead_assignment.pk}/report/", {"text": ""})
    assert r.status_code == 400 and "这个字段是必填项" in r.content.decode()
    assert not Report.objects.exists()


def test_the_coordinator_reviews_from_the_queue(lead_assignment, responsible_assignment, liaison, coordinator, client):
    lifecycle.submit(responsible_assignment, liaison, ReportDraft(text="先报的。"))
    lifecycle.submit(lead_assignment, liaison, ReportDraft(text="后报的。", links=[(URL, "")]))
    client.force_login(coordinator)
    html = client.get("/review-queue/").content.decode()
    assert "待审核（2）" in html
    assert html.index("第4项") < html.index("第8项")  # oldest first
    assert 'id="nav-review">待审核（2）' in client.get(f"/tasks/{lead_assignment.task_id}/").content.decode()
    r = client.get(f"/assignments/{lead_assignment.pk}/?from=queue")
    html = r.content.decode()
    assert 'id="accept-form"' in html and 'id="return-form"' in html and 'name="from" value="queue"' in html
    r = client.post(f"/assignments/{lead_assignment.pk}/accept/", {"grade": "excellent", "note": "及时", "from": "queue"})
    assert r.status_code == 302 and r["Location"] == "/review-queue/"
    lead_assignment.refresh_from_db()
    assert lead_assignment.status == Assignment.ACCEPTED
    html = client.get("/review-queue/").content.decode()
    assert "待审核（1）" in html and html.count('class="queued"') == 1
    assert f'data-assignment="{lead_assignment.pk}"' not in html


def test_queue_filters_by_plan_and_unit(lead_assignment, liaison, other_liaison, coordinator, client, seed_plan, unit):
    civil = seed_plan.tasks.get(no=9).assignments.get(unit=unit("区民政局"))
    lifecycle.submit(lead_assignment, liaison, ReportDraft(text="财政。"))
    lifecycle.submit(civil, other_liaison, ReportDraft(text="民政。"))
    client.force_login(coordinator)
    html = client.get(f"/review-queue/?unit={unit('区民政局').pk}").content.decode()
    assert html.count('class="queued"') == 1 and "第9项" in html
    html = client.get(f"/review-queue/?plan={seed_plan.pk}").content.decode()
    assert html.count('class="queued"') == 2
    assert client.get("/review-queue/?plan=abc&unit=").status_code == 200


def test_a_return_and_its_reason_reach_the_liaison(lead_assignment, liaison, coordinator, client, unit):
    lifecycle.submit(lead_assignment, liaison, ReportDraft(text="已公开。", links=[(URL, "")]))
    client.force_login(coordinator)
    r = client.post(f"/assignments/{lead_assignment.pk}/return/", {"reason": ""})
    assert r.status_code == 400 and "请填写退回理由" in r.content.decode()
    r = client.post(f"/assignments/{lead_assignment.pk}/return/", {"reason": "链接打不开，请提供决算公开页面。"})
    assert r.status_code == 302
    client.force_login(liaison)
    unit_page = client.get(f"/units/{unit('区财政局').pk}/").content.decode()
    assert "被退回、需重新报送（1 项）" in unit_page and "链接打不开，请提供决算公开页面。" in unit_page
    assert f'href="/assignments/{lead_assignment.pk}/"' in unit_page
    html = page(client, lead_assignment)
    assert 'id="return-reason"' in html and "链接打不开，请提供决算公开页面。" in html
    assert "重新报送" in html and 'id="report-form"' in html


def test_accepting_without_evidence_is_a_message_not_an_error(lead_assignment, liaison, coordinator, client):
    lifecycle.submit(lead_assignment, liaison, ReportDraft(text="已公开。"))
    client.force_login(coordinator)
    r = client.post(f"/assignments/{lead_assignment.pk}/accept/", {"grade": "good"}, follow=True)
    assert r.status_code == 200
    assert "牵头单位的报送须附公开发布的链接或佐证材料" in r.content.decode()
    lead_assignment.refresh_from_db()
    assert lead_assignment.status == Assignment.SUBMITTED


def test_a_second_click_is_a_message_not_an_error(lead_assignment, liaison, coordinator, client):
    lifecycle.submit(lead_assignment, liaison, ReportDraft(text="已公开。", links=[(URL, "")]))
    client.force_login(coordinator)
    assert client.post(f"/assignments/{lead_assignment.pk}/accept/", {"grade": "good"}).status_code == 302
    r = client.post(f"/assignments/{lead_assignment.pk}/accept/", {"grade": "good"}, follow=True)
    assert r.status_code == 200 and "当前状态为“已办结”，不能办结" in r.content.decode()
    r = client.post(f"/assignments/{lead_assignment.pk}/return/", {"reason": "x"}, follow=True)
    assert r.status_code == 200 and "不能退回" in r.content.decode()
    client.force_login(liaison)
    r = client.post(f"/assignments/{lead_assignment.pk}/start/", follow=True)
    assert r.status_code == 200 and "不能开始办理" in r.content.decode()


def test_status_and_task_done_on_the_task_and_unit_pages(seed_plan, coordinator, liaison, client, unit, org):
    from tests.web.conftest import make_user

    task = seed_plan.tasks.get(no=11)  # 区财政局牵头；区政府各办、局，各街道办事处负责落实
    client.force_login(coordinator)
    html = client.get(f"/tasks/{task.pk}/").content.decode()
    assert "办理情况" in html and 'id="task-done"' not in html
    for n, a in enumerate(task.assignments.select_related("unit")):
        who = liaison if a.unit.name == "区财政局" else make_user(org, f"u{n}", "liaison", a.unit)
        lifecycle.submit(a, who, ReportDraft(text="已公开。", links=[(URL, "")]))
        lifecycle.accept(a, coordinator, "good")
    html = client.get(f"/tasks/{task.pk}/").content.decode()
    assert 'id="task-done"' in html and "任务已办结" in html
    client.force_login(liaison)
    html = client.get(f"/units/{unit('区财政局').pk}/").content.decode()
    mine = task.assignments.get(unit=unit("区财政局"))
    assert f'<a class="status status-accepted" href="/assignments/{mine.pk}/">已办结</a>' in html
    # On the task page a liaison sees only their own unit's row.
    html = client.get(f"/tasks/{task.pk}/").content.decode()
    assert html.count('class="status status-accepted" href="/assignments/') == 1


def test_the_leader_reads_the_page_without_buttons(lead_assignment, liaison, leader, client):
    lifecycle.submit(lead_assignment, liaison, ReportDraft(text="已公开。", links=[(URL, "说明")]))
    client.force_login(leader)
    html = page(client, lead_assignment)
    assert "已公开。" in html and "说明" in html
    for form in ("report-form", "accept-form", "return-form", "due-form"):
        assert f'id="{form}"' not in html
    assert 'id="nav-review"' not in html


@pytest.mark.parametrize("url", ["/assignments/999999/", "/attachments/999999/", "/tasks/999999/event-date/"])
def test_missing_objects_are_404(url, coordinator, client, seed_plan):
    client.force_login(coordinator)
    assert client.get(url).status_code == 404


def test_submitted_at_is_shown(lead_assignment, liaison, client):
    lifecycle.submit(lead_assignment, liaison, ReportDraft(text="已公开。"))
    client.force_login(liaison)
    html = page(client, lead_assignment)
    assert timezone.localtime(Report.objects.get().submitted_at).strftime("%Y-%m-%d %H:%M") in html
