"""A plan (分工方案) as imported: its sections, numbered tasks, who does each task, what is left to settle."""
from __future__ import annotations

from django.conf import settings
from django.db import models

from duban.workcal import clock

LEAD = "lead"
RESPONSIBLE = "responsible"
ROLE_CHOICES = [(LEAD, "牵头"), (RESPONSIBLE, "负责落实")]


def plan_upload_to(plan: "Plan", filename: str) -> str:
    return f"plans/{plan.sha256[:2]}/{plan.sha256}/{filename}"


class Plan(models.Model):
    org = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT, related_name="plans", verbose_name="机构")
    title = models.CharField("标题", max_length=300)
    doc_number = models.CharField("文号", max_length=100, blank=True)
    issuer = models.CharField("发文机关", max_length=200, blank=True)
    issued_on = models.DateField("成文日期", null=True, blank=True)
    year = models.IntegerField("年度", null=True, blank=True)
    source_file = models.FileField("原始文件", upload_to=plan_upload_to, max_length=300)
    source_name = models.CharField("原始文件名", max_length=200, blank=True)
    source_format = models.CharField("文件格式", max_length=20, blank=True)
    sha256 = models.CharField("文件 SHA-256", max_length=64, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="导入人")
    created_at = models.DateTimeField("导入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "分工方案"
        ordering = [models.F("year").desc(nulls_last=True), "-created_at"]  # a plan without a year last, on PostgreSQL too
        # The same file is one plan: a second import of it, even a concurrent one, changes nothing.
        constraints = [models.UniqueConstraint(fields=["org", "sha256"], name="plan_unique_file")]

    def __str__(self) -> str:
        return self.title


class Section(models.Model):
    """A heading of the 工作任务 column: 深化重点领域信息公开 › 推进各类规划主动公开."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sections", verbose_name="方案")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children", verbose_name="上级")
    title = models.CharField("标题", max_length=300)
    order = models.IntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "工作任务（章节）"
        ordering = ["plan", "order"]

    def __str__(self) -> str:
        return self.title

    def path(self) -> list[str]:
        out, s = [], self
        while s is not None:
            out.insert(0, s.title)
            s = s.parent
        return out


class ActiveQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)

    def archived(self):
        return self.filter(archived_at__isnull=False)


class ActiveManager(models.Manager.from_queryset(ActiveQuerySet)):
    """`Model.objects`: only what is in force. Archived rows (a task dropped by a revision, a unit removed
    from a task) keep their reports and history and are reached through `Model.all_objects`."""

    def get_queryset(self):
        return super().get_queryset().filter(archived_at__isnull=True)


AllManager = models.Manager.from_queryset(ActiveQuerySet)


class Task(models.Model):
    DEADLINE_CHOICES = [
        ("", "未识别"),
        ("date", "日期"),
        ("after_event", "事件后若干工作日"),
        ("ongoing", "长期坚持"),
        ("recurring", "定期"),
    ]
    EVERY_CHOICES = [("", "—"), ("week", "每周"), ("month", "每月"), ("quarter", "每季度"), ("half_year", "每半年"), ("year", "每年")]

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks", verbose_name="方案")
    section = models.ForeignKey(Section, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks", verbose_name="工作任务")
    no = models.IntegerField("序号")
    requirement = models.TextField("具体要求")
    units_text = models.TextField("牵头落实单位（原文）", blank=True)
    deadline_text = models.CharField("完成时限（原文）", max_length=300, blank=True)
    deadline_kind = models.CharField("时限类型", max_length=20, choices=DEADLINE_CHOICES, blank=True)
    deadline_date = models.DateField("截止日期", null=True, blank=True)
    deadline_event = models.CharField("起算事件", max_length=200, blank=True)
    deadline_working_days = models.IntegerField("工作日数", null=True, blank=True)
    deadline_every = models.CharField("周期", max_length=20, choices=EVERY_CHOICES, blank=True)
    warnings = models.JSONField("解析提示", default=list, blank=True)
    # An assessment indicator's points, and instructions the parser found among the units ("各乡镇要高度重视").
    score = models.FloatField("分值", null=True, blank=True)
    note = models.TextField("说明", blank=True)
    # Made in the browser (split off another task, or added), not read from the document: a revision of the
    # plan does not match it with a row of the document, and does not archive it for being absent there.
    added_by_hand = models.BooleanField("在页面上新增", default=False)
    # Archived by the coordinator (deleted, or merged into another task): a revision whose text for it is
    # unchanged leaves it archived instead of bringing it back.
    archived_by_hand = models.BooleanField("人工删除或合并", default=False)
    # Who must report (issue 11): every unit assigned, or only the lead units — the units 负责落实 (often
    # named only by a group phrase such as 各街道办事处) are then marked done in bulk by the coordinator.
    REPORT_ALL, REPORT_LEAD = "all", "lead"
    REPORT_SCOPE_CHOICES = [(REPORT_ALL, "每个单位都报送"), (REPORT_LEAD, "仅牵头单位报送")]
    report_scope = models.CharField("报送范围", max_length=10, choices=REPORT_SCOPE_CHOICES, default=REPORT_ALL)
    # For an event-relative deadline ("文件成文后20个工作日内"): the day the event happened, once someone records it.
    event_date = models.DateField("起算事件日期", null=True, blank=True)
    event_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="事件日期录入人")
    # The text of the plan document as last imported, per field ({"requirement", "units_text", "deadline_text"}):
    # a revision compares it with the new document's to tell "the source changed" from "someone fixed it here".
    source = models.JSONField("导入原文", default=dict, blank=True)
    # A task dropped by a revised plan is archived, never deleted: its assignments keep their reports.
    archived_at = models.DateTimeField("归档时间", null=True, blank=True, db_index=True)
    archived_reason = models.CharField("归档原因", max_length=300, blank=True)
    archived_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="归档人")

    objects = ActiveManager()
    all_objects = AllManager()

    class Meta:
        verbose_name = verbose_name_plural = "任务"
        ordering = ["plan", "no"]
        # An archived task keeps its number; a later task of the plan may be given the same one.
        constraints = [models.UniqueConstraint(fields=["plan", "no"], condition=models.Q(archived_at__isnull=True), name="task_unique_no")]

    def __str__(self) -> str:
        return f"第{self.no}项"

    def deadline_display(self) -> str:
        if self.deadline_kind == "date" and self.deadline_date:
            d = self.deadline_date
            return f"{d.year}年{d.month}月{d.day}日前"
        if self.deadline_kind == "after_event":
            return f"{self.deadline_event}后{self.deadline_working_days}个工作日内"
        if self.deadline_kind == "recurring":
            return dict(self.EVERY_CHOICES).get(self.deadline_every, self.deadline_every)
        if self.deadline_kind == "ongoing":
            return "长期坚持"
        return self.deadline_text or "未定"

    def deadline_written(self) -> str:
        """The deadline as documents and the printed table write it: the plan's own words, and a deadline
        with no meaning yet (empty, or words no date could be read from) says it is undecided rather than
        passing for one."""
        if not self.deadline_kind:
            return f"{self.deadline_text}（待定）" if self.deadline_text else "待定（未确定）"
        return self.deadline_text or self.deadline_display()

    def score_display(self) -> str:
        """"5", "2.5": the points as the document writes them."""
        return "" if self.score is None else f"{self.score:g}"

    def deadline_values(self) -> dict:
        return {f: getattr(self, f) for f in DEADLINE_FIELDS}


DEADLINE_FIELDS = ["deadline_kind", "deadline_date", "deadline_event", "deadline_working_days", "deadline_every"]
TASK_TEXT_FIELDS = ["requirement", "units_text", "deadline_text"]


class Assignment(models.Model):
    # The lifecycle: 未开始 → 推进中 → 已报送 → 已办结, or 已报送 → 退回 → 推进中/已报送 → …
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    # 本单位不涉及: the unit said so with a reason and the coordinator approved it. Not counted in any
    # figure (duban.assessment.figures.working_assignments leaves it out).
    EXEMPT = "exempt"
    STATUS_CHOICES = [
        (NOT_STARTED, "未开始"),
        (IN_PROGRESS, "推进中"),
        (SUBMITTED, "已报送"),
        (ACCEPTED, "已办结"),
        (RETURNED, "退回"),
        (EXEMPT, "不涉及"),
    ]

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments", verbose_name="任务")
    unit = models.ForeignKey("directory.Unit", on_delete=models.PROTECT, related_name="assignments", verbose_name="单位")
    role = models.CharField("职责", max_length=20, choices=ROLE_CHOICES)
    status = models.CharField("办理状态", max_length=20, choices=STATUS_CHOICES, default=NOT_STARTED, db_index=True)
    status_changed_at = models.DateTimeField("状态变更时间", null=True, blank=True)
    submitted_at = models.DateTimeField("最近报送时间", null=True, blank=True)
    accepted_at = models.DateTimeField("办结时间", null=True, blank=True)
    # The due date in force: derived from the task's deadline (see duban.plans.deadlines), or the override.
    # None while waiting for an event, for ongoing work, or when the deadline is unknown.
    due_date = models.DateField("应完成日期", null=True, blank=True, db_index=True)
    due_override = models.DateField("调整后的完成日期", null=True, blank=True)
    due_override_reason = models.CharField("调整理由", max_length=300, blank=True)
    # The due date of the last approved extension request (延期申请, duban.progress.lifecycle.decide_extension).
    # Only an approval sets it; the coordinator's override form never clears it (see deadlines.assignment_due).
    due_extended = models.DateField("批准延期后的完成日期", null=True, blank=True)
    # 签收: when the unit acknowledged the work. Its clock runs from assigned_at (None for rows made before
    # the field existed: the plan's import time stands in) — duban.progress.dates.ack_deadline.
    assigned_at = models.DateTimeField("分派时间", null=True, blank=True, default=clock.now)  # the demo clock too
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="签收人")
    # A unit removed from the task (in the editor, or by a revised plan) is archived with its reports,
    # evidence and status history; re-adding the unit restores it (duban.plans.archiving).
    archived_at = models.DateTimeField("归档时间", null=True, blank=True, db_index=True)
    archived_reason = models.CharField("归档原因", max_length=300, blank=True)
    archived_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="归档人")
    # 回头看: last year's unfinished assignment this one carries over (结转, duban.plans.carry_over). The old
    # assignment is never changed; PROTECT keeps it while the new one points at it.
    carried_from = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="carried_to", verbose_name="结转自")

    objects = ActiveManager()
    all_objects = AllManager()

    class Meta:
        verbose_name = verbose_name_plural = "任务分工"
        ordering = ["task", "role", "unit__sort_order"]
        # One role per unit and task: a unit named as lead and also covered by a group is the lead.
        constraints = [models.UniqueConstraint(fields=["task", "unit"], name="assignment_unique_unit")]
        # The review queue and its 待审核 count reach an organisation's submitted assignments through its plans'
        # tasks: this small index holds only those (in force), so a hundred districts' rows are not read to
        # find one district's (issue 14).
        indexes = [models.Index(fields=["task"], condition=models.Q(status="submitted", archived_at__isnull=True),
                                name="assignment_submitted")]

    def __str__(self) -> str:
        return f"{self.task} {self.unit}（{self.get_role_display()}）"


class PlanWarningManager(models.Manager):
    """The warnings of archived tasks are nobody's work any more."""

    def get_queryset(self):
        return super().get_queryset().filter(models.Q(task__isnull=True) | models.Q(task__archived_at__isnull=True))


class PlanWarning(models.Model):
    """Something the import could not decide and the coordinator has to settle."""

    UNKNOWN_UNIT = "unknown_unit"
    VAGUE_GROUP = "vague_group"
    MISSING_DEADLINE = "missing_deadline"
    PARSER = "parser"
    KIND_CHOICES = [
        (UNKNOWN_UNIT, "单位不在名录中"),
        (VAGUE_GROUP, "需指定单位"),
        (MISSING_DEADLINE, "缺少完成时限"),
        (PARSER, "解析提示"),
    ]

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="plan_warnings", verbose_name="方案")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, null=True, blank=True, related_name="plan_warnings", verbose_name="任务")
    kind = models.CharField("类型", max_length=20, choices=KIND_CHOICES)
    subject = models.CharField("涉及名称", max_length=200, blank=True, help_text="单位名称或单位组短语")
    role = models.CharField("职责", max_length=20, choices=ROLE_CHOICES, blank=True)
    message = models.TextField("说明")
    created_at = models.DateTimeField("产生时间", auto_now_add=True)
    settled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="处理人")
    settled_at = models.DateTimeField("处理时间", null=True, blank=True)
    resolution = models.TextField("处理结果", blank=True)

    objects = PlanWarningManager()
    all_objects = models.Manager()

    class Meta:
        verbose_name = verbose_name_plural = "待处理提示"
        ordering = ["plan", "task__no", "id"]

    def __str__(self) -> str:
        return self.message

    @property
    def settled(self) -> bool:
        return self.settled_at is not None


class ChangeRecord(models.Model):
    """One field of one object changed by a person: who, when, before, after."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="changes", verbose_name="方案")
    task = models.ForeignKey(Task, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes", verbose_name="任务")
    task_no = models.IntegerField("任务序号", null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="修改人")
    at = models.DateTimeField("时间", auto_now_add=True)
    object_type = models.CharField("对象", max_length=50)
    object_id = models.CharField("对象编号", max_length=50, blank=True)
    field = models.CharField("字段", max_length=100)
    before = models.TextField("修改前", blank=True)
    after = models.TextField("修改后", blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    # Written by a revised plan's import rather than by a person: a revision tells a coordinator's manual
    # fix (which it keeps while the source text is unchanged) from its own earlier writes by this.
    by_import = models.BooleanField("导入修订版产生", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "修改记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.field}：{self.before} → {self.after}"


# The steps of an import, in order, as duban.plans.importing reports them and the job page lists them.
IMPORT_STEPS = ("读取文件", "识别表格", "核对单位", "写入")


class ImportJob(models.Model):
    """A plan upload being read in the background (duban.plans.import_jobs); the row is the source of truth.

    The uploaded bytes wait in the default storage as pending/<token>.bin until the job has read them (and, for a
    revision, until the coordinator confirms or cancels). The outcome says where the coordinator goes next.
    """

    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATUS_CHOICES = [(QUEUED, "排队中"), (RUNNING, "导入中"), (DONE, "已完成"), (FAILED, "失败")]
    NEW, DUPLICATE, UNKNOWN_UNITS, REVISION = "new", "duplicate", "unknown_units", "revision"
    OUTCOME_CHOICES = [(NEW, "已导入"), (DUPLICATE, "已导入过"), (UNKNOWN_UNITS, "有单位不在名录中"), (REVISION, "修订版待确认")]
    STEPS = IMPORT_STEPS  # `message` is one of them while the job runs

    org = models.ForeignKey("directory.Organisation", on_delete=models.CASCADE, related_name="+", verbose_name="机构")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="导入人")
    file_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("文件 SHA-256", max_length=64)
    token = models.CharField("待处理文件", max_length=64, unique=True)
    keep_unknown = models.BooleanField("保留名录中没有的单位", default=False)
    status = models.CharField("状态", max_length=10, choices=STATUS_CHOICES, default=QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    message = models.CharField("说明", max_length=500, blank=True)
    outcome = models.CharField("结果", max_length=20, choices=OUTCOME_CHOICES, blank=True)
    plan = models.ForeignKey(Plan, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="方案",
                             help_text="导入的、已有的（重复导入）或待修订的方案")
    unknown = models.JSONField("名录中没有的单位", default=list, blank=True, help_text="[单位名称, [任务序号, …]]，按在文件中出现的顺序")
    error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    worker = models.CharField("处理进程", max_length=200, blank=True, help_text="主机:进程号:启动时间；进程不在了，导入即判为中断")

    class Meta:
        verbose_name = verbose_name_plural = "方案导入"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} #{self.pk}（{self.get_status_display()}）"

    @property
    def finished(self) -> bool:
        return self.status in (self.DONE, self.FAILED)

    def steps(self) -> list[tuple[str, str]]:
        """(step, "done" | "current" | "todo"), for the page."""
        at = len(self.STEPS) if self.status == self.DONE else None
        if self.status == self.RUNNING and self.message in self.STEPS:
            at = self.STEPS.index(self.message)
        return [(s, "todo" if at is None or i > at else "current" if i == at else "done") for i, s in enumerate(self.STEPS)]
