"""Login throttling: too many failed logins lock the account (by user name) and the client address.

- DUBAN_LOGIN_FAILURES_PER_ACCOUNT (5) failures for one user name within DUBAN_LOGIN_WINDOW_MINUTES (15)
  lock that account for DUBAN_LOGIN_LOCKOUT_MINUTES (15), even for the right password;
- DUBAN_LOGIN_FAILURES_PER_IP (20) failures from one address in the window lock that address.

Failures are the audit trail's login_failed records (in the database, so every server process sees them);
counting starts afresh after a successful login of the account and after a lockout ends or is lifted.
The check is an authentication backend listed first, so the admin's login is throttled too.
"""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.utils import timezone

from duban.audit.events import client_ip, org_of_username, record
from duban.audit.models import AuditEvent, Lockout


def _setting(name, default):
    return int(getattr(settings, name, default))


def per_account() -> int:
    return _setting("DUBAN_LOGIN_FAILURES_PER_ACCOUNT", 5)


def per_ip() -> int:
    return _setting("DUBAN_LOGIN_FAILURES_PER_IP", 20)


def window() -> timedelta:
    return timedelta(minutes=_setting("DUBAN_LOGIN_WINDOW_MINUTES", 15))


def duration() -> timedelta:
    return timedelta(minutes=_setting("DUBAN_LOGIN_LOCKOUT_MINUTES", 15))


def active_lockout(username: str | None, ip: str | None) -> Lockout | None:
    now = timezone.now()
    qs = Lockout.objects.filter(until__gt=now, lifted_at__isnull=True)
    if username:
        found = qs.filter(kind=Lockout.USERNAME, key=username[:150]).order_by("-until").first()
        if found:
            return found
    if ip:
        return qs.filter(kind=Lockout.IP, key=ip).order_by("-until").first()
    return None


def _count_since(kind: str, key: str, field: str) -> int:
    now = timezone.now()
    start = now - window()
    ended = [lk.ends_at for lk in Lockout.objects.filter(kind=kind, key=key).order_by("-started_at")[:1]]
    marks = [start, *ended]
    if kind == Lockout.USERNAME:
        last_ok = AuditEvent.objects.filter(action=AuditEvent.LOGIN, username=key).aggregate(m=Max("at"))["m"]
        if last_ok:
            marks.append(last_ok)
    return AuditEvent.objects.filter(action=AuditEvent.LOGIN_FAILED, **{field: key}, at__gt=max(marks)).count()


def _lock(request, kind: str, key: str, failures: int, org=None) -> Lockout:
    now = timezone.now()
    lk = Lockout.objects.create(kind=kind, key=key, org=org, started_at=now, until=now + duration(), failures=failures)
    record(request, AuditEvent.LOCKOUT, target=f"{lk.get_kind_display()} {key}", org=org, username=key if kind == Lockout.USERNAME else "",
           after={"kind": kind, "key": key, "failures": failures, "until": lk.until.isoformat()})
    return lk


def login_failed(request, username: str, detail: dict | None = None) -> Lockout | None:
    """Record a failed login (already refused); lock the account or the address if this was one too many.
    `detail`: what else the record should say (a refused OIDC sign-in: its method and reason)."""
    username = (username or "")[:150]
    ip = client_ip(request)
    blocked = getattr(request, "duban_lockout", None)
    user, org = org_of_username(username) if username else (None, None)
    after = {**(detail or {}), **({"reason": "locked"} if blocked else {})} or None
    record(request, AuditEvent.LOGIN_FAILED, target=username, user=user, org=org, username=username, after=after)
    if blocked:
        return blocked  # already locked: the refused attempt is recorded, the lockout is not extended
    lockout = None
    if username:
        n = _count_since(Lockout.USERNAME, username, "username")
        if n >= per_account():
            lockout = _lock(request, Lockout.USERNAME, username, n, org)
    if ip:
        n = _count_since(Lockout.IP, ip, "ip")
        if n >= per_ip():
            lockout = _lock(request, Lockout.IP, ip, n) if lockout is None else lockout
    return lockout


def lift(request, lockout: Lockout) -> None:
    lockout.lifted_at = timezone.now()
    lockout.lifted_by = request.user
    lockout.save(update_fields=["lifted_at", "lifted_by"])
    record(request, AuditEvent.UNLOCK, target=f"{lockout.get_kind_display()} {lockout.key}",
           org=lockout.org if lockout.org_id else None,
           before={"until": lockout.until.isoformat()}, after={"lifted_at": lockout.lifted_at.isoformat()})


def message(lockout: Lockout) -> str:
    until = timezone.localtime(lockout.until).strftime("%H:%M")
    if lockout.kind == Lockout.IP:
        return f"本机地址登录失败次数过多，已暂停登录。请于 {until} 后再试。"
    return f"该账户连续登录失败次数过多，已被锁定。请于 {until} 后再试，或请协调人解锁。"


class LockoutBackend:
    """Listed first in AUTHENTICATION_BACKENDS: refuses every login of a locked account or address,
    whatever the password, before any other backend checks it."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        lockout = active_lockout(username, client_ip(request))
        if lockout is not None:
            request.duban_lockout = lockout
            raise PermissionDenied(message(lockout))
        return None

