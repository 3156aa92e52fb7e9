"""The due-date form of an assignment (调整完成日期): it opens on the date in force as ISO yyyy-mm-dd (what a
browser's date input shows), says the current date in words, and saving it again never clears an adjusted date."""
from __future__ import annotations

import datetime
import re

import pytest

from duban.plans.models import Assignment, ChangeRecord

D = datetime.date
pytestmark = pytest.mark.django_db


def due_input(html: str) -> str:
    return re.search(r'<input type="date" name="due_override"[^>]*>', html).group(0)


def value(html: str) -> str | None:
    m = re.search(r'value="([^"]*)"', due_input(html))
    return m.group(1) if m else None


def test_the_form_opens_on_the_date_in_force_in_iso(lead_assignment, coordinator, client):
    assert lead_assignment.due_date == D(2021, 10, 31)  # task 8: 10月31日前
    client.force_login(coordinator)
    html = client.get(f"/assignments/{lead_assignment.pk}/").content.decode()
    assert value(html) == "2021-10-31"  # not 2021/10/31, which a date input shows as empty
    current = re.search(r'<p id="due-current">(.*?)</p>', html, re.S).group(1)
    assert "2021年10月31日" in current and "按任务时限" in current
    assert 'name="restore"' not in html  # nothing adjusted, nothing to restore


def test_saving_again_keeps_an_adjusted_date(lead_assignment, coordinator, client):
    client.force_login(coordinator)
    url = f"/assignments/{lead_assignment.pk}/due/"
    assert client.post(url, {"due_override": "2021-11-30", "reason": "决算批复推迟"}).status_code == 302
    html = client.get(f"/assignments/{lead_assignment.pk}/").content.decode()
    assert value(html) == "2021-11-30"
    assert "2021年11月30日" in re.search(r'<p id="due-current">(.*?)</p>', html, re.S).group(1)
    # The form sent back as it was shown, with a new reason: the date stays.
    assert client.post(url, {"due_override": value(html), "reason": "再次确认"}).status_code == 302
    a = Assignment.objects.get(pk=lead_assignment.pk)
    assert (a.due_override, a.due_date) == (D(2021, 11, 30), D(2021, 11, 30))
    # A browser that showed the field empty sends it empty: refused with a message, nothing cleared.
    r = client.post(url, {"due_override": "", "reason": "保存"})
    assert r.status_code == 400 and "请填写调整后的完成日期" in r.content.decode() and "取消调整" in r.content.decode()
    a.refresh_from_db()
    assert (a.due_override, a.due_date) == (D(2021, 11, 30), D(2021, 11, 30))
    assert ChangeRecord.objects.filter(object_type="assignment", object_id=str(a.pk)).count() == 1


def test_restoring_the_tasks_date_is_an_explicit_choice(lead_assignment, coordinator, client):
    client.force_login(coordinator)
    url = f"/assignments/{lead_assignment.pk}/due/"
    client.post(url, {"due_override": "2021-11-30", "reason": "决算批复推迟"})
    assert 'name="restore"' in client.get(f"/assignments/{lead_assignment.pk}/").content.decode()
    assert client.post(url, {"due_override": "2021-11-30", "restore": "on", "reason": "批复已到"}).status_code == 302
    a = Assignment.objects.get(pk=lead_assignment.pk)
    assert a.due_override is None and a.due_date == D(2021, 10, 31)  # the task's own deadline again


def test_a_bad_date_is_refused_in_chinese(lead_assignment, coordinator, client):
    client.force_login(coordinator)
    r = client.post(f"/assignments/{lead_assignment.pk}/due/", {"due_override": "2021/13/45", "reason": "x"})
    assert r.status_code == 400 and "请填写有效的日期" in r.content.decode()
    assert Assignment.objects.get(pk=lead_assignment.pk).due_override is None


@pytest.mark.parametrize("form_class, name", [("DueOverrideForm", "due_override"), ("EventDateForm", "event_date"), ("ReportForm", "published_on")])
def test_every_date_input_is_filled_in_iso(form_class, name):
    """Whatever the language's date format (zh-hans writes 2021/10/31), a date input's value is yyyy-mm-dd."""
    from duban.progress import forms

    html = str(getattr(forms, form_class)(initial={name: D(2021, 10, 31)})[name])
    assert 'type="date"' in html and 'value="2021-10-31"' in html
