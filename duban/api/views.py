"""The REST API (/api/v1/): plans, assignments, reports and their review, figures, units and groups.

Every queryset comes from duban.plans.access (another organisation's object is a 404, another unit's
too); every change goes through duban.progress.lifecycle, whose refusals become 403 (wrong person),
409 (wrong state) or 400 (bad input), with the lifecycle's own Chinese message."""
from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from duban.api import serializers as s
from duban.api.permissions import DirectoryReader
from duban.assessment import facts as facts_mod
from duban.assessment import figures
from duban.assessment.lights import light_function
from duban.directory.models import UnitGroup
from duban.plans import access, deadlines
from duban.plans.models import Assignment
from duban.progress import lifecycle
from duban.progress import views as progress_views
from duban.progress.lifecycle import NotAllowed, TransitionError

ERRORS = {400: s.ErrorSerializer, 403: s.ErrorSerializer, 404: s.ErrorSerializer, 409: s.ErrorSerializer}


def query(serializer_class, request) -> dict:
    """The query string checked by a serializer: a bad value is a 400 naming the parameter, never a 500."""
    ser = serializer_class(data=request.query_params)
    ser.is_valid(raise_exception=True)
    return ser.validated_data


class Conflict(APIException):
    """The lifecycle does not allow this now (e.g. accepting a report twice)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def lifecycle_call(fn, *args):
    """Run a lifecycle transition; its refusals become 403 / 409 / 400 with its message."""
    try:
        return fn(*args)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from None
    except TransitionError as exc:
        raise Conflict(str(exc)) from None
    except DjangoValidationError as exc:
        raise ValidationError({"detail": "；".join(exc.messages)}) from None


# --- plans ------------------------------------------------------------------------------------


class PlanList(generics.ListAPIView):
    """分工方案：本机构的方案；联络员只看到本单位有任务的方案。"""

    serializer_class = s.PlanSerializer

    def get_queryset(self):
        return access.visible_plans(self.request.user).order_by(F("year").desc(nulls_last=True), "-created_at", "-id")


class PlanDetail(generics.RetrieveAPIView):
    """一个方案：章节与任务（联络员只看到本单位的任务和本单位的分工）。"""

    serializer_class = s.PlanDetailSerializer
    lookup_url_kwarg = "plan_id"

    def get_queryset(self):
        return access.visible_plans(self.request.user).prefetch_related("sections")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            user = self.request.user
            mine = Prefetch("assignments", queryset=access.visible_assignments(user).select_related("unit"), to_attr="mine")
            context["tasks"] = access.visible_tasks(user).filter(plan=self.kwargs["plan_id"]).order_by("no").prefetch_related(mine)
        return context


class PlanFigures(APIView):
    """统计数据（duban.assessment.figures，与文书、看板同一口径），截至 as_of；联络员只得到本单位的数据。"""

    @extend_schema(parameters=[s.FiguresQuery], responses={200: s.FiguresSerializer, **ERRORS})
    def get(self, request, plan_id: int):
        plan = get_object_or_404(access.visible_plans(request.user), pk=plan_id)
        as_of = query(s.FiguresQuery, request).get("as_of") or deadlines.office_today()
        facts = facts_mod.load(plan, access.visible_assignments(request.user))
        data = {
            "plan": plan.pk, "as_of": as_of,
            "assignments": figures.total(facts, as_of),
            "tasks": figures.task_counts(figures.per_task(facts, as_of)),
            "units": figures.per_unit(facts, as_of),
            "sections": figures.per_section(facts, as_of),
        }
        return Response(s.FiguresSerializer(data).data)


# --- assignments ------------------------------------------------------------------------------


def lights_of(pairs) -> dict[int, str]:
    """Today's light of each (plan id, assignment id), by duban.assessment.lights with each plan's yellow-light rule."""
    from duban.reminders.models import ReminderRule
    from duban.workcal.services import get_calendar

    by_plan = defaultdict(list)
    for plan_id, pk in pairs:
        by_plan[plan_id].append(pk)
    today, cal, out = deadlines.office_today(), get_calendar(), {}
    for plan_id, ids in by_plan.items():
        facts = facts_mod.load(plan_id, Assignment.objects.filter(pk__in=ids))
        light = light_function(facts, today, cal, ReminderRule.for_plan(plan_id, create=False).yellow_days)
        out.update((f.assignment_id, light(f)) for f in facts)
    return out


def with_lights(assignments: list) -> list:
    lights = lights_of([(a.task.plan_id, a.pk) for a in assignments])
    for a in assignments:
        a.light = lights.get(a.pk, deadlines.GREY)
    return assignments


class AssignmentList(generics.ListAPIView):
    """任务分工：可按方案、单位、办理状态、状态灯、应完成日期筛选。"""

    serializer_class = s.AssignmentSerializer

    @extend_schema(parameters=[s.AssignmentFilter], responses={200: s.AssignmentSerializer(many=True), 400: s.ErrorSerializer})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        f = query(s.AssignmentFilter, self.request)
        qs = access.visible_assignments(self.request.user).select_related("task", "unit")
        if "plan" in f:
            qs = qs.filter(task__plan=f["plan"])
        if "unit" in f:
            qs = qs.filter(unit=f["unit"])
        if "status" in f:
            qs = qs.filter(status=f["status"])
        if "due_before" in f:
            qs = qs.filter(due_date__lt=f["due_before"])
        if "light" in f:
            qs = qs.filter(pk__in=[pk for pk, light in lights_of(qs.values_list("task__plan", "pk")).items() if light == f["light"]])
        return qs.order_by("task__plan", "task__no", "role", "unit__sort_order", "id")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return with_lights(page) if page is not None else None


class AssignmentDetail(generics.RetrieveAPIView):
    serializer_class = s.AssignmentSerializer
    lookup_url_kwarg = "assignment_id"

    def get_queryset(self):
        return access.visible_assignments(self.request.user).select_related("task", "unit")

    def get_object(self):
        return with_lights([super().get_object()])[0]


def _assignment(request, assignment_id: int) -> Assignment:
    qs = access.visible_assignments(request.user).select_related("unit", "task", "task__plan")
    return get_object_or_404(qs, pk=assignment_id)


class AssignmentReports(generics.ListAPIView):
    """一项分工的报送（GET），或由本单位联络员报送进展（POST，可附链接和文件，规则与页面相同）。"""

    serializer_class = s.ReportSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self):
        a = _assignment(self.request, self.kwargs["assignment_id"]) if "assignment_id" in self.kwargs else None
        return access.visible_reports(self.request.user).filter(assignment=a).prefetch_related("links", "attachments").select_related("submitted_by")

    @extend_schema(request={"multipart/form-data": s.ReportInput, "application/json": s.ReportInput},
                   responses={201: s.ReportSerializer, **ERRORS})
    def post(self, request, assignment_id: int):
        a = _assignment(request, assignment_id)
        if not access.can_report(request.user, a):
            raise PermissionDenied("只有本单位的联络员可以报送进展。")
        ser = s.ReportInput(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        titles = d.get("link_titles", [])
        links = [(url, titles[i] if i < len(titles) else "") for i, url in enumerate(d.get("links", []))]
        draft = lifecycle.ReportDraft(text=d["text"], published_on=d.get("published_on"), links=links, files=d.get("files", []))
        report = lifecycle_call(lifecycle.submit, a, request.user, draft)
        return Response(s.ReportSerializer(report).data, status=status.HTTP_201_CREATED)


class Accept(APIView):
    """协调人审核通过待审核的报送（附评价），分工办结。"""

    @extend_schema(request=s.AcceptInput, responses={200: s.ReportSerializer, **ERRORS})
    def post(self, request, assignment_id: int):
        a = _assignment(request, assignment_id)
        if not access.can_review(request.user):
            raise PermissionDenied("只有协调人可以审核报送。")
        ser = s.AcceptInput(data=request.data)
        ser.is_valid(raise_exception=True)
        report = lifecycle_call(lifecycle.accept, a, request.user, ser.validated_data["grade"], ser.validated_data.get("note", ""))
        return Response(s.ReportSerializer(report).data)


class Return(APIView):
    """协调人退回待审核的报送（附理由）。"""

    @extend_schema(request=s.ReturnInput, responses={200: s.ReportSerializer, **ERRORS})
    def post(self, request, assignment_id: int):
        a = _assignment(request, assignment_id)
        if not access.can_review(request.user):
            raise PermissionDenied("只有协调人可以审核报送。")
        ser = s.ReturnInput(data=request.data)
        ser.is_valid(raise_exception=True)
        report = lifecycle_call(lifecycle.return_, a, request.user, ser.validated_data["reason"])
        return Response(s.ReportSerializer(report).data)


# --- reports ----------------------------------------------------------------------------------


class ReportList(generics.ListAPIView):
    """进展报送：可按分工、审核结果筛选。"""

    serializer_class = s.ReportSerializer

    @extend_schema(parameters=[s.ReportFilter], responses={200: s.ReportSerializer(many=True), 400: s.ErrorSerializer})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        f = query(s.ReportFilter, self.request)
        qs = access.visible_reports(self.request.user).select_related("submitted_by").prefetch_related("links", "attachments")
        if "assignment" in f:
            qs = qs.filter(assignment=f["assignment"])
        if "outcome" in f:
            qs = qs.filter(outcome=f["outcome"])
        return qs.order_by("-submitted_at", "-id")


class ReportDetail(generics.RetrieveAPIView):
    serializer_class = s.ReportSerializer
    lookup_url_kwarg = "report_id"

    def get_queryset(self):
        return access.visible_reports(self.request.user).select_related("submitted_by").prefetch_related("links", "attachments")


class AttachmentDownload(APIView):
    """下载佐证附件（与页面同一个下载视图，同样的权限）。"""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: s.ErrorSerializer})
    def get(self, request, attachment_id: int):
        return progress_views.download(request._request, attachment_id)


# --- directory --------------------------------------------------------------------------------


class UnitList(generics.ListAPIView):
    """单位：协调人和领导看到本机构全部单位，联络员只看到本单位。"""

    serializer_class = s.UnitSerializer

    def get_queryset(self):
        return access.visible_units(self.request.user).order_by("sort_order", "id")


class UnitDetail(generics.RetrieveAPIView):
    serializer_class = s.UnitSerializer
    lookup_url_kwarg = "unit_id"

    def get_queryset(self):
        return access.visible_units(self.request.user)


class GroupList(generics.ListAPIView):
    """单位组（如“各街道办事处”）及其成员：协调人和领导。"""

    serializer_class = s.GroupSerializer
    permission_classes = [DirectoryReader]

    def get_queryset(self):
        p = access.profile(self.request.user)
        return UnitGroup.objects.filter(org=p.org_id).prefetch_related("units").order_by("phrase", "id")

