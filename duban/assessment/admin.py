from django.contrib import admin

from duban.assessment.models import Deduction, Scheme


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = ["plan", "lead_points", "responsible_points", "late_penalty", "late_floor", "return_deduction", "updated_at"]
    readonly_fields = ["updated_by", "updated_at"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Deduction)
class DeductionAdmin(admin.ModelAdmin):
    list_display = ["plan", "unit", "points", "reason", "at", "by"]
    list_filter = ["plan"]
    search_fields = ["unit__name", "reason"]
    readonly_fields = ["by"]

    def save_model(self, request, obj, form, change):
        if not obj.by_id:
            obj.by = request.user
        super().save_model(request, obj, form, change)
