from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "duban.directory"
    verbose_name = "单位名录"
    default_auto_field = "django.db.models.BigAutoField"
