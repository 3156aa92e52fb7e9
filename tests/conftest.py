import pathlib

import pytest

PURE_DIR = pathlib.Path(__file__).parent / "ingest"


def pytest_collection_modifyitems(config, items):
    # Tests of the pure parser library need no database; the PostgreSQL pass of `make test` skips them.
    for item in items:
        if PURE_DIR in pathlib.Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.pure)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite the test database is a file, as in production, not Django's shared in-memory database:
    only a file has the WAL journal and the locking that concurrent requests meet (tests/progress/
    test_simultaneous_reports.py, tests/web/test_import_locking.py)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")
