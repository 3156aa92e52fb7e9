import pytest

from tests.web.conftest import as_user, coordinator, leader, liaison, media_root, org, seed_plan, unit  # noqa: F401


@pytest.fixture
def year(org, coordinator):  # noqa: F811
    from tests.assessment.year import build

    return build(org, coordinator)
