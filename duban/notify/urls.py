from django.urls import path

from duban.notify import views

urlpatterns = [
    path("messages/", views.message_list, name="messages"),
    path("messages/read-all/", views.mark_all_read, name="messages_read_all"),
    path("messages/<int:message_id>/", views.message_detail, name="message"),
]
