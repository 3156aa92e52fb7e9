"""Playwright (sync API) driving Debian's Chromium against pytest-django's live_server."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.db.backends.signals import connection_created

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run inside one
# unless told that this is deliberate (the test and the live server only share a test database).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.web.conftest import PASSWORD, SEED, make_user, media_root, parsed_seed, seed_bytes  # noqa: E402,F401


def _readers_do_not_lock_tables(sender, connection, **kwargs):
    """On SQLite the test database is in memory, shared by the live server's threads and the import jobs'
    background threads in shared-cache mode, where a page reading a table that a job is writing (or the
    other way round) fails at once with "database table is locked". A database file, as in production,
    lets them wait for each other instead; in memory, readers simply do not lock (shared-cache only)."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        connection.cursor().execute("PRAGMA read_uncommitted = 1")


connection_created.connect(_readers_do_not_lock_tables)

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session", autouse=True)
def _live_server_media_url():
    """settings.MEDIA_URL is None (plan files are served only through views that check access), but
    the live server wraps the app in a media-files handler that needs a string. Set one before it starts."""
    from django.conf import settings

    old, settings.MEDIA_URL = settings.MEDIA_URL, "/_media-not-served/"
    yield
    settings.MEDIA_URL = old


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip(f"Chromium not installed at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def log_in(page, base: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login page, as a person would."""
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def seeded(transactional_db):
    """The default directory and the seed plan, in the database the live server reads."""
    from duban.directory.exchange import load_json
    from duban.directory.models import Organisation
    from duban.plans import importing
    from tests.web.conftest import DIRECTORY_JSON

    load_json(DIRECTORY_JSON)
    org = Organisation.objects.get(short_name="西山区")
    plan = importing.apply(importing.prepare(org, seed_bytes(), SEED.name, parsed=parsed_seed()))
    return org, plan
