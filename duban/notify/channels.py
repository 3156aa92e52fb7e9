"""Delivery channels: e-mail (SMTP), 企业微信群机器人, 钉钉自定义机器人.

Each function either delivers the message or raises ``DeliveryError`` with a
short Chinese explanation. Robot webhooks use urllib (no extra dependency) through duban.notify.outbound
(public addresses only unless allowed, no redirects), with a short timeout: ``HTTP_TIMEOUT`` seconds unless ``timeout`` is given.
Error texts never include the webhook URL, because it carries the robot's token.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

HTTP_TIMEOUT = 10  # seconds
WECOM_MAX_BYTES = 4096  # 企业微信 markdown.content limit


class DeliveryError(Exception):
    pass


def send_email(to: str, subject: str, body: str, timeout: float | None = None, connection=None, headers=None) -> None:
    """Send a plain-text e-mail through the configured backend (SMTP in production).

    The SMTP timeout is settings.EMAIL_TIMEOUT unless ``timeout`` is given. ``connection`` is an open
    backend to send many messages over one SMTP session (see ``mail_connection``).
    """
    shared = connection is not None
    if not shared:
        connection = mail_connection(timeout)
    try:
        if shared:
            connection.open()  # a no-op once open; Django then leaves it open after sending
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to], connection=connection, headers=headers)
        sent = message.send()
    except (OSError, ValueError) as exc:  # smtplib.SMTPException is an OSError
        connection.close()  # the session is in an unknown state: the next message opens a new one
        # smtplib turns a read timeout into SMTPServerDisconnected; the timeout is its context.
        if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
            raise DeliveryError(f"邮件服务器响应超时（{getattr(connection, 'timeout', None)} 秒）") from None
        raise DeliveryError(f"邮件发送失败：{type(exc).__name__}: {exc}") from None
    if not sent:
        raise DeliveryError("邮件未发送（没有有效的收件人）")


def mail_connection(timeout: float | None = None):
    """An e-mail backend to pass to ``send_email`` for several messages: one SMTP session until closed."""
    options = {} if timeout is None else {"timeout": timeout}
    return get_connection(fail_silently=False, **options)


def send_wecom(url: str, text: str, timeout: float | None = None) -> None:
    """Post a markdown message to a 企业微信群机器人 webhook."""
    content = _truncate_utf8(text, WECOM_MAX_BYTES)
    _post_json(url, {"msgtype": "markdown", "markdown": {"content": content}}, timeout)


def send_dingtalk(
    url: str, text: str, secret: str | None = None, title: str | None = None, timeout: float | None = None
) -> None:
    """Post a markdown message to a 钉钉自定义机器人 webhook, signed when ``secret`` is set."""
    if title is None:
        first_line = text.strip().splitlines()[0] if text.strip() else ""
        title = first_line.lstrip("#").strip() or "通知"
    if secret:
        url = sign_dingtalk_url(url, secret)
    _post_json(url, {"msgtype": "markdown", "markdown": {"title": title, "text": text}}, timeout)


def sign_dingtalk_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    """Add DingTalk's ``timestamp`` and ``sign`` query parameters (加签).

    sign = urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}"))).
    """
    timestamp = str(int(time.time() * 1000) if timestamp_ms is None else timestamp_ms)
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}timestamp={timestamp}&sign={sign}"


def call_json(url: str, payload: dict | None = None, *, what: str, timeout: float | None = None) -> dict:
    """GET (no payload) or POST JSON to ``url`` and return the JSON object it answers; every failure a
    DeliveryError naming ``what`` was called (e.g. 机器人接口). Shared by the robots and the work apps.
    The address is checked against SSRF and connected to as checked (duban.notify.outbound)."""
    from . import outbound  # it imports DeliveryError from here

    timeout = HTTP_TIMEOUT if timeout is None else timeout
    data = None if payload is None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="GET" if data is None else "POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with outbound.open(request, timeout=timeout, what=what) as response:
            raw = response.read()
    except DeliveryError:
        raise
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"{what}返回 HTTP {exc.code}") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise DeliveryError(f"连接{what}超时（{timeout} 秒）") from None
        raise DeliveryError(f"无法连接{what}：{exc.reason}") from None
    except TimeoutError:
        raise DeliveryError(f"{what}响应超时（{timeout} 秒）") from None
    except (OSError, ValueError) as exc:
        raise DeliveryError(f"调用{what}出错：{type(exc).__name__}: {exc}") from None
    try:
        result = json.loads(raw)
    except ValueError:
        raise DeliveryError(f"{what}返回的不是 JSON：{raw[:200]!r}") from None
    if not isinstance(result, dict):
        raise DeliveryError(f"{what}返回了意外的内容：{raw[:200]!r}")
    return result


def _post_json(url: str, payload: dict, timeout: float | None) -> None:
    result = call_json(url, payload, what="机器人接口", timeout=timeout)
    if result.get("errcode") != 0:
        raise DeliveryError(f"机器人接口返回错误：errcode={result.get('errcode')} errmsg={result.get('errmsg')}")


def _truncate_utf8(text: str, max_bytes: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    suffix = "\n……（内容过长，已截断）"
    keep = max_bytes - len(suffix.encode("utf-8"))
    return data[:keep].decode("utf-8", errors="ignore") + suffix
