"""Who may call the API: the same rule as the pages, asked of duban.plans.access (no second policy here).

A user with a profile may read what access.visible_* gives them; leaders read only. Whether a user may
report on or review a particular assignment is decided by access.can_report/can_review, which the views
ask, and again by duban.progress.lifecycle itself."""
from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from duban.accounts.models import Profile
from duban.plans import access


class OfficeUser(BasePermission):
    """Signed in, with a role in an organisation; leaders (领导) read only."""

    message = "您没有权限执行此操作。"

    def has_permission(self, request, view):
        role = access.role(request.user)
        if role is None:
            return False
        return request.method in SAFE_METHODS or role != Profile.LEADER


class DirectoryReader(OfficeUser):
    """The unit groups, like the directory page: coordinators and leaders."""

    message = "只有协调人和领导可以查看单位组。"

    def has_permission(self, request, view):
        return super().has_permission(request, view) and access.can_read_all(request.user)
