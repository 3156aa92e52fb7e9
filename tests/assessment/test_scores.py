"""The assessment of the simulated year (tests/assessment/year.py), derived here from the scheme's
rules by hand arithmetic — not by calling the scoring code — and compared with what the pages show."""
from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest

from duban.assessment.models import Scheme
from duban.assessment.scoring import assess
from duban.workcal.services import get_calendar

from .year import AS_OF, CIVIL, EDUCATION, FINANCE, JUSTICE

pytestmark = pytest.mark.django_db


def r2(x: float) -> Decimal:
    return Decimal(repr(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# The default scheme, written out: lead 3, responsible 1; late −2% per working day, floor 50%;
# 优 1.0, 良 0.9, 中 0.75, 差 0.5, no grade 1.0; 0.5 per return.
LEAD, RESP, PER_DAY, FLOOR, RETURN = 3, 1, 0.02, 0.5, 0.5
GRADE = {"优": 1.0, "良": 0.9, "中": 0.75, "差": 0.5, None: 1.0}


def late(days):
    return max(FLOOR, 1 - PER_DAY * days)


def expected_at_year_end():
    finance_possible = LEAD + RESP + LEAD  # tasks 1, 2, 3 (task 5 not due yet)
    finance_earned = LEAD * 1 * GRADE["优"] + 0 + LEAD * 1 * GRADE["差"]
    finance = finance_earned / finance_possible * 100 - 2  # manual deduction of 2 on 2021-11-20

    civil_possible = RESP + LEAD + RESP  # tasks 1, 2, 4
    civil_earned = RESP * late(1) * GRADE["良"] + LEAD * 1 * GRADE[None] + RESP * 1 * GRADE[None]
    civil = civil_earned / civil_possible * 100 - 2 * RETURN  # returned twice on task 2

    justice_possible = RESP + LEAD  # tasks 1, 3
    justice_earned = RESP * late(4) * GRADE["中"] + 0  # 10-08, 10-09 (调休上班), 10-11, 10-12
    justice = justice_earned / justice_possible * 100 - 1 * RETURN  # the −5 of 2022-01-10 is after the date

    # task 3 was submitted on 12-31 and accepted only in 2022: at 12-31 it awaits the office's review,
    # so it is not scored at all (neither done nor missing): out of possible and earned.
    education_possible = LEAD + RESP  # tasks 2, 4
    education_earned = LEAD * late(45) * GRADE["优"] + 0  # 45 working days late → the 50% floor
    education = education_earned / education_possible * 100

    return {FINANCE: (finance_possible, finance_earned, finance), CIVIL: (civil_possible, civil_earned, civil),
            JUSTICE: (justice_possible, justice_earned, justice), EDUCATION: (education_possible, education_earned, education)}


def test_working_days_around_national_day_2021():
    cal = get_calendar()
    assert cal.working_days_between(dt.date(2021, 9, 30), dt.date(2021, 10, 8)) == 1
    assert cal.working_days_between(dt.date(2021, 9, 30), dt.date(2021, 10, 12)) == 4
    assert cal.working_days_between(dt.date(2021, 10, 29), dt.date(2021, 12, 31)) == 45


def test_year_end_scores_follow_the_rules(year):
    expected = expected_at_year_end()
    result = assess(year.plan, AS_OF)
    for name, (possible, earned, score) in expected.items():
        u = result.unit(year.units[name].pk)
        assert float(u.possible) == possible, name
        assert float(u.earned) == pytest.approx(earned), name
        assert u.score == r2(score), name
    # 民政 and 财政 are scored on 3 assignments each; 司法 (tasks 1, 3) and 教体 (tasks 2, 4; task 3
    # awaiting review) on 2: fewer than the default minimum of 3, so they are listed apart, unranked.
    assert [(u.rank, u.unit_name) for u in result.ranked] == [(1, CIVIL), (2, FINANCE)]
    assert [(u.rank, u.unit_name) for u in result.few] == [(None, EDUCATION), (None, JUSTICE)]  # in directory order
    # the numbers themselves, so a reader of this test sees them
    assert [str(result.unit(year.units[n].pk).score) for n in (CIVIL, FINANCE, EDUCATION, JUSTICE)] == ["96.64", "62.29", "37.50", "16.75"]
    assert result.unit(year.units[EDUCATION].pk).awaiting_note == "待审核1项未计分"
    assert result.awaiting == 1


def test_the_breakdown_says_why(year):
    u = assess(year.plan, AS_OF).unit(year.units[JUSTICE].pk)
    lines = {ln.fact.task_no: ln for ln in u.lines}
    assert (lines[1].state, lines[1].days_late, lines[1].grade_label, lines[1].returns) == ("late", 4, "中", 1)
    assert lines[1].done_on == dt.date(2021, 10, 12)  # the accepted submission, not the acceptance
    assert (lines[3].state, float(lines[3].earned)) == ("missing", 0.0)
    f = assess(year.plan, AS_OF).unit(year.units[FINANCE].pk)
    states = {ln.fact.task_no: ln.state for ln in f.lines}
    assert states == {1: "on_time", 2: "missing", 3: "on_time", 5: "not_due"}
    assert [d.reason for d in f.deductions] == ["政务新媒体发布错误信息被市级通报"]
    e = assess(year.plan, AS_OF).unit(year.units[EDUCATION].pk)
    t3 = next(ln for ln in e.lines if ln.fact.task_no == 3)
    assert t3.state == "awaiting" and not t3.assessed  # submitted on the last day, accepted only in 2022
    assert float(e.possible) == LEAD + RESP  # task 3 is neither done nor missing: not in the denominator
    assert next(ln for ln in e.lines if ln.fact.task_no == 2).completion == Decimal("0.5")


def test_an_earlier_date_counts_only_what_was_known_then(year):
    # On 2021-10-10 task 1 is due; 民政 had submitted on 10-08 and was not reviewed until 10-11:
    # awaiting the office then, so not scored (no score rather than 0 for the office's backlog).
    result = assess(year.plan, dt.date(2021, 10, 10))
    civil = result.unit(year.units[CIVIL].pk)
    assert {ln.fact.task_no: ln.state for ln in civil.lines} == {1: "awaiting", 2: "not_due", 4: "not_due"}
    assert civil.score is None and civil.awaiting == 1
    # Once accepted it is scored on its submission day: 10-08, one working day late.
    later = assess(year.plan, dt.date(2021, 10, 11)).unit(year.units[CIVIL].pk)
    assert [(ln.state, ln.days_late) for ln in later.lines if ln.fact.task_no == 1] == [("late", 1)]
    finance = result.unit(year.units[FINANCE].pk)
    assert finance.score == 100  # the only due task was done on time; the deduction came later
    justice = result.unit(year.units[JUSTICE].pk)
    assert justice.return_count == 1 and justice.score == 0  # not below zero


def test_the_scheme_is_the_coordinators_and_scores_follow_it(year):
    Scheme.objects.create(plan=year.plan, lead_points=5, responsible_points=2, late_penalty=10, late_floor=20,
                          grade_poor=0, return_deduction=3)
    result = assess(year.plan, AS_OF)
    # 财政: tasks 1 (lead, on time, 优), 2 (resp, missing), 3 (lead, on time, 差 → 0)
    assert result.unit(year.units[FINANCE].pk).score == r2((5 * 1.0 + 0 + 0) / (5 + 2 + 5) * 100 - 2)
    # 司法: task 1 (resp, 4 days late: 1 − 0.4 = 0.6, 中 0.75), task 3 (lead, missing); one return
    assert result.unit(year.units[JUSTICE].pk).score == r2((2 * 0.6 * 0.75) / (2 + 5) * 100 - 3)
    # 教体: task 2 (lead, 45 days late → floor 20%, 优), task 4 missing; task 3 awaiting review, not scored
    assert result.unit(year.units[EDUCATION].pk).score == r2((5 * 0.2) / (5 + 2) * 100)


def test_equal_scores_share_a_rank(year):
    from duban.assessment.models import Deduction

    # Every unit has one or two tasks due here: a minimum of 1 lets them be ranked.
    # On 2021-10-10 only task 1 is due: 财政 100; 司法 (returned, then resubmitted after the date) has
    # nothing done: 0 (its return does not take it below zero); 民政's report awaits review: no score.
    Scheme.objects.create(plan=year.plan, min_assessed=1)
    result = assess(year.plan, dt.date(2021, 10, 10))
    assert [(u.rank, u.unit_name, str(u.score)) for u in result.ranked] == [(1, FINANCE, "100.00"), (2, JUSTICE, "0.00")]
    assert result.unit(year.units[CIVIL].pk).rank is None  # awaiting review: no score, no rank
    assert result.unit(year.units[EDUCATION].pk).rank is None  # nothing due yet: no score, no rank
    # A lenient scheme: lateness, grades and returns cost nothing. On 10-13 all three are at 100
    # and share the first place; a deduction puts 财政 third, not second.
    Scheme.objects.filter(plan=year.plan).update(late_penalty=0, grade_good=100, grade_fair=100, return_deduction=0)
    result = assess(year.plan, dt.date(2021, 10, 13))
    assert {(u.rank, u.unit_name) for u in result.ranked} == {(1, CIVIL), (1, FINANCE), (1, JUSTICE)}
    Deduction.objects.create(plan=year.plan, unit=year.units[FINANCE], points=1, reason="测试", at=year.assignments[1, FINANCE].accepted_at)
    result = assess(year.plan, dt.date(2021, 10, 13))
    assert [(u.rank, str(u.score)) for u in result.ranked] == [(1, "100.00"), (1, "100.00"), (3, "99.00")]
    assert result.ranked[2].unit_name == FINANCE


def test_ranking_page_shows_the_scores_and_the_formula(year, as_user, coordinator, leader):
    for user in (coordinator, leader):
        page = as_user(user).get(f"/plans/{year.plan.pk}/assessment/?date=2021-12-31").content.decode()
        assert "考评说明" in page and "逾期完成的，每晚一个工作日" in page
        rows = re.findall(r'data-unit="([^"]+)">\s*<td class="num rank">([^<]+)</td>', page)
        assert rows == [(CIVIL, "1"), (FINANCE, "2"), (EDUCATION, "不排名"), (JUSTICE, "不排名")]
        assert "96.64" in page and "16.75" in page and "37.50" in page
        assert "任务较少，不参与排名（计分任务少于 3 项）" in page
        assert "（共 1 项）暂不计分：不算完成，也不算逾期" in page


def test_a_unit_sees_its_own_breakdown_and_no_other(year, as_user, org):
    from tests.web.conftest import make_user

    liaison = make_user(org, "liaison-justice", "liaison", year.units[JUSTICE])
    client = as_user(liaison)
    own = client.get(f"/plans/{year.plan.pk}/assessment/units/{year.units[JUSTICE].pk}/?date=2021-12-31")
    assert own.status_code == 200
    html = own.content.decode()
    assert '<strong id="unit-total">16.75</strong>' in html
    assert "任务较少，不参与排名：计分任务 2 项，少于 3 项" in html
    assert "逾期完成" in html and "未完成" in html
    assert client.get(f"/plans/{year.plan.pk}/assessment/units/{year.units[FINANCE].pk}/").status_code == 404
    assert client.get(f"/plans/{year.plan.pk}/assessment/").status_code == 403
    assert client.get(f"/plans/{year.plan.pk}/dashboard/").status_code == 403
    # the nav link takes a liaison to its own breakdown
    assert client.get("/assessment/").url == f"/plans/{year.plan.pk}/assessment/units/{year.units[JUSTICE].pk}/"


def test_coordinator_edits_the_scheme_and_deductions_leader_cannot(year, as_user, coordinator, leader):
    url = f"/plans/{year.plan.pk}/assessment/scheme/"
    form = {"lead_points": "4", "responsible_points": "1", "late_penalty": "2", "late_floor": "50", "grade_excellent": "100",
            "grade_good": "90", "grade_fair": "75", "grade_poor": "50", "return_deduction": "0.5"}
    assert as_user(leader).post(url, form).status_code == 403
    assert as_user(leader).get(url).status_code == 200
    r = as_user(coordinator).post(url, form)
    assert r.status_code == 302
    assert Scheme.objects.get(plan=year.plan).lead_points == 4
    assert Scheme.objects.get(plan=year.plan).min_assessed == 3  # not posted: the default stays
    assert as_user(coordinator).post(url, {**form, "min_assessed": "2"}).status_code == 302
    assert Scheme.objects.get(plan=year.plan).min_assessed == 2
    # 司法 and 教体 are scored on two assignments each: with a minimum of 2 they are ranked
    assert [u.unit_name for u in assess(year.plan, AS_OF).ranked] == [CIVIL, FINANCE, EDUCATION, JUSTICE]
    assert as_user(coordinator).post(url, {**form, "min_assessed": "0"}).status_code == 200  # at least 1
    durl = f"/plans/{year.plan.pk}/assessment/deductions/"
    data = {"unit": year.units[CIVIL].pk, "points": "1.5", "reason": "未按要求更新公开目录", "at": "2021-12-01T09:00"}
    assert as_user(leader).post(durl, data).status_code == 403
    assert as_user(coordinator).post(durl, data).status_code == 302
    civil = assess(year.plan, AS_OF).unit(year.units[CIVIL].pk)
    assert civil.manual_deduction == Decimal("1.50")
