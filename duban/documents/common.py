"""Wording and layout shared by the .docx and .xlsx generators (no python-docx, no openpyxl)."""
from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Sequence

from .model import AnnualSection, BulletinData, Figures, UnitTaskList


def cn_date(d: dt.date) -> str:
    """"2021年8月12日": Arabic numerals, no leading zeros (GB/T 9704-2012 7.3.5.3)."""
    return f"{d.year}年{d.month}月{d.day}日"


def text_width_chars(text: str) -> float:
    """Width of ``text`` in full-width characters (half-width characters count ½)."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (for "一、" and "（一）")."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return CN_DIGITS[ones]
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def percent(rate: float | None) -> str:
    """0.875 → "87.5%"; None → "—"."""
    if rate is None:
        return "—"
    return f"{rate * 100:.1f}%"


def number(x: float | int | None) -> str:
    """95.0 → "95", 95.25 → "95.25", None → ""."""
    if x is None:
        return ""
    if isinstance(x, int):
        return str(x)
    return f"{x:.2f}".rstrip("0").rstrip(".")


def section_text(section: Sequence[str] | str) -> str:
    if isinstance(section, str):
        return section
    return "\n".join(s for s in section if s)


def section_merges(sections: Sequence[Sequence[str]], depth: int) -> tuple[list[list[str]], list[tuple]]:
    """Cell texts and merged rectangles for the 工作任务 columns.

    Returns ``(texts, merges)``: ``texts[i][k]`` is what row *i* shows at level *k*
    (empty when covered), ``merges`` are ``(row0, level0, row1, level1)`` rectangles.
    Consecutive rows with the same heading at a level share one cell; a row whose
    section is shallower than ``depth`` spans its last heading to the right.
    """
    n = len(sections)
    texts = [[""] * depth for _ in range(n)]
    merges = []
    for k in range(depth):
        i = 0
        while i < n:
            sec = list(sections[i])
            if k >= max(len(sec), 1):  # covered by the horizontal span of a shallower row
                i += 1
                continue
            key = tuple(sec[: k + 1])
            wide = len(sec) <= k + 1

            def same(j):
                other = list(sections[j])
                return (k < max(len(other), 1) and tuple(other[: k + 1]) == key
                        and (len(other) <= k + 1) == wide)

            j = i
            while j + 1 < n and same(j + 1):
                j += 1
            texts[i][k] = sec[k] if k < len(sec) else ""
            last = depth - 1 if wide else k
            if j > i or last > k:
                merges.append((i, k, j, last))
            i = j + 1
    return texts, merges


def unit_task_list_title(data: UnitTaskList) -> str:
    return data.title or f"{data.unit_name}政务公开工作任务清单"


def figures_sentence(f: Figures, as_of_text: str, subject: str) -> str:
    """The summary figures in words, e.g. "截至2021年10月15日，分工方案共有任务74项，已完成40项（其中按时完成35项）……"."""
    parts = [f"{as_of_text}，{subject}共有任务{f.total}项", f"已完成{f.done}项（其中按时完成{f.on_time}项）",
             f"正在推进{f.in_progress}项"]
    if f.not_started:
        parts.append(f"尚未启动{f.not_started}项")
    parts.append(f"逾期未完成{f.overdue}项")
    text = "，".join(parts) + "。"
    if f.total:
        text += f"完成率{percent(f.done_rate)}，按时完成率{percent(f.on_time_rate)}。"
    return text


def bulletin_masthead(data: BulletinData) -> str:
    return data.masthead or f"{data.issuer}督办通报"


def annual_section_title(data: AnnualSection) -> str:
    return data.title or f"{data.area}{data.year}年政务公开工作要点落实情况"


