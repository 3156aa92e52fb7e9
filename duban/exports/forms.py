from __future__ import annotations

from django import forms

from duban.exports.models import ExportJob
from duban.plans.forms import QueryForm

FORMATS = [("docx", "Word（.docx）"), ("xlsx", "Excel（.xlsx）")]


class ExportForm(forms.Form):
    kind = forms.ChoiceField(choices=ExportJob.KIND_CHOICES)
    fmt = forms.ChoiceField(choices=FORMATS, initial="docx")
    unit = forms.IntegerField(required=False)
    as_of = forms.DateField(required=False)
    date = forms.DateField(required=False)


class BulletinQueryForm(QueryForm):
    """The bulletin page's query string: the date to count to and the format to preselect."""

    as_of = forms.DateField(label="统计截止日期", required=False)
    fmt = forms.ChoiceField(label="格式", choices=FORMATS, required=False)


class BulletinForm(forms.Form):
    fmt = forms.ChoiceField(label="格式", choices=FORMATS, initial="docx")
    as_of = forms.DateField(label="统计截止日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    doc_number = forms.CharField(label="文号／期号", max_length=100, required=False, help_text="如“第3期”或“西政办督〔2021〕3号”")
    date = forms.DateField(label="成文日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    title = forms.CharField(label="标题", max_length=200)
    issuer = forms.CharField(label="发文机关（署名）", max_length=200, widget=forms.TextInput(attrs={"size": 28}))
    addressee = forms.CharField(label="主送", max_length=300, required=False, widget=forms.TextInput(attrs={"size": 34}))
    named = forms.CharField(
        label="通报的单位", required=False, widget=forms.Textarea(attrs={"rows": 8}),
        help_text="每行一个：单位｜类别｜事由。已按统计截止日期自动列出有逾期任务的单位（通报批评）和到期任务全部按时完成的单位（通报表扬），可增删修改。")
    requirements = forms.CharField(label="下一步工作要求", required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="每段一行")
    cc = forms.CharField(label="抄送", max_length=300, required=False, help_text="用逗号分隔")
    with_score = forms.BooleanField(label="各单位表格中列出考评得分", required=False)

    def params(self) -> dict:
        d = dict(self.cleaned_data)
        d["as_of"], d["date"] = d["as_of"].isoformat(), d["date"].isoformat()
        return d
