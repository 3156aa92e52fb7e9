"""Plain text, as extracted from a PDF: one table row per line, cells separated by tabs."""
from __future__ import annotations

import codecs

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
    page = 1
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if "\f" in line:
            page += line.count("\f")
            line = line.replace("\f", "")
        if "\t" in line:
            doc.rows.append(Row(cells=[c.strip() for c in line.split("\t")], table=0, page=page))
        elif line.strip():
            doc.rows.append(Row(cells=[line.strip()], table=None, page=page))
    return doc
