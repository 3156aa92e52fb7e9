"""The five documents as .docx (GB/T 9704-2012 layout via :mod:`.gongwen`). Each returns bytes."""
from __future__ import annotations

from typing import Sequence

from .common import (
    annual_section_title,
    bulletin_masthead,
    cn_number,
    figures_sentence,
    number,
    percent,
    section_merges,
    section_text,
    text_width_chars,
    unit_task_list_title,
)
from .gongwen import SIZE, GongwenDocument, Hyperlink, cn_date
from .model import (
    LEAD,
    RESPONSIBLE,
    AnnualSection,
    AssessmentTable,
    BulletinData,
    DivisionRow,
    PlanMeta,
    UnitTaskList,
    division_units_text,
)

class _Headings:
    """Numbers first-level headings 一、二、… as they are written."""

    def __init__(self, doc: GongwenDocument) -> None:
        self.doc, self.n = doc, 0

    def __call__(self, text: str) -> None:
        self.n += 1
        self.doc.heading1(f"{cn_number(self.n)}、{text}")


# --- 分工方案 ---------------------------------------------------------------------


def division_table_docx(plan_meta: PlanMeta, rows: Sequence[DivisionRow], *, landscape: bool = False) -> bytes:
    """The 分工方案 as the plan prints it: title and the 序号/工作任务/具体要求/牵头落实单位/完成时限 table.

    The 工作任务 column has one sub-column per heading level (one for a flat plan);
    each heading is printed once per run of rows, in a merged cell. Portrait by
    default, like the plan; ``landscape=True`` gives the wide 具体要求 column more room.
    """
    doc = GongwenDocument(title=plan_meta.title, author=plan_meta.issuer, landscape=landscape)
    doc.title(plan_meta.title, lines_before=0)
    depth = max([len(r.section) for r in rows] + [1])
    if landscape:
        section_w = 36.0 if depth == 1 else max(18.0, 56.0 / depth)
        fixed = {"no": 12.0, "units": 56.0, "deadline": 28.0}
    else:
        section_w = 26.0 if depth == 1 else max(14.0, 36.0 / depth)
        fixed = {"no": 12.0, "units": 36.0, "deadline": 20.0}
    requirement_w = doc.text_width_mm - sum(fixed.values()) - section_w * depth
    widths = [fixed["no"], *[section_w] * depth, requirement_w, fixed["units"], fixed["deadline"]]
    headers = ["序号", "工作任务"] + [None] * (depth - 1) + ["具体要求", "牵头落实单位", "完成时限"]
    texts, sec_merges = section_merges([r.section for r in rows], depth)
    data = [[r.no, *texts[i], r.requirement, division_units_text(r), r.deadline_text]
            for i, r in enumerate(rows)]
    merges = [(r0, 1 + k0, r1, 1 + k1) for r0, k0, r1, k1 in sec_merges]
    doc.table(headers, data, widths, align=["center"] + ["center"] * depth + ["left", "left", "center"],
              merges=merges)
    return doc.to_bytes()


# --- 单位任务清单 -------------------------------------------------------------------


def unit_task_list_docx(data: UnitTaskList) -> bytes:
    title = unit_task_list_title(data)
    doc = GongwenDocument(title=title, author=data.unit_name)
    doc.title(title, lines_before=0, lines_after=0.5, words=[data.unit_name])
    if data.plan_title:
        doc.subtitle(f"（依据《{data.plan_title}》）")
    if data.date:
        doc.paragraph(f"制表日期：{cn_date(data.date)}", indent=False, align="right")
    lead = sum(1 for r in data.rows if r.role == LEAD)
    responsible = sum(1 for r in data.rows if r.role == RESPONSIBLE)
    doc.paragraph(f"{data.unit_name}共承担任务{len(data.rows)}项，其中牵头{lead}项、负责落实{responsible}项。"
                  + data.summary)
    if data.as_of:
        doc.paragraph(f"（进展情况截至{cn_date(data.as_of)}）", indent=False, align="right")
    rows = [[r.no, section_text(r.section), r.requirement, r.role, r.due_text, r.status] for r in data.rows]
    doc.table(["序号", "工作任务", "具体要求", "责任类型", "完成时限", "进展情况"], rows,
              [12, 26, 50, 22, 24, 22], align=["center", "center", "left", "center", "center", "center"])
    return doc.to_bytes()


# --- 督办通报 -----------------------------------------------------------------------


def _unit_table(doc: GongwenDocument, data: BulletinData) -> None:
    with_score = any(u.score is not None for u in data.per_unit)
    detailed = any(u.due is not None for u in data.per_unit)
    if detailed:
        headers = ["序号", "责任单位", "承担任务", "已到期", "其中已完成", "其中按时完成", "已报送待审核", "逾期未完成",
                   "完成率", "按时完成率"]
        widths = [10, 42, 13, 13, 13, 13, 13, 13, 19, 19]
    else:
        headers = ["序号", "责任单位", "承担任务", "已完成", "逾期未完成", "按时完成率"]
        widths = [12, 50, 22, 20, 26, 26]
    if with_score:
        headers.append("得分")
        widths = [w * 0.92 for w in widths] + [14 if detailed else 16]
    scale = doc.text_width_mm / sum(widths)
    widths = [w * scale for w in widths]
    rows = []
    for i, u in enumerate(data.per_unit, 1):
        if detailed:
            row = [i, u.unit, u.assigned, u.due, u.done, u.on_time, u.awaiting, u.overdue, percent(u.done_rate),
                   percent(u.on_time_rate)]
        else:
            row = [i, u.unit, u.assigned, u.done, u.overdue, percent(u.on_time_rate)]
        if with_score:
            row.append(number(u.score))
        rows.append(row)
    doc.table(headers, rows, widths, align=["center", "left"] + ["center"] * (len(headers) - 2),
              size=SIZE["五号"] if detailed else SIZE["小四"])


def _overdue_table(doc: GongwenDocument, data: BulletinData) -> None:
    with_calendar = any(o.calendar_days is not None for o in data.overdue)
    headers = ["序号", "任务编号", "责任单位", "具体要求", "完成时限"]
    widths = [12, 16, 34, 52, 26]
    if with_calendar:
        headers += ["逾期天数（日历天）", "逾期工作日"]
        widths = [10, 12, 40, 48, 24, 16, 14]
    else:
        headers.append("逾期天数")
        widths.append(16)
    scale = doc.text_width_mm / sum(widths)
    rows = []
    for i, o in enumerate(data.overdue, 1):
        row = [i, o.no, o.unit, o.requirement, cn_date(o.due_date)]
        row += [o.calendar_days, "—" if o.days_overdue is None else o.days_overdue] if with_calendar else [o.days_overdue]
        rows.append(row)
    doc.table(headers, rows, [w * scale for w in widths], align=["center", "center", "left", "left"] + ["center"] * (len(headers) - 4),
              size=SIZE["五号"] if with_calendar else SIZE["小四"])


def _named_kinds(data: BulletinData) -> list[str]:
    """The kinds of units named, praise first."""
    kinds: list[str] = []
    for u in data.units_named:
        if u.kind not in kinds:
            kinds.append(u.kind)
    return sorted(kinds, key=lambda k: 0 if "表扬" in k else 1)


def bulletin_docx(data: BulletinData) -> bytes:
    """督办通报: red 版头, 期号/文号 over the red rule, title, 主送, figures in words, units named
    (praise first), next steps, 署名 and 成文日期, 附注, 版记. With ``annexes`` the per-unit table and
    the overdue list follow as 附件1 and 附件2 (each on a new page, before the 版记), announced by an
    附件说明 after the text; otherwise they are in the body."""
    doc = GongwenDocument(title=data.title, author=data.issuer)
    doc.masthead(bulletin_masthead(data))
    doc.doc_number_line(data.doc_number)
    doc.title(data.title)
    if data.addressee:
        doc.addressee(data.addressee)
    as_of = data.as_of or data.date
    plan = f"《{data.plan_title}》" if data.plan_title else "政务公开工作要点"
    doc.paragraph(f"为推动{plan}各项任务按期落实，现将截至{cn_date(as_of)}的落实情况通报如下。")
    heading = _Headings(doc)

    heading("总体情况")
    for text in data.summary or [figures_sentence(data.figures, f"截至{cn_date(as_of)}", plan if data.plan_title else "工作要点")]:
        doc.paragraph(text)

    annex_titles = []
    if data.annexes:
        if data.per_unit:
            annex_titles.append(("各单位落实情况统计表", "unit"))
        annex_titles.append(("逾期未完成事项清单", "overdue"))
    else:
        if data.per_unit:
            heading("各单位落实情况")
            doc.paragraph(f"各责任单位任务落实情况见下表（共{len(data.per_unit)}个单位）。")
            _unit_table(doc, data)
        heading("逾期未完成事项")
        if data.overdue:
            doc.paragraph(f"截至{cn_date(as_of)}，共有{len(data.overdue)}项任务逾期未完成，具体如下。")
            _overdue_table(doc, data)
        else:
            doc.paragraph("无逾期未完成事项。")

    if data.units_named:
        kinds = _named_kinds(data)
        if len(kinds) == 1:  # only praise, or only criticism: no sub-headings
            heading(kinds[0] if kinds[0].startswith("通报") else "通报" + kinds[0])
        else:
            heading("通报表扬和批评")
        for i, kind in enumerate(kinds, 1):
            if len(kinds) > 1:
                doc.heading2(f"（{cn_number(i)}）{kind}")
            named = [u for u in data.units_named if u.kind == kind]
            if len(named) > 6:  # many units: one paragraph, so the body stays short
                doc.paragraph("；".join(f"{u.unit}（{u.reason.rstrip('。')}）" if u.reason else u.unit for u in named)
                              + f"。（共{len(named)}个单位）")
                continue
            for u in named:
                doc.paragraph(f"{u.unit}：{u.reason}" if u.reason else u.unit)

    if data.requirements:
        heading("下一步工作要求")
        for text in data.requirements:
            doc.paragraph(text)

    if annex_titles:  # 附件说明: 正文下空一行，左空二字
        doc.blank()
        for i, (title, _) in enumerate(annex_titles, 1):
            prefix = "附件：" if i == 1 else "　　　"
            doc.paragraph(f"{prefix}{i}．{title}" if len(annex_titles) > 1 else f"附件：{title}")
    doc.signature(data.issuer, data.date)
    if data.publicity:
        doc.paragraph(f"（{data.publicity}）")
    for i, (title, what) in enumerate(annex_titles, 1):
        doc.page_break()
        doc.label(f"附件{i}" if len(annex_titles) > 1 else "附件")
        doc.title(title, lines_before=0.5, lines_after=0.5)
        doc.paragraph(f"（截至{cn_date(as_of)}）", indent=False, align="center")
        if what == "unit":
            _unit_table(doc, data)
        elif data.overdue:
            _overdue_table(doc, data)
        else:
            doc.paragraph("无逾期未完成事项。")
    if data.cc:
        doc.banji(data.cc, data.printed_by or data.issuer, data.date, new_page=data.banji_new_page)
    return doc.to_bytes()


# --- 年度报告（工作要点落实情况） -----------------------------------------------------


def annual_report_section_docx(data: AnnualSection) -> bytes:
    """The plan-implementation part of the 政府信息公开工作年度报告, as a standalone document.

    With ``summary``: the cut-off date, a prose account, per-task completion, a small table of key
    figures, 署名/日期 as given; the per-task evidence table only as an appendix (``appendix``).
    Without it (older callers): figures in words and the per-task table."""
    title = annual_section_title(data)
    doc = GongwenDocument(title=title, author=data.issuer)
    doc.title(title, lines_before=0)
    if data.as_of:
        doc.subtitle(f"（统计截止{cn_date(data.as_of)}）")
    for text in data.intro:
        doc.paragraph(text)
    heading = _Headings(doc)
    if data.summary:
        heading("总体情况")
        for text in data.summary:
            doc.paragraph(text)
        heading("各项任务完成情况")
        for i, (sub, paragraphs) in enumerate(data.progress, 1):
            doc.heading2(f"（{cn_number(i)}）{sub}")
            for text in paragraphs:
                doc.paragraph(text)
        if data.key_figures:
            heading("主要数据")
            doc.table(["指标", "按任务", "按责任单位分工"], [list(r) for r in data.key_figures], [70, 43, 43],
                      align=["left", "center", "center"], size=SIZE["小四"])
    else:
        heading("总体情况")
        doc.paragraph(figures_sentence(data.figures, f"{data.year}年", f"{data.area}政务公开工作要点"))
        heading("具体落实情况")
        _evidence_table(doc, data)
    if data.issuer and data.date:
        doc.signature(data.issuer, data.date)
    elif data.date:
        doc.date_line(data.date)
    if data.summary and data.appendix:
        doc.page_break()
        doc.label("附件")
        doc.title("各项任务落实情况（各单位报送）", lines_before=0.5, lines_after=0.5)
        _evidence_table(doc, data)
    return doc.to_bytes()


def _evidence_table(doc: GongwenDocument, data: AnnualSection) -> None:
    rows = []
    for r in data.rows:
        links = [Hyperlink(u, u) for u in r.urls]
        rows.append([r.no, r.requirement, r.done_text, links or "—"])
    doc.table(["序号", "工作要点", "落实情况", "公开地址"], rows, [12, 46, 58, 40],
              align=["center", "left", "left", "left"], size=SIZE["五号"])


# --- 考评结果 -----------------------------------------------------------------------


def balanced_widths(headers: Sequence[str], rows: Sequence[Sequence[str]], total_mm: float, size_pt: float, *,
                    wrap: Sequence[int] = (), min_mm: float = 14.0, most: dict[int, float] | None = None) -> list[float]:
    """Column widths (mm) that follow the content: each column as wide as its longest cell on one line
    (its header may take two lines), plus padding; the columns in ``wrap`` (long text) share what is
    left over, or give way when the rest does not fit, never below ``min_mm``; ``most`` caps a column
    (its text then wraps)."""
    char_mm = size_pt * 0.3528 * 1.2  # a full-width character of size_pt points, spaced out by the character grid
    pad = 4.0  # the cell margins
    natural = []
    for c, head in enumerate(headers):
        cells = [text_width_chars(str(r[c])) for r in rows if r[c] not in (None, "")]
        chars = max([text_width_chars(head or "") / 2, *cells, 1.0])
        natural.append(min((most or {}).get(c, total_mm), max(min_mm, chars * char_mm + pad)))
    wrap = [c for c in wrap if c < len(headers)] or [len(headers) - 1]
    fixed = sum(w for c, w in enumerate(natural) if c not in wrap)
    room = total_mm - fixed
    want = sum(natural[c] for c in wrap)
    if room >= want:  # everything fits on one line: the text columns take the spare room
        spare = room - want
        return [w + (spare * w / want if c in wrap else 0) for c, w in enumerate(natural)]
    # the text columns wrap: each gets a share of the room in proportion to its text, at least min_mm
    shares = [max(min_mm * 2, room * natural[c] / want) for c in wrap]
    scale = min(1.0, total_mm / (fixed + sum(shares)))
    out = [w * scale for w in natural]
    for c, w in zip(wrap, shares):
        out[c] = w * scale
    return out


def assessment_docx(data: AssessmentTable) -> bytes:
    """考评结果表: one table per group of units (区直部门, 街道, …) ranked within it, units listed apart
    at the foot of their group; rank, unit, one column per breakdown item, total, remark (landscape when wide)."""
    landscape = len(data.items) > 3
    # 横排表格的页码位置与公文其他页码保持一致 (7.5): odd pages on the right, even on the left
    doc = GongwenDocument(title=data.title, author=data.issuer, landscape=landscape)
    doc.title(data.title.replace("（截至", "\n（截至"), lines_before=0)
    headers = ["排名", "单位", *data.items, "总分", "备注"]
    size = SIZE["五号"]
    groups: list[tuple[str, list]] = []
    for r in data.rows:
        if len(r.breakdown) != len(data.items):
            raise ValueError(f"{r.unit}: {len(r.breakdown)} scores for {len(data.items)} items")
        cells = ["不排名" if r.rank is None else r.rank, r.unit, *[number(x) for x in r.breakdown], number(r.score), r.remark]
        if not groups or groups[-1][0] != r.group:
            groups.append((r.group, []))
        groups[-1][1].append(cells)
    all_rows = [row for _, rows in groups for row in rows] or [[""] * len(headers)]
    widths = balanced_widths(headers, [[str(c) for c in row] for row in all_rows], doc.text_width_mm, size,
                             wrap=[len(headers) - 1], most={1: 50.0})  # unit names on one line up to 50 mm
    align = ["center", "left"] + ["center"] * (len(data.items) + 1) + ["left"]
    for i, (group, rows) in enumerate(groups):
        if group:
            doc.heading1(f"{cn_number(i + 1)}、{group}")
        doc.table(headers, rows, widths, align=align, size=size)
    if not groups:
        doc.table(headers, [], widths, align=align, size=size)
    for i, text in enumerate(data.notes):  # under the tables, so that the first table starts on page 1
        doc.paragraph(("说明：" if i == 0 else "") + text)
    if data.issuer and data.date:
        doc.signature(data.issuer, data.date)
    elif data.date:
        doc.date_line(data.date)
    return doc.to_bytes()
