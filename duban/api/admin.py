from django.contrib import admin, messages

from duban.api.models import ApiToken
from duban.audit.models import AuditEvent
from duban.logadmin import LogAdmin


@admin.register(ApiToken)
class ApiTokenAdmin(LogAdmin):
    """Tokens are made by their users on /accounts/tokens/ (the key is shown there once); here a superuser
    sees them all and may revoke any."""

    list_display = ["prefix", "name", "user", "created_at", "last_used_at", "revoked_at", "revoked_by"]
    list_filter = ["revoked_at"]
    search_fields = ["prefix", "name", "user__username"]
    actions = ["revoke"]

    @admin.action(description="撤销所选令牌")
    def revoke(self, request, queryset):
        tokens = list(queryset.filter(revoked_at__isnull=True).select_related("user"))
        for token in tokens:
            if token.revoke(by=request.user):
                token.audit(request, AuditEvent.TOKEN_REVOKE)
        messages.success(request, f"已撤销 {len(tokens)} 个令牌。")
