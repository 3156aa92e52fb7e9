from django.urls import path

from duban.instructions import views

urlpatterns = [
    path("tasks/<int:task_id>/instructions/", views.create, name="instruction_create"),
    path("units/<int:unit_id>/instructions/", views.create_for_unit, name="unit_instruction_create"),
]
