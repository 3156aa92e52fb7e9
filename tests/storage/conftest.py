"""Files in an S3-compatible bucket: a real S3 endpoint on 127.0.0.1 (moto's server, in a thread), and the
default storage pointed at a fresh bucket for each test through override_settings(STORAGES=...), with the
options DUBAN_S3_* give in production (duban.settings.s3_storage)."""
from __future__ import annotations

import uuid

import pytest
from django.test import override_settings

from duban.settings import s3_storage
from tests.web.conftest import (  # noqa: F401  (fixtures shared with the web tests)
    as_user, coordinator, leader, liaison, make_user, media_root, org, seed_plan, unit,
)

PREFIX = "duban"  # DUBAN_S3_PREFIX: every key Duban writes starts with it


@pytest.fixture(scope="session")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


class Bucket:
    """The test's bucket, seen with a plain boto3 client (not through Django)."""

    def __init__(self, endpoint: str):
        import boto3

        self.name = f"duban-{uuid.uuid4().hex[:12]}"
        self.client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
        self.client.create_bucket(Bucket=self.name)

    def keys(self, under: str = "") -> list[str]:
        """Keys below PREFIX/under, without the prefix."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name, Prefix=f"{PREFIX}/{under}")
        return sorted(o["Key"][len(PREFIX) + 1:] for page in pages for o in page.get("Contents", []))

    def read(self, name: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=f"{PREFIX}/{name}")["Body"].read()

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.name, Key=f"{PREFIX}/{name}")


@pytest.fixture(autouse=True)
def bucket(s3_endpoint, monkeypatch, tmp_path):
    """Autouse, so that it comes before any fixture that stores a file (the seed plan's source file)."""
    for name, value in {"AWS_ACCESS_KEY_ID": "duban-test", "AWS_SECRET_ACCESS_KEY": "duban-test-secret",
                        "AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):  # a developer's own AWS set-up stays out
        monkeypatch.delenv(name, raising=False)
    b = Bucket(s3_endpoint)
    default = s3_storage(b.name, endpoint_url=s3_endpoint, region="us-east-1", prefix=PREFIX)
    from django.conf import settings

    with override_settings(STORAGES={**settings.STORAGES, "default": default}):
        yield b


@pytest.fixture
def local_files(media_root):  # noqa: F811
    """Files under MEDIA_ROOT on the local disk: none while the bucket is the storage."""
    return lambda: [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []
