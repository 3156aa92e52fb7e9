"""Passwords that must be changed at the next login.

`require_change(user)` after giving a user a generated or reset password (duban demo_users, the admin,
the coordinator's user pages); the middleware then sends them to the change-password page until they
have chosen their own.
"""
from __future__ import annotations

from django.utils import timezone

from duban.audit.models import PasswordState


def require_change(user) -> None:
    PasswordState.objects.update_or_create(user=user, defaults={"must_change": True})


def must_change(user) -> bool:
    return PasswordState.objects.filter(user=user, must_change=True).exists()


def changed(user) -> None:
    PasswordState.objects.update_or_create(user=user, defaults={"must_change": False, "changed_at": timezone.now()})
