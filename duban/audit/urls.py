from django.urls import path

from duban.audit import views

urlpatterns = [
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("audit/", views.audit_list, name="audit"),
    path("audit/export.xlsx", views.audit_export, name="audit_export"),
    path("audit/unlock/<int:lockout_id>/", views.unlock, name="audit_unlock"),
]
