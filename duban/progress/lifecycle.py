"""The assignment lifecycle: the only code that changes an assignment's status.

    未开始 ──start──▶ 推进中 ──submit──▶ 已报送 ──accept──▶ 已办结
      └───────submit──────────────────▲   └──return_──▶ 退回 ──start/submit──▶ …

* start, submit: a liaison of the assigned unit.
* accept (with a grade), return_ (with a reason): the coordinator.
* A lead unit's report is accepted only with evidence (a link to the published page or an attachment).
* A task is done when every one of its assignments is accepted or 不涉及 (task_done, with_done).

Issue 11 adds steps the 督办 platforms have, each here with the same locking:

* acknowledge / acknowledge_all (签收): a liaison acknowledges new work; starting or reporting does it too.
* submit_many (报一次): one report, the same text, links and files, on several of the unit's assignments —
  one Report per assignment, each with its own copy of every file, all in one transaction.
* declare_exempt (本单位不涉及): a report of kind "exemption" whose text is the reason; approve_exemption
  (the coordinator) → 不涉及, which no figure counts; return_() sends it back like any report.
* set_report_scope / close_not_required: the coordinator says only lead units report a task, then closes
  the other units' open assignments in one action.
* request_extension / decide_extension (延期申请): only an approval moves the due date (due_extended).

Each function runs in one transaction with the assignment row locked, so two clicks or two reviewers
cannot both win; it writes a StatusChange and the in-site notices (duban.notify.inbox) in the same transaction.
Anything the rules do not allow raises TransitionError (NotAllowed for the wrong person) with a
message for the user; the views turn it into a message or a 403, never a 500.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from duban.accounts.models import Profile
from duban.notify import events, inbox
from duban.notify.models import InboxMessage
from duban.plans import access, deadlines
from duban.plans.deadlines import PERIODIC_KINDS
from duban.plans.models import LEAD, RESPONSIBLE, Assignment, ChangeRecord, Task
from duban.progress import evidence
from duban.progress.models import (
    ACCEPTED, EXEMPTION, GRADE_CHOICES, PENDING, PROGRESS, RETURNED, Attachment, EvidenceLink, ExtensionRequest, Report, StatusChange, http_url,
)
from duban.workcal import clock

A = Assignment
STATUS_LABEL = dict(Assignment.STATUS_CHOICES)


class TransitionError(Exception):
    """A change the lifecycle does not allow now (e.g. accepting a report twice). The message is for the user."""


class NotAllowed(TransitionError):
    """The user's role does not allow this change at all."""


@dataclass
class ReportDraft:
    """What a liaison sends: text, the date of publication, links as (url, title), uploaded files."""

    text: str
    published_on: datetime.date | None = None
    links: list[tuple[str, str]] = field(default_factory=list)
    files: list = field(default_factory=list)
    demo: bool = False  # made by `duban replay_demo`, shown as 演示数据
    # Files of the unit's earlier reports on the same assignment to carry into this one (a resubmission
    # after a return keeps them): each is copied, so the new report owns its own file.
    keep: list[Attachment] = field(default_factory=list)


def _lock(assignment: Assignment) -> Assignment:
    """The assignment row, locked until the transaction ends (only that row: not its task, unit or plan)."""
    qs = Assignment.objects.select_for_update(of=("self",)).select_related("unit", "task", "task__plan")
    try:
        return qs.get(pk=assignment.pk)
    except Assignment.DoesNotExist:  # archived meanwhile: its unit has been taken off the task
        raise TransitionError("该单位已从任务中移除，不能再办理。") from None


def _change(a: Assignment, to: str, user, now, reason: str = "", report: Report | None = None) -> None:
    StatusChange.objects.create(assignment=a, report=report, from_status=a.status, to_status=to, by=user, at=now, reason=reason)
    a.status, a.status_changed_at = to, now
    fields = ["status", "status_changed_at"]
    if to == A.SUBMITTED:
        a.submitted_at = now
        fields.append("submitted_at")
    if to == A.ACCEPTED:
        a.accepted_at = now
        fields.append("accepted_at")
    a.save(update_fields=fields)


def _history(a: Assignment, user, now, action: str, reason: str = "") -> None:
    """A step that leaves the status as it is (签收, an extension request or decision), in the same log."""
    StatusChange.objects.create(assignment=a, from_status=a.status, to_status=a.status, by=user, at=now, reason=reason[:2000], action=action)


def _acknowledge(a: Assignment, user, now, reason: str = "", history: bool = True) -> bool:
    """Stamp the 签收. Starting or reporting acknowledges too (history=False: that change is its own record)."""
    if a.acknowledged_at is not None:
        return False
    a.acknowledged_at, a.acknowledged_by = now, user
    a.save(update_fields=["acknowledged_at", "acknowledged_by"])
    if history:
        _history(a, user, now, StatusChange.ACKNOWLEDGED, reason)
    return True


def _refuse_status(a: Assignment, allowed: tuple[str, ...], action: str) -> None:
    if a.status not in allowed:
        raise TransitionError(f"当前状态为“{STATUS_LABEL[a.status]}”，不能{action}。")


# --- the transitions --------------------------------------------------------------------------


def start(assignment: Assignment, user) -> Assignment:
    """未开始 (or 退回) → 推进中, by a liaison of the unit."""
    if not access.can_report(user, assignment):
        raise NotAllowed("只有本单位的联络员可以开始办理。")
    with transaction.atomic():
        a = _lock(assignment)
        _refuse_status(a, (A.NOT_STARTED, A.RETURNED), "开始办理")
        now = clock.now()
        _acknowledge(a, user, now, history=False)
        _change(a, A.IN_PROGRESS, user, now)
    return a


REPORTABLE = (A.NOT_STARTED, A.IN_PROGRESS, A.RETURNED)


def _day(d: datetime.date, today: datetime.date) -> str:
    return f"{d.month}月{d.day}日" if d.year == today.year else f"{d.year}年{d.month}月{d.day}日"


def window_opens(a: Assignment, calendar=None, rule=None) -> tuple[datetime.date, str] | None:
    """(the day the reporting window opens, the period's name) of the period a progress report of ``a`` is filed
    into (the one ending on its due date); ``rule`` is the plan's ReminderRule, read here when not given.

    None where there is no window: one-off work (a date, an event, no deadline), a due date the office moved by
    hand (调整 or an approved 延期: no longer the period's end), or a calendar that cannot tell."""
    if a.task.deadline_kind not in PERIODIC_KINDS or a.due_date is None or a.due_override or a.due_extended:
        return None
    from duban.reminders.models import ReminderRule
    from duban.workcal.services import get_calendar

    rule = rule or ReminderRule.for_plan(a.task.plan_id, create=False)
    every = deadlines.task_period(a.task, rule.report_period)
    if every is None or not deadlines.is_period_end(a.due_date, every, a.task.plan.year):
        return None
    opens = deadlines.period_window(a.due_date, calendar or get_calendar(), rule.period_opens, rule.period_grace)[0]
    return None if opens is None else (opens, deadlines.period_label(a.due_date, every))


def not_open_yet(a: Assignment, today: datetime.date, calendar=None, rule=None) -> str | None:
    """Why a progress report cannot be filed today, or None when it can.

    Before the window of its period opens (ReminderRule.period_opens working days before the period's end) a
    periodic task's report is refused, not counted early: the window is the plan's rule for when a period's work
    is reported, and the message says when it opens."""
    waiting = not_open_until(a, today, calendar, rule)
    return waiting[1] if waiting else None


def not_open_until(a: Assignment, today: datetime.date, calendar=None, rule=None) -> tuple[datetime.date, str] | None:
    """(the day the window opens, not_open_yet's message) while a report of ``a`` cannot be filed; else None."""
    window = window_opens(a, calendar, rule)
    if window is None or today >= window[0]:
        return None
    opens, label = window
    return opens, f"本期（{label}，截至{_day(a.due_date, today)}）报送窗口尚未开启，将于{_day(opens, today)}开启，届时再报送。"


def not_open_yet_of(assignments: list[Assignment], today: datetime.date) -> dict[int, str]:
    """not_open_yet of each of ``assignments`` that cannot be reported today, by assignment id: one calendar and
    one query for the plans' rules, whatever the number (the batch form and 报一次's refusal read it)."""
    periodic = [a for a in assignments if a.task.deadline_kind in PERIODIC_KINDS]
    if not periodic:
        return {}
    from duban.reminders.models import ReminderRule
    from duban.workcal.services import get_calendar

    calendar = get_calendar()
    rules = {r.plan_id: r for r in ReminderRule.objects.filter(plan_id__in={a.task.plan_id for a in periodic})}
    return {a.pk: why for a in periodic
            if (why := not_open_yet(a, today, calendar, rules.get(a.task.plan_id) or ReminderRule(plan_id=a.task.plan_id)))}


def _clean_draft(draft: ReportDraft, kind: str = PROGRESS) -> tuple[str, list[tuple[str, str]], list]:
    """The text, links and checked files of a draft, or ValidationError — before anything is written."""
    text = (draft.text or "").strip()
    if not text:
        raise ValidationError("请填写不涉及的理由。" if kind == EXEMPTION else "请填写进展情况。")
    links = [(u.strip(), (t or "").strip()[:200]) for u, t in draft.links if u and u.strip()]
    for url, _ in links:
        _check_link(url)
    checked = evidence.check_all(draft.files)
    if len(checked) + len(draft.keep) > evidence.MAX_FILES:
        raise ValidationError(f"每次报送最多 {evidence.MAX_FILES} 个附件，这次共 {len(checked) + len(draft.keep)} 个。")
    return text, links, checked


def _write_report(a: Assignment, user, now, kind: str, text: str, draft: ReportDraft, links, checked, stored: list[str]) -> Report:
    """Inside the caller's transaction, with `a` locked: the report, its links, its own copy of each file."""
    # A recurring task's report is filed into the period of the due date in force (the one it rolls from on acceptance).
    period_due = a.due_date if kind == PROGRESS and a.task.deadline_kind in PERIODIC_KINDS else None
    report = Report.objects.create(assignment=a, kind=kind, text=text, published_on=draft.published_on, submitted_by=user, submitted_at=now,
                                   demo=draft.demo, period_due=period_due)
    EvidenceLink.objects.bulk_create(EvidenceLink(report=report, url=u, title=t) for u, t in links)
    for c in checked:  # File.chunks() rewinds, so the same upload is saved again for each report
        att = Attachment(report=report, original_name=c.original_name, size=c.size, content_type=c.content_type, sha256=c.sha256)
        att.file.save("evidence", c.file, save=False)
        stored.append(att.file.name)
        att.save()
    for old in draft.keep:
        if old.report.assignment_id != a.pk:
            raise ValidationError("只能保留本任务以前报送的附件。")
        att = Attachment(report=report, original_name=old.original_name, size=old.size, content_type=old.content_type, sha256=old.sha256)
        try:
            with old.file.open("rb") as fh:
                att.file.save("evidence", fh, save=False)
        except FileNotFoundError:
            raise ValidationError(f"以前的附件“{old.original_name}”已找不到，请取消勾选后重新上传。") from None
        stored.append(att.file.name)
        att.save()
    _acknowledge(a, user, now, history=False)
    _change(a, A.SUBMITTED, user, now, report=report)
    _notify_coordinators(a, report)
    _emit("assignment.submitted", a, report, now)
    return report


def submit(assignment: Assignment, user, draft: ReportDraft, kind: str = PROGRESS) -> Report:
    """推进中/未开始/退回 → 已报送, by a liaison of the unit, with a new report.

    Files are checked before anything is written; if anything fails after a file was stored,
    the stored files are removed and the transaction rolls back: no report row, no file."""
    return submit_many([assignment], user, draft, kind)[0]


def submit_many(assignments: list[Assignment], user, draft: ReportDraft, kind: str = PROGRESS) -> list[Report]:
    """The same report on several assignments of the liaison's unit: one Report each, all or none.

    Every assignment must be the user's unit's and open for a report; otherwise nothing is written and the
    message names the tasks that are not. Rows are locked in id order, so two batches cannot deadlock."""
    assignments = list({a.pk: a for a in assignments}.values())
    if not assignments:
        raise ValidationError("请至少选择一项任务。")
    if not all(access.can_report(user, a) for a in assignments):
        raise NotAllowed("只有本单位的联络员可以报送进展。")
    text, links, checked = _clean_draft(draft, kind)
    if draft.keep and len(assignments) > 1:
        raise ValidationError("保留以前的附件只适用于单项报送。")
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = [_lock(a) for a in sorted(assignments, key=lambda a: a.pk)]
            closed = [a for a in locked if a.status not in REPORTABLE]
            if len(locked) == 1 and closed:
                _refuse_status(closed[0], REPORTABLE, "报送")
            if closed:
                nos = "、".join(f"第{a.task.no}项（{STATUS_LABEL[a.status]}）" for a in closed)
                raise TransitionError(f"{nos}当前不能报送，本次没有报送任何一项，请取消勾选后重试。")
            now = clock.now()
            if kind == PROGRESS:
                _refuse_early(locked, timezone.localdate(now))
            reports = [_write_report(a, user, now, kind, text, draft, links, checked, stored) for a in locked]
    except BaseException:
        _remove_files(stored)
        raise
    return reports


def _refuse_early(locked: list[Assignment], today: datetime.date) -> None:
    """ValidationError (the form keeps what was typed; the API answers 400) if a period's window is not open yet."""
    waiting = not_open_yet_of(locked, today)
    early = [(a, waiting[a.pk]) for a in locked if a.pk in waiting]
    if len(locked) == 1 and early:
        raise ValidationError(early[0][1])
    if early:
        raise ValidationError("".join(f"第{a.task.no}项：{why}" for a, why in early) + "本次没有报送任何一项，请取消勾选后重试。")


def declare_exempt(assignment: Assignment, user, reason: str) -> Report:
    """本单位不涉及: a report whose text is the reason, for the coordinator to approve or return."""
    return submit(assignment, user, ReportDraft(text=reason), kind=EXEMPTION)


def approve_exemption(assignment: Assignment, user, note: str = "") -> Report:
    """已报送 (a 不涉及 declaration) → 不涉及, by the coordinator; the assignment leaves every figure."""
    if not access.can_review(user):
        raise NotAllowed("只有协调人可以审核报送。")
    with transaction.atomic():
        a = _lock(assignment)
        _refuse_status(a, (A.SUBMITTED,), "确认不涉及")
        report = _pending_report(a)
        if report.kind != EXEMPTION:
            raise TransitionError("这是进展报送，不是“本单位不涉及”的申请，请用“通过”或“退回”审核。")
        now = clock.now()
        report.outcome, report.review_note, report.reviewed_by, report.reviewed_at = ACCEPTED, (note or "").strip(), user, now
        report.save(update_fields=["outcome", "review_note", "reviewed_by", "reviewed_at"])
        _change(a, A.EXEMPT, user, now, reason=report.review_note or "同意本单位不涉及", report=report)
        _notify_liaisons(a, report, "exempt", "已确认本单位不涉及", report.review_note or "该项不再计入统计。")
    return report


def accept(assignment: Assignment, user, grade: str, note: str = "") -> Report:
    """已报送 → 已办结, by the coordinator, grading the pending report."""
    if not access.can_review(user):
        raise NotAllowed("只有协调人可以审核报送。")
    if grade not in dict(GRADE_CHOICES):
        raise ValidationError("请选择评价：优、良、中或差。")
    with transaction.atomic():
        a = _lock(assignment)
        _refuse_status(a, (A.SUBMITTED,), "办结")
        report = _pending_report(a)
        if report.kind == EXEMPTION:
            raise TransitionError("这是“本单位不涉及”的申请：请用“同意不涉及”或“退回”审核。")
        if a.role == LEAD and not (report.links.exists() or report.attachments.exists()):
            raise TransitionError("牵头单位的报送须附公开发布的链接或佐证材料，才能办结。请退回并要求补充。")
        now = clock.now()
        report.outcome, report.grade, report.review_note = ACCEPTED, grade, (note or "").strip()
        report.reviewed_by, report.reviewed_at = user, now
        report.save(update_fields=["outcome", "grade", "review_note", "reviewed_by", "reviewed_at"])
        _change(a, A.ACCEPTED, user, now, reason=report.review_note, report=report)
        _notify_liaisons(a, report, "accepted", "已通过（本单位已办结）", f"评价：{report.get_grade_display()}" + (f"。{report.review_note}" if report.review_note else ""))
        _emit("assignment.accepted", a, report, now)
    return report


def return_(assignment: Assignment, user, reason: str) -> Report:
    """已报送 → 退回, by the coordinator, with the reason the unit will read."""
    if not access.can_review(user):
        raise NotAllowed("只有协调人可以审核报送。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写退回理由。")
    with transaction.atomic():
        a = _lock(assignment)
        _refuse_status(a, (A.SUBMITTED,), "退回")
        report = _pending_report(a)
        now = clock.now()
        report.outcome, report.review_note, report.reviewed_by, report.reviewed_at = RETURNED, reason, user, now
        report.save(update_fields=["outcome", "review_note", "reviewed_by", "reviewed_at"])
        _change(a, A.RETURNED, user, now, reason=reason, report=report)
        _notify_liaisons(a, report, "returned", "被退回", f"退回理由：{reason}")
        _emit("assignment.returned", a, report, now)
    return report


def _check_link(url: str) -> None:
    try:
        if len(url) > 1000:
            raise ValidationError("too long")
        http_url(url)
    except ValidationError:
        raise ValidationError(f"“{url[:100]}”不是有效的网址：请填写以 http:// 或 https:// 开头的完整网址。") from None


def _pending_report(a: Assignment) -> Report:
    report = a.reports.filter(outcome=PENDING).order_by("-submitted_at", "-id").first()
    if report is None:  # only if data was changed by hand
        raise TransitionError("没有待审核的报送。")
    return report


def _remove_files(names: list[str]) -> None:
    storage = Attachment._meta.get_field("file").storage
    for name in names:
        storage.delete(name)


# --- 签收 -----------------------------------------------------------------------------------


def acknowledge(assignment: Assignment, user) -> bool:
    """签收 one assignment, by a liaison of the unit. False if it was acknowledged already (a second click)."""
    if not access.can_report(user, assignment):
        raise NotAllowed("只有本单位的联络员可以签收。")
    with transaction.atomic():
        a = _lock(assignment)
        return _acknowledge(a, user, clock.now())


def acknowledge_all(user, unit_id: int) -> int:
    """签收 every assignment in force of the liaison's unit not yet acknowledged. Returns how many."""
    p = access.profile(user)
    if p is None or p.role != Profile.LIAISON or p.unit_id != unit_id:
        raise NotAllowed("只有本单位的联络员可以签收。")
    with transaction.atomic():
        rows = list(access.visible_assignments(user).filter(acknowledged_at__isnull=True)
                    .select_for_update(of=("self",)).order_by("pk"))
        now = clock.now()
        return sum(_acknowledge(a, user, now, "全部签收") for a in rows)


# --- who must report ----------------------------------------------------------------------------


def set_report_scope(task: Task, user, scope: str) -> bool:
    """The coordinator chooses who reports on a task: every unit, or lead units only. Recorded in the task's history."""
    if not access.can_review(user):
        raise NotAllowed("只有协调人可以设定报送范围。")
    labels = dict(Task.REPORT_SCOPE_CHOICES)
    if scope not in labels:
        raise ValidationError("请选择报送范围。")
    with transaction.atomic():
        t = Task.objects.select_for_update().filter(pk=task.pk, plan__org=access.profile(user).org_id).first()
        if t is None:
            raise TransitionError("任务已删除（归档），不能设定报送范围。")
        if t.report_scope == scope:
            return False
        ChangeRecord.objects.create(plan_id=t.plan_id, task=t, task_no=t.no, user=user, object_type="task", object_id=str(t.pk),
                                    field="报送范围", before=labels[t.report_scope], after=labels[scope])
        t.report_scope = scope
        t.save(update_fields=["report_scope"])
    task.report_scope = scope
    return True


def closable(task: Task) -> QuerySet[Assignment]:
    """The open assignments of units 负责落实 that the task's text covers only by a group phrase (区政府各办、局,
    各街道办事处): a unit named in the units text, by its name or an alias, is not among them."""
    from duban.directory.models import UnitAlias

    rows = Assignment.objects.filter(task=task, role=RESPONSIBLE, status__in=REPORTABLE).select_related("unit")
    text = task.units_text or ""
    aliases: dict[int, list[str]] = {}
    for unit_id, alias in UnitAlias.objects.filter(unit__in=rows.values("unit")).values_list("unit", "alias"):
        aliases.setdefault(unit_id, []).append(alias)
    named = [a.pk for a in rows if any(n and n in text for n in [a.unit.name, *aliases.get(a.unit_id, [])])]
    return rows.exclude(pk__in=named)


def close_not_required(task: Task, user, note: str = "") -> int:
    """For a task only its lead units report on: the open assignments of the units covered only by a group
    phrase → 已办结, in one action. Work already submitted is left for review. Returns how many were closed."""
    if not access.can_review(user):
        raise NotAllowed("只有协调人可以统一办结。")
    if task.report_scope != Task.REPORT_LEAD:
        raise TransitionError("只有“仅牵头单位报送”的任务才能统一办结负责落实单位。")
    reason = "仅牵头单位报送，按单位组负责落实的单位由协调人统一办结" + (f"：{note.strip()}" if note and note.strip() else "")
    with transaction.atomic():
        ids = list(closable(task).filter(task__plan__org=access.profile(user).org_id).values_list("pk", flat=True))
        rows = list(Assignment.objects.filter(pk__in=ids, status__in=REPORTABLE).select_for_update(of=("self",)).order_by("pk"))
        now = clock.now()
        for a in rows:
            _change(a, A.ACCEPTED, user, now, reason=reason[:2000])
    return len(rows)


# --- 延期申请 -----------------------------------------------------------------------------------


def leader_approval_required() -> bool:
    return bool(getattr(settings, "DUBAN_EXTENSION_LEADER_APPROVAL", False))


def open_extension(a: Assignment) -> ExtensionRequest | None:
    return a.extension_requests.filter(status__in=ExtensionRequest.OPEN).order_by("-requested_at", "-id").first()


def request_extension(assignment: Assignment, user, new_due: datetime.date | None, reason: str) -> ExtensionRequest:
    """A liaison asks, on or before the due date, for a later one. One open request per assignment."""
    if not access.can_report(user, assignment):
        raise NotAllowed("只有本单位的联络员可以申请延期。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写延期理由。")
    if new_due is None:
        raise ValidationError("请填写申请延至的日期。")
    from duban.plans.deadlines import office_today

    today = office_today()
    with transaction.atomic():
        a = _lock(assignment)
        _refuse_status(a, REPORTABLE, "申请延期")
        if a.due_date is None:
            raise TransitionError("该项还没有完成日期，无需申请延期。")
        if today > a.due_date:
            raise TransitionError(f"完成日期（{a.due_date:%Y-%m-%d}）已过，不能再申请延期，请尽快报送或联系区政府办公室。")
        if new_due <= a.due_date:
            raise ValidationError(f"申请延至的日期须晚于现在的完成日期（{a.due_date:%Y-%m-%d}）。")
        if (new_due - a.due_date).days > 366:
            raise ValidationError("一次最多申请延期一年。")
        if ExtensionRequest.objects.filter(assignment=a, status__in=ExtensionRequest.OPEN).exists():
            raise TransitionError("已有一项延期申请在审批中，请等待审批结果。")
        now = clock.now()
        req = ExtensionRequest.objects.create(assignment=a, old_due=a.due_date, new_due=new_due, reason=reason[:2000], requested_by=user, requested_at=now)
        _history(a, user, now, StatusChange.EXTENSION_ASKED, f"申请由 {a.due_date:%Y-%m-%d} 延至 {new_due:%Y-%m-%d}：{reason}")
        _notify_office(a, f"{a.unit.name}申请第{a.task.no}项延期", f"由 {a.due_date:%Y-%m-%d} 延至 {new_due:%Y-%m-%d}。理由：{reason[:200]}",
                       f"progress:extension:{req.pk}:asked", Profile.COORDINATOR)
    return req


def decide_extension(assignment: Assignment, user, approve: bool, note: str = "") -> ExtensionRequest:
    """The coordinator approves or rejects the open request (with DUBAN_EXTENSION_LEADER_APPROVAL, the
    coordinator's approval passes it to a leader, whose approval decides). An approval — never an edit —
    moves the due date: Assignment.due_extended, which the coordinator's override form does not clear."""
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError("请填写不同意延期的理由。")
    with transaction.atomic():
        a = _lock(assignment)
        req = ExtensionRequest.objects.select_for_update().filter(assignment=a, status__in=ExtensionRequest.OPEN).first()
        if req is None:
            raise TransitionError("没有待审批的延期申请（可能已被他人处理）。")
        if not access.can_decide_extension(user, a, req.status):
            raise NotAllowed("您不能审批这项延期申请。")
        now = clock.now()
        by_leader = req.status == ExtensionRequest.FORWARDED
        if by_leader:
            req.leader, req.leader_at = user, now
        else:
            req.coordinator, req.coordinator_at = user, now
        req.note = "\n".join(x for x in (req.note, note) if x)[:2000]
        what = f"由 {req.old_due:%Y-%m-%d} 延至 {req.new_due:%Y-%m-%d}"
        if not approve:
            req.status = ExtensionRequest.REJECTED
            _history(a, user, now, StatusChange.EXTENSION_REJECTED, f"不同意{what}：{note}")
            _notify_unit(a, f"第{a.task.no}项的延期申请未获批准", f"{what}未获批准。理由：{note}", f"progress:extension:{req.pk}:rejected")
        elif not by_leader and leader_approval_required():
            req.status = ExtensionRequest.FORWARDED
            _history(a, user, now, StatusChange.EXTENSION_FORWARDED, f"协调人同意{what}，待领导审批" + (f"：{note}" if note else ""))
            _notify_office(a, f"{a.unit.name}第{a.task.no}项的延期申请待您审批", what, f"progress:extension:{req.pk}:forwarded", Profile.LEADER)
        else:
            req.status = ExtensionRequest.APPROVED
            _apply_extension(a, req, user, now)
            _history(a, user, now, StatusChange.EXTENSION_APPROVED, f"批准{what}" + (f"：{note}" if note else ""))
            _notify_unit(a, f"第{a.task.no}项的延期申请已批准", f"完成日期{what}。", f"progress:extension:{req.pk}:approved")
        req.save()
    return req


def _apply_extension(a: Assignment, req: ExtensionRequest, user, now) -> None:
    before = a.due_date
    ChangeRecord.objects.create(
        plan_id=a.task.plan_id, task=a.task, task_no=a.task.no, user=user, object_type="assignment", object_id=str(a.pk),
        field=f"完成日期：{a.unit.name}", before=before.isoformat() if before else "", after=req.new_due.isoformat(),
        note=f"批准延期申请：{req.reason}"[:300],
    )
    # The approval is the date in force: a manual override set before it gives way (it is in the history).
    a.due_extended, a.due_date, a.due_override, a.due_override_reason = req.new_due, req.new_due, None, ""
    a.save(update_fields=["due_extended", "due_date", "due_override", "due_override_reason"])


# --- task done --------------------------------------------------------------------------------


def task_done(task: Task) -> bool:
    """Every assignment of the task is accepted or 不涉及, one at least accepted (a task nobody is assigned to
    is not done)."""
    statuses = set(task.assignments.values_list("status", flat=True))
    return A.ACCEPTED in statuses and statuses <= {A.ACCEPTED, A.EXEMPT}


def with_done(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Annotate each task with `done`, the same rule as task_done() in one query."""
    own = Assignment.objects.filter(task=OuterRef("pk"))
    done = Q(Exists(own.filter(status=A.ACCEPTED))) & ~Q(Exists(own.exclude(status__in=[A.ACCEPTED, A.EXEMPT])))
    return tasks.annotate(done=ExpressionWrapper(done, output_field=BooleanField()))


# --- notices ----------------------------------------------------------------------------------


def _link(a: Assignment) -> str:
    return reverse("assignment", args=[a.pk])


def _notify_coordinators(a: Assignment, report: Report) -> None:
    users = get_user_model().objects.filter(is_active=True, profile__org=a.task.plan.org_id, profile__role=Profile.COORDINATOR)
    subject = f"{a.unit.name}报送了第{a.task.no}项的进展"
    body = f"{a.task.plan.title} 第{a.task.no}项（{a.get_role_display()}）：{report.text[:200]}"
    inbox.deliver(users.values_list("pk", flat=True), subject, body, _link(a), kind=InboxMessage.REPORT,
                  assignment_ids=[a.pk], batch=f"progress:report:{report.pk}:submitted")


def _emit(event: str, a: Assignment, report: Report, now) -> None:
    """The outgoing webhook (duban.notify.events), queued in this transaction: one per report and event."""
    plan = a.task.plan
    events.emit(event, plan.org_id, f"report:{report.pk}", {
        "assignment": {"id": a.pk, "role": a.role, "status": a.status, "due_date": a.due_date},
        "task": {"id": a.task_id, "no": a.task.no}, "plan": {"id": plan.pk, "title": plan.title},
        "unit": {"id": a.unit_id, "name": a.unit.name},
        "report": {"id": report.pk, "kind": report.kind, "outcome": report.outcome, "grade": report.grade,
                   "review_note": report.review_note, "submitted_at": report.submitted_at},
    }, occurred_at=now)


def _notify_liaisons(a: Assignment, report: Report, event: str, what: str, detail: str) -> None:
    """The unit's liaisons hear at once in their inbox (a unit without e-mail still hears of a return)."""
    users = get_user_model().objects.filter(is_active=True, profile__role=Profile.LIAISON, profile__unit=a.unit_id)
    subject = f"第{a.task.no}项的报送{what}"
    body = f"{a.task.plan.title} 第{a.task.no}项（{a.unit.name}，{a.get_role_display()}）。{detail}"
    kind = InboxMessage.RETURN if event == "returned" else InboxMessage.OTHER
    inbox.deliver(users.values_list("pk", flat=True), subject, body, _link(a), kind=kind,
                  assignment_ids=[a.pk], batch=f"progress:report:{report.pk}:{event}")


def _notify_office(a: Assignment, subject: str, body: str, key: str, role: str) -> None:
    users = get_user_model().objects.filter(is_active=True, profile__org=a.task.plan.org_id, profile__role=role)
    inbox.deliver(users.values_list("pk", flat=True), subject, f"{a.task.plan.title} 第{a.task.no}项：{body}", _link(a),
                  assignment_ids=[a.pk], batch=key)


def _notify_unit(a: Assignment, subject: str, body: str, key: str) -> None:
    users = get_user_model().objects.filter(is_active=True, profile__role=Profile.LIAISON, profile__unit=a.unit_id)
    inbox.deliver(users.values_list("pk", flat=True), subject, f"{a.task.plan.title} 第{a.task.no}项（{a.unit.name}）：{body}", _link(a),
                  assignment_ids=[a.pk], batch=key)
