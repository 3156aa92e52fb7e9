from django.urls import path

from duban.accounts import oidc, views

urlpatterns = [
    path("accounts/users/", views.user_list, name="users"),
    path("accounts/users/new/", views.user_new, name="user_new"),
    path("accounts/users/<int:user_id>/", views.user_detail, name="user_detail"),
    path("accounts/users/<int:user_id>/unit/", views.change_unit, name="user_unit"),
    path("accounts/users/<int:user_id>/external-id/", views.change_external_id, name="user_external_id"),
    path("accounts/users/<int:user_id>/work-ids/", views.change_work_ids, name="user_work_ids"),
    path("accounts/users/<int:user_id>/password/", views.reset_password, name="user_password"),
    path("accounts/users/<int:user_id>/deactivate/", views.deactivate, name="user_deactivate"),
    path("accounts/users/<int:user_id>/activate/", views.activate, name="user_activate"),
    # 统一身份认证 (OpenID Connect): 404 unless configured (DUBAN_OIDC_*)
    path("oidc/authenticate/", oidc.Authenticate.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", oidc.Callback.as_view(), name="oidc_callback"),
]
