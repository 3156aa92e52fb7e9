from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "duban.exports"
    verbose_name = "文书导出"
    default_auto_field = "django.db.models.BigAutoField"
