"""The plan selector (?plan=<id>) of 看板, 考评, 文书 and 总览: the user's plans, newest first by default;
a plan of another organisation, or for a liaison one without the unit, is a 404."""
from __future__ import annotations

import pytest

from duban.plans.models import Plan
from tests.pages_data import copy_plan, organisation

from .conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(seed_plan, org):
    """The seed (2021), a newer 2022 copy, and another organisation's plan."""
    newer = copy_plan(seed_plan, 2022)
    foreign = copy_plan(seed_plan, 2021, org=organisation(org, "昆明市东川区人民政府", "东川区"))
    return seed_plan, newer, foreign


HOMES = {"/dashboard/": "/plans/{}/dashboard/", "/assessment/": "/plans/{}/assessment/", "/documents/": "/plans/{}/documents/"}


def test_the_newest_plan_by_default_and_the_chosen_one_on_request(plans, coordinator, leader, client):
    seed, newer, foreign = plans
    for user in (coordinator, leader):
        client.force_login(user)
        for home, target in HOMES.items():
            assert client.get(home)["Location"] == target.format(newer.pk)
            assert client.get(home, {"plan": seed.pk})["Location"] == target.format(seed.pk)
            assert client.get(home, {"plan": foreign.pk}).status_code == 404
            assert client.get(home, {"plan": "abc"})["Location"] == target.format(newer.pk)  # a bad id is ignored
        assert client.get("/overview/").context["plan"] == newer
        assert client.get("/overview/", {"plan": seed.pk}).context["plan"] == seed
        assert client.get("/overview/", {"plan": foreign.pk}).status_code == 404


def test_the_pages_show_the_selector_of_the_users_plans(plans, coordinator, client):
    seed, newer, foreign = plans
    client.force_login(coordinator)
    for url, action in [(f"/plans/{seed.pk}/dashboard/?date=2021-12-31", "/dashboard/"),
                        (f"/plans/{seed.pk}/assessment/?date=2021-12-31", "/assessment/"),
                        (f"/plans/{seed.pk}/documents/", "/documents/"), (f"/overview/?plan={seed.pk}", "/overview/")]:
        html = client.get(url).content.decode()
        picker = html[html.index('class="inline plan-picker'):]
        picker = picker[:picker.index("</form>")]
        assert f'action="{action}"' in html
        assert f'<option value="{seed.pk}" selected>' in picker and f'<option value="{newer.pk}">' in picker
        assert f'value="{foreign.pk}"' not in picker and "东川区" not in picker


def test_a_liaison_chooses_among_the_units_plans(plans, org, unit, client):
    seed, newer, foreign = plans
    liaison = make_user(org, "liaison-finance", "liaison", unit("区财政局"))
    client.force_login(liaison)
    finance = unit("区财政局").pk
    assert client.get("/assessment/")["Location"] == f"/plans/{newer.pk}/assessment/units/{finance}/"
    assert client.get("/assessment/", {"plan": seed.pk})["Location"] == f"/plans/{seed.pk}/assessment/units/{finance}/"
    assert client.get("/documents/", {"plan": seed.pk})["Location"] == f"/plans/{seed.pk}/documents/"
    assert client.get("/assessment/", {"plan": foreign.pk}).status_code == 404
    empty = Plan.objects.create(org=org, title="西山区2023年政务公开工作要点分工方案", year=2023, sha256="0" * 64)
    assert client.get("/assessment/", {"plan": empty.pk}).status_code == 404  # no task of the unit in it
    assert client.get("/dashboard/", {"plan": seed.pk}).status_code == 403  # dashboards are the office's
