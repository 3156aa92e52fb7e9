"""Plain text, as extracted from a PDF: one table row per line, cells separated by tabs."""
from __future__ import annotations

import codecs
import re

from duban.ingest.errors import IngestError
from duban.ingest.readers import RawDocument, Row

BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


def decode(data: bytes, strict: bool = True) -> str:
    """Detect the encoding: a BOM, else UTF-8, else GB18030 (a superset of GBK and GB2312)."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="strict" if strict else "replace")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    if not strict:
        return data.decode("utf-8", errors="replace")
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding in {"ascii"}:
        raise IngestError("无法识别文件的文字编码（不是 UTF-8、GB18030/GBK 或 UTF-16），请另存为 UTF-8 文本后再导入。")
    return str(best)


def read(data: bytes) -> RawDocument:
    text = decode(data)
    if "\x00" in text:
        raise IngestError("文件中含有二进制内容，不是文本文件。")
    doc = RawDocument(format="text")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if "\t" not in text and (found := pipe_table(lines) or paragraph_rows(lines)):
        before, rows, after = found
        doc.rows += [Row(cells=[p], table=None) for p in before]
        doc.rows += [Row(cells=cells, table=0) for cells in rows]
        doc.rows += [Row(cells=[p], table=None) for p in after]
        return doc
    doc.whole_rows = False
    page = 1
    for line in lines:
        if "\f" in line:
            page += line.count("\f")
            line = line.replace("\f", "")
        if "\t" in line:
            doc.rows.append(Row(cells=[c.strip() for c in line.split("\t")], table=0, page=page))
        elif line.strip():
            doc.rows.append(Row(cells=[line.strip()], table=None, page=page))
    return doc
# -- text copied from a web page or a PDF viewer: cells separated by "|" ---------------------------------
#
# Three shapes come from copying a table out of a browser or a PDF viewer:
#   a row per line, its cells separated by "|" (with or without "|" at both ends; "|---|" rules skipped);
#   a cell per line, each followed by a line holding only "|" (or ending in " |"); "|||" stands for the
#   empty cells of a row merged across the table;
#   a cell per line and a line holding only "|" between rows.
# The rows are rebuilt from the stream of cells with the header's width; where the data rows carry a
# 序号 the header does not name, the numbers anchor the rows, and a cell before a number (a section cell
# merged down over several rows, written on the first row of its group only) belongs to that row.
PIPE_ONLY = re.compile(r"^\|+$")
RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")
ROW_NUMBER = re.compile(r"^[（(]?\s*\d{1,5}\s*[）)]?\s*[.、．]?$")


def is_pipe_line(line: str) -> bool:
    return bool(PIPE_ONLY.match(line)) or line.endswith("|")


def pipe_region(lines: list[str]) -> tuple[int, int] | None:
    """The first and last line (inclusive) of a "|"-separated table, or None when there is none."""
    marked = [i for i, line in enumerate(lines) if is_pipe_line(line) or line.count("|") >= 2]
    if len(marked) < 3:
        return None
    first, last = marked[0], marked[-1]
    if PIPE_ONLY.match(lines[first]) and first > 0:
        first -= 1  # "工作任务" then "|": the cell is on the line above its separator
    return first, last


def pipe_table(lines: list[str]) -> tuple[list[str], list[list[str]], list[str]] | None:
    """(paragraphs before, rows, paragraphs after), or None when the text has no "|"-separated table."""
    stripped = [line.strip() for line in lines]
    region = pipe_region(stripped)
    if region is None:
        return None
    rows, first = pipe_rows(stripped, region)
    return [line for line in stripped[:first] if line], rows, [line for line in stripped[region[1] + 1:] if line]


def pipe_rows(lines: list[str], region: tuple[int, int]) -> tuple[list[list[str]], int]:
    """The table's rows, and the line where the table starts."""
    first, last = region
    body = lines[first:last + 1]
    inline = [line for line in body if not PIPE_ONLY.match(line) and re.search(r"[^|\s]\s*\|\s*[^|\s]", line)]
    if len(inline) >= max(2, len([line for line in body if line]) // 2):
        rows = []  # a row per line
        for line in body:
            if not line or RULE.match(line):
                continue
            cells = [c.strip() for c in line.split("|")]
            if line.startswith("|"):
                cells = cells[1:]
            if line.endswith("|"):
                cells = cells[:-1]
            rows.append(cells)
        return rows, first
    tokens = [t.strip() for t in "\n".join(body).split("|")][:-1]  # every cell ends in "|"
    counts = [len([line for line in t.split("\n") if line.strip()]) for t in tokens if t.strip()]
    if counts and sum(1 for n in counts if n >= 2) >= len(counts) * 0.6:
        # a line per cell, "|" between rows; the header's lines all stand above the first "|"
        per_row = sorted(counts)[len(counts) // 2]
        top = first
        while top > 0 and lines[top - 1] and first - top < per_row - 1:
            top -= 1
        tokens[0] = "\n".join(lines[top:first] + [tokens[0]])
        return [[c.strip() for c in t.strip().split("\n")] for t in tokens if t.strip()], top
    return stream_rows(tokens), first


def stream_rows(tokens: list[str]) -> list[list[str]]:
    """A stream of cells, each ended by "|", back into rows of the header's width."""
    from duban.ingest.table import HEADER_FIELDS, header_map

    width = 0  # the header: the cells from the start that name a column
    while width < len(tokens) and 0 < len(name := re.sub(r"\s+", "", tokens[width])) <= 12 and any(
        rx.search(name) for _, rx in HEADER_FIELDS
    ):
        width += 1
    if header_map(tokens[:width]) is None:
        return [tokens]  # no header: the table reconstruction will say it found no table
    header, data = tokens[:width], tokens[width:]
    anchors = _in_sequence(data, [i for i, t in enumerate(data) if ROW_NUMBER.match(t)])
    no = header_map(header).no
    if no is None and len(anchors) >= 2:
        return _anchor_rows(header, data, anchors)
    gaps = {b - a for a, b in zip(anchors, anchors[1:])}
    if no is not None and len(anchors) >= 2 and gaps != {width}:
        # rows of different lengths (an empty cell left out, a cell in two paragraphs): a row runs from
        # its 序号 to the next one; the table reconstruction places its cells by what they hold
        starts = [max(0, a - no) for a in anchors]
        rows = [data[:starts[0]]] if any(data[:starts[0]]) else []
        rows += [data[a:b] for a, b in zip(starts, starts[1:] + [len(data)])]
        return [header] + rows
    return [header] + [data[i:i + width] for i in range(0, len(data), width)]


def _in_sequence(data: list[str], anchors: list[int]) -> list[int]:
    """The anchors whose numbers run 1, 2, 3…: a number among other cells is not a row start otherwise."""
    out, expected = [], None
    for i in anchors:
        n = int(re.sub(r"\D", "", data[i]))
        if expected is None or n == expected:
            out.append(i)
            expected = n + 1
    return out


def _anchor_rows(header: list[str], data: list[str], anchors: list[int]) -> list[list[str]]:
    """Rows anchored on 序号 cells that the header does not name (its first cell spans the section and
    the number). Cells before a number are the row's section cells, written on the first row of a group."""
    gaps = [b - a for a, b in zip(anchors, anchors[1:])]
    after = max(1, min(min(gaps) - 1, len(header) - 1))  # the cells after the number
    lead = len(header) - after  # header cells over the section cells and the number
    parts, start = [], 0
    for a in anchors:
        leading = [c for c in data[start:a] if c]
        parts.append((leading, data[a], data[a + 1:a + 1 + after]))
        start = a + 1 + after
    width = max(1, max(len(p[0]) for p in parts))
    head = (header[:lead] + [""] * width)[:width]
    rows = [head + ["序号"] + header[lead:]]
    for leading, number, rest in parts:
        rows.append([""] * (width - len(leading)) + leading[-width:] + [number] + rest)
    if tail := [c for c in data[start:] if c]:
        rows.append(tail)
    return rows


# -- text copied from a web page whose table cells became paragraphs ---------------------------------------
#
#     一级指标            <- each cell a paragraph, blank lines between them;
#                        a line holding only a space (or nothing but a full-width space) ends a row
#     二级指标
#     …
#
# The table starts at three or more short paragraphs in a row that name columns; lines of one paragraph
# are one cell (a cell cut by a line break is joined again).
ROW_END = re.compile(r"^[ \u3000\u00a0]+$")


def is_header_cell(text: str) -> bool:
    from duban.ingest.table import HEADER_FIELDS

    name = re.sub(r"\s+", "", text)
    return 0 < len(name) <= 10 and not re.search(r"[:：，,。；;]", name) and any(rx.search(name) for _, rx in HEADER_FIELDS)


def paragraph_rows(lines: list[str]) -> tuple[list[str], list[list[str]], list[str]] | None:
    """(paragraphs before, rows, paragraphs after), or None when no table of paragraphs is found."""
    blocks: list[tuple[str, bool]] = []  # (text, row end) in order; a row end carries no text
    current: list[str] = []
    for line in lines + [""]:
        if ROW_END.match(line) or not line.strip():
            if current:
                blocks.append(("".join(current), False))
                current = []
            if ROW_END.match(line):
                blocks.append(("", True))
        else:
            current.append(line.strip())
    cells = [(i, text) for i, (text, end) in enumerate(blocks) if not end]
    if not any(is_header_cell(t) for _, t in cells) and not any(end for _, end in blocks):
        # no blank lines at all: a line per cell
        blocks = [(line.strip(), False) for line in lines if line.strip()]
        cells = list(enumerate(t for t, _ in blocks))
    start = None
    for k in range(len(cells) - 2):
        run = cells[k:k + 3]
        if all(is_header_cell(t) for _, t in run) and not any(blocks[j][1] for j in range(run[0][0], run[-1][0])):
            start = run[0][0]
            break
    if start is None:
        return None
    from duban.ingest.table import header_map

    header = []
    j = start
    while j < len(blocks) and not blocks[j][1] and is_header_cell(blocks[j][0]):
        header.append(blocks[j][0])
        j += 1
    if header_map(header) is None:
        return None
    before = [t for t, end in blocks[:start] if not end]
    ends = [i for i, (_, end) in enumerate(blocks) if end and i > start]
    if len(ends) >= 2:  # rows marked: a row is the cells between two row ends
        rows, row = [], []
        for text, end in blocks[start:ends[-1] + 1]:
            if end:
                if row:
                    rows.append(row)
                row = []
            else:
                row.append(text)
        after = [t for t, end in blocks[ends[-1] + 1:] if not end]
        if after and len(after) <= max(len(r) for r in rows):  # the last row, without a row end after it
            rows.append(after)
            after = []
        return before, rows, after
    return before, stream_rows([t for t, end in blocks[start:] if not end]), []
