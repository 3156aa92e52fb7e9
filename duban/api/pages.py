"""The API token page (/accounts/tokens/): a user makes and revokes their own tokens; the coordinator also
sees and revokes the tokens of their organisation's users (access.visible_users)."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from duban.api.models import ApiToken
from duban.audit.models import AuditEvent
from duban.plans import access


class TokenForm(forms.Form):
    name = forms.CharField(label="用途", max_length=100, help_text="例如：市政务公开平台对接")


def _office_user(request):
    if access.profile(request.user) is None:
        raise PermissionDenied("没有分配角色的账号不能使用数据接口。")


def _revocable(user):
    """The user's own tokens, and for a coordinator those of everyone in the organisation."""
    return ApiToken.objects.filter(user__in=access.visible_users(user)) | ApiToken.objects.filter(user=user)


@never_cache
@login_required
def tokens(request, form=None, new_key=None, status=200):
    _office_user(request)
    own = ApiToken.objects.filter(user=request.user)
    others = None
    if access.can_manage_users(request.user):
        others = ApiToken.objects.filter(user__in=access.visible_users(request.user), revoked_at__isnull=True)
        others = others.exclude(user=request.user).select_related("user")
    return render(request, "api/tokens.html", {
        "own": own, "others": others, "form": form or TokenForm(), "new_key": new_key,
    }, status=status)


@require_POST
@login_required
def token_new(request):
    _office_user(request)
    form = TokenForm(request.POST)
    if not form.is_valid():
        return tokens(request, form=form, status=400)
    token, key = ApiToken.issue(request.user, form.cleaned_data["name"])
    token.audit(request, AuditEvent.TOKEN_CREATE)
    # Shown on this response only (never stored, never in a message that outlives the page).
    return tokens(request, new_key=key)


@require_POST
@login_required
def token_revoke(request, token_id: int):
    _office_user(request)
    token = get_object_or_404(_revocable(request.user), pk=token_id)
    if token.revoke(by=request.user):
        token.audit(request, AuditEvent.TOKEN_REVOKE)
    messages.success(request, f"已撤销令牌 {token.prefix}…（{token.name}），使用它的请求将被拒绝。")
    return redirect("api_tokens")
