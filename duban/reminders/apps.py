from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "duban.reminders"
    verbose_name = "提醒与催办"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from duban.reminders import signals  # noqa: F401 — connects the receivers
