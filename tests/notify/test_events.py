"""Outgoing webhooks (duban.notify.events) against a real receiver on 127.0.0.1: the events of the lifecycle,
plan import and bulletin, signed with HMAC-SHA256, retried after a refusal, each delivered exactly once."""
from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from duban.directory.models import Organisation
from duban.notify import events
from duban.notify.models import Notification, Subscription
from duban.notify.outbox import deliver_due
from duban.progress import lifecycle
from duban.progress.lifecycle import ReportDraft
from tests.web.conftest import coordinator, liaison, media_root, org, seed_plan, unit  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "s3cret-of-the-city-platform"
LINK = [("http://www.xishan.gov.cn/c/2021-09-30/5000001.shtml", "2021年部门预算公开")]


class Receiver:
    """A platform following Duban: verifies each signature as the README tells it to, answers ``status``."""

    def __init__(self, secret=SECRET):
        self.status, self.received, self.bad_signatures = 200, [], 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                expected = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
                if not hmac.compare_digest(expected, self.headers.get("X-Duban-Signature", "")):
                    receiver.bad_signatures += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                receiver.received.append({"headers": dict(self.headers), "body": json.loads(raw), "path": self.path})
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/duban/events"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def subscribe(org, url, events=None, secret=SECRET, **kw):
    return Subscription.objects.create(org=org, name="市政务公开平台", url=url, secret=secret,
                                       events=events or [code for code, _ in Subscription.EVENT_CHOICES], **kw)


def test_submit_return_accept_reach_the_receiver_signed(seed_plan, org, unit, liaison, coordinator, receiver):
    sub = subscribe(org, receiver.url)
    a = seed_plan.tasks.get(no=8).assignments.get(unit=unit("区财政局"), role="lead")
    first = lifecycle.submit(a, liaison, ReportDraft(text="已公开。", links=list(LINK)))
    lifecycle.return_(a, coordinator, "链接打不开。")
    second = lifecycle.submit(a, liaison, ReportDraft(text="已更正。", links=list(LINK)))
    lifecycle.accept(a, coordinator, "good")

    assert deliver_due().sent == 4
    assert receiver.bad_signatures == 0
    got = [(r["body"]["event"], r["body"]["data"]["report"]["id"]) for r in sorted(receiver.received, key=lambda r: r["body"]["id"])]
    assert got == [("assignment.submitted", first.pk), ("assignment.returned", first.pk),
                   ("assignment.submitted", second.pk), ("assignment.accepted", second.pk)]
    for r in receiver.received:
        body, headers = r["body"], r["headers"]
        assert r["path"] == "/duban/events"
        assert headers["X-Duban-Event"] == body["event"]
        assert headers["X-Duban-Delivery"] == str(body["id"])
        assert Notification.objects.get(pk=body["id"]).recipient == str(sub.pk)
        assert set(body) == {"event", "id", "occurred_at", "data"}
        assert body["data"]["assignment"]["id"] == a.pk and body["data"]["unit"]["name"] == "区财政局"
        assert body["data"]["plan"]["id"] == seed_plan.pk
    accepted = next(r["body"] for r in receiver.received if r["body"]["event"] == "assignment.accepted")
    assert accepted["data"]["assignment"]["status"] == "accepted" and accepted["data"]["report"]["grade"] == "good"
    assert deliver_due().sent == 0 and len(receiver.received) == 4


def test_a_refusal_is_retried_with_back_off_then_delivered_exactly_once(org, receiver):
    subscribe(org, receiver.url)
    events.emit("plan.imported", org.pk, "plan:1:abc", {"plan": {"id": 1}})
    receiver.status = 500
    now = timezone.now()

    report = deliver_due(now=now)

    assert (report.sent, report.retrying) == (0, 1)
    row = Notification.objects.get()
    assert (row.status, row.attempts) == ("pending", 1) and "HTTP 500" in row.last_error
    receiver.status = 200
    assert deliver_due(now=now + datetime.timedelta(seconds=30)).sent == 0  # still backing off
    assert len(receiver.received) == 1
    assert deliver_due(now=now + datetime.timedelta(minutes=1)).sent == 1
    assert deliver_due(now=now + datetime.timedelta(hours=1)).sent == 0  # a second run sends nothing
    first, second = receiver.received
    assert first["body"] == second["body"]  # the same delivery, the same bytes: the receiver may dedupe by id
    assert Notification.objects.get().status == "sent"


def test_a_timeout_is_retried(org, monkeypatch):
    from tests.notify.conftest import HangingServer

    server = HangingServer()
    try:
        monkeypatch.setattr(events, "HTTP_TIMEOUT", 1)
        subscribe(org, server.url + "/hook")
        events.emit("bulletin.issued", org.pk, "bulletin:1", {})
        assert deliver_due().retrying == 1
        assert "超时" in Notification.objects.get().last_error
    finally:
        server.close()


def test_one_event_per_object_and_subscription_even_if_emitted_again(org, receiver):
    a, b = subscribe(org, receiver.url), subscribe(org, receiver.url + "?b")
    assert events.emit("bulletin.issued", org.pk, "bulletin:7", {"n": 1}) == 2
    assert events.emit("bulletin.issued", org.pk, "bulletin:7", {"n": 1}) == 0
    assert sorted(Notification.objects.values_list("recipient", flat=True)) == sorted([str(a.pk), str(b.pk)])


def test_only_the_organisations_active_subscribers_of_that_event(org, receiver):
    other = Organisation.objects.create(name="昆明市东川区人民政府", short_name="东川区")
    subscribe(other, receiver.url)
    subscribe(org, receiver.url, events=["plan.imported"])
    subscribe(org, receiver.url, active=False)
    assert events.emit("bulletin.issued", org.pk, "bulletin:1", {}) == 0
    assert events.emit("plan.imported", org.pk, "plan:1:x", {}) == 1


def test_a_paused_subscription_gets_nothing_more(org, receiver):
    sub = subscribe(org, receiver.url)
    events.emit("plan.imported", org.pk, "plan:1:x", {})
    sub.active = False
    sub.save()
    assert deliver_due().failed == 1
    assert receiver.received == [] and "停用" in Notification.objects.get().last_error


def test_the_plan_import_is_announced_after_it_is_stored(org, receiver):
    from tests.web.conftest import SEED, parsed_seed, seed_bytes
    from duban.plans import importing

    subscribe(org, receiver.url)
    plan = importing.apply(importing.prepare(org, seed_bytes(), SEED.name, parsed=parsed_seed()))
    assert deliver_due().sent == 1
    [r] = receiver.received
    assert r["body"]["event"] == "plan.imported"
    assert r["body"]["data"]["plan"] == {"id": plan.pk, "title": plan.title, "year": plan.year, "tasks": plan.tasks.count()}


def test_issuing_a_bulletin_is_announced_with_its_number(seed_plan, org, coordinator, receiver):
    from duban.exports.models import Bulletin

    subscribe(org, receiver.url, events=["bulletin.issued"])
    day = datetime.date(2021, 10, 8)
    bulletin = Bulletin.issue(seed_plan, 2021, day, day, {}, coordinator)
    assert deliver_due().sent == 1
    data = receiver.received[0]["body"]["data"]
    assert data["bulletin"]["number"] == bulletin.number and data["bulletin"]["label"] == "第1期"
    assert data["plan"]["id"] == seed_plan.pk


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/x", "http://10.1.2.3/x", "http://[::1]/x", "http://169.254.169.254/latest"])
def test_private_addresses_are_refused_unless_allowed(org, settings, url):
    settings.DUBAN_WEBHOOK_ALLOW_PRIVATE = False
    subscribe(org, url)
    events.emit("plan.imported", org.pk, "plan:1:x", {})
    assert deliver_due().retrying == 1
    assert "内网" in Notification.objects.get().last_error


def test_only_http_and_https(org):
    subscribe(org, "ftp://example.org/x")  # stored past the form (the admin's URLField takes ftp)
    events.emit("plan.imported", org.pk, "plan:1:x", {})
    assert deliver_due().retrying == 1
    assert "须以 http:// 或 https:// 开头" in Notification.objects.get().last_error


def test_redirects_are_not_followed(org, redirecting):
    subscribe(org, f"http://127.0.0.1:{redirecting(307)}/")
    events.emit("plan.imported", org.pk, "plan:1:x", {})
    assert deliver_due().retrying == 1
    assert "重定向" in Notification.objects.get().last_error
