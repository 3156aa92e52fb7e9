"""API tokens (/accounts/tokens/): a user makes and revokes their own; the coordinator revokes those of
their organisation's users; only a digest is stored; a revoked token or a deactivated user gets 401."""
from __future__ import annotations

import re

from django.test import Client

from duban.api.models import ApiToken, digest
from rest_framework.test import APIClient


def make_token(user, name="市平台对接") -> str:
    c = Client()
    c.force_login(user)
    r = c.post("/accounts/tokens/new/", {"name": name})
    assert r.status_code == 200 and r["Cache-Control"].startswith("max-age=0")
    key = re.search(r'<code id="new-token">([^<]+)</code>', r.content.decode())[1]
    return key


def with_token(key) -> APIClient:
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return c


def test_a_user_makes_a_token_shown_once_and_stored_only_as_a_digest(people, plan):
    key = make_token(people["liaison"])
    token = ApiToken.objects.get()
    assert token.user == people["liaison"] and token.name == "市平台对接"
    assert token.digest == digest(key) and key not in (token.digest, token.prefix) and key.startswith(token.prefix)
    r = with_token(key).get("/api/v1/plans/")
    assert r.status_code == 200 and r.json()["count"] == 1
    token.refresh_from_db()
    assert token.last_used_at is not None
    c = Client()
    c.force_login(people["liaison"])
    page = c.get("/accounts/tokens/").content.decode()
    assert token.prefix in page and key not in page  # never shown again
    assert with_token(key + "x").get("/api/v1/plans/").status_code == 401


def test_a_user_revokes_their_own_token(people):
    key = make_token(people["leader"])
    token = ApiToken.objects.get()
    c = Client()
    c.force_login(people["leader"])
    assert c.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == people["leader"]
    r = with_token(key).get("/api/v1/plans/")
    assert r.status_code == 401 and r.json()["detail"] == "令牌无效或已撤销。"


def test_the_coordinator_revokes_tokens_of_their_organisation_only(people):
    key = make_token(people["liaison"])
    other_key = make_token(people["other liaison"])
    mine, theirs = ApiToken.objects.get(user=people["liaison"]), ApiToken.objects.get(user=people["other liaison"])
    coordinator = Client()
    coordinator.force_login(people["coordinator"])
    page = coordinator.get("/accounts/tokens/").content.decode()
    assert mine.prefix in page and theirs.prefix not in page
    assert coordinator.post(f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 404
    assert coordinator.post(f"/accounts/tokens/{mine.pk}/revoke/").status_code == 302
    assert with_token(key).get("/api/v1/units/").status_code == 401
    assert with_token(other_key).get("/api/v1/units/").status_code == 200
    # a liaison or a leader cannot revoke somebody else's token
    fresh = make_token(people["liaison of another unit"])
    token = ApiToken.objects.get(digest=digest(fresh))
    for who in ("liaison", "leader", "other coordinator"):
        c = Client()
        c.force_login(people[who])
        assert c.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404, who
    assert with_token(fresh).get("/api/v1/units/").status_code == 200


def test_a_deactivated_user_s_token_stops_working(people):
    key = make_token(people["liaison"])
    people["liaison"].is_active = False
    people["liaison"].save()
    assert with_token(key).get("/api/v1/plans/").status_code == 401


def test_the_token_page_wants_a_name_and_a_role(people, db):
    c = Client()
    c.force_login(people["coordinator"])
    r = c.post("/accounts/tokens/new/", {"name": ""})
    assert r.status_code == 400 and ApiToken.objects.count() == 0
    r = c.post("/accounts/tokens/new/", {"name": "x" * 500})
    assert r.status_code == 400 and ApiToken.objects.count() == 0
    from django.contrib.auth.models import User

    nobody = User.objects.create_user("no-profile", password="x")
    c.force_login(nobody)
    assert c.get("/accounts/tokens/").status_code == 403
    assert c.post("/accounts/tokens/new/", {"name": "x"}).status_code == 403
    assert Client().get("/accounts/tokens/").status_code == 302


def test_the_browser_session_works_with_csrf(people, lead):
    c = Client(enforce_csrf_checks=True)
    c.force_login(people["liaison"])
    assert c.get("/api/v1/assignments/").status_code == 200
    r = c.post(f"/api/v1/assignments/{lead.pk}/reports/", {"text": "已公开。"})
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]


def test_a_superuser_revokes_tokens_in_the_admin(people, django_user_model):
    key = make_token(people["liaison"])
    token = ApiToken.objects.get()
    admin = django_user_model.objects.create_superuser("root", password="x" * 12)
    c = Client()
    c.force_login(admin)
    assert token.prefix in c.get("/admin/api/apitoken/").content.decode()
    r = c.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert r.status_code == 302
    token.refresh_from_db()
    assert token.revoked_by == admin and with_token(key).get("/api/v1/units/").status_code == 401


def test_hostile_authorization_headers_are_a_401(people):
    for header in ["Token", "Token a b", "Token " + "x" * 5000, "Token \x00", "Token %_' OR 1=1 --", "Bearer abc",
                   "Token ".encode() + "令牌".encode("utf-8"), b"Token \xff\xfe"]:
        c = APIClient()
        c.credentials(HTTP_AUTHORIZATION=header.decode("latin-1") if isinstance(header, bytes) else header)
        r = c.get("/api/v1/plans/")
        assert r.status_code == 401, (header[:20], r.status_code)
        assert r.json()["detail"]


def test_making_and_revoking_a_token_is_in_the_audit_trail_without_the_key(people, django_user_model):
    from duban.audit.models import AuditEvent

    key = make_token(people["liaison"])
    token = ApiToken.objects.get()
    made = AuditEvent.objects.get(action=AuditEvent.TOKEN_CREATE)
    assert made.user == people["liaison"] and made.org == people["liaison"].profile.org
    assert token.prefix in made.target and "市平台对接" in made.target and made.after["token"] == token.pk
    coordinator = Client()
    coordinator.force_login(people["coordinator"])
    assert coordinator.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    revoked = AuditEvent.objects.get(action=AuditEvent.TOKEN_REVOKE)
    assert revoked.user == people["coordinator"] and revoked.after["user"] == people["liaison"].username
    # revoking again changes nothing and records nothing
    assert coordinator.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    assert AuditEvent.objects.filter(action=AuditEvent.TOKEN_REVOKE).count() == 1
    # the superuser's revocation in the admin is recorded too, under the token owner's organisation
    other = make_token(people["other liaison"])
    admin = django_user_model.objects.create_superuser("root", password="x" * 12)
    c = Client()
    c.force_login(admin)
    c.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [ApiToken.objects.get(digest=digest(other)).pk]})
    by_admin = AuditEvent.objects.get(action=AuditEvent.TOKEN_REVOKE, user=admin)
    assert by_admin.org == people["other liaison"].profile.org
    for event in AuditEvent.objects.all():
        text = f"{event.target} {event.before} {event.after}"
        assert key not in text and other not in text and digest(key) not in text
