"""The writing a document comes in: Traditional characters, and text that is garbled.

Traditional: the parser's vocabulary (headers, 牵头/负责落实, 长期坚持, unit suffixes) is Simplified, so a
document in Traditional characters is read on a Simplified copy of its cells, then the plan's text is
written back in the document's own characters; a unit name also gets its Simplified form as an alias, so
the unit directory finds it.

Garbled: OCR noise, a PDF whose font map is broken, or text decoded with the wrong encoding turns into
characters a plan never uses. Such a document still gives its tasks (a person may still recognise them),
but the plan and each affected task say so, with examples, instead of passing the text off as clean.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

CJK = re.compile(r"[\u3400-\u9fff]")
PRIVATE_OR_BROKEN = re.compile(r"[\ue000-\uf8ff\ufffd\u2e80-\u2fdf]")  # private use, replacement char, radicals
MOJIBAKE = re.compile(r"[\u00c0-\u00ff][\u0080-\u00ff]")  # UTF-8 read as Latin-1: "æ°å"


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """The Simplified form, one character for one, so positions stay where they were."""
    if not text:
        return text
    out = _t2s().convert(text)
    if len(out) == len(text):
        return out
    return "".join(_t2s().convert(ch) if len(_t2s().convert(ch)) == 1 else ch for ch in text)


def is_traditional(texts: list[str]) -> bool:
    """Traditional when at least 5% of the Chinese characters change in a Simplified copy."""
    sample = "".join(texts)[:200_000]
    chars = CJK.findall(sample)
    if len(chars) < 20:
        return False
    changed = sum(1 for a, b in zip(sample, simplified(sample)) if a != b)
    return changed >= 0.05 * len(chars)


class BackMap:
    """Writes Simplified text back in the document's own characters (learned from the document)."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter] = {}

    def learn(self, original: str, simple: str) -> None:
        for a, b in zip(original, simple):
            if a != b:
                self.counts.setdefault(b, Counter())[a] += 1

    def original(self, text: str) -> str:
        if not text:
            return text
        table = {b: c.most_common(1)[0][0] for b, c in self.counts.items()}
        return "".join(table.get(ch, ch) for ch in text)


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    """GB2312's first level: the 3,755 characters that make up nearly all of any official text."""
    pairs = bytes(b for hi in range(0xB0, 0xD8) for lo in range(0xA1, 0xFF) for b in (hi, lo))
    return frozenset(pairs.decode("gb2312", errors="ignore"))


def garbled_share(text: str) -> float:
    """Share of suspicious characters among the Chinese-looking ones."""
    text = text or ""
    broken = len(PRIVATE_OR_BROKEN.findall(text)) + 2 * len(MOJIBAKE.findall(text))
    chars = CJK.findall(text)
    common = _common()
    rare = sum(1 for ch in chars if ch not in common)
    total = len(chars) + broken
    return (rare + broken) / total if total >= 8 else 0.0


def looks_garbled(text: str) -> bool:
    return garbled_share(text) > 0.25


RADICALS = re.compile(r"[\u2e80-\u2fdf]")


def repair_radicals(text: str) -> str:
    """A PDF whose font maps 文 to the radical ⽂ (U+2F42): the character it stands for."""
    return RADICALS.sub(lambda m: unicodedata.normalize("NFKC", m[0]), text)


def prepare(doc):
    """A copy of the document to parse (radicals repaired, Simplified), the map back, and plan warnings."""
    from duban.ingest.readers import RawDocument, Row

    texts = [c for row in doc.rows for c in row.cells if c]
    warnings = []
    radicals = sum(len(RADICALS.findall(t)) for t in texts)
    repaired = sum(1 for t in texts for ch in RADICALS.findall(t) if unicodedata.normalize("NFKC", ch) != ch)
    if repaired:
        warnings.append(f"文件中有{repaired}处部首字符（PDF字体映射异常，如“⽂”），已换成对应的汉字，请核对原文")
    back = None
    if is_traditional(texts):
        back = BackMap()
        warnings.append("文件是繁体中文：栏目、单位和时限按简体识别，任务文字保留原文")

    def convert(text: str) -> str:
        fixed = repair_radicals(text) if radicals else text
        if back is None:
            return fixed
        simple = simplified(fixed)
        back.learn(fixed, simple)
        return simple

    copy = RawDocument(format=doc.format, whole_rows=doc.whole_rows,
                       rows=[Row(cells=[convert(c) for c in row.cells], table=row.table, page=row.page) for row in doc.rows])
    return copy, back, warnings


def finish(plan, back: BackMap | None, warnings: list[str]) -> None:
    """Write the plan's text back in the document's characters; say where the text looks garbled."""
    plan.warnings[:0] = warnings
    if back is not None:
        o = back.original
        plan.title, plan.issuer = o(plan.title), o(plan.issuer)
        for t in plan.tasks:
            t.requirement, t.units_text, t.deadline_text = o(t.requirement), o(t.units_text), o(t.deadline_text)
            t.section = [o(s) for s in t.section]
            for u in t.units:
                original = o(u.name)
                if original != u.name:
                    u.aliases = [u.name] + [a for a in u.aliases if a != u.name]  # the Simplified form finds the directory's unit
                    u.name = original
    garbled = [t for t in plan.tasks if looks_garbled(t.requirement + "".join(t.section) + t.units_text)]
    for t in garbled:
        t.warnings.append("这一项的文字像是乱码（扫描识别错误或字体映射异常），请对照原文核对")
    if garbled:
        examples = "；".join(f"第{t.no}项“{t.requirement[:16]}…”" for t in garbled[:3])
        plan.warnings.insert(0, f"文件中有{len(garbled)}项任务的文字像是乱码，不能当作正常识别结果使用：{examples}。"
                                "请确认文件编码或改用原始的 Word/PDF 文件")
