"""Document pages: choose a document, wait for it (a job page that refreshes itself), download it.

Who may generate what is decided by duban.plans.access.can_export; a job is visible only to the
user who asked for it, and the download checks again."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from duban import files
from duban.audit.events import record
from duban.audit.models import AuditEvent
from duban.exports import build, jobs
from duban.exports.forms import BulletinForm, BulletinQueryForm, ExportForm
from duban.exports.models import Bulletin, ExportJob
from duban.plans import access
from duban.plans.forms import PlanQueryForm
from duban.plans.models import Assignment
from duban.workcal.calendar import UnknownCalendarYear
from duban.workcal import clock


def _plan(request, plan_id):
    return get_object_or_404(access.visible_plans(request.user).select_related("org"), pk=plan_id)


@login_required
def documents_home(request):
    plan = access.chosen_plan(request.user, PlanQueryForm(request.GET).valid()["plan"])  # the plan selector
    return redirect("documents", plan.pk) if plan else redirect("home")


@login_required
def documents(request, plan_id):
    plan = _plan(request, plan_id)
    if access.profile(request.user) is None:
        raise Http404
    # The units with work in the plan, as a semi-join (IN): a join then DISTINCT sorted all the plan's ~2,500
    # assignments' unit rows by name to keep 44 (6 -> 2 ms at 1M).
    in_plan = Assignment.objects.filter(task__plan=plan).values("unit")  # in force: the default manager
    units = access.visible_units(request.user).filter(pk__in=in_plan).order_by("sort_order", "name")
    today = clock.today()
    year_end = min(today, today.replace(year=plan.year, month=12, day=31)) if plan.year else today
    return render(request, "exports/documents.html", {
        "plan": plan, "units": units, "today": today, "year_end": year_end,
        "can_read_all": access.can_read_all(request.user),
        "jobs": access.visible_export_jobs(request.user).filter(plan=plan)[:10],
        "unsettled": plan.plan_warnings.filter(settled_at__isnull=True).count() if access.can_read_all(request.user) else 0,
        "undecided": plan.tasks.filter(deadline_kind="").count(),
    })


@login_required
@require_POST
def export_new(request, plan_id):
    plan = _plan(request, plan_id)
    form = ExportForm(request.POST)
    if not form.is_valid():
        raise Http404("参数不正确")
    d = form.cleaned_data
    unit_id = d.get("unit")
    if not access.can_export(request.user, d["kind"], unit_id):
        raise PermissionDenied("没有生成该文书的权限。")
    if unit_id is not None and not access.visible_units(request.user).filter(pk=unit_id, assignments__task__plan=plan, assignments__archived_at__isnull=True).exists():
        raise Http404("没有这个单位")
    params = {"fmt": d["fmt"]}
    if d["kind"] == ExportJob.UNIT_LIST and unit_id:
        params["unit"] = unit_id
    for key in ("as_of", "date"):
        if d.get(key):
            params[key] = d[key].isoformat()
    if d["kind"] == ExportJob.ANNUAL:
        params["sign"] = d.get("sign") or "issuer"
        params["appendix"] = bool(d.get("appendix"))
    job = jobs.enqueue(ExportJob(plan=plan, kind=d["kind"], params=params, created_by=request.user))
    return redirect("export_job", job.pk)


@login_required
def bulletin(request, plan_id):
    """The 督办通报 form. "预览" makes a draft without a number; "正式印发" registers the bulletin and
    gives it the next 期号 of the organisation's year; an issued one generated again keeps its number."""
    plan = _plan(request, plan_id)
    if not access.can_export(request.user, ExportJob.BULLETIN):
        raise PermissionDenied("只有协调人和领导可以生成督办通报。")
    issued_qs = Bulletin.objects.filter(org=plan.org_id)
    if request.method == "POST":
        form = BulletinForm(request.POST)
        if form.is_valid():
            params = form.params()
            existing = None
            if form.cleaned_data.get("bulletin"):
                existing = get_object_or_404(issued_qs, pk=form.cleaned_data["bulletin"])
            if existing is not None or request.POST.get("action") == "issue":
                if not access.can_edit(request.user):
                    raise PermissionDenied("只有协调人可以正式印发督办通报。")
                if existing is None:
                    year = form.cleaned_data["date"].year
                    existing = Bulletin.issue(plan, year, form.cleaned_data["as_of"], form.cleaned_data["date"], params, request.user)
                else:
                    existing.params, existing.as_of, existing.issued_on = params, form.cleaned_data["as_of"], form.cleaned_data["date"]
                    existing.save(update_fields=["params", "as_of", "issued_on"])
                params["doc_number"] = params.get("doc_number") or existing.label
                params["bulletin"] = existing.pk
            job = jobs.enqueue(ExportJob(plan=plan, kind=ExportJob.BULLETIN, params=params, created_by=request.user))
            return redirect("export_job", job.pk)
    else:
        query = BulletinQueryForm(request.GET)
        q = query.valid()  # a bad date, format, threshold or number is ignored, and said so
        for label in query.ignored():
            messages.warning(request, f"{label}无效，已忽略。")
        if q["bulletin"]:
            b = get_object_or_404(issued_qs, pk=q["bulletin"])
            form = BulletinForm(initial={**b.params, "bulletin": b.pk})
        else:
            as_of = q["as_of"] or clock.today()
            threshold = float(q["threshold"]) if q["threshold"] is not None else build.DEFAULT_THRESHOLD
            try:
                initial = build.bulletin_suggestions(plan, as_of, threshold=threshold)
            except UnknownCalendarYear as exc:
                return render(request, "assessment/calendar_error.html", {"plan": plan, "error": str(exc)})
            form = BulletinForm(initial={**initial, "fmt": q["fmt"] or "docx"})
    return render(request, "exports/bulletin.html", {
        "plan": plan, "form": form, "issued": issued_qs.filter(plan=plan)[:20],
        "next_number": Bulletin.next_number(plan.org_id, _form_year(form)),
        "can_issue": access.can_edit(request.user),
    })


def _form_year(form) -> int:
    """The year the bulletin would be numbered in: that of its 成文日期."""
    value = form["date"].value()
    if isinstance(value, str):
        try:
            value = forms.DateField().clean(value)
        except ValidationError:
            value = None
    return value.year if hasattr(value, "year") else clock.today().year


@login_required
def job_detail(request, job_id):
    job = get_object_or_404(access.visible_export_jobs(request.user).select_related("plan"), pk=job_id)
    response = render(request, "exports/job.html", {"job": job, "plan": job.plan})
    if not job.finished:
        response["Refresh"] = "1"
    return response


@login_required
def job_download(request, job_id):
    job = get_object_or_404(access.visible_export_jobs(request.user), pk=job_id, status=ExportJob.DONE)
    if not access.can_export(request.user, job.kind, job.params.get("unit")):
        raise Http404
    ext = job.result_name.rsplit(".", 1)[-1]
    try:
        response = files.download(job.result, as_attachment=True, filename=job.result_name, content_type=build.EXT_TYPES.get(ext))
    except FileNotFoundError:
        raise Http404("文件已不存在，请重新生成") from None
    record(request, AuditEvent.EXPORT_DOWNLOAD, target=job.result_name, after={"job": job.pk, "kind": job.kind, "plan": job.plan_id})
    return response
