"""Pages of execution: an assignment with its reports, the review queue, the evidence download, and the
two dates people set (a task's event date, an assignment's due-date override).

Every object is fetched through duban.plans.access, so what a user may not see is a 404. What a user may
do is decided by duban.progress.lifecycle / dates (which ask access); their refusals become a 403 page
or a message here, never a 500."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from duban import files
from duban.audit.events import record
from duban.audit.models import AuditEvent
from duban.documents.xlsx_docs import ListSheet
from duban.plans import access
from duban.plans.archiving import TASK_ARCHIVED
from duban.plans.forms import IdField, QueryForm
from duban.plans.models import ROLE_CHOICES, Assignment
from duban.progress import dates, lifecycle
from duban.assessment import figures
from duban.assessment.facts import top_sections
from duban.plans import deadlines
from duban.progress.forms import (
    LINK_ROWS, AcceptForm, DueOverrideForm, EventDateForm, ExemptForm, ExtensionDecisionForm, ExtensionForm, ReportForm, ReportScopeForm,
    ReturnForm,
)
from duban.progress.lifecycle import NotAllowed, TransitionError
from duban.progress.models import EXEMPTION, PENDING, RETURNED, Attachment, EvidenceLink, ExtensionRequest


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
    last_return = reports[0] if reports and reports[0].outcome == RETURNED and a.status in (Assignment.RETURNED, Assignment.IN_PROGRESS) else None
    extensions = list(a.extension_requests.select_related("requested_by", "coordinator", "leader"))
    open_extension = next((e for e in extensions if e.status in ExtensionRequest.OPEN), None)
    open_statuses = lifecycle.REPORTABLE
    # A recurring task: its periods with their windows and how each was reported; a report is filed into the current one.
    periods = figures.PeriodBook(deadlines.office_today()).periods([a])[a.pk] if a.task.deadline_kind in deadlines.PERIODIC_KINDS else []
    labels = {p.due: p.label for p in periods}
    for r in reports:
        r.period_label = labels.get(r.period_due) or (f"{r.period_due:%Y-%m-%d}" if r.period_due else "")
    ctx = {
        "periods": periods,
        "current_period": next((p for p in periods if p.due == a.due_date), None),
        "periods_missed": sum(1 for p in periods if p.state == figures.P_MISSED),
        "a": a,
        # archived along with its task (deleted on the page or dropped by a revision), not the unit taken off it
        "archived_with_task": not live and a.archived_reason == TASK_ARCHIVED and a.task.archived_at is not None,
        # 已结转至: the later plan's assignment this unfinished work was carried into (the other end of 结转自)
        "carried_to": list(access.visible_assignments(request.user, with_archived=True).filter(carried_from=a).select_related("task__plan").order_by("pk")),
        "task": a.task,
        "plan": a.task.plan,
        "reports": reports,
        "pending": pending,
        # The reason of the last return stays on top until the unit reports again.
        "last_return": last_return,
        "changes": a.status_changes.select_related("by").order_by("-at", "-id"),
        "can_report": can_report,
        "can_acknowledge": can_report and a.acknowledged_at is None,
        "can_start": can_report and a.status in (Assignment.NOT_STARTED, Assignment.RETURNED),
        "can_submit": can_report and a.status in open_statuses,
        # Before the period's reporting window opens the form gives way to when it opens (the lifecycle refuses too).
        "not_open_yet": can_report and a.status in open_statuses and lifecycle.not_open_yet(a, deadlines.office_today()),
        "can_review": can_review and pending is not None,
        "can_override": can_review,
        "can_record_event": live and a.task.deadline_kind == "after_event" and access.can_record_event(request.user, a.task),
        # A resubmission after a return starts from the returned report: its text and links, its files kept.
        "report_form": forms.get("report_form") or ReportForm(initial=_resubmission(last_return)),
        "keepable": list(last_return.attachments.all()) if last_return and last_return.kind != EXEMPTION else [],
        "exempt_form": forms.get("exempt_form") or ExemptForm(),
        "accept_form": forms.get("accept_form") or AcceptForm(),
        "return_form": forms.get("return_form") or ReturnForm(),
        "due_form": forms.get("due_form") or DueOverrideForm(assignment=a),
        "extensions": extensions,
        "open_extension": open_extension,
        "can_ask_extension": can_report and open_extension is None and a.status in open_statuses and a.due_date is not None
                             and deadlines.office_today() <= a.due_date,
        "can_decide_extension": live and open_extension is not None and access.can_decide_extension(request.user, a, open_extension.status),
        "extension_form": forms.get("extension_form") or ExtensionForm(),
        "decision_form": forms.get("decision_form") or ExtensionDecisionForm(),
    }
    return render(request, "progress/assignment.html", ctx, status=status)


def _form_action(request, a: Assignment, form, form_name: str, act, done: str):
    """A liaison's form on the assignment page, acted on by the lifecycle: a refusal as the page shows it
    (denied, a message, or the form again with the error), then ``done`` as the success message."""
    try:
        act()
    except NotAllowed as exc:
        return denied(request, exc)
    except TransitionError as exc:
        messages.error(request, str(exc))
        return redirect("assignment", a.pk)
    except ValidationError as exc:
        form.add_error(None, _errors(exc))
        return _page(request, a, status=400, **{form_name: form})
    messages.success(request, done)
    return redirect("assignment", a.pk)


def _resubmission(report) -> dict:
    if report is None or report.kind == EXEMPTION:
        return {}
    initial = {"text": report.text, "published_on": report.published_on}
    for i, link in enumerate(list(report.links.all())[:LINK_ROWS], start=1):
        initial[f"url_{i}"], initial[f"title_{i}"] = link.url, link.title
    return initial


def _kept_files(request, a: Assignment) -> list[Attachment]:
    """The earlier files the liaison ticked to keep: only ids of this assignment's own reports count."""
    ids = [int(v) for v in request.POST.getlist("keep") if v.isdigit() and len(v) < 12]
    return list(Attachment.objects.filter(report__assignment=a, pk__in=ids).select_related("report")) if ids else []


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
    draft = lifecycle.ReportDraft(text=d["text"], published_on=d["published_on"], links=form.links(), files=d["files"],
                                  keep=_kept_files(request, a))
    return _form_action(request, a, form, "report_form", lambda: lifecycle.submit(a, request.user, draft),
                        "已报送，等待区政府办公室审核。")


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
        response = files.download(att.file, as_attachment=True, filename=att.original_name, content_type=att.content_type)
    except FileNotFoundError:
        raise Http404("文件不存在") from None
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- the review queue ---------------------------------------------------------------------------


QUEUE_SORTS = [("submitted", "报送时间从早到晚"), ("-submitted", "报送时间从晚到早"), ("unit", "按单位"), ("task", "按任务序号"),
               ("due", "完成日期从早到晚")]
QUEUE_ORDER = {  # every order ends on the id: the same rows in the same order on every page and in the export
    "submitted": ("submitted_at", "id"),
    "-submitted": ("-submitted_at", "-id"),
    "unit": ("assignment__unit__sort_order", "assignment__unit_id", "submitted_at", "id"),
    "task": ("-assignment__task__plan__year", "assignment__task__plan_id", "assignment__task__no", "assignment__unit__sort_order",
             "assignment__unit_id", "id"),
    "due": (F("assignment__due_date").asc(nulls_last=True), "submitted_at", "id"),
}
DEFAULT_SORT = "submitted"
LATE, ON_TIME = "late", "on_time"


class ReviewQueueFilterForm(QueryForm):
    plan = IdField(label="方案")
    unit = IdField(label="单位")
    section = IdField(label="工作任务")  # a top-level section of the chosen plan (ignored without a plan)
    timing = forms.ChoiceField(label="时限", choices=[(LATE, "逾期报送"), (ON_TIME, "未逾期")], required=False)
    sort = forms.ChoiceField(label="排序", choices=QUEUE_SORTS, required=False)


QUEUE_PAGE_SIZE = 50


def _count_of(model):
    """How many rows of `model` belong to the report of the outer query: a correlated subquery, so the
    queue needs no GROUP BY over every report's links and files."""
    rows = model.objects.filter(report=OuterRef("pk")).order_by().values("report").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows), 0)


@dataclass
class Queue:
    """The review queue as filtered and sorted: the page and its export read the same rows."""

    reports: QuerySet  # every row, in order (not paged)
    filters: dict
    plans: list
    plan: object  # the chosen plan, one the user sees, or None
    sections: list[tuple[int, int, str]]  # (order, id, title) of the chosen plan's top-level sections

    @property
    def query(self) -> str:
        """The filters and the sort, urlencoded: kept by the page links and the export link."""
        return urlencode({k: v for k, v in self.filters.items() if v and not (k == "sort" and v == DEFAULT_SORT)})


def _queue(request) -> Queue:
    """Pending reports of the coordinator's organisation, filtered and sorted as asked; bad values are ignored.
    A fixed number of queries: the plans (for the selector), the chosen plan's sections, then the rows."""
    f = ReviewQueueFilterForm(request.GET).valid()  # a bad id or choice is ignored
    reports = access.reports_to_review(request.user)
    plans = list(access.visible_plans(request.user))
    plan = next((p for p in plans if p.pk == f["plan"]), None)
    if f["plan"]:
        reports = reports.filter(assignment__task__plan=f["plan"])
    if f["unit"]:
        reports = reports.filter(assignment__unit=f["unit"])
    sections = []
    if plan is not None:
        tops = top_sections(plan)  # section id -> its outermost heading, as the overview's 工作任务 filter
        sections = sorted({(t.order, t.pk, t.title) for t in tops.values()})
        if f["section"] and any(sid == f["section"] for _o, sid, _t in sections):
            reports = reports.filter(assignment__task__section__in=[sid for sid, top in tops.items() if top.pk == f["section"]])
        else:
            f["section"] = None
    else:
        f["section"] = None  # sections belong to a plan: without one the filter means nothing
    # 逾期报送: reported after the due date, by the office's day (figures.done_on_time's rule: accepted now, it would be 逾期办结)
    f["timing"] = f["timing"] or None
    late = Q(assignment__due_date__lt=TruncDate("submitted_at"))
    if f["timing"] == LATE:
        reports = reports.filter(late)
    elif f["timing"] == ON_TIME:
        reports = reports.filter(Q(assignment__due_date__isnull=True) | ~late)
    f["sort"] = f["sort"] or DEFAULT_SORT
    reports = (
        reports.select_related("assignment", "assignment__unit", "assignment__task", "assignment__task__plan", "submitted_by")
        .annotate(n_links=_count_of(EvidenceLink), n_files=_count_of(Attachment), submitted_on=TruncDate("submitted_at"))
        .order_by(*QUEUE_ORDER[f["sort"]])
    )
    return Queue(reports=reports, filters=f, plans=plans, plan=plan, sections=sections)


def _denied_review(request):
    return denied(request, "只有协调人可以审核报送。")


@login_required
def review_queue(request):
    """Pending reports, oldest first unless sorted otherwise, a page of 50 at a time; a fixed number of queries at any size."""
    if not access.can_review(request.user):
        return _denied_review(request)
    q = _queue(request)
    pending = access.reports_to_review(request.user)
    page = Paginator(q.reports, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))  # a bad page is the first or last
    ctx = {
        "page": page,
        "reports": page.object_list,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1) if page.has_other_pages() else [],
        "query": q.query,  # the filters, kept by the page links and the export
        "filters": q.filters,
        "plans": q.plans,
        "plan": q.plan,  # chosen: its sections, if any, are the 工作任务 filter; none, nothing to choose
        "sections": q.sections,
        "sorts": QUEUE_SORTS,
        "units": access.visible_units(request.user).filter(pk__in=pending.values("assignment__unit")),
        "total": pending.count(),
        "filtered": any(q.filters[k] for k in ("plan", "unit", "section", "timing")),
    }
    return render(request, "progress/review_queue.html", ctx)


# The .xlsx export of the queue: what it reads of each report, as plain values (a thousand reports as model
# instances — the report, its assignment, unit, task, plan and author — cost more than the whole workbook) …
QUEUE_VALUES = {
    "plan": F("assignment__task__plan__title"), "no": F("assignment__task__no"),
    "requirement": F("assignment__task__requirement"), "unit": F("assignment__unit__name"), "role": F("assignment__role"),
    "due_date": F("assignment__due_date"), "first_name": F("submitted_by__first_name"),
    "last_name": F("submitted_by__last_name"), "username": F("submitted_by__username"),
}
ROLE_LABELS = dict(ROLE_CHOICES)


def _author(r: dict) -> str:
    """The author as User.get_full_name() or the user name; "" for a deleted user."""
    if r["username"] is None:
        return ""
    return f"{r['first_name']} {r['last_name']}".strip() or r["username"]


# … and its columns: (header, value of such a row).
QUEUE_COLUMNS = [
    ("报送时间", lambda r: timezone.localtime(r["submitted_at"]).strftime("%Y-%m-%d %H:%M")),
    ("方案", lambda r: r["plan"]),
    ("序号", lambda r: r["no"]),
    ("具体要求", lambda r: r["requirement"]),
    ("单位", lambda r: r["unit"]),
    ("职责", lambda r: ROLE_LABELS.get(r["role"], r["role"])),
    ("类型", lambda r: "本单位不涉及" if r["kind"] == EXEMPTION else "进展报送"),
    ("完成日期", lambda r: r["due_date"].isoformat() if r["due_date"] else ""),
    ("逾期报送", lambda r: "是" if r["due_date"] and r["submitted_on"] > r["due_date"] else ""),
    ("进展情况", lambda r: r["text"]),
    ("链接", lambda r: r["n_links"]),
    ("附件", lambda r: r["n_files"]),
    ("报送人", _author),
]


@login_required
def review_queue_export(request):
    """The review queue as filtered and sorted on its page, every row (no paging), as an Excel workbook."""
    if not access.can_review(request.user):
        return _denied_review(request)
    q = _queue(request)
    sheet = ListSheet("待审核清单", [header for header, _value in QUEUE_COLUMNS])
    rows = 0
    values = q.reports.values("submitted_at", "kind", "text", "n_links", "n_files", "submitted_on", **QUEUE_VALUES)
    for r in values.iterator(chunk_size=2000):
        sheet.append([value(r) for _header, value in QUEUE_COLUMNS])
        rows += 1
    response = HttpResponse(sheet.save(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"{sheet.title}-{deadlines.office_today():%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    record(request, AuditEvent.EXPORT_DOWNLOAD, target=name, after={**{k: v for k, v in q.filters.items() if v}, "rows": rows})
    return response


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


# --- 签收 ---------------------------------------------------------------------------------------


@require_POST
@login_required
def acknowledge(request, assignment_id: int):
    a = _assignment(request, assignment_id)
    try:
        done = lifecycle.acknowledge(a, request.user)
    except NotAllowed as exc:
        return denied(request, exc)
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已签收第{a.task.no}项。" if done else f"第{a.task.no}项此前已签收。")
    if request.POST.get("from") == "unit":
        return redirect("unit", a.unit_id)
    return redirect("assignment", a.pk)


@require_POST
@login_required
def acknowledge_all(request, unit_id: int):
    unit = get_object_or_404(access.visible_units(request.user), pk=unit_id)
    try:
        n = lifecycle.acknowledge_all(request.user, unit.pk)
    except NotAllowed as exc:
        return denied(request, exc)
    messages.success(request, f"已签收 {n} 项任务。" if n else "没有待签收的任务。")
    return redirect("unit", unit.pk)


# --- 报一次: one report on several assignments -------------------------------------------------


def _own_unit(request, unit_id: int):
    """The liaison's own unit (404 for a unit not visible, None for a visible unit that is not theirs to report for)."""
    unit = get_object_or_404(access.visible_units(request.user), pk=unit_id)
    p = access.profile(request.user)
    return unit if p is not None and p.role == p.LIAISON and p.unit_id == unit.pk else None


@login_required
def batch_report(request, unit_id: int):
    """The liaison ticks several open assignments (on the unit page or here) and reports once on them all."""
    unit = _own_unit(request, unit_id)
    if unit is None:
        return denied(request, "只有本单位的联络员可以报送进展。")
    rows = list(
        access.visible_assignments(request.user).filter(unit=unit, status__in=lifecycle.REPORTABLE)
        .select_related("task", "task__plan").order_by(F("task__plan__year").desc(nulls_last=True), "task__plan_id", "task__no")
    )
    # A periodic task whose period's reporting window is not open yet is shown, not offered: the lifecycle would refuse it.
    waiting = lifecycle.not_open_yet_of(rows, deadlines.office_today())
    for a in rows:
        a.not_open_yet = waiting.get(a.pk)
    source = request.POST if request.method == "POST" else request.GET
    chosen = {int(v) for v in source.getlist("a") if v.isdigit() and len(v) < 12}
    form = ReportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        picked = [a for a in rows if a.pk in chosen]
        if form.is_valid() and not picked:
            form.add_error(None, "请至少选择一项任务。")
        if form.is_valid():
            d = form.cleaned_data
            draft = lifecycle.ReportDraft(text=d["text"], published_on=d["published_on"], links=form.links(), files=d["files"])
            try:
                reports = lifecycle.submit_many(picked, request.user, draft)
            except NotAllowed as exc:
                return denied(request, exc)
            except TransitionError as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                form.add_error(None, _errors(exc))
            else:
                nos = "、".join(f"第{r.assignment.task.no}项" for r in reports)
                messages.success(request, f"已报送 {len(reports)} 项（{nos}），等待区政府办公室审核。")
                return redirect("unit", unit.pk)
        status = 400
    offered = [a for a in rows if not a.not_open_yet]
    ctx = {"unit": unit, "rows": offered, "waiting": [a for a in rows if a.not_open_yet], "form": form,
           "chosen": chosen & {a.pk for a in offered}}  # none of them offered: every offered task in view, not folded
    return render(request, "progress/batch_report.html", ctx, status=status)


# --- 本单位不涉及 -------------------------------------------------------------------------------


@require_POST
@login_required
def exempt(request, assignment_id: int):
    a = _assignment(request, assignment_id)
    if not access.can_report(request.user, a):
        return denied(request, "只有本单位的联络员可以申请不涉及。")
    form = ExemptForm(request.POST)
    if not form.is_valid():
        return _page(request, a, status=400, exempt_form=form)
    return _form_action(request, a, form, "exempt_form", lambda: lifecycle.declare_exempt(a, request.user, form.cleaned_data["reason"]),
                        "已提交“本单位不涉及”，等待区政府办公室审核。")


@require_POST
@login_required
def approve_exempt(request, assignment_id: int):
    a = _assignment(request, assignment_id)
    if not access.can_review(request.user):
        return denied(request, "只有协调人可以审核报送。")
    try:
        lifecycle.approve_exemption(a, request.user, (request.POST.get("note") or "")[:1000])
    except TransitionError as exc:
        messages.error(request, str(exc))
        return redirect("assignment", a.pk)
    messages.success(request, f"已确认{a.unit.name}不涉及第{a.task.no}项，该项不再计入统计。")
    return _after_review(request, a)


# --- 延期申请 -----------------------------------------------------------------------------------


@require_POST
@login_required
def extension(request, assignment_id: int):
    a = _assignment(request, assignment_id)
    if not access.can_report(request.user, a):
        return denied(request, "只有本单位的联络员可以申请延期。")
    form = ExtensionForm(request.POST)
    if not form.is_valid():
        return _page(request, a, status=400, extension_form=form)
    d = form.cleaned_data
    return _form_action(request, a, form, "extension_form", lambda: lifecycle.request_extension(a, request.user, d["new_due"], d["reason"]),
                        "已提交延期申请，等待审批。")


@require_POST
@login_required
def extension_decide(request, assignment_id: int):
    a = _assignment(request, assignment_id)
    req = lifecycle.open_extension(a)
    if req is None:
        messages.error(request, "没有待审批的延期申请（可能已被他人处理）。")
        return redirect("assignment", a.pk)
    if not access.can_decide_extension(request.user, a, req.status):
        return denied(request, "您不能审批这项延期申请。")
    form = ExtensionDecisionForm(request.POST)
    if not form.is_valid():
        return _page(request, a, status=400, decision_form=form)
    try:
        req = lifecycle.decide_extension(a, request.user, form.cleaned_data["decision"] == "approve", form.cleaned_data["note"])
    except NotAllowed as exc:
        return denied(request, exc)
    except (TransitionError, ValidationError) as exc:
        messages.error(request, _errors(exc) if isinstance(exc, ValidationError) else str(exc))
        return redirect("assignment", a.pk)
    if req.status == ExtensionRequest.APPROVED:
        warning = dates.refresh(a.task)
        messages.success(request, f"已批准延期：{a.unit.name} 第{a.task.no}项的完成日期改为 {req.new_due:%Y-%m-%d}。")
        if warning:
            messages.warning(request, warning)
    elif req.status == ExtensionRequest.FORWARDED:
        messages.success(request, "已同意，待领导审批。")
    else:
        messages.success(request, "已不同意延期，理由已告知该单位。")
    return redirect("assignment", a.pk)


# --- who must report a task ---------------------------------------------------------------------


@require_POST
@login_required
def report_scope(request, task_id: int):
    task = get_object_or_404(access.visible_tasks(request.user).select_related("plan"), pk=task_id)
    if not access.can_review(request.user):
        return denied(request, "只有协调人可以设定报送范围。")
    form = ReportScopeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("task", task.pk)
    try:
        changed = lifecycle.set_report_scope(task, request.user, form.cleaned_data["scope"])
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"报送范围已设为“{task.get_report_scope_display()}”。" if changed else "报送范围没有变化。")
    return redirect("task", task.pk)


@require_POST
@login_required
def close_not_required(request, task_id: int):
    task = get_object_or_404(access.visible_tasks(request.user).select_related("plan"), pk=task_id)
    if not access.can_review(request.user):
        return denied(request, "只有协调人可以统一办结。")
    try:
        n = lifecycle.close_not_required(task, request.user, (request.POST.get("note") or "")[:300])
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已统一办结 {n} 个负责落实单位。" if n else "没有需要统一办结的单位。")
    return redirect("task", task.pk)
