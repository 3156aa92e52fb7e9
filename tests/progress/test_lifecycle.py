"""The assignment lifecycle: who may move it where, what each move records, when a task is done."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from duban.notify.models import Notification
from duban.plans.models import Assignment
from duban.progress import lifecycle
from duban.progress.lifecycle import NotAllowed, ReportDraft, TransitionError
from duban.progress.models import StatusChange

from .samples import PDF, upload

A = Assignment
LINK = [("http://www.xishan.gov.cn/c/2021-09-30/5000001.shtml", "2021年部门预算公开")]


def draft(text="已在门户网站公开部门预算。", links=(), files=()):
    return ReportDraft(text=text, links=list(links), files=list(files))


def test_the_whole_way_records_every_change(lead_assignment, liaison, coordinator):
    a = lead_assignment
    lifecycle.start(a, liaison)
    a.refresh_from_db()
    assert a.status == A.IN_PROGRESS and a.status_changed_at is not None
    first = lifecycle.submit(a, liaison, draft(links=LINK))
    a.refresh_from_db()
    assert a.status == A.SUBMITTED and a.submitted_at == first.submitted_at and first.outcome == "pending"
    lifecycle.return_(a, coordinator, "链接打不开，请核实。")
    a.refresh_from_db()
    first.refresh_from_db()
    assert a.status == A.RETURNED and first.outcome == "returned" and first.review_note == "链接打不开，请核实。"
    assert first.reviewed_by == coordinator
    second = lifecycle.submit(a, liaison, draft(links=LINK))
    lifecycle.accept(a, coordinator, "excellent", "公开及时。")
    a.refresh_from_db()
    second.refresh_from_db()
    assert a.status == A.ACCEPTED and a.accepted_at == second.reviewed_at
    assert second.outcome == "accepted" and second.grade == "excellent" and second.get_grade_display() == "优"
    changes = list(StatusChange.objects.filter(assignment=a).order_by("at", "id").values_list("from_status", "to_status", "by__username", "reason"))
    assert changes == [
        (A.NOT_STARTED, A.IN_PROGRESS, "liaison-finance", ""),
        (A.IN_PROGRESS, A.SUBMITTED, "liaison-finance", ""),
        (A.SUBMITTED, A.RETURNED, "coordinator", "链接打不开，请核实。"),
        (A.RETURNED, A.SUBMITTED, "liaison-finance", ""),
        (A.SUBMITTED, A.ACCEPTED, "coordinator", "公开及时。"),
    ]
    assert StatusChange.objects.filter(assignment=a, to_status=A.ACCEPTED).get().report == second


def test_submit_straight_from_not_started(responsible_assignment, liaison):
    lifecycle.submit(responsible_assignment, liaison, draft())
    responsible_assignment.refresh_from_db()
    assert responsible_assignment.status == A.SUBMITTED
    assert StatusChange.objects.get(assignment=responsible_assignment).from_status == A.NOT_STARTED


@pytest.mark.parametrize("who", ["coordinator", "leader", "other_liaison"])
def test_only_the_units_liaison_starts_and_submits(lead_assignment, who, request):
    user = request.getfixturevalue(who)
    with pytest.raises(NotAllowed, match="只有本单位的联络员"):
        lifecycle.start(lead_assignment, user)
    with pytest.raises(NotAllowed, match="只有本单位的联络员可以报送"):
        lifecycle.submit(lead_assignment, user, draft(links=LINK))
    lead_assignment.refresh_from_db()
    assert lead_assignment.status == A.NOT_STARTED and not lead_assignment.reports.exists()


@pytest.mark.parametrize("who", ["liaison", "leader"])
def test_only_the_coordinator_accepts_and_returns(lead_assignment, liaison, who, request):
    lifecycle.submit(lead_assignment, liaison, draft(links=LINK))
    user = request.getfixturevalue(who)
    with pytest.raises(NotAllowed, match="只有协调人可以审核"):
        lifecycle.accept(lead_assignment, user, "good")
    with pytest.raises(NotAllowed, match="只有协调人可以审核"):
        lifecycle.return_(lead_assignment, user, "不行")
    lead_assignment.refresh_from_db()
    assert lead_assignment.status == A.SUBMITTED


def test_transitions_from_the_wrong_status_are_refused(lead_assignment, liaison, coordinator):
    a = lead_assignment
    with pytest.raises(TransitionError, match="当前状态为“未开始”，不能办结"):
        lifecycle.accept(a, coordinator, "good")
    with pytest.raises(TransitionError, match="不能退回"):
        lifecycle.return_(a, coordinator, "理由")
    lifecycle.submit(a, liaison, draft(links=LINK))
    with pytest.raises(TransitionError, match="当前状态为“已报送”，不能报送"):
        lifecycle.submit(a, liaison, draft(links=LINK))
    with pytest.raises(TransitionError, match="不能开始办理"):
        lifecycle.start(a, liaison)
    lifecycle.accept(a, coordinator, "good")
    with pytest.raises(TransitionError, match="当前状态为“已办结”，不能办结"):
        lifecycle.accept(a, coordinator, "good")
    with pytest.raises(TransitionError, match="已办结"):
        lifecycle.submit(a, liaison, draft(links=LINK))
    assert StatusChange.objects.filter(assignment=a).count() == 2


def test_return_needs_a_reason_and_accept_a_grade(lead_assignment, liaison, coordinator):
    lifecycle.submit(lead_assignment, liaison, draft(links=LINK))
    with pytest.raises(ValidationError, match="请填写退回理由"):
        lifecycle.return_(lead_assignment, coordinator, "   ")
    with pytest.raises(ValidationError, match="请选择评价"):
        lifecycle.accept(lead_assignment, coordinator, "A+")
    lead_assignment.refresh_from_db()
    assert lead_assignment.status == A.SUBMITTED


def test_a_report_needs_text_and_http_links(lead_assignment, liaison):
    with pytest.raises(ValidationError, match="请填写进展情况"):
        lifecycle.submit(lead_assignment, liaison, draft(text="  "))
    with pytest.raises(ValidationError, match="不是有效的网址"):
        lifecycle.submit(lead_assignment, liaison, draft(links=[("javascript:alert(1)", "")]))
    with pytest.raises(ValidationError, match="不是有效的网址"):
        lifecycle.submit(lead_assignment, liaison, draft(links=[("ftp://example.com/a.pdf", "")]))
    assert not lead_assignment.reports.exists()


def test_a_lead_units_report_is_accepted_only_with_evidence(lead_assignment, liaison, coordinator):
    lifecycle.submit(lead_assignment, liaison, draft())
    with pytest.raises(TransitionError, match="牵头单位的报送须附公开发布的链接或佐证材料"):
        lifecycle.accept(lead_assignment, coordinator, "good")
    lifecycle.return_(lead_assignment, coordinator, "请附公开网址。")
    # An attachment is evidence as well as a link.
    lifecycle.submit(lead_assignment, liaison, draft(files=[upload("预算公开截图.pdf", PDF)]))
    lifecycle.accept(lead_assignment, coordinator, "good")
    lead_assignment.refresh_from_db()
    assert lead_assignment.status == A.ACCEPTED


def test_a_responsible_units_report_may_be_accepted_without_evidence(responsible_assignment, liaison, coordinator):
    lifecycle.submit(responsible_assignment, liaison, draft())
    lifecycle.accept(responsible_assignment, coordinator, "fair")
    responsible_assignment.refresh_from_db()
    assert responsible_assignment.status == A.ACCEPTED


def test_the_task_is_done_when_every_assignment_is_accepted(seed_plan, coordinator, org):
    from tests.web.conftest import make_user

    task = seed_plan.tasks.get(no=8)
    tasks = lifecycle.with_done(seed_plan.tasks.filter(no__in=[8, 9]))
    assert {t.no: t.done for t in tasks} == {8: False, 9: False}
    assignments = list(task.assignments.select_related("unit"))
    assert len(assignments) > 1
    for n, a in enumerate(assignments):
        assert not lifecycle.task_done(task)
        liaison = make_user(org, f"l{n}", "liaison", a.unit)
        lifecycle.submit(a, liaison, draft(links=LINK))
        lifecycle.accept(a, coordinator, "good")
    assert lifecycle.task_done(task)
    tasks = lifecycle.with_done(seed_plan.tasks.filter(no__in=[8, 9]))
    assert {t.no: t.done for t in tasks} == {8: True, 9: False}
    assert list(lifecycle.with_done(seed_plan.tasks.all()).filter(done=True).values_list("no", flat=True)) == [8]


def test_submit_tells_the_coordinators_and_a_review_tells_the_unit(lead_assignment, liaison, coordinator, org, unit):
    """The notices are in the inboxes at once (no outbox, no timer), linked to the assignment they are about."""
    from duban.notify.models import InboxMessage
    from tests.web.conftest import make_user

    second_liaison = make_user(org, "liaison-finance-2", "liaison", unit("区财政局"))
    report = lifecycle.submit(lead_assignment, liaison, draft(links=LINK))
    to_coord = InboxMessage.objects.get(user=coordinator)
    assert to_coord.title == "区财政局报送了第8项的进展" and to_coord.kind == "report"
    assert to_coord.link == f"/assignments/{lead_assignment.pk}/"
    assert list(to_coord.assignments.all()) == [lead_assignment]
    lifecycle.return_(lead_assignment, coordinator, "请补充决算公开的链接。")
    returned = InboxMessage.objects.filter(kind="return")
    assert sorted(returned.values_list("user", flat=True)) == sorted([liaison.pk, second_liaison.pk])
    assert all("请补充决算公开的链接" in m.body and m.batch == f"progress:report:{report.pk}:returned" for m in returned)
    second = lifecycle.submit(lead_assignment, liaison, draft(links=LINK))
    lifecycle.accept(lead_assignment, coordinator, "good")
    accepted = InboxMessage.objects.filter(batch__contains=f":{second.pk}:accepted")
    assert accepted.count() == 2 and all(m.title == "第8项的报送已通过（本单位已办结）" for m in accepted)
    # Two submissions, two notices to the coordinator: one per report, not per assignment.
    assert InboxMessage.objects.filter(user=coordinator).count() == 2
    assert not Notification.objects.filter(channel="inbox").exists()
