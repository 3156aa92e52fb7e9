"""DATABASE_URL and CONN_MAX_AGE: a server database keeps each process's connection between requests (a new
PostgreSQL connection is a new server process with cold caches), checked before reuse; SQLite opens its file per
request; CONN_MAX_AGE overrides either. duban.settings read in a fresh process with only these variables."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import duban

pytestmark = pytest.mark.pure  # no database: the settings module only

PROBE = """
import json
import django
django.setup()
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps([db["ENGINE"], db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"], hasattr(settings, "DATABASE_URL")]))
"""


def database(env: dict, tmp_path) -> list:
    base = {"PATH": os.environ.get("PATH", ""), "SECRET_KEY": "x" * 50, "DJANGO_SETTINGS_MODULE": "duban.settings",
            "DUBAN_DATA_DIR": str(tmp_path), "PYTHONPATH": str(Path(duban.__file__).resolve().parent.parent)}
    done = subprocess.run([sys.executable, "-c", PROBE], env={**base, **env}, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_postgresql_keeps_its_connection_and_sqlite_does_not(tmp_path):
    pg = {"DATABASE_URL": "postgres://duban:secret@db.internal:5432/duban"}
    assert database(pg, tmp_path) == ["django.db.backends.postgresql", 60, True, False]  # the URL, with its password, is no setting
    assert database({}, tmp_path) == ["django.db.backends.sqlite3", 0, True, False]
    assert database({**pg, "CONN_MAX_AGE": "0"}, tmp_path)[1] == 0
    assert database({"CONN_MAX_AGE": "30"}, tmp_path)[1] == 30
