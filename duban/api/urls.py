"""/api/: the schema, its browsable docs, and version 1 of the API."""
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from duban.api import views

app_name = "api"

v1 = [
    path("plans/", views.PlanList.as_view(), name="plans"),
    path("plans/<int:plan_id>/", views.PlanDetail.as_view(), name="plan"),
    path("plans/<int:plan_id>/figures/", views.PlanFigures.as_view(), name="figures"),
    path("assignments/", views.AssignmentList.as_view(), name="assignments"),
    path("assignments/<int:assignment_id>/", views.AssignmentDetail.as_view(), name="assignment"),
    path("assignments/<int:assignment_id>/reports/", views.AssignmentReports.as_view(), name="assignment_reports"),
    path("assignments/<int:assignment_id>/accept/", views.Accept.as_view(), name="accept"),
    path("assignments/<int:assignment_id>/return/", views.Return.as_view(), name="return"),
    path("reports/", views.ReportList.as_view(), name="reports"),
    path("reports/<int:report_id>/", views.ReportDetail.as_view(), name="report"),
    path("attachments/<int:attachment_id>/", views.AttachmentDownload.as_view(), name="attachment"),
    path("units/", views.UnitList.as_view(), name="units"),
    path("units/<int:unit_id>/", views.UnitDetail.as_view(), name="unit"),
    path("groups/", views.GroupList.as_view(), name="groups"),
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The Swagger UI from drf-spectacular-sidecar's static files, its settings in a separate script
    # (?script), and a template without inline styles: the page passes the site's Content-Security-Policy.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"), name="docs"),
    path("v1/", include(v1)),
]
