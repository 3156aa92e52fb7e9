"""本单位不涉及 (approved by the coordinator → out of every figure, or returned like a report), and the
coordinator's choice of who reports on a task, with the bulk close of the units that need not."""
from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from duban.assessment import figures
from duban.plans.models import Assignment, ChangeRecord, Task
from duban.progress import lifecycle
from duban.progress.lifecycle import NotAllowed, ReportDraft, TransitionError
from duban.progress.models import EXEMPTION, StatusChange

A = Assignment
AS_OF = datetime.date(2021, 11, 15)


def test_declared_approved_and_left_out_of_the_figures(seed_plan, responsible_assignment, liaison, coordinator, client):
    a = responsible_assignment
    before = figures.compute(seed_plan, AS_OF)
    client.force_login(liaison)
    r = client.post(f"/assignments/{a.pk}/exempt/", {"reason": "本局无重大建设项目。"})
    assert r.status_code == 302
    a.refresh_from_db()
    report = a.reports.get()
    assert a.status == A.SUBMITTED and report.kind == EXEMPTION and report.text == "本局无重大建设项目。"
    client.force_login(coordinator)
    html = client.get(f"/assignments/{a.pk}/").content.decode()
    assert "本单位不涉及" in html and 'id="exempt-approve-form"' in html and 'id="accept-form"' not in html
    with pytest.raises(TransitionError, match="不涉及"):  # not graded like progress
        lifecycle.accept(a, coordinator, "good")
    r = client.post(f"/assignments/{a.pk}/exempt/approve/", {"note": "同意。"})
    assert r.status_code == 302
    a.refresh_from_db()
    report.refresh_from_db()
    assert a.status == A.EXEMPT and report.outcome == "accepted" and report.reviewed_by == coordinator
    assert StatusChange.objects.filter(assignment=a, to_status=A.EXEMPT).exists()
    after = figures.compute(seed_plan, AS_OF)
    assert after.assignments.total == before.assignments.total - 1
    assert after.assignments.due == before.assignments.due - 1  # out of the denominator of every rate
    assert a.pk not in {f.assignment_id for f in after.facts}
    assert figures.exempt_count(seed_plan) == 1
    task4 = next(t for t in after.task_rows if t.no == 4)
    assert task4.units.total == Assignment.objects.filter(task__no=4).count() - 1


def test_the_done_rate_ignores_exempt_work(seed_plan, unit, coordinator, liaison):
    """Two of 区财政局's due assignments: one accepted, one 不涉及 → done rate 100%, not 50%."""
    finance = unit("区财政局")
    accepted, exempt = Assignment.objects.filter(unit=finance, task__no__in=[8, 4]).order_by("role")
    assert accepted.role == "lead"
    lifecycle.submit(accepted, liaison, ReportDraft(text="已公开。", links=[("http://www.xishan.gov.cn/a.html", "")]))
    lifecycle.accept(accepted, coordinator, "good")
    lifecycle.declare_exempt(exempt, liaison, "不涉及。")
    qs = Assignment.objects.filter(pk__in=[accepted.pk, exempt.pk])
    from duban.assessment import facts as facts_mod

    today = timezone.localdate()  # accepted today: the figures as of today
    before = figures.total(facts_mod.load(seed_plan, qs), today)
    assert (before.due, before.accepted_due) == (2, 1)
    lifecycle.approve_exemption(exempt, coordinator)
    after = figures.total(facts_mod.load(seed_plan, qs), today)
    assert (after.due, after.accepted_due, after.done_rate) == (1, 1, 1.0)
    assert lifecycle.task_done(accepted.task) is False  # task 8 has other units still
    assert lifecycle.with_done(Task.objects.filter(pk=exempt.task_id)).get().done is False


def test_a_declaration_is_returned_like_a_report(responsible_assignment, liaison, coordinator):
    a = responsible_assignment
    lifecycle.declare_exempt(a, liaison, "不涉及。")
    lifecycle.return_(a, coordinator, "本局有项目，请报送进展。")
    a.refresh_from_db()
    assert a.status == A.RETURNED
    with pytest.raises(TransitionError):
        lifecycle.approve_exemption(a, coordinator)
    lifecycle.submit(a, liaison, ReportDraft(text="已公开项目信息。"))
    with pytest.raises(TransitionError, match="进展报送"):
        lifecycle.approve_exemption(a, coordinator)


def test_a_reason_is_needed_and_only_the_office_approves(responsible_assignment, liaison, leader, other_liaison, client):
    client.force_login(liaison)
    r = client.post(f"/assignments/{responsible_assignment.pk}/exempt/", {"reason": "  "})
    assert r.status_code == 400 and "请填写不涉及的理由" in r.content.decode()
    lifecycle.declare_exempt(responsible_assignment, liaison, "不涉及。")
    for user in (liaison, leader):
        client.force_login(user)
        assert client.post(f"/assignments/{responsible_assignment.pk}/exempt/approve/").status_code == 403
        with pytest.raises(NotAllowed):
            lifecycle.approve_exemption(responsible_assignment, user)
    client.force_login(other_liaison)
    assert client.post(f"/assignments/{responsible_assignment.pk}/exempt/", {"reason": "x"}).status_code == 404
    assert Assignment.objects.get(pk=responsible_assignment.pk).status == A.SUBMITTED


def test_lead_only_then_the_others_closed_in_bulk(seed_plan, unit, liaison, coordinator, leader, client):
    task = seed_plan.tasks.get(no=8)  # 区财政局牵头; 区政府各办、局，各街道办事处负责落实
    responsible = task.assignments.filter(role="responsible")
    n = responsible.count()
    waiting = responsible.filter(unit=unit("区民政局")).get()
    from tests.web.conftest import make_user

    civil = make_user(waiting.task.plan.org, "civil", "liaison", waiting.unit)
    lifecycle.submit(waiting, civil, ReportDraft(text="已公开。"))  # submitted work is left for review
    named = responsible.get(unit=unit("区司法局"))  # named in the text, not only by the group phrase: reports
    task.units_text += "，区司法局"
    task.save()
    client.force_login(coordinator)
    r = client.post(f"/tasks/{task.pk}/close-responsible/")
    assert r.status_code == 302 and not responsible.filter(status=A.ACCEPTED).exists()  # not while every unit reports
    assert client.post(f"/tasks/{task.pk}/report-scope/", {"scope": "bogus"}).status_code == 302
    task.refresh_from_db()
    assert task.report_scope == Task.REPORT_ALL
    client.post(f"/tasks/{task.pk}/report-scope/", {"scope": "lead"})
    task.refresh_from_db()
    assert task.report_scope == Task.REPORT_LEAD
    assert ChangeRecord.objects.get(task=task, field="报送范围").after == "仅牵头单位报送"
    html = client.get(f"/tasks/{task.pk}/").content.decode()
    assert f"统一办结 {n - 2} 个按单位组负责落实的单位" in html
    for user in (leader, liaison):
        client.force_login(user)
        assert client.post(f"/tasks/{task.pk}/close-responsible/").status_code == 403
        assert client.post(f"/tasks/{task.pk}/report-scope/", {"scope": "all"}).status_code == 403
    client.force_login(coordinator)
    client.post(f"/tasks/{task.pk}/close-responsible/")
    assert responsible.filter(status=A.ACCEPTED).count() == n - 2
    assert responsible.get(pk=waiting.pk).status == A.SUBMITTED
    assert responsible.get(pk=named.pk).status == A.NOT_STARTED
    assert task.assignments.get(role="lead").status == A.NOT_STARTED
    assert StatusChange.objects.filter(assignment__task=task, to_status=A.ACCEPTED, reason__startswith="仅牵头单位报送").count() == n - 2
    assert lifecycle.close_not_required(task, coordinator) == 0  # twice closes nothing more
