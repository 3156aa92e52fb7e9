from django.contrib import admin

from duban.exports.models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["id", "plan", "kind", "status", "progress", "created_by", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    readonly_fields = ["plan", "kind", "params", "status", "progress", "message", "result", "result_name",
                       "created_by", "created_at", "started_at", "finished_at"]

    def has_add_permission(self, request):
        return False
