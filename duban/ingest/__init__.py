"""Plan ingestion: a pure library (no Django) that takes a document's bytes and returns a Plan.

    from duban.ingest import parse
    plan = parse(open("plan.docx", "rb").read(), "plan.docx")

Readers (duban.ingest.readers.*) turn each format into rows of cells; the table
reconstruction (duban.ingest.table) turns rows into tasks, using the clause
parsers for units (duban.ingest.units) and deadlines (duban.ingest.deadline),
and duban.ingest.meta for the title, 文号 and date.
"""
from __future__ import annotations

from pathlib import Path

from duban.ingest.errors import IngestError
from duban.ingest.model import Deadline, Plan, Task, UnitRef

__all__ = ["parse", "parse_file", "IngestError", "Plan", "Task", "UnitRef", "Deadline"]


def parse(data: bytes, filename: str | None = None, on_page=None) -> Plan:
    """on_page(done, total) is called as the pages of a PDF are read (the slow part), if given."""
    from duban.ingest import readers, script
    from duban.ingest.table import build_plan

    doc, back, warnings = script.prepare(readers.read(data, filename, on_page=on_page))
    plan = build_plan(doc)
    script.finish(plan, back, warnings)
    return plan


def parse_file(path: str | Path) -> Plan:
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        raise IngestError(f"找不到文件：{path}") from None
    from duban.ingest.readers import MAX_BYTES

    if size > MAX_BYTES:
        raise IngestError(f"文件过大（{size / 1024 / 1024:.0f} MB），分工方案文件不应超过 {MAX_BYTES // 1024 // 1024} MB。")
    return parse(path.read_bytes(), path.name)
