"""The coordinator overview (督办总览), the one-click 催办, and the plan's reminder rule."""
from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from duban.assessment.figures import working_assignments
from duban.audit.events import record, snapshot
from duban.audit.models import AuditEvent
from duban.documents.xlsx_docs import ListSheet
from duban.plans import access, deadlines
from duban.plans.forms import IdField, QueryForm
from duban.notify import inbox
from duban.progress.models import ExtensionRequest
from duban.reminders import notices, urging
from duban.reminders import overview as numbers
from duban.reminders.forms import ReminderRuleForm
from duban.reminders.models import ReminderRule, Urge
from duban.reminders.sweep import OPEN_STATUSES
from duban.workcal.services import get_calendar


class OverviewForm(QueryForm):
    plan = IdField(label="方案")
    unit = IdField(label="单位")
    light = forms.ChoiceField(label="灯", choices=numbers.LIST_LIGHTS, required=False)
    status = forms.ChoiceField(label="状态", choices=numbers.STATUSES, required=False)
    section = IdField(label="工作任务")
    sort = forms.ChoiceField(label="排序", choices=numbers.SORTS, required=False)

    def list_filter(self) -> numbers.ListFilter:
        f = self.valid()  # a bad value is ignored: the default (overdue, oldest due date first)
        return numbers.ListFilter(unit=f["unit"], light=f["light"] or deadlines.RED, status=f["status"] or "",
                                  section=f["section"], sort=f["sort"] or "due")


LIST_PAGE_SIZE = 50


def _overview(request):
    """The plan (?plan=, else the newest), its reminder rule, and the numbers with the list as filtered."""
    if not access.can_read_all(request.user):
        raise PermissionDenied("只有协调人和领导可以查看督办总览。")
    form = OverviewForm(request.GET)
    plan = access.chosen_plan(request.user, form.valid()["plan"])
    if plan is None:
        return form, None, None, None
    shown = form.list_filter()
    rule = ReminderRule.for_plan(plan, create=False)
    data = numbers.build(
        plan, access.visible_assignments(request.user), access.visible_units(request.user),
        deadlines.office_today(), get_calendar(), rule.yellow_days, shown, rule,
    )
    return form, plan, rule, data


@login_required
def overview(request):
    form, plan, rule, data = _overview(request)
    if plan is None:
        return render(request, "reminders/overview.html", {"plan": None})
    shown = form.list_filter()
    page = Paginator(data.rows, LIST_PAGE_SIZE).get_page(request.GET.get("page"))  # a bad page is the first or last
    query = {"plan": plan.pk, "unit": shown.unit, "light": shown.light, "status": shown.status, "section": shown.section, "sort": shown.sort}
    return render(
        request,
        "reminders/overview.html",
        {
            "receipts": inbox.receipts(access.visible_assignments(request.user).filter(task__plan=plan)),
            "urge_receipts": inbox.batch_receipts(u.last_urge.batch for u in data.units if u.last_urge),
            "plan": plan,
            "rule": rule,
            "o": data,
            "statuses": numbers.STATUSES,
            "lights": numbers.LIGHTS,
            "list_lights": numbers.LIST_LIGHTS,
            "sorts": numbers.SORTS,
            "shown": shown,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1) if page.has_other_pages() else [],
            "query": urlencode({k: v for k, v in query.items() if v}),  # the filters, kept by the page links and the export
            "can_urge": access.can_edit(request.user),
            # 延期申请 waiting for a decision (the coordinator's, or with leader approval the leader's next)
            "extensions": ExtensionRequest.objects.filter(
                status__in=ExtensionRequest.OPEN, assignment__in=access.visible_assignments(request.user).filter(task__plan=plan),
            ).select_related("assignment__unit", "assignment__task").order_by("requested_at", "id"),
        },
    )


@login_required
def overview_export(request):
    """The list as filtered on the overview, every row (no paging), as an Excel workbook."""
    form, plan, _rule, data = _overview(request)
    if plan is None:
        raise Http404("还没有导入分工方案。")
    sheet = ListSheet("逾期清单" if form.list_filter().light == deadlines.RED else "任务清单",
                      [header for header, _value in numbers.COLUMNS])
    for r in data.rows:
        sheet.append([value(r) for _header, value in numbers.COLUMNS])
    response = HttpResponse(sheet.save(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"{sheet.title}-{data.today:%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    record(request, AuditEvent.EXPORT_DOWNLOAD, target=f"{plan.title} {name}", after={"plan": plan.pk, "rows": len(data.rows)})
    return response


@require_POST
@login_required
def urge(request, unit_id: int):
    """Send one 催办 notice to a unit (inbox, e-mail, robots) and record it; a second one the same day is refused."""
    if not access.can_edit(request.user):
        raise PermissionDenied("只有协调人可以催办。")
    unit = get_object_or_404(access.visible_units(request.user), pk=unit_id)
    plan = get_object_or_404(access.visible_plans(request.user), pk=OverviewForm(request.POST).valid()["plan"] or 0)
    back = reverse("overview") + f"?plan={plan.pk}#u{unit.pk}"
    today = deadlines.office_today()
    open_rows = list(
        access.visible_assignments(request.user)
        .filter(task__plan=plan, unit=unit, status__in=OPEN_STATUSES)
        .select_related("task")
        .order_by("task__no")
    )
    if not open_rows:
        messages.info(request, f"{unit.name}没有未办结、未报送的任务，无需催办。")
        return redirect(back)
    try:
        sent = urging.urge_unit(unit, plan, open_rows, request.user, today, get_calendar())
    except urging.AlreadyUrged as exc:
        messages.info(request, str(exc))
        return redirect(back)
    subject, body = notices.urge_notice(unit.name, plan.title, urging.who(request.user), urging.items(open_rows, today, get_calendar()))
    robots = urging.robots(plan, subject, body, f"urge:{sent.urge.pk}", reverse("home"))
    if sent.delivered or sent.queued or robots:
        messages.success(request, f"已向{unit.name}发送催办（{sent.items} 项未办结任务）：{urging.result_text([sent], robots)}。")
    else:
        messages.warning(request, f"已记录对{unit.name}的催办，但该单位没有联络员账号、单位邮箱，也没有启用的群机器人，通知无人接收。")
    return redirect(back)


class RedUrgeForm(QueryForm):
    plan = IdField(label="方案")


def _red_rows(request, plan, today):
    """The overview's red items (open, past their due date), by unit: the same rule as the overview's red light."""
    rows = (
        working_assignments(plan, access.visible_assignments(request.user))
        .filter(status__in=OPEN_STATUSES, due_date__lt=today, unit__in=access.visible_units(request.user))
        .select_related("task", "unit")
        .order_by("unit__sort_order", "unit_id", "due_date", "task__no")
    )
    by_unit: dict = {}
    for a in rows:
        by_unit.setdefault(a.unit, []).append(a)
    return by_unit


@login_required
def urge_red(request):
    """催办所有红灯单位: GET shows who would be urged (the confirmation), one POST sends one 催办 per unit."""
    if not access.can_edit(request.user):
        raise PermissionDenied("只有协调人可以催办。")
    data = request.POST if request.method == "POST" else request.GET
    plan = get_object_or_404(access.visible_plans(request.user), pk=RedUrgeForm(data).valid()["plan"] or 0)
    today = deadlines.office_today()
    by_unit = _red_rows(request, plan, today)
    urged = set(Urge.objects.filter(plan=plan, day=today, task__isnull=True, unit__in=[u.pk for u in by_unit]).values_list("unit_id", flat=True))
    if request.method != "POST":
        return render(request, "reminders/urge_red.html", {
            "plan": plan, "today": today, "units": [(u, rows, u.pk in urged) for u, rows in by_unit.items()],
            "to_send": sum(1 for u in by_unit if u.pk not in urged),
        })
    calendar, sent, skipped, lines = get_calendar(), [], [], []
    with transaction.atomic():
        for unit, rows in by_unit.items():
            if unit.pk in urged:
                skipped.append(unit.name)
                continue
            try:
                sent.append(urging.urge_unit(unit, plan, rows, request.user, today, calendar, overdue_only=True))
            except urging.AlreadyUrged:
                skipped.append(unit.name)
                continue
            lines.append(notices.UnitLine(unit.name, len(rows), min(a.due_date for a in rows)))
        robots = 0
        if sent:
            subject, body = notices.red_units_robot(plan.title, urging.who(request.user), lines)
            robots = urging.robots(plan, subject, body, f"urge-red:{sent[0].urge.pk}", reverse("home"))
            record(request, AuditEvent.URGE_RED, target=f"{plan.title} 催办所有红灯单位",
                   after={"day": today.isoformat(), "units": [{"unit": s.urge.unit.name, "overdue": s.urge.overdue_count} for s in sent],
                          "skipped": skipped})
    back = reverse("overview") + f"?plan={plan.pk}"
    if not sent:
        messages.info(request, "没有需要催办的红灯单位。" + (f"今天已催办过：{'、'.join(skipped)}。" if skipped else ""))
        return redirect(back)
    text = f"已向 {len(sent)} 个红灯单位发送催办：{urging.result_text(sent, robots)}。"
    if skipped:
        text += f"今天已催办过、未重复发送：{'、'.join(skipped)}。"
    messages.success(request, text)
    return redirect(back)


class TaskUrgeForm(forms.Form):
    note = forms.CharField(label="催办意见", max_length=urging.MAX_NOTE, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    units = forms.TypedMultipleChoiceField(label="催办单位", coerce=int, required=False)


@require_POST
@login_required
def urge_task(request, task_id: int):
    """Per-task 催办 with a note: to every unit of the task whose work is open, or to the units chosen."""
    if not access.can_edit(request.user):
        raise PermissionDenied("只有协调人可以催办。")
    task = get_object_or_404(access.visible_tasks(request.user).select_related("plan"), pk=task_id)
    open_rows = list(
        access.visible_assignments(request.user).filter(task=task, status__in=OPEN_STATUSES)
        .select_related("task", "unit").order_by("unit__sort_order", "unit_id")
    )
    form = TaskUrgeForm(request.POST)
    form.fields["units"].choices = [(a.unit_id, a.unit.name) for a in open_rows]
    back = reverse("task", args=[task.pk]) + "#urge"
    if not form.is_valid():
        messages.error(request, "催办未发送：" + "；".join(e for errors in form.errors.values() for e in errors))
        return redirect(back)
    chosen = set(form.cleaned_data["units"])
    rows = [a for a in open_rows if not chosen or a.unit_id in chosen]
    if not rows:
        messages.info(request, f"第{task.no}项没有未办结、未报送的单位，无需催办。")
        return redirect(back)
    note = form.cleaned_data["note"].strip()
    today, calendar = deadlines.office_today(), get_calendar()
    by_unit: dict = {}
    for a in rows:
        by_unit.setdefault(a.unit, []).append(a)
    sent, skipped = [], []
    with transaction.atomic():
        for unit, its in by_unit.items():
            try:
                sent.append(urging.urge_unit(unit, task.plan, its, request.user, today, calendar, task=task, note=note))
            except urging.AlreadyUrged:
                skipped.append(unit.name)
        robots = 0
        if sent:
            subject, body = notices.task_urge_robot(task.plan.title, urging.who(request.user), task.no, [s.urge.unit.name for s in sent], note)
            robots = urging.robots(task.plan, subject, body, f"urge-task:{sent[0].urge.pk}", reverse("home"))
            record(request, AuditEvent.URGE_TASK, target=f"{task.plan.title} 第{task.no}项 催办",
                   after={"day": today.isoformat(), "note": note, "units": [s.urge.unit.name for s in sent], "skipped": skipped})
    if sent:
        text = f"已就第{task.no}项向 {len(sent)} 个单位发送催办：{urging.result_text(sent, robots)}。"
        if skipped:
            text += f"今天已催办过、未重复发送：{'、'.join(skipped)}。"
        messages.success(request, text)
    else:
        messages.info(request, f"今天已就第{task.no}项催办过：{'、'.join(skipped)}，未重复发送。")
    return redirect(back)


@login_required
def rule_edit(request, plan_id: int):
    if not access.can_edit(request.user):
        raise PermissionDenied("只有协调人可以修改提醒规则。")
    plan = get_object_or_404(access.visible_plans(request.user), pk=plan_id)
    rule = ReminderRule.for_plan(plan)
    period_before = rule.report_period
    before = snapshot(rule, ReminderRuleForm._meta.fields)  # before the form writes the posted values into it
    form = ReminderRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            rule = form.save(commit=False)
            rule.updated_by = request.user
            rule.save()
            record(request, AuditEvent.REMINDER_RULE_CHANGE, target=f"{plan.title} 提醒规则", before=before,
                   after=snapshot(rule, ReminderRuleForm._meta.fields))
            problems = deadlines.refresh_plan(plan) if rule.report_period != period_before else []
        messages.success(request, "已保存提醒规则。")
        for p in problems:
            messages.warning(request, p)
        return redirect(reverse("overview") + f"?plan={plan.pk}")
    return render(request, "reminders/rule_form.html", {"plan": plan, "form": form, "rule": rule})
