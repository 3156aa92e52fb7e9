from django.urls import path

from duban.assessment import views

urlpatterns = [
    path("dashboard/", views.dashboard_home, name="dashboard_home"),
    path("assessment/", views.assessment_home, name="assessment_home"),
    path("plans/<int:plan_id>/dashboard/", views.dashboard, name="dashboard"),
    path("plans/<int:plan_id>/assessment/", views.ranking, name="ranking"),
    path("plans/<int:plan_id>/assessment/units/<int:unit_id>/", views.unit_score, name="unit_score"),
    path("plans/<int:plan_id>/assessment/scheme/", views.scheme_edit, name="scheme"),
    path("plans/<int:plan_id>/assessment/deductions/", views.deductions, name="deductions"),
    path("plans/<int:plan_id>/assessment/deductions/<int:deduction_id>/delete/", views.deduction_delete, name="deduction_delete"),
]
