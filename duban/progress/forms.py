from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from duban.plans.forms import OfficeDateField
from duban.plans.models import Task
from duban.progress import evidence
from duban.progress.models import GRADE_CHOICES, http_url

LINK_ROWS = 5  # the first is shown, the others under "添加更多链接"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class ReportForm(forms.Form):
    text = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={"rows": 5}), max_length=5000,
                           help_text="做了什么、在哪里公开、公开了多少条。")
    published_on = OfficeDateField(label="公开发布日期", required=False)
    files = MultipleFileField(
        label="佐证材料", required=False,
        help_text=f"可选多个文件，最多 {evidence.MAX_FILES} 个，每个不超过 {evidence.max_bytes() // evidence.MB} MB；支持 {evidence.ALLOWED_TEXT}。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, LINK_ROWS + 1):
            self.fields[f"url_{i}"] = forms.CharField(
                label="公开网址" if i == 1 else f"网址 {i}", required=False, max_length=1000,
                widget=forms.URLInput(attrs={"placeholder": "https://"}),
            )
            self.fields[f"title_{i}"] = forms.CharField(label="说明", required=False, max_length=200)

    def link_rows(self):
        return [(self[f"url_{i}"], self[f"title_{i}"]) for i in range(1, LINK_ROWS + 1)]

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        evidence.check_all(files)  # the same check submit() makes; here it puts the message next to the field
        return files

    def clean(self):
        data = super().clean()
        for i in range(1, LINK_ROWS + 1):
            url = (data.get(f"url_{i}") or "").strip()
            if url:
                try:
                    http_url(url)
                except ValidationError as exc:
                    self.add_error(f"url_{i}", exc)
        return data

    def links(self) -> list[tuple[str, str]]:
        d = self.cleaned_data
        return [(d[f"url_{i}"].strip(), d.get(f"title_{i}", "")) for i in range(1, LINK_ROWS + 1) if (d.get(f"url_{i}") or "").strip()]


class AcceptForm(forms.Form):
    grade = forms.ChoiceField(label="评价", choices=GRADE_CHOICES, widget=forms.RadioSelect, initial="good")
    note = forms.CharField(label="审核意见", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ReturnForm(forms.Form):
    reason = forms.CharField(label="退回理由", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "请填写退回理由。"})


class EventDateForm(forms.Form):
    event_date = OfficeDateField(label="起算事件日期",
                                 error_messages={"required": "请填写日期。", "invalid": "请填写有效的日期。"})


class DueOverrideForm(forms.Form):
    """The coordinator's due date for one assignment. It opens on the date in force (ISO, as a date input needs),
    so saving it again keeps that date; an adjusted date is removed only by ticking ``restore``, never by an
    empty field (a browser that cannot show the value sends it empty)."""

    due_override = OfficeDateField(label="调整后的完成日期", required=False,
                                   error_messages={"invalid": "请填写有效的日期。"})
    restore = forms.BooleanField(label="取消调整，恢复按任务时限计算", required=False)
    reason = forms.CharField(label="调整理由", max_length=300, error_messages={"required": "请填写调整理由。"})

    def __init__(self, *args, assignment=None, **kwargs):
        if assignment is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = {"due_override": assignment.due_override or assignment.due_date}
        super().__init__(*args, **kwargs)
        if assignment is not None and not assignment.due_override:
            del self.fields["restore"]  # nothing to restore

    def clean(self):
        data = super().clean()
        if not data.get("restore") and not data.get("due_override") and "due_override" not in self.errors:
            self.add_error("due_override", "请填写调整后的完成日期。" + ("要恢复按任务时限计算，请勾选“取消调整”。" if "restore" in self.fields else ""))
        return data

    def day(self):
        """The date to set; None to restore the task's own due date."""
        return None if self.cleaned_data.get("restore") else self.cleaned_data["due_override"]

class ExemptForm(forms.Form):
    reason = forms.CharField(label="不涉及的理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="说明本单位为何不涉及此项工作，区政府办公室核准后不再计入统计。",
                             error_messages={"required": "请填写不涉及的理由。"})


class ExtensionForm(forms.Form):
    new_due = OfficeDateField(label="申请延至", error_messages={"required": "请填写申请延至的日期。", "invalid": "请填写有效的日期。"})
    reason = forms.CharField(label="延期理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "请填写延期理由。"})


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(label="审批", choices=[("approve", "同意延期"), ("reject", "不同意")], widget=forms.RadioSelect,
                                 error_messages={"required": "请选择同意或不同意。", "invalid_choice": "请选择同意或不同意。"})
    note = forms.CharField(label="审批意见", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="不同意时必填。")

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", "请填写不同意延期的理由。")
        return data


class ReportScopeForm(forms.Form):
    scope = forms.ChoiceField(label="报送范围", choices=Task.REPORT_SCOPE_CHOICES,
                              error_messages={"required": "请选择报送范围。", "invalid_choice": "请选择报送范围。"})
