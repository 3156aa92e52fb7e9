"""The admin is for superusers only, and demo_users makes no account that could reach it.

Before, the demo coordinator was staff with auth.change_user: in /admin/ it could tick 超级用户状态 on
itself, reset the superuser's password, and read and change every organisation's data.
"""
from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import CommandError, call_command
from django.test import Client

from duban.accounts.models import Profile
from duban.directory.models import Organisation, Unit

from .conftest import PASSWORD, make_user


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# --- the admin: superusers only ---------------------------------------------------------------------


def test_admin_refuses_a_staff_user_with_every_permission(org, client):
    root = User.objects.create_superuser("root", password="root-password-123")
    staff = make_user(org, "staffer", "coordinator")
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(*Permission.objects.all())
    client.force_login(staff)
    for url in ("/admin/", "/admin/auth/user/", f"/admin/auth/user/{staff.pk}/change/", "/admin/directory/unit/"):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/admin/login/"), url
    client.post(f"/admin/auth/user/{staff.pk}/change/", {"username": "staffer", "is_superuser": "on", "is_staff": "on"})
    client.post(f"/admin/auth/user/{root.pk}/password/", {"password1": "taken-over-123", "password2": "taken-over-123"})
    staff.refresh_from_db()
    root.refresh_from_db()
    assert not staff.is_superuser and root.check_password("root-password-123")
    # Logging in through the admin's own form is refused as well, with a word on where to go instead.
    client.logout()
    r = Client().post("/admin/login/", {"username": "staffer", "password": PASSWORD, "next": "/admin/"})
    assert r.status_code == 200 and "只对超级用户开放" in r.content.decode()


def test_superuser_still_gets_in(db, client):
    User.objects.create_superuser("root", password="root-password-123")
    r = client.post("/admin/login/", {"username": "root", "password": "root-password-123", "next": "/admin/"})
    assert r.status_code == 302 and r["Location"] == "/admin/"
    for url in ("/admin/", "/admin/auth/user/", "/admin/directory/unit/", "/admin/accounts/profile/"):
        assert client.get(url).status_code == 200, url


def test_directory_page_links_to_the_admin_for_superusers_only(org, coordinator, client):
    coordinator.is_staff = True
    coordinator.save()
    client.force_login(coordinator)
    assert "在管理后台编辑" not in client.get("/directory/").content.decode()
    coordinator.is_superuser = True
    coordinator.save()
    assert "在管理后台编辑" in client.get("/directory/").content.decode()


# --- demo_users ------------------------------------------------------------------------------------


def test_demo_coordinator_is_not_staff_and_the_admin_refuses_it(db, client, monkeypatch):
    monkeypatch.setenv("DUBAN_DEMO_PASSWORD", "demo-pass-2021")
    run("load_directory")
    run("demo_users")
    coordinator = User.objects.get(username="coordinator")
    assert not coordinator.is_staff and not coordinator.is_superuser
    assert not coordinator.groups.exists() and not coordinator.get_all_permissions()
    r = client.post("/admin/login/", {"username": "coordinator", "password": "demo-pass-2021", "next": "/admin/"})
    assert r.status_code == 200 and "只对超级用户开放" in r.content.decode()
    client.force_login(coordinator)
    assert client.get("/admin/auth/user/").status_code == 302
    # The shared demo password is changed first; then the coordinator's own user pages open.
    assert client.get("/accounts/users/")["Location"] == "/password/"
    client.post("/password/", {"old_password": "demo-pass-2021", "new_password1": "Tq7-mountain-river", "new_password2": "Tq7-mountain-river"})
    assert client.get("/accounts/users/").status_code == 200


def test_demo_users_rerun_strips_what_earlier_versions_granted(db, monkeypatch):
    monkeypatch.setenv("DUBAN_DEMO_PASSWORD", "demo-pass-2021")
    run("load_directory")
    run("demo_users")
    # What an earlier demo_users did (and what a coordinator could then do to itself in the admin).
    group = Group.objects.create(name="协调人")
    group.permissions.add(*Permission.objects.filter(content_type__app_label__in=["auth", "directory"]))
    coordinator = User.objects.get(username="coordinator")
    coordinator.is_staff = coordinator.is_superuser = True
    coordinator.save()
    coordinator.groups.add(group)
    admin = User.objects.create_superuser("admin", password="admin-password-1")
    out = run("demo_users")
    assert "已取消 coordinator 的管理后台权限" in out
    coordinator = User.objects.get(username="coordinator")
    assert not coordinator.is_staff and not coordinator.is_superuser and not coordinator.groups.exists()
    assert not group.permissions.exists()
    assert User.objects.get(pk=admin.pk).is_superuser  # a real administrator is left alone
    assert "未作改动" in run("demo_users")


def test_demo_users_for_a_second_organisation_refuses_to_move_accounts(db, monkeypatch):
    monkeypatch.setenv("DUBAN_DEMO_PASSWORD", "demo-pass-2021")
    run("load_directory")
    run("demo_users")
    dc = Organisation.objects.create(name="昆明市东川区人民政府", short_name="东川区")
    dc_unit = Unit.objects.create(org=dc, name="区财政局", kind=Unit.BUREAU)
    before = User.objects.count()
    with pytest.raises(CommandError) as exc:
        run("demo_users", "--org", "东川区")
    message = str(exc.value)
    assert "coordinator 已是西山区的协调人" in message and "不会改到东川区" in message and "--prefix" in message
    assert User.objects.count() == before  # nothing created, nothing moved
    assert Profile.objects.get(user__username="coordinator").org.short_name == "西山区"
    # With a prefix the second organisation gets its own accounts; the first keeps its own.
    out = run("demo_users", "--org", "东川区", "--prefix", "dc-")
    assert "已创建 3 个演示用户（东川区）" in out
    assert Profile.objects.get(user__username="dc-coordinator").org == dc
    assert Profile.objects.get(user__username=f"dc-liaison{dc_unit.pk}").unit == dc_unit
    assert Profile.objects.get(user__username="coordinator").org.short_name == "西山区"
    assert "未作改动" in run("demo_users", "--org", "东川区", "--prefix", "dc-")


def test_demo_users_does_not_take_over_an_account_without_a_role(db):
    run("load_directory")
    User.objects.create_superuser("coordinator", password="root-password-123")
    with pytest.raises(CommandError, match="coordinator 已存在，但不是演示用户"):
        run("demo_users")
    user = User.objects.get(username="coordinator")
    assert user.is_superuser and not Profile.objects.filter(user=user).exists()


def test_demo_users_unknown_organisation(db):
    run("load_directory")
    with pytest.raises(CommandError, match="没有名为“北京市”的机构"):
        run("demo_users", "--org", "北京市")
