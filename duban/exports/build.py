"""From the stored data to the inputs of duban.documents, and on to file bytes.

Each builder takes the plan and the job's params and returns (file name, bytes). ``step(percent,
message)`` reports progress. The wording the documents use is decided here; the layout is
duban.documents' business.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections import defaultdict
from typing import Callable

from django.conf import settings

from duban import documents as docs
from duban.assessment import dashboard as dash
from duban.assessment import facts as facts_mod
from duban.assessment import figures
from duban.assessment.facts import Fact
from duban.assessment.scoring import FEW_LABEL, STATE_LABELS, assess
from duban.directory.models import Unit
from duban.directory.resolve import Directory
from duban.documents.render import banji_on_even_page
from duban.plans.models import LEAD, RESPONSIBLE, Plan, Section, Task
from duban.plans.unit_wording import compact_units
from duban.progress.models import ACCEPTED as REPORT_ACCEPTED
from duban.progress.models import EvidenceLink, Report
from duban.workcal.services import get_calendar
from duban.workcal import clock

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


def due_text(task: Task, due_dates: set) -> str:
    """The deadline as the plan words it, with the date it comes to when the words are not one
    ("文件成文后20个工作日内（2021年9月9日前）"): one date for all the task's units."""
    text = task.deadline_written()
    if task.deadline_kind == "date" or len(due_dates) != 1 or None in due_dates:
        return text
    return f"{text}（{docs.common.cn_date(next(iter(due_dates)))}前）"


def division_rows(plan: Plan) -> list[docs.DivisionRow]:
    """The rows of the 分工方案: the units in the plan's wording with the directory's names and groups
    counted (duban.plans.unit_wording), as the task's working assignments have them now."""
    paths = section_paths(plan)
    directory = Directory(plan.org)
    by_task: dict[int, dict[str, list]] = defaultdict(lambda: {LEAD: [], RESPONSIBLE: []})
    due: dict[int, set] = defaultdict(set)
    for a in figures.working_assignments(plan).select_related("unit").order_by("unit__sort_order", "unit_id"):
        by_task[a.task_id][a.role].append(a.unit)
        due[a.task_id].add(a.due_date)
    rows = []
    for t in Task.objects.filter(plan=plan).order_by("no"):
        units = compact_units(t.units_text, by_task[t.pk], directory)
        rows.append(docs.DivisionRow(no=t.no, section=paths.get(t.section_id, []), requirement=t.requirement,
                                     lead_units=units[LEAD], responsible_units=units[RESPONSIBLE],
                                     deadline_text=due_text(t, due[t.pk])))
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
        status = figures.status_text(f, as_of)  # 已报送待审核 is never shown as overdue
        rows.append(docs.UnitTaskRow(no=f.task_no, section=paths.get(t.section_id, []), requirement=f.requirement,
                                     role=ROLE_LABELS[f.role], due_text=due_text(t, {f.due_date}),
                                     status=status, due_date=f.due_date))
    mine = figures.Counts()
    for f in facts:
        if f.unit_id == unit.pk:
            mine.add(f, as_of)
    summary = (f"截至{docs.common.cn_date(as_of)}，已完成{mine.accepted}项，已报送待审核{mine.awaiting}项，"
               f"退回修改{mine.returned}项，推进中{mine.in_progress}项，未开始{mine.not_started}项；逾期未完成{mine.overdue}项。")
    return docs.UnitTaskList(unit_name=unit.name, rows=rows, plan_title=plan.title, date=as_of, as_of=as_of,
                             summary=summary)


def build_unit_lists(plan: Plan, params: dict, step: Step = _noop) -> tuple[str, bytes]:
    fmt = params.get("fmt", "docx")
    as_of = parse_date(params.get("as_of"), clock.today())
    facts = facts_mod.load(plan)
    paths = section_paths(plan)
    tasks = {t.pk: t for t in Task.objects.filter(plan=plan)}
    unit_ids = {f.unit_id for f in facts}
    if params.get("unit"):
        units = [Unit.objects.get(pk=params["unit"], pk__in=unit_ids)]
    else:
        units = list(Unit.objects.filter(pk__in=unit_ids).order_by("sort_order", "name"))
    by_unit: dict[int, list[Fact]] = defaultdict(list)  # not every fact again for each unit
    for f in facts:
        by_unit[f.unit_id].append(f)
    lists = []
    for i, unit in enumerate(units):
        step(5 + 60 * i // max(len(units), 1), f"整理{unit.name}的任务（{i + 1}/{len(units)}）")
        lists.append(unit_task_list(plan, unit, by_unit[unit.pk], as_of, paths, tasks))
    if len(lists) == 1 and params.get("unit"):
        step(80, f"排版{lists[0].unit_name}的任务清单")
        build = docs.unit_task_list_docx if fmt == "docx" else docs.unit_task_list_xlsx
        return docs.unit_file_name(lists[0].unit_name, fmt), build(lists[0])
    step(70, f"排版 {len(lists)} 个单位的任务清单并打包")
    return f"{plan.title}-各单位任务清单（{fmt}）.zip", docs.unit_task_lists_zip(lists, fmt)


# --- figures ----------------------------------------------------------------------------------------


def doc_figures(c: figures.Counts) -> docs.Figures:
    """duban.assessment.figures counts as the documents' Figures (rates divide by what was due)."""
    return docs.Figures(total=c.total, done=c.accepted, on_time=c.on_time, overdue=c.overdue,
                        in_progress=c.in_progress, not_started=c.not_started, due=c.due, done_due=c.accepted_due,
                        awaiting=c.awaiting, returned=c.returned)


def task_figures(facts: list[Fact], as_of: dt.date) -> docs.Figures:
    """Counts of tasks (duban.assessment.figures: a task is done when all its units are)."""
    return doc_figures(figures.task_counts(figures.per_task(facts, as_of)))


def pct(rate: float | None) -> str:
    return docs.common.percent(rate)


def days_text(o: figures.OverdueItem) -> str:
    if o.working_days is None:
        return f"逾期{o.calendar_days}天"
    return f"逾期{o.calendar_days}天（{o.working_days}个工作日）"


def figures_paragraphs(fig: figures.PlanFigures, subject: str) -> list[str]:
    """The overall figures in words, at both levels, with the as-of date and the review backlog."""
    a, t, b = fig.assignments, fig.tasks, fig.backlog
    when = figures.as_of_text(fig.as_of)
    first = (f"{when}，{subject}共{t.total}项任务，分解到{fig.unit_count}个责任单位，共{a.total}项任务分工"
             f"（一项任务的每个责任单位算一项）。其中已到完成时限的{a.due}项，已完成{a.accepted_due}项"
             f"（按时完成{a.on_time}项、逾期完成{a.late}项），完成率{pct(a.done_rate)}，按时完成率{pct(a.on_time_rate)}"
             f"（均以已到期的{a.due}项为分母）；逾期未完成{a.overdue}项。")
    second = (f"各单位已报送、待审核{a.awaiting}项"
              + (f"（其中{b.before_due}项在完成时限前报送，最久已等待{b.oldest_days}天），属审核环节积压，不计为单位逾期"
                 if b.count else "")
              + f"；退回修改{a.returned}项，正在推进{a.in_progress}项，尚未启动{a.not_started}项；"
              f"尚未到期或无固定完成日期的{a.not_due}项。")
    third = (f"按任务计，{t.total}项任务中已到期{t.due}项；所有责任单位均已完成的{t.accepted}项"
             f"（其中按时{t.on_time}项），全部报送待审核的{t.awaiting}项，有单位逾期未完成的{t.overdue}项。"
             "一项任务须所有责任单位均完成才计为完成，因此按任务计的完成数明显低于按分工计。")
    return [first, second, third]


# --- (3) the 督办通报 -------------------------------------------------------------------------------


DEFAULT_THRESHOLD = 60  # 按时完成率 (%) under which a unit with overdue work is named for criticism
PUBLICITY_CHOICES = [("此件公开发布", "公开发布"), ("此件依申请公开", "依申请公开"), ("此件不予公开", "不予公开")]
GROUP_WORDS = [  # 主送: the unit kinds of the directory as the groups a 公文 addresses
    (Unit.SUBDISTRICT, "各街道办事处"), ((Unit.OFFICE, Unit.BUREAU), "{p}政府各办、局"), (Unit.BRANCH, "{p}属各分局"),
    (Unit.PARTY, "{p}委各部门"), (Unit.COORDINATION, "{p}级各议事协调机构"), (Unit.VERTICAL, "各垂直管理单位"),
]


def _norm_office(name: str) -> str:
    return name.replace("人民政府", "政府").strip()


def is_issuing_office(unit_name: str, issuer: str) -> bool:
    """The office that issues the bulletin is never named in it ("区政府办公室" issues as
    "昆明市西山区人民政府办公室")."""
    unit = _norm_office(unit_name).lstrip("区县市")
    return len(unit) >= 3 and _norm_office(issuer).endswith(unit)


def addressee_of(plan: Plan) -> str:
    """主送: every group of the units the plan addresses, by the directory's unit kinds."""
    area = plan.org.short_name or ""
    p = area[-1] if area and area[-1] in "区县市" else "区"
    issuer = issuer_of(plan)
    units = [u for u in Unit.objects.filter(pk__in=figures.working_assignments(plan).values("unit")).order_by("sort_order", "name")
             if not is_issuing_office(u.name, issuer)]
    kinds = {u.kind for u in units}
    parts = []
    for k, words in GROUP_WORDS:
        ks = k if isinstance(k, tuple) else (k,)
        if kinds & set(ks):
            parts.append(words.format(p=p))
    covered = {k for k, _ in GROUP_WORDS for k in (k if isinstance(k, tuple) else (k,))}
    parts += [u.name for u in units if u.kind not in covered]
    return "，".join(parts) + "："


def named_suggestions(fig: figures.PlanFigures, issuer: str, threshold: float) -> list[tuple[str, str, str]]:
    """(kind, unit, reason): praise for units whose every due task was done on time; criticism for
    units with overdue work whose on-time rate is under ``threshold`` %. Work awaiting review is not
    held against a unit; the issuing office is never named."""
    praised, criticised = [], []
    overdue_nos: dict[str, list] = {}
    for o in sorted(fig.overdue, key=lambda o: o.fact.task_no):
        overdue_nos.setdefault(o.fact.unit_name, []).append(o)
    for u in fig.units:
        if not u.due or is_issuing_office(u.label, issuer):
            continue
        if u.overdue == 0 and u.on_time == u.due:
            praised.append(("通报表扬", u.label, f"到期的{u.due}项任务均按时完成。"))
        elif u.overdue and u.on_time_rate is not None and u.on_time_rate * 100 < threshold:
            items = overdue_nos.get(u.label, [])
            longest = max(items, key=lambda o: o.calendar_days) if items else None
            reason = f"按时完成率{pct(u.on_time_rate)}，逾期未完成{u.overdue}项"
            longest_text = f"，最长{days_text(longest)}" if longest is not None else ""
            criticised.append(("通报批评", u.label, reason, longest_text))
    # many units named: the short form, so the body stays short (the details are in 附件1 and 附件2)
    short = len(criticised) > 6
    return praised + [(k, unit, reason + ("" if short else longest) + "。") for k, unit, reason, longest in criticised]


def bulletin_suggestions(plan: Plan, as_of: dt.date, cal=None, threshold: float = DEFAULT_THRESHOLD) -> dict:
    """What the bulletin form starts with: title, 主送, units to be named (by the threshold), next steps.
    The 期号 is not suggested: it is given when the bulletin is issued (duban.exports.models.Bulletin)."""
    cal = cal or get_calendar()
    fig = figures.compute(plan, as_of, cal)
    issuer = issuer_of(plan)
    named = named_suggestions(fig, issuer, threshold)
    year = plan.year or as_of.year
    today = clock.today()
    return {
        "as_of": as_of,
        "threshold": threshold,
        "title": f"关于{year}年政务公开工作要点落实情况的督办通报",
        "doc_number": "",
        "issuer": issuer,
        "date": today,
        "addressee": addressee_of(plan),
        "named": "\n".join(f"{unit}｜{kind}｜{reason}" for kind, unit, reason in named),
        "requirements": "\n".join([
            "各责任单位要对照分工方案逐项梳理，逾期未完成的任务要明确完成时限，尽快落实并及时报送进展情况和佐证材料。",
            "各单位主要负责同志要加强对政务公开工作的领导，联络员要及时报送落实情况，确保各项任务按期完成。",
        ]),
        "rectify_by": today + dt.timedelta(days=14),
        "contact": "",
        "publicity": PUBLICITY_CHOICES[0][0],
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
    as_of = parse_date(params.get("as_of"), clock.today())
    facts = facts_mod.load(plan)
    step(30, "统计各单位落实情况")
    fig = figures.compute(plan, as_of, cal, facts=facts)
    scores = assess(plan, as_of, cal=cal, facts=facts) if params.get("with_score") else None
    per_unit = []
    for row in fig.units:
        s = scores.unit(row.key) if scores else None
        per_unit.append(docs.UnitStat(unit=row.label, assigned=row.total, done=row.accepted_due, overdue=row.overdue,
                                      on_time_rate=row.on_time_rate, due=row.due, on_time=row.on_time,
                                      awaiting=row.awaiting, done_rate=row.done_rate,
                                      score=float(s.score) if s is not None and s.score is not None else None))
    step(50, "整理逾期事项")
    # One line per overdue task, its late units together: the list stays readable when a task is on every unit.
    overdue = [docs.OverdueItem(no=o.task_no, unit="、".join(o.units), requirement=o.requirement,
                                due_date=o.due_date, days_overdue=o.days, calendar_days=o.calendar_days)
               for o in dash.overdue_by_task(fig.overdue)]
    issuer = params.get("issuer") or issuer_of(plan)
    named = [n for n in parse_named(params.get("named", ""))
             if not (is_issuing_office(n.unit, issuer) and "表扬" not in n.kind)]  # the office never criticises itself
    requirements = [p.strip() for p in params.get("requirements", "").splitlines() if p.strip()]
    rectify_by = parse_date(params.get("rectify_by"))
    if rectify_by and any("表扬" not in n.kind for n in named):
        requirements.append(f"被通报批评的单位要于{docs.common.cn_date(rectify_by)}前完成整改，"
                            f"并将整改情况书面报送{issuer}。")
    if params.get("contact"):
        requirements.append(f"联系人及电话：{params['contact'].strip()}。".replace("。。", "。"))
    plan_title = f"《{plan.title}》"
    return docs.BulletinData(
        title=params.get("title") or f"关于{plan.year}年政务公开工作要点落实情况的督办通报",
        doc_number=params.get("doc_number", ""),
        issuer=issuer,
        date=parse_date(params.get("date"), clock.today()),
        as_of=as_of,
        figures=doc_figures(fig.tasks),
        plan_title=plan.title,
        addressee=params.get("addressee", ""),
        per_unit=per_unit,
        overdue=overdue,
        units_named=named,
        requirements=requirements,
        cc=[c.strip() for c in params.get("cc", "").replace("，", "\n").replace("。", "").splitlines() if c.strip()],
        summary=figures_paragraphs(fig, plan_title),
        annexes=True,
        publicity=params.get("publicity", ""),
    )


def build_bulletin(plan: Plan, params: dict, step: Step = _noop) -> tuple[str, bytes]:
    fmt = params.get("fmt", "docx")
    data = bulletin_data(plan, params, step=step)
    step(80, "排版督办通报")
    if fmt == "docx" and settings.DUBAN_PAGINATE_WITH_LIBREOFFICE:
        blob = banji_on_even_page(lambda new_page: docs.bulletin_docx(dataclasses.replace(data, banji_new_page=new_page)))
    else:
        blob = (docs.bulletin_docx if fmt == "docx" else docs.bulletin_xlsx)(data)
    number = f"（{data.doc_number}）" if data.doc_number else "（预览）"
    return f"督办通报{number}-{data.as_of:%Y%m%d}.{fmt}", blob


# --- (4) the annual report section ------------------------------------------------------------------


def _units_text(names: list[str], limit: int = 6) -> str:
    if len(names) <= limit:
        return "、".join(names)
    return "、".join(names[:limit]) + f"等{len(names)}个单位"


def _nos(tasks: list[figures.TaskFigure]) -> str:
    return "、".join(str(t.no) for t in tasks)


def _who(names: list[str]) -> str:
    """Units named when there are one or two (where naming says who is left), else counted."""
    return "、".join(names) if len(names) <= 2 else f"{len(names)}个单位"


def annual_progress(fig: figures.PlanFigures) -> list[tuple[str, list[str]]]:
    """Per-task completion: done / ongoing / not done, one paragraph each, naming the outstanding units
    where one or two are left (the full lists are in the 督办通报's 附件2)."""
    done = [t for t in fig.task_rows if t.state == figures.ACCEPTED]
    not_done = [t for t in fig.task_rows if t.overdue]
    ongoing = [t for t in fig.task_rows if t.state != figures.ACCEPTED and not t.overdue]
    out = [(f"已完成的任务（{len(done)}项）", [f"第{_nos(done)}项，所有责任单位均已完成并通过审核。" if done else "无。"])]
    entries = []
    for t in ongoing:
        bits = [f"完成{t.units.accepted}/{t.units.total}"]
        if t.awaiting_units:
            bits.append(f"{_who(t.awaiting_units)}已报送待审核")
        others = [u for u in t.outstanding if u not in t.awaiting_units]
        if others:
            bits.append(f"{_who(others)}正在落实")
        if not t.due:
            bits.append("尚未到期")
        entries.append(f"第{t.no}项（{'，'.join(bits)}）")
    out.append((f"正在推进的任务（{len(ongoing)}项）", ["；".join(entries) + "。" if entries else "无。"]))
    entries = [f"第{t.no}项（完成{t.units.accepted}/{t.units.total}，{_who(t.overdue_units)}逾期未完成）" for t in not_done]
    out.append((f"逾期未完成的任务（{len(not_done)}项）", ["；".join(entries) + "。" if entries else "无。"]))
    return out


def annual_key_figures(fig: figures.PlanFigures) -> list[tuple[str, str, str]]:
    t, a = fig.tasks, fig.assignments
    return [
        ("总数", f"{t.total}项", f"{a.total}项"),
        ("截至统计日已到期", f"{t.due}项", f"{a.due}项"),
        ("已完成（全部）", f"{t.accepted}项", f"{a.accepted}项"),
        ("到期的已完成", f"{t.accepted_due}项", f"{a.accepted_due}项"),
        ("其中按时完成", f"{t.on_time}项", f"{a.on_time}项"),
        ("已报送待审核", f"{t.awaiting}项", f"{a.awaiting}项"),
        ("逾期未完成", f"{t.overdue}项", f"{a.overdue}项"),
        ("完成率（÷已到期）", pct(t.done_rate), pct(a.done_rate)),
        ("按时完成率（÷已到期）", pct(t.on_time_rate), pct(a.on_time_rate)),
    ]


def annual_rows(plan: Plan, as_of: dt.date) -> list[docs.AnnualTaskRow]:
    """The per-task evidence table: each task's reports accepted by ``as_of`` ("单位：text（…公开）"), by
    unit, and their 公开 addresses. Read as plain rows, not model instances: a plan of 1,000 tasks has
    some 11,000 accepted reports."""
    accepted = Report.objects.filter(assignment__in=figures.working_assignments(plan).values("pk"), outcome=REPORT_ACCEPTED)
    texts: dict[int, list[str]] = defaultdict(list)
    urls: dict[int, list[str]] = defaultdict(list)
    unit_reports: dict[int, list[docs.UnitReport]] = defaultdict(list)
    by_report: dict[int, docs.UnitReport] = {}
    for pk, task_id, unit_name, text, published_on, reviewed_at, assignment_accepted_at in accepted.order_by(
            "assignment__task__no", "assignment__unit__sort_order", "submitted_at").values_list(
            "pk", "assignment__task_id", "assignment__unit__name", "text", "published_on", "reviewed_at", "assignment__accepted_at"):
        accepted_at = reviewed_at or assignment_accepted_at
        if accepted_at is None or facts_mod.localdate(accepted_at) > as_of:
            continue
        text = " ".join(text.split())
        if published_on:
            text += f"（{published_on.year}年{published_on.month}月{published_on.day}日公开）"
        texts[task_id].append(f"{unit_name}：{text}")
        by_report[pk] = docs.UnitReport(unit=unit_name, text=text)
        unit_reports[task_id].append(by_report[pk])
    for report_id, task_id, url in EvidenceLink.objects.filter(report__in=accepted.values("pk")).order_by(
            "report__assignment__task__no", "id").values_list("report", "report__assignment__task", "url"):
        report = by_report.get(report_id)
        if report is None:  # accepted after as_of
            continue
        if url not in urls[task_id]:
            urls[task_id].append(url)
        if url not in report.urls:
            report.urls.append(url)
    return [docs.AnnualTaskRow(no=no, requirement=requirement, done_text="\n".join(texts[pk]) if texts[pk] else "尚未办结。",
                               urls=urls[pk], reports=unit_reports[pk])
            for pk, no, requirement in Task.objects.filter(plan=plan).order_by("no").values_list("pk", "no", "requirement")]


def annual_data(plan: Plan, params: dict, step: Step = _noop) -> docs.AnnualSection:
    """What the 年度报告 section says. The per-task evidence (annual_rows) is read for the .xlsx and for the
    .docx's appendix only: the .docx without it does not show it."""
    year = plan.year or clock.today().year
    as_of = parse_date(params.get("as_of"), min(dt.date(year, 12, 31), clock.today()))
    facts = facts_mod.load(plan)
    with_appendix = bool(params.get("appendix"))
    rows = []
    if with_appendix or params.get("fmt", "docx") != "docx":
        step(30, "收集已通过的报送和公开地址")
        rows = annual_rows(plan, as_of)
    step(60, "统计完成情况")
    fig = figures.compute(plan, as_of, get_calendar(), facts=facts)
    area = area_of(plan)
    plan_ref = f"《{plan.title}》" + (f"（{plan.doc_number}）" if plan.doc_number else "")
    t, a = fig.tasks, fig.assignments
    summary = [
        f"{year}年，{area}按照{plan_ref}的部署，将{t.total}项政务公开工作任务分解到{fig.unit_count}个责任单位，"
        f"逐项明确牵头和落实单位、完成时限，通过督办系统跟踪进展、审核各单位报送的落实情况和公开佐证，"
        f"对临近和超过时限的任务及时提醒催办。",
        f"{figures.as_of_text(as_of)}，按责任单位分工计，已到完成时限的{a.due}项中已完成{a.accepted_due}项"
        f"（按时完成{a.on_time}项），完成率{pct(a.done_rate)}，按时完成率{pct(a.on_time_rate)}；"
        f"已报送待审核{a.awaiting}项，逾期未完成{a.overdue}项。按任务计，{t.total}项任务中所有责任单位均已完成的"
        f"{t.accepted}项，正在推进的{t.total - t.accepted - t.overdue}项，有单位逾期未完成的{t.overdue}项。",
    ]
    carried, carried_done = figures.carried_over(plan, as_of)  # 回头看 (duban.plans.carry_over)
    key_figures = annual_key_figures(fig)
    if carried:
        summary.append(f"开展“回头看”，结转上年未完成任务 {carried} 项，已完成 {carried_done} 项。")
        key_figures.append(("结转上年任务（已完成）", "—", f"{carried}项（{carried_done}项）"))
    sign = params.get("sign", "issuer")  # 署名 options: issuer and date, date only, none
    issuer = params.get("issuer") or issuer_of(plan)
    date = parse_date(params.get("date"))
    if sign == "none":
        issuer, date = "", None
    elif sign == "date":
        issuer = ""
    return docs.AnnualSection(year=year, figures=doc_figures(t), rows=rows, area=area, intro=[],
                              issuer=issuer, date=date, as_of=as_of, summary=summary,
                              progress=annual_progress(fig), key_figures=key_figures,
                              appendix=with_appendix)


def build_annual(plan: Plan, params: dict, step: Step = _noop) -> tuple[str, bytes]:
    fmt = params.get("fmt", "docx")
    data = annual_data(plan, params, step)
    step(80, "排版")
    blob = (docs.annual_report_section_docx if fmt == "docx" else docs.annual_report_section_xlsx)(data)
    return f"{data.year}年政务公开工作要点落实情况.{fmt}", blob


# --- (5) the assessment table ------------------------------------------------------------------------

ASSESSMENT_ITEMS = ["计分任务", "应得分", "实得分", "得分率（%）", "退回扣分", "其他扣分"]


def assessment_title(year: int, as_of: dt.date) -> str:
    """"2021年度…" only once the year is over; before that "2021年…（截至2021年6月30日）"."""
    if as_of >= dt.date(year, 12, 31):
        return f"{year}年度政务公开工作考评结果"
    return f"{year}年政务公开工作考评结果（{figures.as_of_text(as_of)}）"


def assessment_notes(result) -> list[str]:
    scheme = result.scheme
    n = lambda x: docs.common.number(float(x))  # noqa: E731
    awaiting = f"（本期{result.awaiting}项）" if result.awaiting else ""
    return [
        f"每项任务分工牵头计{n(scheme.lead_points)}分、负责落实计{n(scheme.responsible_points)}分；按时完成系数为100%，"
        f"逾期完成每晚一个工作日扣减{n(scheme.late_penalty)}个百分点（最低{n(scheme.late_floor)}%），未完成为0；"
        f"审核评价优、良、中、差分别乘以{n(scheme.grade_excellent)}%、{n(scheme.grade_good)}%、{n(scheme.grade_fair)}%、{n(scheme.grade_poor)}%。",
        f"已报送、尚未审核的任务分工{awaiting}暂不计分，不算完成也不算逾期，不计入应得分和实得分；审核通过后以报送日期计分。",
        f"得分率＝实得分÷应得分×100；总分＝得分率－退回次数×{n(scheme.return_deduction)}－其他扣分。"
        f"区直部门、街道、其他单位分组排名，得分相同的名次并列；计分任务少于{scheme.min_assessed}项的单位列于本组之后，"
        f"标注“{FEW_LABEL}”。",
    ]


def assessment_table(plan: Plan, params: dict, step: Step = _noop):
    as_of = parse_date(params.get("as_of"), clock.today())
    step(20, "计算各单位得分")
    result = assess(plan, as_of)
    rows = []
    for group in result.groups:
        for u in group.ranked + group.few:
            remark = f"按时{u.on_time}项，逾期完成{u.late}项，未完成{u.missing}项"
            if u.awaiting:
                remark += f"，{u.awaiting_note}"
            if u.return_count:
                remark += f"，退回{u.return_count}次"
            if u.few:
                remark = f"{FEW_LABEL}；{remark}"
            rows.append(docs.AssessmentRow(rank=u.rank, unit=u.unit_name, score=float(u.score), remark=remark, group=group.label,
                                           breakdown=[u.assessed_count, float(u.possible), float(round(u.earned, 2)), float(u.base),
                                                      float(u.return_deduction), float(u.manual_deduction)]))
    year = plan.year or as_of.year
    table = docs.AssessmentTable(title=assessment_title(year, as_of), items=ASSESSMENT_ITEMS, rows=rows,
                                 notes=[f"统计截止{docs.common.cn_date(as_of)}。"] + assessment_notes(result),
                                 issuer=issuer_of(plan), date=parse_date(params.get("date"), clock.today()))
    return table, result


DETAIL_COLUMNS = [  # header, width, alignment, number format
    ("单位", 22, "left", None), ("序号", 6, "center", None), ("具体要求", 40, "left", None), ("职责", 9, "center", None),
    ("分值", 6, "center", None), ("应完成日期", 14, "center", None), ("状态", 12, "center", None),
    ("完成日期", 14, "center", None), ("逾期工作日", 8, "center", None), ("完成系数", 8, "center", "0%"),
    ("评价", 6, "center", None), ("退回次数", 7, "center", None), ("得分", 7, "center", "0.00"),
]


def add_breakdown_sheet(wb, result) -> bytes:
    """The assessment workbook (xlsx_docs.assessment_workbook) with a second sheet, saved: every assignment
    that made each score. Printed like the first (landscape, fitted to the width, the header row on every
    page); long requirements wrap, and a row that would pass Excel's 409 pt limit goes on in a continuation row."""
    from duban.documents.xlsx_docs import Col, split_tall_rows, write_table

    ws = wb.create_sheet("得分明细")
    cols = [Col(h, w, a, f) for h, w, a, f in DETAIL_COLUMNS]
    rows = []
    for u in result.units:
        for ln in u.lines:
            rows.append([u.unit_name, ln.fact.task_no, ln.fact.requirement, ln.fact.role_display, float(ln.points),
                         ln.fact.due_date or ln.fact.deadline_text, STATE_LABELS[ln.state], ln.done_on, ln.days_late,
                         float(ln.completion) if ln.assessed else None, ln.grade_label, ln.returns,
                         float(ln.earned_display) if ln.assessed else None])
    write_table(ws, f"得分明细（{figures.as_of_text(result.as_of)}）", cols, split_tall_rows(cols, rows))
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
        from duban.documents.xlsx_docs import assessment_workbook

        blob = add_breakdown_sheet(assessment_workbook(table), result)
    return f"{table.title}-{result.as_of:%Y%m%d}.{fmt}", blob


BUILDERS = {
    "division": build_division,
    "unit_list": build_unit_lists,
    "bulletin": build_bulletin,
    "annual": build_annual,
    "assessment": build_assessment,
}
