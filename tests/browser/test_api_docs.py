"""The API docs page (/api/docs/) in a real browser: the Swagger UI renders the schema, every script and
style comes from this site, and the Content-Security-Policy reports no violation."""
from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_swagger_ui_renders_under_the_csp(page, live_server):
    violations, requests = [], []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("request", lambda r: requests.append(r.url))
    page.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                         "{ (window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + e.blockedURI) })")
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector("text=督办数据接口")
    page.wait_for_selector("text=/api/v1/assignments/")
    assert page.evaluate("window.__csp || []") == [] and violations == []
    assert requests and all(u.startswith(live_server.url) or u.startswith("data:") for u in requests), requests
    # the UI's own stylesheet applied (a CSP-blocked style would leave the page unstyled)
    assert page.evaluate("getComputedStyle(document.querySelector('.swagger-ui .info .title')).fontSize") != "16px"
