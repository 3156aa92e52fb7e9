"""Ranking that compares like with like (tests/assessment/comparable.py): groups from the directory's
unit kinds, a minimum workload, and work awaiting the office's review left unscored. Every expected
number is worked out by hand from the fixture's table."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from duban.assessment.models import Scheme
from duban.assessment.scoring import assess

from .comparable import AS_OF, CIVIL, FINANCE, JUSTICE, MAJIE, QIANWEI, TAX, at, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def comparable(org):
    return build(org)


def scores(group):
    return [(u.rank, u.unit_name, str(u.score)) for u in group]


def test_a_unit_with_two_tasks_is_listed_apart_not_above_units_with_sixty(comparable):
    plan, units = comparable
    result = assess(plan, AS_OF)
    district = result.group("district")
    # 司法 has the best score (2 of 2 on time) but is scored on 2 assignments, fewer than 3.
    assert scores(district.ranked) == [(1, FINANCE, "95.00"), (2, CIVIL, "90.00")]
    assert scores(district.few) == [(None, JUSTICE, "100.00")]
    assert result.unit(units[JUSTICE].pk).few and result.unit(units[JUSTICE].pk).assessed_count == 2
    # lowering the minimum to 2 ranks it, and then it is first: the minimum is what keeps it apart
    Scheme.objects.create(plan=plan, min_assessed=2)
    assert scores(assess(plan, AS_OF).group("district").ranked) == [
        (1, JUSTICE, "100.00"), (2, FINANCE, "95.00"), (3, CIVIL, "90.00")]


def test_groups_are_ranked_separately(comparable):
    plan, units = comparable
    result = assess(plan, AS_OF)
    assert [(g.key, g.label) for g in result.groups] == [("district", "区直部门"), ("subdistrict", "街道"), ("other", "其他单位")]
    assert scores(result.group("subdistrict").ranked) == [(1, MAJIE, "100.00"), (2, QIANWEI, "66.67")]
    assert scores(result.group("other").ranked) == [(1, TAX, "100.00")]  # 垂直管理单位
    # each group starts at 1: three units hold a first place
    assert sorted(u.unit_name for u in result.ranked if u.rank == 1) == sorted([FINANCE, MAJIE, TAX])


def test_awaiting_review_does_not_lower_a_units_score(comparable):
    from duban.plans.models import Assignment

    plan, units = comparable
    qianwei = assess(plan, AS_OF).unit(units[QIANWEI].pk)
    # scored: tasks 1–3 (two on time, one not started); task 4 awaits the office: 2 ÷ 3, not 2 ÷ 4
    assert (qianwei.possible, qianwei.earned, qianwei.base, qianwei.score) == (3, 2, Decimal("66.67"), Decimal("66.67"))
    assert (qianwei.awaiting, qianwei.missing, qianwei.awaiting_note) == (1, 1, "待审核1项未计分")
    assert [ln.state for ln in qianwei.lines if ln.fact.task_no == 4] == ["awaiting"]

    task4 = Assignment.objects.get(task__plan=plan, task__no=4, unit=units[QIANWEI])
    # accepted later (after the due date) it counts on its submission day, 06-28: on time, 3 ÷ 4
    Assignment.objects.filter(pk=task4.pk).update(status="accepted", accepted_at=at(2021, 7, 12))
    later = assess(plan, AS_OF).unit(units[QIANWEI].pk)
    assert ([ln.state for ln in later.lines if ln.fact.task_no == 4], later.score) == (["on_time"], Decimal("75.00"))
    # before the acceptance (as of 07-01) it was still awaiting: the score then was the 2 ÷ 3
    assert assess(plan, dt.date(2021, 7, 1)).unit(units[QIANWEI].pk).score == Decimal("66.67")
    # returned instead, it is work the unit owes: not done, 2 ÷ 4
    Assignment.objects.filter(pk=task4.pk).update(status="returned", accepted_at=None)
    assert assess(plan, AS_OF).unit(units[QIANWEI].pk).score == Decimal("50.00")


def test_ranking_page_shows_groups_the_units_apart_and_the_awaiting_rule(comparable, as_user, coordinator):
    plan, units = comparable
    page = as_user(coordinator).get(f"/plans/{plan.pk}/assessment/?date=2021-12-31").content.decode()
    for key, label in (("district", "区直部门"), ("subdistrict", "街道"), ("other", "其他单位")):
        assert f'id="group-{key}">{label}' in page
    rows = re.findall(r'data-unit="([^"]+)">\s*<td class="num rank">([^<]+)</td>', page)
    assert rows == [(FINANCE, "1"), (CIVIL, "2"), (JUSTICE, "不排名"), (MAJIE, "1"), (QIANWEI, "2"), (TAX, "1")]
    assert page.index("任务较少，不参与排名") < page.index(f'data-unit="{JUSTICE}"')
    assert "（共 1 项）暂不计分：不算完成，也不算逾期，不影响单位得分" in page
    qianwei_row = page[page.index(f'data-unit="{QIANWEI}"'):]
    assert '<td class="num awaiting">1</td>' in qianwei_row[:qianwei_row.index("</tr>")]
    assert '<td class="num rate">66.67%</td>' in qianwei_row[:qianwei_row.index("</tr>")]


def test_unit_page_says_what_is_not_scored_and_its_place_in_its_group(comparable, as_user, coordinator):
    plan, units = comparable
    html = as_user(coordinator).get(f"/plans/{plan.pk}/assessment/units/{units[QIANWEI].pk}/?date=2021-12-31").content.decode()
    assert '<strong id="unit-total">66.67</strong>' in html
    assert "（街道第 2 名，共 2 个单位参与排名）" in html
    assert "待审核1项未计分：已报送、尚未审核，不算完成也不算逾期" in html
    assert "待审核（未计分）" in html  # the task 4 line
    html = as_user(coordinator).get(f"/plans/{plan.pk}/assessment/units/{units[JUSTICE].pk}/?date=2021-12-31").content.decode()
    assert "任务较少，不参与排名：计分任务 2 项，少于 3 项" in html
