"""What the API sends and accepts. Read serializers describe rows the views already scoped with
duban.plans.access; the input serializers only check shapes — the rules are duban.progress.lifecycle's."""
from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from duban.directory.models import Unit, UnitGroup
from duban.plans import deadlines
from duban.plans.models import Assignment, Plan, Section, Task
from duban.progress import evidence
from duban.progress.models import GRADE_CHOICES, OUTCOME_CHOICES, Attachment, EvidenceLink, Report

MAX_ID = 2**63 - 1  # past this no id exists; a bigger number is a bad request, not a database error
LIGHT_CHOICES = [(k, deadlines.LIGHT_TITLES[k]) for k in deadlines.LIGHT_ORDER]


def id_field(help_text: str):
    return serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text=help_text)


# --- directory --------------------------------------------------------------------------------


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name", "short_name", "kind", "active", "sort_order"]


class GroupSerializer(serializers.ModelSerializer):
    members = serializers.SerializerMethodField(help_text="成员单位的编号（含义不确定的单位组没有成员）")

    class Meta:
        model = UnitGroup
        fields = ["id", "phrase", "kinds", "vague", "note", "members"]

    def get_members(self, group) -> list[int]:
        return [u.pk for u in group.members()]


# --- plans ------------------------------------------------------------------------------------


class SectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Section
        fields = ["id", "parent", "title", "order"]


class TaskAssignmentSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "unit", "unit_name", "role", "status", "due_date"]


class TaskSerializer(serializers.ModelSerializer):
    deadline = serializers.CharField(source="deadline_display", read_only=True, help_text="完成时限（显示用）")
    # The view prefetches into `mine` only the assignments the user may see (a liaison: their own unit's).
    assignments = TaskAssignmentSerializer(source="mine", many=True, read_only=True)

    class Meta:
        model = Task
        fields = ["id", "no", "section", "requirement", "units_text", "deadline_text", "deadline", "deadline_kind",
                  "deadline_date", "deadline_event", "deadline_working_days", "deadline_every", "event_date", "score",
                  "assignments"]


class PlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plan
        fields = ["id", "title", "doc_number", "issuer", "issued_on", "year", "created_at", "updated_at"]


class PlanDetailSerializer(PlanSerializer):
    sections = SectionSerializer(many=True, read_only=True)
    tasks = serializers.SerializerMethodField()

    class Meta(PlanSerializer.Meta):
        fields = PlanSerializer.Meta.fields + ["sections", "tasks"]

    @extend_schema_field(TaskSerializer(many=True))
    def get_tasks(self, plan):
        return TaskSerializer(self.context["tasks"], many=True).data


# --- assignments ------------------------------------------------------------------------------


class AssignmentSerializer(serializers.ModelSerializer):
    plan = serializers.IntegerField(source="task.plan_id", read_only=True)
    task_no = serializers.IntegerField(source="task.no", read_only=True)
    requirement = serializers.CharField(source="task.requirement", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    light = serializers.ChoiceField(choices=LIGHT_CHOICES, read_only=True, help_text="今天的状态灯（与页面相同的规则）")

    class Meta:
        model = Assignment
        fields = ["id", "plan", "task", "task_no", "requirement", "unit", "unit_name", "role", "status", "light",
                  "due_date", "due_override_reason", "status_changed_at", "submitted_at", "accepted_at"]


class AssignmentFilter(serializers.Serializer):
    plan = id_field("方案编号")
    unit = id_field("单位编号")
    status = serializers.ChoiceField(choices=Assignment.STATUS_CHOICES, required=False, help_text="办理状态")
    light = serializers.ChoiceField(choices=LIGHT_CHOICES, required=False, help_text="状态灯")
    due_before = serializers.DateField(required=False, help_text="应完成日期在此日期之前（不含），yyyy-mm-dd")


# --- reports ----------------------------------------------------------------------------------


class LinkSerializer(serializers.ModelSerializer):
    class Meta:
        model = EvidenceLink
        fields = ["url", "title"]


class AttachmentSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField(help_text="下载地址")

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "size", "content_type", "sha256", "download"]

    def get_download(self, att) -> str:
        return reverse("api:attachment", args=[att.pk])


class ReportSerializer(serializers.ModelSerializer):
    links = LinkSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    submitted_by = serializers.CharField(source="submitted_by.username", read_only=True, default=None)

    class Meta:
        model = Report
        fields = ["id", "assignment", "text", "published_on", "submitted_by", "submitted_at", "outcome",
                  "reviewed_at", "review_note", "grade", "links", "attachments"]


class ReportFilter(serializers.Serializer):
    assignment = id_field("任务分工编号")
    outcome = serializers.ChoiceField(choices=OUTCOME_CHOICES, required=False, help_text="审核结果")


class ReportInput(serializers.Serializer):
    """multipart/form-data (with files) or JSON (links only). Lists repeat the field: links=…&links=…"""

    text = serializers.CharField(max_length=5000, help_text="进展情况")
    published_on = serializers.DateField(required=False, allow_null=True, help_text="公开发布日期，yyyy-mm-dd")
    links = serializers.ListField(child=serializers.CharField(max_length=1000), required=False, max_length=20,
                                  help_text="公开发布的网址（http:// 或 https://）")
    link_titles = serializers.ListField(child=serializers.CharField(max_length=200, allow_blank=True), required=False,
                                        max_length=20, help_text="与 links 一一对应的说明（可省略）")
    files = serializers.ListField(child=serializers.FileField(), required=False, max_length=evidence.MAX_FILES,
                                  help_text=f"佐证材料，最多 {evidence.MAX_FILES} 个；支持 {evidence.ALLOWED_TEXT}")


class AcceptInput(serializers.Serializer):
    grade = serializers.ChoiceField(choices=GRADE_CHOICES, help_text="评价")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, help_text="审核意见")


class ReturnInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="退回理由")


# --- figures ----------------------------------------------------------------------------------


class FiguresQuery(serializers.Serializer):
    as_of = serializers.DateField(required=False, help_text="统计截止日期，yyyy-mm-dd；默认今天")


class CountsSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    label = serializers.CharField()
    total = serializers.IntegerField()
    due = serializers.IntegerField()
    accepted = serializers.IntegerField()
    accepted_due = serializers.IntegerField()
    on_time = serializers.IntegerField()
    awaiting = serializers.IntegerField()
    returned = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    not_started = serializers.IntegerField()
    overdue = serializers.IntegerField()
    done_rate = serializers.FloatField(allow_null=True, help_text="完成率（已完成÷到期）")
    on_time_rate = serializers.FloatField(allow_null=True, help_text="按时完成率")

    def to_representation(self, counts):
        data = super().to_representation(counts)
        data["key"] = None if counts.key is None else str(counts.key)
        return data


class FiguresSerializer(serializers.Serializer):
    plan = serializers.IntegerField()
    as_of = serializers.DateField()
    assignments = CountsSerializer(help_text="按任务分工统计")
    tasks = CountsSerializer(help_text="按任务统计（一项任务计一次）")
    units = CountsSerializer(many=True)
    sections = CountsSerializer(many=True)


# --- errors -----------------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
