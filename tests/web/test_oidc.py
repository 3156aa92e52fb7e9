"""统一身份认证 (duban.accounts.oidc): the OpenID Connect code flow against a small provider run by the test.

The provider (http.server in a thread) serves discovery, /authorize (redirects back with a code, as if the
person had signed in there), /token (an id_token signed with an RSA key made here, checked against the
PKCE verifier), /jwks and /userinfo. The browser's part is played by hand: Django's test client opens
Duban's pages, `requests` follows the redirect to the provider.
"""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from duban.accounts import oidc
from duban.audit.models import AuditEvent, Lockout
from duban.audit.passwords import require_change

from .conftest import PASSWORD, make_user

CLIENT_ID = "duban-test"
CLIENT_SECRET = "s3cret-of-the-test"


class Provider:
    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.signing_key = self.key  # a test may sign with another key than the one /jwks publishes
        self.kid = "test-key-1"
        self.person = {"sub": "u-0001"}  # who has signed in at the provider
        self.userinfo_extra = {}
        self.codes = {}
        self.tokens = {}
        self.token_requests = 0
        self.tamper_nonce = False
        self.basic_auth_used = False
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def send_json(self, data, status=200):
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                url = urlsplit(self.path)
                q = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    return self.send_json(provider.discovery())
                if url.path == "/jwks":
                    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(provider.key.public_key()))
                    return self.send_json({"keys": [{**jwk, "kid": provider.kid, "alg": "RS256", "use": "sig"}]})
                if url.path == "/authorize":
                    assert q["client_id"] == CLIENT_ID and q["response_type"] == "code"
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = {**q, "person": dict(provider.person)}
                    self.send_response(302)
                    self.send_header("Location", q["redirect_uri"] + "?" + urlencode({"code": code, "state": q["state"]}))
                    self.end_headers()
                    return
                if url.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    if token not in provider.tokens:
                        return self.send_json({"error": "invalid_token"}, 401)
                    return self.send_json({**provider.tokens[token], **provider.userinfo_extra})
                self.send_json({"error": "not_found"}, 404)

            def do_POST(self):
                provider.token_requests += 1
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                basic = self.headers.get("Authorization", "")
                if basic.startswith("Basic "):  # client_secret_basic
                    client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
                    form.update(client_id=client_id, client_secret=secret)
                    provider.basic_auth_used = True
                grant = provider.codes.pop(form.get("code"), None)  # a code is good once
                verifier = form.get("code_verifier", "")
                challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
                if (grant is None or form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET
                        or form.get("redirect_uri") != grant["redirect_uri"] or challenge != grant.get("code_challenge")):
                    return self.send_json({"error": "invalid_grant"}, 400)
                now = int(time.time())
                id_token = jwt.encode(
                    {"iss": provider.issuer, "aud": CLIENT_ID, "sub": grant["person"]["sub"], "iat": now, "exp": now + 300,
                     "nonce": "forged" if provider.tamper_nonce else grant["nonce"]},
                    provider.signing_key, algorithm="RS256", headers={"kid": provider.kid},
                )
                access = secrets.token_urlsafe(16)
                provider.tokens[access] = grant["person"]
                self.send_json({"access_token": access, "token_type": "Bearer", "expires_in": 300, "id_token": id_token})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def discovery(self):
        return {"issuer": self.issuer, "authorization_endpoint": self.issuer + "/authorize",
                "token_endpoint": self.issuer + "/token", "userinfo_endpoint": self.issuer + "/userinfo",
                "jwks_uri": self.issuer + "/jwks", "response_types_supported": ["code"],
                "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"]}


@pytest.fixture
def provider(settings):
    p = Provider()
    p.thread.start()
    oidc._discovered.clear()
    settings.DUBAN_OIDC_ISSUER = p.issuer
    settings.DUBAN_OIDC_CLIENT_ID = CLIENT_ID
    settings.DUBAN_OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.DUBAN_OIDC_CLAIM = "preferred_username"
    yield p
    p.server.shutdown()
    p.server.server_close()


@pytest.fixture
def zhang(org, unit):
    """A liaison of 区财政局 whose 统一身份标识 the coordinator has set."""
    user = make_user(org, "zhang-san", "liaison", unit("区财政局"))
    user.profile.external_id = "zhangsan@xishan"
    user.profile.save()
    return user


def sign_in(client, provider, state=None):
    """The browser's round trip: Duban → the provider → Duban's callback. Returns the callback's response."""
    r = client.get("/oidc/authenticate/")
    assert r.status_code == 302 and r["Location"].startswith(provider.issuer + "/authorize?"), r
    back = requests.get(r["Location"], allow_redirects=False, timeout=5)
    assert back.status_code == 302
    url = urlsplit(back.headers["Location"])
    assert url.path == "/oidc/callback/"
    query = parse_qs(url.query)
    if state is not None:
        query["state"] = [state]
    return client.get(url.path, {k: v[0] for k, v in query.items()})


def signed_in(client):
    return client.session.get(SESSION_KEY)


def test_the_code_flow_signs_in_the_account_mapped_by_the_claim(provider, zhang):
    # The provider names the person only in /userinfo, and claims a role and organisation they do not have.
    provider.person = {"sub": "u-0001", "preferred_username": "zhangsan@xishan", "role": "coordinator",
                       "org": "东川区", "unit": "区民政局"}
    client = Client()
    r = sign_in(client, provider)
    assert r.status_code == 302 and r["Location"] == "/", r
    assert signed_in(client) == str(zhang.pk)
    zhang.profile.refresh_from_db()
    assert (zhang.profile.role, zhang.profile.unit.name, zhang.profile.org.short_name) == ("liaison", "区财政局", "西山区")
    assert at_home(client)
    login = AuditEvent.objects.get(action=AuditEvent.LOGIN)
    assert (login.username, login.after) == ("zhang-san", {"method": "oidc"})
    assert provider.token_requests == 1 and not provider.codes  # the code was spent
    assert not provider.basic_auth_used  # client_secret_post unless DUBAN_OIDC_TOKEN_BASIC_AUTH


def test_the_client_secret_by_http_basic(provider, zhang, settings):
    settings.DUBAN_OIDC_TOKEN_BASIC_AUTH = True
    provider.person = {"sub": "u-0001", "preferred_username": "zhangsan@xishan"}
    client = Client()
    sign_in(client, provider)
    assert signed_in(client) == str(zhang.pk) and provider.basic_auth_used


def test_next_is_kept_through_the_provider(provider, zhang):
    provider.person = {"sub": "u-0001", "preferred_username": "zhangsan@xishan"}
    client = Client()
    r = client.get("/oidc/authenticate/", {"next": "/directory/"})
    back = requests.get(r["Location"], allow_redirects=False, timeout=5)
    url = urlsplit(back.headers["Location"])
    r = client.get(url.path, {k: v[0] for k, v in parse_qs(url.query).items()})
    assert r["Location"] == "/directory/"


def test_a_forced_password_change_does_not_apply_to_an_oidc_session(provider, zhang):
    require_change(zhang)
    provider.person = {"sub": "u-0001", "preferred_username": "zhangsan@xishan"}
    client = Client()
    sign_in(client, provider)
    assert at_home(client)  # not sent to the change-password page
    # the same account signing in with its password is still sent there
    password_client = Client()
    password_client.post("/login/", {"username": "zhang-san", "password": PASSWORD})
    assert signed_in(password_client) == str(zhang.pk)
    assert password_client.get("/")["Location"] == reverse("password_change")


def at_home(client):
    """The liaison's home (their unit's page), reached without a detour to the login or password page."""
    r = client.get("/", follow=True)
    return r.status_code == 200 and all(not url.startswith(("/login/", "/password/")) for url, _ in r.redirect_chain)


def refused(client, r, text):
    assert r.status_code == 302 and r["Location"] == "/login/", r
    assert signed_in(client) is None
    page = client.get("/login/").content.decode()
    assert text in page, page
    return AuditEvent.objects.filter(action=AuditEvent.LOGIN_FAILED).latest("id")


def test_an_identity_with_no_account_is_refused(provider, zhang):
    provider.person = {"sub": "u-0002", "preferred_username": "lisi@xishan"}
    client = Client()
    event = refused(client, sign_in(client, provider), "尚未关联督办系统账户")
    assert event.after == {"method": "oidc", "reason": "unknown", "claim": "lisi@xishan"}


def test_the_claim_missing_is_refused(provider, zhang):
    provider.person = {"sub": "zhangsan@xishan"}  # sub equals the id, but the configured claim is absent
    client = Client()
    event = refused(client, sign_in(client, provider), "没有提供 preferred_username")
    assert event.after["reason"] == "no_claim"


def test_a_deactivated_account_is_refused(provider, zhang):
    zhang.is_active = False
    zhang.save()
    provider.person = {"sub": "u-0001", "preferred_username": "zhangsan@xishan"}
    client = Client()
    event = refused(client, sign_in(client, provider), "该账户已停用")
    assert (event.username, event.after["reason"]) == ("zhang-san", "inactive")


def test_a_session_ends_when_the_account_is_deactivated(provider, zhang):
    provider.person = {"sub": "u-0001", "preferred_username": "zhangsan@xishan"}
    client = Client()
    sign_in(client, provider)
    assert at_home(client)
    zhang.is_active = False
    zhang.save()
    assert client.get("/")["Location"].startswith("/login/")


def test_a_locked_account_is_refused(provider, zhang, settings):
    provider.person = {"sub": "u-0001", "preferred_username": "zhangsan@xishan"}
    client = Client()
    for _ in range(settings.DUBAN_LOGIN_FAILURES_PER_ACCOUNT):
        client.post("/login/", {"username": "zhang-san", "password": "wrong password"})
    assert Lockout.objects.filter(kind=Lockout.USERNAME, key="zhang-san").exists()
    event = refused(client, sign_in(client, provider), "已被锁定")
    assert (event.username, event.after) == ("zhang-san", {"method": "oidc", "reason": "locked", "claim": "zhangsan@xishan"})


def test_a_state_this_browser_never_sent_is_refused(provider, zhang):
    provider.person = {"sub": "u-0001", "preferred_username": "zhangsan@xishan"}
    client = Client()
    event = refused(client, sign_in(client, provider, state="forged-state"), "统一身份认证登录未成功")
    assert event.after == {"method": "oidc", "reason": "state"}
    assert provider.token_requests == 0  # the code was never exchanged


def test_a_callback_without_a_started_sign_in_is_refused(provider, zhang):
    client = Client()
    r = client.get("/oidc/callback/", {"code": "x", "state": "y"})
    assert r.status_code == 302 and r["Location"] == "/login/"
    assert signed_in(client) is None and provider.token_requests == 0


def test_a_nonce_mismatch_is_refused(provider, zhang):
    provider.person = {"sub": "u-0001", "preferred_username": "zhangsan@xishan"}
    provider.tamper_nonce = True
    client = Client()
    event = refused(client, sign_in(client, provider), "统一身份认证登录未成功")
    assert event.after["reason"] == "provider"


def test_an_id_token_signed_by_another_key_is_refused(provider, zhang):
    provider.person = {"sub": "u-0001", "preferred_username": "zhangsan@xishan"}
    provider.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    client = Client()
    event = refused(client, sign_in(client, provider), "统一身份认证登录未成功")
    assert event.after["reason"] == "provider"


def test_the_provider_refusing_or_unreachable_is_a_message_not_an_error(provider, zhang, settings):
    client = Client()
    r = client.get("/oidc/callback/", {"error": "access_denied", "state": "y"})
    assert r["Location"] == "/login/" and "已取消或被拒绝" in client.get("/login/").content.decode()
    # a link with ?error= does not log a signed-in user out (logout is POST only)
    client.force_login(zhang)
    client.get("/oidc/callback/", {"error": "access_denied"})
    assert signed_in(client) == str(zhang.pk)
    client.logout()
    # the cancelled sign-in's state is spent: coming back with it later is refused
    r = client.get("/oidc/authenticate/")
    state = parse_qs(urlsplit(r["Location"]).query)["state"][0]
    client.get("/oidc/callback/", {"error": "access_denied", "state": state})
    assert state not in client.session.get("oidc_states", {})
    settings.DUBAN_OIDC_ISSUER = "http://127.0.0.1:9"  # nothing listens there
    r = client.get("/oidc/authenticate/")
    assert r["Location"] == "/login/" and "暂时无法连接统一身份认证平台" in client.get("/login/").content.decode()


def test_the_login_page_offers_it_only_when_configured(db, settings):
    settings.DUBAN_OIDC_ISSUER = settings.DUBAN_OIDC_CLIENT_ID = ""
    client = Client()
    assert "统一身份认证" not in client.get("/login/").content.decode()
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/", {"code": "x", "state": "y"}).status_code == 404
    settings.DUBAN_OIDC_ISSUER, settings.DUBAN_OIDC_CLIENT_ID = "https://id.example.gov.cn", CLIENT_ID
    assert "使用统一身份认证登录" in client.get("/login/").content.decode()
    # the password login is still there
    assert 'name="password"' in client.get("/login/").content.decode()


def test_the_coordinator_sets_the_external_id(coordinator, liaison, leader, org):
    client = Client()
    client.force_login(coordinator)
    url = f"/accounts/users/{liaison.pk}/external-id/"
    assert "统一身份标识" in client.get(f"/accounts/users/{liaison.pk}/").content.decode()
    r = client.post(url, {"external_id": "  caiwu-01  "})
    assert r.status_code == 302
    liaison.profile.refresh_from_db()
    assert liaison.profile.external_id == "caiwu-01"
    event = AuditEvent.objects.get(action=AuditEvent.ACCOUNT_EXTERNAL_ID)
    assert (event.before, event.after) == ({"external_id": ""}, {"external_id": "caiwu-01"})
    # one identity, one account
    client.post(f"/accounts/users/{leader.pk}/external-id/", {"external_id": "caiwu-01"})
    leader.profile.refresh_from_db()
    assert leader.profile.external_id == ""
    assert "已关联其他账户" in client.get(f"/accounts/users/{leader.pk}/").content.decode()
    # nobody else sets one, nor their own
    for who in (liaison, leader):
        c = Client()
        c.force_login(who)
        assert c.post(f"/accounts/users/{who.pk}/external-id/", {"external_id": "x"}).status_code in (403, 404)
    assert Client().post(url, {"external_id": "x"}).status_code == 302  # to the login page
    assert client.post(f"/accounts/users/{coordinator.pk}/external-id/", {"external_id": "x"}).status_code == 404
    liaison.profile.refresh_from_db()
    assert liaison.profile.external_id == "caiwu-01"
    # cleared: password only again
    client.post(url, {"external_id": ""})
    liaison.profile.refresh_from_db()
    assert liaison.profile.external_id == ""


def test_a_locked_address_is_refused_before_the_provider_is_asked(provider, zhang, settings):
    settings.DUBAN_LOGIN_FAILURES_PER_IP = 2
    provider.person = {"sub": "u-0001", "preferred_username": "zhangsan@xishan"}
    client = Client()
    for name in ("a", "b"):
        client.post("/login/", {"username": name, "password": "wrong password"})
    assert Lockout.objects.filter(kind=Lockout.IP).exists()
    refused(client, sign_in(client, provider), "本机地址登录失败次数过多")
    assert provider.token_requests == 0


def test_the_default_claim_is_sub(provider, zhang, settings):
    settings.DUBAN_OIDC_CLAIM = "sub"
    provider.person = {"sub": "zhangsan@xishan", "preferred_username": "somebody-else"}
    client = Client()
    sign_in(client, provider)
    assert signed_in(client) == str(zhang.pk)
