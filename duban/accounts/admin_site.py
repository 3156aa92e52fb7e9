"""The Django admin is for superusers only.

Coordinators work in Duban's own pages, which keep them to their organisation and role
(user accounts at /accounts/users/). The admin cannot do that: any staff account with
auth permissions could tick 超级用户状态 on itself or reset a superuser's password, and
it sees every organisation. So staff status alone no longer opens it.
"""
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError


class SuperuserAuthenticationForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": "请输入超级用户的用户名和密码。管理后台只对超级用户开放；协调人请在督办页面中管理单位和用户。",
    }

    def confirm_login_allowed(self, user):
        # Not the parent's check (is_staff): the admin is for superusers only.
        if not (user.is_active and user.is_superuser):
            raise ValidationError(self.error_messages["invalid_login"], code="invalid_login",
                                  params={"username": self.username_field.verbose_name})


class SuperuserAdminSite(AdminSite):
    login_form = SuperuserAuthenticationForm

    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser
