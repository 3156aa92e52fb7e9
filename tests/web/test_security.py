"""等保 application controls: login lockout, password policy, forced change, session clocks, headers, deploy check."""
from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from duban.audit import passwords
from duban.audit.models import AuditEvent, Lockout, PasswordState
from duban.audit.signals import LOGIN_AT, SEEN_AT

from .conftest import PASSWORD, make_user

LOCKED = "该账户连续登录失败次数过多，已被锁定"


def login(client, username, password, ip="10.1.1.1", url="/login/"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- lockout ------------------------------------------------------------------------------------


def test_five_failures_lock_the_account_even_for_the_right_password(client, coordinator):
    for i in range(4):
        r = login(client, "coordinator", f"wrong-{i}")
        assert "用户名或密码不正确" in r.content.decode()
    r = login(client, "coordinator", "wrong-4")
    assert LOCKED in r.content.decode() and "或请协调人解锁" in r.content.decode()
    r = login(client, "coordinator", PASSWORD)
    assert r.status_code == 200 and LOCKED in r.content.decode() and not logged_in(client)
    # From another address too: the account is locked, not the address.
    r = login(client, "coordinator", PASSWORD, ip="10.2.2.2")
    assert LOCKED in r.content.decode() and not logged_in(client)
    lk = Lockout.objects.get()
    assert (lk.kind, lk.key, lk.failures, lk.org) == ("username", "coordinator", 5, coordinator.profile.org)
    assert timedelta(minutes=14) < lk.until - timezone.now() <= timedelta(minutes=15)
    lockouts = AuditEvent.objects.filter(action=AuditEvent.LOCKOUT)
    assert lockouts.count() == 1 and lockouts.get().org == coordinator.profile.org
    refused = AuditEvent.objects.filter(action=AuditEvent.LOGIN_FAILED, username="coordinator")
    assert refused.count() == 7 and refused.filter(after={"reason": "locked"}).count() == 2


def test_the_lockout_ends_after_its_time_and_counting_starts_afresh(client, coordinator):
    for i in range(5):
        login(client, "coordinator", f"wrong-{i}")
    # Sixteen minutes later: move the records back instead of waiting.
    AuditEvent.objects.update(at=F("at") - timedelta(minutes=16))
    Lockout.objects.update(started_at=F("started_at") - timedelta(minutes=16), until=F("until") - timedelta(minutes=16))
    login(client, "coordinator", "wrong-again")  # one more failure after the lockout: not locked again at once
    assert Lockout.objects.count() == 1
    r = login(client, "coordinator", PASSWORD)
    assert r.status_code == 302 and logged_in(client)


def test_a_successful_login_resets_the_count(client, coordinator):
    for i in range(4):
        login(client, "coordinator", f"wrong-{i}")
    assert login(client, "coordinator", PASSWORD).status_code == 302
    client.post("/logout/")
    for i in range(4):
        login(client, "coordinator", f"wrong-{i}")
    assert not Lockout.objects.exists()
    assert login(client, "coordinator", PASSWORD).status_code == 302


def test_twenty_failures_from_one_address_lock_the_address(client, coordinator):
    for i in range(20):
        login(client, f"guess{i}", "x", ip="10.9.9.9")
    lk = Lockout.objects.get(kind="ip")
    assert lk.key == "10.9.9.9" and lk.failures == 20
    r = login(client, "coordinator", PASSWORD, ip="10.9.9.9")
    assert "本机地址登录失败次数过多" in r.content.decode() and not logged_in(client)
    assert login(client, "coordinator", PASSWORD, ip="10.9.9.10").status_code == 302


def test_the_admin_login_is_throttled_too(client, django_user_model, org):
    admin = django_user_model.objects.create_superuser("root", password=PASSWORD)
    for i in range(5):
        login(client, "root", f"wrong-{i}", url="/admin/login/")
    r = login(client, "root", PASSWORD, url="/admin/login/")
    assert LOCKED in r.content.decode() and not logged_in(client)
    assert Lockout.objects.get().key == admin.username


def test_coordinator_unlocks_an_account_of_their_organisation(client, coordinator, leader, liaison):
    for i in range(5):
        login(client, liaison.username, f"wrong-{i}")
    lk = Lockout.objects.get()
    client.force_login(coordinator)
    page = client.get("/audit/").content.decode()
    assert liaison.username in page and f"/audit/unlock/{lk.pk}/" in page
    r = client.post(f"/audit/unlock/{lk.pk}/")
    assert r.status_code == 302
    lk.refresh_from_db()
    assert lk.lifted_by == coordinator and not lk.active
    unlock = AuditEvent.objects.get(action=AuditEvent.UNLOCK)
    assert unlock.user == coordinator and unlock.org == coordinator.profile.org and liaison.username in unlock.target
    client.post("/logout/")
    assert login(client, liaison.username, PASSWORD).status_code == 302


def test_only_the_own_coordinator_may_unlock(client, coordinator, leader, liaison):
    from duban.directory.models import Organisation

    for i in range(5):
        login(client, liaison.username, f"wrong-{i}")
    lk = Lockout.objects.get()
    other = make_user(Organisation.objects.create(name="昆明市五华区人民政府", short_name="五华区"), "wuhua", "coordinator")
    for user in (other, leader, liaison):
        client.force_login(user)
        assert client.post(f"/audit/unlock/{lk.pk}/").status_code == 404
    assert Lockout.objects.get().active and not AuditEvent.objects.filter(action=AuditEvent.UNLOCK).exists()


# --- passwords -----------------------------------------------------------------------------------


@pytest.mark.parametrize("weak, message", [
    ("password", "这个密码太常见了"),
    ("12345678", "密码太短，至少需要 10 个字符"),
    ("1234567890123", "密码只包含数字"),
    ("Qwerty12", "密码太短，至少需要 10 个字符"),
    ("coordinator1", "太相似"),
])
def test_weak_passwords_are_refused_on_the_change_form(client, coordinator, weak, message):
    client.force_login(coordinator)
    r = client.post("/password/", {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
                    HTTP_ACCEPT_LANGUAGE="en-US,en")  # in Chinese even for a browser set to English
    assert r.status_code == 200 and message in r.content.decode()
    coordinator.refresh_from_db()
    assert coordinator.check_password(PASSWORD)


def test_changing_the_password(client, liaison):
    client.force_login(liaison)
    assert 'href="/password/"' in client.get(f"/units/{liaison.profile.unit_id}/").content.decode()  # in the header
    r = client.post("/password/", {"old_password": "not-it", "new_password1": "Xs-gov-2026-ok", "new_password2": "Xs-gov-2026-ok"})
    assert "旧密码不正确" in r.content.decode()
    r = client.post("/password/", {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD})
    assert "新密码不能与原密码相同" in r.content.decode()
    r = client.post("/password/", {"old_password": PASSWORD, "new_password1": "Xs-gov-2026-ok", "new_password2": "Xs-gov-2026-ok"})
    assert r["Location"] == "/password/done/"
    liaison.refresh_from_db()
    assert liaison.check_password("Xs-gov-2026-ok") and logged_in(client)  # still logged in
    e = AuditEvent.objects.get(action=AuditEvent.PASSWORD_CHANGE)
    assert e.user == liaison and e.org == liaison.profile.org


def test_a_reset_password_must_be_changed_at_the_next_login(client, seed_plan, liaison):
    passwords.require_change(liaison)
    r = login(client, liaison.username, PASSWORD)
    assert r.status_code == 302 and logged_in(client)
    for path in ["/", f"/units/{liaison.profile.unit_id}/", "/plans/", "/admin/"]:
        assert client.get(path)["Location"] == "/password/", path
    page = client.get("/password/")
    assert page.status_code == 200 and "请先设置自己的新密码" in page.content.decode()
    r = client.post("/password/", {"old_password": PASSWORD, "new_password1": "Xs-gov-2026-ok", "new_password2": "Xs-gov-2026-ok"})
    assert r["Location"] == "/password/done/"
    assert client.get(f"/units/{liaison.profile.unit_id}/").status_code == 200
    assert not PasswordState.objects.get(user=liaison).must_change


def test_demo_users_must_change_their_generated_passwords(db, monkeypatch):
    from django.contrib.auth.models import User

    monkeypatch.delenv("DUBAN_DEMO_PASSWORD", raising=False)
    call_command("load_directory", stdout=io.StringIO())
    out = io.StringIO()
    call_command("demo_users", stdout=out)
    assert "首次登录时须修改密码" in out.getvalue()
    assert PasswordState.objects.filter(must_change=True).count() == User.objects.count()


def test_a_password_set_in_the_admin_must_be_changed(client, django_user_model, liaison):
    root = django_user_model.objects.create_superuser("root", password=PASSWORD)
    client.force_login(root)
    r = client.post(f"/admin/auth/user/{liaison.pk}/password/",
                    {"password1": "Reset-pass-2026", "password2": "Reset-pass-2026", "usable_password": "true"})
    assert r.status_code == 302
    assert passwords.must_change(liaison)


# --- sessions ------------------------------------------------------------------------------------


def _age_session(client, **offsets):
    session = client.session
    for key, seconds in offsets.items():
        session[key] = time.time() - seconds
    session.save()


def test_an_idle_session_expires(client, seed_plan, coordinator, settings):
    settings.SESSION_IDLE_MINUTES = 30
    login(client, "coordinator", PASSWORD)
    _age_session(client, **{SEEN_AT: 29 * 60})
    assert client.get("/plans/").status_code == 200
    assert time.time() - client.session[SEEN_AT] < 5  # the visit moved the idle clock on
    _age_session(client, **{SEEN_AT: 31 * 60})
    r = client.get("/plans/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")
    assert not logged_in(client)
    assert "超过 30 分钟未操作" in client.get(r["Location"]).content.decode()
    e = AuditEvent.objects.filter(action=AuditEvent.LOGOUT).get()
    assert e.user == coordinator and e.after == {"reason": "idle"}


def test_a_session_ends_after_its_absolute_lifetime(client, seed_plan, coordinator, settings):
    settings.SESSION_MAX_HOURS = 12
    login(client, "coordinator", PASSWORD)
    _age_session(client, **{LOGIN_AT: 11 * 3600, SEEN_AT: 10})
    assert client.get("/plans/").status_code == 200
    _age_session(client, **{LOGIN_AT: 12 * 3600 + 60, SEEN_AT: 10})
    r = client.get("/plans/")
    assert r.status_code == 302 and not logged_in(client)


# --- headers, HTTPS, the deploy check -------------------------------------------------------------


def test_security_headers_on_every_response(client, seed_plan, coordinator):
    for r in [client.get("/login/"), client.get("/no-such-page/")]:
        csp = r["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp.split("style-src")[0]
        assert "frame-ancestors 'none'" in csp
        assert r["X-Frame-Options"] == "DENY" and r["X-Content-Type-Options"] == "nosniff"
        assert r["Referrer-Policy"] == "same-origin"


def test_templates_have_no_inline_scripts():
    import re
    from pathlib import Path

    import duban

    root = Path(duban.__file__).parent / "templates"
    for path in root.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or 'type="application/json"' in tag, f"{path}: {tag}"
        assert not re.search(r"\son[a-z]+=", text), f"{path}: inline event handler"


def test_session_cookie_is_httponly(client, coordinator):
    r = login(client, "coordinator", PASSWORD)
    assert r.cookies["sessionid"]["httponly"]


def _settings_in(env: dict, code: str, tmp_path) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DUBAN_HTTPS", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE",
                                                      "DJANGO_ALLOW_ASYNC_UNSAFE"}}  # the browser tests' conftest sets it
    return subprocess.run([sys.executable, "-c", code], env={**base, "DUBAN_DATA_DIR": str(tmp_path), **env},
                          capture_output=True, text=True, timeout=120, cwd=os.getcwd())


PRODUCTION = {"SECRET_KEY": "k8Jm2vQx-" + "Zp4Ls9Tw" * 7, "ALLOWED_HOSTS": "duban.xishan.gov.cn"}


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    r = _settings_in({}, "import duban.settings", tmp_path)
    assert r.returncode != 0 and "ImproperlyConfigured" in r.stderr and "SECRET_KEY 未设置" in r.stderr
    r = _settings_in({"DEBUG": "1"}, "import duban.settings as s; print(s.DEBUG, s.SESSION_COOKIE_SECURE)", tmp_path)
    assert r.returncode == 0 and r.stdout.split() == ["True", "False"]


def test_production_settings_are_https_only(tmp_path):
    code = ("import duban.settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
            "s.SECURE_HSTS_SECONDS > 0, s.SESSION_COOKIE_HTTPONLY)")
    assert _settings_in(PRODUCTION, code, tmp_path).stdout.split() == ["True"] * 5
    # `make run` serves plain http://127.0.0.1:8000 with DUBAN_HTTPS=0.
    plain = _settings_in({**PRODUCTION, "DUBAN_HTTPS": "0"}, code, tmp_path).stdout.split()
    assert plain == ["False", "False", "False", "False", "True"]


def test_check_deploy_is_clean_with_production_environment(tmp_path):
    code = "import sys; from duban.cli import main; sys.exit(main(['check', '--deploy', '--fail-level', 'WARNING']))"
    r = _settings_in({**PRODUCTION, "DJANGO_SETTINGS_MODULE": "duban.settings"}, code, tmp_path)
    assert r.returncode == 0, r.stderr
    assert "no issues" in r.stdout


def test_check_deploy_under_overridden_settings(settings, monkeypatch):
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)  # set by the browser tests' conftest, never in production
    settings.DEBUG = False
    settings.SECRET_KEY = PRODUCTION["SECRET_KEY"]
    settings.ALLOWED_HOSTS = ["duban.xishan.gov.cn"]
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    out, err = io.StringIO(), io.StringIO()
    call_command("check", deploy=True, fail_level="WARNING", stdout=out, stderr=err)
    assert "no issues" in out.getvalue() and not err.getvalue()


def test_https_redirect_and_hsts_when_on(client, settings, db):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    r = client.get("/login/")
    assert r.status_code == 301 and r["Location"].startswith("https://")
    r = client.get("/login/", secure=True)
    assert r.status_code == 200 and r["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_superuser_lifts_an_address_lockout_in_the_admin(client, django_user_model, coordinator):
    for i in range(20):
        login(client, f"guess{i}", "x", ip="10.9.9.9")
    lk = Lockout.objects.get(kind="ip")
    root = django_user_model.objects.create_superuser("root", password=PASSWORD)
    client.force_login(root)
    assert client.get("/admin/audit/auditevent/").status_code == 200
    r = client.post("/admin/audit/lockout/", {"action": "lift", "_selected_action": [lk.pk]})
    assert r.status_code == 302
    lk.refresh_from_db()
    assert not lk.active and lk.lifted_by == root
    assert AuditEvent.objects.filter(action=AuditEvent.UNLOCK, user=root).exists()
    client.logout()
    assert login(client, "coordinator", PASSWORD, ip="10.9.9.9").status_code == 302
