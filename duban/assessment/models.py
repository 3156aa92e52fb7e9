"""The yearly assessment of units: a scoring scheme per plan and the coordinator's manual deductions.

Scores themselves are never stored: duban.assessment.scoring computes them from the stored facts
(assignments, reports, status changes, these deductions) at an as-of date.
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

ZERO = Decimal("0")
HUNDRED = Decimal("100")


def _points(verbose: str, default: str, help_text: str = ""):
    return models.DecimalField(verbose, max_digits=6, decimal_places=2, default=Decimal(default),
                               validators=[MinValueValidator(ZERO)], help_text=help_text)


def _percent(verbose: str, default: str, help_text: str = ""):
    return models.DecimalField(verbose, max_digits=5, decimal_places=2, default=Decimal(default),
                               validators=[MinValueValidator(ZERO), MaxValueValidator(HUNDRED)], help_text=help_text)


class Scheme(models.Model):
    """How a plan's assignments are scored. One per plan; the defaults are the documented default scheme."""

    plan = models.OneToOneField("plans.Plan", on_delete=models.CASCADE, related_name="scheme", verbose_name="方案")
    lead_points = _points("牵头任务分值", "3", "每项牵头任务的分值")
    responsible_points = _points("负责落实任务分值", "1", "每项负责落实任务的分值")
    late_penalty = _percent("逾期每工作日扣减（%）", "2", "按时完成系数为100%，逾期完成每晚一个工作日扣减的百分点")
    late_floor = _percent("逾期完成最低系数（%）", "50", "逾期完成的系数不低于此值")
    grade_excellent = _percent("评价“优”系数（%）", "100")
    grade_good = _percent("评价“良”系数（%）", "90")
    grade_fair = _percent("评价“中”系数（%）", "75")
    grade_poor = _percent("评价“差”系数（%）", "50")
    return_deduction = _points("每次退回扣分", "0.5", "报送被退回一次，从百分制得分中扣减的分数")
    min_assessed = models.PositiveSmallIntegerField(
        "参与排名的最少计分任务数", default=3, validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text="计分任务（已到期且不在待审核中的任务分工）少于此数的单位单独列为“任务较少，不参与排名”")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="修改人")
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "考评办法"

    def __str__(self) -> str:
        return f"{self.plan} 考评办法"

    @classmethod
    def for_plan(cls, plan) -> "Scheme":
        """The plan's scheme; the default one (not saved) when the coordinator has not set one."""
        try:
            return cls.objects.get(plan=plan)
        except cls.DoesNotExist:
            return cls(plan=plan)

    def points(self, role: str) -> Decimal:
        return self.lead_points if role == "lead" else self.responsible_points

    def grade_factor(self, grade: str) -> Decimal:
        """优/良/中/差 as a fraction; no grade counts as 1."""
        pct = {"excellent": self.grade_excellent, "good": self.grade_good,
               "fair": self.grade_fair, "poor": self.grade_poor}.get(grade or "")
        return Decimal(1) if pct is None else pct / HUNDRED


class Deduction(models.Model):
    """Points the coordinator takes off a unit's score, with the reason (e.g. 信息发布错误被通报)."""

    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="deductions", verbose_name="方案")
    unit = models.ForeignKey("directory.Unit", on_delete=models.PROTECT, related_name="deductions", verbose_name="单位")
    points = models.DecimalField("扣分", max_digits=6, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(HUNDRED)])
    reason = models.CharField("事由", max_length=300)
    at = models.DateTimeField("扣分时间", default=timezone.now, help_text="考评截止日期在此之前的，不计入")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="录入人")

    class Meta:
        verbose_name = verbose_name_plural = "扣分记录"
        ordering = ["plan", "-at", "-id"]

    def __str__(self) -> str:
        return f"{self.unit} −{self.points}：{self.reason}"


class PlanFactsVersion(models.Model):
    """A token that changes whenever anything duban.assessment.facts.load() reads of the plan changes.

    Written only by database triggers (migration 0003_plan_facts_version), on every insert, update and delete
    of the plan's tasks, sections, assignments, reports and status changes, a change of the plan's import time,
    and a rename or reordering of a unit it assigns work to — whoever writes: a view, a management command, the
    admin, a bulk update or raw SQL. A new value is random, not a counter, so that a value is not met twice
    (not after a rolled-back transaction, nor when SQLite hands out a rolled-back id again; one chance in 2**52):
    the cached facts stored under one (duban.assessment.factscache) are of that state only."""

    plan = models.OneToOneField("plans.Plan", on_delete=models.CASCADE, primary_key=True, related_name="facts_version",
                                verbose_name="方案")
    version = models.BigIntegerField("版本")

    class Meta:
        verbose_name = verbose_name_plural = "方案数据版本"

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.version}"
