"""The units clause: who leads (牵头) and who carries out (负责落实) a task.

    "区财政局、区发展改革局牵头；区政府各办、局，各街道办事处负责落实"
    -> lead: 区财政局, 区发展改革局; responsible groups: 区政府各办、局, 各街道办事处

Two ways documents write roles:
- a verb after the units it applies to: "…牵头", "…负责落实", "…分别负责落实", "…按照职责分工负责", "…配合";
- a label before them: "牵头单位：…；责任单位：…；配合单位：…".
Names stay as written; a bracketed name after a unit ("区财政局（区金融办）") is an alias of that unit.
Resolving names against a directory is not the parser's job.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from duban.ingest.model import LEAD, RESPONSIBLE, UnitRef
from duban.ingest.text import tidy

# Longest first, so "牵头落实" wins over "牵头" and "分别负责落实" over "负责落实".
VERBS = [
    ("为牵头单位", LEAD),
    ("为牵头部门", LEAD),
    ("为责任单位", RESPONSIBLE),
    ("为配合单位", RESPONSIBLE),
    ("分别牵头负责落实", LEAD),
    ("分别牵头落实", LEAD),
    ("分别牵头负责", LEAD),
    ("共同牵头落实", LEAD),
    ("分别牵头", LEAD),
    ("共同牵头", LEAD),
    ("按照职责分工负责落实", RESPONSIBLE),
    ("按职责分工负责落实", RESPONSIBLE),
    ("按照职责分工负责", RESPONSIBLE),
    ("按职责分工负责", RESPONSIBLE),
    ("按照职责分工落实", RESPONSIBLE),
    ("按职责分工落实", RESPONSIBLE),
    ("分别负责落实", RESPONSIBLE),
    ("共同负责落实", RESPONSIBLE),
    ("牵头负责落实", LEAD),
    ("牵头负责", LEAD),
    ("牵头落实", LEAD),
    ("牵头抓总", LEAD),
    ("牵头", LEAD),
    ("负责落实", RESPONSIBLE),
    ("配合落实", RESPONSIBLE),
    ("分别负责", RESPONSIBLE),
    ("具体负责", RESPONSIBLE),
    ("共同负责", RESPONSIBLE),
    ("负责", RESPONSIBLE),
    ("会同", LEAD),  # "区财政局会同区税务局负责": who acts together with others leads
    ("配合", RESPONSIBLE),
    ("协助", RESPONSIBLE),
    ("参与", RESPONSIBLE),
    ("落实", RESPONSIBLE),
]
VERB_RE = re.compile("|".join(re.escape(v) for v, _ in VERBS))
VERB_ROLE = dict(VERBS)

LABEL_RE = re.compile(
    r"(牵头单位|牵头部门|主办单位|主责单位|责任单位|责任部门|落实单位|配合单位|配合部门|协办单位|参与单位|责任主体)\s*[:：]"
)
LABEL_ROLE = {
    "牵头单位": LEAD, "牵头部门": LEAD, "主办单位": LEAD, "主责单位": LEAD,
}

OPEN, CLOSE = "（(［[【", "）)］]】"
SEPARATORS = "、，,；;／/ \n"
GROUP_START = re.compile(r"^(各|相关|有关|其他|其它|所有|全体|涉及|其余)")
GROUP_INSIDE = re.compile(r"(各有关|各相关|各|相关|有关)(?:[^、，,；;]{0,6})?(办|局|委|部门|单位|机关|机构|街道|乡镇|镇|园区)")
GROUP_END = re.compile(r"(部门|单位|机关|机构|成员单位|主体)$")


@dataclass
class UnitsClause:
    units: list[UnitRef] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # instructions written among the units ("要高度重视")


NAME_END = re.compile(
    r"(局|办|委|中心|街道|政府|部|队|院|所|室|站|处|会|厅|行|社|馆|科|组|联|协|台|校|园|公司|集团|分局|支队|"
    r"办事处|管委会|单位|部门|机关|机构|乡镇|镇|乡|区|县|市)$"
)
# Words that start an instruction, not a name: "各乡镇要高度重视", "做好指导", "负责做好宣传".
INSTRUCTION = re.compile(r"(要|应当|必须|须|做好|加强|抓好|确保|督促|指导|统筹|组织|开展|按照|根据|结合|落实好|高度重视|及时|切实|认真)")
LEADING = re.compile(r"^(由|请|并由|并|和|及|以及|同时)")


def clean_name(raw: str) -> tuple[str | None, str | None]:
    """(unit name, instruction) of one piece of a units cell; a piece that names no unit gives (None, piece)."""
    raw = LEADING.sub("", raw.strip())
    if not raw:
        return None, None
    if m := INSTRUCTION.search(raw):
        head = raw[: m.start()].strip("，,、 ")
        if head and (NAME_END.search(head) or is_group(head)):
            return head, raw[m.start():]
        if not head:
            return None, raw
    base = re.sub(r"[（(][^（）()]*[）)]$", "", raw)
    if NAME_END.search(base) or is_group(raw) or len(base) <= 12:
        return raw, None
    return None, raw


def is_group(name: str) -> bool:
    return bool(GROUP_START.search(name) or GROUP_INSIDE.search(name) or GROUP_END.search(name))


def split_names(text: str) -> list[str]:
    """Split a list of names on 、，； and spaces, never inside brackets.

    A one-character piece ("局" in "区政府各办、局", "办" in "各委、办、局") belongs to the name before it.
    """
    parts, buf, depth = [], "", 0
    for ch in text:
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE:
            depth = max(0, depth - 1)
        if depth == 0 and ch in SEPARATORS:
            parts.append((buf, ch))
            buf = ""
        else:
            buf += ch
    parts.append((buf, ""))
    names: list[str] = []
    for piece, sep in parts:
        piece = piece.strip().removesuffix("等")
        if not piece:
            continue
        if len(piece) == 1 and names:
            names[-1] = f"{names[-1]}、{piece}"
        else:
            names.append(piece)
    return names


BRACKETED = re.compile(rf"^(.+?)[{re.escape(OPEN)}](.+)[{re.escape(CLOSE)}]$")


def split_alias(name: str) -> tuple[str, list[str], str | None]:
    """"区财政局（区金融办）" -> ("区财政局", ["区金融办"], None); "区卫健局（牵头）" -> ("区卫健局", [], LEAD)."""
    m = BRACKETED.match(name)
    if not m:
        return name, [], None
    base, inner = m.group(1).strip(), m.group(2).strip()
    if inner in VERB_ROLE or inner in ("牵头单位", "责任单位", "配合单位"):
        return base, [], VERB_ROLE.get(inner, LABEL_ROLE.get(inner, RESPONSIBLE))
    if is_group(name) and not is_group(base):  # 各县（市、区） is a group as written, not an alias
        return name, [], None
    if is_group(name):
        return name, [], None
    return base, [a for a in split_names(inner) if a], None


NAME_THEN_SPACE = re.compile(r"((?:局|办|委|室|中心|处|队|所|院|站|政府|部|会|厅|行|社|馆|）|\)))[ \u3000]+(?=[区市县省州镇乡各])")
ET_CETERA = re.compile(r"^(.+?)等(?:相关|有关|其他)?(?:单位|部门|机构)$")


def _refs(segment: str, role: str, warnings: list[str], notes: list[str] | None = None) -> list[UnitRef]:
    refs = []
    for raw in split_names(segment):
        raw, instruction = clean_name(raw.strip("：:。."))
        if instruction:
            if notes is not None:
                notes.append(instruction)
            warnings.append(f"单位栏中的“{instruction}”不是单位名称，已作为说明保留，请核对")
        if not raw:
            continue
        if (m := ET_CETERA.match(raw)) and not is_group(m[1]):
            warnings.append(f"“{raw}”中“等”所指的其他单位没有列明，只记入了“{m[1]}”，请核对")
            raw = m[1]
        name, aliases, bracket_role = split_alias(raw)
        refs.append(UnitRef(name=name, role=bracket_role or role, group=is_group(name), aliases=aliases))
    return refs


def parse_units(text: str, default_role: str = LEAD, role_from_column: bool = False) -> UnitsClause:
    """Parse one units cell.

    default_role applies to names written with no verb or label. When the column itself
    names the role (a 牵头单位 or 配合单位 column), role_from_column is True and that is no doubt.
    """
    # A space between a complete name and the next one ("区政府办公室 区发展改革局") separates them; any
    # other space between Chinese characters is a line the PDF wrapped ("区城市 管理局", "区政府 办公室")
    # and goes away with tidy().
    text = NAME_THEN_SPACE.sub(r"\1、", text or "")
    text = tidy(text).strip("。.；;，,")
    result = UnitsClause()
    if not text:
        return result
    if LABEL_RE.search(text):
        pieces = LABEL_RE.split(text)
        leading = pieces[0].strip("；;，,。 ")
        if leading:
            result.units += _refs(leading, default_role, result.warnings, result.notes)
        for label, segment in zip(pieces[1::2], pieces[2::2]):
            role = LABEL_ROLE.get(label, RESPONSIBLE)
            result.units += _refs(segment.strip("；;，,。 "), role, result.warnings, result.notes)
        return _dedupe(result)

    pos, any_verb = 0, False
    for m in VERB_RE.finditer(text):
        if _inside_brackets(text, m.start()):  # "区卫生健康局（牵头）": a role marker, see split_alias
            continue
        segment = text[pos:m.start()]
        if segment.strip("；;，,、 "):
            result.units += _refs(segment, VERB_ROLE[m.group()], result.warnings, result.notes)
        pos, any_verb = m.end(), True
    rest = text[pos:].strip("；;，,、。 ")
    if rest:
        # Names after the last verb: after "…牵头，" they are the others, who carry the work out.
        role = RESPONSIBLE if any_verb else default_role
        refs = _refs(rest, role, result.warnings, result.notes)
        if any_verb and refs:
            names = "、".join(r.name for r in refs)
            result.warnings.append(f"单位“{names}”后没有写明牵头或负责落实，已按{'牵头' if role == LEAD else '负责落实'}单位处理，请核对")
        result.units += refs
    if not any_verb and not role_from_column:
        result.warnings.append("单位栏没有写明“牵头”或“负责落实”，已按" + ("牵头" if default_role == LEAD else "负责落实") + "单位处理，请核对")
    return _dedupe(result)


def _inside_brackets(text: str, index: int) -> bool:
    depth = 0
    for ch in text[:index]:
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE:
            depth = max(0, depth - 1)
    return depth > 0


def _dedupe(result: UnitsClause) -> UnitsClause:
    """A unit named twice keeps its first role, lead before responsible."""
    seen: dict[str, UnitRef] = {}
    for ref in result.units:
        if ref.name in seen:
            if ref.role == LEAD:
                seen[ref.name].role = LEAD
            for a in ref.aliases:
                if a not in seen[ref.name].aliases:
                    seen[ref.name].aliases.append(a)
            continue
        seen[ref.name] = ref
    result.units = list(seen.values())
    return result
