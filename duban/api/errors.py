"""Errors in Chinese: DRF translates its own messages (zh-hans); a 404 from get_object_or_404 would name
the model in English ("No Plan matches the given query."), so it gets one message that says nothing of
whether the object exists in another organisation."""
from __future__ import annotations

from django.http import Http404
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_handler


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("未找到，或您无权查看。")
    return drf_handler(exc, context)
