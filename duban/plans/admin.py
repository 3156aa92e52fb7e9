from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from duban.logadmin import LogAdmin
from duban.plans.models import Assignment, ChangeRecord, ImportJob, Plan, PlanWarning, Section, Task


class ReadOnlyAdmin(admin.ModelAdmin):
    """Plans, tasks and assignments change only through the site's pages, which record every change
    (ChangeRecord); the admin shows them and may delete a whole plan, nothing else — and not a plan whose
    units have reported (reports and status history PROTECT their assignment; see `duban purge_archived`)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    fields = ["unit", "role"]
    readonly_fields = ["unit", "role"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["title", "doc_number", "year", "org", "created_at", "created_by"]
    list_filter = ["org", "year"]
    search_fields = ["title", "doc_number"]
    readonly_fields = ["sha256", "source_file", "source_name", "source_format", "created_by", "created_at", "updated_at"]


@admin.register(Section)
class SectionAdmin(ReadOnlyAdmin):
    list_display = ["title", "parent", "plan", "order"]
    list_filter = ["plan"]


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["no", "requirement_short", "deadline_text", "plan", "archived_at", "edit_link"]
    list_filter = ["plan", "deadline_kind", ("archived_at", admin.EmptyFieldListFilter)]

    def get_queryset(self, request):  # archived tasks too: the admin shows history
        return Task.all_objects.all()
    search_fields = ["requirement", "units_text"]
    inlines = [AssignmentInline]

    @admin.display(description="具体要求")
    def requirement_short(self, obj):
        return obj.requirement[:40]

    @admin.display(description="修改")
    def edit_link(self, obj):
        return format_html('<a href="{}">在任务页修改</a>', reverse("task_edit", args=[obj.pk]))

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PlanWarning)
class PlanWarningAdmin(ReadOnlyAdmin):
    list_display = ["plan", "task", "kind", "message", "settled_at", "settled_by"]
    list_filter = ["plan", "kind", ("settled_at", admin.EmptyFieldListFilter)]


@admin.register(ChangeRecord)
class ChangeRecordAdmin(LogAdmin):
    list_display = ["at", "user", "plan", "task_no", "field", "before", "after"]
    list_filter = ["plan", "object_type"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["id", "file_name", "org", "status", "outcome", "progress", "created_by", "created_at", "finished_at"]
    list_filter = ["status", "outcome"]
    readonly_fields = ["org", "created_by", "file_name", "sha256", "token", "keep_unknown", "status", "progress", "message",
                       "outcome", "plan", "unknown", "error", "created_at", "started_at", "finished_at"]

    def has_add_permission(self, request):
        return False
