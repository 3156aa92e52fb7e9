from __future__ import annotations

from django import forms

from duban.exports.models import ExportJob
from duban.plans.forms import OfficeDateField, QueryForm

FORMATS = [("docx", "Word（.docx）"), ("xlsx", "Excel（.xlsx）")]


class ExportForm(forms.Form):
    kind = forms.ChoiceField(choices=ExportJob.KIND_CHOICES)
    fmt = forms.ChoiceField(choices=FORMATS, initial="docx")
    unit = forms.IntegerField(required=False)
    as_of = OfficeDateField(required=False)
    date = OfficeDateField(required=False)
    sign = forms.ChoiceField(choices=[("issuer", "发文机关和日期"), ("date", "只写日期"), ("none", "不署名")], required=False)
    appendix = forms.BooleanField(required=False)


class BulletinQueryForm(QueryForm):
    """The bulletin page's query string: the date to count to and the format to preselect."""

    as_of = OfficeDateField(label="统计截止日期", required=False)
    fmt = forms.ChoiceField(label="格式", choices=FORMATS, required=False)
    threshold = forms.DecimalField(label="通报批评阈值", min_value=0, max_value=100, max_digits=5, decimal_places=1, required=False)
    bulletin = forms.IntegerField(label="已印发的通报", min_value=1, max_value=2**31 - 1, required=False)


class BulletinForm(forms.Form):
    fmt = forms.ChoiceField(label="格式", choices=FORMATS, initial="docx")
    as_of = OfficeDateField(label="统计截止日期")
    threshold = forms.DecimalField(label="通报批评阈值：按时完成率低于（%）", min_value=0, max_value=100, max_digits=5,
                                   decimal_places=1, initial=60,
                                   help_text="有逾期未完成任务且按时完成率低于此值的单位列入通报批评（已报送待审核的不算逾期；发文机关本身不列入）。改后点“按阈值重新列出”。")
    doc_number = forms.CharField(label="文号", max_length=100, required=False,
                                 help_text="可不填。正式印发时按本机构本年度已印发的通报自动编期号（如“第3期”）；预览不占用期号。")
    date = OfficeDateField(label="成文日期")
    title = forms.CharField(label="标题", max_length=200)
    issuer = forms.CharField(label="发文机关（署名）", max_length=200, widget=forms.TextInput(attrs={"size": 28}))
    addressee = forms.CharField(label="主送", max_length=300, required=False, widget=forms.TextInput(attrs={"size": 34}))
    named = forms.CharField(
        label="通报的单位", required=False, widget=forms.Textarea(attrs={"rows": 8}),
        help_text="每行一个：单位｜类别｜事由。已按统计截止日期和阈值列出：到期任务全部按时完成的单位（通报表扬）、低于阈值且有逾期任务的单位（通报批评），可增删修改。")
    requirements = forms.CharField(label="下一步工作要求", required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="每段一行")
    rectify_by = OfficeDateField(label="整改期限", required=False)
    contact = forms.CharField(label="联系人及电话", max_length=100, required=False)
    publicity = forms.ChoiceField(label="公开属性", choices=[("此件公开发布", "公开发布"), ("此件依申请公开", "依申请公开"),
                                                        ("此件不予公开", "不予公开")], initial="此件公开发布")
    cc = forms.CharField(label="抄送", max_length=300, required=False, help_text="用逗号分隔")
    with_score = forms.BooleanField(label="各单位表格中列出考评得分", required=False)
    bulletin = forms.IntegerField(required=False, widget=forms.HiddenInput)  # regenerating an issued one

    def params(self) -> dict:
        d = dict(self.cleaned_data)
        d["as_of"], d["date"] = d["as_of"].isoformat(), d["date"].isoformat()
        d["rectify_by"] = d["rectify_by"].isoformat() if d.get("rectify_by") else ""
        d["threshold"] = float(d["threshold"]) if d.get("threshold") is not None else None
        d.pop("bulletin", None)
        return d
