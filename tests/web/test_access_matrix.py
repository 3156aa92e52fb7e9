"""Who gets what, for every URL of the site: each pattern, its path filled with ids of one organisation's
objects, opened by every kind of user of that organisation, of another organisation, and by nobody.

The expectations are invariants rather than a hand-kept table, so a page added later is covered too:
- nobody signed in reaches nothing but the login page;
- no user of another organisation gets a page naming this organisation's objects (404/403, never 200);
- a liaison of another unit and a leader never get a page that changes something (GET of a form page
  is the view's business, but POST must be refused);
- no request answers 500.
"""
from __future__ import annotations

import pytest
from django.test import Client

from duban.directory.models import Organisation, Unit

from .conftest import make_user
from .test_hostile_input import fill, patterns, site  # noqa: F401 - site is a fixture

PUBLIC = {"login/", "logout/"}  # logout is POST-only; GET answers 405 without saying anything
LEADERS_WRITE = {"tasks/<int:task_id>/instructions/", "units/<int:unit_id>/instructions/"}  # 领导批示: the one thing a leader writes (tests/instructions)
# The API's description and its docs page name no object: anyone may read them (tests/api/test_schema.py).
PUBLIC |= {"api/schema/", "api/docs/"}
# 统一身份认证 (duban.accounts.oidc) starts and ends a sign-in: for people not yet signed in (404 when not configured).
PUBLIC |= {"oidc/authenticate/", "oidc/callback/"}
# The API answers a request without credentials 401 (and names no login page); tests/api covers it in full.
API = "api/v1/"


@pytest.fixture
def people(site, org, unit):
    other = Organisation.objects.create(name="昆明市东川区人民政府", short_name="东川区")
    other_unit = Unit.objects.create(org=other, name="区财政局", kind=Unit.BUREAU)
    civil = unit("区民政局")
    return {
        "other coordinator": make_user(other, "dc-coordinator", "coordinator"),
        "other leader": make_user(other, "dc-leader", "leader"),
        "other liaison": make_user(other, "dc-liaison", "liaison", other_unit),
        "leader": make_user(org, "xs-leader", "leader"),
        "liaison of another unit": make_user(org, "xs-civil", "liaison", civil),
    }


def urls(ids):
    for route, name in patterns():
        yield route, fill(route, name, ids)


def test_nobody_signed_in_reaches_only_the_login_page(site):
    client = Client()  # the site fixture's client is signed in
    for route, url in urls(site):
        r = client.get(url)
        assert r.status_code != 500, url
        if route in PUBLIC:
            continue
        if route.startswith(API):
            assert r.status_code == 401, (url, r.status_code)
            continue
        assert r.status_code in (302, 403, 404, 405), (url, r.status_code)
        if r.status_code == 302:
            assert r["Location"].startswith("/login/"), (url, r["Location"])


def test_another_organisation_never_sees_this_ones_objects(site, people):
    for who in ("other coordinator", "other leader", "other liaison"):
        c = Client()
        c.force_login(people[who])
        for route, url in urls(site):
            r = c.get(url)
            assert r.status_code != 500, (who, url)
            if "<" in route:  # the path names an object of 西山区
                assert r.status_code in (302, 403, 404, 405), (who, url, r.status_code)
            if r.status_code == 302:  # wherever it sends them, nothing of 西山区 is there
                r = c.get(r["Location"])
                assert r.status_code != 500, (who, url)
            if r.status_code == 200 and r.get("Content-Type", "").startswith(("text/html", "application/json")):
                body = r.content.decode()
                for secret in ("liaison-finance", "西山区2021", "信息发布错误"):
                    assert secret not in body, (who, url, secret)


SELECTORS = ["/overview/?plan={}", "/overview/export.xlsx?plan={}", "/dashboard/?plan={}", "/assessment/?plan={}",
             "/documents/?plan={}", "/units/{unit}/?plan={}"]  # the plan selector's ?plan=<id>


def test_the_plan_selector_never_opens_another_organisations_plan(site, people, coordinator):
    """?plan= of 西山区's plan, asked by each user of the other organisation (on their own pages): 404 or
    the page refused, never that plan."""
    for who in ("other coordinator", "other leader", "other liaison"):
        c = Client()
        c.force_login(people[who])
        own_unit = people[who].profile.unit_id or Unit.objects.filter(org=people[who].profile.org_id).first().pk
        for url in SELECTORS:
            r = c.get(url.format(site["plan_id"], unit=own_unit))
            assert r.status_code in (403, 404), (who, url, r.status_code)
    c = Client()
    c.force_login(coordinator)
    for url in SELECTORS:
        r = c.get(url.format(site["plan_id"], unit=site["unit_id"]))
        assert r.status_code in (200, 302), (url, r.status_code)


def test_leaders_and_other_units_change_nothing(site, people):
    """Every POST of the site, as a leader and as the liaison of another unit: refused, nothing written."""
    from duban.audit.models import AuditEvent
    from duban.instructions.models import Instruction
    from duban.notify.models import InboxMessage
    from duban.plans.models import ChangeRecord
    from duban.progress.models import Report, StatusChange
    from duban.reminders.models import Urge

    def counts():
        return (Report.objects.count(), StatusChange.objects.count(), ChangeRecord.objects.count(),
                AuditEvent.objects.exclude(action__in=["login", "logout", "export_download"]).count(),
                Instruction.objects.count(), Urge.objects.count(), InboxMessage.objects.count())

    before = counts()
    for who in ("leader", "liaison of another unit", "other coordinator"):
        c = Client()
        c.force_login(people[who])
        for route, url in urls(site):
            if route in PUBLIC or route.startswith("password/") or (who == "leader" and route in LEADERS_WRITE):
                continue
            r = c.post(url, {"text": "改动", "grade": "excellent", "reason": "改动", "units": [site["unit_id"]], "role": "lead"})
            assert r.status_code != 500, (who, url)
            if r.status_code == 200 and not r.get("Content-Type", "").startswith("text/html"):
                # a download answering POST as it answers GET: reading, which the organisation's leader may do
                # for its objects (a blank template, named by no id, is anyone's)
                assert who == "leader" or "<" not in route, (who, url)
                continue
            assert r.status_code in (302, 400, 403, 404, 405) or (r.status_code == 200 and "<form" in r.content.decode()), (who, url, r.status_code)
    assert counts() == before


def test_the_admin_is_refused_to_everyone_but_a_superuser(site, people, coordinator):
    for user in [coordinator, *people.values()]:
        c = Client()
        c.force_login(user)
        for url in ("/admin/", "/admin/auth/user/", "/admin/directory/unit/", "/admin/plans/plan/", "/admin/audit/auditevent/"):
            r = c.get(url)
            assert r.status_code == 302 and r["Location"].startswith("/admin/login/"), (user.username, url)


ISSUE_11_ROUTES = [  # 签收, report once, 不涉及, 延期申请, who reports (issue 11)
    "assignments/<int:assignment_id>/acknowledge/", "assignments/<int:assignment_id>/exempt/",
    "assignments/<int:assignment_id>/exempt/approve/", "assignments/<int:assignment_id>/extension/",
    "assignments/<int:assignment_id>/extension/decide/", "units/<int:unit_id>/acknowledge/", "units/<int:unit_id>/report/",
    "tasks/<int:task_id>/report-scope/", "tasks/<int:task_id>/close-responsible/",
]


def test_the_units_steps_are_refused_to_another_unit_and_organisation(site, people):
    """The walk above covers every pattern; these are named so that dropping one from the URLconf fails here."""
    from duban.plans.models import Assignment
    from duban.progress.models import ExtensionRequest, Report

    routes = {route: url for route, url in urls(site)}
    assert set(ISSUE_11_ROUTES) <= set(routes)
    before = (Report.objects.count(), ExtensionRequest.objects.count(),
              Assignment.objects.filter(acknowledged_at__isnull=False).count())
    for who in ("liaison of another unit", "other liaison", "other coordinator"):
        c = Client()
        c.force_login(people[who])
        for route in ISSUE_11_ROUTES:
            r = c.post(routes[route], {"reason": "x", "new_due": "2030-01-01", "decision": "approve", "scope": "lead", "a": [site["assignment_id"]], "text": "x"})
            assert r.status_code in (403, 404), (who, route, r.status_code)
    assert (Report.objects.count(), ExtensionRequest.objects.count(),
            Assignment.objects.filter(acknowledged_at__isnull=False).count()) == before


WEBHOOK_ROUTES = ["settings/webhooks/", "settings/webhooks/<int:subscription_id>/"]  # 事件推送 (issue 12)


def test_webhook_settings_are_the_coordinators_of_their_own_organisation(site, people, coordinator):
    """Only 西山区's coordinator reads or changes 西山区's subscriptions (the secret signs what the platform trusts)."""
    from duban.notify.models import Subscription

    routes = {route: url for route, url in urls(site)}
    assert set(WEBHOOK_ROUTES) <= set(routes)
    sub = Subscription.objects.get(pk=site["subscription_id"])
    for who in ("leader", "liaison of another unit", "other leader", "other liaison"):
        c = Client()
        c.force_login(people[who])
        for route in WEBHOOK_ROUTES:
            assert c.get(routes[route]).status_code == 403, (who, route)
            assert c.post(routes[route], {"name": "x", "url": "https://evil.example/", "events": ["plan.imported"]}).status_code == 403
    c = Client()
    c.force_login(people["other coordinator"])
    assert c.get(routes[WEBHOOK_ROUTES[1]]).status_code == 404
    assert c.post(routes[WEBHOOK_ROUTES[1]], {"name": "x", "url": "https://evil.example/", "events": ["plan.imported"]}).status_code == 404
    r = c.get(routes[WEBHOOK_ROUTES[0]])
    assert r.status_code == 200 and sub.secret not in r.content.decode() and sub.name not in r.content.decode()
    sub.refresh_from_db()
    assert (sub.url, sub.name) == ("https://platform.example.gov.cn/hook", "市平台")
    c.force_login(coordinator)
    assert sub.secret in c.get(routes[WEBHOOK_ROUTES[1]]).content.decode()


ISSUE_11_COORDINATOR_ROUTES = ["plans/<int:plan_id>/carry-over/"]  # 回头看: 结转上年未完成任务 (tests/web/test_carry_over.py)


def test_carrying_over_is_the_coordinators_alone(site, people, coordinator):
    from duban.plans.models import Assignment

    routes = {route: url for route, url in urls(site)}
    assert set(ISSUE_11_COORDINATOR_ROUTES) <= set(routes)
    for who in ("leader", "liaison of another unit", "other coordinator", "other leader", "other liaison"):
        c = Client()
        c.force_login(people[who])
        for route in ISSUE_11_COORDINATOR_ROUTES:
            assert c.get(routes[route]).status_code in (403, 404), (who, route)
            assert c.post(routes[route], {"a": [site["assignment_id"]]}).status_code in (403, 404), (who, route)
    c = Client()
    c.force_login(coordinator)
    for route in ISSUE_11_COORDINATOR_ROUTES:
        assert c.get(routes[route]).status_code == 200, route
    assert not Assignment.objects.filter(carried_from__isnull=False).exists()


QUEUE_ROUTES = ["review-queue/", "review-queue/export.xlsx"]  # the review queue and its export (issue 13)


def test_the_review_queue_and_its_export_are_the_coordinators_of_their_own_organisation(site, people, coordinator):
    """The queue shows, and the export writes, report text: a leader or liaison is refused; another organisation's
    coordinator, even asking for this organisation's plan by id, gets an empty queue."""
    import io

    import openpyxl

    routes = {route: url for route, url in urls(site)}
    assert set(QUEUE_ROUTES) <= set(routes)
    for who in ("leader", "liaison of another unit", "other leader", "other liaison"):
        c = Client()
        c.force_login(people[who])
        for route in QUEUE_ROUTES:
            assert c.get(routes[route], {"plan": site["plan_id"]}).status_code == 403, (who, route)
    c = Client()
    c.force_login(people["other coordinator"])
    r = c.get(routes["review-queue/"], {"plan": site["plan_id"], "unit": site["unit_id"]})
    assert r.status_code == 200 and len(r.context["reports"]) == 0 and "liaison-finance" not in r.content.decode()
    r = c.get(routes["review-queue/export.xlsx"], {"plan": site["plan_id"]})
    assert r.status_code == 200 and openpyxl.load_workbook(io.BytesIO(r.content)).active.max_row == 1  # the headings alone
    c.force_login(coordinator)
    r = c.get(routes["review-queue/export.xlsx"], {"plan": site["plan_id"]})
    assert openpyxl.load_workbook(io.BytesIO(r.content)).active.max_row == 2  # the liaison's report


ARCHIVED_ROUTES = ["units/<int:unit_id>/archived/"]  # 已归档: a unit's archived assignments with their reports (tests/progress/test_archive.py)


def test_archived_work_is_read_by_its_own_unit_and_the_office_only(site, people, coordinator):
    """区财政局's lead assignment, reported with a file, then archived: its liaison, the coordinator and the leader
    read it under 已归档 (and the file); the liaison of another unit and the other organisation get a 404."""
    from django.contrib.auth.models import User

    from duban.plans import archiving
    from duban.plans.models import Assignment
    from duban.progress.models import Attachment

    routes = {route: url for route, url in urls(site)}
    assert set(ARCHIVED_ROUTES) <= set(routes)
    archiving.archive_assignment(Assignment.objects.get(pk=site["assignment_id"]), coordinator, "测试归档")
    own = User.objects.get(pk=site["user_id"])  # 区财政局's liaison
    file_url = f"/attachments/{Attachment.objects.get().pk}/"
    for user in (own, coordinator, people["leader"]):
        c = Client()
        c.force_login(user)
        for route in ARCHIVED_ROUTES:
            r = c.get(routes[route])
            assert r.status_code == 200 and f'href="/assignments/{site["assignment_id"]}/"' in r.content.decode(), (user.username, route)
            assert c.post(routes[route]).status_code == 405
        assert c.get(file_url).status_code == 200
    for who in ("liaison of another unit", "other coordinator", "other leader", "other liaison"):
        c = Client()
        c.force_login(people[who])
        for route in ARCHIVED_ROUTES:
            assert c.get(routes[route]).status_code == 404, (who, route)
        assert c.get(file_url).status_code == 404 and c.get(f"/assignments/{site['assignment_id']}/").status_code == 404
