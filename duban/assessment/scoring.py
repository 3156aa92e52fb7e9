"""Unit scores computed from the stored facts at an as-of date. Nothing here is ever stored.

The rules (the page "考评说明" shows them in Chinese with the plan's own numbers):

1. Every assignment is worth points by role: 牵头 ``scheme.lead_points`` (3), 负责落实
   ``scheme.responsible_points`` (1).
2. An assignment is assessed at the as-of date when it was accepted by then, or its due date has
   passed (due ≤ as-of), or — having no due date (waiting for an event, no deadline set) — the plan's
   year is over (as-of ≥ 31 Dec). Others are "未到期" and count neither way. Ongoing (长期坚持) and
   recurring (定期) work carries the due date of its current reporting period (duban.plans.deadlines),
   so it is scored on that period: at the year's end, on the last period's report.
   **Awaiting review (待审核)**: work whose report the unit submitted on or before the as-of date and the
   office had not reviewed by then (duban.assessment.figures: state ``awaiting``) is not scored yet —
   neither done nor missing nor late. It is left out of both earned and possible points and shown as
   "待审核N项未计分". Once accepted it is scored on its submission day (rule 3), so a report submitted
   in time and accepted after the due date is on time; once returned it is scored as not done.
3. Completion factor: the work counts as done on the day of the submission that was accepted
   (the acceptance day if there was none), provided it was accepted by the as-of date.
   Done on or before the due date: 100%. Done later: 100% − ``late_penalty`` per working day late
   (working days after the due date up to and including the done day, on the Chinese working-day
   calendar), never below ``late_floor``. Not done by the as-of date: 0%.
4. Quality factor from the grade given at acceptance: 优 100%, 良 90%, 中 75%, 差 50%; no grade 100%.
5. Earned = points × completion factor × quality factor.
6. Score = earned ÷ possible × 100 − returns × ``return_deduction`` − manual deductions,
   rounded to two decimals (half up), not below 0. Returns are the times a report of the unit was
   returned (退回) on or before the as-of date; manual deductions are those dated on or before it.
   ``base`` (得分率) = earned ÷ possible × 100 is the normalised score: the share of attainable points.
7. Ranking within groups of comparable units, from the directory's unit kinds (GROUP_OF_KIND):
   区直部门 (办公室, 局, 分局, 党委部门, 议事协调机构), 街道 (街道办事处), 其他单位 (垂直管理单位, 其他). A unit with fewer than ``scheme.min_assessed`` (default 3) scored assignments is
   listed apart, "任务较少，不参与排名", not ranked: a score made of two tasks is not comparable with
   one made of sixty. Within a group, by score, highest first; equal scores (to two decimals) share a
   rank (1, 1, 3). A unit with nothing assessed yet has no score and no rank.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from duban.assessment import figures
from duban.assessment.facts import Fact, load, localdate
from duban.assessment.models import Deduction, Scheme

ZERO, ONE, HUNDRED = Decimal(0), Decimal(1), Decimal(100)
CENT = Decimal("0.01")

ON_TIME, LATE, MISSING, AWAITING, NOT_DUE = "on_time", "late", "missing", "awaiting", "not_due"
STATE_LABELS = {ON_TIME: "按时完成", LATE: "逾期完成", MISSING: "未完成", AWAITING: "待审核（未计分）", NOT_DUE: "未到期"}

# Comparable groups of units, from the directory's unit kinds (duban.directory.models.Unit.kind).
DISTRICT, SUBDISTRICT, OTHER = "district", "subdistrict", "other"
GROUP_LABELS = {DISTRICT: "区直部门", SUBDISTRICT: "街道", OTHER: "其他单位"}
GROUP_OF_KIND = {"office": DISTRICT, "bureau": DISTRICT, "branch": DISTRICT, "party": DISTRICT,
                 "coordination": DISTRICT, "subdistrict": SUBDISTRICT}  # vertical, other → OTHER
FEW_LABEL = "任务较少，不参与排名"
GRADE_LABELS = {"excellent": "优", "good": "良", "fair": "中", "poor": "差"}


def q2(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Line:
    """One assignment in a unit's breakdown."""

    fact: Fact
    points: Decimal
    state: str
    done_on: dt.date | None
    days_late: int | None  # working days after the due date: when done late, or so far when not done
    completion: Decimal
    quality: Decimal
    earned: Decimal
    returns: int

    @property
    def assessed(self) -> bool:
        """Scored: counts in earned and possible points (not 未到期, not 待审核)."""
        return self.state not in (NOT_DUE, AWAITING)

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def grade_label(self) -> str:
        return GRADE_LABELS.get(self.fact.grade, "")

    @property
    def earned_display(self) -> Decimal:
        return q2(self.earned)


@dataclass
class UnitScore:
    unit_id: int
    unit_name: str
    sort: int
    lines: list[Line] = field(default_factory=list)
    deductions: list[Deduction] = field(default_factory=list)
    return_deduction_each: Decimal = ZERO
    rank: int | None = None  # within its group
    kind: str = "other"
    few: bool = False  # scored on fewer assignments than the scheme's minimum: listed apart, not ranked

    @property
    def group(self) -> str:
        return GROUP_OF_KIND.get(self.kind, OTHER)

    @property
    def group_label(self) -> str:
        return GROUP_LABELS[self.group]

    # The sums below are read many times per unit (ranking, the table's columns) once its lines are all in
    # (assess() fills them first), so each is computed once.
    @cached_property
    def _assessed(self) -> list[Line]:
        return [ln for ln in self.lines if ln.assessed]

    @cached_property
    def _states(self) -> Counter:
        return Counter(ln.state for ln in self.lines)

    @cached_property
    def possible(self) -> Decimal:
        return sum((ln.points for ln in self._assessed), ZERO)

    @cached_property
    def earned(self) -> Decimal:
        return sum((ln.earned for ln in self._assessed), ZERO)

    @property
    def base(self) -> Decimal | None:
        """Earned as a share of possible, out of 100 (before deductions)."""
        return q2(self.earned / self.possible * HUNDRED) if self.possible else None

    @cached_property
    def return_count(self) -> int:  # in every score, and the score is read at each comparison of the ranking
        return sum(ln.returns for ln in self.lines)

    @property
    def return_deduction(self) -> Decimal:
        return q2(self.return_count * self.return_deduction_each)

    @property
    def manual_deduction(self) -> Decimal:
        return q2(sum((d.points for d in self.deductions), ZERO))

    @property
    def score(self) -> Decimal | None:
        if not self.possible:
            return None
        return q2(max(ZERO, self.earned / self.possible * HUNDRED - self.return_deduction - self.manual_deduction))

    def count(self, state: str) -> int:
        return self._states[state]

    @property
    def assessed_count(self) -> int:
        return len(self._assessed)

    @property
    def on_time(self) -> int:
        return self.count(ON_TIME)

    @property
    def late(self) -> int:
        return self.count(LATE)

    @property
    def missing(self) -> int:
        return self.count(MISSING)

    @property
    def not_due(self) -> int:
        return self.count(NOT_DUE)

    @property
    def awaiting(self) -> int:
        return self.count(AWAITING)

    @property
    def awaiting_note(self) -> str:
        return f"待审核{self.awaiting}项未计分" if self.awaiting else ""


@dataclass
class Group:
    key: str
    ranked: list[UnitScore]  # by rank within the group
    few: list[UnitScore]  # scored, but on fewer assignments than the minimum: not ranked
    unscored: list[UnitScore]  # nothing scored yet

    @property
    def label(self) -> str:
        return GROUP_LABELS[self.key]

    @property
    def units(self) -> list[UnitScore]:
        return self.ranked + self.few + self.unscored


@dataclass
class Assessment:
    plan_id: int
    as_of: dt.date
    scheme: Scheme
    groups: list[Group]  # 区直部门, 街道, 其他单位; only those with units

    @property
    def units(self) -> list[UnitScore]:
        """Group by group: ranked units (by rank), then those listed apart, then those with no score."""
        return [u for g in self.groups for u in g.units]

    def unit(self, unit_id: int) -> UnitScore | None:
        return next((u for u in self.units if u.unit_id == unit_id), None)

    def group(self, key: str) -> Group | None:
        return next((g for g in self.groups if g.key == key), None)

    @property
    def ranked(self) -> list[UnitScore]:
        return [u for g in self.groups for u in g.ranked]

    @property
    def few(self) -> list[UnitScore]:
        return [u for g in self.groups for u in g.few]

    @property
    def awaiting(self) -> int:
        """Assignments not scored because the office has not reviewed their reports yet."""
        return sum(u.awaiting for u in self.units)


def score_line(f: Fact, scheme: Scheme, as_of: dt.date, cal, year_end: dt.date | None) -> Line:
    points = scheme.points(f.role)
    returns = f.returns_by(as_of)
    if f.accepted_by(as_of):
        done_on = f.completed_on()
        days_late = cal.working_days_between(f.due_date, done_on) if f.due_date and done_on > f.due_date else 0
        if days_late > 0:
            completion = max(scheme.late_floor / HUNDRED, ONE - scheme.late_penalty / HUNDRED * days_late)
            state = LATE
        else:
            completion, state = ONE, ON_TIME
        quality = scheme.grade_factor(f.grade)
        return Line(f, points, state, done_on, days_late, completion, quality, points * completion * quality, returns)
    due = f.due_date if f.due_date is not None else year_end
    if due is not None and due <= as_of and figures.state_on(f, as_of) == figures.AWAITING:
        return Line(f, points, AWAITING, None, None, ZERO, ZERO, ZERO, returns)
    if due is not None and due <= as_of:
        days = cal.working_days_between(f.due_date, as_of) if f.due_date else None
        return Line(f, points, MISSING, None, days, ZERO, ZERO, ZERO, returns)
    return Line(f, points, NOT_DUE, None, None, ZERO, ZERO, ZERO, returns)


def rank(units: list[UnitScore], min_assessed: int = 1) -> list[UnitScore]:
    """Highest score first; equal scores share a rank (1, 1, 3); units scored on fewer than
    ``min_assessed`` assignments next, unranked (``few``); units without a score last, unranked."""
    by_place = lambda u: (u.sort, u.unit_name)  # noqa: E731
    for u in units:
        u.few = u.score is not None and u.assessed_count < min_assessed
    scored = sorted((u for u in units if u.score is not None and not u.few), key=lambda u: (-u.score, u.sort, u.unit_name))
    previous, position = None, 0
    for i, u in enumerate(scored, 1):
        if u.score != previous:
            position, previous = i, u.score
        u.rank = position
    rest = sorted((u for u in units if u.few), key=by_place) + sorted((u for u in units if u.score is None), key=by_place)
    for u in rest:
        u.rank = None
    return scored + rest


def group_and_rank(units: list[UnitScore], min_assessed: int) -> list[Group]:
    out = []
    for key in GROUP_LABELS:
        members = rank([u for u in units if u.group == key], min_assessed)
        if members:
            out.append(Group(key, [u for u in members if u.rank is not None], [u for u in members if u.few],
                             [u for u in members if u.score is None]))
    return out


def assess(plan, as_of: dt.date, *, scheme: Scheme | None = None, cal=None, facts: list[Fact] | None = None) -> Assessment:
    """Every unit's score for the plan at ``as_of``."""
    if cal is None:
        from duban.workcal.services import get_calendar

        cal = get_calendar()
    scheme = scheme or Scheme.for_plan(plan)
    facts = facts if facts is not None else load(plan)
    year_end = dt.date(plan.year, 12, 31) if plan.year else None
    units: dict[int, UnitScore] = {}
    for f in facts:
        u = units.get(f.unit_id)
        if u is None:
            u = units[f.unit_id] = UnitScore(f.unit_id, f.unit_name, f.unit_sort, return_deduction_each=scheme.return_deduction)
        u.lines.append(score_line(f, scheme, as_of, cal, year_end))
    from duban.directory.models import Unit

    for pk, kind in Unit.objects.filter(pk__in=list(units)).values_list("pk", "kind"):
        units[pk].kind = kind
    by_unit = defaultdict(list)
    for d in Deduction.objects.filter(plan=plan).select_related("by").order_by("at", "id"):
        if localdate(d.at) <= as_of:
            by_unit[d.unit_id].append(d)
    for unit_id, ds in by_unit.items():
        if unit_id in units:
            units[unit_id].deductions = ds
    return Assessment(plan.pk, as_of, scheme, group_and_rank(list(units.values()), scheme.min_assessed or 1))
