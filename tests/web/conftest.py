"""Fixtures for the web tests: the default 西山区 directory, the seed plan, users of each role."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest

import duban

DATA = Path(duban.__file__).resolve().parent / "data"
SEED = DATA / "xishan_2021_plan.txt"
DIRECTORY_JSON = DATA / "xishan_directory.json"
PASSWORD = "test-password-123"


@lru_cache(maxsize=1)
def seed_bytes() -> bytes:
    return SEED.read_bytes()


@lru_cache(maxsize=1)
def parsed_seed():
    """The parser is pure and slowish: parse the seed once per test session."""
    from duban.ingest import parse

    return parse(seed_bytes(), SEED.name)


def directory_doc() -> dict:
    return json.loads(DIRECTORY_JSON.read_text(encoding="utf-8"))


def pytest_configure(config):
    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing STATIC_ROOT


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    """Uploaded files go to a temporary folder; passwords use a fast hasher (demo_users creates ~50 users)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings.MEDIA_ROOT


@pytest.fixture
def org(db):
    from duban.directory.exchange import load_json
    from duban.directory.models import Organisation

    load_json(DIRECTORY_JSON)
    return Organisation.objects.get(short_name="西山区")


@pytest.fixture
def unit(org):
    from duban.directory.models import Unit

    return lambda name: Unit.objects.get(org=org, name=name)


@pytest.fixture
def seed_plan(org):
    from duban.plans import importing

    prep = importing.prepare(org, seed_bytes(), SEED.name, parsed=parsed_seed())
    return importing.apply(prep, user=None, keep_unknown=False)


def make_user(org, username, role, unit=None):
    from django.contrib.auth.models import User

    from duban.accounts.models import Profile

    user = User.objects.create_user(username=username, password=PASSWORD)
    Profile.objects.create(user=user, org=org, role=role, unit=unit)
    return user


@pytest.fixture
def coordinator(org):
    return make_user(org, "coordinator", "coordinator")


@pytest.fixture
def leader(org):
    return make_user(org, "leader", "leader")


@pytest.fixture
def liaison(org, unit):
    """The liaison of 区财政局."""
    return make_user(org, "liaison-finance", "liaison", unit("区财政局"))


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login
