"""The coordinator's user pages: the accounts of their own organisation.

A coordinator creates liaison and leader accounts, resets passwords (a generated password shown
once), deactivates and reactivates accounts and moves a liaison to another unit. Which accounts
they may see and change is decided in duban.plans.access: never another organisation's, never
another coordinator's, a staff or superuser account, nor their own.
"""
from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from duban.accounts.forms import ExternalIdForm, NewUserForm, UnitForm, WorkIdsForm
from duban.accounts import oidc
from duban.accounts.models import Profile
from duban.audit.events import record
from duban.audit.models import AuditEvent
from duban.audit.passwords import require_change
from duban.plans import access

# No 0/O, 1/l/i: the password is read off the screen and passed on by phone or on paper.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
ROLE_ORDER = {Profile.COORDINATOR: 0, Profile.LEADER: 1, Profile.LIAISON: 2}


def one_time_password() -> str:
    return "-".join("".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(4)) for _ in range(3))


def _org(request):
    if not access.can_manage_users(request.user):
        raise PermissionDenied("只有协调人可以管理用户。")
    return access.profile(request.user).org


def _managed(request, user_id) -> User:
    _org(request)
    return get_object_or_404(access.manageable_users(request.user).select_related("profile__unit"), pk=user_id)


def _show_password(request, user, password, created=False):
    """The password is in this one response only (its views are never_cache): not stored, not redirected to."""
    return render(request, "accounts/password.html", {"target": user, "password": password, "created": created})


@login_required
def user_list(request):
    org = _org(request)
    users = sorted(
        access.visible_users(request.user).select_related("profile__unit"),
        key=lambda u: (not u.is_active, ROLE_ORDER.get(u.profile.role, 9),
                       u.profile.unit.sort_order if u.profile.unit else -1, u.profile.unit_id or 0, u.username),
    )
    manageable = set(access.manageable_users(request.user).values_list("pk", flat=True))
    return render(request, "accounts/users.html", {"org": org, "users": users, "manageable": manageable})


@never_cache
@login_required
def user_new(request):
    org = _org(request)
    form = NewUserForm(org, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        password = one_time_password()
        with transaction.atomic():
            user = User.objects.create_user(
                username=data["username"], password=password, first_name=data["first_name"], email=data["email"]
            )
            Profile.objects.create(user=user, org=org, role=data["role"], unit=data["unit"])
            require_change(user)
            record(request, AuditEvent.ACCOUNT_CREATE, target=user.username,
                   after={"role": user.profile.get_role_display(), "unit": str(data["unit"] or "")})
        return _show_password(request, user, password, created=True)
    return render(request, "accounts/user_new.html", {"org": org, "form": form})


@login_required
def user_detail(request, user_id):
    target = _managed(request, user_id)
    org = access.profile(request.user).org
    unit_form = UnitForm(org, initial={"unit": target.profile.unit_id}) if target.profile.role == Profile.LIAISON else None
    external_form = ExternalIdForm(target, initial={"external_id": target.profile.external_id})
    work_form = WorkIdsForm(initial={"wecom_userid": target.profile.wecom_userid, "dingtalk_userid": target.profile.dingtalk_userid})
    return render(request, "accounts/user_detail.html", {"target": target, "unit_form": unit_form, "work_form": work_form,
                                                         "external_form": external_form, "oidc": oidc.enabled()})


@require_POST
@login_required
def change_external_id(request, user_id):
    """The 统一身份标识 that signs this account in through the identity provider (duban.accounts.oidc)."""
    target = _managed(request, user_id)
    form = ExternalIdForm(target, request.POST)
    if not form.is_valid():
        for error in form.errors.get("external_id", ["统一身份标识无效。"]):
            messages.error(request, error)
        return redirect("user_detail", target.pk)
    profile = target.profile
    old, new = profile.external_id, form.cleaned_data["external_id"]
    if old != new:
        profile.external_id = new
        try:
            with transaction.atomic():
                profile.save(update_fields=["external_id"])
                record(request, AuditEvent.ACCOUNT_EXTERNAL_ID, target=target.username,
                       before={"external_id": old}, after={"external_id": new})
        except IntegrityError:  # given to another account at the same moment
            messages.error(request, "这个统一身份标识已关联其他账户，一个统一身份只能登录一个账户。")
            return redirect("user_detail", target.pk)
        messages.success(request, f"{target.username} 的统一身份标识已{'改为 ' + new if new else '清除'}。")
    return redirect("user_detail", target.pk)


@require_POST
@login_required
def change_work_ids(request, user_id):
    """The 企业微信/钉钉 ids reminders are also sent to (when the organisation has the app)."""
    target = _managed(request, user_id)
    form = WorkIdsForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("user_detail", target.pk)
    profile = target.profile
    profile.wecom_userid = form.cleaned_data["wecom_userid"].strip()
    profile.dingtalk_userid = form.cleaned_data["dingtalk_userid"].strip()
    profile.save(update_fields=["wecom_userid", "dingtalk_userid"])
    messages.success(request, f"已保存 {target.username} 的企业微信/钉钉账号。")
    return redirect("user_detail", target.pk)


@require_POST
@login_required
def change_unit(request, user_id):
    target = _managed(request, user_id)
    if target.profile.role != Profile.LIAISON:
        messages.error(request, "只有单位联络员有所在单位。")
        return redirect("user_detail", target.pk)
    form = UnitForm(access.profile(request.user).org, request.POST)
    if not form.is_valid():
        messages.error(request, "请选择本机构的一个启用中的单位。")
        return redirect("user_detail", target.pk)
    profile = target.profile
    old = profile.unit
    profile.unit = form.cleaned_data["unit"]
    profile.save(update_fields=["unit"])
    if old != profile.unit:
        record(request, AuditEvent.ACCOUNT_UNIT_CHANGE, target=target.username,
               before={"unit": str(old or "")}, after={"unit": str(profile.unit)})
        messages.success(request, f"{target.username} 的所在单位已由 {old or '—'} 改为 {profile.unit}。")
    return redirect("user_detail", target.pk)


@never_cache
@require_POST
@login_required
def reset_password(request, user_id):
    target = _managed(request, user_id)
    password = one_time_password()
    with transaction.atomic():
        target.set_password(password)  # also ends the account's open sessions
        target.save(update_fields=["password"])
        require_change(target)
        record(request, AuditEvent.ACCOUNT_PASSWORD_RESET, target=target.username)
    return _show_password(request, target, password)


@require_POST
@login_required
def deactivate(request, user_id):
    target = _managed(request, user_id)
    if target.is_active:
        target.is_active = False
        target.save(update_fields=["is_active"])
        record(request, AuditEvent.ACCOUNT_DEACTIVATE, target=target.username)
        messages.success(request, f"已停用 {target.username}：不能再登录，也不再收到提醒。")
    return redirect("user_detail", target.pk)


@require_POST
@login_required
def activate(request, user_id):
    target = _managed(request, user_id)
    if not target.is_active:
        target.is_active = True
        target.save(update_fields=["is_active"])
        record(request, AuditEvent.ACCOUNT_ACTIVATE, target=target.username)
        messages.success(request, f"已启用 {target.username}。")
    return redirect("user_detail", target.pk)
