"""The seed plan (西政办通〔2021〕51号), every task, against a file transcribed by hand from the document.

tests/ingest/expected/xishan_2021.json was written by reading the PDF text row by row, joining the
cells cut at page breaks and placing shifted cells by meaning; it was not produced by the parser.
"""
import json
from pathlib import Path

import pytest

from duban.ingest import parse_file

HERE = Path(__file__).parent
SEED = HERE.parents[1] / "duban" / "data" / "xishan_2021_plan.txt"
EXPECTED = json.loads((HERE / "expected" / "xishan_2021.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def plan():
    return parse_file(SEED)


def test_document_metadata(plan):
    assert plan.title == EXPECTED["title"]
    assert plan.issuer == EXPECTED["issuer"]
    assert plan.doc_number == EXPECTED["doc_number"]
    assert plan.issued_on.isoformat() == EXPECTED["issued_on"]
    assert plan.year == EXPECTED["year"]


def test_all_tasks_in_order(plan):
    assert [t.no for t in plan.tasks] == [t["no"] for t in EXPECTED["tasks"]] == list(range(1, 75))


@pytest.mark.parametrize("expected", EXPECTED["tasks"], ids=lambda t: f"task{t['no']}")
def test_task(plan, expected):
    task = plan.tasks[expected["no"] - 1].to_json()
    assert task["requirement"] == expected["requirement"]
    assert task["section"] == expected["section"]
    assert task["lead_units"] == expected["lead_units"]
    assert task["responsible_units"] == expected["responsible_units"]
    assert task["unit_groups"] == expected["unit_groups"]
    aliases = {u["name"]: u["aliases"] for u in task["units"] if u["aliases"]}
    assert aliases == expected["aliases"]
    assert task["deadline_text"] == expected["deadline_text"]
    assert task["deadline"] == expected["deadline"]
    missing = [w for w in task["warnings"] if "完成时限为空" in w]
    assert bool(missing) == expected["deadline_missing"]


def test_exactly_the_three_empty_deadlines_are_flagged(plan):
    flagged = [t.no for t in plan.tasks if any("完成时限为空" in w for w in t.warnings)]
    assert flagged == [21, 55, 68]


def test_no_warnings_beyond_the_known_doubts(plan):
    # The seed's only doubts: the three empty deadlines, the shifted rows, the headings inside requirement cells.
    unexpected = [w for t in plan.tasks for w in t.warnings if not any(k in w for k in ("完成时限为空", "没有对齐", "具体要求开头"))]
    assert unexpected == []
