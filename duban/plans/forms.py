from __future__ import annotations

from django import forms
from django.conf import settings

from duban.directory.models import Unit, UnitAlias
from duban.plans.models import LEAD, RESPONSIBLE, ROLE_CHOICES, Task


class IdField(forms.IntegerField):
    """The id of a row, from a query string: a positive integer the database can hold (a bigger one
    would overflow SQLite and PostgreSQL before it reaches the lookup)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(min_value=1, max_value=2**63 - 1, **kwargs)


class OfficeDateField(forms.DateField):
    """A date the office works with (a cut-off, a 成文日期): between 2000 and 2100. Dates far outside
    (0001-01-01, 9999-12-31) are typing mistakes, and arithmetic on them overflows."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date", "min": "2000-01-01", "max": "2100-12-31"}, format="%Y-%m-%d"))
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value and not (2000 <= value.year <= 2100):
            raise forms.ValidationError("日期须在2000年至2100年之间。", code="out_of_range")


class QueryForm(forms.Form):
    """A form over request.GET whose bad values are dropped, not refused: the page still answers, with
    the filters that were valid and a note naming the ones that were ignored."""

    def valid(self) -> dict:
        self.is_valid()
        return {name: self.cleaned_data.get(name) if name not in self.errors else None for name in self.fields}

    def ignored(self) -> list[str]:
        return [str(self.fields[name].label or name) for name in self.errors if name in self.fields]


MONTH = r"^(?:(19\d\d|20\d\d|2100)-)?(0?[1-9]|1[0-2])$"


class TableFilterForm(QueryForm):
    """The filters of the division table."""

    q = forms.CharField(label="关键词", max_length=200, required=False)
    unit = IdField(label="单位")
    role = forms.ChoiceField(label="职责", choices=[("", "牵头和负责"), *ROLE_CHOICES], required=False)
    section = IdField(label="工作任务")
    kind = forms.ChoiceField(label="时限", choices=[*Task.DEADLINE_CHOICES, ("none", "未识别")], required=False)
    month = forms.RegexField(MONTH, label="截止月份", max_length=7, required=False)
    open = forms.BooleanField(label="只看待处理", required=False)

    def valid(self) -> dict:
        f = super().valid()
        for name in ("q", "role", "kind", "month"):
            f[name] = (f[name] or "").strip()
        f["open"] = bool(f["open"])
        return f


class UploadForm(forms.Form):
    file = forms.FileField(label="分工方案文件", help_text="支持 .docx、.pdf、.xlsx、.html 和由 PDF 提取的 .txt 文本。")
    keep_unknown = forms.BooleanField(
        label="名录中没有的单位也先导入，记为待处理提示", required=False,
        help_text="不勾选时，只要有一个单位不在名录中就不导入，并列出这些单位。",
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(f"文件过大（{f.size / 1024 / 1024:.1f} MB），上限为 {settings.UPLOAD_MAX_BYTES // 1024 // 1024} MB。")
        if f.size == 0:
            raise forms.ValidationError("文件是空的。")
        return f


class UnitChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, unit):
        return unit.name


def unit_field(org, label: str, required: bool = False) -> UnitChoiceField:
    return UnitChoiceField(queryset=Unit.objects.filter(org=org, active=True).order_by("sort_order", "id"), label=label, required=required)


class DeadlineForm(forms.Form):
    deadline_kind = forms.ChoiceField(label="时限类型", choices=Task.DEADLINE_CHOICES, required=False)
    deadline_date = OfficeDateField(label="截止日期", required=False)
    deadline_event = forms.CharField(label="起算事件", max_length=200, required=False, help_text="如：文件成文")
    deadline_working_days = forms.IntegerField(label="工作日数", min_value=0, max_value=3650, required=False)
    deadline_every = forms.ChoiceField(label="周期", choices=Task.EVERY_CHOICES, required=False)

    def clean(self):
        data = super().clean()
        kind = data.get("deadline_kind")
        if kind == "date" and not data.get("deadline_date"):
            self.add_error("deadline_date", "请填写截止日期。")
        if kind == "after_event":
            if not data.get("deadline_event"):
                self.add_error("deadline_event", "请填写起算事件。")
            if data.get("deadline_working_days") is None:
                self.add_error("deadline_working_days", "请填写工作日数。")
        if kind == "recurring" and not data.get("deadline_every"):
            self.add_error("deadline_every", "请选择周期。")
        # Keep only the fields that belong to the chosen kind.
        keep = {"date": {"deadline_date"}, "after_event": {"deadline_event", "deadline_working_days"}, "recurring": {"deadline_every"}}.get(kind, set())
        for f in ("deadline_date", "deadline_event", "deadline_working_days", "deadline_every"):
            if f not in keep:
                data[f] = None if f in ("deadline_date", "deadline_working_days") else ""
        return data

    def values(self) -> dict:
        return {f: self.cleaned_data.get(f) for f in self.fields}


class TaskEditForm(DeadlineForm):
    requirement = forms.CharField(label="具体要求", widget=forms.Textarea(attrs={"rows": 4}))
    units_text = forms.CharField(label="牵头落实单位（原文）", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    deadline_text = forms.CharField(label="完成时限（原文）", max_length=300, required=False)
    note = forms.CharField(label="修改说明", max_length=300, required=False)

    field_order = ["requirement", "units_text", "deadline_text", "deadline_kind", "deadline_date", "deadline_event", "deadline_working_days", "deadline_every"]

    def __init__(self, *args, task: Task, **kwargs):
        if "initial" not in kwargs:
            kwargs["initial"] = {f: getattr(task, f) for f in self.field_order}
            current = list(task.assignments.all())
            kwargs["initial"]["lead_units"] = [a.unit_id for a in current if a.role == LEAD]
            kwargs["initial"]["responsible_units"] = [a.unit_id for a in current if a.role == RESPONSIBLE]
        super().__init__(*args, **kwargs)
        self.fields["lead_units"] = unit_field(task.plan.org, "牵头单位")
        self.fields["responsible_units"] = unit_field(task.plan.org, "负责落实单位")

    def clean(self):
        data = super().clean()
        both = set(data.get("lead_units") or []) & set(data.get("responsible_units") or [])
        if both:
            raise forms.ValidationError(f"同一单位不能既牵头又负责落实：{'、'.join(u.name for u in both)}。")
        return data

    def values(self) -> dict:
        return {f: self.cleaned_data.get(f) for f in self.field_order}


class PickUnitsForm(forms.Form):
    """Settle a vague group or an unknown name: pick the units it stands for."""

    role = forms.ChoiceField(label="职责", choices=ROLE_CHOICES)
    resolution = forms.CharField(label="处理说明", max_length=500, required=False)

    def __init__(self, *args, org, allow_alias: bool = False, subject: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.subject = subject
        self.fields["units"] = unit_field(org, "指定单位")
        self.fields["none"] = forms.BooleanField(label="不指定单位（该说法在本项中无需落实到具体单位）", required=False)
        if allow_alias:
            self.fields["make_alias"] = forms.BooleanField(label="把这个名称记为所选单位的别名（以后导入时自动识别）", required=False)

    def clean(self):
        data = super().clean()
        units = data.get("units") or []
        if not units and not data.get("none"):
            raise forms.ValidationError("请勾选单位，或勾选“不指定单位”。")
        if data.get("make_alias") and len(units) != 1:
            self.add_error("make_alias", "记为别名时只能选一个单位。")
        limit = UnitAlias._meta.get_field("alias").max_length
        if data.get("make_alias") and len(self.subject) > limit:
            self.add_error("make_alias", f"这个名称有{len(self.subject)}个字，超过别名{limit}字的上限，不能记为别名；可以只指定单位。")
        return data


class SettleForm(forms.Form):
    resolution = forms.CharField(label="处理说明", max_length=500, required=False)


class SetDeadlineForm(DeadlineForm):
    resolution = forms.CharField(label="处理说明", max_length=500, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("deadline_kind"):
            self.add_error("deadline_kind", "请选择时限类型。")
        return data

    def values(self) -> dict:
        return {f: self.cleaned_data.get(f) for f in ("deadline_kind", "deadline_date", "deadline_event", "deadline_working_days", "deadline_every")}


class DirectoryUploadForm(forms.Form):
    file = forms.FileField(label="名录 Excel 文件", help_text="先“导出 Excel”，修改后再导入；按单位名称更新，不会删除单位。")
