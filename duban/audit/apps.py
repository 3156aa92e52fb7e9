from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "duban.audit"
    verbose_name = "安全与审计"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from duban.audit import signals  # noqa: F401  (login, logout and failed-login records)
