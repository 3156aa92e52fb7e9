"""PDF files (pdfplumber): each page's ruled tables, and the text around them, in reading order.

Tables are found with pdfplumber's "lines" strategy (the ruled tables a plan is
typeset with). A cell that spans several rows repeats its text in each row it
covers; a cell spanning several columns gives its text once, then "" (the Word
reader's rule). A table that runs over a page break keeps its table index when
the new page starts with a table of the same column count; the repeated header
row comes out like any other row (the table parser recognises it).

Text outside the tables becomes paragraphs: lines of one paragraph are joined
when a line runs to the right margin and the next one follows at normal line
spacing. Page-number lines ("- 3 -", "第 3 页") are dropped.
"""
from __future__ import annotations

import functools
import io
import logging
import re
import threading
import zlib

from duban.ingest.errors import IngestError
from duban.ingest.readers import RawDocument, Row
from duban.ingest.readers.ooxml import join_lines

MAX_PAGES = 500  # a plan is a few dozen pages; a 500-page PDF is a book, not a plan
# A PDF's streams are compressed; one that inflates to gigabytes (a "PDF bomb") must be refused before it
# fills the memory. Content streams of a plan are kilobytes, an embedded CJK font a few megabytes.
MAX_STREAM_BYTES = 64 * 1024 * 1024  # one stream, inflated
MAX_INFLATED_BYTES = 256 * 1024 * 1024  # all the streams of one document, inflated
BOMB = "PDF 文件解压后过大（{what}超过 {mb} MB），已停止读取，这不像是分工方案。请重新导出 PDF，或提供 Word/WPS 原文件。"
TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
_PAGE_NUMBER = re.compile(r"^[\s\-—–－·.]*\d{1,4}[\s\-—–－·.]*$|^第\s*\d+\s*页(\s*[,，/]?\s*共\s*\d+\s*页)?$|^\d+\s*/\s*\d+$")

# pdfminer logs a warning for every oddity of a malformed PDF (to stderr when logging is not
# configured, e.g. in `duban parse`); the reader reports what matters as an IngestError.
if logging.getLogger("pdfminer").level == logging.NOTSET:
    logging.getLogger("pdfminer").setLevel(logging.ERROR)

SCANNED = "这个 PDF 没有可提取的文字，可能是扫描件（图片），无法提取文字。请提供 Word/WPS 原文件，或可以复制文字的 PDF。"


def read(data: bytes, on_page=None) -> RawDocument:
    """on_page(done, total), if given, is called after each page: reading is the slow part of an import."""
    _guard_streams()
    _budget.left = MAX_INFLATED_BYTES
    try:
        return _read(data, on_page)
    finally:
        _budget.left = None


def _read(data: bytes, on_page) -> RawDocument:
    try:
        import pdfplumber

        pdf = pdfplumber.open(io.BytesIO(data))
        pages = pdf.pages
    except IngestError:
        raise
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many kinds, wrapped by pdfplumber
        raise _error(exc) from None
    if not pages:
        pdf.close()
        raise IngestError("PDF 文件已损坏或不完整（没有任何页面），无法读取。")
    if len(pages) > MAX_PAGES:
        pdf.close()
        raise IngestError(f"PDF 共有 {len(pages)} 页，超过 {MAX_PAGES} 页上限，不像是分工方案，已拒绝读取。")
    extracted: list[_Page] = []
    try:
        for done, page in enumerate(pages, start=1):
            page.__class__ = _lean_page_class()  # the same page, its characters read the lean way
            try:
                extracted.append(_extract_page(page))
            finally:
                page.close()
            if on_page is not None:
                on_page(done, len(pages))
    except IngestError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise _error(exc) from None
    finally:
        pdf.close()
    chars = sum(p.chars for p in extracted)
    if chars < 10:
        raise IngestError(SCANNED)
    if sum(p.cid_chars for p in extracted) > chars // 2:
        raise IngestError("PDF 使用的字体缺少文字编码信息，提取出的内容是乱码，无法提取文字。请提供 Word/WPS 原文件，或重新导出 PDF。")
    return _layout(extracted)


# --- the decompressed-size guard ---------------------------------------------------------------------

_budget = threading.local()  # bytes the document's streams may still inflate to; None outside read()


def _guard_streams() -> None:
    """Wrap pdfminer's PDFStream.decode (once per process) so that, while read() runs in this thread, a
    FlateDecode stream is measured before it is inflated (by inflating it in 1 MB steps and counting,
    keeping nothing), and every decoded stream is counted against the document's budget. Outside read()
    the wrapper does nothing."""
    from pdfminer.pdftypes import LITERALS_FLATE_DECODE, PDFStream

    decode = PDFStream.decode
    if getattr(decode, "duban_guard", False):
        return

    def guarded(self) -> None:
        left = getattr(_budget, "left", None)
        if left is None:
            return decode(self)
        limit = min(MAX_STREAM_BYTES, left)
        filters = self.get_filters()
        if filters and filters[0][0] in LITERALS_FLATE_DECODE and self.rawdata is not None:
            raw = self.rawdata
            if self.decipher and self.objid is not None and self.genno is not None:
                raw = self.decipher(self.objid, self.genno, raw, self.attrs)
            if _inflated_size(raw, limit) > limit:
                raise _bomb(limit)
        decode(self)
        size = len(self.data or b"")
        if size > limit:  # other filters (LZW, run-length) are only measured once decoded
            self.data = b""
            raise _bomb(limit)
        _budget.left = left - size

    guarded.duban_guard = True
    PDFStream.decode = guarded


def _inflated_size(raw: bytes, limit: int) -> int:
    """How many bytes ``raw`` inflates to, counting no further than just past ``limit``."""
    d = zlib.decompressobj()
    total = 0
    try:
        while raw:
            total += len(d.decompress(raw, 1024 * 1024))
            if total > limit or d.eof:
                break
            raw = d.unconsumed_tail
    except zlib.error:
        pass  # damaged: pdfminer recovers what it can, and that is measured once decoded
    return total


def _bomb(limit: int) -> IngestError:
    if limit == MAX_STREAM_BYTES:
        return IngestError(BOMB.format(what="其中一个数据流", mb=MAX_STREAM_BYTES // 1024 // 1024))
    return IngestError(BOMB.format(what="全部内容", mb=MAX_INFLATED_BYTES // 1024 // 1024))


def _error(exc: BaseException) -> IngestError:
    seen = set()
    e: BaseException | None = exc
    names = []
    while e is not None and id(e) not in seen:
        if isinstance(e, IngestError):  # the size guard's, wrapped by pdfplumber (PdfminerException)
            return e
        if isinstance(e, MemoryError):  # the memory limit of the process that parses (duban.ingest.worker)
            return IngestError("PDF 文件解压后过大或结构异常，已停止读取（超过内存上限）。请重新导出 PDF，或提供 Word/WPS 原文件。")
        seen.add(id(e))
        names.append(f"{type(e).__name__} {e}".lower())
        e = e.__cause__ or e.__context__ or (e.args[0] if e.args and isinstance(e.args[0], BaseException) else None)
    text = " ".join(names)
    if "password" in text or "encrypt" in text:
        return IngestError("PDF 文件已加密（设置了打开密码或权限保护），无法读取。请去掉密码后重新导出 PDF，或提供 Word/WPS 原文件。")
    return IngestError("PDF 文件已损坏或格式不正确，无法读取。请重新导出 PDF，或提供 Word/WPS 原文件。")


@functools.cache
def _lean_page_class():
    """pdfplumber's Page, except that a character's dict is built directly: the same keys and values as
    Page.process_object gives (tests/ingest/test_readers.py compares them), without resolving every attribute
    of every character generically, which took a third of the time of reading a large PDF."""
    from pdfminer.layout import LTChar
    from pdfplumber.page import Page
    from pdfplumber.utils import resolve_and_decode

    @functools.cache
    def colour_space(name) -> str:  # decoded character by character: once per name, not per character
        return resolve_and_decode(name)

    class LeanPage(Page):
        def process_object(self, obj):
            if type(obj) is not LTChar or self.pdf.unicode_norm is not None or not isinstance(obj.fontname, str):
                return super().process_object(obj)
            gs = obj.graphicstate
            mb_x0, mb_top = self.mediabox[:2]
            top = (self.height - obj.y1) + mb_top
            return {
                "matrix": obj.matrix, "fontname": obj.fontname, "adv": obj.adv, "upright": obj.upright,
                "x0": obj.x0 + mb_x0, "y0": obj.y0, "x1": obj.x1 + mb_x0, "y1": obj.y1, "width": obj.width,
                "height": obj.height, "size": obj.size, "mcid": obj.mcid, "tag": obj.tag, "object_type": "char",
                "page_number": self.page_number, "ncs": colour_space(obj.ncs.name), "text": obj.get_text(),
                "stroking_color": gs.scolor if isinstance(gs.scolor, tuple) else (gs.scolor,),
                "non_stroking_color": gs.ncolor if isinstance(gs.ncolor, tuple) else (gs.ncolor,),
                "top": top, "bottom": (self.height - obj.y0) + mb_top, "doctop": self.initial_doctop + top,
            }

    return LeanPage


class _Page:
    """What one page holds, in reading order: ("line", dict) text lines outside tables and
    ("table", rows) tables, sorted from the top."""

    def __init__(self) -> None:
        self.items: list[tuple[str, object]] = []
        self.chars = 0
        self.cid_chars = 0


def _extract_page(page) -> _Page:
    out = _Page()
    chars = page.chars
    out.chars = sum(1 for c in chars if c.get("text", "").strip())
    out.cid_chars = sum(1 for c in chars if c.get("text", "").startswith("(cid:"))
    if not out.chars:
        return out
    tables = page.find_tables(table_settings=TABLE_SETTINGS)
    tables = [t for t in tables if len(t.rows) >= 1 and len(t.rows[0].cells) >= 2]
    bboxes = [t.bbox for t in tables]

    def outside(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        h = (obj["x0"] + obj["x1"]) / 2
        v = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= h <= x1 and top <= v <= bottom for x0, top, x1, bottom in bboxes)

    text_page = page.filter(outside) if bboxes else page
    lines = [ln for ln in text_page.extract_text_lines(return_chars=False) if ln["text"].strip()]
    items: list[tuple[float, int, str, object]] = [(ln["top"], 0, "line", ln) for ln in lines]
    items += [(t.bbox[1], 1, "table", _table_rows(t)) for t in tables]
    items.sort(key=lambda it: (it[0], it[1]))
    out.items = [(kind, item) for _top, _order, kind, item in items]
    return out


def _margins(pages: list[_Page]) -> tuple[float, float]:
    """The text's left and right margins over the whole document. Wrapped lines of body
    paragraphs start at the left margin and run to the right one; a few lines (a wide
    caption, a running header) may stick out, so with enough lines take percentiles."""
    x0s = sorted(ln["x0"] for p in pages for kind, ln in p.items if kind == "line")
    x1s = sorted(ln["x1"] for p in pages for kind, ln in p.items if kind == "line")
    if not x0s:
        return 0.0, 0.0
    if len(x0s) < 20:
        return x0s[0], x1s[-1]
    return x0s[len(x0s) // 20], x1s[len(x1s) * 19 // 20]


def _layout(pages: list[_Page]) -> RawDocument:
    doc = RawDocument(format="pdf", whole_rows=False)
    left, right = _margins(pages)
    table_index = -1
    last_columns = 0  # column count of the previous page's last table
    previous_ended_with_table = False
    for number, page in enumerate(pages, start=1):
        paragraph: list[dict] = []

        def flush() -> None:
            if paragraph:
                text = join_lines("\n".join(ln["text"] for ln in paragraph), wrapped_digits=True)
                paragraph.clear()
                if text and not _PAGE_NUMBER.match(text):
                    doc.rows.append(Row(cells=[text], table=None, page=number))

        first = True
        ended_with_table = False
        for kind, item in page.items:
            if kind == "line":
                if _PAGE_NUMBER.match(item["text"].strip()):
                    continue  # neither text nor the end of a table: a table may go on after it
                if paragraph and not _continues(paragraph[-1], item, left, right):
                    flush()
                paragraph.append(item)
                first = ended_with_table = False
                continue
            flush()
            rows = item
            columns = max((len(r) for r in rows), default=0)
            if first and previous_ended_with_table and columns == last_columns and table_index >= 0:
                pass  # the table continues from the previous page: same index
            else:
                table_index += 1
            for cells in rows:
                if any(cells):
                    doc.rows.append(Row(cells=cells, table=table_index, page=number))
            last_columns = columns
            first = False
            ended_with_table = True
        flush()
        previous_ended_with_table = ended_with_table
    return doc


def _continues(prev: dict, line: dict, left: float, right: float) -> bool:
    """Is `line` the next line of the paragraph that `prev` belongs to? Official documents
    indent a paragraph's first line; its other lines start at the left margin, and every
    line but the last runs to the right margin. Centred titles do neither."""
    height = max(prev["bottom"] - prev["top"], 1.0)
    gap = line["top"] - prev["bottom"]
    if gap < -height / 2 or gap > height * 1.2:
        return False
    if prev["x1"] < right - 1.5 * height:  # the previous line stops short: the paragraph ended
        return False
    if line["x0"] > left + 0.5 * height:  # indented or centred: a new paragraph
        return False
    return bool(line["text"].strip() and prev["text"].strip())


def _table_rows(table) -> list[list[str]]:
    cells = table.cells
    rows = table.rows
    xs = sorted({c[0] for c in cells})
    extracted = table.extract()
    out: list[list[str]] = []
    for row, texts in zip(rows, extracted):
        row_top = row.bbox[1]
        cells_out: list[str] = []
        for j, (cell, text) in enumerate(zip(row.cells, texts)):
            if cell is not None:
                cells_out.append(_clean(text))
                continue
            # No cell starts here: either a cell from a row above spans down into it
            # (repeat its text), or a cell to the left spans across it ("").
            above = _covering_above(cells, xs[j] if j < len(xs) else None, row_top)
            if above is not None and out:
                cells_out.append(_text_at(out, rows, above, j))
            else:
                cells_out.append("")
        out.append(cells_out)
    width = max((len(r) for r in out), default=0)
    return [r + [""] * (width - len(r)) for r in out]


def _covering_above(cells, x0, row_top):
    if x0 is None:
        return None
    for c in cells:
        if abs(c[0] - x0) < 0.5 and c[1] < row_top - 0.5 and c[3] > row_top + 0.5:
            return c
    return None


def _text_at(out: list[list[str]], rows, cell, j: int) -> str:
    """The text already emitted for `cell` (which starts in an earlier row, column j)."""
    for i in range(len(out) - 1, -1, -1):
        if i < len(rows) and j < len(rows[i].cells) and rows[i].cells[j] == cell:
            return out[i][j]
    return ""


def _clean(text: str | None) -> str:
    return join_lines(text, wrapped_digits=True) if text else ""
