"""Plans of other governments (copied from shared/corpus), each against its ground truth written by a person.

The comparison is the corpus scorer's: requirement text ignoring whitespace and full/half-width forms,
unit names without bracketed parts, the lead set, the deadline's meaning, a flagged missing deadline.
"""
import json
import re
import unicodedata
from pathlib import Path

import pytest

from duban.ingest import IngestError, parse_file

pytestmark = pytest.mark.pure
CORPUS = Path(__file__).parent / "corpus"
DOCS = sorted(p for p in CORPUS.iterdir() if not p.name.endswith(".gt.json"))


def norm(s):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s or ""))


def unit_norm(u):
    return re.sub(r"[（(].*?[）)]", "", norm(u))


def section_norm(s):
    """A heading as written, without its number ("(一)", "一、", "1.") and closing full stop."""
    return re.sub(r"^(\([一二三四五六七八九十]+\)|[一二三四五六七八九十]+、|\d+[.、])", "", norm(s)).rstrip("。.")


def truth(doc: Path) -> dict:
    return json.loads((CORPUS / (doc.name.rsplit(".", 1)[0] + ".gt.json")).read_text(encoding="utf-8"))


def deadline_ok(want, got, warnings) -> bool:
    got = got or {}
    if want is None:
        return not got
    if "month_day" in want and not got and warnings:
        return True  # no year in the document: unknown with a warning is as good as a guessed year
    return got.get("kind") == want["kind"] and (
        "month_day" not in want or str(got.get("date", "")).endswith(want["month_day"])) and (
        "date" not in want or got.get("date") == want["date"])


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_corpus_document_reads_as_a_person_read_it(doc):
    gt = truth(doc)
    if gt.get("expect") == "no_tasks":
        with pytest.raises(IngestError, match="没有任何任务"):
            parse_file(doc)
        return
    plan = parse_file(doc).to_json()
    got = {t["no"]: t for t in plan["tasks"]}
    assert sorted(got) == [g["no"] for g in gt["tasks"]]
    for g in gt["tasks"]:
        t = got[g["no"]]
        where = f"task {g['no']}"
        assert norm(t["requirement"]) == norm(g["requirement"]), where
        want_units = {unit_norm(x) for x in g["lead_units"] + g["responsible_units"] + g["unit_groups"]}
        assert {unit_norm(x) for x in t["lead_units"] + t["responsible_units"] + t["unit_groups"]} == want_units, where
        if g["lead_units"]:
            assert {unit_norm(x) for x in t["lead_units"]} == {unit_norm(x) for x in g["lead_units"]}, where
        assert deadline_ok(g["deadline"], t["deadline"], t["warnings"]), where
        if g["deadline_missing"]:
            assert t["warnings"], where
        assert section_norm(t["section"][-1] if t["section"] else "") == section_norm(g["section"]), where
    if gt.get("doc_number"):
        assert norm(plan["doc_number"]) == norm(gt["doc_number"]) and plan["issued_on"] == gt["issued_on"]
