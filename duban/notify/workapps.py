"""Work notifications to one person: 企业微信应用消息 and 钉钉工作通知, by the user's id in the organisation's app.

The outbox row's recipient is ``<WorkApp id>:<userid>``. Sending takes the app's access token (fetched with
gettoken and kept on the WorkApp row until shortly before it expires), then:

* 企业微信: POST {base}/cgi-bin/message/send?access_token=… {"touser", "msgtype": "markdown", "agentid", …}
* 钉钉: POST {base}/topapi/message/corpconversation/asyncsend_v2?access_token=… {"agent_id", "userid_list", "msg"}

An answer with errcode 40014 or 42001 (token invalid or expired) fetches a new token and sends once more;
45009 (the API's rate limit) raises ``RateLimited``: the outbox puts the row back for later without counting
an attempt, as it does for the robots. Any other errcode, HTTP error or timeout is a DeliveryError (retried).
"""
from __future__ import annotations

import datetime
import urllib.parse

from django.utils import timezone

from . import channels
from .channels import DeliveryError
from .models import Notification, WorkApp

TOKEN_EXPIRED = {40014, 42001}
RATE_LIMITED = 45009
MARGIN = datetime.timedelta(minutes=5)  # a token is renewed this long before it expires


class RateLimited(DeliveryError):
    pass


def recipient(app: WorkApp, userid: str) -> str:
    return f"{app.pk}:{userid}"


def _call(url: str, payload: dict | None = None) -> dict:
    return channels.call_json(url, payload, what="应用消息接口")


def _errcode(result: dict) -> int:
    try:
        return int(result.get("errcode", 0))
    except (TypeError, ValueError):
        return -1


def token(app: WorkApp, now=None, refresh: bool = False) -> str:
    """The app's access token: the kept one while valid, else a new one from gettoken (kept on the row)."""
    now = now or timezone.now()
    if not refresh and app.access_token and app.token_expires_at and app.token_expires_at > now + MARGIN:
        return app.access_token
    if app.kind == WorkApp.WECOM:
        query = {"corpid": app.corp_id, "corpsecret": app.secret}
        url = f"{app.base}/cgi-bin/gettoken?{urllib.parse.urlencode(query)}"
    else:
        query = {"appkey": app.corp_id, "appsecret": app.secret}
        url = f"{app.base}/gettoken?{urllib.parse.urlencode(query)}"
    result = _call(url)
    if _errcode(result) != 0 or not result.get("access_token"):
        # The credentials are never in the message (the URL carries the secret).
        raise DeliveryError(f"获取 access_token 失败：errcode={result.get('errcode')} errmsg={result.get('errmsg')}")
    try:
        expires_in = int(result.get("expires_in", 7200))
    except (TypeError, ValueError):
        expires_in = 7200
    app.access_token, app.token_expires_at = str(result["access_token"]), now + datetime.timedelta(seconds=expires_in)
    WorkApp.objects.filter(pk=app.pk).update(access_token=app.access_token, token_expires_at=app.token_expires_at)
    return app.access_token


def _message(app: WorkApp, userid: str, title: str, text: str) -> tuple[str, dict]:
    if app.kind == WorkApp.WECOM:
        return "/cgi-bin/message/send", {
            "touser": userid, "msgtype": "markdown", "agentid": _agent(app.agent_id),
            "markdown": {"content": channels._truncate_utf8(text, channels.WECOM_MAX_BYTES)},
        }
    return "/topapi/message/corpconversation/asyncsend_v2", {
        "agent_id": _agent(app.agent_id), "userid_list": userid,
        "msg": {"msgtype": "markdown", "markdown": {"title": title, "text": text}},
    }


def _agent(agent_id: str):
    return int(agent_id) if agent_id.strip().isdigit() else agent_id


def send(app: WorkApp, userid: str, title: str, text: str, now=None) -> None:
    """Send one message to one person; a token refused as expired is fetched again once."""
    path, payload = _message(app, userid, title, text)
    for attempt in (1, 2):
        access_token = token(app, now, refresh=attempt == 2)
        result = _call(f"{app.base}{path}?{urllib.parse.urlencode({'access_token': access_token})}", payload)
        code = _errcode(result)
        if code == 0:
            return
        if code in TOKEN_EXPIRED and attempt == 1:
            continue
        if code == RATE_LIMITED:
            raise RateLimited(f"应用消息接口频率受限：errcode={code} errmsg={result.get('errmsg')}")
        raise DeliveryError(f"应用消息接口返回错误：errcode={code} errmsg={result.get('errmsg')}")


def parse_recipient(row: Notification) -> tuple[int, str] | None:
    app_id, _, userid = row.recipient.partition(":")
    if not app_id.isdigit() or not userid:
        return None
    return int(app_id), userid
