"""Reminder rules per plan, the ledger of reminders issued, and the coordinator's 催办 (urge) notices."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

MAX_DAYS_BEFORE = 30


def parse_days_before(text: str) -> list[int]:
    """"5,3,1" → [5, 3, 1] (distinct, largest first). Raises ValidationError with a Chinese message."""
    days = set()
    for part in (text or "").replace("，", ",").replace("、", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= MAX_DAYS_BEFORE:
            raise ValidationError(f"“{part}”不是 1–{MAX_DAYS_BEFORE} 之间的工作日数。请填写如 5,3,1。")
        days.add(int(part))
    return sorted(days, reverse=True)


def validate_days_before(text: str) -> None:
    parse_days_before(text)


class ReminderRule(models.Model):
    """How and when the units of one plan are reminded; also the plan's light and reporting-period settings."""

    PERIOD_CHOICES = [("month", "每月"), ("quarter", "每季度"), ("half_year", "每半年"), ("year", "每年")]

    plan = models.OneToOneField("plans.Plan", on_delete=models.CASCADE, related_name="reminder_rule", verbose_name="方案")
    days_before = models.CharField(
        "提前提醒", max_length=50, default="5,3,1", validators=[validate_days_before],
        help_text="到期前第几个工作日提醒，用逗号分隔，如 5,3,1",
    )
    on_due_day = models.BooleanField("到期当日提醒", default=True, help_text="到期日是非工作日时不另提醒（到期前1个工作日的提醒即最后一次）")
    escalate = models.BooleanField("逾期督办", default=True, help_text="逾期未报送的，通知单位负责人和协调人")
    escalate_every = models.PositiveSmallIntegerField(
        "逾期后重复督办间隔（工作日）", default=5, validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="逾期后第1个工作日首次督办，此后每隔几个工作日再督办一次",
    )
    head_after = models.PositiveSmallIntegerField(
        "逾期几个工作日后通知负责人", default=1, validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="逾期满这么多个工作日仍未报送的，督办和催办通知同时发给单位负责人",
    )
    deputy_after = models.PositiveSmallIntegerField(
        "再过几个工作日通知分管负责人", default=10, validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="通知负责人后再过这么多个工作日仍未报送的，同时发给单位的分管负责人",
    )
    yellow_days = models.PositiveSmallIntegerField(
        "黄灯提前（工作日）", default=5, validators=[MinValueValidator(1), MaxValueValidator(MAX_DAYS_BEFORE)],
        help_text="距完成日期不超过几个工作日且未报送时亮黄灯",
    )
    report_period = models.CharField(
        "长期坚持任务的报送周期", max_length=20, choices=PERIOD_CHOICES, default="quarter",
        help_text="“长期坚持”的任务按此周期定期报送进展，每期期末为完成日期",
    )
    period_opens = models.PositiveSmallIntegerField(
        "周期任务报送窗口提前开放（工作日）", default=10, validators=[MinValueValidator(0), MaxValueValidator(60)],
        help_text="每季度、每月等周期任务，每期完成日期前几个工作日开放本期报送",
    )
    period_grace = models.PositiveSmallIntegerField(
        "周期任务报送宽限期（工作日）", default=5, validators=[MinValueValidator(0), MaxValueValidator(60)],
        help_text="每期完成日期后再过几个工作日关闭本期报送；关闭时仍无通过审核的报送，计为漏报一期",
    )
    by_email = models.BooleanField("邮件", default=True)
    by_webhook = models.BooleanField("群机器人（企业微信/钉钉）", default=True)
    by_inbox = models.BooleanField(
        "站内消息", default=True,
        help_text="到期提醒和逾期督办即时发到联络员的“消息”；没有邮箱、没有群机器人的单位只能从这里收到。催办和领导批示总会发到站内消息",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="修改人")

    class Meta:
        verbose_name = verbose_name_plural = "提醒规则"

    def __str__(self) -> str:
        return f"{self.plan}的提醒规则"

    def days_before_list(self) -> list[int]:
        return parse_days_before(self.days_before)

    @classmethod
    def for_plan(cls, plan, create: bool = True) -> "ReminderRule":
        """The plan's rule; the defaults are stored on first use (or, with create=False, returned unsaved)."""
        plan_id = getattr(plan, "pk", plan)
        rule = cls.objects.filter(plan_id=plan_id).first()
        if rule is None:
            if not create:
                return cls(plan_id=plan_id)
            rule, _ = cls.objects.get_or_create(plan_id=plan_id)
        return rule


class Reminder(models.Model):
    """One reminder stage of one assignment, issued once: the ledger that makes `duban remind` send nothing twice.

    ``stage`` is ``before5`` (5 working days before the due date), ``due`` (on the due day),
    ``escalate1``, ``escalate2`` … (overdue). The unique (assignment, due date, stage) is the guarantee:
    two runs at once cannot both insert a row, and only the run that inserted it sends its notices.
    A new due date (an override, an event date, the next period) starts a new series.
    """

    REMIND, ESCALATE = "remind", "escalate"
    KIND_CHOICES = [(REMIND, "到期提醒"), (ESCALATE, "逾期督办")]

    # No index of its own: the unique (assignment, due_date, stage) index serves every lookup by assignment,
    # and one index fewer is less work for each of the ~100,000 rows a cold sweep inserts.
    assignment = models.ForeignKey("plans.Assignment", on_delete=models.CASCADE, related_name="reminders", verbose_name="任务分工", db_index=False)
    due_date = models.DateField("完成日期")
    stage = models.CharField("提醒节点", max_length=20)
    kind = models.CharField("类型", max_length=10, choices=KIND_CHOICES)
    sent_on = models.DateField("提醒日期")
    run = models.CharField("批次", max_length=32, help_text="发出这条提醒的那次运行")
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "提醒记录"
        ordering = ["-sent_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["assignment", "due_date", "stage"], name="reminder_once")]
        # (due date, stage): the ledger rows of today's stages, which a repeat run of the day counts. No index on "run":
        # a sweep reads back the rows it won by their ids (the primary key), and one index fewer is less work for each
        # row a cold sweep inserts.
        indexes = [models.Index(fields=["due_date", "stage"], name="reminder_due_stage")]

    def __str__(self) -> str:
        return f"{self.assignment} {self.stage_label()}（{self.sent_on}）"

    def stage_label(self) -> str:
        return stage_label(self.stage)


def stage_label(stage: str) -> str:
    if stage.startswith("before"):
        return f"到期前{stage[6:]}个工作日提醒"
    if stage == "due":
        return "到期当日提醒"
    if stage.startswith("escalate"):
        return f"第{stage[8:]}次逾期督办"
    return stage


class Urge(models.Model):
    """A 催办 notice the coordinator sent to a unit: about all its open work in a plan (one click on the overview,
    or every red unit at once) at most once per unit per day; about one task (with a note) once per unit, task and day."""

    unit = models.ForeignKey("directory.Unit", on_delete=models.CASCADE, related_name="urges", verbose_name="单位")
    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, null=True, blank=True, related_name="urges", verbose_name="方案")
    task = models.ForeignKey("plans.Task", on_delete=models.CASCADE, null=True, blank=True, related_name="urges", verbose_name="任务",
                             help_text="按任务催办时的任务；空为对该单位全部未办结任务的催办")
    note = models.TextField("催办意见", blank=True)
    day = models.DateField("日期")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="催办人")
    sent_at = models.DateTimeField("催办时间", auto_now_add=True)
    open_count = models.PositiveIntegerField("未办结任务数", default=0)
    overdue_count = models.PositiveIntegerField("逾期任务数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "催办记录"
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "day"], condition=models.Q(task__isnull=True), name="urge_once_a_day"),
            models.UniqueConstraint(fields=["unit", "task", "day"], condition=models.Q(task__isnull=False), name="urge_task_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} 催办 {self.unit}"

    @property
    def batch(self) -> str:
        """The inbox messages of this 催办 (duban.notify.inbox: its read receipt)."""
        return f"urge:{self.pk}"
