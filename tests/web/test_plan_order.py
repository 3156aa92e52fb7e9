"""Plans newest year first and a plan without a year last, on SQLite and PostgreSQL alike (PostgreSQL sorts
NULL first in a descending order unless told otherwise)."""
from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from duban.api.models import ApiToken
from duban.plans import access
from duban.plans.models import Plan
from tests.pages_data import copy_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(seed_plan):
    """2022, the seed (2021), and a plan without a year, imported last (the newest by its import time)."""
    newer = copy_plan(seed_plan, 2022)
    yearless = copy_plan(seed_plan, 2020)
    Plan.objects.filter(pk=yearless.pk).update(year=None)
    return [newer, seed_plan, yearless]


def ids(plans):
    return [p.pk for p in plans]


def test_the_models_order_and_the_users_plans(plans, coordinator, liaison):
    assert ids(Plan.objects.all()) == ids(plans)
    for user in (coordinator, liaison):
        assert ids(access.visible_plans(user)) == ids(plans)
        assert access.chosen_plan(user, None) == plans[0]


def test_the_pages_list_the_yearless_plan_last(plans, coordinator, client):
    client.force_login(coordinator)
    assert client.get("/dashboard/")["Location"] == f"/plans/{plans[0].pk}/dashboard/"  # the newest by default
    listed = re.findall(r'<a href="/plans/(\d+)/">', client.get("/plans/").content.decode())
    assert [int(pk) for pk in listed] == ids(plans)
    html = client.get(f"/overview/?plan={plans[1].pk}").content.decode()
    picker = html[html.index('class="inline plan-picker'):]
    picker = picker[:picker.index("</form>")]
    assert [int(pk) for pk in re.findall(r'<option value="(\d+)"', picker)] == ids(plans)


def test_the_api_lists_the_yearless_plan_last(plans, coordinator):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.issue(coordinator, '测试')[1]}")
    body = api.get("/api/v1/plans/").json()
    rows = body["results"] if isinstance(body, dict) else body
    assert [r["id"] for r in rows] == ids(plans)


def test_the_batch_report_lists_the_yearless_plans_tasks_last(plans, liaison, client):
    client.force_login(liaison)
    rows = client.get(f"/units/{liaison.profile.unit_id}/report/").context["rows"]
    order = list(dict.fromkeys(a.task.plan_id for a in rows))
    assert order == [p.pk for p in plans if p.pk in order] and order[-1] == plans[2].pk
