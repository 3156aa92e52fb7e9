"""Error pages in Chinese, with a way back to 首页, when DEBUG is off (as in production)."""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import include, path


def _boom(request):
    raise RuntimeError("deliberate")


def _bad(request):
    raise SuspiciousOperation("deliberate")


def _forbidden(request):
    raise PermissionDenied("只有协调人可以做这件事。")


# This module doubles as a URLconf: the real one plus three views that fail on purpose.
urlpatterns = [
    path("boom/", _boom),
    path("bad/", _bad),
    path("forbidden/", _forbidden),
    path("", include("duban.urls")),
]


@pytest.fixture
def production(settings):
    settings.DEBUG = False


def test_missing_page_is_the_chinese_404(client, production, coordinator):
    r = client.get("/no-such-page/")
    body = r.content.decode()
    assert r.status_code == 404 and "页面不存在" in body and 'href="/"' in body and "返回首页" in body
    assert "Not Found" not in body
    client.force_login(coordinator)
    r = client.get("/plans/999999/")
    assert r.status_code == 404 and "页面不存在" in r.content.decode()


@pytest.mark.urls("tests.web.test_error_pages")
def test_forbidden_bad_request_and_server_error_pages(client, production, db):
    r = client.get("/forbidden/")
    assert r.status_code == 403 and "无权访问" in r.content.decode() and "只有协调人可以做这件事。" in r.content.decode()
    r = client.get("/bad/")
    assert r.status_code == 400 and "请求有误" in r.content.decode() and "返回首页" in r.content.decode()
    client.raise_request_exception = False
    r = client.get("/boom/")
    assert r.status_code == 500 and "系统出错" in r.content.decode() and 'href="/"' in r.content.decode()


def test_csrf_failure_page_is_chinese(db, production):
    from django.test import Client

    r = Client(enforce_csrf_checks=True).post("/login/", {"username": "x", "password": "y"})
    assert r.status_code == 403 and "页面已过期" in r.content.decode()
