"""Pages of the plans app. Every object is fetched through duban.plans.access, so what a
user may not see is a 404, whatever URL they type; changes need access.can_edit()."""
from __future__ import annotations

import re
from collections import namedtuple
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, F, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST, require_safe

from duban import files
from duban.accounts.models import Profile
from duban.directory.models import Unit, UnitAlias
from duban.directory.resolve import Directory
from duban.ingest import IngestError
from duban.plans import access, archiving, carry_over, deadlines, editing, import_jobs, importing, structure, template
from duban.plans.forms import (
    CarryOverForm,
    MONTH, AddTaskForm, PlanQueryForm, MergeForm, MoveForm, PickUnitsForm, PlanRenumberForm, ReasonForm, RenumberForm, RestoreForm, SetDeadlineForm, SettleForm,
    SplitForm, TableFilterForm, TaskEditForm, UploadForm,
)
from duban.plans.models import LEAD, RESPONSIBLE, Assignment, ImportJob, Plan, PlanWarning, Section, Task
from duban.plans.unit_wording import compact_units
from duban.workcal import clock
from duban.progress import lifecycle
from duban.progress.models import ExtensionRequest


def require_editor(user) -> None:
    if not access.can_edit(user):
        raise PermissionDenied("只有协调人可以修改。")


@login_required
def home(request):
    role = access.role(request.user)
    if role is None:
        return render(request, "plans/no_role.html", status=403)
    if role == Profile.LIAISON:
        return redirect("unit", access.profile(request.user).unit_id)
    plans = list(access.visible_plans(request.user)[:2])
    if len(plans) == 1:
        return redirect("plan", plans[0].pk)
    return redirect("plans")


@login_required
def plan_list(request):
    plans = list(access.visible_plans(request.user))
    tasks = dict(access.visible_tasks(request.user).values_list("plan").annotate(n=Count("id")))
    warnings = dict(access.visible_warnings(request.user).filter(settled_at__isnull=True).values_list("plan").annotate(n=Count("id")))
    for p in plans:
        p.task_count, p.open_warnings = tasks.get(p.pk, 0), warnings.get(p.pk, 0)
    return render(request, "plans/plan_list.html", {"plans": plans})


# --- the division table ---------------------------------------------------------------------

def filter_tasks(request, plan: Plan):
    """The GET filters of the division table (TableFilterForm: a bad value is ignored, and named).
    Returns (tasks, filters, chosen unit, ignored filters)."""
    form = TableFilterForm(request.GET)
    f = form.valid()
    tasks = access.visible_tasks(request.user).filter(plan=plan)
    units = access.visible_units(request.user).filter(org=plan.org_id)
    unit = units.filter(pk=f["unit"]).first() if f["unit"] else None
    if f["unit"] and unit is None:
        raise Http404("没有这个单位")
    if unit is not None:
        on = Assignment.objects.filter(unit=unit)
        if f["role"]:
            on = on.filter(role=f["role"])
        tasks = tasks.filter(pk__in=on.values("task"))
    elif f["role"] and not access.can_read_all(request.user):
        tasks = tasks.filter(pk__in=access.visible_assignments(request.user).filter(role=f["role"]).values("task"))
    if f["section"]:
        ids, frontier = set(), {f["section"]}
        while frontier:  # the section and everything under it
            ids |= frontier
            frontier = set(Section.objects.filter(plan=plan, parent__in=frontier).values_list("pk", flat=True)) - ids
        tasks = tasks.filter(section__in=ids)
    if f["kind"] == "none":
        tasks = tasks.filter(deadline_kind="")
    elif f["kind"]:
        tasks = tasks.filter(deadline_kind=f["kind"])
    m = re.match(MONTH, f["month"])
    if m:
        tasks = tasks.filter(deadline_date__month=int(m[2]))
        if m[1]:
            tasks = tasks.filter(deadline_date__year=int(m[1]))
    if f["q"]:
        for word in f["q"].split():
            tasks = tasks.filter(
                Q(requirement__icontains=word) | Q(units_text__icontains=word) | Q(section__title__icontains=word)
                | Q(section__parent__title__icontains=word)
                | Q(pk__in=Assignment.objects.filter(unit__name__icontains=word).values("task"))
            )
    if f["open"] and access.can_read_all(request.user):
        tasks = tasks.filter(pk__in=PlanWarning.objects.filter(plan=plan, task__isnull=False, settled_at__isnull=True).values("task"))
    return tasks, f, unit, form.ignored()


NO_SECTION = "其他任务"
AssignmentRow = namedtuple("AssignmentRow", "task_id unit_id unit__name role status due_date submitted_at accepted_at")


def _print_parts(task, unit, directory) -> None:
    """The print view's units: the plan's wording with the directory's names and groups counted
    (duban.plans.unit_wording), as (text, hit) pairs; the unit filtered by is marked, and named
    after the group that covers it."""
    parts = compact_units(task.units_text, {LEAD: task.leads, RESPONSIBLE: task.responsibles}, directory)
    for role, units, attr in ((LEAD, task.leads, "lead_parts"), (RESPONSIBLE, task.responsibles, "responsible_parts")):
        pairs = [(text, unit is not None and text == unit.name) for text in parts[role]]
        if unit is not None and unit in units and not any(hit for _, hit in pairs):
            pairs.append((f"（含{unit.name}）", True))
        setattr(task, attr, pairs)


def _rows(request, tasks, unit=None, printable=False):
    """Tasks with their units split by role and their open warnings, and a section heading where the section changes."""
    warnings = access.visible_warnings(request.user).filter(settled_at__isnull=True)
    tasks = list(tasks.select_related("section", "section__parent", "section__parent__parent").prefetch_related(
        Prefetch("plan_warnings", queryset=warnings, to_attr="open_warnings"),
    ).order_by("no"))
    # Each assignment as a plain row of what the table and its lights read, in one query, and one Unit per unit
    # made here: a plan of 2,500 assignments in 44 units builds 44 units, not 2,500 model instances.
    assignments: dict[int, list[AssignmentRow]] = {t.pk: [] for t in tasks}
    for r in (Assignment.objects.filter(task__in=list(assignments)).order_by("unit__sort_order", "unit_id")
              .values_list(*AssignmentRow._fields)):
        assignments[r[0]].append(AssignmentRow(*r))
    rows, last, directory, units = [], None, None, {}
    for t in tasks:
        path = t.section.path() if t.section else []
        if path != last:
            # A plan without sections has no heading rows; tasks without a section after sectioned ones
            # get a heading of their own, so that they are not read as part of the section above.
            if path or last is not None:
                rows.append({"heading": path or [NO_SECTION]})
            last = path
        t.light_rows = assignments[t.pk]  # {% task_light %} reads these instead of task.assignments
        for a in t.light_rows:
            if a.unit_id not in units:
                units[a.unit_id] = Unit(pk=a.unit_id, name=a.unit__name)  # name and identity: all the rows show
        t.leads = [units[a.unit_id] for a in t.light_rows if a.role == LEAD]
        t.responsibles = [units[a.unit_id] for a in t.light_rows if a.role == RESPONSIBLE]
        if printable:
            if directory is None:
                directory = Directory(t.plan.org)
            _print_parts(t, unit, directory)
        rows.append({"task": t})
    return rows


@login_required
def plan_detail(request, plan_id: int, printable: bool = False):
    plan = get_object_or_404(access.visible_plans(request.user), pk=plan_id)
    tasks, filters, unit, ignored = filter_tasks(request, plan)
    rows = _rows(request, tasks, unit, printable)
    ctx = {
        "plan": plan,
        "rows": rows,
        "count": sum(1 for r in rows if "task" in r),
        "total": access.visible_tasks(request.user).filter(plan=plan).count(),
        "filters": filters,
        "ignored": ignored,
        "unit": unit,
        "units": access.visible_units(request.user).filter(org=plan.org_id, active=True),
        "sections": Section.objects.filter(plan=plan).select_related("parent"),
        "kinds": Task.DEADLINE_CHOICES[1:] + [("none", "未识别")],
        "months": range(1, 13),
        "open_warnings": access.visible_warnings(request.user).filter(plan=plan, settled_at__isnull=True).count(),
        "query": request.GET.urlencode(),
        "printable": printable,
        # Tasks dropped by a revised plan, kept with their units' work (read-only, coordinator and leaders).
        "archived_tasks": access.visible_tasks(request.user, with_archived=True).filter(plan=plan, archived_at__isnull=False).order_by("no", "archived_at")
        if access.can_read_all(request.user) and not printable else [],
    }
    return render(request, "plans/plan_print.html" if printable else "plans/plan_detail.html", ctx)


@login_required
def plan_print(request, plan_id: int):
    return plan_detail(request, plan_id, printable=True)


@login_required
def plan_source(request, plan_id: int):
    plan = get_object_or_404(access.visible_plans(request.user), pk=plan_id)
    if not access.can_download_source(request.user) or not plan.source_file:
        raise Http404
    try:
        return files.download(plan.source_file, as_attachment=True, filename=plan.source_name or Path(plan.source_file.name).name)
    except FileNotFoundError:
        raise Http404("原始文件不存在") from None


# --- one task, one unit -----------------------------------------------------------------------


@login_required
def task_detail(request, task_id: int):
    task = get_object_or_404(access.visible_tasks(request.user, with_archived=True).select_related("plan", "section", "archived_by"), pk=task_id)
    # An archived task's units are those archived along with it (archiving.TASK_ARCHIVED), not none.
    units = Assignment.all_objects.filter(task=task, archived_reason=archiving.TASK_ARCHIVED) if task.archived_at else task.assignments
    # 已结转至: where each unit's unfinished work continues in a later plan (carry_over), same unit, same organisation
    onward = Prefetch("carried_to", queryset=Assignment.all_objects.select_related("task__plan").order_by("pk"))
    assignments = editing.lead_first(units.select_related("unit").prefetch_related(onward))
    removed, own_archived = [], []
    if access.can_read_all(request.user):  # 已移除的单位: archived with their reports, restorable by the coordinator
        removed = list(
            access.visible_assignments(request.user, with_archived=True).filter(task=task, archived_at__isnull=False)
            .select_related("unit", "archived_by").prefetch_related("reports").order_by("-archived_at", "unit__sort_order")
        )
    elif task.archived_at:  # a liaison has no such list: the archived task's banner links its own unit's record
        own_archived = list(access.archived_assignments(request.user).filter(task=task).order_by("role", "pk"))
    ctx = {
        "removed": removed,
        "own_archived": own_archived,
        "task": task,
        "plan": task.plan,
        "leads": [a for a in assignments if a.role == LEAD],
        "responsibles": [a for a in assignments if a.role == RESPONSIBLE],
        "warnings": access.visible_warnings(request.user).filter(task=task).select_related("settled_by"),
        "changes": access.visible_changes(request.user).filter(task=task).select_related("user"),
        "mine": access.visible_assignments(request.user).filter(task=task).exists() if not access.can_read_all(request.user) else False,
        # 延期申请 of the units the user sees, with their decisions (the approvals are also in the change history)
        "extensions": ExtensionRequest.objects.filter(assignment__in=access.visible_assignments(request.user, with_archived=True).filter(task=task))
        .select_related("assignment__unit", "requested_by", "coordinator", "leader"),
        "can_set_scope": access.can_review(request.user) and task.archived_at is None,
        "scope_choices": Task.REPORT_SCOPE_CHOICES,
        "closable": lifecycle.closable(task).count() if task.report_scope == Task.REPORT_LEAD and access.can_review(request.user) else 0,
    }
    return render(request, "plans/task_detail.html", ctx)


@require_POST
@login_required
def assignment_restore(request, assignment_id: int):
    """Put a unit removed from a task back on it, with its reports (one POST from the task page)."""
    require_editor(request.user)
    a = get_object_or_404(
        access.visible_assignments(request.user, with_archived=True).filter(archived_at__isnull=False).select_related("unit", "task"),
        pk=assignment_id,
    )
    if a.task.archived_at is not None:
        messages.error(request, "任务已删除（归档），不能恢复单位。")
        return redirect("task", a.task_id)
    with transaction.atomic():
        editing.restore_assignment(a, request.user, note=request.POST.get("note", "").strip()[:300])
    messages.success(request, f"已恢复{a.unit.name}（{a.get_role_display()}），原有报送和记录一并恢复。")
    return redirect("task", a.task_id)


@login_required
def task_edit(request, task_id: int):
    require_editor(request.user)
    task = get_object_or_404(access.visible_tasks(request.user).select_related("plan", "plan__org"), pk=task_id)
    form = TaskEditForm(request.POST or None, task=task)
    if request.method == "POST" and form.is_valid():
        note = form.cleaned_data.get("note") or "在任务页修改"
        with transaction.atomic():
            records = editing.update_task(task, request.user, form.values(), note)
            records += editing.set_assignments(task, request.user, form.wanted_units(), note)
        messages.success(request, f"已保存第{task.no}项：{len(records)} 处修改。" if records else "没有修改。")
        return redirect("task", task.pk)
    return render(
        request, "plans/task_edit.html",
        {"task": task, "plan": task.plan, "form": form, "lead_chosen": form.chosen("lead_units"),
         "responsible_chosen": form.chosen("responsible_units")},
    )


UNIT_PAGE_SIZE = 100  # a plan of the seed's size (74 tasks) fits on one page; a bigger one is paged


@login_required
def unit_detail(request, unit_id: int):
    """A unit's to-do page: the current plan (?plan=<id>, else the newest) a page of 100 at a time, the
    other years folded into one line each. A fixed number of queries however many plans the unit has."""
    unit = get_object_or_404(access.visible_units(request.user), pk=unit_id)
    mine = access.visible_assignments(request.user).filter(unit=unit)
    counts = {
        row["task__plan"]: row
        for row in mine.order_by().values("task__plan").annotate(
            n=Count("id"),
            accepted=Count("id", filter=Q(status=Assignment.ACCEPTED)),
            submitted=Count("id", filter=Q(status=Assignment.SUBMITTED)),
            exempt=Count("id", filter=Q(status=Assignment.EXEMPT)),
        )
    }
    plans = list(Plan.objects.filter(pk__in=list(counts)))  # newest first (Plan.Meta.ordering)
    for p in plans:
        c = counts[p.pk]
        p.n, p.accepted, p.submitted, p.open = c["n"], c["accepted"], c["submitted"], c["n"] - c["accepted"] - c["submitted"] - c["exempt"]
    chosen = PlanQueryForm(request.GET).valid()["plan"]  # a bad id is ignored: the newest plan
    current = next((p for p in plans if p.pk == chosen), None) if chosen else (plans[0] if plans else None)
    if chosen and current is None:
        raise Http404("该单位在这个方案中没有任务")
    ctx = {"unit": unit, "total": sum(p.n for p in plans), "current": current, "others": [p for p in plans if p != current]}
    p = access.profile(request.user)
    ctx["mine"] = mine_to_report = p is not None and p.role == Profile.LIAISON and p.unit_id == unit.pk
    if current is not None:
        from duban.assessment import facts as facts_mod
        from duban.assessment import figures

        from duban.workcal.services import get_calendar

        ctx["today"] = today = deadlines.office_today()
        in_plan = mine.filter(task__plan=current)
        ctx["figures"] = figures.total(facts_mod.load(current, in_plan), today)  # defined once (duban.assessment.figures)
        ctx["exempt"] = figures.exempt_count(current, in_plan)
        ctx["roles"] = dict(in_plan.order_by().values_list("role").annotate(n=Count("id")))
        # 签收: 领办逾期 (not acknowledged in time) and 反馈逾期 (the due date), each its own clock, over the whole plan.
        from duban.reminders.models import ReminderRule

        calendar = get_calendar()
        ack_clock, ack = figures.AckClock(calendar, today), figures.AckCounts()

        def ack_state(assigned_at, acknowledged_at, status, role, scope):
            return ack_clock.state(assigned_at or current.created_at, acknowledged_at, status, role == LEAD or scope != Task.REPORT_LEAD)

        for row in in_plan.order_by().values_list("assigned_at", "acknowledged_at", "status", "role", "task__report_scope"):
            state = ack_state(*row)
            if state:
                setattr(ack, state, getattr(ack, state) + 1)
        rows = in_plan.select_related("task", "task__plan", "task__plan__reminder_rule", "task__section").order_by(
            "role", F("task__deadline_date").asc(nulls_last=True), "task__no", "id")
        ctx["page"] = page = Paginator(rows, UNIT_PAGE_SIZE).get_page(request.GET.get("page"))
        missed = figures.periods_missed(page.object_list, today)  # 漏报: recurring tasks' periods closed without a report
        for a in page.object_list:
            a.periods_missed = missed.get(a.pk, 0)
            a.ack = ack_state(a.assigned_at, a.acknowledged_at, a.status, a.role, a.task.report_scope)
            a.ack_label = figures.ACK_LABELS.get(a.ack, "")
            a.feedback_overdue = a.due_date is not None and today > a.due_date and a.status in figures.ACK_OPEN
            # not ticked for 报一次 before its period's reporting window opens (the lifecycle would refuse it)
            waiting = mine_to_report and a.status in lifecycle.REPORTABLE and lifecycle.not_open_until(
                a, today, calendar, getattr(a.task.plan, "reminder_rule", None) or ReminderRule(plan_id=a.task.plan_id))
            a.opens_on, a.not_open_yet = waiting or (None, None)
        ctx["page_range"] = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1) if page.has_other_pages() else []
        ctx["query"] = f"plan={current.pk}" if chosen else ""
        ctx.update(ack=ack, ack_days=ack_clock.days)
    ctx["archived"] = access.archived_assignments(request.user).filter(unit=unit).count()  # 已归档, on a page of its own
    return render(request, "plans/unit_detail.html", ctx)


ARCHIVED_PAGE_SIZE = 50


@require_safe
@login_required
def unit_archived(request, unit_id: int):
    """已归档: a unit's assignments taken off a task or dropped by a revision, newest first, each with the
    reports the unit filed on it (text, links, files). Read-only; a liaison sees only its own unit's."""
    from duban.progress.models import Report

    unit = get_object_or_404(access.visible_units(request.user), pk=unit_id)
    reports = Prefetch("reports", queryset=Report.objects.select_related("submitted_by").prefetch_related("links", "attachments")
                       .order_by("-submitted_at", "-id"))
    rows = (access.archived_assignments(request.user).filter(unit=unit)
            .select_related("task", "task__plan", "archived_by").prefetch_related(reports)
            .order_by("-archived_at", "-id"))
    page = Paginator(rows, ARCHIVED_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "plans/unit_archived.html", {
        "unit": unit, "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1) if page.has_other_pages() else [],
    })


# --- review: settling what the import could not decide -----------------------------------------


@login_required
def review(request, plan_id: int):
    if not access.can_read_all(request.user):
        raise PermissionDenied("只有协调人和领导可以查看待处理提示。")
    plan = get_object_or_404(access.visible_plans(request.user), pk=plan_id)
    warnings = access.visible_warnings(request.user).filter(plan=plan).select_related("task", "settled_by")
    return render(
        request,
        "plans/review.html",
        {
            "plan": plan,
            "open": [w for w in warnings if not w.settled],
            "settled": sorted((w for w in warnings if w.settled), key=lambda w: w.settled_at, reverse=True),
            "can_edit": access.can_edit(request.user),
            # Every task, to put right what the parser misread (split, merge, move, renumber, …).
            "tasks": access.visible_tasks(request.user).filter(plan=plan).select_related("section", "section__parent", "section__parent__parent").order_by("no"),
            "renumber_form": PlanRenumberForm(),
        },
    )


@login_required
def settle_warning(request, warning_id: int):
    require_editor(request.user)
    warning = get_object_or_404(access.visible_warnings(request.user).select_related("plan", "plan__org", "task"), pk=warning_id)
    plan, task = warning.plan, warning.task
    if warning.settled:
        messages.info(request, "这条提示已处理。")
        return redirect("review", plan.pk)
    if warning.kind in (PlanWarning.VAGUE_GROUP, PlanWarning.UNKNOWN_UNIT) and task is not None:
        form = PickUnitsForm(
            request.POST or None, org=plan.org, allow_alias=warning.kind == PlanWarning.UNKNOWN_UNIT,
            subject=warning.subject, initial={"role": warning.role or RESPONSIBLE},
        )
    elif warning.kind == PlanWarning.MISSING_DEADLINE and task is not None:
        form = SetDeadlineForm(request.POST or None, initial=task.deadline_values() | {"deadline_kind": task.deadline_kind or "date"})
    else:
        form = SettleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        note = form.cleaned_data.get("resolution") or ""
        with transaction.atomic():
            if isinstance(form, PickUnitsForm):
                units = list(form.cleaned_data["units"])
                role = form.cleaned_data["role"]
                editing.add_units(task, request.user, units, role, note=f"处理“{warning.subject}”")
                if form.cleaned_data.get("make_alias"):
                    UnitAlias.objects.get_or_create(org=plan.org, alias=warning.subject, defaults={"unit": units[0]})
                picked = "、".join(u.name for u in units) or "不指定单位"
                resolution = f"{warning.subject} → {picked}（{dict(importing.ROLE_LABEL)[role]}）" + (f"；{note}" if note else "")
            elif isinstance(form, SetDeadlineForm):
                editing.update_task(task, request.user, form.values(), note="设置完成时限")
                task.refresh_from_db()
                resolution = f"完成时限：{task.deadline_display()}" + (f"；{note}" if note else "")
            else:
                resolution = note or "已核对"
            editing.settle(warning, request.user, resolution)
        messages.success(request, f"已处理：{resolution}")
        nxt = access.visible_warnings(request.user).filter(plan=plan, settled_at__isnull=True).order_by("task__no", "id").first()
        return redirect("settle", nxt.pk) if nxt and request.POST.get("next") == "1" else redirect("review", plan.pk)
    units_by_kind = []
    if isinstance(form, PickUnitsForm):
        labels = dict(Unit.KIND_CHOICES)
        chosen = {str(v) for v in (form["units"].value() or [])}
        groups: dict[str, list] = {}
        for u in form.fields["units"].queryset:
            groups.setdefault(labels[u.kind], []).append({"unit": u, "checked": str(u.pk) in chosen})
        units_by_kind = list(groups.items())
    return render(request, "plans/settle.html", {"warning": warning, "plan": plan, "task": task, "form": form, "units_by_kind": units_by_kind})


# --- upload -------------------------------------------------------------------------------------


def _pending_token(token: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{64}", token):
        raise Http404
    return token


@login_required
def upload(request):
    """Receive the file and hand it to an import job (duban.plans.import_jobs); its page shows the progress."""
    require_editor(request.user)
    org = access.profile(request.user).org
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = import_jobs.enqueue(org, request.user, form.cleaned_data["file"], keep_unknown=form.cleaned_data["keep_unknown"])
        return redirect("import_job", job.pk)
    return render(request, "plans/upload.html", {"form": form, "recent": _recent_imports(request.user)})


@login_required
def upload_template(request):
    """The blank plan as .xlsx (duban.plans.template), titled for the coordinator's organisation and this year."""
    require_editor(request.user)
    org = access.profile(request.user).org
    data = template.build(f"{org.short_name}{clock.today().year}年政务公开工作要点分工方案")
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(True, template.FILE_NAME)
    return response


def _recent_imports(user):
    """The coordinator's last imports, so a job page left early can be found again."""
    return access.visible_import_jobs(user).select_related("plan")[:10]


@login_required
def import_job(request, job_id: int):
    """While the job runs: its steps and progress, the page refreshing itself every second. Once it is
    finished, what the upload answered when it still parsed in the request: the new plan (its review page
    if there is anything to settle), the plan a duplicate is of, the confirm page of a revision, or the
    upload form with the error or the units missing from the directory."""
    job = get_object_or_404(access.visible_import_jobs(request.user).select_related("plan"), pk=job_id)
    import_jobs.fail_if_gone(job)  # its worker ended (a restart): say so now, not after the stale rule
    # upload.js follows the upload's redirect to here with XMLHttpRequest, then opens the page itself: the
    # script is given the progress page, so that the messages below reach the page the user sees.
    if not job.finished or request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return _import_job_page(request, job)
    again = UploadForm(initial={"keep_unknown": job.keep_unknown})
    if job.status == ImportJob.FAILED:
        return render(request, "plans/upload.html", {"form": again, "job": job, "job_error": job.error}, status=400)
    if job.outcome == ImportJob.UNKNOWN_UNITS:
        unknown = dict(job.unknown)
        context = {"form": again, "job": job, "job_error": str(importing.UnknownUnits(unknown)), "unknown": unknown}
        return render(request, "plans/upload.html", context, status=400)
    if job.plan_id is None:  # the plan has been deleted since
        return _import_job_page(request, job)
    if job.outcome == ImportJob.REVISION:
        request.session[f"pending-{job.token}"] = {"filename": job.file_name, "keep_unknown": job.keep_unknown, "plan": job.plan_id}
        return redirect("upload_confirm", job.token)
    if job.outcome == ImportJob.DUPLICATE:
        messages.info(request, job.message)
        return redirect("plan", job.plan_id)
    messages.success(request, job.message)
    return redirect("review" if job.plan.plan_warnings.filter(settled_at__isnull=True).exists() else "plan", job.plan_id)


def _import_job_page(request, job: ImportJob):
    elapsed = int((timezone.now() - job.started_at).total_seconds()) if job.started_at and not job.finished else None
    response = render(request, "plans/import_job.html", {"job": job, "elapsed": elapsed})
    if not job.finished:
        response["Refresh"] = "1"
    return response


@login_required
def upload_confirm(request, token: str):
    """A revised plan: show what would change, apply only when the coordinator confirms."""
    require_editor(request.user)
    org = access.profile(request.user).org
    pending = request.session.get(f"pending-{_pending_token(token)}")
    try:
        data = import_jobs.read_pending(token) if pending else None
    except FileNotFoundError:
        data = None
    if data is None:
        messages.error(request, "待确认的文件已失效，请重新上传。")
        return redirect("upload")
    try:
        prep = importing.prepare(org, data, pending["filename"])
    except (IngestError, importing.ImportProblem) as exc:
        messages.error(request, f"无法导入：{exc}")
        return redirect("upload")
    if request.method == "POST":
        if request.POST.get("action") == "apply" and prep.status == "revision":
            try:
                plan = importing.apply(prep, request.user, keep_unknown=pending["keep_unknown"])
            except importing.UnknownUnits as exc:
                messages.error(request, str(exc))
                return redirect("upload")
            c = prep.diff.counts()
            messages.success(request, f"已按修订版更新《{plan.title}》：新增 {c['added']} 项、删除 {c['removed']} 项、修改 {c['changed']} 项。")
            target = redirect("plan", plan.pk)
        else:
            messages.info(request, "已取消，未作改动。")
            target = redirect("plans")
        import_jobs.delete_pending(token)
        request.session.pop(f"pending-{token}", None)
        return target
    if prep.status != "revision":
        import_jobs.delete_pending(token)
        messages.info(request, "文件与已导入的方案相同，未作改动。")
        return redirect("plans")
    alerts = [(t.no, a) for t in prep.diff.tasks for a in t.alerts]
    return render(
        request, "plans/upload_confirm.html",
        {"prep": prep, "diff": prep.diff, "plan": prep.existing, "counts": prep.diff.counts(), "token": token, "alerts": alerts},
    )


@require_POST
@login_required
def settle_quick(request, warning_id: int):
    """Mark a parser note as checked, from the review list."""
    require_editor(request.user)
    warning = get_object_or_404(access.visible_warnings(request.user), pk=warning_id, settled_at__isnull=True)
    editing.settle(warning, request.user, request.POST.get("resolution", "").strip() or "已核对")
    messages.success(request, "已标记为已核对。")
    return redirect(reverse("review", args=[warning.plan_id]) + f"#w{warning.pk}")


# --- putting a misread plan right: split, merge, add, delete, restore, renumber, move (duban.plans.structure) ---


def _editable_task(request, task_id: int, archived: bool = False) -> Task:
    """A task of the coordinator's organisation (in force, or archived with archived=True); anything else is a 404."""
    require_editor(request.user)
    qs = access.visible_tasks(request.user, with_archived=archived).select_related("plan", "plan__org", "section")
    if archived:
        qs = qs.filter(archived_at__isnull=False)
    return get_object_or_404(qs, pk=task_id)


def _structure_page(request, template_name: str, ctx: dict, status: int = 200):
    return render(request, f"plans/{template_name}", ctx, status=status)


def _apply_change(request, form, change, done):
    """Run one structural change; its StructureError becomes a form error (the page answers 400, nothing changed)."""
    try:
        result = change()
    except structure.StructureError as exc:
        form.add_error(None, str(exc))
        return None
    messages.success(request, done(result))
    return result


@login_required
def task_split(request, task_id: int):
    task = _editable_task(request, task_id)
    form = SplitForm(request.POST or None, task=task)
    if request.method == "POST" and form.is_valid():
        new = _apply_change(request, form, lambda: structure.split_task(
            task, request.user, form.cleaned_data["first_requirement"], form.new_values(), form.wanted_units(),
            form.cleaned_data["no"], form.cleaned_data["note"],
        ), lambda new: f"已将第{task.no}项拆分为两项：新任务为第{new.no}项。")
        if new is not None:
            return redirect("task", new.pk)
    ctx = {"task": task, "plan": task.plan, "form": form, "lead_chosen": form.chosen("lead_units"), "responsible_chosen": form.chosen("responsible_units")}
    return _structure_page(request, "task_split.html", ctx, 400 if request.method == "POST" else 200)


@login_required
def task_merge(request, task_id: int):
    task = _editable_task(request, task_id)
    form = MergeForm(request.POST or None, task=task)
    if request.method == "POST" and form.is_valid():
        other = form.cleaned_data["other"]
        done = _apply_change(request, form, lambda: structure.merge_tasks(task, other, request.user, form.cleaned_data["note"]),
                             lambda t: f"已将第{other.no}项并入第{t.no}项；第{other.no}项已归档，其各单位的报送仍可在该任务页查看。")
        if done is not None:
            return redirect("task", task.pk)
    return _structure_page(request, "task_merge.html", {"task": task, "plan": task.plan, "form": form}, 400 if request.method == "POST" else 200)


@login_required
def task_move(request, task_id: int):
    task = _editable_task(request, task_id)
    form = MoveForm(request.POST or None, task=task)
    if request.method == "POST" and form.is_valid():
        path = form.section_path()
        moved = _apply_change(request, form, lambda: structure.move_task(task, request.user, path, form.cleaned_data["note"]),
                              lambda moved: f"已将第{task.no}项移到“{' › '.join(path) or '（无）'}”。" if moved else "没有修改。")
        if moved is not None:
            return redirect("task", task.pk)
    return _structure_page(request, "task_move.html", {"task": task, "plan": task.plan, "form": form}, 400 if request.method == "POST" else 200)


@login_required
def task_renumber(request, task_id: int):
    task = _editable_task(request, task_id)
    form = RenumberForm(request.POST or None, initial={"new_no": task.no})
    if request.method == "POST" and form.is_valid():
        old, new_no = task.no, form.cleaned_data["new_no"]
        n = _apply_change(request, form, lambda: structure.renumber_task(task, request.user, new_no, form.cleaned_data["note"]),
                          lambda n: f"已将第{old}项改为第{new_no}项（共 {n} 项任务的序号有变动）。" if n else "没有修改。")
        if n is not None:
            return redirect("task", task.pk)
    return _structure_page(request, "task_renumber.html", {"task": task, "plan": task.plan, "form": form}, 400 if request.method == "POST" else 200)


@require_POST
@login_required
def task_delete(request, task_id: int):
    task = _editable_task(request, task_id)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"][:300] if form.is_valid() else ""
    try:
        structure.delete_task(task, request.user, reason)
    except structure.StructureError as exc:
        messages.error(request, str(exc))
        return redirect("task", task.pk)
    messages.success(request, f"已删除第{task.no}项（已归档，可恢复）：各单位的报送和记录都保留。")
    return redirect("task", task.pk)


@require_POST
@login_required
def task_restore(request, task_id: int):
    task = _editable_task(request, task_id, archived=True)
    form = RestoreForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("task", task.pk)
    try:
        structure.restore_task(task, request.user, form.cleaned_data["no"])
    except structure.StructureError as exc:
        messages.error(request, str(exc))
        return redirect("task", task.pk)
    task.refresh_from_db()
    messages.success(request, f"已恢复第{task.no}项，各单位原有的报送一并恢复。")
    return redirect("task", task.pk)


@login_required
def task_add(request, plan_id: int):
    require_editor(request.user)
    plan = get_object_or_404(access.visible_plans(request.user).select_related("org"), pk=plan_id)
    last = Task.objects.filter(plan=plan).order_by("-no").values_list("no", flat=True).first() or 0
    form = AddTaskForm(request.POST or None, plan=plan, initial={"no": last + 1, "deadline_kind": "date"})
    if request.method == "POST" and form.is_valid():
        task = _apply_change(request, form, lambda: structure.add_task(
            plan, request.user, form.new_values(), form.wanted_units(), form.cleaned_data["no"], form.section_path(), form.cleaned_data["note"],
        ), lambda t: f"已新增第{t.no}项。")
        if task is not None:
            return redirect("task", task.pk)
    ctx = {"plan": plan, "form": form, "lead_chosen": form.chosen("lead_units"), "responsible_chosen": form.chosen("responsible_units")}
    return _structure_page(request, "task_add.html", ctx, 400 if request.method == "POST" else 200)


@login_required
def plan_carry_over(request, plan_id: int):
    """回头看: list the previous plan's unfinished assignments; carry the ticked ones into this plan."""
    require_editor(request.user)
    plan = get_object_or_404(access.visible_plans(request.user), pk=plan_id)
    previous = carry_over.previous_plan(plan)
    candidates = list(carry_over.candidates(plan, previous))
    tasks = list(Task.objects.filter(plan=plan).order_by("no"))
    form = CarryOverForm(request.POST if request.method == "POST" else None, candidates=candidates, tasks=tasks)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            target = next((t for t in tasks if t.pk == form.cleaned_data["target"]), None)
            try:
                carried = carry_over.carry(plan, request.user, form.cleaned_data["a"], target, request=request)
            except carry_over.CarryError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"已结转 {len(carried)} 项上年未完成的任务分工。")
                return redirect("plan_carry_over", plan.pk)
        status = 400
    carried = (Assignment.objects.filter(task__plan=plan, carried_from__isnull=False)
               .select_related("task", "unit", "carried_from__task").order_by("task__no", "unit__sort_order"))
    ctx = {"plan": plan, "previous": previous, "candidates": candidates, "form": form, "carried": carried,
           "picked": {str(v) for v in form.data.getlist("a")} if form.is_bound else set()}
    return render(request, "plans/carry_over.html", ctx, status=status)


@require_POST
@login_required
def plan_renumber(request, plan_id: int):
    """按顺序重新编号: 1, 2, 3, … in the present order."""
    require_editor(request.user)
    plan = get_object_or_404(access.visible_plans(request.user), pk=plan_id)
    back = redirect(reverse("review", args=[plan.pk]) + "#tasks")
    try:
        if request.POST.get("action") == "one":  # 将第N项改为第M项
            form = PlanRenumberForm(request.POST)
            if not form.is_valid():
                messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
                return back
            old, new_no = form.cleaned_data["from_no"], form.cleaned_data["new_no"]
            task = Task.objects.filter(plan=plan, no=old).first()
            if task is None:
                messages.error(request, f"本方案没有第{old}项任务。")
                return back
            n = structure.renumber_task(task, request.user, new_no)
            messages.success(request, f"已将第{old}项改为第{new_no}项（共 {n} 项任务的序号有变动）。" if n else "没有修改。")
        else:
            n = structure.renumber_plan(plan, request.user)
            messages.success(request, f"已按顺序重新编号：{n} 项任务的序号有变动。" if n else "序号已是连续的，没有修改。")
    except structure.StructureError as exc:
        messages.error(request, str(exc))
    return back
