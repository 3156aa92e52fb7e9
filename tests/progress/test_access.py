"""Who may report, review and set dates: the rules in duban.plans.access, and the pages that obey them by URL."""
from __future__ import annotations

import pytest

from duban.plans import access
from duban.plans.models import Assignment
from duban.progress import lifecycle
from duban.progress.lifecycle import ReportDraft
from duban.progress.models import Report

URL = "https://www.xishan.gov.cn/c/1.shtml"


def test_the_rules(lead_assignment, liaison, other_liaison, coordinator, leader, seed_plan, unit, org):
    from tests.web.conftest import make_user

    assert access.can_report(liaison, lead_assignment)
    assert not any(access.can_report(u, lead_assignment) for u in (other_liaison, coordinator, leader))
    assert access.can_review(coordinator) and not any(access.can_review(u) for u in (liaison, leader))
    task1 = seed_plan.tasks.get(no=1)  # 区政府办公室、区发展改革局负责落实: no lead unit
    task8 = lead_assignment.task  # 区财政局牵头；区政府各办、局，各街道办事处负责落实
    assert access.can_record_event(coordinator, task1) and access.can_record_event(coordinator, task8)
    assert access.can_record_event(liaison, task8)  # a lead unit's liaison
    responsible = make_user(org, "liaison-office", "liaison", unit("区政府办公室"))
    assert not access.can_record_event(responsible, task1)
    assert not access.can_record_event(leader, task8) and not access.can_record_event(other_liaison, task8)


def test_another_units_assignment_is_404_whatever_the_url(lead_assignment, other_liaison, liaison, client):
    lifecycle.submit(lead_assignment, liaison, ReportDraft(text="已公开。", links=[(URL, "")]))
    client.force_login(other_liaison)
    pk = lead_assignment.pk
    assert client.get(f"/assignments/{pk}/").status_code == 404
    for action in ("start", "report", "accept", "return", "due"):
        assert client.post(f"/assignments/{pk}/{action}/", {"text": "冒名报送", "grade": "good", "reason": "x"}).status_code == 404
    assert Report.objects.count() == 1


def test_the_coordinator_cannot_report_for_a_unit(lead_assignment, coordinator, client):
    client.force_login(coordinator)
    r = client.post(f"/assignments/{lead_assignment.pk}/report/", {"text": "代报"})
    assert r.status_code == 403 and "只有本单位的联络员可以报送进展" in r.content.decode()
    r = client.post(f"/assignments/{lead_assignment.pk}/start/")
    assert r.status_code == 403 and "只有本单位的联络员可以开始办理" in r.content.decode()
    assert not Report.objects.exists()
    assert 'id="report-form"' not in client.get(f"/assignments/{lead_assignment.pk}/").content.decode()


@pytest.mark.parametrize("who", ["liaison", "leader"])
def test_only_the_coordinator_reviews(lead_assignment, liaison, who, request, client):
    lifecycle.submit(lead_assignment, liaison, ReportDraft(text="已公开。", links=[(URL, "")]))
    client.force_login(request.getfixturevalue(who))
    for action, data in (("accept", {"grade": "excellent"}), ("return", {"reason": "自己退回"}), ("due", {"due_override": "2021-12-31", "reason": "x"})):
        r = client.post(f"/assignments/{lead_assignment.pk}/{action}/", data)
        assert r.status_code == 403, action
        assert "只有协调人" in r.content.decode()
    assert client.get("/review-queue/").status_code == 403
    lead_assignment.refresh_from_db()
    assert lead_assignment.status == Assignment.SUBMITTED and lead_assignment.due_override is None


def test_get_on_an_action_is_not_allowed(lead_assignment, liaison, client):
    client.force_login(liaison)
    assert client.get(f"/assignments/{lead_assignment.pk}/start/").status_code == 405


def test_the_review_queue_shows_only_the_own_organisation(lead_assignment, liaison, client):
    from duban.directory.models import Organisation
    from tests.web.conftest import make_user

    lifecycle.submit(lead_assignment, liaison, ReportDraft(text="已公开。"))
    other = Organisation.objects.create(name="昆明市五华区人民政府", short_name="五华区")
    client.force_login(make_user(other, "wuhua", "coordinator"))
    html = client.get("/review-queue/").content.decode()
    assert "待审核（0）" in html and 'class="queued"' not in html
    assert client.get(f"/assignments/{lead_assignment.pk}/").status_code == 404
