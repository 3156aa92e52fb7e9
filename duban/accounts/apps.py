from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "duban.accounts"
    verbose_name = "用户与角色"
    default_auto_field = "django.db.models.BigAutoField"


class DubanAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with a site that admits superusers only (duban.accounts.admin_site)."""

    default = False
    default_site = "duban.accounts.admin_site.SuperuserAdminSite"
