"""Every main page asks the database a fixed number of queries whatever the size of the data: the same
count with a plan of the seed's size as with a plan twice its size beside it, more years of the same units and
another organisation (bench/pages.py measures the time)."""
from __future__ import annotations

import datetime as dt
import difflib
import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from duban.plans import deadlines
from duban.plans.models import Assignment
from tests.pages_data import copy_plan, organisation

from .conftest import make_user

pytestmark = pytest.mark.django_db
AS_OF = "2021-12-31"  # the seed's year: the figures' day-by-day working-day arithmetic stays short


def pages(plan, unit_id):
    """(who, url, at most this many queries)."""
    p = plan.pk
    return [
        ("coordinator", f"/overview/?plan={p}", 25),
        ("coordinator", f"/overview/?plan={p}&light=all&sort=unit&page=3", 25),
        ("coordinator", f"/overview/export.xlsx?plan={p}&light=all", 25),
        ("leader", f"/overview/?plan={p}", 25),
        ("coordinator", "/review-queue/", 20),
        ("coordinator", "/review-queue/?page=2", 20),
        ("coordinator", f"/review-queue/?plan={p}", 20),
        ("liaison", f"/units/{unit_id}/", 30),  # + 签收 counts, 不涉及, 批示
        ("coordinator", f"/units/{unit_id}/?plan={p}", 30),
        ("coordinator", f"/plans/{p}/dashboard/?date={AS_OF}", 25),
        ("leader", f"/plans/{p}/assessment/?date={AS_OF}", 25),
        ("liaison", f"/plans/{p}/assessment/units/{unit_id}/?date={AS_OF}", 25),
        ("coordinator", f"/plans/{p}/documents/", 25),
        ("liaison", f"/plans/{p}/documents/", 25),
        # appended, so the unit pages stay at 7 and 8 below
        ("coordinator", f"/review-queue/?plan={p}&sort=due&timing=on_time", 20),
        ("coordinator", f"/review-queue/export.xlsx?plan={p}&sort=unit", 20),
        ("coordinator", "/review-queue/export.xlsx", 20),
    ]


def count(client, url) -> list[str]:
    """The SQL of the queries the page asked (numbers blanked, so that two sizes' lists can be compared)."""
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return [re.sub(r"\b\d+\b", "N", q["sql"]) for q in ctx.captured_queries]


def differences(small: dict, big: dict) -> str:
    """The pages whose counts differ, with the queries that differ (what a failing CI run must show)."""
    out = []
    for k in small:
        if len(small[k]) != len(big[k]):
            diff = difflib.unified_diff(small[k], big[k], "smaller data", "bigger data", lineterm="", n=0)
            out.append(f"{k}: {len(small[k])} -> {len(big[k])} queries\n" + "\n".join(diff))
    return "\n".join(out)


def test_queries_per_page_do_not_grow_with_the_data(seed_plan, org, unit, client, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(deadlines, "office_today", lambda: dt.date(2021, 11, 2))
    finance = unit("区财政局")
    users = {"coordinator": make_user(org, "coordinator", "coordinator"), "leader": make_user(org, "leader", "leader"),
             "liaison": make_user(org, "liaison-finance", "liaison", finance)}
    first = copy_plan(seed_plan, 2021, seed=1, submitter=users["liaison"])  # the seed's size, with progress and reports

    def measure(plan):
        out = {}
        for i, (who, url, limit) in enumerate(pages(plan, finance.pk)):
            client.force_login(users[who])
            count(client, url)  # warm: the calendar and the session are read once per process, not per size
            caches["default"].clear()  # the plan's facts read afresh, as after any change to them
            with django_assert_max_num_queries(limit, info=f"{who} {url}"):
                out[i, who, "cold"] = count(client, url)
            out[i, who, "kept"] = count(client, url)  # the facts from the cache (duban.assessment.factscache)
        return out

    small = measure(first)
    bigger = copy_plan(seed_plan, 2021, seed=2, times=2, submitter=users["liaison"])
    for year in (2019, 2020):
        copy_plan(seed_plan, year, seed=3, submitter=users["liaison"])
    other = organisation(org, "昆明市东川区人民政府", "东川区")
    copy_plan(seed_plan, 2021, org=other, seed=4)
    assert Assignment.objects.filter(task__plan=bigger).count() == 2 * Assignment.objects.filter(task__plan=first).count()
    assert Assignment.objects.count() > 6 * Assignment.objects.filter(task__plan=seed_plan).count()
    big = measure(bigger)
    # Same count, page by page: data-dependent queries (a prefetch skipped when it has nothing to fetch, a
    # relation read only for rows in a certain state) show up here, and the message names them.
    assert {k: len(v) for k, v in big.items()} == {k: len(v) for k, v in small.items()}, differences(small, big)
    # Kept facts: the figure pages (看板, 考评, a unit's 得分) read the plan's version instead of its assignments,
    # reports and status changes; no page reads more.
    fewer = {k[:2] for k in big if k[2] == "cold" and len(big[k[:2] + ("kept",)]) < len(big[k])}
    assert fewer == {(9, "coordinator"), (10, "leader"), (11, "liaison")}
    assert all(len(big[k[:2] + ("kept",)]) <= len(big[k]) for k in big if k[2] == "cold")

