"""The division table (分工表) and its filters. Expected task numbers are read from the seed document."""
from __future__ import annotations

import re

import pytest

from duban.plans.models import Section

from .conftest import make_user


def task_numbers(response) -> list[int]:
    return [int(n) for n in re.findall(r'<tr class="task" id="t\d+" data-no="(\d+)"', response.content.decode())]


@pytest.fixture
def table(seed_plan, coordinator, client):
    client.force_login(coordinator)
    return lambda query="": client.get(f"/plans/{seed_plan.pk}/{query}")


def test_whole_table(table):
    r = table()
    assert r.status_code == 200
    assert task_numbers(r) == list(range(1, 75))
    body = r.content.decode()
    assert "深化重点领域信息公开 › 推进各类规划主动公开" in body
    assert "待处理" in body


# Units that no group phrase covers: the tasks that name them, read from the seed.
NAMED_ONLY = {
    "区税务局": [4],
    "区文明办": [14],
    "区委网信办": [36, 38],
    "区气象局": [2, 3, 4],
    "区消防救援大队": [2, 3],
    "区疫情防控指挥部办公室": [12, 13, 39],
    "区目督办": [65],
    "区政务服务中心": [4, 35],
}


@pytest.mark.parametrize("name,expected", NAMED_ONLY.items())
def test_filter_by_unit(table, unit, name, expected):
    r = table(f"?unit={unit(name).pk}")
    assert task_numbers(r) == expected
    assert f'<span class="unit hit">{name}</span>' in r.content.decode()


def test_filter_by_unit_and_role(table, unit):
    finance = unit("区财政局").pk
    # 区财政局 leads tasks 6–11 and, with others, 39 and 49.
    assert task_numbers(table(f"?unit={finance}&role=lead")) == [6, 7, 8, 9, 10, 11, 39, 49]
    # A street office is on every task that says 各街道办事处: all but 1, 3 and 53.
    assert task_numbers(table(f"?unit={unit('海口街道办事处').pk}")) == [n for n in range(1, 75) if n not in (1, 3, 53)]
    assert task_numbers(table(f"?unit={unit('海口街道办事处').pk}&role=lead")) == []


def test_filter_by_section(table, seed_plan):
    finance = Section.objects.get(plan=seed_plan, title="推进财政领域信息公开")
    assert task_numbers(table(f"?section={finance.pk}")) == [5, 6, 7, 8, 9, 10, 11]
    top = finance.parent
    assert task_numbers(table(f"?section={top.pk}"))[:2] == [1, 2]


def test_filter_by_deadline(table):
    assert task_numbers(table("?month=12")) == [5]  # 12月31日前完成
    assert task_numbers(table("?month=2021-12")) == [5]
    assert task_numbers(table("?kind=after_event")) == [1]  # 文件成文后 20 个工作日内
    assert task_numbers(table("?kind=none")) == [21, 55, 68]


def test_free_text(table):
    assert task_numbers(table("?q=IPv6")) == [53]
    assert task_numbers(table("?q=区目督办")) == [65]
    assert task_numbers(table("?q=PPP")) == [6]


def test_only_open_warnings(table):
    nos = task_numbers(table("?open=1"))
    assert {2, 4, 21, 46, 55, 68} <= set(nos) and 1 not in nos


def test_bad_filter_values_are_ignored(table):
    assert len(task_numbers(table("?unit=abc&section=x&month=13x&kind=zzz"))) == 74


def test_print_view_lists_every_unit(table, seed_plan, unit):
    r = table(f"print/?unit={unit('区财政局').pk}")
    body = r.content.decode()
    assert r.status_code == 200 and "printable" in body and "<details>" not in body
    assert "duban.css" in body
    assert task_numbers(r)[:3] == [4, 5, 6]


def test_liaison_table_shows_only_their_tasks(seed_plan, unit, client):
    liaison = make_user(seed_plan.org, "l", "liaison", unit("区委网信办"))
    client.force_login(liaison)
    r = client.get(f"/plans/{seed_plan.pk}/")
    assert task_numbers(r) == [36, 38]
    body = r.content.decode()
    assert 'name="unit"' not in body and "待处理" not in body


def test_unit_page_lead_first_then_by_deadline(seed_plan, coordinator, unit, client):
    client.force_login(coordinator)
    r = client.get(f"/units/{unit('区财政局').pk}/")
    body = r.content.decode()
    assert r.status_code == 200
    lead_part, responsible_part = body.split("负责落实（")
    assert re.findall(r'data-no="(\d+)"', lead_part) == ["6", "7", "8", "9", "10", "11", "39", "49"]
    rest = [int(n) for n in re.findall(r'data-no="(\d+)"', responsible_part)]
    # Responsible: dated tasks by date (10-31 before 12-31), undated last, then by number.
    assert rest.index(5) > rest.index(4) and rest[-3:] == [21, 55, 68]


def test_task_page(seed_plan, coordinator, client):
    client.force_login(coordinator)
    task = seed_plan.tasks.get(no=2)
    body = client.get(f"/tasks/{task.pk}/").content.decode()
    assert "区政府相关办、局" in body and "需指定单位" in body and "导入后没有修改过" in body


def test_plan_list(seed_plan, coordinator, client):
    client.force_login(coordinator)
    body = client.get("/plans/").content.decode()
    assert seed_plan.title in body and "74" in body
