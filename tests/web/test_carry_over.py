"""回头看: the coordinator carries last year's unfinished assignments into the new year's plan (结转上年未完成任务)."""
import datetime

import pytest
from django.utils import timezone

from duban.assessment import figures
from duban.audit.models import AuditEvent
from duban.exports import build
from duban.plans import carry_over
from duban.plans.models import Assignment, Plan, Task
from duban.progress.models import StatusChange

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def new_plan(seed_plan, org, unit):
    """The 2022 plan, with one task of its own (区财政局 lead)."""
    plan = Plan.objects.create(org=org, title="西山区2022年政务公开工作要点分工方案", year=2022, source_file="plans/2022.docx", sha256="2" * 64)
    task = Task.objects.create(plan=plan, no=1, requirement="2022年预决算公开", deadline_kind="date", deadline_date=D(2022, 10, 31))
    Assignment.objects.create(task=task, unit=unit("区财政局"), role="lead")
    return plan


@pytest.fixture
def last_year(seed_plan, unit):
    """2021's assignments of 区财政局 on tasks 4 (not started), 8 (returned), 9 (accepted) and 10 (submitted)."""
    fin = unit("区财政局")
    rows = {no: seed_plan.tasks.get(no=no).assignments.get(unit=fin) for no in (4, 8, 9, 10)}
    for no, status in ((8, Assignment.RETURNED), (9, Assignment.ACCEPTED), (10, Assignment.SUBMITTED)):
        Assignment.objects.filter(pk=rows[no].pk).update(status=status)
    return rows


def snapshot(pks):
    return list(Assignment.all_objects.filter(pk__in=pks).order_by("pk").values())


def test_the_page_lists_last_years_unfinished_work_only(new_plan, last_year, coordinator, as_user):
    page = as_user(coordinator).get(f"/plans/{new_plan.pk}/carry-over/")
    assert page.status_code == 200
    listed = {a.pk for a in page.context["candidates"]}
    assert {last_year[4].pk, last_year[8].pk} <= listed
    assert last_year[9].pk not in listed and last_year[10].pk not in listed  # 已办结, 待审核: not carried
    assert all(a.task.plan_id != new_plan.pk for a in page.context["candidates"])
    assert "结转上年未完成任务" in as_user(coordinator).get(f"/plans/{new_plan.pk}/").content.decode()


def test_carrying_makes_new_linked_assignments_and_leaves_the_old_untouched(new_plan, last_year, coordinator, as_user, unit):
    old_pks = [last_year[4].pk, last_year[8].pk]
    before = snapshot(old_pks)
    history = StatusChange.objects.filter(assignment__in=old_pks).count()
    client = as_user(coordinator)
    r = client.post(f"/plans/{new_plan.pk}/carry-over/", {"a": old_pks})
    assert r.status_code == 302

    carried = list(Assignment.objects.filter(task__plan=new_plan, carried_from__isnull=False).select_related("task", "task__section"))
    assert {a.carried_from_id for a in carried} == set(old_pks)
    for a in carried:  # one new task per old task, "（结转）…", in the section 上年结转任务, the old role kept
        old = Assignment.objects.get(pk=a.carried_from_id)
        assert a.task.requirement == "（结转）" + old.task.requirement and a.task.section.title == "上年结转任务"
        assert (a.unit_id, a.role, a.status) == (old.unit_id, old.role, Assignment.NOT_STARTED)
    assert len({a.task_id for a in carried}) == 2 and min(a.task.no for a in carried) == 2
    assert snapshot(old_pks) == before and StatusChange.objects.filter(assignment__in=old_pks).count() == history
    assert AuditEvent.objects.filter(action="carry_over").count() == 2

    # Shown as 结转 on the task page and the unit's page; nothing is offered twice.
    task_page = client.get(f"/tasks/{carried[0].task_id}/").content.decode()
    assert "结转" in task_page and f'href="/assignments/{carried[0].carried_from_id}/"' in task_page
    own_page = client.get(f"/assignments/{carried[0].pk}/").content.decode()
    assert "结转自" in own_page and f'href="/assignments/{carried[0].carried_from_id}/"' in own_page
    unit_page = client.get(f"/units/{unit('区财政局').pk}/?plan={new_plan.pk}").content.decode()
    assert unit_page.count('class="badge carried"') == 2
    assert not set(old_pks) & {a.pk for a in carry_over.candidates(new_plan)}
    again = client.post(f"/plans/{new_plan.pk}/carry-over/", {"a": old_pks})
    assert again.status_code == 400 and Assignment.objects.filter(carried_from__isnull=False).count() == 2


def test_the_old_years_task_and_assignment_link_where_the_work_continues(new_plan, last_year, coordinator, liaison, as_user):
    """Both directions: the new year's pages say 结转自 the old assignment, the old year's task page and
    assignment page say 已结转至 the new one — for the coordinator and the unit's liaison alike."""
    old = last_year[4]
    carry_over.carry(new_plan, coordinator, [old.pk])
    new = Assignment.objects.select_related("task").get(carried_from=old)
    to = f'href="/assignments/{new.pk}/"'
    for user in (coordinator, liaison):
        client = as_user(user)
        task_page = client.get(f"/tasks/{old.task_id}/").content.decode()
        row = task_page[task_page.index(f'<tr data-unit="{old.unit.name}"'):]
        row = row[:row.index("</tr>")]
        assert to in row and f"已结转至2022年第{new.task.no}项" in row
        own_page = client.get(f"/assignments/{old.pk}/").content.decode()
        assert 'id="carried-to"' in own_page and to in own_page and f"已结转至2022年第{new.task.no}项" in own_page
        new_page = client.get(f"/assignments/{new.pk}/").content.decode()
        assert 'id="carried-to"' not in new_page and "结转自" in new_page
    others = as_user(coordinator).get(f"/assignments/{last_year[8].pk}/").content.decode()  # not carried: no link
    assert 'id="carried-to"' not in others and "已结转至" not in others


def test_carrying_onto_a_chosen_task_of_the_new_plan(new_plan, last_year, coordinator, as_user, unit):
    target = new_plan.tasks.get(no=1)  # 区财政局 is already its lead: that assignment gets the link, no second one
    other = last_year[4].task.assignments.exclude(unit=unit("区财政局")).first()  # another unit, not on the target yet
    r = as_user(coordinator).post(f"/plans/{new_plan.pk}/carry-over/", {"a": [last_year[8].pk, other.pk], "target": target.pk})
    assert r.status_code == 302
    on_target = {a.unit_id: a for a in target.assignments.all()}
    assert on_target[unit("区财政局").pk].carried_from_id == last_year[8].pk and on_target[unit("区财政局").pk].role == "lead"
    assert on_target[other.unit_id].carried_from_id == other.pk and on_target[other.unit_id].role == other.role
    assert Task.objects.filter(plan=new_plan).count() == 1


def test_the_annual_report_counts_carried_work(new_plan, last_year, coordinator):
    new = carry_over.carry(new_plan, coordinator, [last_year[4].pk, last_year[8].pk])
    Assignment.objects.filter(pk=new[0].pk).update(status=Assignment.ACCEPTED, accepted_at=timezone.make_aware(datetime.datetime(2022, 6, 1, 10)))
    assert figures.carried_over(new_plan, D(2022, 12, 31)) == (2, 1)
    assert figures.carried_over(new_plan, D(2022, 5, 31)) == (2, 0)
    data = build.annual_data(new_plan, {"as_of": "2022-12-31"})
    assert "结转上年未完成任务 2 项，已完成 1 项" in "".join(data.summary)
    assert ("结转上年任务（已完成）", "—", "2项（1项）") in data.key_figures


def test_only_the_coordinator_carries_and_bad_input_is_refused(new_plan, last_year, org, unit, leader, liaison, coordinator, as_user):
    url = f"/plans/{new_plan.pk}/carry-over/"
    for user in (leader, liaison):
        c = as_user(user)
        assert c.get(url).status_code == 403
        assert c.post(url, {"a": [last_year[4].pk]}).status_code == 403
    c = as_user(coordinator)
    for data in ({}, {"a": ["x"]}, {"a": ["99999999999999999999"]}, {"a": [str(last_year[9].pk)]},
                 {"a": [str(last_year[4].pk)], "target": "abc"}, {"a": [str(last_year[4].pk)], "target": str(last_year[4].task_id)}):
        r = c.post(url, data)
        assert r.status_code == 400, data
        assert "class=\"error\"" in r.content.decode(), data
    assert not Assignment.objects.filter(carried_from__isnull=False).exists()


def test_a_plan_without_an_earlier_year_has_nothing_to_carry(seed_plan, coordinator, as_user):
    page = as_user(coordinator).get(f"/plans/{seed_plan.pk}/carry-over/")
    assert page.status_code == 200 and "无可结转的任务" in page.content.decode()
    assert as_user(coordinator).post(f"/plans/{seed_plan.pk}/carry-over/", {"a": ["1"]}).status_code == 400
