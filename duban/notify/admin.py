from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from duban.logadmin import LogAdmin

from .models import InboxMessage, Notification, Subscription, Webhook, WorkApp

ALL_ORGS = "（全部机构）"


@admin.register(Notification)
class NotificationAdmin(LogAdmin):
    """A read-only log of what was sent to whom; the only action is a manual retry."""

    list_display = ["created_at", "channel", "recipient_short", "subject", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status", "channel"]
    search_fields = ["subject", "recipient", "dedupe_key"]
    date_hierarchy = "created_at"
    actions = ["retry_now"]

    @admin.display(description="接收方")
    def recipient_short(self, obj):
        # Robot webhook URLs carry an access token; show only their start.
        if obj.channel in (Notification.WECOM, Notification.DINGTALK):
            return obj.recipient.split("?")[0] + "?…"
        return obj.recipient

    def has_retry_permission(self, request):
        return request.user.has_perm("notify.change_notification")

    @admin.action(description="立即重试", permissions=["retry"])
    def retry_now(self, request, queryset):
        count = queryset.filter(status__in=[Notification.PENDING, Notification.FAILED]).update(
            status=Notification.PENDING, next_attempt_at=timezone.now()
        )
        skipped = queryset.count() - count
        self.message_user(request, f"已安排 {count} 条通知立即重试，将在下一次发送任务运行时发出。", messages.SUCCESS)
        if skipped:
            self.message_user(request, f"{skipped} 条已发送或正在发送，未做改动。", messages.WARNING)


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "org_label", "active", "signed"]
    list_filter = ["kind", "org", "active"]
    search_fields = ["name"]
    fields = ["name", "kind", "org", "url", "secret", "active"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "org":
            kwargs["empty_label"] = ALL_ORGS
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="机构", ordering="org")
    def org_label(self, obj):
        return obj.org or ALL_ORGS

    @admin.display(description="加签", boolean=True)
    def signed(self, obj):
        return bool(obj.secret)


@admin.register(InboxMessage)
class InboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "kind", "title", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "user__username"]
    date_hierarchy = "created_at"
    raw_id_fields = ["user"]


class SubscriptionAdminForm(forms.ModelForm):
    url = forms.URLField(label="推送地址", max_length=500, assume_scheme="https",
                         help_text="以 http:// 或 https:// 开头，接收 JSON POST")
    events = forms.MultipleChoiceField(label="订阅的事件", choices=Subscription.EVENT_CHOICES, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Subscription
        fields = "__all__"


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionAdminForm
    list_display = ["name", "org", "url", "active", "created_at"]
    list_filter = ["org", "active"]
    search_fields = ["name", "url"]
    fields = ["name", "org", "url", "events", "secret", "active"]


@admin.register(WorkApp)
class WorkAppAdmin(admin.ModelAdmin):
    """企业微信自建应用 / 钉钉企业内部应用 of an organisation; the people's ids are on their 用户角色."""

    list_display = ["org", "kind", "agent_id", "active", "token_expires_at"]
    list_filter = ["kind", "active"]
    fields = ["org", "kind", "corp_id", "secret", "agent_id", "base_url", "active"]
