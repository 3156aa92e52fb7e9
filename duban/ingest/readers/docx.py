"""Word .docx files (python-docx): paragraphs and table rows in document order.

A table row comes out with the table's full grid width:
- a vertically merged cell (w:vMerge) repeats its text in every row it spans;
- a horizontally merged cell (w:gridSpan, or the old w:hMerge) gives its text once,
  in its first grid column, and "" for the other columns it covers;
- a table nested in a cell is flattened into the cell's text.
A cell's text is its paragraphs joined by line breaks, then join_lines().

Automatic numbering is rendered ("1." in a 序号 column numbered by Word, "一、"
before a heading): Word stores only the list definition, not the number.
"""
from __future__ import annotations

import io
import re

from duban.ingest.errors import IngestError
from duban.ingest.readers import RawDocument, Row
from duban.ingest.readers.ooxml import check_zip, join_lines

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _q(tag: str) -> str:
    return f"{{{W}}}{tag}"


P, TBL, TR, TC, SDT, SDT_CONTENT = _q("p"), _q("tbl"), _q("tr"), _q("tc"), _q("sdt"), _q("sdtContent")
T, TAB, BR, CR, NBH, SYM = _q("t"), _q("tab"), _q("br"), _q("cr"), _q("noBreakHyphen"), _q("sym")
TXBX = _q("txbxContent")
DEL, MOVE_FROM = _q("del"), _q("moveFrom")
CUSTOM_XML, INS = _q("customXml"), _q("ins")
VAL = _q("val")
FALLBACK = f"{{{MC}}}Fallback"
# Elements that wrap block content (paragraphs/tables) without being one.
_BLOCK_WRAPPERS = {SDT_CONTENT, CUSTOM_XML, INS, _q("moveTo")}
_SKIP = {DEL, MOVE_FROM, FALLBACK, _q("pPr"), _q("rPr"), _q("sectPr"), _q("tblPr"), _q("trPr"), _q("tcPr"),
         _q("footnoteReference"), _q("endnoteReference"), _q("instrText"), _q("delText")}


def read(data: bytes) -> RawDocument:
    check_zip(data)
    try:
        import docx  # python-docx

        document = docx.Document(io.BytesIO(data))
        body = document.element.body
    except IngestError:
        raise
    except Exception:  # noqa: BLE001 - python-docx/lxml/zipfile raise many kinds
        raise IngestError("Word 文件已损坏或格式不正确，无法读取。请在 Word 或 WPS 中打开并另存为 .docx 后再导入。") from None
    doc = RawDocument(format="docx")
    try:
        _Reader(doc, _Numbering.of(document)).blocks(body)
    except IngestError:
        raise
    except Exception:  # noqa: BLE001
        raise IngestError("Word 文件内容结构异常，无法读取其中的段落和表格。请在 Word 或 WPS 中另存为 .docx 后再导入。") from None
    return doc


class _Reader:
    def __init__(self, doc: RawDocument, numbering: _Numbering | None = None):
        self.doc = doc
        self.table_index = 0
        self.num = numbering

    # -- document flow --------------------------------------------------
    def blocks(self, parent) -> None:
        for child in parent.iterchildren():
            tag = child.tag
            if tag == P:
                for text in _paragraph_texts(child, self.num):
                    text = join_lines(text)
                    if text:
                        self.doc.rows.append(Row(cells=[text], table=None))
            elif tag == TBL:
                self.table(child)
            elif tag == SDT:
                content = child.find(SDT_CONTENT)
                if content is not None:
                    self.blocks(content)
            elif tag in _BLOCK_WRAPPERS:
                self.blocks(child)

    def table(self, tbl) -> None:
        rows = _table_grid(tbl, self.num)
        index = self.table_index
        self.table_index += 1
        for cells in rows:
            if any(cells):
                self.doc.rows.append(Row(cells=cells, table=index))


# -- tables ----------------------------------------------------------------
def _int_attr(el, default: int) -> int:
    if el is None:
        return default
    try:
        return max(int(el.get(VAL, default)), 0)
    except (TypeError, ValueError):
        return default


def _children(parent, tag: str):
    """Direct children with this tag, looking through content controls and custom XML wrappers."""
    for child in parent.iterchildren():
        if child.tag == tag:
            yield child
        elif child.tag == SDT:
            content = child.find(SDT_CONTENT)
            if content is not None:
                yield from _children(content, tag)
        elif child.tag in (CUSTOM_XML,):
            yield from _children(child, tag)


def _table_grid(tbl, num: _Numbering | None = None) -> list[list[str]]:
    grid = tbl.find(_q("tblGrid"))
    width = len(grid.findall(_q("gridCol"))) if grid is not None else 0
    out: list[list[str]] = []
    previous: list[str] = []  # the resolved text of the row above, by grid column
    for tr in _children(tbl, TR):
        row: list[str] = []
        tr_pr = tr.find(_q("trPr"))
        if tr_pr is not None:
            row += [""] * _int_attr(tr_pr.find(_q("gridBefore")), 0)
        for tc in _children(tr, TC):
            tc_pr = tc.find(_q("tcPr"))
            span = 1
            vmerge = None
            hmerge = None
            if tc_pr is not None:
                span = max(_int_attr(tc_pr.find(_q("gridSpan")), 1), 1)
                vm = tc_pr.find(_q("vMerge"))
                if vm is not None:
                    vmerge = vm.get(VAL) or "continue"
                hm = tc_pr.find(_q("hMerge"))
                if hm is not None:
                    hmerge = hm.get(VAL) or "continue"
            col = len(row)
            if hmerge == "continue":
                text = ""
            elif vmerge == "continue":
                text = previous[col] if col < len(previous) else ""
            else:
                text = _cell_text(tc, num)
            row.append(text)
            row += [""] * (span - 1)
        out.append(row)
        previous = row
    width = max([width, *(len(r) for r in out)]) if out else width
    for row in out:
        row += [""] * (width - len(row))
    return out


def _cell_text(tc, num: _Numbering | None) -> str:
    lines: list[str] = []
    _cell_lines(tc, lines, num)
    return join_lines("\n".join(lines), hard_breaks=True)


def _cell_lines(parent, lines: list[str], num: _Numbering | None) -> None:
    for child in parent.iterchildren():
        tag = child.tag
        if tag == P:
            lines.extend(_paragraph_texts(child, num))
        elif tag == TBL:  # nested table: its cells' text, row by row
            for row in _table_grid(child, num):
                lines.extend(c for c in row if c)
        elif tag == SDT:
            content = child.find(SDT_CONTENT)
            if content is not None:
                _cell_lines(content, lines, num)
        elif tag in _BLOCK_WRAPPERS:
            _cell_lines(child, lines, num)


# -- paragraphs --------------------------------------------------------------
def _paragraph_texts(p, num: _Numbering | None = None) -> list[str]:
    """The paragraph's text (with its automatic number, if any), preceded by the text of
    any text box anchored in it."""
    boxes: list[str] = []
    parts: list[str] = []
    _runs(p, parts, boxes)
    text = "".join(parts)
    label = num.label(p) if num is not None else ""
    if label:
        text = label + ("" if not text.strip() or not label[-1].isalnum() else " ") + text.lstrip()
    return [*boxes, text]


def _runs(el, parts: list[str], boxes: list[str]) -> None:
    for child in el.iterchildren():
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag == T:
            parts.append(child.text or "")
        elif tag == TAB:
            parts.append("\t")
        elif tag in (BR, CR):
            parts.append("\n")
        elif tag == NBH:
            parts.append("-")
        elif tag == SYM:
            char = child.get(_q("char"))
            try:
                code = int(char, 16)
                if 0xF000 <= code <= 0xF0FF:  # symbol fonts map into the private use area
                    code -= 0xF000
                parts.append(chr(code) if code >= 0x20 else "")
            except (TypeError, ValueError):
                pass
        elif tag == TXBX:
            for sub in child.iterchildren(P):
                boxes.extend(t for t in _paragraph_texts(sub) if t.strip())
            for sub in child.iterchildren(TBL):
                for row in _table_grid(sub):
                    boxes.extend(c for c in row if c)
        elif tag == P:  # a paragraph inside something else (e.g. an embedded object)
            boxes.extend(t for t in _paragraph_texts(child) if t.strip())
        else:
            _runs(child, parts, boxes)


# -- automatic numbering -----------------------------------------------------------
_CN_DIGITS = "零一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _chinese(n: int, digits: str = _CN_DIGITS, units: str = "十百千") -> str:
    if n <= 0 or n >= 10000:
        return str(n)
    out = ""
    zero = False
    for power, unit in ((1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
        d = n // power % 10
        if d:
            if zero and out:
                out += digits[0]
            out += digits[d] + unit
            zero = False
        elif out:
            zero = True
    if out.startswith(digits[1] + units[0]):  # 一十一 -> 十一
        out = out[1:]
    return out


def _roman(n: int) -> str:
    if n <= 0 or n >= 4000:
        return str(n)
    out = ""
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                       (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += sym
            n -= value
    return out


def _letters(n: int) -> str:
    if n <= 0:
        return str(n)
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    """One level's counter in a Word numFmt."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting",
               "taiwaneseCountingThousand", "koreanCounting"):
        return _chinese(n)
    if fmt == "chineseLegalSimplified":
        return _chinese(n, _CN_LEGAL, "拾佰仟")
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join("〇一二三四五六七八九"[int(d)] for d in str(n))
    if fmt == "ideographTraditional":
        return _TIANGAN[(n - 1) % 10] if n > 0 else str(n)
    if fmt == "ideographZodiac":
        return _DIZHI[(n - 1) % 12] if n > 0 else str(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese", "ideographEnclosedCircle"):
        return _CIRCLED[n - 1] if 1 <= n <= len(_CIRCLED) else str(n)
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return "".join(chr(0xFF10 + int(d)) for d in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperLetter":
        return _letters(n)
    if fmt == "lowerLetter":
        return _letters(n).lower()
    return str(n)  # decimal, and anything unknown


class _Numbering:
    """Word's list definitions (numbering.xml), with counters advanced in document order.

    Counters belong to the abstract list, so numbering continues across list instances
    that share it; an instance with a start override restarts at its first paragraph."""

    def __init__(self, numbering_el, styles_el) -> None:
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.nums: dict[str, tuple[str, dict[int, tuple[str, str, int]], dict[int, int]]] = {}
        self.style_num: dict[str, tuple[str | None, int | None]] = {}
        self.style_parent: dict[str, str] = {}
        self.counters: dict[str, list[int | None]] = {}
        self.started: set[str] = set()
        if numbering_el is not None:
            for an in numbering_el.iterchildren(_q("abstractNum")):
                abstract[an.get(_q("abstractNumId"))] = self._levels(an)
            for n in numbering_el.iterchildren(_q("num")):
                ref = n.find(_q("abstractNumId"))
                abs_id = ref.get(VAL) if ref is not None else None
                levels = dict(abstract.get(abs_id, {}))
                overrides: dict[int, int] = {}
                for ov in n.iterchildren(_q("lvlOverride")):
                    ilvl = _int(ov.get(_q("ilvl")), 0)
                    lvl = ov.find(_q("lvl"))
                    if lvl is not None:
                        levels.update(self._levels_of([lvl]))
                    so = ov.find(_q("startOverride"))
                    if so is not None:
                        overrides[ilvl] = _int(so.get(VAL), 1)
                self.nums[n.get(_q("numId"))] = (abs_id or n.get(_q("numId")), levels, overrides)
        if styles_el is not None:
            for st in styles_el.iterchildren(_q("style")):
                sid = st.get(_q("styleId"))
                based = st.find(_q("basedOn"))
                if based is not None:
                    self.style_parent[sid] = based.get(VAL)
                num_pr = st.find(f"{_q('pPr')}/{_q('numPr')}")
                if num_pr is not None:
                    nid, ilvl = num_pr.find(_q("numId")), num_pr.find(_q("ilvl"))
                    self.style_num[sid] = (nid.get(VAL) if nid is not None else None,
                                           _int(ilvl.get(VAL), 0) if ilvl is not None else None)

    @classmethod
    def of(cls, document) -> _Numbering | None:
        part = document.part
        numbering_el = styles_el = None
        try:
            for rel in part.rels.values():
                if rel.is_external:
                    continue
                if rel.reltype.endswith("/numbering"):
                    numbering_el = rel.target_part.element
                elif rel.reltype.endswith("/styles"):
                    styles_el = rel.target_part.element
        except Exception:  # noqa: BLE001 - a broken numbering part only loses the numbers
            return None
        if numbering_el is None:
            return None
        return cls(numbering_el, styles_el)

    @classmethod
    def _levels(cls, abstract_num) -> dict[int, tuple[str, str, int]]:
        return cls._levels_of(abstract_num.iterchildren(_q("lvl")))

    @staticmethod
    def _levels_of(lvls) -> dict[int, tuple[str, str, int]]:
        out = {}
        for lvl in lvls:
            ilvl = _int(lvl.get(_q("ilvl")), 0)
            fmt_el, text_el, start_el = lvl.find(_q("numFmt")), lvl.find(_q("lvlText")), lvl.find(_q("start"))
            fmt = fmt_el.get(VAL) if fmt_el is not None else "decimal"
            text = text_el.get(VAL) if text_el is not None else f"%{ilvl + 1}."
            if lvl.find(_q("isLgl")) is not None:
                fmt = "decimal"
            out[ilvl] = (fmt or "decimal", text or "", _int(start_el.get(VAL) if start_el is not None else None, 1))
        return out

    def _num_pr(self, p) -> tuple[str | None, int]:
        ppr = p.find(_q("pPr"))
        num_id = ilvl = None
        style = None
        if ppr is not None:
            num_pr = ppr.find(_q("numPr"))
            if num_pr is not None:
                nid, lv = num_pr.find(_q("numId")), num_pr.find(_q("ilvl"))
                num_id = nid.get(VAL) if nid is not None else None
                ilvl = _int(lv.get(VAL), 0) if lv is not None else None
            ps = ppr.find(_q("pStyle"))
            style = ps.get(VAL) if ps is not None else None
        seen = set()
        while style and style not in seen and (num_id is None or ilvl is None):
            seen.add(style)
            s_num, s_lvl = self.style_num.get(style, (None, None))
            num_id = num_id if num_id is not None else s_num
            ilvl = ilvl if ilvl is not None else s_lvl
            style = self.style_parent.get(style)
        return num_id, ilvl or 0

    def label(self, p) -> str:
        num_id, ilvl = self._num_pr(p)
        if not num_id or num_id == "0" or num_id not in self.nums:
            return ""
        abs_id, levels, overrides = self.nums[num_id]
        level = levels.get(ilvl)
        if level is None:
            return ""
        fmt, text, start = level
        if fmt in ("bullet", "none") or not text:
            return ""
        counters = self.counters.setdefault(abs_id, [None] * 10)
        if num_id not in self.started:
            self.started.add(num_id)
            for lv, value in overrides.items():
                if 0 <= lv < 10:
                    counters[lv] = value - 1
        ilvl = min(max(ilvl, 0), 9)
        counters[ilvl] = (counters[ilvl] if counters[ilvl] is not None else start - 1) + 1
        for deeper in range(ilvl + 1, 10):
            counters[deeper] = None

        def sub(m) -> str:
            k = int(m.group(1)) - 1
            lv = levels.get(k)
            value = counters[k] if 0 <= k < 10 and counters[k] is not None else (lv[2] if lv else 1)
            return format_number(value, lv[0] if lv else "decimal")

        return re.sub(r"%([1-9])", sub, text).strip()


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
