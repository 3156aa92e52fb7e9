"""Outgoing webhooks: the events another platform may follow, queued in the outbox (channel "webhook").

``emit(event, org_id, object_key, data)`` is called where the thing happens, in its transaction: one
notification per active subscription of the organisation that chose the event, dedupe key
``event:<event>:<object_key>:s<subscription>`` — each event reaches each subscriber exactly once, even if
the code that emits it runs again. The deliverer (duban.notify.outbox) POSTs the JSON body
``{"event", "id", "occurred_at", "data"}`` (``id`` is the delivery's id, also in X-Duban-Delivery), signed:
``X-Duban-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>``; a refusal (not 2xx) or a timeout is
retried with the outbox's back-off.

Only http(s) addresses that resolve to public addresses are called (no loopback, private, link-local …
networks), unless allowed by settings; the connection goes to the address that was checked and redirects are
not followed (duban.notify.outbound).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request

from django.conf import settings
from django.utils import timezone

from . import outbound
from .channels import HTTP_TIMEOUT, DeliveryError
from .models import Notification, Subscription

EVENTS = [code for code, _ in Subscription.EVENT_CHOICES]


def notifications(event: str, org_id: int, object_key: str, data: dict, occurred_at=None,
                  subscriptions: list[Subscription] | None = None) -> list[Notification]:
    """The unsaved notifications of one event for the organisation's subscribers (for enqueue_many)."""
    if event not in EVENTS:
        raise ValueError(f"未知的事件：{event}")
    if subscriptions is None:
        subscriptions = list(Subscription.objects.filter(org_id=org_id, active=True).order_by("pk"))
    occurred = (occurred_at or timezone.now()).isoformat()
    body = json.dumps({"event": event, "occurred_at": occurred, "data": data}, ensure_ascii=False, sort_keys=True, default=str)
    return [
        Notification(channel=Notification.WEBHOOK, recipient=str(s.pk), subject=event, body=body,
                     dedupe_key=f"event:{event}:{object_key}:s{s.pk}")
        for s in subscriptions
        if s.org_id == org_id and s.active and event in s.events
    ]


def emit(event: str, org_id: int, object_key: str, data: dict, occurred_at=None) -> int:
    """Queue the event for the organisation's subscribers (in the caller's transaction); how many were queued."""
    from .outbox import enqueue_many

    rows = notifications(event, org_id, object_key, data, occurred_at)
    return enqueue_many(rows) if rows else 0


# --- delivery -------------------------------------------------------------------------------------


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def payload(row: Notification) -> bytes:
    """The body as sent: the stored event with the delivery's id; the same bytes on every attempt."""
    stored = json.loads(row.body)
    return json.dumps({**stored, "id": row.pk}, ensure_ascii=False, sort_keys=True).encode("utf-8")


def check_url(url: str) -> None:
    """Refuse what is not http(s), or (unless allowed) a host that resolves to a non-public network
    (the subscription form's check; delivery checks again and connects to the addresses it checked)."""
    if getattr(settings, "DUBAN_WEBHOOK_ALLOW_PRIVATE", False):
        outbound.parse(url)  # any host: it need not resolve from here yet
    else:
        outbound.resolve(url)


def send(row: Notification, subscription: Subscription, timeout: float | None = None) -> None:
    """POST one event to its subscriber, or raise DeliveryError (the row is then retried)."""
    body = payload(row)
    request = urllib.request.Request(subscription.url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Duban-Webhook/1",
        "X-Duban-Event": row.subject,
        "X-Duban-Delivery": str(row.pk),
        "X-Duban-Signature": signature(subscription.secret, body),
    })
    timeout = HTTP_TIMEOUT if timeout is None else timeout
    try:
        with outbound.open(request, timeout=timeout) as response:
            response.read(1024)
    except DeliveryError:
        raise
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"推送地址返回 HTTP {exc.code}") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise DeliveryError(f"连接推送地址超时（{timeout} 秒）") from None
        raise DeliveryError(f"无法连接推送地址：{exc.reason}") from None
    except TimeoutError:
        raise DeliveryError(f"推送地址响应超时（{timeout} 秒）") from None
    except (OSError, ValueError) as exc:
        raise DeliveryError(f"推送出错：{type(exc).__name__}: {exc}") from None
