"""PDF files (pdfium, through pypdfium2): each page's ruled tables, and the text around them, in reading order.

pdfium reads the pages (in C): every character with its box, and the page's path objects (lines, and
the thin filled rectangles many PDFs draw rules with). Tables are found from those rules with
pdfplumber's table helpers and its "lines" strategy (the ruled tables a plan is typeset with), fed plain
dicts: pdfplumber's own page reading (pdfminer, in Python) took 5 s for a 1,000-task plan. A cell that
spans several rows repeats its text in each row it covers; a cell spanning several columns gives its
text once, then "" (the Word reader's rule). A table that runs over a page break keeps its table index
when the new page starts with a table of the same column count; the repeated header row comes out like
any other row (the table parser recognises it).

Text outside the tables becomes paragraphs: lines of one paragraph are joined
when a line runs to the right margin and the next one follows at normal line
spacing. Page-number lines ("- 3 -", "第 3 页") are dropped.

pdfium inflates a document's streams in C, out of reach of any Python check: before pdfium sees the
file, every stream in it is measured (inflated in 1 MB steps, keeping nothing) and a PDF bomb is
refused (check_streams). For a CJK font the PDF does not embed, pdfium gets a stand-in font made here
instead of a system font (box_font). pdfium is used by one thread at a time.
"""
from __future__ import annotations

import bisect
import ctypes
import functools
import logging
import re
import struct
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

SCANNED = "这个 PDF 没有可提取的文字，可能是扫描件（图片），无法提取文字。请提供 Word/WPS 原文件，或可以复制文字的 PDF。"
GARBLED = "PDF 使用的字体缺少文字编码信息，提取出的内容是乱码，无法提取文字。请提供 Word/WPS 原文件，或重新导出 PDF。"
ENCRYPTED = "PDF 文件已加密（设置了打开密码或权限保护），无法读取。请去掉密码后重新导出 PDF，或提供 Word/WPS 原文件。"
CORRUPT = "PDF 文件已损坏或格式不正确，无法读取。请重新导出 PDF，或提供 Word/WPS 原文件。"
OUT_OF_MEMORY = "PDF 文件解压后过大或结构异常，已停止读取（超过内存上限）。请重新导出 PDF，或提供 Word/WPS 原文件。"

_pdfium_lock = threading.Lock()  # pdfium is not thread-safe

# pdfminer (the bomb guard's parse of a file's objects) logs a warning for every oddity of a malformed PDF
# (to stderr when logging is not configured, e.g. in `duban parse`); the reader reports what matters.
if logging.getLogger("pdfminer").level == logging.NOTSET:
    logging.getLogger("pdfminer").setLevel(logging.ERROR)


def read(data: bytes, on_page=None) -> RawDocument:
    """on_page(done, total), if given, is called after each page: reading is the slow part of an import."""
    check_streams(data)
    try:
        with _pdfium_lock:
            pages = _read_pages(data, on_page)
    except IngestError:
        raise
    except MemoryError:  # the memory limit of the process that parses (duban.ingest.worker)
        raise IngestError(OUT_OF_MEMORY) from None
    except Exception:  # noqa: BLE001 - a damaged page, a failure inside pdfium
        raise IngestError(CORRUPT) from None
    chars = sum(p.chars for p in pages)
    if chars < 10:
        raise IngestError(SCANNED)
    if sum(p.cid_chars for p in pages) > chars // 2:
        raise IngestError(GARBLED)
    return _layout(pages)


def _read_pages(data: bytes, on_page) -> list[_Page]:
    pdfium = _pdfium()
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:  # pdfium's last error may be an earlier document's: /Encrypt must be there too
        encrypted = "password" in str(exc).lower() and b"/Encrypt" in data
        raise IngestError(ENCRYPTED if encrypted else CORRUPT) from None
    try:
        total = len(doc)
        if not total:
            raise IngestError("PDF 文件已损坏或不完整（没有任何页面），无法读取。")
        if total > MAX_PAGES:
            raise IngestError(f"PDF 共有 {total} 页，超过 {MAX_PAGES} 页上限，不像是分工方案，已拒绝读取。")
        pages = []
        for number in range(total):
            page = doc[number]
            try:
                chars, edges, bbox = page_content(page)
            finally:
                page.close()
            pages.append(_extract_page(chars, edges, bbox))
            if on_page is not None:
                on_page(number + 1, total)
        return pages
    finally:
        doc.close()


@functools.cache
def _pdfium():
    import pypdfium2
    import pypdfium2.raw

    info = _stand_in_font_info()
    _keep.append(info)
    pypdfium2.raw.FPDF_SetSystemFontInfo(ctypes.byref(info))  # for this process: nothing else here uses pdfium
    return pypdfium2


# --- pdfium's stand-in for CJK fonts a PDF does not embed ------------------------------------------------
# A PDF may name a CJK font without embedding it (STSong-Light, SimSun). pdfium then loads a system font
# in its place only to measure each glyph's outline: with Noto CJK that was 90% of the reading time, and
# without any CJK font pdfium's text page drops characters whose outlines are empty (it takes text
# objects without a box for duplicates). So pdfium is handed, for every CJK font it looks for, a font
# made here of one glyph, a thin box: quick to measure, the same on every machine. Text comes from the PDF's
# encodings and a character's box from the PDF's widths and font metrics, not from this font. Latin
# fonts are left to pdfium's built-in ones.

_CJK_CHARSETS = (128, 129, 134, 136)  # Shift-JIS, Hangeul, GB2312, Big5: what pdfium asks for CJK fonts


def _table_checksum(data: bytes) -> int:
    data += b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(data) // 4}I", data)) & 0xFFFFFFFF


@functools.cache
def box_font() -> bytes:
    """A TrueType font whose every character (but controls and space) is one glyph: a sliver 20 units
    wide and 600 high on the baseline, inside any character's advance and any font's ascent, for
    pdfium's loose character box (the PDF's advance and ascent, united with the glyph's) stays the PDF's."""
    x0, y0, x1, y1 = 0, 0, 20, 600
    box = struct.pack(">hhhhhHH", 1, x0, y0, x1, y1, 3, 0) + bytes([1, 1, 1, 1])  # one contour of 4 points
    box += struct.pack(">hhhh", x0, 0, x1 - x0, 0) + struct.pack(">hhhh", y0, y1 - y0, 0, y0 - y1)
    box += b"\0" * (-len(box) % 4)
    tables = {
        # format 13 (many code points, one glyph) as Windows UCS-4: U+0021 to U+10FFFF are glyph 1
        b"cmap": struct.pack(">HHHHI", 0, 1, 3, 10, 12) + struct.pack(">HHIIIIII", 13, 0, 28, 0, 1, 0x21, 0x10FFFF, 1),
        b"glyf": box,  # glyph 0 (.notdef) is empty: its length in loca is 0
        b"head": struct.pack(">IIIIHHQQhhhhHHhhh", 0x10000, 0x10000, 0, 0x5F0F3CF5, 0, 1000, 0, 0, x0, y0, x1, y1, 0, 8, 2, 0, 0),
        b"hhea": struct.pack(">IhhhHhhhhhhhhhhhH", 0x10000, 880, -120, 0, 1000, 0, 1000 - x1, x1, 1, 0, 0, 0, 0, 0, 0, 0, 2),
        b"hmtx": struct.pack(">HhHh", 1000, 0, 1000, x0),
        b"loca": struct.pack(">HHH", 0, 0, len(box) // 2),
        b"maxp": struct.pack(">IHHHHHHHHHHHHHH", 0x10000, 2, 4, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0),
        b"post": struct.pack(">IIhhIIIII", 0x30000, 0, 0, 0, 0, 0, 0, 0, 0),
    }
    search = 1 << (len(tables).bit_length() - 1)
    head = struct.pack(">IHHHH", 0x10000, len(tables), search * 16, search.bit_length() - 1, (len(tables) - search) * 16)
    offset, body = 12 + 16 * len(tables), b""
    for tag in sorted(tables):
        data = tables[tag]
        head += struct.pack(">4sIII", tag, _table_checksum(data), offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    return head + body


def _stand_in_font_info():
    """pdfium's FPDF_SYSFONTINFO: the box font for a CJK font, nothing (pdfium's own) for the rest."""
    import pypdfium2  # noqa: F401 - loads and initialises pdfium
    import pypdfium2.raw as raw

    font = box_font()
    kinds = dict(raw.FPDF_SYSFONTINFO._fields_)

    def copy(data: bytes, buffer, size: int) -> int:
        if buffer and size >= len(data):
            ctypes.memmove(buffer, data, len(data))
        return len(data)

    callbacks = {
        "Release": lambda this: None,
        "EnumFonts": lambda this, mapper: None,
        "MapFont": lambda this, weight, italic, charset, pitch, face, exact: 1 if charset in _CJK_CHARSETS else None,
        "GetFont": lambda this, face: None,
        "GetFontData": lambda this, handle, table, buffer, size: copy(font, buffer, size) if table == 0 else 0,
        "GetFaceName": lambda this, handle, buffer, size: copy(b"DubanBox\0", buffer, size),
        "GetFontCharset": lambda this, handle: 134,
        "DeleteFont": lambda this, handle: None,
    }
    _keep.extend(kinds[name](fn) for name, fn in callbacks.items())  # ctypes callbacks must outlive pdfium's use
    return raw.FPDF_SYSFONTINFO(1, *_keep[-len(callbacks):])


_keep: list = []  # the font info and its callbacks, which pdfium keeps using


# --- the decompressed-size guard ---------------------------------------------------------------------

_STREAM = re.compile(rb"stream(?:\r\n|\r|\n)?")
_MB = 1024 * 1024


def check_streams(data: bytes) -> None:
    """Refuse a PDF bomb before pdfium inflates anything: every stream of the file is measured (inflated
    in 1 MB steps and counted, keeping nothing) against MAX_STREAM_BYTES, and all of them together
    against MAX_INFLATED_BYTES. Measured twice: the bytes after every "stream" keyword of the file, as
    zlib data (streams are never inside other objects' compressed data, so this finds them all, however
    damaged the file), and every stream object pdfminer parses, through its filters (ASCII85 or hex, then
    Flate, or Flate twice: the keyword scan sees only the first layer) and decrypted."""
    largest = 0
    passes = [_parsed_stream_sizes(data)]
    if b"/Encrypt" not in data:  # encrypted streams are not zlib data until decrypted
        passes.append(_sizes(_inflated(_file_from(data, m.end()), MAX_STREAM_BYTES)) for m in _STREAM.finditer(data))
    for sizes in passes:
        left = MAX_INFLATED_BYTES
        for size in sizes:
            limit = min(MAX_STREAM_BYTES, left)
            if size > limit:
                raise _bomb(limit)
            left -= size
            largest = max(largest, size)
    if 3 * largest > _memory_left():
        raise IngestError(OUT_OF_MEMORY)


def _memory_left() -> float:
    """The address space this process may still take (its RLIMIT_AS, set by duban.ingest.worker), or
    infinity. pdfium stops the whole process when an allocation fails, so the reader refuses, with its
    own message, a stream that would not fit three times over (inflated, copied while growing, parsed)."""
    import resource

    limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    if limit == resource.RLIM_INFINITY:
        return float("inf")
    try:
        with open("/proc/self/statm") as f:
            used = int(f.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return float("inf")
    return limit - used


def _file_from(data: bytes, start: int):
    view = memoryview(data)
    for offset in range(start, len(data), _MB):
        yield view[offset:offset + _MB]


def _decoded(raw: bytes, filters, limit: int):
    """The pieces ``raw`` decodes to through ``filters``, as far as they can be measured without holding
    more than ``limit`` bytes: ASCII85 and hex (never longer than their input) and Flate; a filter of
    another kind (an image's, LZW, run-length) ends the measure."""
    from pdfminer.ascii85 import ascii85decode, asciihexdecode

    pieces = [raw]
    for name, _params in filters:
        name = getattr(name, "name", name)
        if name in ("FlateDecode", "Fl"):
            pieces = _inflated(pieces, limit)
        elif name in ("ASCII85Decode", "A85"):
            pieces = [ascii85decode(b"".join(pieces))]
        elif name in ("ASCIIHexDecode", "AHx"):
            pieces = [asciihexdecode(b"".join(pieces))]
        else:
            break
    return pieces


def _inflated(chunks, limit: int):
    """What zlib data read from ``chunks`` inflates to, 1 MB at a time, until the data ends, is damaged
    or not zlib data at all, or more than ``limit`` bytes came out."""
    d = zlib.decompressobj()
    total = 0
    try:
        for chunk in chunks:
            while chunk:
                piece = d.decompress(chunk, _MB)
                total += len(piece)
                yield piece
                if total > limit or d.eof:
                    return
                chunk = d.unconsumed_tail
    except zlib.error:
        return


def _sizes(pieces) -> int:
    return sum(len(piece) for piece in pieces)


def _parsed_stream_sizes(data: bytes):
    """The decoded size of every stream object pdfminer finds (its objects parsed, no page read)."""
    import io

    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import PDFStream

    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)))
        objids = sorted({objid for xref in document.xrefs for objid in xref.get_objids()})
    except Exception:  # noqa: BLE001 - a wrong password, a damaged file: pdfium tells which
        return
    for objid in objids:
        try:
            obj = document.getobj(objid)
            if not isinstance(obj, PDFStream) or obj.rawdata is None:
                continue
            raw = obj.rawdata
            if obj.decipher and obj.objid is not None and obj.genno is not None:
                raw = obj.decipher(obj.objid, obj.genno, raw, obj.attrs)
            size = _sizes(_decoded(raw, obj.get_filters(), MAX_STREAM_BYTES))
        except Exception:  # noqa: BLE001 - a damaged object: the keyword scan measured its bytes
            continue
        yield size


def _bomb(limit: int) -> IngestError:
    if limit == MAX_STREAM_BYTES:
        return IngestError(BOMB.format(what="其中一个数据流", mb=MAX_STREAM_BYTES // 1024 // 1024))
    return IngestError(BOMB.format(what="全部内容", mb=MAX_INFLATED_BYTES // 1024 // 1024))


# --- one page: characters and rules, read with pdfium --------------------------------------------------


def page_content(page) -> tuple[list[dict], list[dict], tuple[float, float, float, float]]:
    """A pypdfium2 page's characters and edges as the dicts pdfplumber's table and text helpers read
    (x0, x1, top, bottom in points from the page's top left corner, as pdfplumber gives them), and the
    page's bbox."""
    raw = _pdfium().raw
    x0, y0, x1, y1 = page.get_mediabox()
    rotation = raw.FPDFPage_GetRotation(page.raw) % 4 * 90
    # pdfminer's page matrix: the page turned by /Rotate, its corner at the origin; top = height - y.
    ctm = {90: (0, -1, 1, 0, -y0, x1), 180: (-1, 0, 0, -1, x1, y1), 270: (0, 1, -1, 0, y1, -x0)}.get(
        rotation, (1, 0, 0, 1, -x0, -y0))
    width, height = (y1 - y0, x1 - x0) if rotation in (90, 270) else (x1 - x0, y1 - y0)
    edges, upright = _objects(page, ctm, height)
    return _chars(page, ctm, height, upright), edges, (0, 0, width, height)


def _upright(m) -> bool:
    """pdfminer's LTChar.upright, of a character's matrix on the page."""
    return m[0] * m[3] > 0 and m[1] * m[2] <= 0


def _chars(page, ctm, height: float, upright: bool) -> list[dict]:
    """The page's characters; ``upright``: every text object on the page is (no character is asked)."""
    raw = _pdfium().raw
    textpage = page.get_textpage()
    try:
        tp = textpage.raw
        count = raw.FPDFText_CountChars(tp)
        if count <= 0:
            return []
        buffer = ctypes.create_string_buffer((count + 1) * 2)
        raw.FPDFText_GetText(tp, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
        text = buffer.raw[: count * 2].decode("utf-16-le", errors="surrogatepass")
        if len(text) != count:  # the text leaves out what pdfium marks: ask character by character
            # (0x2 is a hyphen pdfium found at a line's end, "-" in the PDF)
            text = "".join(chr(raw.FPDFText_GetUnicode(tp, i)) for i in range(count)).replace("\x02", "-")
        box, matrix = raw.FS_RECTF(), raw.FS_MATRIX()
        box_ref, matrix_ref = ctypes.byref(box), ctypes.byref(matrix)
        loose_box, is_generated, map_error = raw.FPDFText_GetLooseCharBox, raw.FPDFText_IsGenerated, raw.FPDFText_HasUnicodeMapError
        a, b, c, d, e, f = ctm
        plain = (a, b, c, d) == (1, 0, 0, 1)  # the page is not turned: no need to transform corners
        chars = []
        append = chars.append
        last = -1  # index of the character appended last
        for i, ch in enumerate(text):
            if ch == "\ufffe" and raw.FPDFText_GetUnicode(tp, i) == 2:
                ch = "-"  # a hyphen pdfium found at a line's end: "-" in the PDF
            if ch in "\r\n\x00\ufffe":
                continue  # pdfium's own line breaks, and what has no text
            if ch.isspace() and is_generated(tp, i):
                # pdfium's own word space, placed where the character before it ends: a loose box is the
                # advance united with the glyph's outline, which may reach further; pdfminer's is the advance
                if last == i - 1 and plain:
                    loose_box(tp, i, box_ref)
                    if chars[-1]["x0"] <= box.left + e < chars[-1]["x1"]:
                        chars[-1]["x1"] = box.left + e
                continue
            last = i
            loose_box(tp, i, box_ref)
            if plain:
                left, right, top, bottom = box.left + e, box.right + e, height - box.top - f, height - box.bottom - f
            else:
                xa, ya = a * box.left + c * box.bottom + e, b * box.left + d * box.bottom + f
                xb, yb = a * box.right + c * box.top + e, b * box.right + d * box.top + f
                left, right, top, bottom = min(xa, xb), max(xa, xb), height - max(ya, yb), height - min(ya, yb)
            if not upright:
                raw.FPDFText_GetMatrix(tp, i, matrix_ref)
            append({
                "text": "(cid:0)" if map_error(tp, i) else ch, "x0": left, "x1": right, "top": top, "bottom": bottom,
                "doctop": top, "upright": upright or _upright(_multiply((matrix.a, matrix.b, matrix.c, matrix.d, 0, 0), ctm)),
            })
        return chars
    finally:
        textpage.close()


def _objects(page, ctm, height: float) -> tuple[list[dict], bool]:
    """The page's path objects (also inside form XObjects) as pdfplumber's edges: a straight line one
    edge, an axis-aligned rectangle its four sides, any other path each segment between its points
    (pdfminer's paint_path and pdfplumber's Page.edges); and whether every text object is upright."""
    raw = _pdfium().raw
    matrix = raw.FS_MATRIX()
    x, y = ctypes.c_float(), ctypes.c_float()
    edges: list[dict] = []
    upright = True
    wanted = (raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_FORM, raw.FPDF_PAGEOBJ_TEXT)

    def walk(count, get, outer):
        nonlocal upright
        for i in range(count):
            obj = get(i)
            kind = raw.FPDFPageObj_GetType(obj)
            if kind not in wanted or (kind == raw.FPDF_PAGEOBJ_TEXT and not upright):
                continue
            raw.FPDFPageObj_GetMatrix(obj, ctypes.byref(matrix))
            m = _multiply((matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f), outer)
            if kind == raw.FPDF_PAGEOBJ_TEXT:
                upright = _upright(m)
            elif kind == raw.FPDF_PAGEOBJ_FORM:
                walk(raw.FPDFFormObj_CountObjects(obj), functools.partial(raw.FPDFFormObj_GetObject, obj), m)
            else:
                for points, closed, curved in _subpaths(obj, raw, x, y):
                    pts = [(m[0] * px + m[2] * py + m[4], height - (m[1] * px + m[3] * py + m[5])) for px, py in points]
                    edges.extend(_path_edges(pts, closed, curved))

    walk(raw.FPDFPage_CountObjects(page.raw), functools.partial(raw.FPDFPage_GetObject, page.raw), ctm)
    return edges, upright


def _multiply(m, n):
    """The matrix m then n (PDF's row-vector convention)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2, e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def _subpaths(obj, raw, x, y):
    """Each subpath of a path object: its points (a curve's end points only, as pdfminer keeps them),
    whether it is closed, whether it has curves."""
    points: list[tuple[float, float]] = []
    closed = curved = False
    bezier = 0
    for i in range(raw.FPDFPath_CountSegments(obj)):
        segment = raw.FPDFPath_GetPathSegment(obj, i)
        kind = raw.FPDFPathSegment_GetType(segment)
        if kind == raw.FPDF_SEGMENT_MOVETO:
            if points:
                yield points, closed, curved
            points, closed, curved, bezier = [], False, False, 0
        if kind == raw.FPDF_SEGMENT_BEZIERTO:
            curved = True
            bezier += 1
            if bezier % 3:
                continue  # a control point
        raw.FPDFPathSegment_GetPoint(segment, ctypes.byref(x), ctypes.byref(y))
        points.append((x.value, y.value))
        if raw.FPDFPathSegment_GetClose(segment):
            closed = True
    if points:
        yield points, closed, curved


def _path_edges(pts: list[tuple[float, float]], closed: bool, curved: bool) -> list[dict]:
    if closed and pts[-1] != pts[0]:
        pts = pts + [pts[0]]  # "h" goes back to the start
    if len(pts) < 2:
        return []
    if len(pts) == 2 or (len(pts) == 3 and closed and not curved):  # "ml", "mlh": a line
        (xa, ta), (xb, tb) = pts[0], pts[1]
        return [_edge(xa, ta, xb, tb, "line", "h" if ta == tb else "v")]
    if len(pts) == 5 and not curved and pts[0] == pts[4]:
        (xa, ta), (xb, tb), (xc, tc), (xd, td), _ = pts
        if (xa == xb and tb == tc and xc == xd and td == ta) or (ta == tb and xb == xc and tc == td and xd == xa):
            left, right, top, bottom = min(xa, xc), max(xa, xc), min(ta, tc), max(ta, tc)
            return [
                _edge(left, top, right, top, "rect_edge", "h"), _edge(left, bottom, right, bottom, "rect_edge", "h"),
                _edge(left, top, left, bottom, "rect_edge", "v"), _edge(right, top, right, bottom, "rect_edge", "v"),
            ]
    return [
        _edge(xa, ta, xb, tb, "curve_edge", "v" if xa == xb else ("h" if ta == tb else None))
        for (xa, ta), (xb, tb) in zip(pts, pts[1:])
    ]


def _edge(xa: float, ta: float, xb: float, tb: float, kind: str, orientation: str | None) -> dict:
    x0, x1, top, bottom = min(xa, xb), max(xa, xb), min(ta, tb), max(ta, tb)
    return {"object_type": kind, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top,
            "width": x1 - x0, "height": bottom - top, "orientation": orientation}


# --- tables and text lines, with pdfplumber's helpers ----------------------------------------------------


class _Plane:
    """What pdfplumber's TableFinder and Table.extract read of a page."""

    def __init__(self, chars: list[dict], edges: list[dict], bbox) -> None:
        self.chars, self.edges, self.bbox = chars, edges, bbox


class _Page:
    """What one page holds, in reading order: ("line", dict) text lines outside tables and
    ("table", rows) tables, sorted from the top."""

    def __init__(self) -> None:
        self.items: list[tuple[str, object]] = []
        self.chars = 0
        self.cid_chars = 0


def _extract_page(chars: list[dict], edges: list[dict], bbox) -> _Page:
    from pdfplumber.table import TableFinder
    from pdfplumber.utils import chars_to_textmap

    out = _Page()
    out.chars = sum(1 for c in chars if c["text"].strip())
    out.cid_chars = sum(1 for c in chars if c["text"].startswith("(cid:"))
    if not out.chars:
        return out
    tables = TableFinder(_Plane(chars, edges, bbox), TABLE_SETTINGS).tables
    tables = [t for t in tables if len(t.rows) >= 1 and len(t.rows[0].cells) >= 2]
    middles = _Middles(chars)
    text_chars = chars
    if tables:
        inside = {i for t in tables for i in middles.inside(*t.bbox, closed=True)}
        text_chars = [c for i, c in enumerate(chars) if i not in inside]
    textmap = chars_to_textmap(text_chars, layout_bbox=bbox, layout_width=bbox[2], layout_height=bbox[3])
    lines = [ln for ln in textmap.extract_text_lines(strip=True, return_chars=False) if ln["text"].strip()]
    items: list[tuple[float, int, str, object]] = [(ln["top"], 0, "line", ln) for ln in lines]
    items += [(t.bbox[1], 1, "table", _table_rows(t, _extract(t, chars, middles))) for t in tables]
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


class _Middles:
    """The middles of a page's characters, sorted by height: the characters inside a box are found
    without testing every character of the page against every cell."""

    def __init__(self, chars: list[dict]) -> None:
        v = [(c["top"] + c["bottom"]) / 2 for c in chars]
        self.order = sorted(range(len(chars)), key=v.__getitem__)
        self.v = [v[i] for i in self.order]
        self.h = [(chars[i]["x0"] + chars[i]["x1"]) / 2 for i in self.order]

    def inside(self, x0: float, top: float, x1: float, bottom: float, closed: bool = False) -> list[int]:
        """Indices, in page order, of the characters whose middle lies in the box: [x0, x1) × [top,
        bottom) as pdfplumber's Table.extract tests a cell, or the closed box."""
        h, order = self.h, self.order
        lo = bisect.bisect_left(self.v, top)
        if closed:
            return sorted(order[k] for k in range(lo, bisect.bisect_right(self.v, bottom)) if x0 <= h[k] <= x1)
        return sorted(order[k] for k in range(lo, bisect.bisect_left(self.v, bottom)) if x0 <= h[k] < x1)


def _extract(table, chars: list[dict], middles: _Middles) -> list[list[str | None]]:
    """pdfplumber's Table.extract(): each cell's text, from the characters whose middle lies in it."""
    out = []
    for row in table.rows:
        texts: list[str | None] = []
        for cell in row.cells:
            inside = [chars[i] for i in middles.inside(*cell)] if cell is not None else None
            texts.append(None if cell is None else _text(inside) if inside else "")
        out.append(texts)
    return out


def _text(chars: list[dict]) -> str:
    """pdfplumber's utils.extract_text(chars) with its default settings (x and y tolerance 3), the same
    steps without its generality, for upright text: characters clustered into lines by their tops, each
    line's characters by x0, a word broken at a space, a step back, or a gap of more than 3 points; the
    words clustered into lines again, joined by spaces and the lines by newlines."""
    if not all(c["upright"] for c in chars):
        from pdfplumber.utils import extract_text

        return extract_text(chars)
    from pdfplumber.utils.text import LIGATURES

    words = []
    for line in _cluster(chars, "top"):
        line.sort(key=_X0)
        word: list[dict] = []
        for c in line:
            if c["text"].isspace():
                if word:
                    words.append(word)
                word = []
            elif word and (c["x0"] < word[-1]["x0"] or c["x0"] > word[-1]["x1"] + 3 or abs(c["top"] - word[-1]["top"]) > 3):
                words.append(word)
                word = [c]
            else:
                word.append(c)
        if word:
            words.append(word)
    merged = [{"top": min(c["top"] for c in w), "text": "".join(LIGATURES.get(c["text"], c["text"]) for c in w)} for w in words]
    return "\n".join(" ".join(w["text"] for w in line) for line in _cluster(merged, "top"))


def _X0(c: dict) -> float:
    return c["x0"]


def _cluster(objs: list[dict], key: str, tolerance: float = 3) -> list[list[dict]]:
    """pdfplumber's cluster_objects(objs, key, tolerance): values within ``tolerance`` of the next one
    form one cluster (a chain), clusters in order of value, objects in their order within a cluster."""
    index: dict[float, int] = {}
    cluster, last = -1, None
    for value in sorted({o[key] for o in objs}):
        if last is None or value > last + tolerance:
            cluster += 1
        index[value] = cluster
        last = value
    groups: dict[int, list[dict]] = {}
    for o in objs:
        groups.setdefault(index[o[key]], []).append(o)
    return [groups[k] for k in sorted(groups)]


def _table_rows(table, extracted: list[list[str | None]]) -> list[list[str]]:
    cells = table.cells
    rows = table.rows
    xs = sorted({c[0] for c in cells})
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
