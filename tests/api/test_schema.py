"""The OpenAPI description: generated from the code, valid, equal to the checked-in docs/openapi.yaml;
the docs page loads its script and styles from our own static files and passes the site's CSP."""
from __future__ import annotations

import re
from pathlib import Path

import yaml
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

CHECKED_IN = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
REGENERATE = "docs/openapi.yaml 与代码不一致，请运行 `make openapi` 重新生成并提交。"


def generated(tmp_path) -> str:
    out = tmp_path / "openapi.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    return out.read_text(encoding="utf-8")


def test_the_checked_in_schema_is_the_code_s_and_validates(db, tmp_path):
    text = generated(tmp_path)
    assert text == CHECKED_IN.read_text(encoding="utf-8"), REGENERATE
    schema = yaml.safe_load(text)
    validate_schema(schema)  # raises on an invalid OpenAPI 3 document
    paths = set(schema["paths"])
    for path in ("/api/v1/plans/", "/api/v1/assignments/", "/api/v1/assignments/{assignment_id}/reports/",
                 "/api/v1/assignments/{assignment_id}/accept/", "/api/v1/assignments/{assignment_id}/return/",
                 "/api/v1/plans/{plan_id}/figures/", "/api/v1/units/", "/api/v1/groups/", "/api/v1/reports/"):
        assert path in paths
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_the_schema_endpoint_serves_the_same_document(client, db, tmp_path):
    r = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi")
    assert r.status_code == 200
    assert yaml.safe_load(r.content) == yaml.safe_load(CHECKED_IN.read_text(encoding="utf-8"))


def test_the_docs_page_loads_everything_from_our_static_files_under_the_csp(client, db):
    r = client.get("/api/docs/")
    assert r.status_code == 200
    body = r.content.decode()
    csp = r["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<style" not in body and " style=" not in body  # no inline styles
    assert not re.search(r"<script(?![^>]*\bsrc=)", body)  # every script has a src: none inline
    sources = re.findall(r'(?:src|href)="([^"]+)"', body)
    assert sources and all(s.startswith("/static/") or s.startswith("/api/docs/") for s in sources), sources
    for src in sources:
        asset = client.get(src)
        assert asset.status_code == 200, src
        if src.startswith("/api/docs/"):  # the settings script (?script), served by the view itself
            assert "javascript" in asset["Content-Type"]
            assert "/api/schema/" in asset.content.decode()
