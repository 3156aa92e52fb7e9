"""延期申请: before its due date a unit asks for a later one with a reason; the coordinator (and, when
configured, a leader) approves or rejects; only the approval moves the due date, and re-saving or clearing
the coordinator's due-date form does not undo it."""
from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from duban.plans import deadlines
from duban.plans.models import Assignment, ChangeRecord
from duban.progress import dates, lifecycle
from duban.progress.lifecycle import NotAllowed, TransitionError
from duban.progress.models import ExtensionRequest, StatusChange

from .samples import race

D = datetime.date
TODAY = D(2021, 10, 20)  # task 8 is due 2021-10-31


@pytest.fixture(autouse=True)
def office_today(monkeypatch):
    monkeypatch.setattr(deadlines, "office_today", lambda: TODAY)


@pytest.fixture
def a(lead_assignment):
    deadlines.refresh_task(lead_assignment.task, today=TODAY)
    lead_assignment.refresh_from_db()
    assert lead_assignment.due_date == D(2021, 10, 31)
    return lead_assignment


def test_asked_approved_and_the_due_date_moves(a, liaison, coordinator, client):
    client.force_login(liaison)
    assert 'id="extension-form"' in client.get(f"/assignments/{a.pk}/").content.decode()
    r = client.post(f"/assignments/{a.pk}/extension/", {"new_due": "2021-11-30", "reason": "决算批复推迟到11月。"})
    assert r.status_code == 302
    req = ExtensionRequest.objects.get()
    assert (req.status, req.old_due, req.new_due, req.requested_by) == ("pending", D(2021, 10, 31), D(2021, 11, 30), liaison)
    a.refresh_from_db()
    assert a.due_date == D(2021, 10, 31)  # asking moves nothing
    client.force_login(coordinator)
    overview = client.get(f"/overview/?plan={a.task.plan_id}").content.decode()
    assert "待审批的延期申请（1）" in overview and f"/assignments/{a.pk}/#extension-open" in overview
    html = client.get(f"/assignments/{a.pk}/").content.decode()
    assert 'id="extension-decide-form"' in html and "决算批复推迟到11月。" in html
    r = client.post(f"/assignments/{a.pk}/extension/decide/", {"decision": "approve", "note": "同意。"})
    assert r.status_code == 302
    a.refresh_from_db()
    req.refresh_from_db()
    assert (a.due_date, a.due_extended, req.status, req.coordinator) == (D(2021, 11, 30), D(2021, 11, 30), "approved", coordinator)
    change = ChangeRecord.objects.get(task=a.task, object_id=str(a.pk))
    assert (change.before, change.after, change.user) == ("2021-10-31", "2021-11-30", coordinator) and "决算批复推迟" in change.note
    assert list(StatusChange.objects.filter(assignment=a).values_list("action", flat=True).order_by("at", "id")) == ["ext_asked", "ext_approved"]
    task_page = client.get(f"/tasks/{a.task_id}/").content.decode()
    assert 'id="extensions"' in task_page and "已批准" in task_page and "2021-11-30" in task_page
    # Recomputing the task's dates keeps the extension.
    deadlines.refresh_task(a.task, today=TODAY)
    a.refresh_from_db()
    assert a.due_date == D(2021, 11, 30)


def test_the_extension_survives_the_due_date_form(a, liaison, coordinator, client):
    lifecycle.request_extension(a, liaison, D(2021, 11, 30), "推迟。")
    lifecycle.decide_extension(a, coordinator, True)
    client.force_login(coordinator)
    html = client.get(f"/assignments/{a.pk}/").content.decode()
    assert 'name="due_override" value="2021-11-30"' in html  # the form shows the date in force, ISO for the browser
    client.post(f"/assignments/{a.pk}/due/", {"due_override": "2021-11-30", "reason": "再保存一次"})  # re-saved as shown
    a.refresh_from_db()
    assert a.due_date == D(2021, 11, 30)
    assert client.post(f"/assignments/{a.pk}/due/", {"due_override": "", "reason": "空"}).status_code == 400  # an empty date clears nothing
    a.refresh_from_db()
    assert a.due_date == D(2021, 11, 30)
    client.post(f"/assignments/{a.pk}/due/", {"due_override": "", "restore": "on", "reason": "恢复按任务时限"})  # the override removed
    a.refresh_from_db()
    assert (a.due_override, a.due_date, a.due_extended) == (None, D(2021, 11, 30), D(2021, 11, 30))


def test_an_approval_overrides_an_earlier_manual_date(a, liaison, coordinator):
    dates.override_due(a, coordinator, D(2021, 11, 10), "手工调整")
    a.refresh_from_db()
    lifecycle.request_extension(a, liaison, D(2021, 11, 25), "仍需时间。")
    lifecycle.decide_extension(a, coordinator, True)
    a.refresh_from_db()
    assert (a.due_date, a.due_override, a.due_extended) == (D(2021, 11, 25), None, D(2021, 11, 25))


def test_rejected_with_a_reason_and_the_date_stays(a, liaison, coordinator, client):
    lifecycle.request_extension(a, liaison, D(2021, 11, 30), "推迟。")
    client.force_login(coordinator)
    r = client.post(f"/assignments/{a.pk}/extension/decide/", {"decision": "reject", "note": ""})
    assert r.status_code == 400 and "请填写不同意延期的理由" in r.content.decode()
    client.post(f"/assignments/{a.pk}/extension/decide/", {"decision": "reject", "note": "时限不能变。"})
    a.refresh_from_db()
    assert a.due_date == D(2021, 10, 31) and a.due_extended is None
    assert ExtensionRequest.objects.get().status == "rejected"
    # Rejected, the unit may ask again.
    lifecycle.request_extension(a, liaison, D(2021, 11, 15), "缩短了。")


def test_what_may_not_be_asked(a, liaison, monkeypatch):
    with pytest.raises(ValidationError, match="须晚于"):
        lifecycle.request_extension(a, liaison, D(2021, 10, 31), "同一天。")
    with pytest.raises(ValidationError, match="延期理由"):
        lifecycle.request_extension(a, liaison, D(2021, 11, 30), " ")
    lifecycle.request_extension(a, liaison, D(2021, 11, 30), "推迟。")
    with pytest.raises(TransitionError, match="已有一项延期申请"):
        lifecycle.request_extension(a, liaison, D(2021, 12, 10), "再推迟。")
    monkeypatch.setattr(deadlines, "office_today", lambda: D(2021, 11, 1))  # after the due date
    ExtensionRequest.objects.update(status="rejected")
    with pytest.raises(TransitionError, match="已过"):
        lifecycle.request_extension(a, liaison, D(2021, 11, 30), "晚了。")


def test_who_may_ask_and_decide(a, liaison, other_liaison, leader, coordinator, client):
    client.force_login(other_liaison)
    assert client.post(f"/assignments/{a.pk}/extension/", {"new_due": "2021-11-30", "reason": "x"}).status_code == 404
    for user in (coordinator, leader):
        with pytest.raises(NotAllowed):
            lifecycle.request_extension(a, user, D(2021, 11, 30), "x")
    lifecycle.request_extension(a, liaison, D(2021, 11, 30), "推迟。")
    for user in (liaison, leader):  # without the setting, a leader does not decide
        client.force_login(user)
        assert client.post(f"/assignments/{a.pk}/extension/decide/", {"decision": "approve"}).status_code == 403
        with pytest.raises(NotAllowed):
            lifecycle.decide_extension(a, user, True)
    assert ExtensionRequest.objects.get().status == "pending"


def test_with_leader_approval_the_coordinator_forwards_and_the_leader_decides(a, liaison, coordinator, leader, client, settings):
    settings.DUBAN_EXTENSION_LEADER_APPROVAL = True
    lifecycle.request_extension(a, liaison, D(2021, 11, 30), "推迟。")
    with pytest.raises(NotAllowed):
        lifecycle.decide_extension(a, leader, True)  # the coordinator first
    req = lifecycle.decide_extension(a, coordinator, True, "拟同意。")
    a.refresh_from_db()
    assert req.status == "forwarded" and a.due_date == D(2021, 10, 31)
    with pytest.raises(NotAllowed):
        lifecycle.decide_extension(a, coordinator, True)  # now the leader's
    client.force_login(leader)
    assert 'id="extension-decide-form"' in client.get(f"/assignments/{a.pk}/").content.decode()
    assert client.post(f"/assignments/{a.pk}/extension/decide/", {"decision": "approve"}).status_code == 302
    a.refresh_from_db()
    req.refresh_from_db()
    assert (req.status, req.leader, a.due_date) == ("approved", leader, D(2021, 11, 30))


def test_two_decisions_at_once_one_wins(transactional_db, a, liaison, coordinator, org):
    from tests.web.conftest import make_user

    second = make_user(org, "coordinator-2", "coordinator")
    lifecycle.request_extension(a, liaison, D(2021, 11, 30), "推迟。")
    results = race(lambda: lifecycle.decide_extension(a, coordinator, True), lambda: lifecycle.decide_extension(a, second, False, "不同意。"))
    assert sum(isinstance(r, ExtensionRequest) for r in results) == 1
    assert sum(isinstance(r, TransitionError) for r in results) == 1
    assert StatusChange.objects.filter(assignment=a, action__in=["ext_approved", "ext_rejected"]).count() == 1


def test_a_period_rolling_over_ends_the_extension(a, liaison, coordinator):
    """A monthly task: the extension is for the month awaited; the next month is due at its own end."""
    from duban.reminders.periods import roll_periods

    task = a.task
    task.deadline_kind, task.deadline_every = "recurring", "month"
    task.save()
    Assignment.objects.filter(pk=a.pk).update(due_date=None)
    deadlines.refresh_task(task, today=TODAY)
    a.refresh_from_db()
    assert a.due_date == D(2021, 10, 31)
    lifecycle.request_extension(a, liaison, D(2021, 11, 10), "推迟。")
    lifecycle.decide_extension(a, coordinator, True)
    a.refresh_from_db()
    assert (a.due_date, a.due_extended) == (D(2021, 11, 10), D(2021, 11, 10))
    Assignment.objects.filter(pk=a.pk).update(status=Assignment.ACCEPTED)
    assert roll_periods(D(2021, 11, 11)) == 1
    a.refresh_from_db()
    assert (a.due_date, a.due_extended) == (D(2021, 11, 30), None)
