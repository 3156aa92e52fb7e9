from __future__ import annotations

from django import forms
from django.conf import settings

from duban.directory.models import Unit, UnitAlias
from duban.plans.editing import EDITABLE_FIELDS
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


class PlanQueryForm(QueryForm):
    """?plan=<id>: the plan selector of 看板, 考评, 文书 and 总览 (a bad id is ignored: the newest plan)."""

    plan = IdField(label="方案")


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

    def _check_values(self, value):
        # An id the database cannot hold would overflow the `pk__in` query (a 500): it is simply not a choice.
        for v in value:
            if not str(v).isdigit() or not 0 < int(v) < 2**63:
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": v})
        return super()._check_values(value)

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


class UnitsMixin(forms.Form):
    """Lead and responsible units picked from the directory, never one unit in both roles."""

    @staticmethod
    def units_initial(task: Task) -> dict:
        current = list(task.assignments.all())
        return {"lead_units": [a.unit_id for a in current if a.role == LEAD],
                "responsible_units": [a.unit_id for a in current if a.role == RESPONSIBLE]}

    def setup_units(self, org):
        self.fields["lead_units"] = unit_field(org, "牵头单位")
        self.fields["responsible_units"] = unit_field(org, "负责落实单位")

    def clean(self):
        data = super().clean()
        both = set(data.get("lead_units") or []) & set(data.get("responsible_units") or [])
        if both:
            raise forms.ValidationError(f"同一单位不能既牵头又负责落实：{'、'.join(u.name for u in both)}。")
        return data

    def wanted_units(self) -> dict:
        wanted = {u: LEAD for u in self.cleaned_data.get("lead_units") or []}
        wanted.update({u: RESPONSIBLE for u in self.cleaned_data.get("responsible_units") or []})
        return wanted

    def chosen(self, name) -> set[int]:
        return {int(v) for v in (self[name].value() or []) if str(v).isdigit()}


class TaskEditForm(UnitsMixin, DeadlineForm):
    requirement = forms.CharField(label="具体要求", widget=forms.Textarea(attrs={"rows": 4}))
    units_text = forms.CharField(label="牵头落实单位（原文）", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    deadline_text = forms.CharField(label="完成时限（原文）", max_length=300, required=False)
    note = forms.CharField(label="修改说明", max_length=300, required=False)

    field_order = EDITABLE_FIELDS

    def __init__(self, *args, task: Task, **kwargs):
        if "initial" not in kwargs:
            kwargs["initial"] = {f: getattr(task, f) for f in EDITABLE_FIELDS} | self.units_initial(task)
        super().__init__(*args, **kwargs)
        self.setup_units(task.plan.org)

    def values(self) -> dict:
        return {f: self.cleaned_data.get(f) for f in EDITABLE_FIELDS}


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
    file = forms.FileField(label="名录 Excel 文件", help_text="先“导出 Excel”，修改后再导入；按名称更新，不会删除单位、别名和联系人。不再使用的单位或联系人，在“启用”列填“否”即停用（记录保留，不再收到提醒）。")


# --- changing a plan's structure (duban.plans.structure) ------------------------------------------

MAX_TASK_NO = 99999
SECTION_SEPARATORS = r"\s*[›>/／]\s*"


class TaskNoField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "序号")
        super().__init__(min_value=1, max_value=MAX_TASK_NO, error_messages={
            "invalid": "序号应为整数。", "min_value": "序号应不小于 1。", "max_value": f"序号应不大于 {MAX_TASK_NO}。",
        }, **kwargs)


class TaskChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, task):
        return f"第{task.no}项：{task.requirement[:40]}"


class SectionPickMixin(forms.Form):
    """A section of the plan, or a new heading path typed in ("一级 › 二级")."""

    section = forms.ChoiceField(label="工作任务（章节）", required=False)
    new_section = forms.CharField(label="或新的工作任务", max_length=600, required=False,
                                  help_text="多级用“›”或“/”分隔，如：深化重点领域信息公开 › 推进规划公开。填写后以此为准。")

    def setup_sections(self, plan, blank_label: str = "（无）"):
        from duban.plans.models import Section

        self.sections = {str(s.pk): s for s in Section.objects.filter(plan=plan).select_related("parent", "parent__parent")}
        self.fields["section"].choices = [("", blank_label)] + [(pk, " › ".join(s.path())) for pk, s in self.sections.items()]

    def section_path(self) -> list[str]:
        import re

        typed = (self.cleaned_data.get("new_section") or "").strip()
        if typed:
            return [p for p in re.split(SECTION_SEPARATORS, typed) if p.strip()]
        s = self.sections.get(self.cleaned_data.get("section") or "")
        return s.path() if s else []


class SplitForm(UnitsMixin, DeadlineForm):
    first_requirement = forms.CharField(label="本项的具体要求", widget=forms.Textarea(attrs={"rows": 4}))
    no = TaskNoField(label="新任务的序号", help_text="该序号已有任务时，它和后面的任务依次后移一位。")
    requirement = forms.CharField(label="新任务的具体要求", widget=forms.Textarea(attrs={"rows": 4}))
    units_text = forms.CharField(label="新任务的牵头落实单位（原文）", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    deadline_text = forms.CharField(label="新任务的完成时限（原文）", max_length=300, required=False)
    note = forms.CharField(label="修改说明", max_length=300, required=False)

    def __init__(self, *args, task: Task, **kwargs):
        if "initial" not in kwargs:
            kwargs["initial"] = {f: getattr(task, f) for f in EDITABLE_FIELDS if f != "requirement"}
            kwargs["initial"] |= {"first_requirement": task.requirement, "no": task.no + 1} | self.units_initial(task)
        super().__init__(*args, **kwargs)
        self.setup_units(task.plan.org)

    def new_values(self) -> dict:
        return {f: self.cleaned_data.get(f) for f in EDITABLE_FIELDS}


class AddTaskForm(UnitsMixin, SectionPickMixin, DeadlineForm):
    no = TaskNoField(help_text="该序号已有任务时，它和后面的任务依次后移一位。")
    requirement = forms.CharField(label="具体要求", widget=forms.Textarea(attrs={"rows": 4}))
    units_text = forms.CharField(label="牵头落实单位（原文）", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    deadline_text = forms.CharField(label="完成时限（原文）", max_length=300, required=False)
    note = forms.CharField(label="修改说明", max_length=300, required=False)

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_sections(plan)
        self.setup_units(plan.org)

    def new_values(self) -> dict:
        return {f: self.cleaned_data.get(f) for f in EDITABLE_FIELDS}


class MergeForm(forms.Form):
    other = TaskChoiceField(label="并入本项的任务", queryset=Task.objects.none(), empty_label="（请选择）",
                            error_messages={"invalid_choice": "请选择本方案中的另一项任务。", "required": "请选择要并入的任务。"})
    note = forms.CharField(label="修改说明", max_length=300, required=False)

    def __init__(self, *args, task: Task, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].queryset = Task.objects.filter(plan=task.plan_id).exclude(pk=task.pk).order_by("no")


class MoveForm(SectionPickMixin):
    note = forms.CharField(label="修改说明", max_length=300, required=False)

    def __init__(self, *args, task: Task, **kwargs):
        kwargs.setdefault("initial", {"section": str(task.section_id or "")})
        super().__init__(*args, **kwargs)
        self.setup_sections(task.plan, blank_label="（不属于任何工作任务）")


class RenumberForm(forms.Form):
    new_no = TaskNoField(label="改为第几项", help_text="该序号已有任务时，中间的任务依次顺移一位。")
    note = forms.CharField(label="修改说明", max_length=300, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", required=False)  # cut to 300 characters by the view


class RestoreForm(forms.Form):
    no = TaskNoField(label="恢复为第几项", required=False, help_text="不填则用原序号；原序号已被占用时须填写。")


class PlanRenumberForm(forms.Form):
    """将第N项改为第M项, from the review page."""

    from_no = TaskNoField(label="将第")
    new_no = TaskNoField(label="项改为第")


class CarryOverForm(forms.Form):
    """结转上年未完成任务: which of the previous plan's unfinished assignments, and onto which task of this plan."""

    a = forms.TypedMultipleChoiceField(label="上年未完成的任务分工", coerce=int, error_messages={
        "required": "请至少勾选一项上年未完成的任务分工。",
        "invalid_choice": "所选任务分工中有的已办结、已结转或不属于上年方案，请刷新页面后重新勾选。",
    })
    target = forms.TypedChoiceField(label="结转到", coerce=int, required=False, empty_value=None, error_messages={
        "invalid_choice": "请选择本方案的任务，或“新建结转任务”。",
    })

    def __init__(self, *args, candidates=(), tasks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["a"].choices = [(str(c.pk), str(c.pk)) for c in candidates]
        self.fields["target"].choices = [("", "新建结转任务（“上年结转任务”部分，每项上年任务一项）")] + [
            (str(t.pk), f"第{t.no}项：{t.requirement[:40]}") for t in tasks]
