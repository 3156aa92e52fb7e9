"""HTML pages (BeautifulSoup, built-in "html.parser"): paragraphs and tables in order.

Encoding: a BOM, else the page's <meta charset> / http-equiv Content-Type
(GB2312 and GBK are read as GB18030, their superset), else UTF-8, else GB18030.

Text outside tables (p, h1-h6, div blocks, lines separated by <br>) becomes
paragraphs. Every data table becomes rows with its rowspan/colspan grid
expanded: a rowspan repeats the cell's text downward; a colspan gives the text
once and "" in the other columns (the same rule as the Word reader).

Government pages often wrap their content in layout tables. Only the innermost
tables are data tables: a table that contains another table contributes just
its own cells' text, as paragraphs; so does a table that is a single column
wide (a frame around an article).
"""
from __future__ import annotations

import codecs
import re

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import CData

from duban.ingest.errors import IngestError
from duban.ingest.readers import RawDocument, Row
from duban.ingest.readers.ooxml import is_cjk, join_lines
from duban.ingest.readers.text import decode as decode_text

_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.I)
_GB_ALIASES = {"gb2312", "gbk", "gb_2312-80", "gb_2312", "x-gbk", "cp936", "ms936", "windows-936", "euc-cn", "csgb2312", "x-euc-cn"}

SKIP = {"script", "style", "noscript", "template", "head", "title", "meta", "link", "iframe", "object", "svg",
        "select", "option", "button", "textarea", "input"}
BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "section", "article",
         "header", "footer", "main", "nav", "aside", "blockquote", "pre", "address", "center", "figure",
         "figcaption", "form", "fieldset", "legend", "hr", "caption", "tr", "td", "th", "thead", "tbody", "tfoot",
         "body", "html", "details", "summary"}
MAX_SPAN = 1000
MAX_GRID_CELLS = 1_000_000


def decode(data: bytes) -> str:
    """The page as text: a BOM wins; then UTF-8 (text that decodes as UTF-8 is UTF-8, whatever
    the page declares: pages re-saved as UTF-8 often keep a stale charset=gb2312); then the
    declared charset; then GB18030. A page with a few broken bytes is decoded leniently with
    the candidate whose decoding needs the fewest replacement characters."""
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode_text(data, strict=False)
    declared = _declared_charset(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if declared and declared != "utf-8":
        try:
            return data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass
    lenient = data.decode("utf-8", errors="replace")
    if _broken_ratio(lenient) <= 0.05:  # UTF-8 with a few broken bytes (GBK read as UTF-8 is nearly all broken)
        return lenient
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    candidates = [lenient] + [data.decode(e, errors="replace") for e in dict.fromkeys((declared or "gb18030", "gb18030"))]
    best = min(candidates, key=_broken_ratio)
    if _broken_ratio(best) <= 0.05:
        return best
    try:
        return decode_text(data, strict=True)  # charset detection, as for text files
    except IngestError:
        return best


def _declared_charset(data: bytes) -> str:
    match = _META_CHARSET.search(data[:8192])
    if not match:
        return ""
    label = match.group(1).decode("ascii", "ignore").strip().lower()
    if label in _GB_ALIASES or label.startswith("gb"):
        return "gb18030"
    if label in {"big5", "big5-hkscs"}:
        return "big5hkscs"
    if label.startswith("utf-16") or label in {"iso-8859-1", "latin-1", "latin1", "windows-1252", "ascii", "us-ascii"}:
        return ""  # a page declaring UTF-16 without a BOM, or Latin-1 for Chinese text, is mislabelled
    try:
        return codecs.lookup(label).name
    except LookupError:
        return ""


def _broken_ratio(text: str) -> float:
    """Replacement characters per non-ASCII character."""
    bad = text.count("\ufffd")
    if not bad:
        return 0.0
    return bad / max(sum(1 for ch in text if ch > "\x7f"), 1)


_BINARY = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def read(data: bytes) -> RawDocument:
    text = decode(data)
    head = text[:65536]
    if len(_BINARY.findall(head)) > max(len(head) // 50, 8):
        raise IngestError("文件中含有二进制内容，不是网页（HTML）文件，可能已损坏或改了扩展名。")
    text = _CONTROL.sub("", text)
    try:
        soup = BeautifulSoup(text, "html.parser")
    except Exception:  # noqa: BLE001 - html.parser is lenient, but be safe
        raise IngestError("网页文件格式异常，无法解析。请在浏览器中打开后另存为网页或复制内容到 Word 后再导入。") from None
    doc = RawDocument(format="html")
    walker = _Walker(doc)
    try:
        walker.walk(soup.body or soup)
        walker.flush()
    except IngestError:
        raise
    except RecursionError:
        raise IngestError("网页结构嵌套过深，无法解析。") from None
    except Exception:  # noqa: BLE001
        raise IngestError("网页内容结构异常，无法读取其中的段落和表格。") from None
    return doc


# -- text helpers ---------------------------------------------------------------
_WS = re.compile(r"\s+")


def soft_text(raw: str) -> str:
    """Collapse HTML whitespace: a run containing a newline between two CJK characters
    disappears (source line wrapping), any other run becomes one space."""

    def repl(m: re.Match) -> str:
        s = m.string
        if "\n" in m.group(0) or "\r" in m.group(0):
            before = s[m.start() - 1] if m.start() > 0 else ""
            after = s[m.end()] if m.end() < len(s) else ""
            if is_cjk(before) and is_cjk(after):
                return ""
        return " "

    return _WS.sub(repl, raw)


def _is_text(node) -> bool:
    return isinstance(node, NavigableString) and (type(node) is NavigableString or isinstance(node, CData))


def _hidden(tag) -> bool:
    if tag.has_attr("hidden"):
        return True
    style = tag.get("style")
    if isinstance(style, str) and "display" in style:
        return re.search(r"display\s*:\s*none", style, re.I) is not None
    return False


def _span(tag, attr: str) -> int:
    value = tag.get(attr)
    if value is None:
        return 1
    m = re.search(r"\d+", str(value))
    if not m:
        return 1
    return min(int(m.group(0)), MAX_SPAN)


# -- the walker -----------------------------------------------------------------
class _Walker:
    def __init__(self, doc: RawDocument):
        self.doc = doc
        self.buf: list[str] = []
        self.table_index = 0

    def flush(self) -> None:
        if self.buf:
            text = soft_text("".join(self.buf)).strip()
            self.buf = []
            if text:
                self.doc.rows.append(Row(cells=[text], table=None))

    def walk(self, node, pre: bool = False) -> None:
        for child in node.children:
            if _is_text(child):
                if pre and ("\n" in child):
                    lines = str(child).split("\n")
                    for i, line in enumerate(lines):
                        if i:
                            self.flush()
                        self.buf.append(line)
                else:
                    self.buf.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            if name in SKIP or _hidden(child):
                continue
            if name == "br":
                self.flush()
            elif name == "table":
                self.flush()
                grid = None if child.find("table") is not None else _table_grid(child)
                if grid is None or max((len(r) for r in grid), default=0) <= 1:
                    self.walk(child, pre)  # layout table: its cells are blocks of text
                else:
                    self.emit_table(grid)
                self.flush()
            elif name in BLOCK:
                self.flush()
                self.walk(child, pre or name == "pre")
                self.flush()
            else:
                self.walk(child, pre)

    def emit_table(self, grid: list[list[str]]) -> None:
        index = self.table_index
        self.table_index += 1
        for cells in grid:
            if any(cells):
                self.doc.rows.append(Row(cells=cells, table=index))


# -- tables ---------------------------------------------------------------------
def _table_grid(table) -> list[list[str]]:
    """The table's rows with rowspan/colspan expanded. Tolerates unclosed <tr>/<td>
    (which html.parser nests): a cell belongs to its nearest <tr>."""
    trs = [tr for tr in table.find_all("tr") if not _hidden(tr)]
    order = {id(tr): i for i, tr in enumerate(trs)}
    cells_by_row: list[list] = [[] for _ in trs]
    for cell in table.find_all(["td", "th"]):
        tr = cell.find_parent("tr")
        if tr is not None and id(tr) in order and not _hidden(cell):
            cells_by_row[order[id(tr)]].append(cell)
    n = len(trs)
    grid: dict[tuple[int, int], str] = {}
    width = 0
    for r, cells in enumerate(cells_by_row):
        c = 0
        for cell in cells:
            while (r, c) in grid:
                c += 1
            text = cell_text(cell)
            colspan = _span(cell, "colspan")
            rowspan = _span(cell, "rowspan")
            if rowspan == 0 or r + rowspan > n:  # rowspan="0": to the end of the table
                rowspan = n - r
            colspan = max(colspan, 1)
            if len(grid) + rowspan * colspan > MAX_GRID_CELLS:
                raise IngestError("网页中的表格过大（合并单元格跨度异常），无法读取。")
            for dr in range(rowspan):
                grid[(r + dr, c)] = text
                for dc in range(1, colspan):
                    grid[(r + dr, c + dc)] = ""
            c += colspan
            width = max(width, c)
    return [[grid.get((r, c), "") for c in range(width)] for r in range(n)]


def cell_text(cell) -> str:
    """A cell's text: blocks and <br> break lines, then join_lines (CJK-aware)."""
    lines: list[list[str]] = [[]]
    _cell_lines(cell, lines)
    return join_lines("\n".join(soft_text("".join(parts)) for parts in lines), hard_breaks=True)


def _cell_lines(node, lines: list[list[str]]) -> None:
    for child in node.children:
        if _is_text(child):
            lines[-1].append(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name
        if name in SKIP or name in ("td", "th", "tr") or _hidden(child):
            continue  # a td inside a td is an unclosed tag: it is a cell of its own
        if name == "br":
            lines.append([])
        elif name in BLOCK or name == "table":
            lines.append([])
            _cell_lines(child, lines)
            lines.append([])
        else:
            _cell_lines(child, lines)
