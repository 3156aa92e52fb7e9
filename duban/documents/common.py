"""Wording and layout shared by the .docx and .xlsx generators (no python-docx, no openpyxl)."""
from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from typing import Sequence

from .model import AnnualSection, BulletinData, Figures, UnitTaskList


def cn_date(d: dt.date) -> str:
    """"2021年8月12日": Arabic numerals, no leading zeros (GB/T 9704-2012 7.3.5.3)."""
    return f"{d.year}年{d.month}月{d.day}日"


class _CharWidths(dict):
    """Character → its width in full-width characters, looked up in unicodedata once per character."""

    def __missing__(self, ch: str) -> float:
        width = self[ch] = 1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5
        return width


_CHAR_WIDTHS = _CharWidths()


def text_width_chars(text: str) -> float:
    """Width of ``text`` in full-width characters (half-width characters count ½)."""
    return sum(map(_CHAR_WIDTHS.__getitem__, text))


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




# --- 标题回行 ---------------------------------------------------------------------------

# Words a title line never breaks inside. Longer words come first where one contains another.
TITLE_WORDS = (
    "政府信息公开", "人民政府", "办公室", "办事处", "政务公开", "信息公开", "工作要点", "落实情况", "完成情况", "实施情况",
    "督办通报", "分工方案", "实施方案", "工作方案", "年度报告", "工作报告", "任务清单", "考评结果", "进一步",
    "发展改革", "关于", "印发", "年度", "工作", "要点", "落实", "情况", "督办", "通报", "方案", "报告", "清单", "考评",
    "结果", "任务", "通知", "意见", "决定", "规定", "办法", "加强", "推进", "深化", "做好", "开展", "全面", "有关",
    "事项", "部门", "单位", "街道", "各级", "各类", "重点", "领域", "分工", "实施", "贯彻", "政务", "公开", "信息",
    "服务", "监督", "考核", "统计", "表扬", "批评", "整改", "各单位", "各街道",
)
# A title reads best broken before the kind of document it is …
DOC_KINDS = ("督办通报", "通报", "分工方案", "实施方案", "工作方案", "方案", "年度报告", "工作报告", "报告", "任务清单",
             "清单", "通知", "意见", "决定", "考评结果")
_OPEN = "（《“‘「〔(["
_CLOSE = "）》”’」〕)]，、。：；？！,.:;?!"


def _spans(text: str, words) -> list[tuple[int, int]]:
    """Where the words occur in ``text`` (longest first, not overlapping)."""
    taken = [False] * len(text)
    spans = []
    for w in sorted(set(w for w in words if len(w) > 1), key=len, reverse=True):
        start = text.find(w)
        while start != -1:
            end = start + len(w)
            if not any(taken[start:end]):
                spans.append((start, end))
                for i in range(start, end):
                    taken[i] = True
            start = text.find(w, start + 1)
    return sorted(spans)


def title_breaks(text: str, words: Sequence[str] = ()) -> dict[int, float]:
    """Positions where a title may be broken (a break at *i* starts the next line with ``text[i]``)
    and the cost of each: 0 for the best places (after 关于, before or after 的, before the kind of
    document, after a year, around a book title), 1 between known words, 3 between two characters
    of no known word. Never inside a word, a number, or next to brackets and punctuation."""
    spans = _spans(text, [*TITLE_WORDS, *words])
    inside = {i for s, e in spans for i in range(s + 1, e)}
    starts = {s for s, _ in spans}
    ends = {e for _, e in spans}
    out: dict[int, float] = {}
    for i in range(1, len(text)):
        a, b = text[i - 1], text[i]
        if i in inside or b in _CLOSE or a in _OPEN:
            continue
        if (a.isascii() and a.isalnum()) and (b.isascii() and b.isalnum() or b in "年月日号期项"):
            continue  # "2021年", "51号"
        if a == "第" and b.isdigit():
            continue
        if (text[:i].endswith("关于") or b == "的" or a == "的" or a == "》" or b == "《"
                or any(text.startswith(k, i) for k in DOC_KINDS if text.endswith(k) or text.startswith(k + "的", i))
                or (a == "年" and i >= 2 and text[i - 2].isdigit())):
            out[i] = 0.0
        elif i in starts or i in ends:
            out[i] = 1.0
        else:
            out[i] = 3.0
    return out


def split_title(text: str, max_chars: float, words: Sequence[str] = ()) -> str:
    """A long title broken into centred lines of at most ``max_chars`` (full-width) characters, in the
    shape GB/T 9704 asks for (梯形 or 菱形: upper lines no longer than lower ones, or the middle the
    longest), on word boundaries only (see :func:`title_breaks`); ``words`` adds names that must stay
    whole, e.g. the units of the directory. A title that fits, or already has line breaks, is kept."""
    if "\n" in text or text_width_chars(text) <= max_chars:
        return text
    breaks = title_breaks(text, words)
    positions = sorted(breaks)
    for lines in range(2, 5):
        best: tuple[float, tuple[int, ...]] | None = None
        for cut in itertools.combinations(positions, lines - 1):
            bounds = (0, *cut, len(text))
            widths = [text_width_chars(text[s:e]) for s, e in zip(bounds, bounds[1:])]
            if max(widths) > max_chars:
                continue
            cost = sum(breaks[c] for c in cut) + 0.25 * (max(widths) - min(widths))
            for k in range(lines - 1):
                drop = widths[k] - widths[k + 1]
                diamond = lines >= 3 and k == lines - 2 and widths[k] >= widths[0]
                if drop > 0 and not diamond:
                    cost += 0.5 * drop  # an upper line longer than the one below: 倒梯形
            if best is None or cost < best[0]:
                best = (cost, cut)
        if best is not None:
            bounds = (0, *best[1], len(text))
            return "\n".join(text[s:e] for s, e in zip(bounds, bounds[1:]))
    return text


# --- 全角标点 ---------------------------------------------------------------------------

_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
_HALF = re.compile("[,;:?!()]")  # any key of _FULL: one search instead of a loop over every character
_PROTECTED = re.compile(r"(?:https?|ftp)://[^\s()\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+"
                        r"|www\.[^\s()\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+"
                        r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _is_cjk(ch: str) -> bool:
    return bool(ch) and unicodedata.east_asian_width(ch) in "WF"


# What neither a Word file nor a workbook can hold (XML 1.0): the C0 control characters but tab, line feed and
# carriage return, e.g. Word's manual line break (\x0b) pasted into a form, or a stray \x01 in text sent by the API
# (openpyxl's ILLEGAL_CHARACTERS_RE as one character class; xlsx_docs strips these); a Word file, also U+FFFE/U+FFFF.
C0_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f"
_CONTROL = re.compile(f"[{C0_CONTROLS}\ufffe\uffff]")


def printable(text: str) -> str:
    """The text without the characters a document cannot hold (_CONTROL), left out rather than failing the export."""
    return _CONTROL.sub("", text) if _CONTROL.search(text) else text


def fullwidth_punctuation(text: str) -> str:
    """Half-width ``,;:?!()`` in Chinese text as the full-width ``，；：？！（）`` a 公文 uses (text
    carried over from a PDF often has the half-width ones), with the space typed after them dropped.

    Only in a Chinese context: the character before or after (spaces aside) is Chinese, or for
    brackets the text inside is. Left alone: URLs and e-mail addresses, numbers ("1,000", "10:30",
    "2021-10-15"), and Latin text ("(PPP)" inside Chinese becomes "（PPP）", "a, b" stays)."""
    if not text or not _HALF.search(text):
        return text
    out = []
    pos = 0
    for m in _PROTECTED.finditer(text):
        out.append(_convert(text[pos:m.start()], text, pos))
        out.append(m.group())
        pos = m.end()
    out.append(_convert(text[pos:], text, pos))
    return "".join(out)


def _convert(part: str, whole: str, offset: int) -> str:
    chars = list(part)
    n = len(whole)

    def neighbour(i: int, step: int) -> str:
        j = i + step
        while 0 <= j < n and whole[j] == " ":
            j += step
        return whole[j] if 0 <= j < n else ""

    # brackets: pairs whose content or surroundings are Chinese
    stack = []
    pairs = {}
    for k, ch in enumerate(chars):
        if ch == "(":
            stack.append(k)
        elif ch == ")" and stack:
            pairs[stack.pop()] = k
    for a, b in pairs.items():
        inner = part[a + 1:b]
        if (any(_is_cjk(c) for c in inner) or _is_cjk(neighbour(offset + a, -1))
                or _is_cjk(neighbour(offset + b, 1))):
            chars[a], chars[b] = "（", "）"
    whole = whole[:offset] + "".join(chars) + whole[offset + len(part):]  # brackets converted: "）;" → "）；"
    drop = set()
    for k, ch in enumerate(part):
        if ch not in ",;:?!":
            continue
        i = offset + k
        before, after = neighbour(i, -1), neighbour(i, 1)
        if ch in ",:" and before.isdigit() and after.isdigit():
            continue  # 1,000  10:30
        if _is_cjk(before) or _is_cjk(after):
            chars[k] = _FULL[ch]
            j = k + 1
            while j < len(part) and part[j] == " ":
                drop.add(j)
                j += 1
    return "".join(c for k, c in enumerate(chars) if k not in drop)
