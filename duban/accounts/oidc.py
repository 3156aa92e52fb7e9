"""Sign-in through the organisation's identity provider (统一身份认证), with OpenID Connect.

mozilla-django-oidc does the code flow (state, nonce, PKCE, the token exchange, the id_token's signature);
this module only adds what Duban needs:
- configuration from the environment only (DUBAN_OIDC_*, see settings.py); when it is not configured the
  two views answer 404 and the login page shows no button;
- the provider's endpoints from its discovery document (DUBAN_OIDC_ISSUER), or given one by one;
- a provider identity signs in as the one account whose Profile.external_id equals the configured claim.
  The coordinator sets that id (/accounts/users/<id>/); nothing about the account — role, organisation,
  unit — is ever taken from the provider's claims, and no account is created here;
- a refusal (unknown identity, deactivated account, locked account, state or nonce mismatch, provider
  unreachable) sends the user back to the login page with a Chinese message and is a login_failed record
  of the audit trail, counted by the lockout (duban.audit.lockout) like a wrong password.
"""
from __future__ import annotations

import logging
import threading
import time

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from duban.audit import lockout

log = logging.getLogger(__name__)

BACKEND = "duban.accounts.oidc.Backend"
TIMEOUT = 10  # seconds for each request to the provider
DISCOVERY_MAX_AGE = 3600

# What the provider may fail with, on the way from its redirect to a signed-in user.
PROVIDER_ERRORS = (requests.RequestException, SuspiciousOperation, jwt.PyJWTError, ValueError, KeyError, TypeError)

UNREACHABLE = "暂时无法连接统一身份认证平台，请稍后再试，或使用用户名和密码登录。"
FAILED = "统一身份认证登录未成功，请重新登录，或使用用户名和密码登录。"


def _s(name):
    return getattr(settings, name, "") or ""


def enabled() -> bool:
    """Configured: a client id and either the issuer (discovery) or the endpoints themselves."""
    explicit = _s("DUBAN_OIDC_AUTHORIZATION_ENDPOINT") and _s("DUBAN_OIDC_TOKEN_ENDPOINT") and _s("DUBAN_OIDC_JWKS_ENDPOINT")
    return bool(_s("DUBAN_OIDC_CLIENT_ID") and (_s("DUBAN_OIDC_ISSUER") or explicit))


_discovered: dict[str, tuple[float, dict]] = {}
_lock = threading.Lock()


def discover(issuer: str) -> dict:
    """The provider's /.well-known/openid-configuration, kept for an hour."""
    issuer = issuer.rstrip("/")
    with _lock:
        cached = _discovered.get(issuer)
        if cached and time.monotonic() - cached[0] < DISCOVERY_MAX_AGE:
            return cached[1]
    r = requests.get(issuer + "/.well-known/openid-configuration", timeout=TIMEOUT)
    r.raise_for_status()
    doc = r.json()
    if str(doc.get("issuer", "")).rstrip("/") != issuer:
        raise ValueError("discovery document names another issuer")
    with _lock:
        _discovered[issuer] = (time.monotonic(), doc)
    return doc


def endpoints() -> dict:
    """authorization, token, userinfo and jwks endpoints: those set explicitly, the rest discovered."""
    found = {
        "authorization_endpoint": _s("DUBAN_OIDC_AUTHORIZATION_ENDPOINT"),
        "token_endpoint": _s("DUBAN_OIDC_TOKEN_ENDPOINT"),
        "userinfo_endpoint": _s("DUBAN_OIDC_USERINFO_ENDPOINT"),
        "jwks_uri": _s("DUBAN_OIDC_JWKS_ENDPOINT"),
    }
    if _s("DUBAN_OIDC_ISSUER") and not all(found.values()):
        doc = discover(_s("DUBAN_OIDC_ISSUER"))
        found = {k: v or str(doc.get(k) or "") for k, v in found.items()}
    for required in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not found[required]:
            raise ValueError(f"no {required}")
    return found


def setting(attr, *args):
    """mozilla-django-oidc's settings, made from Duban's (DUBAN_OIDC_*) so there is one place to configure."""
    fixed = {
        "OIDC_RP_CLIENT_ID": _s("DUBAN_OIDC_CLIENT_ID"),
        "OIDC_RP_CLIENT_SECRET": _s("DUBAN_OIDC_CLIENT_SECRET"),
        "OIDC_RP_SIGN_ALGO": _s("DUBAN_OIDC_SIGN_ALGO") or "RS256",
        "OIDC_RP_SCOPES": _s("DUBAN_OIDC_SCOPES") or "openid profile",
        "OIDC_CREATE_USER": False,
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": True,
        "OIDC_TIMEOUT": TIMEOUT,
        # client_secret_basic (HTTP Basic) instead of client_secret_post, for providers that accept only that
        "OIDC_TOKEN_USE_BASIC_AUTH": bool(getattr(settings, "DUBAN_OIDC_TOKEN_BASIC_AUTH", False)),
        "OIDC_AUTHENTICATION_CALLBACK_URL": "oidc_callback",
        "LOGIN_REDIRECT_URL_FAILURE": "login",
        "OIDC_STORE_ACCESS_TOKEN": False,
        "OIDC_STORE_ID_TOKEN": False,
    }
    if attr in fixed:
        return fixed[attr]
    return import_from_settings(attr, *args)


def refuse(request, reason: str, text: str, username: str = "", claim: str = "") -> None:
    """Tell the user why (on the login page) and leave the audit trail's login_failed record the details;
    duban.audit.signals writes it when Django reports the failed authentication."""
    messages.error(request, text)
    request.duban_oidc_failure = {"method": "oidc", "reason": reason, **({"claim": claim[:150]} if claim else {})}
    request.duban_oidc_username = username


class Backend(OIDCAuthenticationBackend):
    """The provider's user → the Duban account whose Profile.external_id is the configured claim."""

    def __init__(self, *args, **kwargs):
        # Django makes every backend for every login, the password ones too: nothing is read from the
        # provider until an OIDC callback arrives.
        self.UserModel = get_user_model()

    get_settings = staticmethod(setting)

    def authenticate(self, request, **kwargs):
        if request is None or "nonce" not in kwargs or not enabled():
            return None  # not the OIDC callback (a password login): not ours
        try:
            ep = endpoints()
            self.OIDC_OP_TOKEN_ENDPOINT = ep["token_endpoint"]
            self.OIDC_OP_USER_ENDPOINT = ep["userinfo_endpoint"]
            self.OIDC_OP_JWKS_ENDPOINT = ep["jwks_uri"]
            self.OIDC_RP_CLIENT_ID = setting("OIDC_RP_CLIENT_ID")
            self.OIDC_RP_CLIENT_SECRET = setting("OIDC_RP_CLIENT_SECRET")
            self.OIDC_RP_SIGN_ALGO = setting("OIDC_RP_SIGN_ALGO")
            self.OIDC_RP_IDP_SIGN_KEY = None
            return super().authenticate(request, **kwargs)
        except PROVIDER_ERRORS as exc:
            log.warning("OIDC sign-in failed: %s", exc)
            if not getattr(request, "duban_oidc_failure", None):
                refuse(request, "provider", FAILED)
            return None

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        if "nonce" in kwargs:  # the id_token: for us, from our provider
            aud = payload.get("aud")
            if self.OIDC_RP_CLIENT_ID not in (aud if isinstance(aud, list) else [aud]):
                raise SuspiciousOperation("id_token for another client")
            issuer = _s("DUBAN_OIDC_ISSUER").rstrip("/")
            if issuer and str(payload.get("iss", "")).rstrip("/") != issuer:
                raise SuspiciousOperation("id_token from another issuer")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            info = self.get_userinfo(access_token, id_token, payload)
            if info.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("userinfo of another subject")
            claims.update(info)
        name = _s("DUBAN_OIDC_CLAIM") or "sub"
        value = claims.get(name)
        value = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
        if not value:
            refuse(self.request, "no_claim", f"统一身份认证平台没有提供 {name}，无法确定您在督办系统中的账户，请联系协调人。")
            return None
        user = self.UserModel.objects.filter(profile__external_id=value).select_related("profile").first()
        if user is None:
            refuse(self.request, "unknown",
                   "您的统一身份账户尚未关联督办系统账户。请联系本机构协调人，在“用户管理”中为您的账户填写统一身份标识。",
                   claim=value)
            return None
        if not user.is_active:
            refuse(self.request, "inactive", "该账户已停用，不能登录。如有疑问请联系协调人。", user.username, value)
            return None
        locked = lockout.active_lockout(user.username, None)
        if locked is not None:
            self.request.duban_lockout = locked
            refuse(self.request, "locked", lockout.message(locked), user.username, value)
            return None
        return user

    def get_user(self, user_id):
        # ModelBackend's: a deactivated account's open sessions end (mozilla's own would keep them).
        return ModelBackend.get_user(self, user_id)


class Authenticate(OIDCAuthenticationRequestView):
    """The login page's button: off to the provider, with state, nonce and PKCE kept in the session."""

    get_settings = staticmethod(setting)

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)  # the endpoints are looked up per request, only when configured

    def get(self, request):
        if not enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = endpoints()["authorization_endpoint"]
        except PROVIDER_ERRORS as exc:
            log.warning("OIDC provider unreachable: %s", exc)
            messages.error(request, UNREACHABLE)
            return redirect("login")
        self.OIDC_RP_CLIENT_ID = setting("OIDC_RP_CLIENT_ID")
        return super().get(request)


class Callback(OIDCAuthenticationCallbackView):
    """The provider's redirect back: the code exchanged, the user mapped (Backend) and signed in."""

    get_settings = staticmethod(setting)

    def get(self, request):
        if not enabled():
            raise Http404
        if request.GET.get("error"):
            # The provider's refusal or the person's cancelling: the state is spent, and — unlike
            # mozilla-django-oidc's own handling — a signed-in user is not logged out by a link (logout is POST).
            states = request.session.get("oidc_states") or {}
            if request.GET.get("state") in states:
                del states[request.GET["state"]]
                request.session.modified = True
            messages.error(request, "统一身份认证平台未完成登录（已取消或被拒绝），请重试，或使用用户名和密码登录。")
            return redirect("login")
        try:
            return super().get(request)
        except SuspiciousOperation:  # a state this browser never sent: a forged or replayed redirect
            refuse(request, "state", FAILED)
            lockout.login_failed(request, "", detail=request.duban_oidc_failure)
            return redirect("login")

    def login_failure(self):
        request = self.request
        if getattr(request, "duban_lockout", None) is not None and not getattr(request, "duban_oidc_failure", None):
            messages.error(request, lockout.message(request.duban_lockout))  # the address is locked
        elif not getattr(request, "duban_oidc_failure", None):
            messages.error(request, FAILED)
        return redirect("login")
