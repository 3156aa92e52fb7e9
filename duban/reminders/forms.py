from django import forms

from duban.reminders.models import ReminderRule, parse_days_before


class ReminderRuleForm(forms.ModelForm):
    class Meta:
        model = ReminderRule
        fields = ["days_before", "on_due_day", "escalate", "escalate_every", "head_after", "deputy_after", "yellow_days", "report_period", "period_opens", "period_grace", "by_email", "by_inbox", "by_webhook"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # left out (a form from before the escalation levels or the reporting windows): kept as they are
        for name in ("head_after", "deputy_after", "period_opens", "period_grace"):
            self.fields[name].required = False

    def clean_days_before(self):
        return ",".join(map(str, parse_days_before(self.cleaned_data["days_before"])))

    def clean_head_after(self):
        return self.cleaned_data["head_after"] or self.instance.head_after

    def clean_deputy_after(self):
        return self.cleaned_data["deputy_after"] or self.instance.deputy_after

    def clean_period_opens(self):
        value = self.cleaned_data["period_opens"]
        return self.instance.period_opens if value is None else value  # 0 is a setting: the window opens on the due date

    def clean_period_grace(self):
        value = self.cleaned_data["period_grace"]
        return self.instance.period_grace if value is None else value
