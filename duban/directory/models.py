"""Who can be given a task: the governments (Organisation) and their units, aliases and group phrases."""
from __future__ import annotations

from django.db import models


class Organisation(models.Model):
    """A government whose plans this deployment runs, e.g. 昆明市西山区人民政府 (西山区)."""

    name = models.CharField("名称", max_length=200, unique=True)
    short_name = models.CharField("简称", max_length=50, unique=True)

    class Meta:
        verbose_name = verbose_name_plural = "机构"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.short_name


class Unit(models.Model):
    OFFICE = "office"
    BUREAU = "bureau"
    BRANCH = "branch"
    SUBDISTRICT = "subdistrict"
    PARTY = "party"
    VERTICAL = "vertical"
    COORDINATION = "coordination"
    OTHER = "other"
    KIND_CHOICES = [
        (OFFICE, "办公室"),
        (BUREAU, "局"),
        (BRANCH, "分局"),
        (SUBDISTRICT, "街道办事处"),
        (PARTY, "党委部门"),
        (VERTICAL, "垂直管理单位"),
        (COORDINATION, "议事协调机构"),
        (OTHER, "其他"),
    ]

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="units", verbose_name="机构")
    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=50, blank=True)
    kind = models.CharField("类别", max_length=20, choices=KIND_CHOICES, default=OTHER)
    active = models.BooleanField("启用", default=True)
    sort_order = models.IntegerField("排序", default=0)
    # Who hears of overdue work (escalation) and where a 催办 notice goes besides the liaisons.
    leader_name = models.CharField("分管负责人", max_length=50, blank=True)
    leader_email = models.EmailField("负责人邮箱", blank=True, help_text="逾期督办时通知")
    contact_email = models.EmailField("单位邮箱", blank=True, help_text="催办通知同时发送到此邮箱")

    class Meta:
        verbose_name = verbose_name_plural = "单位"
        ordering = ["org", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="unit_unique_name")]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person of a unit who hears of its reminders by e-mail, by role: escalation goes liaison → 负责人 → 分管负责人
    (see duban.reminders.sweep.escalations; the thresholds are the plan's reminder rule)."""

    LIAISON, HEAD, DEPUTY = "liaison", "head", "deputy"
    ROLE_CHOICES = [(LIAISON, "联络员"), (HEAD, "负责人"), (DEPUTY, "分管负责人")]

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="contacts", verbose_name="单位")
    role = models.CharField("角色", max_length=10, choices=ROLE_CHOICES)
    name = models.CharField("姓名", max_length=50, blank=True)
    email = models.EmailField("邮箱", blank=True)
    # A contact who left is stopped, not deleted (启用 否 in the 联系人 sheet, or the admin): kept for the record,
    # no longer reminded or escalated to.
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "单位联系人"
        ordering = ["unit", "role", "id"]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.get_role_display()} {self.name}".strip()


class UnitAlias(models.Model):
    """Another name for a unit: an old name (区发展改革委) or a name it also carries (区金融办)."""

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="aliases", verbose_name="机构")
    alias = models.CharField("别名", max_length=100)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="aliases", verbose_name="单位")

    class Meta:
        verbose_name = verbose_name_plural = "单位别名"
        ordering = ["org", "alias"]
        constraints = [models.UniqueConstraint(fields=["org", "alias"], name="alias_unique")]

    def __str__(self) -> str:
        return f"{self.alias} → {self.unit.name}"


class UnitGroup(models.Model):
    """A phrase that stands for several units, e.g. 区政府各办、局 or 各街道办事处.

    Members are the active units of the listed kinds plus the listed units. A vague group
    (区政府相关办、局) has no members: the coordinator picks the units for each task.
    """

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="groups", verbose_name="机构")
    phrase = models.CharField("短语", max_length=100)
    kinds = models.JSONField("包含类别", default=list, blank=True, help_text="单位类别代码的列表，如 office、bureau")
    units = models.ManyToManyField(Unit, blank=True, related_name="listed_in_groups", verbose_name="包含单位")
    note = models.CharField("说明", max_length=200, blank=True)
    vague = models.BooleanField("不可推断", default=False, help_text="含义不确定的说法（如“区政府相关办、局”），导入时由协调人逐项指定单位")

    class Meta:
        verbose_name = verbose_name_plural = "单位组"
        ordering = ["org", "phrase"]
        constraints = [models.UniqueConstraint(fields=["org", "phrase"], name="group_unique_phrase")]

    def __str__(self) -> str:
        return self.phrase

    def members(self) -> list[Unit]:
        if self.vague:
            return []
        q = models.Q(kind__in=list(self.kinds or []))
        if self.pk:
            q |= models.Q(pk__in=self.units.values("pk"))
        return list(Unit.objects.filter(q, org=self.org_id, active=True).order_by("sort_order", "id"))

    def kind_labels(self) -> str:
        labels = dict(Unit.KIND_CHOICES)
        return "、".join(labels.get(k, k) for k in self.kinds or [])
