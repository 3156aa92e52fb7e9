from django.contrib import admin

from duban.exports.models import Bulletin, ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["id", "plan", "kind", "status", "progress", "created_by", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    readonly_fields = ["plan", "kind", "params", "status", "progress", "message", "result", "result_name",
                       "created_by", "created_at", "started_at", "finished_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Bulletin)
class BulletinAdmin(admin.ModelAdmin):
    list_display = ["org", "year", "number", "plan", "as_of", "issued_on", "issued_by", "issued_at"]
    list_filter = ["year"]
    readonly_fields = ["org", "year", "number", "plan", "as_of", "issued_on", "params", "issued_by", "issued_at"]

    def has_add_permission(self, request):
        return False
