"""User accounts in Duban's own pages (/accounts/users/): the coordinator manages the liaisons and
leaders of their own organisation, and can never make anyone (themselves included) more than that.
"""
from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client

from duban.accounts.models import Profile
from duban.directory.models import Organisation, Unit

from .conftest import PASSWORD, make_user


@pytest.fixture
def other_org(db):
    """东川区, with a unit of the same name as one of 西山区's and a liaison and coordinator of its own."""
    org = Organisation.objects.create(name="昆明市东川区人民政府", short_name="东川区")
    unit = Unit.objects.create(org=org, name="区财政局", kind=Unit.BUREAU)
    make_user(org, "dc-coordinator", "coordinator")
    make_user(org, "dc-liaison", "liaison", unit)
    return org


@pytest.fixture
def coord(coordinator, as_user):
    return as_user(coordinator)


def new_user_post(**fields):
    data = {"username": "caizheng2", "first_name": "王芳", "email": "", "role": "liaison"}
    data.update(fields)
    return data


def shown_password(response) -> str:
    html = response.content.decode()
    start = html.index('id="one-time-password">') + len('id="one-time-password">')
    return html[start:html.index("<", start)]


# --- who reaches the pages -------------------------------------------------------------------------


def test_liaison_leader_and_users_without_role_cannot_reach_the_user_pages(org, liaison, leader, coordinator, client):
    target = make_user(org, "leader2", "leader")
    nobody = User.objects.create_user("nobody", password=PASSWORD)
    urls_get = ["/accounts/users/", "/accounts/users/new/", f"/accounts/users/{target.pk}/"]
    urls_post = [f"/accounts/users/{target.pk}/{a}/" for a in ("password", "deactivate", "activate", "unit")]
    for user in (liaison, leader, nobody):
        client.force_login(user)
        for url in urls_get:
            assert client.get(url).status_code == 403, (user, url)
        for url in urls_post + ["/accounts/users/new/"]:
            assert client.post(url, new_user_post(role="coordinator")).status_code == 403, (user, url)
    target.refresh_from_db()
    assert target.is_active and target.check_password(PASSWORD)
    assert not User.objects.filter(username="caizheng2").exists()
    client.logout()
    assert client.get("/accounts/users/").status_code == 302  # to the login page


def test_only_the_coordinator_sees_the_menu_link(coordinator, liaison, leader, client):
    client.force_login(coordinator)
    assert 'href="/accounts/users/"' in client.get("/directory/").content.decode()
    for user in (liaison, leader):
        client.force_login(user)
        page = client.get("/plans/", follow=True).content.decode()
        assert "/accounts/users/" not in page


def test_list_shows_the_own_organisation_only(org, other_org, coordinator, liaison, leader, coord):
    page = coord.get("/accounts/users/").content.decode()
    for username in ("coordinator", "liaison-finance", "leader"):
        assert f'data-username="{username}"' in page
    assert "dc-coordinator" not in page and "dc-liaison" not in page
    assert "区财政局" in page and "从未登录" in page
    # Only liaisons and leaders are links; the coordinator's own row is not.
    assert f'href="/accounts/users/{liaison.pk}/"' in page and f'href="/accounts/users/{leader.pk}/"' in page
    assert f'href="/accounts/users/{coordinator.pk}/"' not in page


def test_another_organisations_users_are_404_and_unchanged(other_org, coord):
    dc_liaison = User.objects.get(username="dc-liaison")
    xs_unit = Unit.objects.get(org__short_name="西山区", name="区民政局")
    assert coord.get(f"/accounts/users/{dc_liaison.pk}/").status_code == 404
    for action, data in [("password", {}), ("deactivate", {}), ("unit", {"unit": xs_unit.pk})]:
        assert coord.post(f"/accounts/users/{dc_liaison.pk}/{action}/", data).status_code == 404, action
    dc_liaison.refresh_from_db()
    assert dc_liaison.is_active and dc_liaison.check_password(PASSWORD)
    assert dc_liaison.profile.unit.org == other_org
    assert coord.get("/accounts/users/999999/").status_code == 404


def test_coordinator_cannot_touch_coordinators_staff_superusers_or_themselves(org, unit, coordinator, coord):
    colleague = make_user(org, "coordinator2", "coordinator")
    staff = make_user(org, "staff-liaison", "liaison", unit("区民政局"))
    staff.is_staff = True
    staff.save()
    root = make_user(org, "root", "leader")
    root.is_superuser = root.is_staff = True
    root.save()
    for target in (colleague, staff, root, coordinator):
        assert coord.get(f"/accounts/users/{target.pk}/").status_code == 404
        for action in ("password", "deactivate"):
            assert coord.post(f"/accounts/users/{target.pk}/{action}/").status_code == 404
        target.refresh_from_db()
        assert target.is_active and target.check_password(PASSWORD)
    assert root.is_superuser


# --- creating accounts ---------------------------------------------------------------------------


def test_coordinator_creates_a_liaison_and_sees_its_password_once(org, unit, coord):
    finance = unit("区财政局")
    r = coord.post("/accounts/users/new/", new_user_post(unit=finance.pk, email="wf@example.cn"))
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    password = shown_password(r)
    user = User.objects.get(username="caizheng2")
    assert user.check_password(password) and len(password) == 14
    assert (user.profile.org, user.profile.role, user.profile.unit) == (org, "liaison", finance)
    assert (user.first_name, user.email, user.is_staff, user.is_superuser, user.is_active) == ("王芳", "wf@example.cn", False, False, True)
    # The password is not kept anywhere it could be shown again.
    assert password not in coord.get(f"/accounts/users/{user.pk}/").content.decode()
    assert password not in coord.get("/accounts/users/").content.decode()
    # The new liaison logs in, must first choose a password of their own, then lands on the unit's page.
    other = Client()
    assert other.login(username="caizheng2", password=password)
    assert other.get("/")["Location"] == "/password/"
    r = other.post("/password/", {"old_password": password, "new_password1": "Tq7-mountain-river", "new_password2": "Tq7-mountain-river"})
    assert r.status_code == 302
    assert other.get("/")["Location"] == f"/units/{finance.pk}/"


def test_create_ignores_admin_flags_and_another_organisation(org, other_org, unit, coord):
    r = coord.post("/accounts/users/new/", new_user_post(
        unit=unit("区财政局").pk, is_superuser="on", is_staff="on", org=other_org.pk, profile__org=other_org.pk,
        groups=Group.objects.create(name="x").pk, user_permissions=Permission.objects.first().pk,
    ))
    assert r.status_code == 200
    user = User.objects.get(username="caizheng2")
    assert not user.is_superuser and not user.is_staff and user.profile.org == org
    assert not user.groups.exists() and not user.user_permissions.exists()


@pytest.mark.parametrize("fields, error", [
    ({"role": "coordinator"}, "选择一个有效的选项"),
    ({"role": "superuser"}, "选择一个有效的选项"),
    ({"role": "liaison"}, "联络员必须指定所在单位"),
    ({"role": "liaison", "unit": "abc"}, "选择一个有效的选项"),
    ({"username": "coordinator"}, "已被使用"),
    ({"username": "COORDINATOR"}, "已被使用"),
    ({"username": "有 空格"}, "用户名"),
    ({"username": ""}, "这个字段是必填项"),
    ({"email": "not-an-email"}, "有效的 Email"),
])
def test_create_refuses_bad_input_and_creates_nothing(org, unit, coord, fields, error):
    data = new_user_post(unit=unit("区财政局").pk)
    data.update(fields)
    if fields.get("role") == "liaison" and "unit" not in fields:
        del data["unit"]
    before = User.objects.count()
    r = coord.post("/accounts/users/new/", data)
    assert r.status_code == 200 and error in r.content.decode()
    assert User.objects.count() == before


def test_create_refuses_a_unit_of_another_organisation(other_org, coord):
    r = coord.post("/accounts/users/new/", new_user_post(unit=Unit.objects.get(org=other_org).pk))
    assert r.status_code == 200 and "选择一个有效的选项" in r.content.decode()
    assert not User.objects.filter(username="caizheng2").exists()


def test_a_leader_gets_no_unit(org, unit, coord):
    coord.post("/accounts/users/new/", new_user_post(username="fgld", role="leader", unit=unit("区财政局").pk))
    profile = Profile.objects.get(user__username="fgld")
    assert (profile.role, profile.unit, profile.org) == ("leader", None, org)


def test_user_pages_need_the_csrf_token(org, unit, coordinator):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(coordinator)
    target = make_user(org, "leader2", "leader")
    assert strict.post("/accounts/users/new/", new_user_post(unit=unit("区财政局").pk)).status_code == 403
    assert strict.post(f"/accounts/users/{target.pk}/deactivate/").status_code == 403
    assert not User.objects.filter(username="caizheng2").exists()
    target.refresh_from_db()
    assert target.is_active
    # The forms carry the token.
    assert "csrfmiddlewaretoken" in strict.get("/accounts/users/new/").content.decode()
    page = strict.get(f"/accounts/users/{target.pk}/").content.decode()
    assert page.count('method="post"') == page.count("csrfmiddlewaretoken") == 5  # 统一身份标识, 企业微信/钉钉账号, password, deactivate, 退出


# --- changing accounts -------------------------------------------------------------------------


def test_reset_password(liaison, coord):
    assert coord.get(f"/accounts/users/{liaison.pk}/password/").status_code == 405
    r = coord.post(f"/accounts/users/{liaison.pk}/password/")
    assert r.status_code == 200 and "no-store" in r["Cache-Control"] and "密码已重置" in r.content.decode()
    liaison.refresh_from_db()
    assert liaison.check_password(shown_password(r)) and not liaison.check_password(PASSWORD)
    assert shown_password(coord.post(f"/accounts/users/{liaison.pk}/password/")) != shown_password(r)


def test_reset_password_ends_the_users_sessions(liaison, coord):
    phone = Client()
    phone.force_login(liaison)
    assert phone.get("/").status_code == 302 and phone.get(phone.get("/")["Location"]).status_code == 200
    coord.post(f"/accounts/users/{liaison.pk}/password/")
    assert phone.get(f"/units/{liaison.profile.unit_id}/")["Location"].startswith("/login/")


def test_deactivate_and_reactivate(liaison, coord):
    assert coord.get(f"/accounts/users/{liaison.pk}/deactivate/").status_code == 405
    r = coord.post(f"/accounts/users/{liaison.pk}/deactivate/", follow=True)
    liaison.refresh_from_db()
    assert not liaison.is_active and "已停用" in r.content.decode()
    assert not Client().login(username="liaison-finance", password=PASSWORD)
    page = coord.get("/accounts/users/").content.decode()
    assert 'class="user inactive" data-username="liaison-finance"' in page
    coord.post(f"/accounts/users/{liaison.pk}/activate/")
    liaison.refresh_from_db()
    assert liaison.is_active and Client().login(username="liaison-finance", password=PASSWORD)


def test_change_a_liaisons_unit(org, other_org, unit, liaison, coord):
    civil = unit("区民政局")
    r = coord.post(f"/accounts/users/{liaison.pk}/unit/", {"unit": civil.pk}, follow=True)
    assert "已由 区财政局 改为 区民政局" in r.content.decode()
    liaison.profile.refresh_from_db()
    assert liaison.profile.unit == civil
    for bad in (Unit.objects.get(org=other_org).pk, "x", ""):
        r = coord.post(f"/accounts/users/{liaison.pk}/unit/", {"unit": bad}, follow=True)
        assert "请选择本机构" in r.content.decode()
    # Role, organisation and flags are not fields here: posting them changes nothing.
    coord.post(f"/accounts/users/{liaison.pk}/unit/", {"unit": civil.pk, "role": "coordinator", "org": other_org.pk, "is_superuser": "on"})
    liaison.refresh_from_db()
    liaison.profile.refresh_from_db()
    assert (liaison.profile.unit, liaison.profile.role, liaison.profile.org, liaison.is_superuser) == (civil, "liaison", org, False)


def test_a_leader_has_no_unit_to_change(unit, leader, coord):
    r = coord.post(f"/accounts/users/{leader.pk}/unit/", {"unit": unit("区民政局").pk}, follow=True)
    assert "只有单位联络员" in r.content.decode()
    leader.profile.refresh_from_db()
    assert leader.profile.unit is None
    assert "调整所在单位" not in coord.get(f"/accounts/users/{leader.pk}/").content.decode()


def test_account_changes_are_in_the_audit_trail_and_reset_passwords_must_be_changed(org, unit, liaison, coord):
    from duban.audit.models import AuditEvent
    from duban.audit.passwords import must_change

    coord.post("/accounts/users/new/", new_user_post(unit=unit("区财政局").pk))
    coord.post(f"/accounts/users/{liaison.pk}/password/")
    coord.post(f"/accounts/users/{liaison.pk}/unit/", {"unit": unit("区民政局").pk})
    coord.post(f"/accounts/users/{liaison.pk}/deactivate/")
    coord.post(f"/accounts/users/{liaison.pk}/activate/")
    events = list(AuditEvent.objects.filter(org=org).exclude(action__in=["login", "logout"]).order_by("pk"))
    assert [(e.action, e.target, e.username) for e in events] == [
        ("account_create", "caizheng2", "coordinator"),
        ("account_password_reset", "liaison-finance", "coordinator"),
        ("account_unit_change", "liaison-finance", "coordinator"),
        ("account_deactivate", "liaison-finance", "coordinator"),
        ("account_activate", "liaison-finance", "coordinator"),
    ]
    assert (events[2].before, events[2].after) == ({"unit": "区财政局"}, {"unit": "区民政局"})
    assert must_change(liaison) and must_change(User.objects.get(username="caizheng2"))


# --- 企业微信/钉钉账号 (work notifications) ----------------------------------------------------------


def test_coordinator_sets_a_liaisons_wecom_and_dingtalk_ids(liaison, coord):
    r = coord.post(f"/accounts/users/{liaison.pk}/work-ids/", {"wecom_userid": " ZhangSan ", "dingtalk_userid": "manager4220"})
    assert r.status_code == 302
    liaison.profile.refresh_from_db()
    assert (liaison.profile.wecom_userid, liaison.profile.dingtalk_userid) == ("ZhangSan", "manager4220")
    assert 'value="ZhangSan"' in coord.get(f"/accounts/users/{liaison.pk}/").content.decode()
    r = coord.post(f"/accounts/users/{liaison.pk}/work-ids/", {"wecom_userid": "<script>", "dingtalk_userid": ""}, follow=True)
    assert "账号只能包含字母" in r.content.decode()
    liaison.profile.refresh_from_db()
    assert (liaison.profile.wecom_userid, liaison.profile.dingtalk_userid) == ("ZhangSan", "manager4220")


def test_work_ids_of_another_organisation_or_coordinator_are_404(org, other_org, coordinator, coord):
    for target in (User.objects.get(username="dc-liaison"), make_user(org, "coordinator2", "coordinator"), coordinator):
        assert coord.post(f"/accounts/users/{target.pk}/work-ids/", {"wecom_userid": "x"}).status_code == 404
        target.profile.refresh_from_db()
        assert target.profile.wecom_userid == ""
