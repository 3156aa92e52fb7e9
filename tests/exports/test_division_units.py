"""The 分工表 .docx from the database: units in the plan's wording with the directory's names, groups
counted, the coordinator's units, and a deadline that depends on an event shown with the date it gives."""
from __future__ import annotations

import datetime as dt

import pytest

from duban.directory.models import Unit
from duban.exports import build
from duban.plans import deadlines
from duban.plans.models import LEAD, RESPONSIBLE, Assignment, Task

from .reading import docx_tables

pytestmark = pytest.mark.django_db


def division_cells(plan) -> dict[int, list[str]]:
    [table] = docx_tables(build.build_division(plan, {"fmt": "docx"})[1])
    return {int(r[0]): r for r in table[1:]}


def test_groups_counted_and_named_units_by_their_directory_name(seed_plan):
    task = Task.objects.get(plan=seed_plan, no=7)  # 区财政局（区金融办）牵头；区政府各办、局，各街道办事处负责落实
    responsible = Assignment.objects.filter(task=task, role=RESPONSIBLE)
    streets = responsible.filter(unit__kind=Unit.SUBDISTRICT).count()
    others = responsible.count() - streets
    cell = division_cells(seed_plan)[7][-2]
    assert cell == f"区财政局牵头；区政府各办、局（共{others}个单位）、各街道办事处（共{streets}个单位）负责落实"
    assert "区金融办" not in cell  # one name for the unit, the directory's


def test_units_assigned_on_the_review_page_appear(seed_plan):
    task = Task.objects.get(plan=seed_plan, no=1)
    Assignment.objects.create(task=task, unit=Unit.objects.get(org=seed_plan.org, name="区民政局"), role=LEAD)
    Assignment.objects.filter(task=task, unit__name="区发展改革局").update(archived_at=dt.datetime(2021, 9, 1, tzinfo=dt.timezone.utc))
    assert division_cells(seed_plan)[1][-2] == "区民政局牵头；区政府办公室负责落实"


def test_a_computed_due_date_is_printed_after_the_plans_words(seed_plan):
    task = Task.objects.get(plan=seed_plan, no=1)  # 文件成文后20个工作日内，在门户网站公开发布
    assert task.deadline_kind == "after_event"
    before = division_cells(seed_plan)[1][-1]
    assert "前）" not in before  # no event yet: no date
    task.event_date = dt.date(2021, 9, 1)
    task.save()
    deadlines.refresh_task(task)
    due = set(Assignment.objects.filter(task=task).values_list("due_date", flat=True))
    assert len(due) == 1 and None not in due
    [date] = due
    assert division_cells(seed_plan)[1][-1] == f"{before}（{date.year}年{date.month}月{date.day}日前）"


def test_a_units_task_list_shows_the_computed_due_date_too(seed_plan):
    task = Task.objects.get(plan=seed_plan, no=1)
    task.event_date = dt.date(2021, 9, 1)
    task.save()
    deadlines.refresh_task(task)
    a = Assignment.objects.filter(task=task).select_related("unit").first()
    blob = build.build_unit_lists(seed_plan, {"fmt": "docx", "unit": a.unit_id, "as_of": "2021-09-15"})[1]
    [table] = docx_tables(blob)
    row = next(r for r in table[1:] if r[0] == "1")
    d = a.due_date
    assert row[4].endswith(f"（{d.year}年{d.month}月{d.day}日前）")
