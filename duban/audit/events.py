"""Writing audit records: `record(request, action, ...)` from any view, `snapshot(obj, fields)` for before/after."""
from __future__ import annotations

import ipaddress
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.forms.models import model_to_dict

from duban.audit.models import AuditEvent


def client_ip(request) -> str | None:
    """The client's address. Behind a reverse proxy (DUBAN_BEHIND_PROXY), the address the proxy appended
    last to X-Forwarded-For — the one it saw, not one the client could have written itself."""
    if request is None:
        return None
    raw = request.META.get("REMOTE_ADDR", "")
    if getattr(settings, "DUBAN_BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            raw = forwarded.split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


def _org_of(user):
    profile = getattr(user, "profile", None) if user is not None and user.pk else None
    try:
        return profile.org if profile is not None else None
    except Exception:  # a profile row without its organisation: record without one
        return None


def org_of_username(username: str):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).select_related("profile__org").first()
    return (user, _org_of(user)) if user is not None else (None, None)


def snapshot(obj, fields=None) -> dict:
    """The model's field values as JSON-able data, for the before/after of a change."""
    return {k: _plain(v) for k, v in model_to_dict(obj, fields=fields).items()}


def _plain(value):
    if isinstance(value, (str, int, float, bool, type(None), list)):
        return value
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 3, 3.00 and 3.0 are one value: written "3"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def record(request, action: str, target="", before=None, after=None, user=None, org=None, username=None) -> AuditEvent:
    """One audit record. The user, organisation and address come from the request unless given."""
    if user is None and request is not None and getattr(request, "user", None) is not None and request.user.is_authenticated:
        user = request.user
    if org is None:
        org = _org_of(user)
    if username is None:
        username = user.get_username() if user is not None else ""
    return AuditEvent.objects.create(
        org=org, user=user if user is not None and user.pk else None, username=username[:150], action=action,
        target=str(target)[:300], before=before, after=after, ip=client_ip(request),
    )
