"""A periodic task's report before its period's reporting window opens is refused (duban.progress.lifecycle.
not_open_yet), not counted early — on the page (the form keeps the text), in 报一次 and in the API (400) alike.
One-off work, and a due date the office moved by hand, have no window.

Quarterly task of 区财政局 on the 2021 calendar (see test_periods): Q1's window opens 3/17, Q2's 6/16."""
import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from duban.api.models import ApiToken
from duban.plans.models import Assignment
from duban.progress import lifecycle
from duban.progress.models import Report
from duban.reminders.models import ReminderRule
from duban.reminders.periods import roll_periods
from tests.progress.test_periods import D, accept, at, quarterly, report  # noqa: F401  (quarterly: a fixture)
from tests.web.conftest import as_user  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

Q1_EARLY = "本期（2021年第一季度，截至3月31日）报送窗口尚未开启，将于3月17日开启，届时再报送。"


def test_a_report_before_the_window_is_refused_and_nothing_is_written(quarterly, liaison):
    with pytest.raises(ValidationError) as refused:
        report(quarterly, liaison, D(2021, 3, 16), "一季度提前报送")
    assert refused.value.messages == [Q1_EARLY]
    a = Assignment.objects.get(pk=quarterly.pk)
    assert a.status == Assignment.NOT_STARTED and not Report.objects.filter(assignment=a).exists()
    assert report(quarterly, liaison, D(2021, 3, 17), "一季度已公开").period_due == D(2021, 3, 31)  # the day it opens


def test_the_next_period_opens_in_its_own_window_after_the_roll(quarterly, liaison, coordinator):
    report(quarterly, liaison, D(2021, 3, 25), "一季度已公开")
    accept(quarterly, coordinator, D(2021, 3, 26))
    with at(D(2021, 4, 1)):
        roll_periods(D(2021, 4, 1))
    with pytest.raises(ValidationError, match="本期（2021年第二季度，截至6月30日）报送窗口尚未开启，将于6月16日开启"):
        report(quarterly, liaison, D(2021, 4, 6), "二季度提前报送")
    assert report(quarterly, liaison, D(2021, 6, 16), "二季度已公开").period_due == D(2021, 6, 30)


def test_the_plan_rule_moves_the_opening(quarterly, liaison):
    ReminderRule.objects.update_or_create(plan=quarterly.task.plan, defaults={"period_opens": 0})
    with pytest.raises(ValidationError, match="将于3月31日开启"):
        report(quarterly, liaison, D(2021, 3, 30), "一季度")
    ReminderRule.objects.filter(plan=quarterly.task.plan).update(period_opens=60)
    assert report(quarterly, liaison, D(2021, 1, 5), "一季度").period_due == D(2021, 3, 31)


def test_one_off_work_and_a_date_moved_by_the_office_have_no_window(quarterly, lead_assignment, liaison):
    assert lead_assignment.task.deadline_kind == "date"
    with at(D(2021, 1, 5)):  # long before its date: finishing early is welcome
        lifecycle.submit(lead_assignment, liaison, lifecycle.ReportDraft(text="已公开。"))
    Assignment.objects.filter(pk=quarterly.pk).update(due_override=D(2021, 3, 31))  # set by hand, on the period's end
    assert report(quarterly, liaison, D(2021, 2, 1), "一季度").period_due == D(2021, 3, 31)


def test_exemption_is_not_bound_to_the_window(quarterly, liaison):
    with at(D(2021, 2, 1)):
        r = lifecycle.declare_exempt(Assignment.objects.get(pk=quarterly.pk), liaison, "本单位无重大建设项目。")
    assert r.kind == "exemption"


def test_the_page_says_when_the_window_opens_and_keeps_the_text_of_a_refused_report(quarterly, liaison, as_user):
    client = as_user(liaison)
    with at(D(2021, 3, 10)):
        page = client.get(f"/assignments/{quarterly.pk}/").content.decode()
        assert f'<p class="notice" id="report-not-open">{Q1_EARLY}</p>' in page and 'id="report-form"' not in page
        assert 'id="exempt-form"' in page  # 本单位不涉及 stays possible
        r = client.post(f"/assignments/{quarterly.pk}/report/", {"text": "一季度提前报送的内容"})
    body = r.content.decode()
    assert r.status_code == 400 and Q1_EARLY in body and "一季度提前报送的内容" in body
    with at(D(2021, 3, 17)):
        page = client.get(f"/assignments/{quarterly.pk}/").content.decode()
    assert 'id="report-form"' in page and "report-not-open" not in page


def test_batch_report_is_refused_whole_naming_the_early_task(quarterly, lead_assignment, liaison, as_user):
    with at(D(2021, 3, 10)):
        r = as_user(liaison).post(f"/units/{quarterly.unit_id}/report/",
                                  {"a": [quarterly.pk, lead_assignment.pk], "text": "两项一并报送"})
    body = r.content.decode()
    assert r.status_code == 400 and f"第{quarterly.task.no}项：{Q1_EARLY}" in body and "本次没有报送任何一项" in body
    assert not Report.objects.filter(assignment__in=[quarterly.pk, lead_assignment.pk]).exists()


def test_the_batch_form_shows_a_task_whose_window_is_not_open_without_offering_it(quarterly, lead_assignment, liaison, as_user):
    """Ticked on the unit page or not, a periodic task before its window opens is listed with the day it opens,
    its box disabled, so 报一次 never offers what the lifecycle refuses; once the window opens it is offered."""
    client = as_user(liaison)
    url = f"/units/{quarterly.unit_id}/report/?a={quarterly.pk}&a={lead_assignment.pk}"
    with at(D(2021, 3, 10)):
        page = client.get(url).content.decode()
    offered = re.findall(r'<input type="checkbox" name="a" value="(\d+)"', page)
    assert str(lead_assignment.pk) in offered and str(quarterly.pk) not in offered
    waiting = page[page.index('id="batch-waiting"'):]
    assert f'data-no="{quarterly.task.no}"' in waiting and Q1_EARLY in waiting and "disabled" in waiting
    with at(D(2021, 3, 10)):  # only the waiting task ticked: the offered ones are in view, not folded away
        page = client.get(f"/units/{quarterly.unit_id}/report/?a={quarterly.pk}").content.decode()
    assert "其他可报送的任务" not in page and f'<input type="checkbox" name="a" value="{lead_assignment.pk}">' in page
    with at(D(2021, 3, 17)):
        page = client.get(url).content.decode()
    assert f'<input type="checkbox" name="a" value="{quarterly.pk}" checked>' in page and "batch-waiting" not in page


def test_the_batch_form_with_only_tasks_whose_window_is_not_open(quarterly, liaison, as_user):
    Assignment.objects.exclude(pk=quarterly.pk).filter(unit=quarterly.unit_id).update(status=Assignment.ACCEPTED)
    with at(D(2021, 3, 10)):
        page = as_user(liaison).get(f"/units/{quarterly.unit_id}/report/").content.decode()
    assert "本单位目前没有可报送的任务" in page and 'id="batch-form"' not in page and Q1_EARLY in page


def test_the_api_answers_400_with_the_message(quarterly, liaison):
    _, key = ApiToken.issue(liaison, "测试")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    with at(D(2021, 3, 10)):
        r = client.post(f"/api/v1/assignments/{quarterly.pk}/reports/", {"text": "一季度"}, format="json")
    assert r.status_code == 400 and r.json()["detail"] == Q1_EARLY
    with at(D(2021, 3, 17)):
        r = client.post(f"/api/v1/assignments/{quarterly.pk}/reports/", {"text": "一季度"}, format="json")
    assert r.status_code == 201


def test_the_unit_page_does_not_offer_a_task_whose_window_is_not_open_for_reporting_at_once(quarterly, lead_assignment, liaison, as_user):
    client = as_user(liaison)
    box = f'<input type="checkbox" name="a" value="{quarterly.pk}" form="batch-pick"'
    with at(D(2021, 3, 10)):
        page = client.get(f"/units/{quarterly.unit_id}/?plan={quarterly.task.plan_id}").content.decode()
    assert box not in page and f'title="{Q1_EARLY}">未到报送期<br>3月17日起</span>' in page  # the day in sight on a phone too
    assert f'<input type="checkbox" name="a" value="{lead_assignment.pk}" form="batch-pick"' in page
    with at(D(2021, 3, 17)):
        page = client.get(f"/units/{quarterly.unit_id}/?plan={quarterly.task.plan_id}").content.decode()
    assert box in page and "未到报送期" not in page
