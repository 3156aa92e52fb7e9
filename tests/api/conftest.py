"""Fixtures for the API tests: a small plan of 西山区, users of every role in it and in another
organisation, and API clients that authenticate with a token as each of them."""
from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.ingest.builders import TABLE, TITLE, build_docx
from tests.web.conftest import coordinator, leader, liaison, make_user, media_root, org, pytest_configure, unit  # noqa: F401 - fixtures


@pytest.fixture(autouse=True)
def fresh_throttles():
    """The throttles count in the cache; each test starts with none spent."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def plan(org):
    from duban.plans import importing

    return importing.apply(importing.prepare(org, build_docx(TITLE, TABLE[:7]), "plan.docx"), user=None)


@pytest.fixture
def lead(plan, unit):
    """区财政局's lead assignment on task 5 (a lead unit's report needs evidence to be accepted)."""
    from duban.plans.models import Assignment

    return Assignment.objects.get(task__plan=plan, unit=unit("区财政局"), role="lead", task__no=5)


@pytest.fixture
def people(org, unit, coordinator, leader, liaison):
    from duban.directory.models import Organisation, Unit

    other = Organisation.objects.create(name="昆明市东川区人民政府", short_name="东川区")
    other_unit = Unit.objects.create(org=other, name="区财政局", kind=Unit.BUREAU)
    return {
        "coordinator": coordinator,
        "leader": leader,
        "liaison": liaison,
        "liaison of another unit": make_user(org, "xs-civil", "liaison", unit("区民政局")),
        "other coordinator": make_user(other, "dc-coordinator", "coordinator"),
        "other leader": make_user(other, "dc-leader", "leader"),
        "other liaison": make_user(other, "dc-liaison", "liaison", other_unit),
    }


@pytest.fixture
def api():
    """api(user) → an APIClient sending `Authorization: Token …` of a new token of that user."""
    from duban.api.models import ApiToken

    def client_for(user=None):
        c = APIClient()
        if user is not None:
            _, key = ApiToken.issue(user, "测试")
            c.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return c

    return client_for
