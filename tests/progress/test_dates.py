"""The dates people set: a task's starting event (文件成文日期) and the coordinator's due-date override.
Both leave a ChangeRecord and ask duban.plans.deadlines to recompute the due dates."""
from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from duban.plans.models import Assignment, ChangeRecord
from duban.progress import dates
from duban.progress.lifecycle import NotAllowed, TransitionError


@pytest.fixture
def refreshed(monkeypatch):
    """Record the tasks handed to deadlines.refresh_task instead of recomputing."""
    from duban.plans import deadlines

    calls = []
    monkeypatch.setattr(deadlines, "refresh_task", lambda task: calls.append(task.no) or [])
    return calls


@pytest.fixture
def task1(seed_plan):
    """文件成文后20个工作日内 (区政府办公室、区发展改革局负责落实)."""
    return seed_plan.tasks.get(no=1)


def test_the_coordinator_records_the_event_date(task1, coordinator, client, refreshed):
    client.force_login(coordinator)
    html = client.get(f"/tasks/{task1.pk}/").content.decode()
    assert "文件成文日期：" in html and "尚未录入" in html and f"/tasks/{task1.pk}/event-date/" in html
    assert client.get(f"/tasks/{task1.pk}/event-date/").status_code == 200
    r = client.post(f"/tasks/{task1.pk}/event-date/", {"event_date": "2021-06-15"})
    assert r.status_code == 302 and r["Location"] == f"/tasks/{task1.pk}/"
    task1.refresh_from_db()
    assert task1.event_date == datetime.date(2021, 6, 15) and task1.event_recorded_by == coordinator
    change = ChangeRecord.objects.get(task=task1)
    assert (change.field, change.before, change.after, change.user) == ("起算事件日期（文件成文）", "", "2021-06-15", coordinator)
    assert set(refreshed) == {1}  # (the reminders app also refreshes on saving event_date: twice is harmless)
    assert "2021年6月15日" in client.get(f"/tasks/{task1.pk}/").content.decode()
    # The same date again changes nothing.
    client.post(f"/tasks/{task1.pk}/event-date/", {"event_date": "2021-06-15"})
    assert ChangeRecord.objects.filter(task=task1).count() == 1


def test_a_lead_units_liaison_may_record_it_others_may_not(seed_plan, liaison, other_liaison, leader, client, refreshed):
    task8 = seed_plan.tasks.get(no=8)
    task8.deadline_kind, task8.deadline_event, task8.deadline_working_days = "after_event", "文件成文", 20
    task8.save()
    dates.record_event_date(task8, liaison, datetime.date(2021, 7, 1))
    assert set(refreshed) == {8}
    assert task8.assignments.get(unit=other_liaison.profile.unit).role == "responsible"  # 区民政局, one of 区政府各办、局
    for user in (leader, other_liaison):
        client.force_login(user)
        r = client.post(f"/tasks/{task8.pk}/event-date/", {"event_date": "2021-07-02"})
        assert r.status_code == 403 and "只有协调人或该任务牵头单位的联络员" in r.content.decode()
    with pytest.raises(NotAllowed):
        dates.record_event_date(task8, other_liaison, datetime.date(2021, 7, 2))
    task8.refresh_from_db()
    assert task8.event_date == datetime.date(2021, 7, 1)


def test_event_dates_only_for_event_deadlines_and_not_in_the_future(seed_plan, task1, coordinator, client, refreshed):
    with pytest.raises(TransitionError, match="不是按事件起算的"):
        dates.record_event_date(seed_plan.tasks.get(no=8), coordinator, datetime.date(2021, 7, 1))
    client.force_login(coordinator)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    r = client.post(f"/tasks/{task1.pk}/event-date/", {"event_date": tomorrow.isoformat()})
    assert r.status_code == 400 and "起算事件日期不能晚于今天" in r.content.decode()
    r = client.post(f"/tasks/{task1.pk}/event-date/", {"event_date": ""})
    assert r.status_code == 400 and "请填写日期" in r.content.decode()
    assert not ChangeRecord.objects.exists() and refreshed == []


def test_an_unknown_calendar_year_is_a_warning_not_an_error(task1, coordinator, client, monkeypatch, refreshed):
    from duban.plans import deadlines
    from duban.workcal.calendar import UnknownCalendarYear

    monkeypatch.setattr(deadlines, "refresh_task", lambda task: [str(UnknownCalendarYear(2027))])
    client.force_login(coordinator)
    r = client.post(f"/tasks/{task1.pk}/event-date/", {"event_date": "2021-06-15"}, follow=True)
    assert r.status_code == 200 and "2027年的法定节假日和调休安排尚未录入" in r.content.decode()
    task1.refresh_from_db()
    assert task1.event_date == datetime.date(2021, 6, 15)


def test_the_coordinator_overrides_a_due_date_with_a_reason(lead_assignment, coordinator, client, refreshed):
    client.force_login(coordinator)
    r = client.post(f"/assignments/{lead_assignment.pk}/due/", {"due_override": "2021-11-30", "reason": ""})
    assert r.status_code == 400 and "请填写调整理由" in r.content.decode()
    r = client.post(f"/assignments/{lead_assignment.pk}/due/", {"due_override": "2021-11-30", "reason": "决算批复推迟"})
    assert r.status_code == 302
    a = Assignment.objects.get(pk=lead_assignment.pk)
    assert (a.due_override, a.due_date, a.due_override_reason) == (datetime.date(2021, 11, 30),) * 2 + ("决算批复推迟",)
    change = ChangeRecord.objects.get(object_type="assignment", object_id=str(a.pk))
    assert (change.field, change.after, change.note) == ("完成日期：区财政局", "2021-11-30", "决算批复推迟")
    assert set(refreshed) == {8}
    html = client.get(f"/assignments/{a.pk}/").content.decode()
    assert "2021年11月30日" in html and "已调整" in html and "决算批复推迟" in html
    # Removing the override, also with a reason, hands the date back to the task's deadline.
    dates.override_due(a, coordinator, None, "批复已到")
    a.refresh_from_db()
    assert a.due_override is None and a.due_override_reason == ""
    assert ChangeRecord.objects.filter(object_type="assignment").count() == 2


def test_only_the_coordinator_overrides(lead_assignment, liaison):
    with pytest.raises(NotAllowed, match="只有协调人可以调整完成日期"):
        dates.override_due(lead_assignment, liaison, datetime.date(2021, 12, 1), "想晚点")



def test_an_override_needs_a_reason(lead_assignment, coordinator):
    with pytest.raises(ValidationError, match="请填写调整理由"):
        dates.override_due(lead_assignment, coordinator, datetime.date(2021, 12, 1), "  ")
    assert not ChangeRecord.objects.exists()


def test_the_due_dates_follow_the_event_date_on_the_working_day_calendar(task1, coordinator):
    """With the real duban.plans.deadlines: 20 working days after Tuesday 2021-06-15 (the event day not
    counted) is 2021-07-13."""
    assert set(task1.assignments.values_list("due_date", flat=True)) == {None}
    assert dates.record_event_date(task1, coordinator, datetime.date(2021, 6, 15)) is None
    assert set(task1.assignments.values_list("due_date", flat=True)) == {datetime.date(2021, 7, 13)}


def test_removing_an_override_gives_back_the_tasks_deadline(lead_assignment, coordinator):
    dates.override_due(lead_assignment, coordinator, datetime.date(2021, 11, 30), "决算批复推迟")
    lead_assignment.refresh_from_db()
    assert lead_assignment.due_date == datetime.date(2021, 11, 30)
    dates.override_due(lead_assignment, coordinator, None, "批复已到")
    lead_assignment.refresh_from_db()
    assert lead_assignment.due_date == datetime.date(2021, 10, 31)  # task 8: 10月31日前完成
