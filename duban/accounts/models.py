"""Who a user is in the office: their organisation, role and (for liaisons) unit.

What each role may see and do is decided in duban.plans.access, nowhere else.
"""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class Profile(models.Model):
    COORDINATOR = "coordinator"
    LIAISON = "liaison"
    LEADER = "leader"
    ROLE_CHOICES = [
        (COORDINATOR, "协调人（政务公开办）"),
        (LIAISON, "单位联络员"),
        (LEADER, "领导（只读）"),
    ]

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile", verbose_name="用户")
    org = models.ForeignKey("directory.Organisation", on_delete=models.CASCADE, related_name="profiles", verbose_name="机构")
    role = models.CharField("角色", max_length=20, choices=ROLE_CHOICES)
    unit = models.ForeignKey(
        "directory.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="liaisons", verbose_name="所在单位",
        help_text="联络员必填",
    )
    # The identity provider's claim (DUBAN_OIDC_CLAIM) that signs this user in through 统一身份认证
    # (duban.accounts.oidc). Set by the coordinator; never taken from the provider's own claims.
    external_id = models.CharField(
        "统一身份标识", max_length=255, blank=True, default="",
        help_text="统一身份认证平台中此人的标识（如工号或统一身份账号），填写后可用统一身份认证登录",
    )
    wecom_userid = models.CharField("企业微信账号", max_length=64, blank=True,
                                    help_text="企业微信通讯录中的 UserID；填写后，提醒也以企业微信应用消息发给本人")
    dingtalk_userid = models.CharField("钉钉账号", max_length=64, blank=True,
                                       help_text="钉钉通讯录中的 userid；填写后，提醒也以钉钉工作通知发给本人")

    class Meta:
        verbose_name = verbose_name_plural = "用户角色"
        constraints = [
            # One provider serves every organisation: an identity signs in as one Duban account at most.
            models.UniqueConstraint(fields=["external_id"], condition=~models.Q(external_id=""),
                                    name="profile_external_id_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user.get_username()}（{self.get_role_display()}）"

    def clean(self):
        if self.role == self.LIAISON and not self.unit_id:
            raise ValidationError({"unit": "联络员必须指定所在单位。"})
        if self.unit_id and self.org_id and self.unit.org_id != self.org_id:
            raise ValidationError({"unit": "单位不属于该机构。"})
