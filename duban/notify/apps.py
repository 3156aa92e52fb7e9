from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "duban.notify"
    verbose_name = "通知"
    default_auto_field = "django.db.models.BigAutoField"
