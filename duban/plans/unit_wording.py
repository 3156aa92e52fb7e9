"""The units of a task as documents and the printed table write them: the plan's own wording, with the
directory's names, and a group phrase counted rather than expanded.

    "区财政局、区发展改革委牵头；区政府各办、局，各街道办事处负责落实"
    → 牵头: ["区财政局", "区发展改革局"]
      负责落实: ["区政府各办、局（共33个单位）", "各街道办事处（共10个单位）"]

Each name comes from the task's working assignments (what the coordinator settled on the review page),
in the order the plan names them: a unit named in the plan under the directory's name for it; a group
phrase as the plan words it, with the number of its members the task is assigned to; a vague phrase
(区政府相关办、局) with the units the coordinator picked; and units assigned beyond the plan's wording
after those. A unit the task is no longer assigned to is left out.
"""
from __future__ import annotations

from duban.directory.resolve import Directory
from duban.ingest.units import parse_units
from duban.plans.models import LEAD, RESPONSIBLE

NAMED_AT_MOST = 6  # a vague phrase's picked units are named up to this many, else counted


def counted(phrase: str, n: int) -> str:
    return f"{phrase}（共{n}个单位）"


def _members(directory: Directory, group) -> set[int]:
    """A group's member ids, looked up once per Directory (a plan's 74 tasks name the same few groups)."""
    cache = directory.__dict__.setdefault("_member_ids", {})
    if group.pk not in cache:
        cache[group.pk] = {m.pk for m in group.members()}
    return cache[group.pk]


def compact_units(units_text: str, assigned: dict[str, list], directory: Directory) -> dict[str, list[str]]:
    """``assigned`` maps LEAD and RESPONSIBLE to the task's units (directory Units, in the directory's
    order); returns the same keys mapped to the texts to print."""
    refs = parse_units(units_text).units if units_text else []
    out: dict[str, list[str]] = {}
    for role in (LEAD, RESPONSIBLE):
        units = list(assigned.get(role, []))
        left = {u.pk for u in units}
        parts: list[str] = []
        vague_at = None
        for ref in refs:
            group = directory.group(ref.name)
            if group is not None and group.vague:
                if ref.role == role and vague_at is None:
                    vague_at = len(parts)
                    parts.append(ref.name)
                continue
            if group is not None:
                members = _members(directory, group) & left
                if members:
                    parts.append(counted(ref.name, len(members)))
                    left -= members
                continue
            unit = directory.resolve(ref.name) or next(filter(None, map(directory.resolve, ref.aliases)), None)
            if unit is not None and unit.pk in left:
                parts.append(unit.name)
                left.discard(unit.pk)
        rest = [u.name for u in units if u.pk in left]
        if vague_at is not None:
            phrase = parts[vague_at]
            if not rest:
                parts[vague_at] = f"{phrase}（待指定）"
            elif len(rest) <= NAMED_AT_MOST:
                parts[vague_at] = f"{phrase}（{'、'.join(rest)}）"
            else:
                parts[vague_at] = f"{phrase}（指定{len(rest)}个单位）"
        else:
            parts += rest
        out[role] = parts
    return out
