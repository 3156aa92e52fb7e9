"""签收: a unit acknowledges new work, one assignment or all at once; unacknowledged work has its own clock
(领办逾期, distinct from 反馈逾期 past the due date) on the unit page, the overview and in the figures."""
from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from duban.assessment import facts as facts_mod
from duban.assessment import figures
from duban.plans import deadlines
from duban.plans.models import Assignment, Task
from duban.progress import lifecycle
from duban.progress.lifecycle import NotAllowed
from duban.progress.models import StatusChange
from duban.workcal.services import get_calendar

A = Assignment


def at(day: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.fromisoformat(day + " 09:00"))


def test_a_liaison_signs_one_assignment_and_it_is_in_the_history(lead_assignment, liaison, client):
    client.force_login(liaison)
    r = client.post(f"/assignments/{lead_assignment.pk}/acknowledge/")
    assert r.status_code == 302
    a = Assignment.objects.get(pk=lead_assignment.pk)
    assert a.acknowledged_by == liaison and a.acknowledged_at is not None and a.status == A.NOT_STARTED
    step = StatusChange.objects.get(assignment=a)
    assert (step.action, step.from_status, step.to_status, step.by) == (StatusChange.ACKNOWLEDGED, A.NOT_STARTED, A.NOT_STARTED, liaison)
    html = client.get(f"/assignments/{a.pk}/").content.decode()
    assert "签收" in html and 'id="ack-form"' not in html  # signed: no button any more
    # A second click changes nothing and says so.
    r = client.post(f"/assignments/{a.pk}/acknowledge/", follow=True)
    assert "此前已签收" in r.content.decode()
    assert StatusChange.objects.filter(assignment=a).count() == 1


def test_only_the_units_own_liaison_signs(lead_assignment, other_liaison, coordinator, leader, client):
    client.force_login(other_liaison)
    assert client.post(f"/assignments/{lead_assignment.pk}/acknowledge/").status_code == 404
    for user in (coordinator, leader):
        client.force_login(user)
        assert client.post(f"/assignments/{lead_assignment.pk}/acknowledge/").status_code == 403
        with pytest.raises(NotAllowed):
            lifecycle.acknowledge(lead_assignment, user)
    assert not Assignment.objects.filter(acknowledged_at__isnull=False).exists()


def test_sign_all_signs_the_units_work_and_nobody_elses(seed_plan, unit, liaison, other_liaison, client):
    finance = unit("区财政局")
    mine = Assignment.objects.filter(unit=finance).count()
    assert mine > 3
    client.force_login(other_liaison)
    assert client.post(f"/units/{finance.pk}/acknowledge/").status_code == 404
    client.force_login(liaison)
    r = client.post(f"/units/{finance.pk}/acknowledge/", follow=True)
    assert f"已签收 {mine} 项任务" in r.content.decode()
    assert Assignment.objects.filter(unit=finance, acknowledged_by=liaison).count() == mine
    assert not Assignment.objects.exclude(unit=finance).filter(acknowledged_at__isnull=False).exists()
    assert StatusChange.objects.filter(action=StatusChange.ACKNOWLEDGED).count() == mine
    assert lifecycle.acknowledge_all(liaison, finance.pk) == 0  # nothing left to sign


def test_starting_or_reporting_signs_too(lead_assignment, responsible_assignment, liaison):
    lifecycle.start(lead_assignment, liaison)
    lifecycle.submit(responsible_assignment, liaison, lifecycle.ReportDraft(text="已公开。"))
    for a in (lead_assignment, responsible_assignment):
        a.refresh_from_db()
        assert a.acknowledged_by == liaison
    assert not StatusChange.objects.filter(action=StatusChange.ACKNOWLEDGED).exists()  # the change itself is the record


def test_the_clock_counts_working_days_from_assignment(seed_plan, unit, liaison):
    """Assigned Wednesday 2021-09-01, two working days: due by Friday 09-03; the weekend does not count."""
    clock = figures.AckClock(get_calendar(), datetime.date(2021, 9, 3), days=2)
    assert clock.deadline(datetime.date(2021, 9, 1)) == datetime.date(2021, 9, 3)
    assert clock.state(at("2021-09-01"), None, A.NOT_STARTED) == figures.ACK_WAITING
    late = figures.AckClock(get_calendar(), datetime.date(2021, 9, 6), days=2)  # Monday
    assert late.state(at("2021-09-01"), None, A.NOT_STARTED) == figures.ACK_OVERDUE
    assert late.state(at("2021-09-01"), at("2021-09-03"), A.NOT_STARTED) == figures.ACK_ON_TIME
    assert late.state(at("2021-09-01"), at("2021-09-06"), A.IN_PROGRESS) == figures.ACK_LATE
    assert late.state(at("2021-09-01"), None, A.ACCEPTED) == figures.ACK_NONE  # closed by the office: owes nothing
    assert late.state(at("2021-09-01"), None, A.NOT_STARTED, must_report=False) == figures.ACK_NONE


def test_figures_count_unsigned_overdue_and_late(seed_plan, unit, liaison):
    finance = unit("区财政局")
    rows = list(Assignment.objects.filter(unit=finance).order_by("pk")[:4])
    Assignment.objects.filter(task__plan=seed_plan).update(assigned_at=at("2021-09-01"))
    Assignment.objects.filter(pk=rows[0].pk).update(acknowledged_at=at("2021-09-02"))  # in time
    Assignment.objects.filter(pk=rows[1].pk).update(acknowledged_at=at("2021-09-07"))  # late
    qs = Assignment.objects.filter(unit=finance)
    c = figures.acknowledgement(facts_mod.load(seed_plan, qs), datetime.date(2021, 9, 8), get_calendar(), days=2)
    total = qs.count()
    assert (c.on_time, c.late, c.overdue, c.waiting) == (1, 1, total - 2, 0)
    assert c.unacknowledged == total - 2
    # Before the deadline the same work is only waiting, and what was signed later is not yet signed.
    c = figures.acknowledgement(facts_mod.load(seed_plan, qs), datetime.date(2021, 9, 3), get_calendar(), days=2)
    assert (c.on_time, c.late, c.overdue, c.waiting) == (1, 0, 0, total - 1)


def test_units_of_a_lead_only_task_owe_no_signature(seed_plan, unit):
    task = seed_plan.tasks.get(no=8)  # 区财政局牵头; 区政府各办、局，各街道办事处负责落实
    task.report_scope = Task.REPORT_LEAD
    task.save()
    Assignment.objects.filter(task=task).update(assigned_at=at("2021-09-01"))
    c = figures.acknowledgement(facts_mod.load(seed_plan, Assignment.objects.filter(task=task)), datetime.date(2021, 9, 8), get_calendar(), days=2)
    assert c.overdue == task.assignments.filter(role="lead").count() == 1
    assert task.assignments.count() > 30


def test_unit_page_and_overview_tell_sign_overdue_from_report_overdue(seed_plan, unit, liaison, coordinator, client, monkeypatch):
    finance = unit("区财政局")
    monkeypatch.setattr(deadlines, "office_today", lambda: datetime.date(2021, 11, 15))
    deadlines.refresh_plan(seed_plan, today=datetime.date(2021, 11, 15))
    Assignment.objects.filter(task__plan=seed_plan).update(assigned_at=at("2021-09-01"))
    lead = Assignment.objects.get(task__no=8, unit=finance)
    lifecycle.acknowledge(lead, liaison)
    Assignment.objects.filter(pk=lead.pk).update(acknowledged_at=at("2021-09-02"))  # signed in time, on the page's clock
    overdue_due = Assignment.objects.filter(unit=finance, due_date__lt=datetime.date(2021, 11, 15)).count()
    assert overdue_due > 0
    client.force_login(liaison)
    html = client.get(f"/units/{finance.pk}/").content.decode()
    unsigned = Assignment.objects.filter(unit=finance, acknowledged_at__isnull=True).count()
    assert f"待签收 {unsigned} 项" in html and f"领办逾期 {unsigned} 项" in html
    assert html.count("ack-overdue") >= unsigned and "反馈逾期" in html
    assert 'id="ack-all-form"' in html and f'action="/units/{finance.pk}/report/"' in html
    client.force_login(coordinator)
    html = client.get(f"/overview/?plan={seed_plan.pk}").content.decode()
    assert "领办逾期" in html and "反馈逾期" in html
    assert 'id="ack-all-form"' not in client.get(f"/units/{finance.pk}/").content.decode()  # the office sees, does not sign
