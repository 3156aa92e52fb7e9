"""Document readers: one module per format, each turning bytes into rows of cells.

A reader knows nothing about plans. It returns a RawDocument: the document's
paragraphs and table rows in reading order. The table reconstruction in
duban.ingest.table turns those rows into tasks.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from duban.ingest.errors import IngestError

MAX_BYTES = 30 * 1024 * 1024  # a plan is a few hundred KB; 30 MB leaves room for scanned attachments


@dataclass
class Row:
    cells: list[str]
    table: int | None = None  # index of the table the row belongs to; None for a paragraph
    page: int | None = None  # 1-based page number where the format has pages


@dataclass
class RawDocument:
    format: str  # "text", "docx", "pdf", "xlsx", "html"
    rows: list[Row] = field(default_factory=list)
    # Rows are whole: a row cut at a page break (PDF, PDF-extracted text) is continued by the next
    # row; in Word, Excel, HTML and "|"-separated text a row is always one row.
    whole_rows: bool = True

    def paragraphs(self) -> list[str]:
        return [r.cells[0] for r in self.rows if r.table is None and r.cells and r.cells[0].strip()]


def sniff_format(data: bytes, filename: str | None = None) -> str:
    """Decide the format by content first, by file name only to tell zip-based formats apart."""
    name = (filename or "").lower()
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        from duban.ingest.readers import ooxml

        return ooxml.zip_kind(data, name)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise IngestError("这是旧版 Word/Excel（.doc/.xls）文件，请在 Office 或 WPS 中另存为 .docx 或 .xlsx 后再导入。")
    for ext, label in ((".docx", "Word"), (".xlsx", "Excel"), (".pdf", "PDF")):
        if name.endswith(ext):
            raise IngestError(f"文件扩展名是 {ext}，但内容不是有效的 {label} 文件（可能已损坏或改了扩展名）。")
    if name.endswith((".html", ".htm")):
        return "html"
    from duban.ingest.readers.text import decode

    head = decode(data[:4096], strict=False).lstrip().lower()
    if head.startswith(("<!doctype html", "<html")) or "<table" in head:
        return "html"
    return "text"


def read(data: bytes, filename: str | None = None, on_page=None) -> RawDocument:
    """on_page(done, total): progress of a paged format (PDF), for a caller that shows it."""
    if len(data) > MAX_BYTES:
        raise IngestError(f"文件过大（{len(data) / 1024 / 1024:.0f} MB），分工方案文件不应超过 {MAX_BYTES // 1024 // 1024} MB。")
    if not data.strip():
        raise IngestError("文件是空的，没有可读取的内容。")
    kind = sniff_format(data, filename)
    if kind == "text":
        from duban.ingest.readers import text as reader
    elif kind == "docx":
        from duban.ingest.readers import docx as reader
    elif kind == "xlsx":
        from duban.ingest.readers import xlsx as reader
    elif kind == "pdf":
        from duban.ingest.readers import pdf as reader
    elif kind == "html":
        from duban.ingest.readers import html as reader
    else:  # pragma: no cover - zip_kind raises for unknown zips
        raise IngestError("无法识别的文件格式。")
    if kind == "pdf":
        return reader.read(data, on_page=on_page)
    return reader.read(data)
