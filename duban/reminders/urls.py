from django.urls import path

from duban.reminders import views

urlpatterns = [
    path("overview/", views.overview, name="overview"),
    path("overview/export.xlsx", views.overview_export, name="overview_export"),
    path("overview/urge/<int:unit_id>/", views.urge, name="urge"),
    path("overview/urge-red/", views.urge_red, name="urge_red"),
    path("tasks/<int:task_id>/urge/", views.urge_task, name="urge_task"),
    path("plans/<int:plan_id>/reminders/", views.rule_edit, name="reminder_rule"),
]
