from django.contrib import admin
from django.db.models import Count, Q

from .models import WEEKDAYS, CalendarYear, DayOverride


class DayOverrideInline(admin.TabularInline):
    model = DayOverride
    extra = 0
    fields = ["date", "kind", "name"]


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "complete", "holiday_count", "workday_count", "source", "updated_at"]
    list_filter = ["complete"]
    search_fields = ["year", "source", "note"]
    inlines = [DayOverrideInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            n_holidays=Count("days", filter=Q(days__kind=DayOverride.HOLIDAY)),
            n_workdays=Count("days", filter=Q(days__kind=DayOverride.WORKDAY)),
        )

    @admin.display(description="放假天数", ordering="n_holidays")
    def holiday_count(self, obj):
        return obj.n_holidays

    @admin.display(description="调休上班天数", ordering="n_workdays")
    def workday_count(self, obj):
        return obj.n_workdays


@admin.register(DayOverride)
class DayOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "kind", "name", "year"]
    list_filter = ["kind", "year"]
    date_hierarchy = "date"
    search_fields = ["name"]

    @admin.display(description="星期")
    def weekday(self, obj):
        return f"周{WEEKDAYS[obj.date.weekday()]}"
