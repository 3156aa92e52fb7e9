"""The facts of a whole plan kept across requests, under the plan's facts version.

The figure pages (看板, 考评排名, 本单位得分, the 督办通报 form) and the documents start from
duban.assessment.facts.load(plan): all the plan's assignments, accepted reports and status changes. A plan's
facts are stored in Django's cache (settings.CACHES, DUBAN_CACHE_URL) under the plan's PlanFactsVersion, which
database triggers change on every write to what load() reads (migration 0003_plan_facts_version), so a repeat
view reads one small row instead, and any change — whoever makes it, however — makes the next view read afresh.

The version is read before the data: a write committed in between can only make the stored facts newer than
their version says (the next reader, seeing the new version, misses), never older; two workers storing a
plan's facts at once may replace each other's, never make a reader take facts of another version. A version
is random, not a counter, so facts stored by a transaction that is later rolled back are not found again (a
chance of one in 2**52).

What is stored are the facts' values, not the Fact objects a page has used: each load gets fresh Facts, with
none of the memos (state_memo, kind_memo, the cached days) of another request or another as-of date.
"""
from __future__ import annotations

import dataclasses
import hashlib
import inspect
import logging
import pickle
from operator import attrgetter
from pathlib import Path

from django.core.cache import caches

log = logging.getLogger(__name__)

TIMEOUT = 24 * 3600  # a plan nobody looks at leaves the cache; any change makes a new key anyway


def _fields(fact_class) -> list[str]:
    """The Fact fields, in order: stored as a tuple, the memos (which belong to one request) as None."""
    return [f.name for f in dataclasses.fields(fact_class) if f.init]


def _values(fact, names: list[str]) -> tuple:
    return tuple(None if name.endswith("_memo") else getattr(fact, name) for name in names)


def _all_values(facts: list, names: list[str]) -> list[tuple]:
    """_values of each fact, at C speed (the facts were just read: their memos are still empty), each text
    stored once however many facts repeat it (a task's requirement, a unit's name): a third of the size, and
    quicker to read back."""
    from duban.assessment.facts import Fact

    get = attrgetter(*names)
    memos = [i for i, name in enumerate(names) if name.endswith("_memo")]
    texts = [i for i, f in enumerate(dataclasses.fields(Fact)) if f.init and f.type in ("str", str)]
    pool: dict[str, str] = {}
    out = []
    for f in facts:
        v = get(f)
        if not all(v[i] is None for i in memos):
            v = _values(f, names)
        v = list(v)
        for i in texts:
            v[i] = pool.setdefault(v[i], v[i])
        out.append(tuple(v))
    return out


def _code_stamp() -> str:
    """Part of the key: the code that makes the facts, so that a cache shared by processes (redis) never hands
    facts made by another version of Duban to this one."""
    from duban.assessment import facts, figures

    digest = hashlib.sha256(",".join(_fields(facts.Fact)).encode())
    try:
        digest.update(Path(facts.__file__).read_bytes())
        digest.update(inspect.getsource(figures.working_assignments).encode())
    except OSError:  # no source files (a frozen install): the fields alone
        pass
    return digest.hexdigest()[:12]


_stamp: str | None = None


def _key(plan_id: int) -> str:
    global _stamp
    if _stamp is None:
        _stamp = _code_stamp()
    return f"duban:facts:{_stamp}:{plan_id}"


def version(plan_id: int) -> int | None:
    """The plan's facts version; None when it has none (a plan written before the triggers existed has one
    from the migration, so: a plan that does not exist)."""
    from duban.assessment.models import PlanFactsVersion

    return PlanFactsVersion.objects.filter(plan_id=plan_id).values_list("version", flat=True).first()


def load(plan_id: int, read) -> list:
    """The plan's facts: from the cache when stored under the plan's current version, else read() and stored.

    One entry per plan, (version, the facts pickled): a new version replaces the old one rather than adding to
    it (a busy day's hundred changes to a large plan are not a hundred copies of its facts in every worker), and
    a stale entry is told apart by its version without unpickling its facts."""
    from duban.assessment.facts import Fact

    current = version(plan_id)  # before the data: see the module's doc
    if current is None:
        return read()
    cache = caches["default"]
    key = _key(plan_id)
    try:
        stored = cache.get(key)
    except Exception:  # a cache server down is a slower page, not a broken one
        log.warning("facts cache unavailable", exc_info=True)
        stored = None
    if stored is not None and stored[0] == current:
        return [Fact(*values) for values in pickle.loads(stored[1])]  # positional: a third of the time of keywords
    facts = read()
    try:
        cache.set(key, (current, pickle.dumps(_all_values(facts, _fields(Fact)), pickle.HIGHEST_PROTOCOL)), TIMEOUT)
    except Exception:
        log.warning("facts cache unavailable", exc_info=True)
    return facts
