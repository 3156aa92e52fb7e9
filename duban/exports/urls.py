from django.urls import path

from duban.exports import views

urlpatterns = [
    path("documents/", views.documents_home, name="documents_home"),
    path("plans/<int:plan_id>/documents/", views.documents, name="documents"),
    path("plans/<int:plan_id>/documents/new/", views.export_new, name="export_new"),
    path("plans/<int:plan_id>/documents/bulletin/", views.bulletin, name="bulletin"),
    path("exports/<int:job_id>/", views.job_detail, name="export_job"),
    path("exports/<int:job_id>/download/", views.job_download, name="export_download"),
]
