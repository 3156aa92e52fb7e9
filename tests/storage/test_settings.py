"""Configuration by the environment: without DUBAN_S3_BUCKET files stay on the local disk under MEDIA_ROOT;
with it, Duban's own settings module makes the default storage that bucket, and files written through Django
land there (keys from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, read by boto3)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duban

PROBE = """
import json
import django
django.setup()
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
if settings.STORAGES["default"]["BACKEND"].endswith("S3Storage"):
    default_storage.save("probe.txt", ContentFile(b"written by the settings"))
print(json.dumps(settings.STORAGES["default"]))
"""


def settings_from(env: dict, tmp_path) -> dict:
    """duban.settings in a fresh process with only these variables (and what it needs to start)."""
    base = {"PATH": os.environ.get("PATH", ""), "SECRET_KEY": "x" * 50, "DJANGO_SETTINGS_MODULE": "duban.settings",
            "DUBAN_DATA_DIR": str(tmp_path), "PYTHONPATH": str(Path(duban.__file__).resolve().parent.parent),
            "AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}
    done = subprocess.run([sys.executable, "-c", PROBE], env={**base, **env}, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_local_disk_by_default(tmp_path):
    assert settings_from({}, tmp_path) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_a_bucket_when_configured(tmp_path, bucket, s3_endpoint):
    storage = settings_from({
        "DUBAN_S3_BUCKET": bucket.name, "DUBAN_S3_ENDPOINT_URL": s3_endpoint, "DUBAN_S3_REGION": "us-east-1",
        "DUBAN_S3_PREFIX": "/duban/", "DUBAN_S3_ADDRESSING_STYLE": "path",
        "AWS_ACCESS_KEY_ID": "duban-test", "AWS_SECRET_ACCESS_KEY": "duban-test-secret",
    }, tmp_path)
    options = storage["OPTIONS"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert (options["bucket_name"], options["endpoint_url"], options["region_name"], options["location"], options["addressing_style"]) == (
        bucket.name, s3_endpoint, "us-east-1", "duban", "path")
    assert options["default_acl"] is None and options["querystring_auth"] is False and options["file_overwrite"] is False
    assert bucket.keys() == ["probe.txt"] and bucket.read("probe.txt") == b"written by the settings"
