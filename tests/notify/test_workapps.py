"""企业微信应用消息 / 钉钉工作通知 to one person, against a local fake of their APIs: the token fetched and kept,
the message sent by user id, an expired token fetched again once, the rate limit waited out."""
from __future__ import annotations

import datetime
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from duban.accounts.models import Profile
from duban.directory.models import Organisation
from duban.notify.models import Notification, WorkApp
from duban.notify.outbox import deliver_due
from duban.reminders.models import ReminderRule
from duban.reminders.sweep import Sender

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN_PATHS = {"/cgi-bin/gettoken": ("corpid", "corpsecret"), "/gettoken": ("appkey", "appsecret")}
SEND_PATHS = {"/cgi-bin/message/send", "/topapi/message/corpconversation/asyncsend_v2"}


class FakeApi:
    """The token and send endpoints of both APIs. ``answers``: errcodes the next sends get (then 0); a token
    handed out stays valid until ``expire()``."""

    def __init__(self):
        self.tokens_issued, self.valid, self.sent, self.answers, self.token_queries = 0, set(), [], [], []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, data):
                raw = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                if url.path not in TOKEN_PATHS:
                    return self.send_error(404)
                api.token_queries.append((url.path, query))
                key, secret = TOKEN_PATHS[url.path]
                if query.get(key) != "corp-1" or query.get(secret) != "app-secret":
                    return self._answer({"errcode": 40001, "errmsg": "invalid credential"})
                api.tokens_issued += 1
                token = f"tok-{api.tokens_issued}"
                api.valid.add(token)
                self._answer({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200})

            def do_POST(self):
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                if url.path not in SEND_PATHS:
                    return self.send_error(404)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if query.get("access_token") not in api.valid:
                    return self._answer({"errcode": 42001, "errmsg": "access_token expired"})
                code = api.answers.pop(0) if api.answers else 0
                if code == 0:
                    api.sent.append((url.path, query["access_token"], body))
                self._answer({"errcode": code, "errmsg": "ok" if code == 0 else "error", "task_id": 1})

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def expire(self):
        self.valid.clear()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def api():
    server = FakeApi()
    yield server
    server.close()


@pytest.fixture
def org():
    return Organisation.objects.create(name="昆明市西山区人民政府", short_name="西山区")


def person(org, name, **ids):
    user = User.objects.create_user(name, email=f"{name}@example.gov.cn")
    Profile.objects.create(user=user, org=org, role=Profile.COORDINATOR, **ids)
    return user


def app(org, kind, api):
    return WorkApp.objects.create(org=org, kind=kind, corp_id="corp-1", secret="app-secret", agent_id="1000002", base_url=api.url)


def remind(user, key="remind:1"):
    sender = Sender(ReminderRule(by_email=True, by_inbox=False))
    sender.to_user(key, user.pk, "", "督办提醒：第5项即将到期", "请于11月10日前报送。", "/units/1/")
    sender.flush()


def test_wecom_message_by_user_id_with_the_token_kept(org, api):
    app(org, WorkApp.WECOM, api)
    zhang = person(org, "zhang", wecom_userid="ZhangSan")
    remind(zhang, "remind:1")
    remind(zhang, "remind:2")

    assert deliver_due().sent == 2

    assert api.tokens_issued == 1 and api.token_queries[0] == ("/cgi-bin/gettoken", {"corpid": "corp-1", "corpsecret": "app-secret"})
    (path, token, body), _ = api.sent
    assert path == "/cgi-bin/message/send" and token == "tok-1"
    assert body["touser"] == "ZhangSan" and body["agentid"] == 1000002 and body["msgtype"] == "markdown"
    assert "督办提醒：第5项即将到期" in body["markdown"]["content"] and "请于11月10日前报送。" in body["markdown"]["content"]
    assert WorkApp.objects.get().access_token == "tok-1"


def test_dingtalk_work_notification(org, api):
    app(org, WorkApp.DINGTALK, api)
    remind(person(org, "li", dingtalk_userid="manager4220"))

    assert deliver_due().sent == 1

    assert api.token_queries == [("/gettoken", {"appkey": "corp-1", "appsecret": "app-secret"})]
    [(path, _, body)] = api.sent
    assert path == "/topapi/message/corpconversation/asyncsend_v2"
    assert body["agent_id"] == 1000002 and body["userid_list"] == "manager4220"
    assert body["msg"]["msgtype"] == "markdown" and body["msg"]["markdown"]["title"] == "督办提醒：第5项即将到期"


def test_an_expired_token_is_fetched_again_once(org, api):
    app(org, WorkApp.WECOM, api)
    zhang = person(org, "zhang", wecom_userid="ZhangSan")
    remind(zhang, "remind:1")
    assert deliver_due().sent == 1
    api.expire()  # revoked early (another server fetched a new one): the kept token is refused with 42001
    remind(zhang, "remind:2")

    assert deliver_due().sent == 1

    assert api.tokens_issued == 2 and api.sent[-1][1] == "tok-2"
    assert WorkApp.objects.get().access_token == "tok-2"


def test_the_rate_limit_defers_without_counting_an_attempt(org, api):
    app(org, WorkApp.WECOM, api)
    zhang = person(org, "zhang", wecom_userid="ZhangSan")
    remind(zhang, "remind:1")
    remind(zhang, "remind:2")
    api.answers = [45009]
    now = timezone.now()

    report = deliver_due(now=now)

    assert (report.sent, report.deferred, report.retrying, report.failed) == (0, 2, 0, 0)
    rows = Notification.objects.all()
    assert {(r.status, r.attempts, r.next_attempt_at) for r in rows} == {("pending", 0, now + datetime.timedelta(minutes=1))}
    assert deliver_due(now=now + datetime.timedelta(minutes=1)).sent == 2
    assert len(api.sent) == 2


def test_another_error_is_retried_with_its_code(org, api):
    app(org, WorkApp.WECOM, api)
    remind(person(org, "zhang", wecom_userid="nobody"))
    api.answers = [81013]  # 企业微信: the user is not in the app's visible range

    assert deliver_due().retrying == 1
    assert "errcode=81013" in Notification.objects.get().last_error


def test_wrong_credentials_say_so_without_the_secret(org, api):
    WorkApp.objects.create(org=org, kind=WorkApp.WECOM, corp_id="corp-1", secret="wrong", agent_id="1", base_url=api.url)
    remind(person(org, "zhang", wecom_userid="ZhangSan"))

    assert deliver_due().retrying == 1
    error = Notification.objects.get().last_error
    assert "获取 access_token 失败" in error and "errcode=40001" in error and "wrong" not in error


def test_only_people_with_an_id_in_an_organisation_with_the_app(org, api):
    other = Organisation.objects.create(name="昆明市东川区人民政府", short_name="东川区")
    app(org, WorkApp.WECOM, api)
    WorkApp.objects.create(org=org, kind=WorkApp.DINGTALK, corp_id="corp-1", secret="app-secret", agent_id="1", active=False)
    remind(person(org, "noid"))
    remind(person(org, "dingonly", dingtalk_userid="d1"))  # 钉钉 app paused
    remind(person(other, "elsewhere", wecom_userid="W1"))  # 东川区 has no app
    remind(person(org, "zhang", wecom_userid="ZhangSan", dingtalk_userid="d2"))

    assert list(Notification.objects.values_list("channel", "recipient")) == [
        (Notification.WECOM_APP, f"{WorkApp.objects.get(kind=WorkApp.WECOM).pk}:ZhangSan")]
