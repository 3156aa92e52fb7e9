from django.contrib import admin

from duban.logadmin import LogAdmin
from duban.reminders.models import Reminder, ReminderRule, Urge


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    list_display = ["plan", "days_before", "on_due_day", "escalate", "escalate_every", "yellow_days", "report_period", "by_email", "by_inbox", "by_webhook", "updated_at"]
    readonly_fields = ["updated_at", "updated_by"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Reminder)
class ReminderAdmin(LogAdmin):
    list_display = ["sent_on", "assignment", "due_date", "stage", "kind", "run"]
    list_filter = ["kind", "sent_on"]
    search_fields = ["assignment__unit__name", "run"]
    date_hierarchy = "sent_on"
    list_select_related = ["assignment__task", "assignment__unit"]


@admin.register(Urge)
class UrgeAdmin(LogAdmin):
    list_display = ["day", "unit", "plan", "sent_by", "sent_at", "open_count", "overdue_count"]
    list_filter = ["day"]
    search_fields = ["unit__name"]
    list_select_related = ["unit", "plan", "sent_by"]
