from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "duban.progress"
    verbose_name = "进展报送与审核"
    default_auto_field = "django.db.models.BigAutoField"
