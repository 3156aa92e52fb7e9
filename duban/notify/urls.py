from django.urls import path

from duban.notify import settings_views, views

urlpatterns = [
    path("messages/", views.message_list, name="messages"),
    path("messages/read-all/", views.mark_all_read, name="messages_read_all"),
    path("messages/<int:message_id>/", views.message_detail, name="message"),
    path("settings/webhooks/", settings_views.subscriptions, name="webhooks"),
    path("settings/webhooks/<int:subscription_id>/", settings_views.subscription, name="webhook"),
]
