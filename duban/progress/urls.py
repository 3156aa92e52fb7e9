from django.urls import path

from duban.progress import views

urlpatterns = [
    path("assignments/<int:assignment_id>/", views.assignment_detail, name="assignment"),
    path("assignments/<int:assignment_id>/start/", views.start, name="assignment_start"),
    path("assignments/<int:assignment_id>/report/", views.submit, name="assignment_submit"),
    path("assignments/<int:assignment_id>/accept/", views.accept, name="assignment_accept"),
    path("assignments/<int:assignment_id>/return/", views.return_, name="assignment_return"),
    path("assignments/<int:assignment_id>/due/", views.override_due, name="assignment_due"),
    path("attachments/<int:attachment_id>/", views.download, name="attachment"),
    path("review-queue/", views.review_queue, name="review_queue"),
    path("tasks/<int:task_id>/event-date/", views.event_date, name="task_event_date"),
]
