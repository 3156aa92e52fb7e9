"""The structured plan the parser returns. Plain dataclasses: no Django, no I/O."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

LEAD = "lead"  # 牵头
RESPONSIBLE = "responsible"  # 负责落实 / 责任单位 / 配合


@dataclass
class Deadline:
    """The meaning of a 完成时限 cell.

    kind is one of: "date" (date set), "after_event" (event + working_days),
    "ongoing" (长期坚持), "recurring" (every: 每月/每季度/每半年/每年/每周).
    """

    kind: str
    date: dt.date | None = None
    event: str | None = None
    working_days: int | None = None
    every: str | None = None

    def to_json(self) -> dict:
        if self.kind == "date":
            return {"kind": "date", "date": self.date.isoformat()}
        if self.kind == "after_event":
            return {"kind": "after_event", "event": self.event, "working_days": self.working_days}
        if self.kind == "recurring":
            return {"kind": "recurring", "every": self.every}
        return {"kind": self.kind}


@dataclass
class UnitRef:
    """One unit or group phrase named in a units clause."""

    name: str  # as written, without a bracketed alias
    role: str  # LEAD or RESPONSIBLE
    group: bool = False  # a group phrase such as 各街道办事处
    aliases: list[str] = field(default_factory=list)  # 区财政局（区金融办） -> ["区金融办"]

    def to_json(self) -> dict:
        return {"name": self.name, "role": self.role, "group": self.group, "aliases": self.aliases}


@dataclass
class Task:
    no: int
    section: list[str]
    requirement: str
    units_text: str = ""
    units: list[UnitRef] = field(default_factory=list)
    deadline_text: str = ""
    deadline: Deadline | None = None
    warnings: list[str] = field(default_factory=list)
    score: float | None = None  # points of an assessment indicator, kept apart from the requirement
    note: str = ""  # instructions written among the units ("各乡镇要高度重视"), kept for a person to read

    @property
    def lead_units(self) -> list[str]:
        return [u.name for u in self.units if u.role == LEAD and not u.group]

    @property
    def responsible_units(self) -> list[str]:
        return [u.name for u in self.units if u.role == RESPONSIBLE and not u.group]

    @property
    def unit_groups(self) -> list[str]:
        return [u.name for u in self.units if u.group]

    def to_json(self) -> dict:
        return {
            "no": self.no,
            "section": list(self.section),
            "requirement": self.requirement,
            "units_text": self.units_text,
            "lead_units": self.lead_units,
            "responsible_units": self.responsible_units,
            "unit_groups": self.unit_groups,
            "units": [u.to_json() for u in self.units],
            "deadline_text": self.deadline_text,
            "deadline": self.deadline.to_json() if self.deadline else None,
            "warnings": list(self.warnings),
            "score": self.score,
            "note": self.note,
        }


@dataclass
class Plan:
    title: str = ""
    issuer: str = ""
    doc_number: str = ""
    issued_on: dt.date | None = None
    year: int | None = None
    source_format: str = ""
    tasks: list[Task] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def all_warnings(self) -> list[str]:
        """Plan warnings, then each task's, prefixed with its number."""
        out = list(self.warnings)
        for t in self.tasks:
            out += [f"第{t.no}项：{w}" for w in t.warnings]
        return out

    def to_json(self) -> dict:
        return {
            "title": self.title,
            "issuer": self.issuer,
            "doc_number": self.doc_number,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "year": self.year,
            "source_format": self.source_format,
            "warnings": list(self.warnings),
            "tasks": [t.to_json() for t in self.tasks],
        }
