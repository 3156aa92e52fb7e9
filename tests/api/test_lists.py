"""Filters, pagination, throttling, figures and hostile input of the API."""
from __future__ import annotations

import datetime

import pytest
from rest_framework.throttling import SimpleRateThrottle

from duban.plans import deadlines
from duban.plans.models import Assignment
from duban.progress.models import Report
from tests.web.test_hostile_input import HOSTILE


def results(r) -> list[dict]:
    assert r.status_code == 200, r.content
    return r.json()["results"]


def test_assignments_filter_by_unit_status_light_and_due_date(api, people, plan, lead, unit):
    c = api(people["coordinator"])
    everything = results(c.get("/api/v1/assignments/", {"page_size": 200}))
    assert len(everything) == Assignment.objects.filter(task__plan=plan).count() > 50

    finance = unit("区财政局").pk
    mine = results(c.get("/api/v1/assignments/", {"unit": finance}))
    assert mine and {a["unit"] for a in mine} == {finance}

    r = api(people["liaison"]).post(f"/api/v1/assignments/{lead.pk}/reports/", {"text": "已公开。"}, format="json")
    assert r.status_code == 201
    submitted = results(c.get("/api/v1/assignments/", {"status": "submitted"}))
    assert [a["id"] for a in submitted] == [lead.pk]

    # every assignment has exactly one light, the filter agrees with it, and 待审核 is never red
    by_light = {}
    for key in deadlines.LIGHT_ORDER:
        rows = results(c.get("/api/v1/assignments/", {"light": key, "page_size": 200}))
        assert all(a["light"] == key for a in rows)
        by_light[key] = {a["id"] for a in rows}
    assert sum(len(v) for v in by_light.values()) == len(everything)
    assert by_light["review"] == {lead.pk}
    assert by_light["red"]  # the 2021 plan's dated work is long overdue

    day = datetime.date(2021, 10, 1)
    before = results(c.get("/api/v1/assignments/", {"due_before": day.isoformat(), "page_size": 200}))
    assert len(before) == Assignment.objects.filter(task__plan=plan, due_date__lt=day).count()
    assert all(a["due_date"] < day.isoformat() for a in before)

    combined = results(c.get("/api/v1/assignments/", {"unit": finance, "status": "not_started", "light": "red"}))
    assert all(a["unit"] == finance and a["status"] == "not_started" and a["light"] == "red" for a in combined)


def test_bad_filters_are_a_400_in_chinese(api, people, plan):
    c = api(people["coordinator"])
    r = c.get("/api/v1/assignments/", {"due_before": "2021-02-30"})
    assert r.status_code == 400 and "日期格式错误" in r.json()["due_before"][0]
    r = c.get("/api/v1/assignments/", {"status": "done"})
    assert r.status_code == 400 and "不是合法选项" in r.json()["status"][0]
    r = c.get("/api/v1/assignments/", {"unit": "99999999999999999999"})
    assert r.status_code == 400
    r = c.get(f"/api/v1/plans/{plan.pk}/figures/", {"as_of": "9999-99-99"})
    assert r.status_code == 400 and "as_of" in r.json()


def test_every_endpoint_answers_hostile_input_without_a_500(api, people, plan, lead):
    c = api(people["coordinator"])
    report = api(people["liaison"]).post(f"/api/v1/assignments/{lead.pk}/reports/", {"text": "x"}, format="json").json()
    urls = ["/api/v1/plans/", f"/api/v1/plans/{plan.pk}/", f"/api/v1/plans/{plan.pk}/figures/", "/api/v1/assignments/",
            f"/api/v1/assignments/{lead.pk}/", f"/api/v1/assignments/{lead.pk}/reports/", "/api/v1/reports/",
            f"/api/v1/reports/{report['id']}/", "/api/v1/units/", "/api/v1/groups/"]
    keys = ["plan", "unit", "status", "light", "due_before", "assignment", "outcome", "as_of", "page", "page_size", "format"]
    for url in urls:
        for value in HOSTILE:
            for q in [{k: value for k in keys}, *({k: value} for k in keys)]:
                r = c.get(url, q)
                assert r.status_code < 500, (url, q, r.status_code)
    for path in ("/api/v1/plans/99999999999999999999/", "/api/v1/assignments/0/", "/api/v1/reports/99999999999999999999/",
                 "/api/v1/plans/-1/", "/api/v1/units/abc/"):
        assert c.get(path).status_code == 404, path
    # hostile bodies to every action
    for action in ("reports", "accept", "return"):
        for value in HOSTILE:
            data = {"text": value, "grade": value, "reason": value, "note": value, "published_on": value, "links": [value]}
            r = c.post(f"/api/v1/assignments/{lead.pk}/{action}/", data, format="json")
            assert r.status_code < 500, (action, value[:20], r.status_code)
    r = c.post(f"/api/v1/assignments/{lead.pk}/accept/", b"{not json", content_type="application/json")
    assert r.status_code == 400 and "JSON" in r.json()["detail"]


def test_figures_at_an_as_of_date_scoped_like_the_pages(api, people, plan):
    c = api(people["coordinator"])
    now = c.get(f"/api/v1/plans/{plan.pk}/figures/").json()
    assert now["as_of"] == deadlines.office_today().isoformat()
    assert now["assignments"]["total"] == Assignment.objects.filter(task__plan=plan).count()
    assert now["assignments"]["due"] > 0
    early = c.get(f"/api/v1/plans/{plan.pk}/figures/", {"as_of": "2021-01-01"}).json()
    assert early["as_of"] == "2021-01-01" and early["assignments"]["due"] < now["assignments"]["due"]
    assert early["assignments"]["overdue"] <= early["assignments"]["due"]
    own = api(people["liaison"]).get(f"/api/v1/plans/{plan.pk}/figures/").json()
    finance = people["liaison"].profile.unit_id
    assert own["assignments"]["total"] == Assignment.objects.filter(task__plan=plan, unit=finance).count()
    assert [u["key"] for u in own["units"]] == [str(finance)]


def test_pagination_fifty_to_a_page_at_most_two_hundred(api, people, lead):
    Report.objects.bulk_create(Report(assignment=lead, text=f"第{i}次") for i in range(230))
    c = api(people["coordinator"])
    first = c.get("/api/v1/reports/").json()
    assert first["count"] == 230 and len(first["results"]) == 50 and "page=2" in first["next"]
    assert len(c.get("/api/v1/reports/", {"page": 5}).json()["results"]) == 30
    assert len(c.get("/api/v1/reports/", {"page_size": 120}).json()["results"]) == 120
    assert len(c.get("/api/v1/reports/", {"page_size": 1000}).json()["results"]) == 200
    r = c.get("/api/v1/reports/", {"page": 99})
    assert r.status_code == 404 and "无效页" in r.json()["detail"]
    seen = set()
    for page in range(1, 6):
        seen |= {x["id"] for x in c.get("/api/v1/reports/", {"page": page}).json()["results"]}
    assert len(seen) == 230


@pytest.fixture
def low_rates(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "5/minute", "anon": "3/minute"})


def test_throttling_answers_429_per_user(api, people, low_rates):
    c = api(people["coordinator"])
    codes = [c.get("/api/v1/units/").status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    r = c.get("/api/v1/units/")
    assert r.status_code == 429 and "限流" in r.json()["detail"] and int(r["Retry-After"]) > 0
    assert api(people["leader"]).get("/api/v1/units/").status_code == 200  # per user
    # without credentials the API refuses before counting (401); what is public, the docs, is throttled
    anonymous = [api().get("/api/docs/").status_code for _ in range(4)]
    assert anonymous == [200, 200, 200, 429]
