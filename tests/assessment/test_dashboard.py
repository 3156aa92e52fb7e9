"""The dashboard's numbers for the simulated year, counted here from the story in year.py."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from .year import AS_OF, CIVIL, EDUCATION, FINANCE, JUSTICE

pytestmark = pytest.mark.django_db


def get(client, year, date):
    r = client.get(f"/plans/{year.plan.pk}/dashboard/?date={date}")
    assert r.status_code == 200
    return r


def test_year_end_figures_rates_lights_trend_and_overdue(year, as_user, leader):
    r = get(as_user(leader), year, AS_OF.isoformat())
    ctx = r.context
    total = ctx["total"]
    # 12 assignments; accepted by 12-31: 财政1, 民政1, 司法1, 民政2, 教体2, 财政3, 民政4 (教体3 only in 2022)
    assert (total.assigned, total.done) == (12, 7)
    # due by 12-31: tasks 1–3 (9 assignments); task 4 has no due date, task 5 is due in 2022
    assert (total.due, total.accepted_due) == (9, 6)
    # on time, of what was due: 财政1 (submitted on the due day), 民政2 (10-29 17:30, the due day), 财政3
    # (民政4 was accepted too, but has no due date: it is not in the denominator, so not in the numerator)
    assert total.on_time == 3
    assert (total.done_rate, total.on_time_rate) == (6 / 9, 3 / 9)  # rates divide by what was due
    assert total.awaiting == 1  # 教体3: submitted 12-31, accepted only in 2022
    # overdue (not done, due date passed): 财政2 only; 司法3 and 教体3 are due on the day itself
    assert total.overdue == 1
    units = {row.label: (row.assigned, row.done, row.on_time, row.overdue) for row in ctx["units"]}
    assert units == {FINANCE: (4, 2, 2, 1), CIVIL: (3, 3, 1, 0), JUSTICE: (2, 1, 0, 0), EDUCATION: (3, 1, 0, 0)}
    sections = {row.label: (row.assigned, row.done) for row in ctx["sections"]}
    assert sections == {"深化重点领域信息公开": (6, 5), "筑牢政务公开工作基础": (6, 2)}  # tasks 1–2; tasks 3–5
    lights = {k: n for k, _, n in ctx["lights"]}
    # not done: 财政2 red; 司法3 yellow; 教体3 (submitted 12-31 → 待审核), 教体4 (no due date → grey), 财政5 (2022-03-31 → green)
    # done: 7 accepted, of which 3 were accepted work that was due but submitted after it (逾期办结, the figures' "late")
    assert lights == {"done": 4, "late_done": 3, "red": 1, "yellow": 1, "review": 1, "green": 1, "grey": 1, "no_calendar": 0}
    assert lights["done"] + lights["late_done"] == total.done and lights["late_done"] == total.late
    assert [o.fact.unit_name for o in ctx["overdue"]] == [FINANCE]
    assert ctx["overdue"][0].days == 45  # working days from 10-29 to 12-31
    assert ctx["overdue"][0].calendar_days == 63  # calendar days from 10-29 to 12-31
    assert "截至2021年12月31日" in r.content.decode()
    trend = ctx["trend"]
    assert trend[0][0] == dt.date(2021, 8, 9)  # the Monday of the plan's week (issued 2021-08-12)
    assert trend[-1][2] == 7 and sum(n for _, n, _ in trend) == 7
    week_oct_11 = next(t for t in trend if t[0] == dt.date(2021, 10, 11))
    assert week_oct_11[1] == 2  # 民政1 on 10-11, 司法1 on 10-13
    # The same numbers go to the charts, as JSON in the page, and are in the tables under them.
    html = r.content.decode()
    data = json.loads(re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert data["units"]["labels"][:1] and len(data["units"]["done_rate"]) == 4
    assert data["trend"]["cumulative"][-1] == 7
    table = re.search(r'<table class="list trend">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    rows = re.findall(r'<tr><td>([-0-9]+)</td><td class="num">(\d+)</td><td class="num">(\d+)</td></tr>', table)
    assert len(rows) == len(trend) and rows[0][0] == "2021-08-09" and rows[-1][2] == "7"
    assert ("2021-10-11", "2", str(week_oct_11[2])) in rows
    assert {d["key"]: d["value"] for d in data["lights"]} == lights
    assert "vendor/echarts.min.js" in html and "dashboard.js" in html
    assert html.count('<table class="list rates cards">') == 2


def test_an_earlier_date(year, as_user, coordinator):
    ctx = get(as_user(coordinator), year, "2021-10-10").context
    # 财政1 done; 司法1 (returned 10-09, resubmitted only 10-12) overdue; 民政1, submitted on 10-08 and
    # reviewed only on 10-11, waits for the office: 待审核, not overdue against 民政
    assert (ctx["total"].done, ctx["total"].overdue, ctx["total"].awaiting) == (1, 1, 1)
    assert [o.fact.unit_name for o in ctx["overdue"]] == [JUSTICE]
    lights = {k: n for k, _, n in ctx["lights"]}
    assert lights["red"] == 1 and lights["review"] == 1
    assert ctx["backlog"].count == 1 and ctx["backlog"].oldest_days == 2 and ctx["backlog"].before_due == 0


def test_dashboard_is_for_readers_only(year, as_user, liaison):
    assert as_user(liaison).get(f"/plans/{year.plan.pk}/dashboard/").status_code in (403, 404)
