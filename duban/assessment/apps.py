from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "duban.assessment"
    verbose_name = "考评与看板"
    default_auto_field = "django.db.models.BigAutoField"
