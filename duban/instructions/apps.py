from django.apps import AppConfig


class InstructionsConfig(AppConfig):
    name = "duban.instructions"
    verbose_name = "领导批示"
    default_auto_field = "django.db.models.BigAutoField"
