"""Assessment and dashboard pages. Plans and units are fetched through duban.plans.access, so a unit
that is not the user's own is a 404; the ranking and dashboards are for coordinators and leaders."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from duban.assessment import dashboard as dash
from duban.audit.events import record, snapshot
from duban.audit.middleware import style_attributes_allowed
from duban.audit.models import AuditEvent
from duban.assessment import facts as facts_mod
from duban.assessment import figures
from duban.assessment.forms import AsOfForm, DeductionForm, SchemeForm
from duban.assessment.lights import light_function
from duban.assessment.models import Deduction, Scheme
from duban.assessment.scoring import FEW_LABEL, assess
from duban.plans import access
from duban.plans.forms import PlanQueryForm
from duban.reminders.models import ReminderRule
from duban.workcal.calendar import UnknownCalendarYear
from duban.workcal.services import get_calendar


def _plan(request, plan_id):
    return get_object_or_404(access.visible_plans(request.user), pk=plan_id)


def _readers_only(user):
    if not access.can_see_dashboard(user):
        raise PermissionDenied("只有协调人和领导可以查看。")


def _chosen_plan(request):
    """?plan=<id> from the plan selector (404 if not the user's to see), else the newest plan."""
    return access.chosen_plan(request.user, PlanQueryForm(request.GET).valid()["plan"])


def _calendar_error(request, plan, exc):
    return render(request, "assessment/calendar_error.html", {"plan": plan, "error": str(exc)}, status=200)


@login_required
def dashboard_home(request):
    _readers_only(request.user)
    plan = _chosen_plan(request)
    return redirect("dashboard", plan.pk) if plan else redirect("plans")


@login_required
def assessment_home(request):
    plan = _chosen_plan(request)
    if plan is None:
        return redirect("home")
    if access.can_see_dashboard(request.user):
        return redirect("ranking", plan.pk)
    p = access.profile(request.user)
    return redirect("unit_score", plan.pk, p.unit_id)


@login_required
@style_attributes_allowed  # ECharts styles its tooltips with style attributes (Content-Security-Policy)
def dashboard(request, plan_id):
    plan = _plan(request, plan_id)
    _readers_only(request.user)
    form = AsOfForm(request.GET or None)
    as_of = form.as_of()
    cal = get_calendar()
    facts = facts_mod.load(plan)
    try:
        yellow_days = ReminderRule.for_plan(plan, create=False).yellow_days
        lights = dash.light_counts(facts, as_of, light_function(facts, as_of, cal, yellow_days))
        overdue = dash.overdue_list(facts, as_of, cal)
    except UnknownCalendarYear as exc:
        return _calendar_error(request, plan, exc)
    units = dash.per_unit(facts, as_of)
    sections = dash.per_section(facts, as_of)
    trend = dash.weekly_trend(facts, as_of, plan.issued_on)
    charts = {
        "units": {"labels": [r.label for r in units], "done_rate": [_pct(r.done_rate) for r in units],
                  "on_time_rate": [_pct(r.on_time_rate) for r in units]},
        "sections": {"labels": [r.label for r in sections], "done_rate": [_pct(r.done_rate) for r in sections],
                     "on_time_rate": [_pct(r.on_time_rate) for r in sections]},
        "lights": [{"key": k, "name": label, "value": n} for k, label, n in lights],
        "trend": {"weeks": [w.isoformat() for w, _, _ in trend], "new": [n for _, n, _ in trend],
                  "cumulative": [c for _, _, c in trend]},
    }
    return render(request, "assessment/dashboard.html", {
        "plan": plan, "form": form, "as_of": as_of, "total": dash.total(facts, as_of), "units": units,
        "tasks": figures.task_counts(figures.per_task(facts, as_of)), "backlog": figures.backlog(facts, as_of),
        "sections": sections, "lights": lights, "trend": trend, "overdue": overdue,
        "overdue_tasks": dash.overdue_by_task(overdue), "charts": charts,
    })


def _pct(rate):
    return None if rate is None else round(rate * 100, 1)


@login_required
def ranking(request, plan_id):
    plan = _plan(request, plan_id)
    _readers_only(request.user)
    form = AsOfForm(request.GET or None)
    as_of = form.as_of()
    try:
        result = assess(plan, as_of)
    except UnknownCalendarYear as exc:
        return _calendar_error(request, plan, exc)
    return render(request, "assessment/ranking.html", {
        "plan": plan, "form": form, "as_of": as_of, "result": result, "scheme": result.scheme,
        "can_edit": access.can_edit(request.user), "few_label": FEW_LABEL,
    })


@login_required
def unit_score(request, plan_id, unit_id):
    plan = _plan(request, plan_id)
    unit = get_object_or_404(access.visible_units(request.user).filter(org=plan.org_id), pk=unit_id)
    form = AsOfForm(request.GET or None)
    as_of = form.as_of()
    try:
        result = assess(plan, as_of)
    except UnknownCalendarYear as exc:
        return _calendar_error(request, plan, exc)
    score = result.unit(unit.pk)
    if score is None:
        raise Http404("该单位在本方案中没有任务")
    return render(request, "assessment/unit_score.html", {
        "plan": plan, "unit": unit, "form": form, "as_of": as_of, "score": score, "scheme": result.scheme,
        "group": result.group(score.group), "few_label": FEW_LABEL, "can_read_all": access.can_read_all(request.user),
    })


@login_required
def scheme_edit(request, plan_id):
    plan = _plan(request, plan_id)
    _readers_only(request.user)
    scheme = Scheme.for_plan(plan)
    editable = access.can_edit(request.user)
    before = snapshot(scheme, SchemeForm._meta.fields)  # before the form writes the posted values into it
    form = SchemeForm(request.POST or None, instance=scheme)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("只有协调人可以修改考评办法。")
        if form.is_valid():
            scheme = form.save(commit=False)
            scheme.plan, scheme.updated_by = plan, request.user
            scheme.save()
            record(request, AuditEvent.SCHEME_CHANGE, target=f"{plan.title} 考评办法", before=before,
                   after=snapshot(scheme, SchemeForm._meta.fields))
            messages.success(request, "考评办法已保存，得分已按新办法重新计算。")
            return redirect("ranking", plan.pk)
    return render(request, "assessment/scheme.html", {"plan": plan, "form": form, "scheme": scheme, "editable": editable})


@login_required
def deductions(request, plan_id):
    plan = _plan(request, plan_id)
    _readers_only(request.user)
    editable = access.can_edit(request.user)
    form = DeductionForm(request.POST or None, plan=plan)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("只有协调人可以录入扣分。")
        if form.is_valid():
            d = form.save(commit=False)
            d.plan, d.by = plan, request.user
            d.save()
            record(request, AuditEvent.DEDUCTION_CREATE, target=f"{plan.title} 扣分：{d.unit.name}", after=_deduction(d))
            messages.success(request, f"已对{d.unit.name}扣{d.points}分。")
            return redirect("deductions", plan.pk)
    items = Deduction.objects.filter(plan=plan).select_related("unit", "by")
    return render(request, "assessment/deductions.html", {"plan": plan, "form": form, "items": items, "editable": editable})


def _deduction(d) -> dict:
    return {**snapshot(d, ["points", "reason", "at"]), "unit": d.unit.name, "by": d.by.get_username() if d.by_id else None}


@login_required
@require_POST
def deduction_delete(request, plan_id, deduction_id):
    plan = _plan(request, plan_id)
    if not access.can_edit(request.user):
        raise PermissionDenied("只有协调人可以删除扣分。")
    d = get_object_or_404(Deduction, plan=plan, pk=deduction_id)
    before = _deduction(d)
    d.delete()
    record(request, AuditEvent.DEDUCTION_DELETE, target=f"{plan.title} 扣分：{d.unit.name}", before=before)
    messages.success(request, f"已删除对{d.unit.name}的扣分（{d.reason}）。")
    return redirect("deductions", plan.pk)
