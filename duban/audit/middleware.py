"""Session clocks, the forced password change, and the Content-Security-Policy header."""
from __future__ import annotations

import time
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from duban.audit.signals import LOGIN_AT, MUST_CHANGE, SEEN_AT

# Writing the session on every request would cost a database write per page; the last-seen time is
# only refreshed when it is this old, so the idle timeout is exact to within a minute.
SEEN_RESOLUTION = 60


class SessionTimeoutMiddleware:
    """Logs out a user idle for SESSION_IDLE_MINUTES, or logged in for longer than SESSION_MAX_HOURS."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self.check(request)
        return self.get_response(request)

    def check(self, request):
        session, now = request.session, time.time()
        login_at = session.get(LOGIN_AT)
        seen_at = session.get(SEEN_AT, login_at)
        if login_at is None:  # a session from before these clocks: start them now
            session[LOGIN_AT] = session[SEEN_AT] = now
            return
        idle = settings.SESSION_IDLE_MINUTES * 60
        if now - seen_at > idle:
            self.expire(request, "idle", f"超过 {settings.SESSION_IDLE_MINUTES} 分钟未操作，已自动退出，请重新登录。")
        elif now - login_at > settings.SESSION_MAX_HOURS * 3600:
            self.expire(request, "max_age", f"登录已超过 {settings.SESSION_MAX_HOURS} 小时，请重新登录。")
        elif now - seen_at >= SEEN_RESOLUTION:
            session[SEEN_AT] = now

    def expire(self, request, reason, text):
        request.duban_logout_reason = reason
        logout(request)  # the views' login_required then sends the user to the login page
        messages.info(request, text)


class PasswordChangeRequiredMiddleware:
    """A user whose password was generated or reset may only change it (or log out) until they have."""

    ALLOWED = ("password_change", "password_change_done", "logout")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and request.session.get(MUST_CHANGE):
            allowed = {reverse(name) for name in self.ALLOWED}
            if request.path not in allowed and not request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
                return redirect("password_change")
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Content-Security-Policy on every response: scripts, styles and everything else from this site only,
    no inline scripts, no framing (settings.CONTENT_SECURITY_POLICY). A view decorated with
    @style_attributes_allowed (the ECharts dashboard) also allows style="" attributes, never inline scripts."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        if policy:
            if getattr(response, "csp_style_attributes", False):
                policy += "; style-src-attr 'unsafe-inline'"
            response.headers.setdefault("Content-Security-Policy", policy)
        return response


def style_attributes_allowed(view):
    """For pages whose vendored library sets style attributes (ECharts positions its tooltips and legends so)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.csp_style_attributes = True
        return response

    return wrapped
