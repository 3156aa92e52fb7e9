"""One admin base for logs: rows the system writes and nobody adds, changes or deletes by hand."""
from django.contrib import admin


class LogAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
