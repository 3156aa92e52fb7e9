"""Pages of execution: an assignment with its reports, the review queue, the evidence download, and the
two dates people set (a task's event date, an assignment's due-date override).

Every object is fetched through duban.plans.access, so what a user may not see is a 404. What a user may
do is decided by duban.progress.lifecycle / dates (which ask access); their refusals become a 403 page
or a message here, never a 500."""
from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from duban.plans import access
from duban.plans.forms import IdField, QueryForm
from duban.plans.models import Assignment
from duban.progress import dates, lifecycle
from duban.progress.forms import AcceptForm, DueOverrideForm, EventDateForm, ReportForm, ReturnForm
from duban.progress.lifecycle import NotAllowed, TransitionError
from duban.progress.models import PENDING, RETURNED, Attachment, EvidenceLink


def _assignment(request, assignment_id: int, with_archived: bool = False) -> Assignment:
    """The assignment in force (archived ones, read-only, only for the page itself: with_archived)."""
    qs = access.visible_assignments(request.user, with_archived).select_related("unit", "task", "task__plan", "task__section", "archived_by")
    return get_object_or_404(qs, pk=assignment_id)


def denied(request, exc: Exception):
    return render(request, "progress/denied.html", {"message": str(exc)}, status=403)


def _errors(exc: ValidationError) -> str:
    return "；".join(exc.messages)


# --- the assignment page ------------------------------------------------------------------------


@login_required
def assignment_detail(request, assignment_id: int):
    return _page(request, _assignment(request, assignment_id, with_archived=True))


def _page(request, a: Assignment, status: int = 200, **forms):
    reports = list(
        a.reports.select_related("submitted_by", "reviewed_by").prefetch_related("links", "attachments").order_by("-submitted_at", "-id")
    )
    pending = next((r for r in reports if r.outcome == PENDING), None) if a.status == Assignment.SUBMITTED else None
    live = a.archived_at is None  # an archived assignment is history: nobody reports, reviews or reschedules it
    can_report = live and access.can_report(request.user, a)
    can_review = live and access.can_review(request.user)
    ctx = {
        "a": a,
        "task": a.task,
        "plan": a.task.plan,
        "reports": reports,
        "pending": pending,
        # The reason of the last return stays on top until the unit reports again.
        "last_return": reports[0] if reports and reports[0].outcome == RETURNED and a.status in (Assignment.RETURNED, Assignment.IN_PROGRESS) else None,
        "changes": a.status_changes.select_related("by").order_by("-at", "-id"),
        "can_report": can_report,
        "can_start": can_report and a.status in (Assignment.NOT_STARTED, Assignment.RETURNED),
        "can_submit": can_report and a.status in (Assignment.NOT_STARTED, Assignment.IN_PROGRESS, Assignment.RETURNED),
        "can_review": can_review and pending is not None,
        "can_override": can_review,
        "can_record_event": live and a.task.deadline_kind == "after_event" and access.can_record_event(request.user, a.task),
        "report_form": forms.get("report_form") or ReportForm(),
        "accept_form": forms.get("accept_form") or AcceptForm(),
        "return_form": forms.get("return_form") or ReturnForm(),
        "due_form": forms.get("due_form") or DueOverrideForm(assignment=a),
    }
    return render(request, "progress/assignment.html", ctx, status=status)


@require_POST
@login_required
def start(request, assignment_id: int):
    a = _assignment(request, assignment_id)
    try:
        lifecycle.start(a, request.user)
    except NotAllowed as exc:
        return denied(request, exc)
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已开始办理。")
    return redirect("assignment", a.pk)


@require_POST
@login_required
def submit(request, assignment_id: int):
    a = _assignment(request, assignment_id)
    if not access.can_report(request.user, a):
        return denied(request, "只有本单位的联络员可以报送进展。")
    form = ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, a, status=400, report_form=form)
    d = form.cleaned_data
    draft = lifecycle.ReportDraft(text=d["text"], published_on=d["published_on"], links=form.links(), files=d["files"])
    try:
        lifecycle.submit(a, request.user, draft)
    except NotAllowed as exc:
        return denied(request, exc)
    except TransitionError as exc:
        messages.error(request, str(exc))
        return redirect("assignment", a.pk)
    except ValidationError as exc:
        form.add_error(None, _errors(exc))
        return _page(request, a, status=400, report_form=form)
    messages.success(request, "已报送，等待区政府办公室审核。")
    return redirect("assignment", a.pk)


@require_POST
@login_required
def accept(request, assignment_id: int):
    a = _assignment(request, assignment_id)
    if not access.can_review(request.user):
        return denied(request, "只有协调人可以审核报送。")
    form = AcceptForm(request.POST)
    if not form.is_valid():
        return _page(request, a, status=400, accept_form=form)
    try:
        lifecycle.accept(a, request.user, form.cleaned_data["grade"], form.cleaned_data["note"])
    except (TransitionError, ValidationError) as exc:
        messages.error(request, _errors(exc) if isinstance(exc, ValidationError) else str(exc))
        return redirect("assignment", a.pk)
    messages.success(request, f"已通过：{a.unit.name} 第{a.task.no}项已办结。")
    return _after_review(request, a)


@require_POST
@login_required
def return_(request, assignment_id: int):
    a = _assignment(request, assignment_id)
    if not access.can_review(request.user):
        return denied(request, "只有协调人可以审核报送。")
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _page(request, a, status=400, return_form=form)
    try:
        lifecycle.return_(a, request.user, form.cleaned_data["reason"])
    except (TransitionError, ValidationError) as exc:
        messages.error(request, _errors(exc) if isinstance(exc, ValidationError) else str(exc))
        return redirect("assignment", a.pk)
    messages.success(request, f"已退回 {a.unit.name} 第{a.task.no}项的报送。")
    return _after_review(request, a)


def _after_review(request, a: Assignment):
    """Back to the queue if the coordinator came from it, else to the assignment."""
    if request.POST.get("from") == "queue":
        return redirect("review_queue")
    return redirect("assignment", a.pk)


@require_POST
@login_required
def override_due(request, assignment_id: int):
    a = _assignment(request, assignment_id)
    if not access.can_review(request.user):
        return denied(request, "只有协调人可以调整完成日期。")
    form = DueOverrideForm(request.POST, assignment=a)
    if not form.is_valid():
        return _page(request, a, status=400, due_form=form)
    try:
        warning = dates.override_due(a, request.user, form.day(), form.cleaned_data["reason"])
    except ValidationError as exc:
        form.add_error(None, _errors(exc))
        return _page(request, a, status=400, due_form=form)
    messages.success(request, "已调整完成日期。")
    if warning:
        messages.warning(request, warning)
    return redirect("assignment", a.pk)


# --- evidence -----------------------------------------------------------------------------------


@login_required
def download(request, attachment_id: int):
    att = get_object_or_404(access.visible_attachments(request.user), pk=attachment_id)
    try:
        fh = att.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件不存在") from None
    response = FileResponse(fh, as_attachment=True, filename=att.original_name, content_type=att.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- the review queue ---------------------------------------------------------------------------


class ReviewQueueFilterForm(QueryForm):
    plan = IdField(label="方案")
    unit = IdField(label="单位")


QUEUE_PAGE_SIZE = 50


def _count_of(model):
    """How many rows of `model` belong to the report of the outer query: a correlated subquery, so the
    queue needs no GROUP BY over every report's links and files."""
    rows = model.objects.filter(report=OuterRef("pk")).order_by().values("report").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows), 0)


@login_required
def review_queue(request):
    """Pending reports, oldest first, a page of 50 at a time; a fixed number of queries at any size."""
    if not access.can_review(request.user):
        return denied(request, "只有协调人可以审核报送。")
    pending = access.reports_to_review(request.user)
    f = ReviewQueueFilterForm(request.GET).valid()  # a bad id is ignored
    reports = pending
    if f["plan"]:
        reports = reports.filter(assignment__task__plan=f["plan"])
    if f["unit"]:
        reports = reports.filter(assignment__unit=f["unit"])
    reports = (
        reports.select_related("assignment", "assignment__unit", "assignment__task", "assignment__task__plan", "submitted_by")
        .annotate(n_links=_count_of(EvidenceLink), n_files=_count_of(Attachment))
        .order_by("submitted_at", "id")
    )
    page = Paginator(reports, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))  # a bad page is the first or last
    ctx = {
        "page": page,
        "reports": page.object_list,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1) if page.has_other_pages() else [],
        "query": urlencode({k: v for k, v in f.items() if v}),  # the filters, kept by the page links
        "filters": f,
        "plans": access.visible_plans(request.user),
        "units": access.visible_units(request.user).filter(pk__in=pending.values("assignment__unit")),
        "total": pending.count(),
    }
    return render(request, "progress/review_queue.html", ctx)


# --- a task's starting event --------------------------------------------------------------------


@login_required
def event_date(request, task_id: int):
    task = get_object_or_404(access.visible_tasks(request.user).select_related("plan"), pk=task_id)
    if not access.can_record_event(request.user, task):
        return denied(request, "只有协调人或该任务牵头单位的联络员可以录入起算事件日期。")
    form = EventDateForm(request.POST or None, initial={"event_date": task.event_date})
    if request.method == "POST" and form.is_valid():
        try:
            warning = dates.record_event_date(task, request.user, form.cleaned_data["event_date"])
        except TransitionError as exc:
            messages.error(request, str(exc))
            return redirect("task", task.pk)
        except ValidationError as exc:
            form.add_error("event_date", _errors(exc))
        else:
            messages.success(request, f"已录入第{task.no}项的{task.deadline_event or '起算事件'}日期。")
            if warning:
                messages.warning(request, warning)
            return redirect("task", task.pk)
    return render(request, "progress/event_date.html", {"task": task, "plan": task.plan, "form": form}, status=400 if form.errors else 200)
