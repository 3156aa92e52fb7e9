from django.apps import AppConfig


class WorkcalConfig(AppConfig):
    name = "duban.workcal"
    verbose_name = "工作日历"
    default_auto_field = "django.db.models.BigAutoField"
