from __future__ import annotations

from django import forms
from django.utils import timezone

from duban.assessment.models import Deduction, Scheme
from duban.directory.models import Unit
from duban.plans.forms import OfficeDateField
from duban.workcal import clock


class AsOfForm(forms.Form):
    date = OfficeDateField(label="统计截止日期", required=False)

    def as_of(self):
        if self.is_valid() and self.cleaned_data.get("date"):
            return self.cleaned_data["date"]
        return clock.today()


class SchemeForm(forms.ModelForm):
    class Meta:
        model = Scheme
        fields = ["lead_points", "responsible_points", "late_penalty", "late_floor",
                  "grade_excellent", "grade_good", "grade_fair", "grade_poor", "return_deduction", "min_assessed"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["min_assessed"].required = False  # a form posted without it keeps the current value

    def clean_min_assessed(self):
        value = self.cleaned_data.get("min_assessed")
        return self.instance.min_assessed if value is None else value


class DeductionForm(forms.ModelForm):
    at = forms.DateTimeField(label="扣分时间", initial=timezone.now,
                             widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                             help_text="统计截止日期在此之前的考评不计入这笔扣分")

    class Meta:
        model = Deduction
        fields = ["unit", "points", "reason", "at"]

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(assignments__task__plan=plan, assignments__archived_at__isnull=True).distinct().order_by("sort_order", "name")
