"""Turn a unit name as written in a plan into a Unit of the directory.

    resolve(org, "区发展改革委")   -> <Unit 区发展改革局>   (via its alias)
    expand(org, "各街道办事处")     -> [10 street offices]
    expand(org, "区政府相关办、局") -> []                   (a vague group: the coordinator picks)
    expand(org, "区教育体育局")     -> None                 (not a group phrase)

Names are compared after normalising: full-width and half-width forms are the same
(NFKC: （）→ ()), Traditional and Simplified characters are the same (區財政局 = 区财政局), spaces are dropped. Group phrases also ignore list punctuation, so
"区政府各办局" and "区政府各办、局" are one phrase.
"""
from __future__ import annotations

import re
import unicodedata

from duban.directory.models import Organisation, Unit, UnitAlias, UnitGroup
from duban.ingest.script import simplified

_SPACE = re.compile(r"\s+")
_LIST_PUNCT = re.compile(r"[、,，;；]")
_BRACKETED = re.compile(r"^(?P<main>.+?)\((?P<inner>[^()]*)\)$")


def normalise(name: str) -> str:
    return simplified(_SPACE.sub("", unicodedata.normalize("NFKC", name or "")))


def normalise_phrase(phrase: str) -> str:
    return _LIST_PUNCT.sub("", normalise(phrase))


class Directory:
    """One organisation's names, loaded once; use it to resolve many names (an import)."""

    def __init__(self, org: Organisation):
        self.org = org
        self.by_name: dict[str, Unit] = {}
        units = list(Unit.objects.filter(org=org))
        by_id = {u.pk: u for u in units}
        for u in units:
            if u.short_name:
                self.by_name.setdefault(normalise(u.short_name), u)
        for a in UnitAlias.objects.filter(org=org):
            self.by_name[normalise(a.alias)] = by_id[a.unit_id]
        for u in units:  # a unit's own name wins over anything else
            self.by_name[normalise(u.name)] = u
        self.groups = {normalise_phrase(g.phrase): g for g in UnitGroup.objects.filter(org=org)}
        self._members: dict[int, list[Unit]] = {}

    def members(self, group: UnitGroup) -> list[Unit]:
        """group.members(), asked of the database once per group however often a plan names it."""
        if group.pk not in self._members:
            self._members[group.pk] = group.members()
        return self._members[group.pk]

    def resolve(self, name: str) -> Unit | None:
        key = normalise(name)
        unit = self.by_name.get(key)
        if unit is None:
            m = _BRACKETED.match(key)  # 区财政局（区金融办）: the main name, else the bracketed one
            if m:
                unit = self.by_name.get(m["main"]) or self.by_name.get(m["inner"])
        return unit

    def group(self, phrase: str) -> UnitGroup | None:
        return self.groups.get(normalise_phrase(phrase))

    def expand(self, phrase: str) -> list[Unit] | None:
        g = self.group(phrase)
        return None if g is None else self.members(g)


def resolve(org: Organisation, name: str) -> Unit | None:
    return Directory(org).resolve(name)


def expand(org: Organisation, phrase: str) -> list[Unit] | None:
    return Directory(org).expand(phrase)
