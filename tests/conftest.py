import pathlib

import pytest

PURE_DIR = pathlib.Path(__file__).parent / "ingest"


def pytest_collection_modifyitems(config, items):
    # Tests of the pure parser library need no database; the PostgreSQL pass of `make test` skips them.
    for item in items:
        if PURE_DIR in pathlib.Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.pure)
