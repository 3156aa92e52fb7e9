"""Logins, failed logins and logouts go to the audit trail; a login starts the session clocks."""
from __future__ import annotations

import time

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from duban.audit import lockout, passwords
from duban.audit.events import record
from duban.audit.models import AuditEvent

OIDC_BACKEND = "duban.accounts.oidc.Backend"
LOGIN_AT = "duban_login_at"
SEEN_AT = "duban_seen_at"
MUST_CHANGE = "duban_must_change_password"


@receiver(user_logged_in, dispatch_uid="duban.audit.logged_in")
def logged_in(sender, request, user, **kwargs):
    if request is None:
        return
    # Signed in through 统一身份认证 (duban.accounts.oidc): said in the record; no Duban password was used,
    # so a pending forced password change does not stand in the way.
    via_oidc = hasattr(request, "session") and request.session.get(BACKEND_SESSION_KEY) == OIDC_BACKEND
    record(request, AuditEvent.LOGIN, target=user.get_username(), user=user, after={"method": "oidc"} if via_oidc else None)
    if hasattr(request, "session"):
        now = time.time()
        request.session[LOGIN_AT] = request.session[SEEN_AT] = now
        request.session[MUST_CHANGE] = False if via_oidc else passwords.must_change(user)


@receiver(user_logged_out, dispatch_uid="duban.audit.logged_out")
def logged_out(sender, request, user, **kwargs):
    if request is None or user is None:
        return
    record(request, AuditEvent.LOGOUT, target=user.get_username(), user=user,
           after={"reason": request.duban_logout_reason} if getattr(request, "duban_logout_reason", None) else None)


@receiver(user_login_failed, dispatch_uid="duban.audit.login_failed")
def login_failed(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    # A refused OIDC sign-in (duban.accounts.oidc) has no user name typed in: the account it mapped to, if any.
    username = credentials.get("username") or getattr(request, "duban_oidc_username", "")
    lk = lockout.login_failed(request, username, detail=getattr(request, "duban_oidc_failure", None))
    if lk is not None:
        request.duban_lockout = lk
