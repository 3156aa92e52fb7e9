"""From the stored data to the inputs of duban.documents, and on to file bytes.

Each builder takes the plan and the job's params and returns (file name, bytes). ``step(percent,
message)`` reports progress. The wording the documents use is decided here; the layout is
duban.documents' business.
"""
from __future__ import annotations

import datetime as dt
import io
from collections import OrderedDict, defaultdict
from typing import Callable

from django.utils import timezone

from duban import documents as docs
from duban.assessment import dashboard as dash
from duban.assessment import facts as facts_mod
from duban.assessment.facts import Fact
from duban.assessment.scoring import STATE_LABELS, assess
from duban.directory.models import Unit
from duban.plans.models import LEAD, RESPONSIBLE, Assignment, Plan, Section, Task
from duban.progress.models import ACCEPTED as REPORT_ACCEPTED
from duban.progress.models import EvidenceLink, Report
from duban.workcal.services import get_calendar

Step = Callable[[int, str], None]
ROLE_LABELS = {LEAD: docs.model.LEAD, RESPONSIBLE: docs.model.RESPONSIBLE}
EXT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}


def _noop(percent: int, message: str) -> None:
    pass


def parse_date(value, default: dt.date | None = None) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if value:
        return dt.date.fromisoformat(str(value))
    return default


def plan_meta(plan: Plan) -> docs.PlanMeta:
    return docs.PlanMeta(title=plan.title, issuer=plan.issuer, doc_number=plan.doc_number, date=plan.issued_on, year=plan.year)


def section_paths(plan: Plan) -> dict[int, list[str]]:
    sections = {s.pk: s for s in Section.objects.filter(plan=plan)}
    paths = {}
    for pk, s in sections.items():
        path, t = [], s
        while t is not None:
            path.insert(0, t.title)
            t = sections.get(t.parent_id) if t.parent_id else None
        paths[pk] = path
    return paths


def issuer_of(plan: Plan) -> str:
    return plan.issuer or f"{plan.org.name}人民政府办公室"


def area_of(plan: Plan) -> str:
    return plan.org.short_name


# --- (1) the division table -------------------------------------------------------------------


def division_rows(plan: Plan) -> list[docs.DivisionRow]:
    paths = section_paths(plan)
    by_task: dict[int, dict[str, list[str]]] = defaultdict(lambda: {LEAD: [], RESPONSIBLE: []})
    for task_id, role, name in Assignment.objects.filter(task__plan=plan).order_by("unit__sort_order", "unit_id").values_list(
            "task", "role", "unit__name"):
        by_task[task_id][role].append(name)
    rows = []
    for t in Task.objects.filter(plan=plan).order_by("no"):
        units = by_task[t.pk]
        rows.append(docs.DivisionRow(no=t.no, section=paths.get(t.section_id, []), requirement=t.requirement,
                                     lead_units=units[LEAD], responsible_units=units[RESPONSIBLE],
                                     deadline_text=t.deadline_text or t.deadline_display(), units_text=t.units_text))
    return rows


def build_division(plan: Plan, params: dict, step: Step = _noop) -> tuple[str, bytes]:
    step(20, "读取分工方案")
    rows = division_rows(plan)
    step(60, f"排版 {len(rows)} 项任务")
    fmt = params.get("fmt", "docx")
    blob = (docs.division_table_docx if fmt == "docx" else docs.division_table_xlsx)(plan_meta(plan), rows)
    return f"{plan.title}.{fmt}", blob


# --- (2) unit task lists ------------------------------------------------------------------------


def unit_task_list(plan: Plan, unit: Unit, facts: list[Fact], as_of: dt.date, paths: dict[int, list[str]],
                   tasks: dict[int, Task]) -> docs.UnitTaskList:
    rows = []
    for f in facts:
        if f.unit_id != unit.pk:
            continue
        t = tasks[f.task_id]
        status = f.status_display
        if dash.is_overdue(f, as_of):
            status = "已逾期"
        rows.append(docs.UnitTaskRow(no=f.task_no, section=paths.get(t.section_id, []), requirement=f.requirement,
                                     role=ROLE_LABELS[f.role], due_text=t.deadline_text or t.deadline_display(),
                                     status=status, due_date=f.due_date))
    return docs.UnitTaskList(unit_name=unit.name, rows=rows, plan_title=plan.title, date=as_of)


def build_unit_lists(plan: Plan, params: dict, step: Step = _noop) -> tuple[str, bytes]:
    fmt = params.get("fmt", "docx")
    as_of = timezone.localdate()
    facts = facts_mod.load(plan)
    paths = section_paths(plan)
    tasks = {t.pk: t for t in Task.objects.filter(plan=plan)}
    unit_ids = {f.unit_id for f in facts}
    if params.get("unit"):
        units = [Unit.objects.get(pk=params["unit"], pk__in=unit_ids)]
    else:
        units = list(Unit.objects.filter(pk__in=unit_ids).order_by("sort_order", "name"))
    lists = []
    for i, unit in enumerate(units):
        step(5 + 60 * i // max(len(units), 1), f"整理{unit.name}的任务（{i + 1}/{len(units)}）")
        lists.append(unit_task_list(plan, unit, facts, as_of, paths, tasks))
    if len(lists) == 1 and params.get("unit"):
        step(80, f"排版{lists[0].unit_name}的任务清单")
        build = docs.unit_task_list_docx if fmt == "docx" else docs.unit_task_list_xlsx
        return docs.unit_file_name(lists[0].unit_name, fmt), build(lists[0])
    step(70, f"排版 {len(lists)} 个单位的任务清单并打包")
    return f"{plan.title}-各单位任务清单（{fmt}）.zip", docs.unit_task_lists_zip(lists, fmt)


# --- figures --------------------------------------------------------------------------------------


def task_figures(facts: list[Fact], as_of: dt.date) -> docs.Figures:
    """Counts of tasks: a task is done when every unit on it is done (on time when all were on time);
    an unfinished task is overdue when any of its units is overdue; else in progress when any unit has
    started, else not started."""
    by_task: OrderedDict[int, list[Fact]] = OrderedDict()
    for f in facts:
        by_task.setdefault(f.task_id, []).append(f)
    fig = docs.Figures(total=len(by_task))
    for fs in by_task.values():
        if all(dash.is_done(f, as_of) for f in fs):
            fig.done += 1
            fig.on_time += all(dash.is_on_time(f, as_of) for f in fs)
        elif any(dash.is_overdue(f, as_of) for f in fs):
            fig.overdue += 1
        elif any(f.started_at is not None and facts_mod.localdate(f.started_at) <= as_of for f in fs):
            fig.in_progress += 1
        else:
            fig.not_started += 1
    return fig


# --- (3) the 督办通报 -------------------------------------------------------------------------------


def bulletin_suggestions(plan: Plan, as_of: dt.date, cal=None) -> dict:
    """What the bulletin form starts with: title, 期号, units to be named with reasons, next steps."""
    cal = cal or get_calendar()
    facts = facts_mod.load(plan)
    overdue = dash.overdue_list(facts, as_of, cal)
    late_units: OrderedDict[str, list] = OrderedDict()
    for o in sorted(overdue, key=lambda o: (o.fact.unit_sort, o.fact.unit_name, o.fact.task_no)):
        late_units.setdefault(o.fact.unit_name, []).append(o)
    named = []
    for unit, items in late_units.items():
        nos = "、".join(f"第{o.fact.task_no}项" for o in items)
        named.append(("通报批评", unit, f"有{len(items)}项任务逾期未完成（{nos}），最长逾期{max(o.days for o in items)}个工作日。"))
    for row in dash.per_unit(facts, as_of):
        mine = [f for f in facts if f.unit_id == row.key]
        due = [f for f in mine if dash.is_done(f, as_of) or (f.due_date and f.due_date <= as_of)]
        if due and row.done and all(dash.is_on_time(f, as_of) for f in due):
            named.append(("通报表扬", row.label, f"承担的{len(due)}项到期任务均按时完成。"))
    previous = plan.export_jobs.filter(kind="bulletin", status="done").count()
    year = plan.year or as_of.year
    return {
        "as_of": as_of,
        "title": f"关于{year}年政务公开工作要点落实情况的督办通报",
        "doc_number": f"第{previous + 1}期",
        "issuer": issuer_of(plan),
        "date": timezone.localdate(),
        "addressee": "各街道办事处，区政府各办、局：",
        "named": "\n".join(f"{unit}｜{kind}｜{reason}" for kind, unit, reason in named),
        "requirements": "\n".join([
            "各责任单位要对照分工方案逐项梳理，逾期未完成的任务要明确完成时限，尽快落实并及时报送进展情况和佐证材料。",
            "各单位主要负责同志要加强对政务公开工作的领导，联络员要及时报送落实情况，确保各项任务按期完成。",
        ]),
        "cc": "区委办公室，区人大常委会办公室，区政协办公室。",
    }


def parse_named(text: str) -> list[docs.NamedUnit]:
    """One unit a line: "单位｜类别｜事由" (full-width or ASCII bars)."""
    out = []
    for line in (text or "").splitlines():
        parts = [p.strip() for p in line.replace("|", "｜").split("｜", 2)]
        if len(parts) == 3 and all(parts):
            out.append(docs.NamedUnit(unit=parts[0], kind=parts[1], reason=parts[2]))
    return out


def bulletin_data(plan: Plan, params: dict, cal=None, step: Step = _noop) -> docs.BulletinData:
    cal = cal or get_calendar()
    as_of = parse_date(params.get("as_of"), timezone.localdate())
    facts = facts_mod.load(plan)
    step(30, "统计各单位落实情况")
    scores = assess(plan, as_of, cal=cal, facts=facts) if params.get("with_score") else None
    per_unit = []
    for row in dash.per_unit(facts, as_of):
        s = scores.unit(row.key) if scores else None
        per_unit.append(docs.UnitStat(unit=row.label, assigned=row.assigned, done=row.done, overdue=row.overdue,
                                      on_time_rate=row.on_time_rate,
                                      score=float(s.score) if s is not None and s.score is not None else None))
    step(50, "整理逾期事项")
    # One line per overdue task, its late units together: the list stays readable when a task is on every unit.
    overdue = [docs.OverdueItem(no=o.task_no, unit="、".join(o.units), requirement=o.requirement,
                                due_date=o.due_date, days_overdue=o.days)
               for o in dash.overdue_by_task(dash.overdue_list(facts, as_of, cal))]
    return docs.BulletinData(
        title=params.get("title") or f"关于{plan.year}年政务公开工作要点落实情况的督办通报",
        doc_number=params.get("doc_number", ""),
        issuer=params.get("issuer") or issuer_of(plan),
        date=parse_date(params.get("date"), timezone.localdate()),
        as_of=as_of,
        figures=task_figures(facts, as_of),
        plan_title=plan.title,
        addressee=params.get("addressee", ""),
        per_unit=per_unit,
        overdue=overdue,
        units_named=parse_named(params.get("named", "")),
        requirements=[p.strip() for p in params.get("requirements", "").splitlines() if p.strip()],
        cc=[c.strip() for c in params.get("cc", "").replace("，", "\n").replace("。", "").splitlines() if c.strip()],
    )


def build_bulletin(plan: Plan, params: dict, step: Step = _noop) -> tuple[str, bytes]:
    fmt = params.get("fmt", "docx")
    data = bulletin_data(plan, params, step=step)
    step(80, "排版督办通报")
    blob = (docs.bulletin_docx if fmt == "docx" else docs.bulletin_xlsx)(data)
    number = f"（{data.doc_number}）" if data.doc_number else ""
    return f"督办通报{number}-{data.as_of:%Y%m%d}.{fmt}", blob


# --- (4) the annual report section ------------------------------------------------------------------


def annual_data(plan: Plan, params: dict, step: Step = _noop) -> docs.AnnualSection:
    year = plan.year or timezone.localdate().year
    as_of = parse_date(params.get("as_of"), min(dt.date(year, 12, 31), timezone.localdate()))
    facts = facts_mod.load(plan)
    step(30, "收集已通过的报送和公开地址")
    reports = (Report.objects.filter(assignment__task__plan=plan, assignment__archived_at__isnull=True, outcome=REPORT_ACCEPTED)
               .select_related("assignment__unit", "assignment__task").order_by("assignment__task__no", "assignment__unit__sort_order", "submitted_at"))
    texts: dict[int, list[str]] = defaultdict(list)
    urls: dict[int, list[str]] = defaultdict(list)
    report_ids = []
    for r in reports:
        accepted_at = r.reviewed_at or r.assignment.accepted_at
        if accepted_at is None or facts_mod.localdate(accepted_at) > as_of:
            continue
        report_ids.append(r.pk)
        text = " ".join(r.text.split())
        if r.published_on:
            text += f"（{r.published_on.year}年{r.published_on.month}月{r.published_on.day}日公开）"
        texts[r.assignment.task_id].append(f"{r.assignment.unit.name}：{text}")
    for report_id, task_id, url in EvidenceLink.objects.filter(report__in=report_ids).order_by("report__assignment__task__no", "id").values_list(
            "report", "report__assignment__task", "url"):
        if url not in urls[task_id]:
            urls[task_id].append(url)
    rows = []
    for t in Task.objects.filter(plan=plan).order_by("no"):
        done = "\n".join(texts[t.pk]) if texts[t.pk] else "尚未办结。"
        rows.append(docs.AnnualTaskRow(no=t.no, requirement=t.requirement, done_text=done, urls=urls[t.pk]))
    step(60, "统计完成情况")
    fig = task_figures(facts, as_of)
    intro = [f"根据《{plan.title}》（{plan.doc_number}），现将{year}年政务公开工作要点落实情况报告如下。"] if plan.doc_number else []
    return docs.AnnualSection(year=year, figures=fig, rows=rows, area=area_of(plan), intro=intro,
                              issuer=params.get("issuer") or issuer_of(plan), date=parse_date(params.get("date")))


def build_annual(plan: Plan, params: dict, step: Step = _noop) -> tuple[str, bytes]:
    fmt = params.get("fmt", "docx")
    data = annual_data(plan, params, step)
    step(80, "排版")
    blob = (docs.annual_report_section_docx if fmt == "docx" else docs.annual_report_section_xlsx)(data)
    return f"{data.year}年政务公开工作要点落实情况.{fmt}", blob


# --- (5) the assessment table ------------------------------------------------------------------------

ASSESSMENT_ITEMS = ["应得分", "实得分", "完成得分", "退回扣分", "其他扣分"]


def assessment_notes(scheme) -> list[str]:
    n = lambda x: docs.common.number(float(x))  # noqa: E731
    return [
        f"每项任务分工牵头计{n(scheme.lead_points)}分、负责落实计{n(scheme.responsible_points)}分；按时完成系数为100%，"
        f"逾期完成每晚一个工作日扣减{n(scheme.late_penalty)}个百分点（最低{n(scheme.late_floor)}%），未完成为0；"
        f"审核评价优、良、中、差分别乘以{n(scheme.grade_excellent)}%、{n(scheme.grade_good)}%、{n(scheme.grade_fair)}%、{n(scheme.grade_poor)}%。",
        f"完成得分＝实得分÷应得分×100；总分＝完成得分－退回次数×{n(scheme.return_deduction)}－其他扣分，得分相同的名次并列。",
    ]


def assessment_table(plan: Plan, params: dict, step: Step = _noop):
    as_of = parse_date(params.get("as_of"), timezone.localdate())
    step(20, "计算各单位得分")
    result = assess(plan, as_of)
    rows = []
    for u in result.ranked:
        remark = f"按时{u.on_time}项，逾期完成{u.late}项，未完成{u.missing}项"
        if u.return_count:
            remark += f"，退回{u.return_count}次"
        rows.append(docs.AssessmentRow(rank=u.rank, unit=u.unit_name, score=float(u.score), remark=remark,
                                       breakdown=[float(u.possible), float(round(u.earned, 2)), float(u.base),
                                                  float(u.return_deduction), float(u.manual_deduction)]))
    year = plan.year or as_of.year
    table = docs.AssessmentTable(title=f"{year}年度政务公开工作考评结果", items=ASSESSMENT_ITEMS, rows=rows,
                                 notes=[f"统计截止{docs.common.cn_date(as_of)}。"] + assessment_notes(result.scheme),
                                 issuer=issuer_of(plan), date=parse_date(params.get("date"), timezone.localdate()))
    return table, result


DETAIL_HEADERS = ["单位", "序号", "职责", "分值", "应完成日期", "状态", "完成日期", "逾期工作日", "完成系数", "评价", "退回次数", "得分"]


def add_breakdown_sheet(xlsx: bytes, result) -> bytes:
    """The assessment workbook with a second sheet: every assignment that made each score."""
    from openpyxl import load_workbook
    from openpyxl.styles import Font

    wb = load_workbook(io.BytesIO(xlsx))
    ws = wb.create_sheet("得分明细")
    ws.append(DETAIL_HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for u in result.units:
        for ln in u.lines:
            ws.append([u.unit_name, ln.fact.task_no, ln.fact.role_display, float(ln.points), ln.fact.due_date,
                       STATE_LABELS[ln.state], ln.done_on, ln.days_late, float(ln.completion) if ln.assessed else None,
                       ln.grade_label, ln.returns, float(ln.earned_display) if ln.assessed else None])
    for col, width in zip("ABCDEFGHIJKL", [26, 6, 10, 6, 12, 10, 12, 10, 10, 6, 8, 8]):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in (row[4], row[6]):
            cell.number_format = "yyyy-mm-dd"
        row[8].number_format = "0%"
        for cell in row:
            docs.keep_as_text(cell)  # a unit named "=…" stays text
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def build_assessment(plan: Plan, params: dict, step: Step = _noop) -> tuple[str, bytes]:
    fmt = params.get("fmt", "docx")
    table, result = assessment_table(plan, params, step)
    step(70, "排版考评结果")
    if fmt == "docx":
        blob = docs.assessment_docx(table)
    else:
        blob = add_breakdown_sheet(docs.assessment_xlsx(table), result)
    return f"{table.title}-{result.as_of:%Y%m%d}.{fmt}", blob


BUILDERS = {
    "division": build_division,
    "unit_list": build_unit_lists,
    "bulletin": build_bulletin,
    "annual": build_annual,
    "assessment": build_assessment,
}
