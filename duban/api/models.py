"""A person's API tokens (令牌). Only a SHA-256 digest of each key is stored: the key itself is shown once,
when it is made, so a copy of the database gives nobody a working token. Revoked tokens are kept, marked."""
from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="用户")
    name = models.CharField("用途", max_length=100)
    prefix = models.CharField("前缀", max_length=8, help_text="令牌的前 8 个字符，用于辨认")
    digest = models.CharField("SHA-256", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True, db_index=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="撤销人")

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}…（{self.name}）"

    @classmethod
    def issue(cls, user, name: str) -> tuple["ApiToken", str]:
        """A new token for `user`; returns the row and the key, which is never stored and never shown again."""
        key = secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, prefix=key[:8], digest=digest(key)), key

    def revoke(self, by) -> bool:
        """Revoke the token; False if it already was (nothing changes then)."""
        if self.revoked_at is not None:
            return False
        self.revoked_at, self.revoked_by = timezone.now(), by
        self.save(update_fields=["revoked_at", "revoked_by"])
        return True

    def audit(self, request, action: str) -> None:
        """Record making or revoking this token in the audit trail: which token (prefix, purpose, owner),
        never the key or its digest. Filed under the owner's organisation (a superuser has none)."""
        from duban.audit.events import _org_of, record

        record(request, action, target=f"接口令牌 {self}（{self.user.get_username()}）", org=_org_of(self.user),
               after={"token": self.pk, "prefix": self.prefix, "name": self.name, "user": self.user.get_username()})
