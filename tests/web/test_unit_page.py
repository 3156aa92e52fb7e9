"""A unit's to-do page: the current plan (the newest, or ?plan=) first, a page at a time; the other
years folded, one line each, whatever their number."""
from __future__ import annotations

import re

import pytest

from duban.plans import views
from duban.plans.models import Assignment
from tests.pages_data import copy_plan, organisation

pytestmark = pytest.mark.django_db


def listed(r) -> list[str]:
    """The assignments listed under the current plan (the returned ones of every plan are named above it)."""
    html = r.content.decode()
    part = html[html.index('id="current-plan"'):]
    return re.findall(r'href="/assignments/(\d+)/"', part[:part.index("</section>")])


def test_current_plan_first_other_years_folded(seed_plan, org, liaison, unit, client):
    older = copy_plan(seed_plan, 2019)
    newer = copy_plan(seed_plan, 2022)
    foreign = copy_plan(seed_plan, 2021, org=organisation(org, "昆明市东川区人民政府", "东川区"))
    finance = unit("区财政局")
    client.force_login(liaison)
    r = client.get(f"/units/{finance.pk}/")
    html = r.content.decode()
    assert r.context["current"] == newer and [p.pk for p in r.context["others"]] == [seed_plan.pk, older.pk]
    current, folded = html.split('<details class="other-plans"')
    assert newer.title in current and seed_plan.title not in current
    mine = Assignment.objects.filter(unit=finance)
    assert set(listed(r)) == {str(pk) for pk in mine.filter(task__plan=newer).values_list("pk", flat=True)}
    assert f'href="?plan={seed_plan.pk}"' in folded and f'href="?plan={older.pk}"' in folded and "东川区" not in html
    assert f"共 {mine.count()} 项任务" in html
    chosen = client.get(f"/units/{finance.pk}/", {"plan": older.pk})
    assert chosen.context["current"] == older
    assert set(listed(chosen)) == {str(pk) for pk in mine.filter(task__plan=older).values_list("pk", flat=True)}
    assert client.get(f"/units/{finance.pk}/", {"plan": foreign.pk}).status_code == 404
    assert client.get(f"/units/{finance.pk}/", {"plan": "x"}).context["current"] == newer


def test_a_big_plan_is_paged(seed_plan, coordinator, unit, client, monkeypatch):
    monkeypatch.setattr(views, "UNIT_PAGE_SIZE", 10)
    finance = unit("区财政局")
    client.force_login(coordinator)
    mine = {str(pk) for pk in Assignment.objects.filter(unit=finance, task__plan=seed_plan).values_list("pk", flat=True)}
    assert len(mine) > 20
    first = client.get(f"/units/{finance.pk}/")
    assert len(listed(first)) == 10 and 'rel="next"' in first.content.decode()
    seen = []
    for n in range(1, first.context["page"].paginator.num_pages + 1):
        seen += listed(client.get(f"/units/{finance.pk}/", {"page": n}))
    assert sorted(seen) == sorted(mine)
