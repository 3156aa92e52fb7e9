"""The assignment lifecycle: the only code that changes an assignment's status.

    未开始 ──start──▶ 推进中 ──submit──▶ 已报送 ──accept──▶ 已办结
      └───────submit──────────────────▲   └──return_──▶ 退回 ──start/submit──▶ …

* start, submit: a liaison of the assigned unit.
* accept (with a grade), return_ (with a reason): the coordinator.
* A lead unit's report is accepted only with evidence (a link to the published page or an attachment).
* A task is done when every one of its assignments is accepted (task_done, with_done).

Each function runs in one transaction with the assignment row locked, so two clicks or two reviewers
cannot both win; it writes a StatusChange and the in-site notices (duban.notify.inbox) in the same transaction.
Anything the rules do not allow raises TransitionError (NotAllowed for the wrong person) with a
message for the user; the views turn it into a message or a 403, never a 500.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.urls import reverse

from duban.accounts.models import Profile
from duban.notify import inbox
from duban.notify.models import InboxMessage
from duban.plans import access
from duban.plans.models import LEAD, Assignment, Task
from duban.progress import evidence
from duban.progress.models import ACCEPTED, GRADE_CHOICES, PENDING, RETURNED, Attachment, EvidenceLink, Report, StatusChange, http_url
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
        _change(a, A.IN_PROGRESS, user, clock.now())
    return a


def submit(assignment: Assignment, user, draft: ReportDraft) -> Report:
    """推进中/未开始/退回 → 已报送, by a liaison of the unit, with a new report.

    Files are checked before anything is written; if anything fails after a file was stored,
    the stored files are removed and the transaction rolls back: no report row, no file."""
    if not access.can_report(user, assignment):
        raise NotAllowed("只有本单位的联络员可以报送进展。")
    text = (draft.text or "").strip()
    if not text:
        raise ValidationError("请填写进展情况。")
    links = [(u.strip(), (t or "").strip()[:200]) for u, t in draft.links if u and u.strip()]
    for url, _ in links:
        _check_link(url)
    checked = evidence.check_all(draft.files)
    stored: list[str] = []
    try:
        with transaction.atomic():
            a = _lock(assignment)
            _refuse_status(a, (A.NOT_STARTED, A.IN_PROGRESS, A.RETURNED), "报送")
            now = clock.now()
            report = Report.objects.create(assignment=a, text=text, published_on=draft.published_on, submitted_by=user, submitted_at=now, demo=draft.demo)
            EvidenceLink.objects.bulk_create(EvidenceLink(report=report, url=u, title=t) for u, t in links)
            for c in checked:
                att = Attachment(report=report, original_name=c.original_name, size=c.size, content_type=c.content_type, sha256=c.sha256)
                att.file.save("evidence", c.file, save=False)
                stored.append(att.file.name)
                att.save()
            _change(a, A.SUBMITTED, user, now, report=report)
            _notify_coordinators(a, report)
    except BaseException:
        _remove_files(stored)
        raise
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
        if a.role == LEAD and not (report.links.exists() or report.attachments.exists()):
            raise TransitionError("牵头单位的报送须附公开发布的链接或佐证材料，才能办结。请退回并要求补充。")
        now = clock.now()
        report.outcome, report.grade, report.review_note = ACCEPTED, grade, (note or "").strip()
        report.reviewed_by, report.reviewed_at = user, now
        report.save(update_fields=["outcome", "grade", "review_note", "reviewed_by", "reviewed_at"])
        _change(a, A.ACCEPTED, user, now, reason=report.review_note, report=report)
        _notify_liaisons(a, report, "accepted", "已通过（本单位已办结）", f"评价：{report.get_grade_display()}" + (f"。{report.review_note}" if report.review_note else ""))
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


# --- task done --------------------------------------------------------------------------------


def task_done(task: Task) -> bool:
    """Every assignment of the task is accepted (a task nobody is assigned to is not done)."""
    statuses = set(task.assignments.values_list("status", flat=True))
    return statuses == {A.ACCEPTED}


def with_done(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Annotate each task with `done`, the same rule as task_done() in one query."""
    own = Assignment.objects.filter(task=OuterRef("pk"))
    return tasks.annotate(done=ExpressionWrapper(Q(Exists(own)) & ~Q(Exists(own.exclude(status=A.ACCEPTED))), output_field=BooleanField()))


# --- notices ----------------------------------------------------------------------------------


def _link(a: Assignment) -> str:
    return reverse("assignment", args=[a.pk])


def _notify_coordinators(a: Assignment, report: Report) -> None:
    users = get_user_model().objects.filter(is_active=True, profile__org=a.task.plan.org_id, profile__role=Profile.COORDINATOR)
    subject = f"{a.unit.name}报送了第{a.task.no}项的进展"
    body = f"{a.task.plan.title} 第{a.task.no}项（{a.get_role_display()}）：{report.text[:200]}"
    inbox.deliver(users.values_list("pk", flat=True), subject, body, _link(a), kind=InboxMessage.REPORT,
                  assignment_ids=[a.pk], batch=f"progress:report:{report.pk}:submitted")


def _notify_liaisons(a: Assignment, report: Report, event: str, what: str, detail: str) -> None:
    """The unit's liaisons hear at once in their inbox (a unit without e-mail still hears of a return)."""
    users = get_user_model().objects.filter(is_active=True, profile__role=Profile.LIAISON, profile__unit=a.unit_id)
    subject = f"第{a.task.no}项的报送{what}"
    body = f"{a.task.plan.title} 第{a.task.no}项（{a.unit.name}，{a.get_role_display()}）。{detail}"
    kind = InboxMessage.RETURN if event == "returned" else InboxMessage.OTHER
    inbox.deliver(users.values_list("pk", flat=True), subject, body, _link(a), kind=kind,
                  assignment_ids=[a.pk], batch=f"progress:report:{report.pk}:{event}")
