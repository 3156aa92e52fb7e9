from django import forms

from duban.reminders.models import ReminderRule, parse_days_before


class ReminderRuleForm(forms.ModelForm):
    class Meta:
        model = ReminderRule
        fields = ["days_before", "on_due_day", "escalate", "escalate_every", "yellow_days", "report_period", "by_email", "by_inbox", "by_webhook"]

    def clean_days_before(self):
        return ",".join(map(str, parse_days_before(self.cleaned_data["days_before"])))
