"""No 500 from user input: every URL pattern of the site, its path filled with ids that exist, opened by a
coordinator with hostile values in every query parameter the view reads.

The parameters are not listed by hand: a first, plain request to each page records which keys of
request.GET the view (or a form bound to it) reads, so a parameter added to a view later is tried too.
"""
from __future__ import annotations

import datetime
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from django.core.management import call_command
from django.http import QueryDict
from django.urls import URLPattern, URLResolver
from django.utils.datastructures import MultiValueDict

from duban import urls as site_urls
from duban.api.models import ApiToken
from duban.assessment.models import Deduction
from duban.exports.models import ExportJob
from duban.notify.models import InboxMessage, Subscription
from duban.plans.models import Assignment, ImportJob, Plan, PlanWarning
from duban.progress.models import Attachment, Report
from tests.ingest.builders import TABLE, TITLE, build_docx
from tests.progress.samples import PDF, upload as evidence

from .conftest import make_user
from .test_import import upload

HOSTILE = [
    "99999999999999999999",  # past every integer column
    "-1",
    "abc",
    "2021-02-30",
    "9999-99-99",
    "0",
    "x" * 5000,
    "\x00",  # PostgreSQL refuses NUL in text
    "%_' OR 1=1 --",
    "9999-12-31",  # the last date there is: no date arithmetic may run past it
    "0001-01-01",
]
ALWAYS_TRIED = ["page"]  # read by no view today; a view that starts paging must cope with it


def patterns(resolvers=None, prefix=""):
    """(route, name, converters) of every pattern, the admin left out (Django's own, for staff only)."""
    for p in resolvers if resolvers is not None else site_urls.urlpatterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            if route.startswith("admin/"):
                continue
            yield from patterns(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            yield route, p.name


@pytest.fixture
def site(client, org, unit, coordinator):
    """A small plan with sections imported through the upload, a liaison's report with a file, an
    export job, a deduction: one object of every kind a URL names."""
    client.force_login(coordinator)
    assert upload(client, build_docx(TITLE, TABLE[:7]), "plan.docx").status_code == 302
    plan = Plan.objects.get()
    finance = unit("区财政局")
    lead = Assignment.objects.get(task__plan=plan, unit=finance, role="lead", task__no=5)
    liaison = make_user(org, "liaison-finance", "liaison", finance)
    client.force_login(liaison)
    client.post(f"/assignments/{lead.pk}/start/")
    r = client.post(f"/assignments/{lead.pk}/report/", {"text": "已公开。", "files": [evidence("预算.pdf", PDF)]})
    assert r.status_code == 302
    client.force_login(coordinator)
    assert client.post(f"/plans/{plan.pk}/documents/new/", {"kind": "division", "fmt": "xlsx"}).status_code == 302
    call_command("run_exports", stdout=io.StringIO())
    deduction = Deduction.objects.create(plan=plan, unit=finance, points=1, reason="信息发布错误", by=coordinator)
    from duban.audit.models import Lockout

    lockout = Lockout.objects.create(kind=Lockout.USERNAME, key="liaison-finance", org=org, failures=5,
                                     until=timezone.now() + datetime.timedelta(minutes=15))
    return {
        "user_id": liaison.pk, "lockout_id": lockout.pk,
        "report_id": Report.objects.get().pk, "token_id": ApiToken.issue(liaison, "市平台对接")[0].pk,
        "plan_id": plan.pk, "task_id": lead.task_id, "unit_id": finance.pk, "assignment_id": lead.pk,
        "attachment_id": Attachment.objects.get().pk, "warning_id": PlanWarning.objects.filter(plan=plan).first().pk,
        "deduction_id": deduction.pk, "token": "0" * 64,
        "import_job": ImportJob.objects.get().pk, "export_job": ExportJob.objects.get().pk,
        "message_id": InboxMessage.objects.filter(user=coordinator).first().pk,  # the liaison's report, in the inbox
        "subscription_id": Subscription.objects.create(org=org, name="市平台", url="https://platform.example.gov.cn/hook",
                                                       secret="西山区2021-secret", events=["plan.imported"]).pk,
    }


def fill(route: str, name: str, ids: dict) -> str:
    def arg(m):
        key = m[2]
        if key == "job_id":
            key = "import_job" if name == "import_job" else "export_job"
        return str(ids[key])

    path = re.sub(r"<(?:(\w+):)?(\w+)>", arg, route)
    return "/" + path


def params_read(client, url, monkeypatch) -> set[str]:
    seen: set[str] = set()

    def recording(method):
        def wrapper(self, key, *args, **kwargs):
            seen.add(key)
            return method(self, key, *args, **kwargs)

        return wrapper

    with monkeypatch.context() as m:
        for method in ("get", "getlist", "__getitem__", "__contains__"):
            m.setattr(QueryDict, method, recording(getattr(MultiValueDict, method)), raising=False)
        client.get(url, {"_": "1"})  # not empty: views read `request.GET or None` only when there is a query
    return seen - {"_", "csrfmiddlewaretoken"}


SHARDS = 4  # the suite's longest walk, in four parts that pytest-xdist's workers share (make test -n 2)


@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_page_answers_hostile_query_strings_without_a_500(shard, site, client, coordinator, monkeypatch):
    client.force_login(coordinator)
    client.raise_request_exception = False
    urls = [fill(route, name, site) for route, name in patterns()]
    assert len(urls) > 40 and f"/plans/{site['plan_id']}/print/" in urls
    failures, tried = [], 0
    for url in urls[shard::SHARDS]:  # every URL in exactly one shard
        keys = sorted(params_read(client, url, monkeypatch) | set(ALWAYS_TRIED))
        queries = [{k: v for k in keys} for v in HOSTILE]  # all at once
        queries += [{k: v} for k in keys for v in HOSTILE]  # one at a time: an early 404 hides nothing
        for q in queries:
            r = client.get(url, q)
            tried += 1
            if r.status_code >= 500:
                failures.append((url, {k: v[:30] for k, v in q.items()}, r.status_code))
    assert failures == [], sorted({(url, tuple(q), v) for url, q, _ in failures for v in [tuple(q.values())[0] if len(q) == 1 else "all"]})
    assert tried > 500 // SHARDS


def test_the_walk_reads_the_parameters_of_the_division_table(site, client, coordinator, monkeypatch):
    """The discovery itself works: the division table's filters are found without being listed."""
    client.force_login(coordinator)
    assert {"q", "unit", "role", "section", "kind", "month", "open"} <= params_read(client, f"/plans/{site['plan_id']}/", monkeypatch)
    assert {"date"} <= params_read(client, f"/plans/{site['plan_id']}/assessment/", monkeypatch)
    assert {"as_of", "fmt"} <= params_read(client, f"/plans/{site['plan_id']}/documents/bulletin/", monkeypatch)
    overview = {"plan", "unit", "light", "status", "section", "sort", "page"}  # the overview's list
    assert overview <= params_read(client, "/overview/", monkeypatch)
    assert overview - {"page"} <= params_read(client, "/overview/export.xlsx", monkeypatch)
    assert {"plan", "page"} <= params_read(client, f"/units/{site['unit_id']}/", monkeypatch)
    queue = {"plan", "unit", "section", "timing", "sort", "page"}  # the review queue's filters (the section once a plan is chosen)
    assert queue <= params_read(client, "/review-queue/", monkeypatch)
    assert queue - {"page"} <= params_read(client, "/review-queue/export.xlsx", monkeypatch)
    assert {"page"} <= params_read(client, f"/units/{site['unit_id']}/archived/", monkeypatch)  # 已归档
    for home in ("/dashboard/", "/assessment/", "/documents/"):  # the plan selector
        assert {"plan"} <= params_read(client, home, monkeypatch)


def test_bad_filters_of_the_division_table_are_ignored_and_named(site, client, coordinator):
    client.force_login(coordinator)
    plan = site["plan_id"]
    everything = client.get(f"/plans/{plan}/").context["count"]
    r = client.get(f"/plans/{plan}/", {"unit": "99999999999999999999", "month": "2021-13", "q": "x" * 5000, "kind": "lead"})
    assert r.status_code == 200 and r.context["count"] == everything
    assert "以下筛选条件无效，已忽略：关键词、单位、时限、截止月份。" in r.content.decode()
    r = client.get(f"/plans/{plan}/", {"unit": site["unit_id"], "month": "2021-13"})  # the good filter still applies
    assert 0 < r.context["count"] < everything and r.context["unit"].pk == site["unit_id"]
    assert "已忽略：截止月份" in r.content.decode()
    assert "已忽略" not in client.get(f"/plans/{plan}/", {"month": "2021-10"}).content.decode()


def test_a_bad_date_on_the_bulletin_page_is_ignored_with_a_message(site, client, coordinator):
    client.force_login(coordinator)
    r = client.get(f"/plans/{site['plan_id']}/documents/bulletin/", {"as_of": "2021-02-30", "fmt": "pdf"}, follow=True)
    assert r.status_code == 200
    html = r.content.decode()
    assert "统计截止日期无效，已忽略。" in html and "格式无效，已忽略。" in html
    assert r.context["form"].initial["fmt"] == "docx"


def test_the_review_queue_and_overview_ignore_ids_out_of_range(site, client, coordinator):
    client.force_login(coordinator)
    r = client.get("/review-queue/", {"plan": "99999999999999999999", "unit": "-1"})
    assert r.status_code == 200 and len(r.context["reports"]) == 1
    assert r.context["filters"] == {"plan": None, "unit": None, "section": None, "timing": None, "sort": "submitted"}
    assert client.get("/overview/", {"plan": "99999999999999999999"}).context["plan"].pk == site["plan_id"]
    assert client.get("/overview/", {"plan": "12345"}).status_code == 404  # a valid id of no plan the user sees
    r = client.post(f"/overview/urge/{site['unit_id']}/", {"plan": "abc"})
    assert r.status_code == 404


def test_the_review_queue_and_its_export_ignore_bad_filters(site, client, coordinator):
    client.force_login(coordinator)
    for query in ({"plan": site["plan_id"], "section": "99999999999999999999", "timing": "x" * 5000, "sort": "\x00", "page": "abc"},
                  {"section": "-1", "timing": "0001-01-01", "sort": "%_' OR 1=1 --", "unit": "abc"}):
        r = client.get("/review-queue/", query)
        assert r.status_code == 200 and len(r.context["reports"]) == 1
        assert (r.context["filters"]["section"], r.context["filters"]["timing"], r.context["filters"]["sort"]) == (None, None, "submitted")
        r = client.get("/review-queue/export.xlsx", query)
        assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_overview_list_and_the_unit_page_ignore_bad_filters(site, client, coordinator):
    client.force_login(coordinator)
    for query in ({"unit": "99999999999999999999", "section": "-1", "light": "x" * 5000, "status": "\x00", "sort": "0", "page": "abc"},
                  {"light": "all", "sort": "unit", "page": "9999999999"}):
        r = client.get("/overview/", query)
        assert r.status_code == 200 and r.context["shown"].unit is None and r.context["shown"].section is None
        assert client.get("/overview/export.xlsx", query).status_code == 200
    assert client.get(f"/units/{site['unit_id']}/", {"plan": "99999999999999999999", "page": "-1"}).context["current"].pk == site["plan_id"]
    assert client.get(f"/units/{site['unit_id']}/", {"plan": "12345"}).status_code == 404
    for page in ("-1", "abc", "99999999999999999999", "\x00"):  # 已归档: a bad page is the first or the last
        assert client.get(f"/units/{site['unit_id']}/archived/", {"page": page}).status_code == 200
    for home in ("/dashboard/", "/assessment/", "/documents/"):
        assert client.get(home, {"plan": "99999999999999999999"})["Location"].startswith(f"/plans/{site['plan_id']}/")
        assert client.get(home, {"plan": "12345"}).status_code == 404


def test_the_oidc_callback_and_the_external_id_answer_hostile_input_without_a_500(site, client, coordinator, settings):
    """统一身份认证 configured with a provider that does not answer (nothing listens on port 9): the sign-in's
    two views with hostile query strings, with and without a started sign-in (a state in the session), and
    the coordinator's 统一身份标识 form with hostile values. Refused with a message, never a 500."""
    settings.DUBAN_OIDC_CLIENT_ID = "duban"
    settings.DUBAN_OIDC_AUTHORIZATION_ENDPOINT = "http://127.0.0.1:9/authorize"
    settings.DUBAN_OIDC_TOKEN_ENDPOINT = "http://127.0.0.1:9/token"
    settings.DUBAN_OIDC_JWKS_ENDPOINT = "http://127.0.0.1:9/jwks"
    client.raise_request_exception = False
    client.logout()
    for value in HOSTILE:
        for query in ({"code": value, "state": value}, {"error": value, "state": value}, {"next": value}):
            r = client.get("/oidc/authenticate/", query)
            assert r.status_code == 302, (query, r.status_code)
            state = parse_qs(urlsplit(r["Location"]).query).get("state", [None])[0]
            for q in (query, {"code": value, "state": state}):
                r = client.get("/oidc/callback/", q)
                assert r.status_code == 302 and r["Location"] == "/login/", (q, r.status_code)
    client.force_login(coordinator)
    for value in HOSTILE:
        r = client.post(f"/accounts/users/{site['user_id']}/external-id/", {"external_id": value})
        assert r.status_code == 302, (value, r.status_code)
    from duban.accounts.models import Profile

    assert "\x00" not in Profile.objects.get(user_id=site["user_id"]).external_id


def test_the_carry_over_form_refuses_bad_ids_with_a_message(site, client, coordinator):
    """结转上年未完成任务: its POST parameters a (assignment ids, many) and target (a task id, optional)."""
    from duban.plans.models import Assignment

    client.force_login(coordinator)
    url = f"/plans/{site['plan_id']}/carry-over/"
    for data in ({"a": ["99999999999999999999"]}, {"a": ["-1", "\x00"]}, {"a": ["x" * 5000]}, {"a": [str(site["assignment_id"])]},
                 {"a": ["1"], "target": "99999999999999999999"}, {"a": ["1"], "target": "\x00"}):
        r = client.post(url, data)
        assert r.status_code == 400 and 'class="error"' in r.content.decode(), data
    assert not Assignment.objects.filter(carried_from__isnull=False).exists()
