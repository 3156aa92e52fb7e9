from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm as DjangoPasswordChangeForm
from django.core.exceptions import ValidationError

from duban.plans.forms import OfficeDateField
from duban.accounts.admin_site import SuperuserAuthenticationForm
from duban.audit import lockout
from duban.audit.models import AuditEvent

INVALID_LOGIN = "用户名或密码不正确。"


class LockoutMessageMixin:
    """Says why a login was refused: a plain "wrong name or password", or that the account/address is locked."""

    def get_invalid_login_error(self):
        lk = getattr(self.request, "duban_lockout", None) if self.request is not None else None
        if lk is not None:
            return ValidationError(lockout.message(lk), code="locked")
        return ValidationError(INVALID_LOGIN, code="invalid_login")


class LoginForm(LockoutMessageMixin, AuthenticationForm):
    pass


class AdminLoginForm(LockoutMessageMixin, SuperuserAuthenticationForm):
    """The admin's login: throttled like the site's, and for superusers only (see duban.accounts.admin_site)."""


class PasswordChangeForm(DjangoPasswordChangeForm):
    def clean_new_password1(self):
        new = self.cleaned_data.get("new_password1")
        if new and self.user.check_password(new):
            raise ValidationError("新密码不能与原密码相同。", code="password_unchanged")
        return new


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label="操作", required=False, choices=[("", "全部")] + AuditEvent.ACTION_CHOICES)
    user = forms.CharField(label="用户名", required=False, max_length=150)
    since = OfficeDateField(label="起始日期", required=False)
    until = OfficeDateField(label="截止日期", required=False)

    def filter(self, qs):
        if not self.is_valid():
            return qs
        d = self.cleaned_data
        if d["action"]:
            qs = qs.filter(action=d["action"])
        if d["user"]:
            qs = qs.filter(username=d["user"].strip())
        if d["since"]:
            qs = qs.filter(at__date__gte=d["since"])
        if d["until"]:
            qs = qs.filter(at__date__lte=d["until"])
        return qs
