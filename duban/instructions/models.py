"""领导批示: a leader's instruction on a task, to all its units or to one of them."""
from __future__ import annotations

from django.conf import settings
from django.db import models

MAX_TEXT = 1000


class Instruction(models.Model):
    """Written once by a leader and never changed or deleted in the site. On a task (to all its units, or to
    one) it stays on the task page, also when the task is archived (PROTECT: only `duban purge_archived`
    removes it with its task); on a unit alone (no task) it stays on the unit's page."""

    task = models.ForeignKey("plans.Task", on_delete=models.PROTECT, null=True, blank=True, related_name="instructions", verbose_name="任务",
                             help_text="空为对单位的批示（不针对某项任务）")
    unit = models.ForeignKey(
        "directory.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="instructions",
        verbose_name="单位", help_text="批示给任务的某一单位；空为给该任务的全部单位",
    )
    text = models.TextField("批示内容", max_length=MAX_TEXT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="批示人")
    author_name = models.CharField("批示人姓名", max_length=150, help_text="批示时的姓名，账号停用或删除后仍保留")
    created_at = models.DateTimeField("批示时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "领导批示"
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(task__isnull=False) | models.Q(unit__isnull=False), name="instruction_task_or_unit")]

    def __str__(self) -> str:
        return f"{self.author_name}对第{self.task.no}项的批示" if self.task_id else f"{self.author_name}对{self.unit}的批示"
