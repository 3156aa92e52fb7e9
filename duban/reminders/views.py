"""The coordinator overview (督办总览), the one-click 催办, and the plan's reminder rule."""
from __future__ import annotations

from io import BytesIO
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from duban.audit.events import record, snapshot
from duban.audit.models import AuditEvent
from duban.documents.xlsx_docs import put
from duban.plans import access, deadlines
from duban.plans.forms import IdField, QueryForm
from duban.reminders import notices
from duban.reminders import overview as numbers
from duban.reminders.forms import ReminderRuleForm
from duban.reminders.models import ReminderRule, Urge
from duban.reminders.sweep import OPEN_STATUSES, Sender, recipients, working_days_between
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
        deadlines.office_today(), get_calendar(), rule.yellow_days, shown,
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
        },
    )


@login_required
def overview_export(request):
    """The list as filtered on the overview, every row (no paging), as an Excel workbook."""
    from openpyxl import Workbook

    form, plan, _rule, data = _overview(request)
    if plan is None:
        raise Http404("还没有导入分工方案。")
    wb = Workbook()
    ws = wb.active
    ws.title = "逾期清单" if form.list_filter().light == deadlines.RED else "任务清单"
    for col, (header, _value) in enumerate(numbers.COLUMNS, 1):
        put(ws.cell(row=1, column=col), header)
    for i, r in enumerate(data.rows, 2):
        for col, (_header, value) in enumerate(numbers.COLUMNS, 1):
            put(ws.cell(row=i, column=col), value(r))  # text that looks like a formula stays text
    ws.freeze_panes = "A2"
    buf = BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"{ws.title}-{data.today:%Y%m%d}.xlsx"
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
    calendar = get_calendar()
    items = []
    for a in open_rows:
        late = a.due_date is not None and a.due_date < today
        days = working_days_between(calendar, today, a.due_date) if a.due_date else None
        items.append(notices.Item(a.task.no, a.task.requirement, a.role, a.due_date, "", late, days if late else None, None if late else days))
    sender_name = request.user.first_name or request.user.get_username()
    try:
        with transaction.atomic():
            Urge.objects.create(
                unit=unit, plan=plan, day=today, sent_by=request.user,
                open_count=len(items), overdue_count=sum(i.overdue for i in items),
            )
            subject, body = notices.urge_notice(unit.name, plan.title, sender_name, items)
            send = Sender(ReminderRule.for_plan(plan))
            key, link = f"urge:{today}:u{unit.pk}", reverse("unit", args=[unit.pk])
            for user_id, email in recipients([unit.pk], []).liaisons.get(unit.pk, []):
                send.to_user(f"{key}:liaison", user_id, email, subject, body, link)
            send.to_address(f"{key}:unit:email", unit.contact_email, subject, body, link)
            send.to_robots(key, subject, body, link, plan.org_id)
    except IntegrityError:
        earlier = Urge.objects.filter(unit=unit, day=today).select_related("sent_by").first()
        who = (earlier.sent_by.first_name or earlier.sent_by.get_username()) if earlier and earlier.sent_by else "协调人"
        when = timezone.localtime(earlier.sent_at).strftime("%H:%M") if earlier else ""
        messages.info(request, f"今天{when}已由{who}向{unit.name}发送过催办通知，未重复发送。")
        return redirect(back)
    if send.count == 0:
        messages.warning(request, f"已记录对{unit.name}的催办，但该单位没有联络员、单位邮箱，也没有启用的群机器人，通知无人接收。")
    else:
        messages.success(request, f"已向{unit.name}发送催办通知（{send.count} 条，{len(items)} 项未办结任务），将在一分钟内送达。")
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
