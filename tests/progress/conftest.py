"""Fixtures for execution: the web tests' seed plan and users, plus assignments of 区财政局 in each role."""
from __future__ import annotations

import pytest

from tests.web.conftest import (  # noqa: F401  (fixtures shared with the web tests)
    coordinator, leader, liaison, make_user, media_root, org, seed_plan, unit,
)


@pytest.fixture
def lead_assignment(seed_plan, unit):
    """Task 8 (预决算公开): 区财政局牵头."""
    return seed_plan.tasks.get(no=8).assignments.get(unit=unit("区财政局"), role="lead")


@pytest.fixture
def responsible_assignment(seed_plan, unit):
    """Task 4 (重大建设项目): 区财政局 is one of the units 负责落实."""
    return seed_plan.tasks.get(no=4).assignments.get(unit=unit("区财政局"), role="responsible")


@pytest.fixture
def other_liaison(org, unit):
    """The liaison of 区民政局, another unit."""
    return make_user(org, "liaison-civil", "liaison", unit("区民政局"))
