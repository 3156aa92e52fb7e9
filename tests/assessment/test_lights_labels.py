"""Every light is shown with its label, by one template tag, and says what the figures say.

- the eight labels (已逾期 / 临近期限 / 正常 / 已办结 / 逾期办结 / 待审核 / 时限待定 / 日历未载入) are text in the
  page beside the dot, not only in a hover title;
- the division table filtered by a unit shows that unit's own light, not the task's worst;
- a report accepted after the due date is 逾期办结 on every page, by the figures' own on-time rule.
"""
from __future__ import annotations

import datetime
import re
from types import SimpleNamespace

import pytest
from django.template import Context, Template

from duban.assessment import facts, figures
from duban.plans import deadlines
from duban.plans.models import Assignment, Task
from duban.progress import lifecycle
from duban.workcal import clock
from duban.workcal.services import get_calendar
from tests.web.conftest import seed_plan  # noqa: F401

D = datetime.date
LABELS = ["已逾期", "临近期限", "正常", "已办结", "逾期办结", "待审核", "时限待定", "日历未载入"]


def shown(html: str, key: str) -> list[str]:
    """The visible labels of the lights of this key in the page (the text inside the light, not its title)."""
    return re.findall(rf'<span class="light light-{key}"[^>]*>\s*<i class="light-dot"[^>]*></i>\s*<span class="light-label">([^<]+)</span>', html)


def test_each_light_has_its_own_label():
    assert sorted(deadlines.LIGHT_LABELS.values()) == sorted(LABELS)
    assert set(deadlines.LIGHT_ORDER) == set(deadlines.LIGHT_LABELS) == set(deadlines.LIGHT_TITLES)
    html = Template('{% load lights %}{% for k in keys %}{% light_key k %}{% endfor %}').render(Context({"keys": deadlines.LIGHT_ORDER}))
    for key, label in deadlines.LIGHT_LABELS.items():
        assert shown(html, key) == [label]


def at(day: datetime.date, hour: int = 10):
    return clock.at(datetime.datetime(day.year, day.month, day.day, hour, 0))


def finance_task6(seed_plan, fin) -> Assignment:
    return Assignment.objects.select_related("task").get(task__plan=seed_plan, task__no=6, unit=fin)


def submit_and_accept(a, liaison, coordinator, submitted: datetime.date, accepted: datetime.date):
    with at(submitted):
        lifecycle.submit(a, liaison, lifecycle.ReportDraft("已在门户网站公开。", links=[("https://example.gov.cn/a", "公开页")]))
    with at(accepted):
        lifecycle.accept(a, coordinator, "good")
    a.refresh_from_db()
    return a


@pytest.mark.django_db
def test_accepted_after_the_due_date_is_late_done_everywhere(seed_plan, coordinator, liaison, client, unit, settings):
    fin = unit("区财政局")
    a = finance_task6(seed_plan, fin)
    assert a.due_date == D(2021, 10, 31)
    submit_and_accept(a, liaison, coordinator, D(2021, 11, 3), D(2021, 11, 4))
    settings.DUBAN_TODAY = D(2021, 11, 10)
    # the figures say late, and the light says the same
    f = next(f for f in facts.load(seed_plan) if f.assignment_id == a.pk)
    assert figures.is_accepted(f, D(2021, 11, 10)) and not figures.is_on_time(f, D(2021, 11, 10))
    assert deadlines.light(a, D(2021, 11, 10), get_calendar()) == deadlines.LATE_DONE
    client.force_login(coordinator)
    page = client.get(f"/assignments/{a.pk}/").content.decode()
    assert shown(page, "late_done") == ["逾期办结"] and not shown(page, "done")
    unit_page = client.get(f"/units/{fin.pk}/").content.decode()
    row = unit_page.split('data-no="6"')[1].split("</tr>")[0]
    assert shown(row, "late_done") == ["逾期办结"]


@pytest.mark.django_db
def test_accepted_on_time_is_done_even_when_reviewed_after_the_due_date(seed_plan, coordinator, liaison, client, unit, settings):
    a = finance_task6(seed_plan, unit("区财政局"))
    submit_and_accept(a, liaison, coordinator, D(2021, 10, 29), D(2021, 11, 5))  # submitted in time, reviewed late
    settings.DUBAN_TODAY = D(2021, 11, 10)
    client.force_login(coordinator)
    page = client.get(f"/assignments/{a.pk}/").content.decode()
    assert shown(page, "done") == ["已办结"] and not shown(page, "late_done")


@pytest.mark.django_db
def test_the_unit_filtered_division_table_shows_the_units_own_light(seed_plan, coordinator, liaison, client, unit, settings):
    fin = unit("区财政局")
    a = finance_task6(seed_plan, fin)
    submit_and_accept(a, liaison, coordinator, D(2021, 10, 20), D(2021, 10, 21))
    settings.DUBAN_TODAY = D(2021, 10, 26)  # the other units of task 6 are within 5 working days of 10-31
    client.force_login(coordinator)

    def row(query: str) -> str:
        html = client.get(f"/plans/{seed_plan.pk}/{query}").content.decode()
        return html.split('id="t6"')[1].split("</tr>")[0]

    assert shown(row(""), "yellow") == ["临近期限"]  # the task's worst, for the whole table
    assert shown(row(f"?unit={fin.pk}"), "done") == ["已办结"]  # 区财政局's own
    other = Assignment.objects.filter(task=a.task).exclude(unit=fin).select_related("unit").first()
    assert shown(row(f"?unit={other.unit_id}"), "yellow") == ["临近期限"]


@pytest.mark.django_db
def test_labels_on_the_plan_overview_and_dashboard_pages(seed_plan, coordinator, client, settings):
    settings.DUBAN_TODAY = D(2021, 11, 2)
    client.force_login(coordinator)
    plan_page = client.get(f"/plans/{seed_plan.pk}/").content.decode()
    assert "已逾期" in shown(plan_page, "red")  # the 10-31 tasks
    t1 = plan_page.split('id="t1"')[1].split("</tr>")[0]
    assert shown(t1, "grey") == ["时限待定"]  # task 1 waits for 文件成文
    overview = client.get(f"/overview/?plan={seed_plan.pk}").content.decode()
    for key, label in deadlines.LIGHT_LABELS.items():  # the column headings of the counts
        assert label in shown(overview, key)
    dashboard = client.get(f"/plans/{seed_plan.pk}/dashboard/").content.decode()
    for key, label in deadlines.LIGHT_LABELS.items():
        assert label in shown(dashboard, key)


@pytest.mark.django_db
def test_a_due_date_in_a_year_without_calendar_says_so(seed_plan, coordinator, client, settings, unit):
    fin = unit("区财政局")
    a = finance_task6(seed_plan, fin)
    Assignment.objects.filter(pk=a.pk).update(due_override=D(2027, 1, 6), due_date=D(2027, 1, 6))
    settings.DUBAN_TODAY = D(2026, 12, 31)  # 5 working days before 2027-01-06 need the 2027 calendar
    client.force_login(coordinator)
    page = client.get(f"/assignments/{a.pk}/").content.decode()
    assert shown(page, "no_calendar") == ["日历未载入"]


@pytest.mark.django_db
def test_an_event_date_the_calendar_cannot_count_says_so(seed_plan, coordinator, client, settings):
    t1 = Task.objects.get(plan=seed_plan, no=1)  # 文件成文后20个工作日
    Task.objects.filter(pk=t1.pk).update(event_date=D(2026, 12, 20))
    deadlines.refresh_task(Task.objects.get(pk=t1.pk), today=D(2026, 12, 21))
    assert set(t1.assignments.values_list("due_date", flat=True)) == {None}
    settings.DUBAN_TODAY = D(2026, 12, 21)
    client.force_login(coordinator)
    page = client.get(f"/tasks/{t1.pk}/").content.decode()
    assert shown(page, "no_calendar") == ["日历未载入"]


def test_lights_without_time_stamps_keep_working():
    """A light asked for with only status and due date (older callers) is 已办结 when accepted."""
    lights = deadlines.Lights(None, D(2021, 11, 1))  # an accepted light needs no calendar
    assert lights(SimpleNamespace(status="accepted", due_date=D(2021, 10, 31))) == deadlines.DONE
