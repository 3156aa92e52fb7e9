from django.contrib import admin

from duban.plans.models import Assignment, ChangeRecord, Plan, PlanWarning, Section, Task


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "doc_number", "year", "org", "created_at", "created_by"]
    list_filter = ["org", "year"]
    search_fields = ["title", "doc_number"]
    readonly_fields = ["sha256", "source_file", "source_name", "source_format", "created_by", "created_at", "updated_at"]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["title", "parent", "plan", "order"]
    list_filter = ["plan"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["no", "requirement_short", "deadline_text", "plan"]
    list_filter = ["plan", "deadline_kind"]
    search_fields = ["requirement", "units_text"]
    inlines = [AssignmentInline]

    @admin.display(description="具体要求")
    def requirement_short(self, obj):
        return obj.requirement[:40]


@admin.register(PlanWarning)
class PlanWarningAdmin(admin.ModelAdmin):
    list_display = ["plan", "task", "kind", "message", "settled_at", "settled_by"]
    list_filter = ["plan", "kind", ("settled_at", admin.EmptyFieldListFilter)]


@admin.register(ChangeRecord)
class ChangeRecordAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "plan", "task_no", "field", "before", "after"]
    list_filter = ["plan", "object_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
