"""Forms of the coordinator's user pages. Neither offers the coordinator role, an organisation or admin flags:
a coordinator creates liaisons and leaders of their own organisation, nothing else."""
from __future__ import annotations

from django import forms
from django.contrib.auth.models import User
from django.contrib.auth.validators import UnicodeUsernameValidator

from duban.accounts.models import Profile
from duban.directory.models import Unit

CREATABLE_ROLES = [(Profile.LIAISON, "单位联络员"), (Profile.LEADER, "领导（只读）")]


def unit_choices(org):
    return Unit.objects.filter(org=org, active=True).order_by("sort_order", "id")


class NewUserForm(forms.Form):
    username = forms.CharField(
        label="用户名", max_length=150, validators=[UnicodeUsernameValidator()],
        help_text="登录时使用，可用字母、数字、汉字和 @ . + - _",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    first_name = forms.CharField(label="姓名", max_length=150, required=False)
    email = forms.EmailField(label="邮箱", required=False, help_text="催办提醒发送到这里（可不填）")
    role = forms.ChoiceField(label="角色", choices=CREATABLE_ROLES, initial=Profile.LIAISON)
    unit = forms.ModelChoiceField(label="所在单位", queryset=Unit.objects.none(), required=False, help_text="联络员必填")

    def __init__(self, org, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_choices(org)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("这个用户名已被使用，请换一个。")
        return username

    def clean(self):
        data = super().clean()
        if data.get("role") == Profile.LIAISON and not data.get("unit"):
            self.add_error("unit", "联络员必须指定所在单位。")
        if data.get("role") == Profile.LEADER:
            data["unit"] = None
        return data


class UnitForm(forms.Form):
    unit = forms.ModelChoiceField(label="所在单位", queryset=Unit.objects.none())

    def __init__(self, org, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_choices(org)


class ExternalIdForm(forms.Form):
    """The 统一身份标识 (duban.accounts.oidc): the provider's claim that signs this account in. Empty: none."""

    external_id = forms.CharField(label="统一身份标识", max_length=255, required=False,
                                  widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}))

    def __init__(self, target, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = target

    def clean_external_id(self):
        value = self.cleaned_data["external_id"].strip()
        if "\x00" in value:
            raise forms.ValidationError("统一身份标识不能包含控制字符。")
        if value and Profile.objects.filter(external_id=value).exclude(user=self.target).exists():
            raise forms.ValidationError("这个统一身份标识已关联其他账户，一个统一身份只能登录一个账户。")
        return value


class WorkIdsForm(forms.Form):
    """The person's ids in 企业微信/钉钉, for work notifications (duban.notify.workapps)."""

    wecom_userid = forms.RegexField(label="企业微信账号", max_length=64, required=False, strip=True, regex=r"^[\w.@-]*$",
                                    error_messages={"invalid": "账号只能包含字母、数字、下划线、点、@ 和 -。"})
    dingtalk_userid = forms.RegexField(label="钉钉账号", max_length=64, required=False, strip=True, regex=r"^[\w.@-]*$",
                                       error_messages={"invalid": "账号只能包含字母、数字、下划线、点、@ 和 -。"})
