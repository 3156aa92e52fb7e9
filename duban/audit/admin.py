from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AdminPasswordChangeForm

from duban.audit import lockout, passwords
from duban.audit.forms import AdminLoginForm
from duban.audit.models import AuditEvent, Lockout, PasswordState
from duban.logadmin import LogAdmin

# The admin's login is throttled by the backend like the site's; this form says so in its message.
admin.site.login_form = AdminLoginForm


@admin.register(AuditEvent)
class AuditEventAdmin(LogAdmin):
    list_display = ["at", "org", "username", "action", "target", "ip"]
    list_filter = ["action", "org"]
    search_fields = ["username", "target", "ip"]
    date_hierarchy = "at"


@admin.register(Lockout)
class LockoutAdmin(LogAdmin):
    list_display = ["kind", "key", "org", "started_at", "until", "failures", "lifted_at", "lifted_by"]
    list_filter = ["kind", "org"]
    search_fields = ["key"]
    actions = ["lift"]

    def has_lift_permission(self, request):
        return request.user.is_superuser  # coordinators lift their own organisation's lockouts on /audit/

    @admin.action(description="解除锁定", permissions=["lift"])
    def lift(self, request, queryset):
        n = 0
        for lk in queryset:
            if lk.active:
                lockout.lift(request, lk)
                n += 1
        messages.success(request, f"已解除 {n} 项锁定。")


@admin.register(PasswordState)
class PasswordStateAdmin(admin.ModelAdmin):
    list_display = ["user", "must_change", "changed_at"]
    list_filter = ["must_change"]
    search_fields = ["user__username"]
    fields = ["user", "must_change", "changed_at"]
    readonly_fields = ["user", "changed_at"]

    def has_add_permission(self, request):
        return False


class ResetPasswordForm(AdminPasswordChangeForm):
    """A password set for someone in the admin is a reset: its owner must replace it at the next login."""

    def save(self, commit=True):
        user = super().save(commit)
        passwords.require_change(user)
        return user


# The user admin is registered by duban.accounts (listed before this app); its 修改密码 page uses this form.
_user_admin = admin.site._registry.get(get_user_model())
if _user_admin is not None:
    _user_admin.change_password_form = ResetPasswordForm
