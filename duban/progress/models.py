"""What a unit reports on an assignment, how the office reviewed it, and every change of the assignment's status.

A Report is one submission: text, the date the information was published, evidence links and attachments.
The coordinator accepts it (with a grade for the yearly assessment) or returns it with a reason; the
assignment's status follows (see duban.progress.lifecycle, the only code that changes it).
"""
from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone

from duban.plans.models import Assignment

PENDING, ACCEPTED, RETURNED = "pending", "accepted", "returned"
OUTCOME_CHOICES = [(PENDING, "待审核"), (ACCEPTED, "已通过"), (RETURNED, "已退回")]

GRADE_CHOICES = [("excellent", "优"), ("good", "良"), ("fair", "中"), ("poor", "差")]

http_url = URLValidator(schemes=["http", "https"], message="请填写以 http:// 或 https:// 开头的完整网址。")


def evidence_upload_to(attachment: "Attachment", filename: str) -> str:
    """evidence/<yyyy>/<mm>/<random>: the name a user gave the file never reaches the disk."""
    now = timezone.localtime()
    return f"evidence/{now:%Y}/{now:%m}/{secrets.token_hex(16)}"


PROGRESS, EXEMPTION = "progress", "exemption"
KIND_CHOICES = [(PROGRESS, "进展报送"), (EXEMPTION, "本单位不涉及")]


class Report(models.Model):
    # PROTECT: a unit's work is never lost with its assignment; assignments are archived (duban.plans.archiving)
    # and purged only with `duban purge_archived`, which deletes the reports first.
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="reports", verbose_name="任务分工")
    # A progress report, or a declaration that the task does not concern the unit (text = the reason);
    # the coordinator approves the latter (assignment → 不涉及) or returns it like a report.
    kind = models.CharField("类型", max_length=10, choices=KIND_CHOICES, default=PROGRESS)
    text = models.TextField("进展情况")
    published_on = models.DateField("公开发布日期", null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="报送人")
    submitted_at = models.DateTimeField("报送时间", default=timezone.now)
    outcome = models.CharField("审核结果", max_length=10, choices=OUTCOME_CHOICES, default=PENDING, db_index=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="审核人")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_note = models.TextField("审核意见", blank=True)
    grade = models.CharField("评价", max_length=10, choices=GRADE_CHOICES, blank=True)
    # Made by `duban replay_demo` for a demo or training instance, never by a person: shown as 演示数据.
    demo = models.BooleanField("演示数据", default=False)
    # The reporting period a report of a recurring task (每季度, 长期坚持 …) is filed into: the period's due date
    # (its last day, duban.plans.deadlines.period_label names it). None for a task with one due date.
    period_due = models.DateField("报送周期（期末）", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "进展报送"
        ordering = ["-submitted_at", "-id"]
        # The pending reports of given assignments (the review queue, its 待审核 count): only those still to review
        # are in it, so it stays small however many reviewed reports the years leave.
        indexes = [models.Index(fields=["assignment"], condition=models.Q(outcome="pending"), name="report_pending")]

    def __str__(self) -> str:
        return f"{self.assignment} {self.submitted_at:%Y-%m-%d} {self.get_outcome_display()}"


class EvidenceLink(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="links", verbose_name="报送")
    url = models.CharField("网址", max_length=1000, validators=[http_url])
    title = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "佐证链接"
        ordering = ["report", "id"]

    def __str__(self) -> str:
        return self.title or self.url


class Attachment(models.Model):
    """A file kept in the default storage (outside the web root, or a private bucket), served only by the download view."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments", verbose_name="报送")
    file = models.FileField("文件", upload_to=evidence_upload_to, max_length=200)
    original_name = models.CharField("原文件名", max_length=255)
    size = models.BigIntegerField("大小（字节）")
    content_type = models.CharField("类型", max_length=100)
    sha256 = models.CharField("SHA-256", max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "佐证附件"
        ordering = ["report", "id"]

    def __str__(self) -> str:
        return self.original_name


class StatusChange(models.Model):
    """One transition of an assignment's status: from, to, by whom, when, why."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="status_changes", verbose_name="任务分工")
    report = models.ForeignKey(Report, on_delete=models.SET_NULL, null=True, blank=True, related_name="status_changes", verbose_name="报送")
    from_status = models.CharField("原状态", max_length=20, choices=Assignment.STATUS_CHOICES)
    to_status = models.CharField("新状态", max_length=20, choices=Assignment.STATUS_CHOICES)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="操作人")
    at = models.DateTimeField("时间", default=timezone.now)
    reason = models.TextField("理由", blank=True)
    # A step of the history that does not change the status (from_status == to_status): 签收, an extension
    # request and its decision. Empty for a change of status.
    ACKNOWLEDGED, EXTENSION_ASKED, EXTENSION_APPROVED, EXTENSION_REJECTED, EXTENSION_FORWARDED = (
        "acknowledged", "ext_asked", "ext_approved", "ext_rejected", "ext_forwarded")
    ACTION_CHOICES = [("", "状态变更"), (ACKNOWLEDGED, "签收"), (EXTENSION_ASKED, "申请延期"), (EXTENSION_FORWARDED, "延期申请待领导审批"),
                      (EXTENSION_APPROVED, "批准延期"), (EXTENSION_REJECTED, "不同意延期")]
    action = models.CharField("事项", max_length=20, choices=ACTION_CHOICES, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "状态变更记录"
        ordering = ["assignment", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class ExtensionRequest(models.Model):
    """延期申请: a unit asks, before its due date, for a later one with a reason. The coordinator decides
    (and, with DUBAN_EXTENSION_LEADER_APPROVAL on, a leader after the coordinator); only an approval moves
    the assignment's due date (Assignment.due_extended). Never deleted: it is the record of the decision."""

    PENDING, FORWARDED, APPROVED, REJECTED = "pending", "forwarded", "approved", "rejected"
    STATUS_CHOICES = [(PENDING, "待审批"), (FORWARDED, "待领导审批"), (APPROVED, "已批准"), (REJECTED, "未批准")]
    OPEN = (PENDING, FORWARDED)

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="extension_requests", verbose_name="任务分工")
    old_due = models.DateField("原完成日期")
    new_due = models.DateField("申请延至")
    reason = models.TextField("申请理由")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="申请人")
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    status = models.CharField("状态", max_length=10, choices=STATUS_CHOICES, default=PENDING, db_index=True)
    coordinator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="协调人")
    coordinator_at = models.DateTimeField("协调人审批时间", null=True, blank=True)
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="领导")
    leader_at = models.DateTimeField("领导审批时间", null=True, blank=True)
    note = models.TextField("审批意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "延期申请"
        ordering = ["-requested_at", "-id"]
        # One open request per assignment: a second click or a second liaison cannot stack them.
        constraints = [models.UniqueConstraint(fields=["assignment"], condition=models.Q(status__in=["pending", "forwarded"]),
                                               name="extension_one_open")]

    def __str__(self) -> str:
        return f"{self.assignment} 延至 {self.new_due:%Y-%m-%d}（{self.get_status_display()}）"
