"""Plans written as numbered text rather than a table.

    一、深化重点领域信息公开
    （一）推进各类规划主动公开。
    1．主动公开“十四五”规划纲要。（区政府办公室、区发展改革局负责落实；文件成文后20个工作日内）
    2．……
    牵头单位：区财政局　　责任单位：各街道办事处　　完成时限：2021年10月底前

A numbered paragraph that names units (in a closing bracket, or in 牵头单位/责任单位 lines
below it) is a task; a numbered paragraph without units is a section heading.
"""
from __future__ import annotations

import re

from duban.ingest.table import SENTENCE_END, Draft, heading_level, looks_like_deadline
from duban.ingest.text import tidy
from duban.ingest.units import LABEL_RE, VERB_RE

ITEM = re.compile(r"^(?:(\d{1,5})\s*[.、．]|[（(](\d{1,5})[）)])\s*")
DEADLINE_LABEL = re.compile(r"(完成时限|完成时间|时间节点|时限要求|完成期限|时间要求)\s*[:：]")
ANY_LABEL = re.compile(rf"{DEADLINE_LABEL.pattern}|{LABEL_RE.pattern}")
CLOSING_BRACKET = re.compile(r"[（(]([^（()）]*)[)）]\s*[。.]?$")
ANY_BRACKET = re.compile(r"[（(]([^（()）]*)[)）]\s*[。.；;]?")
FIRST_SENTENCE = re.compile(r"^[^。！？!?]{4,80}[。！？!?]")
TIME_WORD = re.compile(r"(\d+|[一二三四五六七八九十]+)月|年底|年内|年末|上半年|下半年|季度|工作日|长期|持续|每[月年周季]|常态化")


def join_wrapped_lines(paragraphs: list[str]) -> list[str]:
    """PDF text wraps a paragraph over several lines: join a line to the one above when that one was cut."""
    out: list[str] = []
    for p in (tidy(p) for p in paragraphs):
        if not p:
            continue
        starts_new = ITEM.match(p) or heading_level(p)[0] is not None or ANY_LABEL.match(p)
        if out and not starts_new and not SENTENCE_END.search(out[-1]) and not out[-1].endswith(("）", ")")):
            out[-1] += p
        else:
            out.append(p)
    return out


def split_clause(clause: str) -> tuple[str, str]:
    """"区政府办公室负责落实，10月31日前完成" -> (units, deadline)."""
    if m := DEADLINE_LABEL.search(clause):
        units = clause[: m.start()].strip("；;，, ")
        deadline = re.split(r"[；;]", clause[m.end():])[0]
        rest = clause[m.end() + len(deadline):].strip("；;，, ")
        return "；".join(p for p in (units, rest) if p), deadline.strip()
    units, deadline = [], []
    for piece in re.split(r"(?<=[；;，,])", clause):
        bare = piece.strip("；;，, ")
        if bare and TIME_WORD.search(bare) and not VERB_RE.search(bare) and looks_like_deadline(bare):
            deadline.append(bare)
        else:
            units.append(piece)
    return "".join(units).strip("；;，, "), "，".join(deadline)


def names_units(text: str) -> bool:
    return bool(LABEL_RE.search(text) or VERB_RE.search(text))


def unit_brackets(text: str) -> list[re.Match]:
    """The brackets that close a task by naming its units: "（市交通委负责落实）", "（X、Y牵头；Z按职责分工负责）"."""
    return [m for m in ANY_BRACKET.finditer(text) if names_units(m[1]) and not m[1].startswith(("含", "包括", "如"))]


def split_inline_tasks(text: str) -> tuple[str, list[tuple[str, str]]] | None:
    """A 「（一）」 paragraph holding tasks, each closed by its own units bracket, its first sentence the heading:
    "（一）标题。甲。（A负责落实）乙。（B、C分别负责落实）" -> ("标题。", [("甲。", "A负责落实"), ("乙。", "B、C分别负责落实")]).
    None when the paragraph is one sentence closed by its bracket (one task)."""
    brackets = unit_brackets(text)
    if not brackets:
        return None
    if len(brackets) == 1 and not text[brackets[0].end():].strip():
        h = FIRST_SENTENCE.match(text)
        if not h or h.end() >= brackets[0].start():
            return None  # one task, closed by its bracket
    heading, parts, start = "", [], 0
    for m in brackets:
        parts.append((text[start:m.start()].strip(), m[1]))
        start = m.end()
    if rest := text[start:].strip():
        parts.append((rest, ""))
    first = parts[0][0]
    if (h := FIRST_SENTENCE.match(first)) and first[h.end():].strip():
        heading = h[0]
        parts[0] = (first[h.end():].strip(), parts[0][1])
    return heading, parts


def parse_prose(paragraphs: list[str], builder) -> bool:
    """Feed tasks found in numbered text into the table builder; False when there are none."""
    lines = [tidy(p) for p in paragraphs if tidy(p)]
    drafts: list[Draft] = []
    start = None
    for i, line in enumerate(lines):
        if ITEM.match(line) or (heading_level(line)[0] == 0 and len(line) <= 40):
            start = i
            break
    if start is None:
        return False
    before, body = lines[:start], join_wrapped_lines(lines[start:])
    after: list[str] = []
    for line in body:
        item = ITEM.match(line)
        level, heading = heading_level(line)
        label = ANY_LABEL.match(line)
        if label and drafts:
            units, deadline = split_clause(line)
            if units:
                drafts[-1].units[0] = "；".join(u for u in (drafts[-1].units.get(0, ""), units) if u)
            if deadline:
                drafts[-1].deadline = deadline
            continue
        text = line[item.end():] if item else heading
        if not item and (inline_tasks := split_inline_tasks(text)):
            title, parts = inline_tasks
            if title:
                builder.set_outer(level if level is not None else len(builder.outer_levels), title)
            for requirement, units_clause in parts:
                units, deadline = split_clause(units_clause) if units_clause else ("", "")
                drafts.append(Draft(no=len(drafts) + 1, section=builder.current_section(), requirement=requirement,
                                    units={0: units} if units else {}, deadline=deadline))
                drafts[-1].warnings.append("这一项原文没有阿拉伯数字序号，已按顺序编号")
            continue
        clause = CLOSING_BRACKET.search(text)
        inline = ANY_LABEL.search(text)
        if clause and names_units(clause[1]):
            requirement, (units, deadline) = text[: clause.start()].strip(), split_clause(clause[1])
        elif inline and inline.start() > 0:  # "…纲要。牵头单位：区发展改革局；完成时限：6月底前。"
            requirement, (units, deadline) = text[: inline.start()].strip(), split_clause(text[inline.start():].rstrip("。."))
        else:
            requirement, units, deadline = text, "", ""
        if item or (level is not None and units):
            number = int(item[1] or item[2]) if item else len(drafts) + 1
            drafts.append(Draft(no=number, section=builder.current_section(), requirement=requirement,
                                units={0: units} if units else {}, deadline=deadline))
            if not item:
                drafts[-1].warnings.append("这一项原文没有阿拉伯数字序号，已按顺序编号")
        elif level is not None and len(line) <= 60:
            builder.set_outer(level, heading.rstrip("。."))
        elif drafts:
            after.append(line)
        else:
            before.append(line)
    if not drafts:
        return False
    builder.drafts, builder.before, builder.after = drafts, before, after
    builder.prose = True
    return True
