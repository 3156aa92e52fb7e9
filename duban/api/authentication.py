"""`Authorization: Token <key>`: DRF's TokenAuthentication, looking the key up by its digest (duban.api.models)."""
from __future__ import annotations

import datetime

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from duban.api.models import ApiToken, digest

# Writing last_used_at on every request would cost a write per call; once a minute is enough to tell.
USED_RESOLUTION = datetime.timedelta(minutes=1)


class ApiTokenAuthentication(TokenAuthentication):
    keyword = "Token"
    model = ApiToken

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user").filter(digest=digest(key), revoked_at__isnull=True).first()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("令牌无效或已撤销。")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
