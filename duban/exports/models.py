"""Documents being generated: one ExportJob per request, worked by duban.exports.jobs.

The row is the source of truth: the page polls it, `duban run_exports` (run by a timer) and the
background thread started by the view both claim queued jobs through it, and a job whose worker
died is marked failed with a message in Chinese.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models


def result_upload_to(job: "ExportJob", filename: str) -> str:
    return f"exports/{job.created_at:%Y/%m}/{job.pk}/{filename}"


class ExportJob(models.Model):
    DIVISION = "division"
    UNIT_LIST = "unit_list"
    BULLETIN = "bulletin"
    ANNUAL = "annual"
    ASSESSMENT = "assessment"
    KIND_CHOICES = [
        (DIVISION, "分工方案表"),
        (UNIT_LIST, "单位任务清单"),
        (BULLETIN, "督办通报"),
        (ANNUAL, "年度报告（工作要点落实情况）"),
        (ASSESSMENT, "考评结果表"),
    ]
    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATUS_CHOICES = [(QUEUED, "排队中"), (RUNNING, "生成中"), (DONE, "已完成"), (FAILED, "失败")]

    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="export_jobs", verbose_name="方案")
    kind = models.CharField("文书", max_length=20, choices=KIND_CHOICES)
    params = models.JSONField("参数", default=dict, blank=True)
    status = models.CharField("状态", max_length=10, choices=STATUS_CHOICES, default=QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    message = models.CharField("说明", max_length=500, blank=True)
    result = models.FileField("文件", upload_to=result_upload_to, max_length=300, blank=True)
    result_name = models.CharField("文件名", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="申请人")
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "文书导出"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}（{self.get_status_display()}）"

    @property
    def finished(self) -> bool:
        return self.status in (self.DONE, self.FAILED)

    @property
    def fmt(self) -> str:
        return self.params.get("fmt", "docx")


class Bulletin(models.Model):
    """A 督办通报 actually issued (正式印发): the register that gives it its 期号.

    Numbers run per organisation and year, 1, 2, 3 …, in the order bulletins are issued. A preview
    (草稿) takes no number; generating an issued bulletin again keeps its number. Export files and
    jobs may be purged without changing any number: they are not counted.
    """

    org = models.ForeignKey("directory.Organisation", on_delete=models.CASCADE, related_name="bulletins", verbose_name="机构")
    year = models.PositiveIntegerField("年度")
    number = models.PositiveIntegerField("期号")
    plan = models.ForeignKey("plans.Plan", on_delete=models.SET_NULL, null=True, blank=True, related_name="bulletins", verbose_name="方案")
    as_of = models.DateField("统计截止日期")
    issued_on = models.DateField("成文日期")
    params = models.JSONField("参数", default=dict, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="印发人")
    issued_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "督办通报登记"
        ordering = ["-year", "-number"]
        constraints = [models.UniqueConstraint(fields=["org", "year", "number"], name="bulletin_unique_number")]

    def __str__(self) -> str:
        return f"{self.year}年{self.label}"

    @property
    def label(self) -> str:
        return f"第{self.number}期"

    def emit_issued(self) -> None:
        """bulletin.issued for the organisation's webhook subscribers, in the transaction that gives the 期号."""
        from duban.notify import events

        events.emit("bulletin.issued", self.org_id, f"bulletin:{self.pk}", {
            "bulletin": {"id": self.pk, "year": self.year, "number": self.number, "label": self.label,
                         "as_of": self.as_of, "issued_on": self.issued_on},
            "plan": {"id": self.plan_id, "title": self.plan.title if self.plan_id else None},
        })

    @classmethod
    def next_number(cls, org_id: int, year: int) -> int:
        last = cls.objects.filter(org_id=org_id, year=year).aggregate(n=models.Max("number"))["n"]
        return (last or 0) + 1

    @classmethod
    def issue(cls, plan, year: int, as_of, issued_on, params: dict, user) -> "Bulletin":
        """Register a new issued bulletin with the next number of the organisation's year."""
        from django.db import IntegrityError, transaction

        for _ in range(5):  # two coordinators issuing at the same moment: the unique constraint decides
            try:
                with transaction.atomic():
                    bulletin = cls.objects.create(org_id=plan.org_id, year=year, number=cls.next_number(plan.org_id, year),
                                                  plan=plan, as_of=as_of, issued_on=issued_on, params=params, issued_by=user)
                    bulletin.emit_issued()
                    return bulletin
            except IntegrityError:
                continue
        raise RuntimeError("期号分配失败，请重试")
