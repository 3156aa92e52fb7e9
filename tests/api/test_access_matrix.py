"""Every API endpoint × every role × two organisations: the same scoping as the pages (duban.plans.access).

The endpoints are read from the URL patterns, so an endpoint added later is covered too. Invariants:
- nobody without a token or session gets anything (401);
- a user of another organisation never gets an object of this one (404), and its lists hold none;
- a liaison of another unit never gets the finance bureau's assignment, report or file (404);
- leaders change nothing; no request answers 500.
"""
from __future__ import annotations

import pytest

from duban.plans.models import Assignment
from duban.progress.models import Report, StatusChange
from tests.progress.samples import PDF, upload
from tests.web.test_hostile_input import fill, patterns

SECRET = "财政局尚未公开的进展说明"


@pytest.fixture
def ids(api, people, plan, lead, unit):
    r = api(people["liaison"]).post(f"/api/v1/assignments/{lead.pk}/reports/",
                                    {"text": SECRET, "files": [upload("预算.pdf", PDF)]}, format="multipart")
    assert r.status_code == 201
    report = Report.objects.get()
    return {"plan_id": plan.pk, "assignment_id": lead.pk, "report_id": report.pk,
            "attachment_id": report.attachments.get().pk, "unit_id": unit("区财政局").pk}


def endpoints(ids):
    routes = [(route, fill(route, name, ids)) for route, name in patterns() if route.startswith("api/v1/")]
    assert len(routes) >= 14
    return routes


def body(r) -> str:
    content = b"".join(r.streaming_content) if r.streaming else r.content
    return content.decode("utf-8", "replace")


def test_nobody_without_credentials_gets_anything(api, ids):
    for route, url in endpoints(ids):
        r = api().get(url)
        assert r.status_code == 401, (url, r.status_code)
        assert r.json()["detail"] == "身份认证信息未提供。"


def test_the_organisation_s_coordinator_and_leader_read_everything(api, people, ids):
    for who in ("coordinator", "leader"):
        c = api(people[who])
        for route, url in endpoints(ids):
            if route.endswith(("accept/", "return/")):
                continue  # POST only
            r = c.get(url)
            assert r.status_code == 200, (who, url, r.status_code)
        assert SECRET in body(c.get("/api/v1/reports/"))


def test_a_liaison_reads_their_own_unit_only(api, people, ids, plan):
    own, other = api(people["liaison"]), api(people["liaison of another unit"])
    for route, url in endpoints(ids):
        if route.endswith(("accept/", "return/")):
            continue
        r = own.get(url)
        assert r.status_code == (403 if route == "api/v1/groups/" else 200), (url, r.status_code)
        r = other.get(url)
        assert r.status_code != 500
        if "<" in route and not route.startswith("api/v1/plans/"):
            assert r.status_code == 404, (url, r.status_code)
        if r.status_code == 200:
            assert SECRET not in body(r), url
    # a liaison's lists hold only their unit's work
    units = {a["unit"] for a in own.get("/api/v1/assignments/", {"page_size": 200}).json()["results"]}
    assert units == {ids["unit_id"]}
    listed = other.get("/api/v1/assignments/", {"page_size": 200}).json()["results"]
    assert listed and ids["unit_id"] not in {a["unit"] for a in listed}
    detail = other.get(f"/api/v1/plans/{plan.pk}/").json()
    assert {a["unit"] for t in detail["tasks"] for a in t["assignments"]} == {people["liaison of another unit"].profile.unit_id}
    assert [u["id"] for u in other.get("/api/v1/units/").json()["results"]] == [people["liaison of another unit"].profile.unit_id]


def test_another_organisation_sees_nothing_of_this_one(api, people, ids):
    for who in ("other coordinator", "other leader", "other liaison"):
        c = api(people[who])
        for route, url in endpoints(ids):
            r = c.get(url)
            assert r.status_code != 500, (who, url)
            if "<" in route:
                assert r.status_code in (404, 405), (who, url, r.status_code)
                continue
            if route == "api/v1/groups/" and who == "other liaison":
                assert r.status_code == 403
                continue
            assert r.status_code == 200, (who, url, r.status_code)
            text = body(r)
            for secret in (SECRET, "西山区2021", "liaison-finance", "区政府办公室"):
                assert secret not in text, (who, url, secret)


def test_leaders_other_units_and_other_organisations_change_nothing(api, people, ids):
    def counts():
        return Report.objects.count(), StatusChange.objects.count(), list(Assignment.objects.values_list("status", flat=True).order_by("pk"))

    before = counts()
    data = {"text": "改动", "grade": "excellent", "reason": "改动", "links": ["https://x.gov.cn/"]}
    for who in ("leader", "liaison of another unit", "other coordinator", "other leader", "other liaison"):
        c = api(people[who])
        for route, url in endpoints(ids):
            for method in (c.post, c.put, c.patch, c.delete):
                r = method(url, data, format="json")
                assert r.status_code in (403, 404, 405), (who, method.__name__, url, r.status_code)
    assert counts() == before
