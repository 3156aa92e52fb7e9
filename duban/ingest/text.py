"""Small text helpers shared by the parsers."""
from __future__ import annotations

import re
from functools import lru_cache

CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef\u2018-\u201d"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{CJK}])[ \t\u00a0]+|[ \t\u00a0]+(?=[{CJK}])")
_CJK_CHAR = re.compile(rf"[{CJK}]")


@lru_cache(maxsize=8192)  # called on the same cells many times while a table is read
def tidy(text: str) -> str:
    """Strip, and drop the spaces PDF extraction puts next to Chinese characters ("2021 年" -> "2021年")."""
    text = (text or "").replace("\u3000", " ").strip()
    text = _SPACE_NEAR_CJK.sub("", text)
    return re.sub(r"[ \t\u00a0]{2,}", " ", text)


def flatten(text: str) -> str:
    """One line from a cell's paragraphs: lines joined like pieces of one cell cut at a page break."""
    out = ""
    for line in (text or "").split("\n"):
        out = join_cut(out, line.strip())
    return out


def join_cut(before: str, after: str) -> str:
    """Join two pieces of one cell cut at a page break: no space between Chinese text."""
    if not before:
        return after
    if not after:
        return before
    if before[-1].isascii() and before[-1].isalnum() and after[0].isascii() and after[0].isalnum():
        return f"{before} {after}"
    return before + after


def has_cjk(text: str) -> bool:
    return bool(_CJK_CHAR.search(text or ""))


CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def cn_number(text: str) -> int | None:
    """Arabic or Chinese numerals up to 9999: "20", "二十", "十二", "二〇二一" -> int."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if not text or any(c not in CN_DIGITS and c not in "十百千" for c in text):
        return None
    if all(c in CN_DIGITS for c in text):  # 二〇二一
        return int("".join(str(CN_DIGITS[c]) for c in text))
    total, digit = 0, 0
    for c in text:
        if c in CN_DIGITS:
            digit = CN_DIGITS[c]
        else:
            unit = {"十": 10, "百": 100, "千": 1000}[c]
            total += (digit or 1) * unit
            digit = 0
    return total + digit
