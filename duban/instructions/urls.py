from django.urls import path

from duban.instructions import views

urlpatterns = [
    path("tasks/<int:task_id>/instructions/", views.create, name="instruction_create"),
]
