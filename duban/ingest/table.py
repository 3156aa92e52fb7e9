"""Table reconstruction: rows of cells from any reader -> a Plan.

The family of documents this reads: a 分工方案 whose body is a table with a header row
(序号 / 工作任务 / 具体要求 / 牵头落实单位 / 完成时限, in any of their usual names and orders),
often broken over pages. What the reconstruction copes with:

- the header row repeated at each page break, each repetition possibly with another
  column layout (one or two 工作任务 columns);
- continuation rows (no 序号) that carry the rest of the task above, cell by cell;
- rows whose cells shifted left or right: cells are then placed by what they contain;
- section headings in their own columns, in full-width rows ("一、…"), in paragraphs
  between tables, or at the start of a requirement cell ("加强重要政策发布解读 围绕…").

Every repair that a person should check becomes a warning on the task or the plan.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from duban.ingest import meta as meta_mod
from duban.ingest.deadline import parse_deadline
from duban.ingest.errors import IngestError
from duban.ingest.model import LEAD, RESPONSIBLE, Plan, Task
from duban.ingest.readers import RawDocument
from duban.ingest.text import cn_number, flatten, join_cut, tidy
from duban.ingest.units import LABEL_RE, VERB_RE, parse_units

# Header names, most specific first. A header cell is matched against each in turn.
HEADER_FIELDS = [
    ("no", re.compile(r"^(序号|编号|序|排序)$")),
    ("note", re.compile(r"^(备注|说明|备考)$")),
    ("deadline", re.compile(r"(时限|时间|期限|节点|进度|截止日期|完成日期)")),
    ("lead", re.compile(r"^(牵头单位|牵头部门|牵头处室|牵头科室|主办单位|主责单位|牵头责任单位|牵头领导单位)$")),
    ("support", re.compile(r"^(配合单位|配合部门|配合处室|协办单位|参与单位|协助单位)$")),
    ("units", re.compile(r"(单位|部门|处室|科室|科（室）|主体|责任分工|承办)")),
    ("indicator", re.compile(r"^([一二三四五六七八九]级)?(考核|评估|考评|评价)?指标(名称|内容)?$")),
    ("requirement", re.compile(r"(细化分工|任务分解|细化措施|具体举措|落实措施|举措|具体要求|具体措施|工作要求|工作措施|具体任务|任务内容|主要内容|工作内容|具体内容|工作目标|措施|要求|内容)")),
    ("section", re.compile(r"(工作任务|重点任务|主要任务|重点工作|工作重点|任务|类别|项目|领域|事项|板块|工作)")),
]
NUMBER_CELL = re.compile(r"^[（(]?\s*(\d{1,5})\s*[）)]?\s*[.、．]?$")
CN_NUMBER_CELL = re.compile(r"^[（(]?[一二三四五六七八九十]{1,3}[）)]?[、.．]?$")
WRITTEN_NUMBER = re.compile(r"^\s*(?:(\d{1,5})\s*[.、．](?!\d)|[（(](\d{1,5})[）)])\s*(?=\S)")
DOTTED_NUMBER = re.compile(r"^\d{1,3}(?:\s*[.．\-－]\s*\d{1,3})+\s*[.、．]?$")  # 1.1, 2-3: numbered within a section
HEADING_NUMBER = [
    (re.compile(r"^第[一二三四五六七八九十]+[部分章]\s*"), 0),
    (re.compile(r"^[一二三四五六七八九十]+\s*[、.．]\s*"), 0),
    (re.compile(r"^[（(][一二三四五六七八九十]+[）)]\s*[、.．]?\s*"), 1),
]
INLINE_HEADING = re.compile(rf"^((?:[（(][一二三四五六七八九十]+[）)])?[\u4e00-\u9fff“”、]{{4,24}})[ \u3000\n]+([\u4e00-\u9fff“《].{{8,}})$", re.S)
DEADLINE_IN_TEXT = re.compile(
    r"(?:(?:19|20)\d\d年)?(?:\d{1,2}月(?:\d{1,2}日|底|末|上旬|中旬|下旬)?|年底|年内|年末|上半年|下半年|第[一二三四]季度)"
    r"(?:前|以前|之前)(?:完成)?"
    r"|(?:每|按)(?:月度?|季度?|半年度?|年度?|周)(?=[\u4e00-\u9fff])"  # 每季度公开, 是否按月度公开: recurring work
)
SCORE_CELL = re.compile(r"^[（(]?\s*\d{1,3}(?:\.\d{1,2})?\s*分?\s*[）)]?$")
SCORE_TAIL = re.compile(r"(?:[（(]\s*(\d{1,3}(?:\.\d{1,2})?)\s*分?\s*[）)]?|(?<=[\u4e00-\u9fff])(\d{1,2}\.\d{1,2}|\d{1,2}(?=分))分?)$")
UNIT_SUFFIX = re.compile(r"(局|办|委|中心|街道|政府|部|队|院|所|室|站|处|会|厅|科|组|馆|社|行|司|团|单位|部门|机关|办事处|公司)$")
SENTENCE_END = re.compile(r"[。；;！!？?]$")
UNIT_WORD = re.compile(r"(局|办|委|中心|街道|政府|部|队|院|所|室|站|处|会|厅|单位|部门|机关)")


@dataclass
class ColumnMap:
    no: int | None = None
    sections: list[int] = field(default_factory=list)
    requirement: int | None = None
    units: list[tuple[int, str, bool]] = field(default_factory=list)  # (column, default role, role from column)
    deadline: int | None = None
    blank: list[int] = field(default_factory=list)  # columns with an empty header cell: text there means a shifted row
    other: list[int] = field(default_factory=list)  # named columns Duban does not use: 备注, 牵头领导, 完成情况…
    width: int = 0
    note: int | None = None  # 备注/说明: where a table without a 完成时限 column may give the deadline
    indicator: bool = False  # an assessment-indicator table: 一级指标…五级指标, the last level the task


@dataclass
class Draft:
    """A task while rows are still being read: raw cell text, parsed at the end."""

    no: int
    section: list[str]
    requirement: str = ""
    units: dict[int, str] = field(default_factory=dict)
    deadline: str = ""
    warnings: list[str] = field(default_factory=list)
    score: float | None = None  # the points of an assessment indicator
    note: str = ""  # the 备注/说明 cell


def header_map(cells: list[str]) -> ColumnMap | None:
    names = [re.sub(r"\s+", "", c) for c in cells]
    found: dict[int, str] = {}
    for i, name in enumerate(names):
        if not name or len(name) > 12:
            continue
        for key, rx in HEADER_FIELDS:
            if rx.search(name):
                found[i] = key
                break
    kinds = set(found.values())
    if len(found) < 3 or not ({"requirement", "units", "lead"} & kinds) or not ({"no", "deadline", "units", "lead"} & kinds):
        return None
    cmap = ColumnMap(width=len(cells))
    for i in range(len(cells)):
        key = found.get(i)
        if key is None:
            # A blank header cell right after a section column is a second section column
            # (the header cell was merged over two columns).
            if not names[i] and i - 1 in cmap.sections:
                cmap.sections.append(i)
            elif not names[i]:
                cmap.blank.append(i)
            else:
                cmap.other.append(i)
        elif key == "no":
            cmap.no = i
        elif key == "section":
            cmap.sections.append(i)
        elif key == "indicator":
            cmap.sections.append(i)
            cmap.indicator = True
        elif key == "requirement":
            if cmap.requirement is None:
                cmap.requirement = i
            else:  # two requirement-like columns: the first is the task, the second its details
                cmap.sections.append(cmap.requirement)
                cmap.requirement = i
        elif key == "deadline":
            cmap.deadline = i
        elif key == "note":
            cmap.other.append(i)
            cmap.note = i
        elif key == "lead":
            cmap.units.append((i, LEAD, True))
        elif key == "support":
            cmap.units.append((i, RESPONSIBLE, True))
        else:  # a combined column such as 牵头落实单位 / 责任单位: verbs inside say the role
            header = names[i]
            combined = "牵头" in header and ("落实" in header or "责任" in header)
            role = LEAD if "牵头" in header else RESPONSIBLE
            cmap.units.append((i, role, not combined))
    if cmap.requirement is None:
        if cmap.sections:  # 工作任务 is the only text column: it is the requirement
            cmap.requirement = cmap.sections.pop()
        else:
            return None
    return cmap


def looks_like_units(text: str) -> bool:
    text = tidy(text)
    if not text or len(text) > 400:
        return False
    if LABEL_RE.search(text) or (VERB_RE.search(text) and UNIT_WORD.search(text)):
        return not SENTENCE_END.search(text) or text.endswith(("负责落实。", "牵头。", "负责。"))
    return bool(re.match(r"^(区|市|县|省|州|镇|乡|各)", text)) and bool(UNIT_WORD.search(text)) and "。" not in text


def split_score(text: str) -> tuple[str, float | None]:
    """"是否公开…政策(0.25" -> ("是否公开…政策", 0.25); "养老服务(2" -> ("养老服务", 2.0)."""
    if m := SCORE_TAIL.search(text):
        return text[: m.start()].rstrip(), float(m[1] or m[2])
    return text, None


def looks_like_unit_name(text: str) -> bool:
    """One unit's name in a cell of its own: "中医科", "区卫生健康监督执法大队", "各科室"."""
    text = tidy(text)
    return 0 < len(text) <= 30 and not re.search(r"[。；;，,:：]", text) and bool(UNIT_SUFFIX.search(text) or text.startswith("各"))


def is_indicator_task(text: str) -> bool:
    """The last indicator: a sentence, a scored item, or a question (是否…)."""
    return len(text) > 20 or bool(SCORE_TAIL.search(text)) or text.startswith(("是否", "有无", "按时")) or bool(SENTENCE_END.search(text))


def looks_like_deadline(text: str) -> bool:
    text = tidy(text)
    return bool(text) and len(text) <= 40 and not looks_like_units(text) and parse_deadline(text, 2000).deadline is not None


def looks_like_sentence(text: str) -> bool:
    text = tidy(text)
    return len(text) > 30 or bool(SENTENCE_END.search(text))


def heading_level(text: str) -> tuple[int | None, str]:
    for rx, level in HEADING_NUMBER:
        if m := rx.match(text):
            return level, text[m.end():].strip()
    return None, text


def push_heading(path: list[str], levels: list[int], level: int, title: str) -> tuple[list[str], list[int]] | None:
    """The heading path after a heading of this level: deeper and equal levels give way to it.

    Levels are relative: a document whose first headings are "（一）" has no level above them.
    None when the title is empty.
    """
    title = flatten(tidy(heading_level(flatten(title))[1]))
    if not title:
        return None
    keep = sum(1 for lvl in levels if lvl < level)
    return path[:keep] + [title], levels[:keep] + [level]


class Builder:
    def __init__(self, whole_rows: bool = False) -> None:
        self.whole_rows = whole_rows  # False where a row may be cut at a page break (PDF text)
        self.cmap: ColumnMap | None = None
        # Headings come from two places. Outer ones stand on their own: a full-width row, a paragraph
        # between tables, a heading in the 序号 column ("一、…", "（一）…"). Inner ones are written in the
        # 工作任务 columns or at the start of a requirement. A task's section is outer + inner.
        self.outer_path: list[str] = []
        self.outer_levels: list[int] = []
        self.path: list[str] = []
        self.path_levels: list[int] = []  # the level of each heading in path
        self.depth = 1  # section levels that column headings fill (2 once a row shows two)
        self.section_widths: set[int] = set()
        self.drafts: list[Draft] = []
        self.before: list[str] = []
        self.after: list[str] = []
        self.warnings: list[str] = []
        self.numbered = True
        self.prose = False  # a plan written as numbered text, see duban.ingest.prose
        self.header_cells: list[str] = []
        self.pending_headings: list[tuple[int, str]] = []  # numbered heading paragraphs right before the first table

    # -- sections -------------------------------------------------------------
    def set_outer(self, level: int, title: str) -> None:
        if pushed := push_heading(self.outer_path, self.outer_levels, level, title):
            self.outer_path, self.outer_levels = pushed
            self.path, self.path_levels = [], []

    def set_section(self, level: int, title: str) -> None:
        if pushed := push_heading(self.path, self.path_levels, level, title):
            self.path, self.path_levels = pushed

    def current_section(self) -> list[str]:
        return self.outer_path + self.path

    def column_headings(self, values: list[tuple[int, str]], width: int) -> None:
        """values: (column level, text) for non-empty section cells of a row whose map has `width` section columns."""
        if not values:
            return
        if width >= 2 or len(values) >= 2:
            self.depth = max(self.depth, width, len(values))
        for col_level, text in values:
            level = col_level + max(0, self.depth - max(width, 1))
            explicit_level, clean = heading_level(tidy(text))
            self.set_section(explicit_level if explicit_level is not None and width == 1 else level, clean)

    # -- rows -----------------------------------------------------------------
    def feed_paragraph(self, text: str) -> None:
        text = tidy(text)
        level, clean = heading_level(text)
        if self.cmap is None:
            self.before.append(text)
            if level is not None and len(text) <= 50 and not SENTENCE_END.search(text):
                self.pending_headings.append((level, clean))
            else:
                self.pending_headings = []
            return
        if level is not None and len(text) <= 50 and not SENTENCE_END.search(text):
            self.set_outer(level, clean)
        else:
            self.after.append(text)

    def feed_row(self, cells: list[str]) -> None:
        cells = [c or "" for c in cells]
        cmap = header_map(cells)
        if cmap is not None:
            if self.cmap is None and cmap.no is None:
                self.numbered = False
                self.warnings.append("分工表没有“序号”列，任务按行的顺序编号")
            if self.cmap is None:
                for level, title in self.pending_headings:
                    self.set_outer(level, title)
            self.cmap = cmap
            self.header_cells = list(cells)
            self.section_widths.add(len(cmap.sections))
            return
        nonempty = [(i, c) for i, c in enumerate(cells) if tidy(c)]
        if not nonempty:
            return
        if self.cmap is None:
            self.before.append(" ".join(flatten(tidy(c)) for _, c in nonempty))
            return
        cmap = self.cmap
        if cmap.indicator:
            self.feed_indicator_row([flatten(tidy(c)) for _, c in nonempty])
            return
        cell = lambda i: cells[i] if i is not None and i < len(cells) else ""  # noqa: E731

        texts = {tidy(c) for _, c in nonempty}
        number = label = None
        if cmap.no is not None:
            label = flatten(tidy(cell(cmap.no)))
            m = NUMBER_CELL.match(label)
            number = int(m[1]) if m else None
            if m is None and DOTTED_NUMBER.match(label):
                number = len(self.drafts) + 1
            elif m is None and CN_NUMBER_CELL.match(label) and self._has_units_or_deadline(cells):
                number = len(self.drafts) + 1  # tasks numbered 一、二、… in the 序号 column
            elif m is None and (heading_level(label)[0] is not None or CN_NUMBER_CELL.match(label)) and not self._has_units_or_deadline(cells):
                # "（一）" or "一" in the 序号 column, its title in the next cell: a section heading row
                level = heading_level(label)[0]
                if level is None:
                    level = 1 if label.startswith(("（", "(")) else 0
                rest = [flatten(tidy(c)) for i, c in nonempty if i != cmap.no]
                self.set_outer(level, "".join(rest[:1]) or heading_level(label)[1])
                return
        if number is None and len(texts) == 1:
            (text,) = texts
            first = nonempty[0][0]
            level, clean = heading_level(text)
            if (level is not None or first == 0 or first == cmap.no) and len(text) <= 60 and not SENTENCE_END.search(text):
                self.set_outer(level if level is not None else 0, clean)
                return
        if number is None and cmap.no is not None:
            if not self.drafts and all(len(tidy(c)) <= 8 for _, c in nonempty):
                self._second_header_row(cells)  # 一级/二级 under 工作任务, or 牵头落实 / 单位 on two lines
                return
            if moved := self._misplaced_number(cells, nonempty):
                number, cells = moved
                self.start_task(number, cells)
                self.drafts[-1].warnings.append("本行序号不在“序号”栏，已按顺序号识别为新的一项，请核对")
                return
            self.continue_task(cells)
            return
        if number is None:  # no 序号 column: a row continues the one above only if that one was cut
            if not self.whole_rows and self.drafts and self._was_cut(self.drafts[-1], cells):
                self.continue_task(cells)
                return
            if written := self._written_number(cells):
                number, cells = written
            else:
                number = len(self.drafts) + 1
        self.start_task(number, cells)
        if label and not NUMBER_CELL.match(label) and cn_number(label.strip("（）()、.．")) != number:
            self.drafts[-1].warnings.append(f"原文序号为“{label}”，已按顺序编为第{number}项")

    # -- assessment-indicator tables ------------------------------------------
    def feed_indicator_row(self, items: list[str]) -> None:
        """A row of an indicator table (一级指标 … 五级指标 · 责任科室): cells placed by what they hold, since
        cells merged over several rows appear on the first row only, and a block of them is repeated
        after a page break. Scores ("23", "0.75", a tail "(0.25") are kept apart from the text; the
        last indicator is the task, the cells after it its units, the cells before it its headings."""
        items = [i for i in items if not SCORE_CELL.match(i)]
        end = len(items)
        while end > 0 and looks_like_unit_name(items[end - 1]):
            end -= 1
        task_at = end - 1 if end > 0 and is_indicator_task(items[end - 1]) else None
        if task_at is None:
            if self.drafts and end == len(items) == 1 and self._cut_indicator(items[0]):
                return
            if end == len(items):  # headings only: a group's first row, or a block repeated after a page break
                self.indicator_headings(items)
                return
            if self.drafts:  # units alone: more units of the task above
                draft = self.drafts[-1]
                key = next(iter(draft.units), self.cmap.units[0][0] if self.cmap.units else -1)
                draft.units[key] = "、".join(u for u in [draft.units.get(key, "")] + items[end:] if u)
            return
        headings, text, units = items[:task_at], items[task_at], items[task_at + 1:]
        if headings and is_indicator_task(headings[-1]) and split_score(headings[-1])[1] is None:
            text = join_cut(headings.pop(), text)  # the task's text cut in two by a page break
        if self.drafts and not headings and self._cut_indicator(text, units):
            return
        self.indicator_headings(headings)
        text, score = split_score(text)
        draft = Draft(no=len(self.drafts) + 1, section=self.current_section(), requirement=text, score=score)
        draft.units[self.cmap.units[0][0] if self.cmap.units else -1] = "、".join(units)
        self.drafts.append(draft)

    def _cut_indicator(self, text: str, units: list[str] | None = None) -> bool:
        """The text of the task above, cut by a page break ("…检查结" / "果及处理信息(0.5"): join it."""
        draft = self.drafts[-1]
        if draft.score is not None or SENTENCE_END.search(draft.requirement) or any(tidy(u) for u in draft.units.values()):
            return False
        rest, draft.score = split_score(text)
        draft.requirement = join_cut(draft.requirement, rest)
        if units:
            draft.units[self.cmap.units[0][0] if self.cmap.units else -1] = "、".join(units)
        return True

    def indicator_headings(self, headings: list[str]) -> None:
        """Headings of a row, right-aligned to the indicator levels above the task's own."""
        levels = max(len(self.cmap.sections), len(headings))  # the indicator columns above the task's own
        for k, heading in enumerate(headings):
            self.set_section(levels - len(headings) + k, split_score(heading)[0])

    def _second_header_row(self, cells: list[str]) -> None:
        """A header written on two lines: read the two as one when that names the columns better."""
        top = self.header_cells
        width = max(len(top), len(cells))
        merged = [tidy(a) + tidy(b) for a, b in zip(top + [""] * (width - len(top)), cells + [""] * (width - len(cells)))]
        cmap = header_map(merged)
        if cmap is not None and len(cmap.units) + (cmap.deadline is not None) >= len(self.cmap.units) + (self.cmap.deadline is not None):
            self.cmap = cmap

    def _misplaced_number(self, cells: list[str], nonempty: list[tuple[int, str]]) -> tuple[int, list[str]] | None:
        """The next number in sequence, but not in the 序号 column: the row shifted right, or the number
        opens the requirement ("21．做好…"). Only the very next number counts, so a continuation row
        whose text happens to start with a digit is not taken for a task."""
        expected = self.drafts[-1].no + 1 if self.drafts else 1
        first, text = nonempty[0]
        if first > self.cmap.no and NUMBER_CELL.match(tidy(text)) and int(NUMBER_CELL.match(tidy(text))[1]) == expected:
            return expected, cells[first - self.cmap.no:]
        req = self.cmap.requirement
        m = re.match(r"^\s*(\d{1,5})\s*[.、．]\s*(?=\S)", self._get(cells, req))
        if m and int(m[1]) == expected and not self._get(cells, self.cmap.no).strip():
            cells = list(cells) + [""] * max(0, self.cmap.no + 1 - len(cells))
            cells[req] = cells[req][m.end():]
            cells[self.cmap.no] = m[1]
            return expected, cells
        return None

    def _written_number(self, cells: list[str]) -> tuple[int, list[str]] | None:
        """No 序号 column, but the number written at the start of the requirement or of the innermost
        工作任务 cell ("1.主动公开…", "（2）做好…"): it is the task's number, and leaves the text."""
        expected = self.drafts[-1].no + 1 if self.drafts else 1
        for i in [self.cmap.requirement] + self.cmap.sections[::-1][:1]:
            m = WRITTEN_NUMBER.match(self._get(cells, i))
            if m and int(m[1] or m[2]) in (expected, 1):
                cells = list(cells)
                cells[i] = cells[i][m.end():]
                return int(m[1] or m[2]), cells
        return None

    def _has_units_or_deadline(self, cells: list[str]) -> bool:
        cmap = self.cmap
        return any(tidy(self._get(cells, i)) for i, _, _ in cmap.units) or bool(tidy(self._get(cells, cmap.deadline)))

    def _was_cut(self, draft: Draft, cells: list[str]) -> bool:
        req = tidy(self._get(cells, self.cmap.requirement))
        return bool(draft.requirement) and not SENTENCE_END.search(tidy(draft.requirement)) and not (
            req and heading_level(req)[0] is not None
        )

    @staticmethod
    def _get(cells: list[str], i: int | None) -> str:
        return cells[i] if i is not None and i < len(cells) else ""

    def fits(self, cells: list[str]) -> bool:
        cmap = self.cmap
        get = lambda i: tidy(self._get(cells, i))  # noqa: E731
        for i in cmap.blank:
            if get(i) and get(i) not in ("—", "-", "/"):
                return False
        if len(cells) > cmap.width and any(tidy(c) for c in cells[cmap.width:]):
            return False
        for i, _, _ in cmap.units:
            # A unit cell holds names, however short ("办公室"): only a sentence or a deadline there
            # means the row moved.
            if get(i) and not looks_like_units(get(i)) and (looks_like_sentence(get(i)) or looks_like_deadline(get(i))):
                return False
        if cmap.deadline is not None and get(cmap.deadline) and looks_like_units(get(cmap.deadline)):
            return False
        if not get(cmap.requirement) and any(looks_like_sentence(get(i)) for i in cmap.sections):
            return False
        return True

    def start_task(self, number: int, cells: list[str]) -> None:
        cmap = self.cmap
        draft = Draft(no=number, section=[])
        if self.fits(cells):
            values = [(lvl, self._get(cells, i)) for lvl, i in enumerate(cmap.sections) if tidy(self._get(cells, i))]
            self.column_headings(values, len(cmap.sections))
            draft.requirement = self._get(cells, cmap.requirement)
            for i, _, _ in cmap.units:
                draft.units[i] = self._get(cells, i)
            draft.deadline = self._get(cells, cmap.deadline)
            draft.note = self._get(cells, cmap.note)
        else:
            self.place_by_content(draft, cells)
        draft.requirement = self.inline_heading(draft, draft.requirement)
        draft.section = self.current_section()
        self.drafts.append(draft)

    def place_by_content(self, draft: Draft, cells: list[str]) -> None:
        """The cells are not where the header says: place them by what they contain."""
        cmap = self.cmap
        items = [tidy(c) for i, c in enumerate(cells) if i != cmap.no and i not in cmap.other and tidy(c)]
        deadline = units = ""
        if items and looks_like_deadline(items[-1]):
            deadline = items.pop()
        if items and looks_like_units(items[-1]):
            units = items.pop()
        requirement = items.pop() if items else ""
        # Text before the requirement that reads as part of it (a sentence, or a cell cut after a comma)
        # is the requirement's first paragraph, not a heading.
        while items and (looks_like_sentence(items[-1]) or items[-1].endswith(("，", ",", "、", "；", ";"))):
            requirement = join_cut(items.pop(), requirement)
        headings = items
        width = len(cmap.sections)
        if len(headings) > width:
            self.depth = max(self.depth, len(headings))
            values = list(enumerate(headings))
            self.column_headings(values, len(headings))
        else:
            offset = width - len(headings)
            self.column_headings([(offset + k, h) for k, h in enumerate(headings)], width)
        draft.requirement = requirement
        draft.units[cmap.units[0][0] if cmap.units else -1] = units
        draft.deadline = deadline
        draft.warnings.append("本行各栏与表头没有对齐，已按内容归位，请核对")

    def inline_heading(self, draft: Draft, requirement: str) -> str:
        """"加强重要政策发布解读 围绕推动…": a section heading written at the start of the requirement."""
        m = INLINE_HEADING.match((requirement or "").strip())
        if not m or SENTENCE_END.search(m[1]) or "，" in m[1]:
            return requirement
        heading = heading_level(m[1])[1]
        self.set_section(self.depth, heading)
        draft.warnings.append(f"“{heading}”写在具体要求开头，已作为分类标题，请核对")
        return m[2]

    def continue_task(self, cells: list[str]) -> None:
        if not self.drafts:
            self.warnings.append(f"表格开头有不属于任何任务的文字：{' '.join(tidy(c) for c in cells if tidy(c))}")
            return
        draft, cmap = self.drafts[-1], self.cmap
        if not self.fits(cells):
            # A continuation whose cells moved: keep the text with the requirement and say so.
            extra = "".join(tidy(c) for i, c in enumerate(cells) if i != cmap.no and tidy(c))
            draft.requirement = join_cut(draft.requirement, extra)
            draft.warnings.append(f"跨页续行“{extra}”无法按栏归位，已并入具体要求，请核对")
            return
        for lvl, i in enumerate(cmap.sections):
            text = tidy(self._get(cells, i))
            if text and looks_like_sentence(text) and not tidy(self._get(cells, cmap.requirement)):
                draft.requirement = join_cut(draft.requirement, text)
            elif text:
                level = lvl + max(0, self.depth - max(len(cmap.sections), 1))
                index = len(self.outer_path) + level
                if index < len(draft.section):  # a heading cut at the page break
                    before = draft.section[index]
                    draft.section[index] = join_cut(before, text)
                    if level < len(self.path) and self.path[level] == before:
                        self.path[level] = draft.section[index]
        draft.requirement = join_cut(draft.requirement, tidy(self._get(cells, cmap.requirement)))
        for i, _, _ in cmap.units:
            text = tidy(self._get(cells, i))
            if text:
                key = i if i in draft.units else next(iter(draft.units), i)
                draft.units[key] = join_cut(tidy(draft.units.get(key, "")), text)
        draft.deadline = join_cut(tidy(draft.deadline), tidy(self._get(cells, cmap.deadline)))
        draft.note = join_cut(tidy(draft.note), tidy(self._get(cells, cmap.note)))

    # -- result ---------------------------------------------------------------
    def plan(self, source_format: str) -> Plan:
        if self.cmap is None and not self.prose:
            raise IngestError(
                "没有找到分工表：文件中应有一个表头包含“序号”“具体要求”“牵头（责任）单位”“完成时限”等栏目的表格。"
                "请确认上传的是分工方案原文。"
            )
        if not self.drafts:
            raise IngestError("找到了分工表的表头，但表中没有任何任务。文件可能不完整。")
        info = meta_mod.extract(self.before, self.after)
        plan = Plan(
            title=info.title, issuer=info.issuer, doc_number=info.doc_number, issued_on=info.issued_on,
            year=info.year, source_format=source_format, warnings=info.warnings + self.warnings,
        )
        if len(self.section_widths) > 1:
            plan.warnings.append(
                "表格各页的“工作任务”栏数不一致（"
                + "、".join(f"{w}栏" for w in sorted(self.section_widths))
                + "），任务所属分类的层级是按上下文推定的，请核对"
            )
        for d in self.drafts:
            plan.tasks.append(self.finish(d, plan.year))
        self.check_numbers(plan)
        return plan

    def finish(self, d: Draft, year: int | None) -> Task:
        task = Task(no=d.no, section=[s for s in d.section if s], requirement=flatten(tidy(d.requirement)),
                    warnings=list(d.warnings), score=d.score)
        role_of = {i: (role, from_col) for i, role, from_col in self.cmap.units} if self.cmap else {}
        texts = []
        for i, text in d.units.items():
            text = tidy(text)
            if not text:
                continue
            texts.append(text)
            role, from_col = role_of.get(i, (LEAD, False))
            clause = parse_units(text, role, from_col)
            task.units += [u for u in clause.units if u.name not in {x.name for x in task.units}]
            task.warnings += clause.warnings
            task.note = "；".join(n for n in [task.note, *clause.notes] if n)
        task.units_text = "；".join(re.sub(r"\n", "、", re.sub(r"([、，,；;：:])\s*\n", r"\1", t)) for t in texts)
        if not task.requirement:
            task.warnings.append("具体要求为空，请补充")
        if not task.units:
            task.warnings.append("没有写明牵头或负责落实单位，请补充")
        task.deadline_text = flatten(tidy(d.deadline))
        if self.cmap is not None and self.cmap.deadline is None and not task.deadline_text:
            # No 完成时限 column: many tables say the deadline in a 备注 cell or inside the requirement
            # ("…，10月底前完成。", "是否按月度公开…").
            note = flatten(tidy(d.note))
            if note and looks_like_deadline(note):
                task.deadline_text = note
                task.warnings.append(f"分工表没有“完成时限”栏，完成时限取自备注栏的“{note}”，请核对")
            elif found := [m[0] for m in DEADLINE_IN_TEXT.finditer(f"{task.requirement}。{note}")]:
                task.deadline_text = found[-1]
                task.warnings.append(f"分工表没有“完成时限”栏，完成时限取自具体要求中的“{found[-1]}”，请核对")
            else:
                task.warnings.append("分工表没有“完成时限”栏，具体要求中也没有写明时限，请补充")
                return task
        result = parse_deadline(task.deadline_text, year)
        task.deadline = result.deadline
        task.warnings += result.warnings
        return task

    def check_numbers(self, plan: Plan) -> None:
        """Flag gaps; make numbers unique, since a task is known by its number from here on.

        Numbers that repeat (most often each part numbered from 1 again) are replaced by the
        order in the whole document, each task saying what the original number was.
        """
        numbers = [t.no for t in plan.tasks]
        if len(set(numbers)) != len(numbers):
            plan.warnings.append("原文序号有重复（可能是各部分分别从1编号），已按全文顺序统一编号，请核对")
            for i, t in enumerate(plan.tasks, 1):
                if t.no != i:
                    t.warnings.append(f"原文序号为{t.no}，已按全文顺序编为第{i}项")
                t.no = i
            return
        if not self.numbered:
            return
        previous = 0
        for t in plan.tasks:
            if t.no != previous + 1:
                t.warnings.append(f"序号不连续：第{previous}项之后是第{t.no}项，请核对是否漏项")
            previous = t.no


def build_plan(doc: RawDocument) -> Plan:
    builder = Builder(whole_rows=doc.whole_rows)
    for row in doc.rows:
        if row.table is None:
            builder.feed_paragraph(row.cells[0] if row.cells else "")
        else:
            builder.feed_row(row.cells)
    if builder.cmap is None:
        from duban.ingest.prose import parse_prose

        texts = [" ".join(c for c in row.cells if c) for row in doc.rows]
        parse_prose(texts, builder)
    return builder.plan(doc.format)
