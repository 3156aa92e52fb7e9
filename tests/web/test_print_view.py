"""The print view of the division table: each task's units in the plan's wording, a group phrase counted
(never expanded into 30 names), the units the coordinator assigned, headings kept with their rows."""
from __future__ import annotations

import re

import pytest

from duban.directory.models import Unit
from duban.plans.models import LEAD, RESPONSIBLE, Assignment, Task

pytestmark = pytest.mark.django_db


def row_html(body: str, no: int) -> str:
    m = re.search(rf'<tr class="task" id="t{no}".*?</tr>', body, re.S)
    assert m, no
    return m.group()


def cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r'<td class="units"[^>]*>(.*?)</td>', row, re.S)]


@pytest.fixture
def printed(seed_plan, coordinator, client):
    client.force_login(coordinator)
    return lambda query="": client.get(f"/plans/{seed_plan.pk}/print/{query}").content.decode()


def test_groups_are_counted_not_expanded(printed, seed_plan):
    task = Task.objects.get(plan=seed_plan, no=5)  # 区政府办公室牵头；区政府各办、局，各街道办事处负责落实
    responsible = Assignment.objects.filter(task=task, role=RESPONSIBLE)
    streets = responsible.filter(unit__kind=Unit.SUBDISTRICT).count()
    others = responsible.exclude(unit__kind=Unit.SUBDISTRICT).count()
    assert streets and others > 20
    lead, resp = cells(row_html(printed(), 5))
    assert lead == "区政府办公室"
    assert resp == f"区政府各办、局（共{others}个单位）、各街道办事处（共{streets}个单位）"
    names = list(responsible.values_list("unit__name", flat=True))
    assert not any(name in resp for name in names)  # none of the 30-odd names is spelled out


def test_named_units_under_the_directory_name(printed, seed_plan):
    # task 7 names "区财政局（区金融办）": printed once, as the directory calls it
    lead, _ = cells(row_html(printed(), 7))
    assert lead == "区财政局"


def test_units_the_coordinator_assigned_are_shown(printed, seed_plan):
    task = Task.objects.get(plan=seed_plan, no=1)  # 区政府办公室、区发展改革局负责落实
    extra = Unit.objects.get(org=seed_plan.org, name="区民政局")
    Assignment.objects.create(task=task, unit=extra, role=LEAD)
    lead, resp = cells(row_html(printed(), 1))
    assert lead == "区民政局"
    assert resp == "区政府办公室、区发展改革局"


def test_the_unit_filtered_by_is_marked_inside_a_group(printed, seed_plan):
    finance = Unit.objects.get(org=seed_plan.org, name="区财政局")
    body = printed(f"?unit={finance.pk}")
    row = row_html(body, 5)  # 区财政局 is one of 区政府各办、局 there
    assert '<span class="hit">（含区财政局）</span>' in row
    assert '<span class="hit">区财政局</span>' in row_html(body, 7)


def test_headings_are_kept_with_the_rows_that_follow_in_print():
    from pathlib import Path

    import duban

    text = (Path(duban.__file__).parent / "static" / "duban.css").read_text(encoding="utf-8")
    block = text[text.index("@media print"):]
    assert re.search(r"\.division tr\.section[^{]*\{[^}]*break-after:\s*avoid", block)
