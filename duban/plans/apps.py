from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "duban.plans"
    verbose_name = "分工方案"
    default_auto_field = "django.db.models.BigAutoField"
