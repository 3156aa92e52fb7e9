from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from duban.api import pages as api_pages
from duban.audit import views as audit
from duban.directory import views as directory
from duban.plans import views as plans

urlpatterns = [
    path("", plans.home, name="home"),
    path("login/", audit.LoginView.as_view(), name="login"),  # throttled, with the lockout message (duban.audit)
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("plans/", plans.plan_list, name="plans"),
    path("plans/upload/", plans.upload, name="upload"),
    path("plans/upload/template.xlsx", plans.upload_template, name="upload_template"),
    path("plans/upload/<str:token>/", plans.upload_confirm, name="upload_confirm"),
    path("plans/imports/<int:job_id>/", plans.import_job, name="import_job"),
    path("plans/<int:plan_id>/", plans.plan_detail, name="plan"),
    path("plans/<int:plan_id>/print/", plans.plan_print, name="plan_print"),
    path("plans/<int:plan_id>/source/", plans.plan_source, name="plan_source"),
    path("plans/<int:plan_id>/review/", plans.review, name="review"),
    path("warnings/<int:warning_id>/", plans.settle_warning, name="settle"),
    path("warnings/<int:warning_id>/checked/", plans.settle_quick, name="settle_quick"),
    path("tasks/<int:task_id>/", plans.task_detail, name="task"),
    path("tasks/<int:task_id>/edit/", plans.task_edit, name="task_edit"),
    path("tasks/<int:task_id>/split/", plans.task_split, name="task_split"),
    path("tasks/<int:task_id>/merge/", plans.task_merge, name="task_merge"),
    path("tasks/<int:task_id>/move/", plans.task_move, name="task_move"),
    path("tasks/<int:task_id>/renumber/", plans.task_renumber, name="task_renumber"),
    path("tasks/<int:task_id>/delete/", plans.task_delete, name="task_delete"),
    path("tasks/<int:task_id>/restore/", plans.task_restore, name="task_restore"),
    path("plans/<int:plan_id>/tasks/add/", plans.task_add, name="task_add"),
    path("plans/<int:plan_id>/renumber/", plans.plan_renumber, name="plan_renumber"),
    path("plans/<int:plan_id>/carry-over/", plans.plan_carry_over, name="plan_carry_over"),
    path("assignments/<int:assignment_id>/restore/", plans.assignment_restore, name="assignment_restore"),
    path("units/<int:unit_id>/", plans.unit_detail, name="unit"),
    path("units/<int:unit_id>/archived/", plans.unit_archived, name="unit_archived"),
    path("directory/", directory.directory, name="directory"),
    path("directory/export.xlsx", directory.export, name="directory_export"),
    path("directory/import/", directory.upload, name="directory_import"),
    path("", include("duban.progress.urls")),
    path("", include("duban.reminders.urls")),
    path("", include("duban.assessment.urls")),
    path("", include("duban.exports.urls")),
    path("", include("duban.accounts.urls")),
    path("", include("duban.audit.urls")),
    path("", include("duban.notify.urls")),
    path("", include("duban.instructions.urls")),
    path("accounts/tokens/", api_pages.tokens, name="api_tokens"),
    path("accounts/tokens/new/", api_pages.token_new, name="api_token_new"),
    path("accounts/tokens/<int:token_id>/revoke/", api_pages.token_revoke, name="api_token_revoke"),
    path("api/", include("duban.api.urls")),
    path("admin/", admin.site.urls),
]
