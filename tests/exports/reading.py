"""Reading generated files back: tables of a .docx, rows of an .xlsx sheet under its header."""
from __future__ import annotations

import io

import docx
import openpyxl


def docx_tables(blob: bytes) -> list[list[list[str]]]:
    d = docx.Document(io.BytesIO(blob))
    return [[[c.text for c in row.cells] for row in t.rows] for t in d.tables]


def docx_text(blob: bytes) -> str:
    d = docx.Document(io.BytesIO(blob))
    return "\n".join(p.text for p in d.paragraphs)


def workbook(blob: bytes):
    return openpyxl.load_workbook(io.BytesIO(blob))


def sheet_rows(ws, first_header: str = "序号") -> tuple[list, list[list]]:
    """(header, data rows) of a titled table: the header is the first row whose first cell is ``first_header``."""
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    at = next(i for i, r in enumerate(rows) if r and r[0] == first_header)
    data = [r for r in rows[at + 1:] if any(v not in (None, "") for v in r)]
    return rows[at], data
