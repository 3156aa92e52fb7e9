from django.urls import path

from duban.progress import views

urlpatterns = [
    path("assignments/<int:assignment_id>/", views.assignment_detail, name="assignment"),
    path("assignments/<int:assignment_id>/start/", views.start, name="assignment_start"),
    path("assignments/<int:assignment_id>/report/", views.submit, name="assignment_submit"),
    path("assignments/<int:assignment_id>/accept/", views.accept, name="assignment_accept"),
    path("assignments/<int:assignment_id>/return/", views.return_, name="assignment_return"),
    path("assignments/<int:assignment_id>/due/", views.override_due, name="assignment_due"),
    path("assignments/<int:assignment_id>/acknowledge/", views.acknowledge, name="assignment_acknowledge"),
    path("assignments/<int:assignment_id>/exempt/", views.exempt, name="assignment_exempt"),
    path("assignments/<int:assignment_id>/exempt/approve/", views.approve_exempt, name="assignment_exempt_approve"),
    path("assignments/<int:assignment_id>/extension/", views.extension, name="assignment_extension"),
    path("assignments/<int:assignment_id>/extension/decide/", views.extension_decide, name="assignment_extension_decide"),
    path("units/<int:unit_id>/acknowledge/", views.acknowledge_all, name="unit_acknowledge"),
    path("units/<int:unit_id>/report/", views.batch_report, name="unit_report"),
    path("tasks/<int:task_id>/report-scope/", views.report_scope, name="task_report_scope"),
    path("tasks/<int:task_id>/close-responsible/", views.close_not_required, name="task_close_responsible"),
    path("attachments/<int:attachment_id>/", views.download, name="attachment"),
    path("review-queue/", views.review_queue, name="review_queue"),
    path("review-queue/export.xlsx", views.review_queue_export, name="review_queue_export"),
    path("tasks/<int:task_id>/event-date/", views.event_date, name="task_event_date"),
]
