from django.contrib import admin

from duban.instructions.models import Instruction


@admin.register(Instruction)
class InstructionAdmin(admin.ModelAdmin):
    """Read only: a 批示 is never changed or deleted, not even here."""

    list_display = ["created_at", "author_name", "task", "unit"]
    search_fields = ["text", "author_name"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
