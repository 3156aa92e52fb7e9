"""Inputs of the document generators: plain dataclasses, no Django, no I/O.

Whoever fills these (the database layer, a test) decides the wording; the
generators only lay it out. Dates are ``datetime.date``; rates are fractions
(0.875 means 87.5%); counts are ints. Empty strings and ``None`` mean "not
given" and are left out of the documents.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

LEAD = "牵头"
RESPONSIBLE = "负责落实"


@dataclass
class PlanMeta:
    """The plan a division table belongs to."""

    title: str  # "西山区2021年政务公开工作要点分工方案"
    issuer: str = ""  # "昆明市西山区人民政府办公室"
    doc_number: str = ""  # "西政办通〔2021〕51号"
    date: dt.date | None = None  # 成文日期
    year: int | None = None


@dataclass
class DivisionRow:
    """One numbered task of a 分工方案 as printed in the plan's table.

    ``section`` holds the 工作任务 headings from the outermost down, e.g.
    ``["深化重点领域信息公开", "推进各类规划主动公开"]``; consecutive rows with the
    same heading share one merged cell. ``units_text``, when given, is printed as
    is instead of the sentence built from the two unit lists.
    """

    no: int
    section: list[str]
    requirement: str
    lead_units: list[str] = field(default_factory=list)
    responsible_units: list[str] = field(default_factory=list)
    deadline_text: str = ""
    units_text: str = ""


def units_sentence(lead_units: list[str], responsible_units: list[str]) -> str:
    """"A、B牵头；C、D负责落实" — the wording of the plan's 牵头落实单位 column."""
    parts = []
    if lead_units:
        parts.append("、".join(lead_units) + LEAD)
    if responsible_units:
        parts.append("、".join(responsible_units) + RESPONSIBLE)
    return "；".join(parts)


def division_units_text(row: DivisionRow) -> str:
    return row.units_text or units_sentence(row.lead_units, row.responsible_units)


@dataclass
class UnitTaskRow:
    """One task on a unit's own list. ``role`` is "牵头" or "负责落实"."""

    no: int
    section: list[str]
    requirement: str
    role: str
    due_text: str = ""  # as the plan words it: "10月31日前完成"
    status: str = ""  # "未开始" / "进行中" / "已完成" / "已逾期" …
    due_date: dt.date | None = None  # the computed date, written as a real date in .xlsx


@dataclass
class UnitTaskList:
    unit_name: str
    rows: list[UnitTaskRow] = field(default_factory=list)
    title: str = ""  # default: "{unit_name}政务公开工作任务清单"
    plan_title: str = ""  # "西山区2021年政务公开工作要点分工方案"
    date: dt.date | None = None  # 制表日期
    as_of: dt.date | None = None  # the 进展情况 are as of this date ("截至…")
    summary: str = ""  # a sentence on the progress, after the counts by role


@dataclass
class Figures:
    """Counts of tasks (or task-unit assignments) at a date.

    ``done`` counts everything finished, ``on_time`` the part of it finished by
    the due date; ``overdue`` counts unfinished work past its due date.
    """

    total: int
    done: int = 0
    on_time: int = 0
    overdue: int = 0
    in_progress: int = 0
    not_started: int = 0
    # What was due by the as-of date, and the part of ``done`` / ``on_time`` that was due. When
    # given, the rates divide by it (the honest denominator); None means "everything was due".
    due: int | None = None
    done_due: int | None = None
    awaiting: int = 0  # submitted, awaiting the office's review (never overdue)
    returned: int = 0

    @property
    def denominator(self) -> int:
        return self.total if self.due is None else self.due

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.denominator if self.denominator else None

    @property
    def done_rate(self) -> float | None:
        done = self.done if self.done_due is None else self.done_due
        return done / self.denominator if self.denominator else None


@dataclass
class UnitStat:
    unit: str
    assigned: int
    done: int = 0
    overdue: int = 0
    on_time_rate: float | None = None  # 0..1
    score: float | None = None
    # When ``due`` is given the table shows what was due, the part done and on time, and the reports
    # awaiting review; ``done`` is then the part of ``due`` that was done.
    due: int | None = None
    on_time: int | None = None
    awaiting: int | None = None
    done_rate: float | None = None


@dataclass
class OverdueItem:
    no: int
    unit: str
    requirement: str
    due_date: dt.date
    days_overdue: int | None  # working days after the due date (逾期工作日)
    calendar_days: int | None = None  # calendar days after the due date; shown when given


@dataclass
class NamedUnit:
    """A unit named in a bulletin. ``kind`` is e.g. "表扬" or "通报批评"."""

    unit: str
    kind: str
    reason: str


@dataclass
class BulletinData:
    """A 督办通报."""

    title: str  # "关于2021年政务公开工作要点落实情况的督办通报"
    doc_number: str  # "第3期" or "西政办督〔2021〕3号"
    issuer: str  # "西山区人民政府办公室"
    date: dt.date  # 成文日期
    figures: Figures
    as_of: dt.date | None = None  # 统计截止日期; default: date
    plan_title: str = ""
    masthead: str = ""  # 版头; default: "政务公开工作督办通报"
    addressee: str = ""  # 主送: "各街道办事处，区政府各办、局："
    per_unit: list[UnitStat] = field(default_factory=list)
    overdue: list[OverdueItem] = field(default_factory=list)
    units_named: list[NamedUnit] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)  # 下一步工作要求, one paragraph each
    cc: list[str] = field(default_factory=list)  # 抄送
    printed_by: str = ""  # 印发机关; default: issuer
    summary: list[str] = field(default_factory=list)  # 总体情况 paragraphs; default: the figures in words
    annexes: bool = False  # per-unit table and overdue list as 附件1 and 附件2 after the signature
    publicity: str = ""  # 附注 under the date, e.g. "此件公开发布"
    banji_new_page: bool = False  # the 版记 on a page of its own (the text ends on an odd page)


@dataclass
class UnitReport:
    """One unit's accepted report on a task: what it did and where it published it."""

    unit: str
    text: str
    urls: list[str] = field(default_factory=list)


@dataclass
class AnnualTaskRow:
    no: int
    requirement: str
    done_text: str  # what was done
    urls: list[str] = field(default_factory=list)  # where it was published
    # The same per unit: the .xlsx gives each its own row, so that no row outgrows a printed page.
    reports: list[UnitReport] = field(default_factory=list)


@dataclass
class AnnualSection:
    """The plan-implementation part of a 政府信息公开工作年度报告."""

    year: int
    figures: Figures
    rows: list[AnnualTaskRow] = field(default_factory=list)
    title: str = ""  # default: "{year}年政务公开工作要点落实情况"
    area: str = ""  # "西山区"
    intro: list[str] = field(default_factory=list)  # paragraphs before the figures
    issuer: str = ""
    date: dt.date | None = None
    as_of: dt.date | None = None  # 统计截止日期, stated under the title
    # The section as a report reads (used when ``summary`` is given): prose, per-task completion,
    # key figures; ``rows`` (the evidence texts) then go to an appendix only when ``appendix``.
    summary: list[str] = field(default_factory=list)
    progress: list[tuple[str, list[str]]] = field(default_factory=list)  # (heading, paragraphs)
    key_figures: list[tuple[str, str, str]] = field(default_factory=list)  # (item, by task, by assignment)
    appendix: bool = False


@dataclass
class AssessmentRow:
    rank: int | None  # None: listed apart (e.g. 任务较少，不参与排名)
    unit: str
    score: float
    breakdown: list[float | None] = field(default_factory=list)  # aligned with AssessmentTable.items
    remark: str = ""
    group: str = ""  # "区直部门", "街道", …: rows of a group are ranked among themselves, in a table of their own


@dataclass
class AssessmentTable:
    title: str  # "2021年度政务公开工作考评结果", or "2021年政务公开工作考评结果（截至2021年6月30日）" mid-year
    items: list[str]  # breakdown column names, e.g. "主动公开（30分）"
    rows: list[AssessmentRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # 说明 paragraphs
    issuer: str = ""
    date: dt.date | None = None
