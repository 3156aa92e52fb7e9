"""The audit trail, login lockouts and the "must change password" flag.

Every security-relevant act leaves an AuditEvent: logins (good and bad), lockouts and unlocks,
logouts, password changes, and the coordinator's changes that move scores or reminders.
"""
from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOCKOUT = "lockout"
    UNLOCK = "unlock"
    LOGOUT = "logout"
    PASSWORD_CHANGE = "password_change"
    SCHEME_CHANGE = "scheme_change"
    DEDUCTION_CREATE = "deduction_create"
    DEDUCTION_DELETE = "deduction_delete"
    REMINDER_RULE_CHANGE = "reminder_rule_change"
    EXPORT_DOWNLOAD = "export_download"
    ACCOUNT_CREATE = "account_create"
    ACCOUNT_PASSWORD_RESET = "account_password_reset"
    ACCOUNT_DEACTIVATE = "account_deactivate"
    ACCOUNT_ACTIVATE = "account_activate"
    ACCOUNT_UNIT_CHANGE = "account_unit_change"
    ACCOUNT_EXTERNAL_ID = "account_external_id"
    URGE_TASK = "urge_task"
    URGE_RED = "urge_red"
    INSTRUCTION = "instruction"
    TOKEN_CREATE = "token_create"
    TOKEN_REVOKE = "token_revoke"
    ACTION_CHOICES = [
        (LOGIN, "登录"),
        (LOGIN_FAILED, "登录失败"),
        (LOCKOUT, "锁定"),
        (UNLOCK, "解锁"),
        (LOGOUT, "退出"),
        (PASSWORD_CHANGE, "修改密码"),
        (SCHEME_CHANGE, "修改考评办法"),
        (DEDUCTION_CREATE, "录入扣分"),
        (DEDUCTION_DELETE, "删除扣分"),
        (REMINDER_RULE_CHANGE, "修改提醒规则"),
        (EXPORT_DOWNLOAD, "下载文书"),
        (ACCOUNT_CREATE, "新建账号"),
        (ACCOUNT_PASSWORD_RESET, "重置密码"),
        (ACCOUNT_DEACTIVATE, "停用账号"),
        (ACCOUNT_ACTIVATE, "启用账号"),
        (ACCOUNT_UNIT_CHANGE, "变更联络员单位"),
        (ACCOUNT_EXTERNAL_ID, "变更统一身份标识"),
        (URGE_TASK, "按任务催办"),
        (URGE_RED, "催办所有红灯单位"),
        (INSTRUCTION, "领导批示"),
        (TOKEN_CREATE, "新建接口令牌"),
        (TOKEN_REVOKE, "撤销接口令牌"),
    ]

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    org = models.ForeignKey("directory.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="机构")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="用户")
    username = models.CharField("用户名", max_length=150, blank=True, help_text="操作者（登录失败时为所填的用户名），用户删除后仍保留")
    action = models.CharField("操作", max_length=30, choices=ACTION_CHOICES)
    target = models.CharField("对象", max_length=300, blank=True)
    before = models.JSONField("修改前", null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField("修改后", null=True, blank=True, encoder=DjangoJSONEncoder)
    ip = models.GenericIPAddressField("IP地址", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "审计记录"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["org", "at"], name="audit_org_at"),
            models.Index(fields=["action", "username", "at"], name="audit_action_username_at"),
            models.Index(fields=["action", "ip", "at"], name="audit_action_ip_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()} {self.target}"


class Lockout(models.Model):
    """Logins refused for an account (by user name) or a client address until `until`, or until lifted."""

    USERNAME = "username"
    IP = "ip"
    KIND_CHOICES = [(USERNAME, "账户"), (IP, "IP地址")]

    kind = models.CharField("类型", max_length=10, choices=KIND_CHOICES)
    key = models.CharField("账户或地址", max_length=150)
    org = models.ForeignKey("directory.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="机构")
    started_at = models.DateTimeField("锁定时间", default=timezone.now)
    until = models.DateTimeField("锁定至")
    failures = models.PositiveIntegerField("失败次数", default=0)
    lifted_at = models.DateTimeField("解锁时间", null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="解锁人")

    class Meta:
        verbose_name = verbose_name_plural = "登录锁定"
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["kind", "key", "until"], name="lockout_kind_key_until")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key} 锁定至 {timezone.localtime(self.until):%Y-%m-%d %H:%M}"

    @property
    def active(self) -> bool:
        return self.lifted_at is None and self.until > timezone.now()

    @property
    def ends_at(self):
        return self.lifted_at or self.until


class PasswordState(models.Model):
    """Whether a user must choose a new password at the next login (generated or reset passwords)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="password_state", verbose_name="用户")
    must_change = models.BooleanField("下次登录须修改密码", default=False)
    changed_at = models.DateTimeField("上次修改密码", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "密码状态"

    def __str__(self) -> str:
        return str(self.user)
