"""`duban replay_demo`: a demo year played through the real lifecycle, reproducible, marked 演示数据, never doubled."""
from __future__ import annotations

import datetime
import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from duban.assessment import facts, figures
from duban.notify.models import InboxMessage
from duban.plans.models import LEAD, Assignment, Task
from duban.progress import lifecycle
from duban.progress.models import Report, StatusChange
from duban.progress.replay import Replay, ReplayRefused, replay
from duban.workcal.services import get_calendar
from tests.web.conftest import make_user

D = datetime.date
pytestmark = pytest.mark.django_db
TASKS = [1, 2, 8]  # 文件成文后20个工作日; 10-31 shared by about forty units; 10-31 led by 区财政局


@pytest.fixture
def demo(settings, seed_plan, org, coordinator):
    """A demo instance: DUBAN_DEMO=1 and a liaison for every unit of the tasks replayed."""
    settings.DUBAN_DEMO = True
    units = {a.unit for a in Assignment.objects.filter(task__plan=seed_plan, task__no__in=TASKS).select_related("unit")}
    for u in units:
        make_user(org, f"liaison{u.pk}", "liaison", u)
    return seed_plan


def reports():
    return sorted(Report.objects.values_list("assignment_id", "submitted_at", "outcome", "grade", "text", "reviewed_at"))


def test_refused_on_a_production_instance(settings, seed_plan, coordinator):
    settings.DEBUG, settings.DUBAN_DEMO = False, False
    with pytest.raises(ReplayRefused, match="DUBAN_DEMO=1"):
        replay(seed_plan, D(2021, 9, 30))
    with pytest.raises(CommandError, match="DUBAN_DEMO=1"):
        call_command("replay_demo", "--until", "2021-09-30")
    assert not Report.objects.exists() and not StatusChange.objects.exists()


def test_refused_for_a_day_after_today(demo, settings):
    settings.DUBAN_TODAY = D(2021, 9, 30)
    with pytest.raises(ReplayRefused, match="晚于今天"):
        replay(demo, D(2021, 10, 1), tasks=TASKS)
    with pytest.raises(CommandError, match="--until"):
        call_command("replay_demo", "--until", "2021/09/30")


def test_a_year_through_the_real_lifecycle(demo):
    result = replay(demo, D(2021, 11, 30), tasks=TASKS)
    assert result.submitted > 20 and result.accepted > 10 and result.returned >= 1 and result.events == 1
    assert result.submitted == Report.objects.count() and Report.objects.filter(demo=False).count() == 0
    # The event of task 1 was recorded, so its due date is counted on the calendar.
    t1 = Task.objects.get(plan=demo, no=1)
    assert t1.event_date is not None and all(t1.assignments.values_list("due_date", flat=True))
    end = timezone.make_aware(datetime.datetime(2021, 11, 30, 23, 59))
    start = timezone.make_aware(datetime.datetime(2021, 8, 12))
    for c in StatusChange.objects.select_related("by__profile", "assignment"):
        assert start < c.at <= end
        if c.to_status in (Assignment.SUBMITTED, Assignment.IN_PROGRESS):
            assert c.by.profile.unit_id == c.assignment.unit_id  # the unit's own liaison
        else:
            assert c.by.profile.role == "coordinator"
    for a in Assignment.objects.filter(task__plan=demo, status=Assignment.ACCEPTED):
        changes = list(a.status_changes.order_by("at", "id").values_list("to_status", flat=True))
        assert changes[-1] == Assignment.ACCEPTED and Assignment.SUBMITTED in changes
        if a.role == LEAD:
            assert a.reports.get(outcome="accepted").links.exists()  # the lifecycle's own rule held
    # The figures see a year in motion: on time, late, overdue and waiting work all present.
    c = figures.total(facts.load(demo), D(2021, 11, 30))
    assert c.on_time > 0 and c.late > 0 and c.overdue > 0 and c.accepted + c.awaiting + c.returned + c.in_progress + c.not_started == c.total


def test_running_again_does_not_double_and_a_later_date_carries_on(demo):
    with transaction.atomic():  # the year played in one go, then undone
        replay(demo, D(2021, 11, 30), tasks=TASKS)
        in_one_go = reports()
        transaction.set_rollback(True)
    assert not Report.objects.exists()
    first = replay(demo, D(2021, 9, 30), tasks=TASKS)
    after_first = reports()
    again = replay(demo, D(2021, 9, 30), tasks=TASKS)
    assert first.changed > 0 and again.changed == 0 and reports() == after_first
    assert all(r[1] <= timezone.make_aware(datetime.datetime(2021, 9, 30, 23, 59)) for r in after_first)
    replay(demo, D(2021, 11, 30), tasks=TASKS)
    assert reports() == in_one_go  # the same seed tells the same story, in steps or at once


def test_the_seed_decides_the_story(demo):
    rows = list(Assignment.objects.select_related("task", "unit").filter(task__plan=demo, task__no=2))

    def stories(seed, assignments):
        r = Replay(demo, D(2021, 12, 31), seed, get_calendar())
        return [r.story(a) for a in assignments]

    assert stories(7, rows) == stories(7, rows) and stories(7, rows) != stories(8, rows)
    assert stories(7, rows[::-1]) == stories(7, rows)[::-1]  # each unit's story is its own, whatever the order
    kinds = {tuple(step.action for step in s) for s in stories(7, rows)}
    assert ("start", "submit", "accept") in kinds and any("return" in k for k in kinds) and any("accept" not in k for k in kinds)


def test_work_a_person_reported_is_never_touched(demo, unit):
    fin = unit("区财政局")
    a = Assignment.objects.get(task__plan=demo, task__no=8, unit=fin)
    from django.contrib.auth.models import User

    real = lifecycle.submit(a, User.objects.get(username=f"liaison{fin.pk}"), lifecycle.ReportDraft("真实报送", links=[("https://x.gov.cn/1", "")]))
    result = replay(demo, D(2021, 11, 30), tasks=TASKS)
    assert result.kept == 1 and list(a.reports.all()) == [real] and not real.demo


def test_demo_reports_are_labelled_on_the_pages(demo, client, coordinator):
    out = io.StringIO()
    call_command("replay_demo", "--until", "2021-11-30", "--task", "8", stdout=out)
    assert "已回放至2021年11月30日" in out.getvalue() and "演示数据" in out.getvalue()
    r = Report.objects.first()
    client.force_login(coordinator)
    html = client.get(f"/assignments/{r.assignment_id}/").content.decode()
    assert '<span class="badge demo">演示数据</span>' in html
    pending = Report.objects.filter(outcome="pending").first()
    if pending is not None:
        assert "演示数据" in client.get("/review-queue/").content.decode()


def inbox(user):
    return InboxMessage.objects.filter(user=user)


def test_only_the_last_weeks_newest_notices_stay_unread(demo, coordinator):
    """The coordinator hears of every replayed report, each dated at its moment; only the last week's newest ten
    stay unread, not a year's worth (a full replay to 2021-09-30 sent 396 unread)."""
    from django.contrib.auth.models import User

    week_before = timezone.make_aware(datetime.datetime(2021, 10, 24, 23, 59))
    replay(demo, D(2021, 10, 31), tasks=TASKS)  # tasks 2 and 8 are due on 10-31: many reports that week
    submitted = sorted(Report.objects.values_list("submitted_at", flat=True))
    recent = [t for t in submitted if t >= week_before]
    assert len(recent) > 10
    messages = inbox(coordinator)
    assert sorted(messages.values_list("created_at", flat=True)) == submitted  # one per report, at its moment
    assert sorted(messages.filter(read_at__isnull=True).values_list("created_at", flat=True)) == recent[-10:]
    assert not messages.filter(read_at__isnull=False).exclude(read_at=F("created_at")).exists()
    # The liaisons' 退回/通过 notices likewise: none older than the week unread, at most ten each.
    to_liaisons = InboxMessage.objects.filter(user__in=User.objects.filter(profile__role="liaison"))
    assert to_liaisons.filter(created_at__lt=week_before).exists()
    assert not to_liaisons.filter(created_at__lt=week_before, read_at__isnull=True).exists()
    unread_by_liaison = Counter(to_liaisons.filter(read_at__isnull=True).values_list("user_id", flat=True))
    assert unread_by_liaison and max(unread_by_liaison.values()) <= 10


def test_a_later_run_marks_the_earlier_runs_notices_read(demo, coordinator):
    replay(demo, D(2021, 10, 31), tasks=TASKS)
    unread_then = set(inbox(coordinator).filter(read_at__isnull=True).values_list("pk", flat=True))
    assert unread_then
    replay(demo, D(2021, 11, 30), tasks=TASKS)
    week_before = timezone.make_aware(datetime.datetime(2021, 11, 23, 23, 59))
    recent = sorted(t for t in Report.objects.values_list("submitted_at", flat=True) if t >= week_before)
    assert not inbox(coordinator).filter(pk__in=unread_then, read_at__isnull=True).exists()
    assert sorted(inbox(coordinator).filter(read_at__isnull=True).values_list("created_at", flat=True)) == recent[-10:]
    assert recent
