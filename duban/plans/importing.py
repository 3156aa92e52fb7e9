"""Importing a plan document: parse it, resolve its units through the directory, store it.

    prep = prepare(org, data, "方案.txt")     # parses and resolves; writes nothing
    prep.status                               # "new", "duplicate" or "revision"
    prep.unknown                              # {"区某某局": [3, 5]}: names not in the directory
    prep.diff                                 # for a revision: what would change, task by task
    plan = apply(prep, user, keep_unknown=False)   # one transaction; raises UnknownUnits

Nothing is written before apply(), and apply() writes everything or nothing. The web
upload (an import job, duban.plans.import_jobs) and `duban import` both go through here.

Both take an optional ``progress(step, fraction)`` callback: step is one of IMPORT_STEPS
(识别表格 and 核对单位 from prepare(), 写入 from apply(); 读取文件 is the caller's), fraction
runs from 0.0 to 1.0 within the step, and the calls come in order.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Callable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, prefetch_related_objects

from duban import ingest
from duban.directory.models import Organisation, Unit
from duban.directory.resolve import Directory
from duban.ingest import worker
from duban.plans import archiving, bulk, deadlines
from duban.plans.models import (
    DEADLINE_FIELDS,
    IMPORT_STEPS,
    LEAD,
    RESPONSIBLE,
    Assignment,
    ChangeRecord,
    Plan,
    PlanWarning,
    Section,
    Task,
)

ROLE_LABEL = {LEAD: "牵头", RESPONSIBLE: "负责落实"}
BATCH = 500  # rows per INSERT of a bulk write
# A plan is written in one transaction, and on SQLite every other writer waits for it: 1,000 tasks × 25
# units (bench/import_write.py) take one to two seconds. Twice that is the most an import may write.
MAX_ASSIGNMENTS = 50_000
READ, RECOGNISE, RESOLVE, WRITE = IMPORT_STEPS
Progress = Callable[[str, float], None]


def _no_progress(step: str, fraction: float) -> None:
    pass
EVERY = {"每周": "week", "每月": "month", "每季度": "quarter", "每半年": "half_year", "每年": "year"}


class ImportProblem(Exception):
    """An import that cannot go ahead. The message is Chinese and meant for the coordinator."""


class UnknownUnits(ImportProblem):
    def __init__(self, unknown: dict[str, list[int]]):
        self.unknown = unknown
        listed = "；".join(f"{name}（第{'、'.join(map(str, nos))}项）" for name, nos in unknown.items())
        super().__init__(
            f"以下 {len(unknown)} 个单位不在单位名录中：{listed}。"
            "请先在单位名录中添加这些单位或别名；或选择保留未识别的单位，导入后在“待处理”页逐项指定。"
        )


def find_org(spec: str | None) -> Organisation:
    if spec:
        org = Organisation.objects.filter(short_name=spec).first() or Organisation.objects.filter(name=spec).first()
        if org is None:
            raise ImportProblem(f"没有机构“{spec}”。请先运行 duban load_directory 读入单位名录。")
        return org
    orgs = list(Organisation.objects.all()[:2])
    if not orgs:
        raise ImportProblem("还没有任何机构。请先运行 duban load_directory 读入单位名录。")
    if len(orgs) > 1:
        raise ImportProblem("有多个机构，请用 --org 指定导入到哪个机构。")
    return orgs[0]


@dataclass
class WarningSpec:
    kind: str
    message: str
    subject: str = ""
    role: str = ""

    def __post_init__(self):
        self.subject = self.subject[:200]  # PlanWarning.subject's length; the message keeps the whole name

    def key(self) -> tuple:
        return (self.kind, self.subject, self.role, self.message)


@dataclass
class ResolvedTask:
    src: ingest.Task
    assignments: list[tuple[Unit, str]] = field(default_factory=list)  # lead first, one role per unit
    warnings: list[WarningSpec] = field(default_factory=list)
    unknown: list[tuple[str, str]] = field(default_factory=list)  # (name, role)

    @property
    def no(self) -> int:
        return self.src.no

    def deadline_values(self) -> dict:
        d = self.src.deadline
        values = {"deadline_kind": "", "deadline_date": None, "deadline_event": "", "deadline_working_days": None, "deadline_every": ""}
        if d is not None:
            values.update(
                deadline_kind=d.kind or "",
                deadline_date=d.date,
                deadline_event=(d.event or "")[:200],
                deadline_working_days=d.working_days,
                deadline_every=EVERY.get(d.every or "", d.every or "")[:20],
            )
        return values

    def unit_warnings(self, keep_unknown: bool) -> list[WarningSpec]:
        out = list(self.warnings)
        if keep_unknown:
            out += [
                WarningSpec(PlanWarning.UNKNOWN_UNIT, f"“{name}”不在单位名录中（{ROLE_LABEL[role]}），请指定对应的单位。", name, role)
                for name, role in self.unknown
            ]
        return out


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class TaskDiff:
    no: int
    status: str  # "added", "removed", "changed"
    changes: list[FieldChange] = field(default_factory=list)
    summary: str = ""
    # What the revision would overwrite or take away (the confirm page shows these in red).
    alerts: list[str] = field(default_factory=list)
    # Field groups ("requirement", "units", "deadline") a coordinator fixed by hand whose source text is
    # unchanged: apply() leaves them as they are.
    keep: set[str] = field(default_factory=set)
    units_change: bool = False  # apply() brings the task's units in line with the new document
    # The task's number in the document (Task.source["no"]): the coordinator may have renumbered it since.
    key: int | None = None

    def __post_init__(self):
        if self.key is None:
            self.key = self.no

    @property
    def status_label(self) -> str:
        return {"added": "新增", "removed": "删除（归档）", "changed": "修改"}[self.status]


@dataclass
class PlanDiff:
    plan_changes: list[FieldChange] = field(default_factory=list)
    tasks: list[TaskDiff] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.plan_changes or self.tasks)

    def counts(self) -> dict[str, int]:
        out = {"added": 0, "removed": 0, "changed": 0}
        for t in self.tasks:
            out[t.status] += 1
        return out

    def as_text(self) -> str:
        lines = [f"方案：{c.label}：{c.before or '（空）'} → {c.after or '（空）'}" for c in self.plan_changes]
        for t in self.tasks:
            lines.append(f"第{t.no}项（{t.status_label}）{t.summary}")
            for c in t.changes:
                lines.append(f"    {c.label}：{c.before or '（空）'} → {c.after or '（空）'}")
            for a in t.alerts:
                lines.append(f"    ！{a}")
        return "\n".join(lines)


@dataclass
class Prepared:
    org: Organisation
    data: bytes
    filename: str
    sha256: str
    parsed: ingest.Plan
    tasks: list[ResolvedTask]
    unknown: dict[str, list[int]]
    status: str  # "new", "duplicate", "revision"
    existing: Plan | None = None
    diff: PlanDiff | None = None

    def warning_count(self, keep_unknown: bool = False) -> int:
        n = len(self.parsed.warnings)
        return n + sum(len(t.unit_warnings(keep_unknown)) for t in self.tasks)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def resolve_task(directory: Directory, src: ingest.Task) -> ResolvedTask:
    rt = ResolvedTask(src)
    taken: set[int] = set()

    def add(unit: Unit, role: str) -> None:
        if unit.pk not in taken:
            taken.add(unit.pk)
            rt.assignments.append((unit, role))

    refs = sorted(src.units, key=lambda u: 0 if u.role == LEAD else 1)  # the lead role wins over a group's
    for ref in refs:
        role = LEAD if ref.role == LEAD else RESPONSIBLE
        group = directory.group(ref.name)
        unit = None if group else directory.resolve(ref.name)
        if group is None and unit is None:
            unit = next((u for u in map(directory.resolve, ref.aliases) if u), None)
        if group is not None:
            if group.vague:
                rt.warnings.append(
                    WarningSpec(
                        PlanWarning.VAGUE_GROUP,
                        f"“{group.phrase}”（{ROLE_LABEL[role]}）没有确定的单位，请指定具体单位。",
                        group.phrase,
                        role,
                    )
                )
            else:
                for member in directory.members(group):
                    add(member, role)
        elif unit is not None:
            add(unit, role)
        else:
            rt.unknown.append((ref.name, role))
    parser_warnings = list(src.warnings)
    if src.deadline is None:
        text = src.deadline_text.strip()
        msg = f"未能识别完成时限“{text}”，请设置。" if text else "缺少完成时限，请设置。"
        said = next((w for w in parser_warnings if "时限" in w), None)  # the parser's own words for it, once
        if said:
            parser_warnings.remove(said)
        rt.warnings.append(WarningSpec(PlanWarning.MISSING_DEADLINE, msg))
    for w in parser_warnings:
        rt.warnings.append(WarningSpec(PlanWarning.PARSER, w))
    if not src.units:
        rt.warnings.append(WarningSpec(PlanWarning.PARSER, "未识别出牵头或负责落实的单位，请核对。"))
    return rt


def prepare(org: Organisation, data: bytes, filename: str, parsed: ingest.Plan | None = None, progress: Progress | None = None) -> Prepared:
    """Parse and resolve; find out whether this is a new plan, the same again, or a revision. Writes nothing."""
    progress = progress or _no_progress
    if len(data) > settings.UPLOAD_MAX_BYTES:
        raise ImportProblem(f"文件过大（{len(data) / 1024 / 1024:.1f} MB），上限为 {settings.UPLOAD_MAX_BYTES // 1024 // 1024} MB。")
    progress(RECOGNISE, 0.0)
    if parsed is None:
        # IngestError propagates: the caller shows its message. A PDF reports its pages as it goes. The parser
        # runs in a child process with a memory and time limit (duban.ingest.worker): a hostile file costs
        # this process nothing.
        parsed = worker.parse(data, filename, on_page=lambda done, total: progress(RECOGNISE, 0.9 * done / total),
                              memory_mb=settings.PARSE_MEMORY_MB, timeout=settings.PARSE_TIMEOUT)
    if not parsed.tasks:
        raise ingest.IngestError("文件中没有找到任务表（序号、具体要求、牵头落实单位、完成时限），请确认这是分工方案。")
    nos = [t.no for t in parsed.tasks]
    dupes = sorted({n for n in nos if nos.count(n) > 1})
    if dupes:
        raise ingest.IngestError(f"任务序号重复：{'、'.join(map(str, dupes))}，请核对文件。")
    progress(RESOLVE, 0.0)
    directory = Directory(org)
    tasks = []
    for i, t in enumerate(parsed.tasks, start=1):
        tasks.append(resolve_task(directory, t))
        progress(RESOLVE, 0.9 * i / len(parsed.tasks))
    rows = sum(len(rt.assignments) for rt in tasks)
    if rows > MAX_ASSIGNMENTS:
        raise ImportProblem(f"文件中有 {len(tasks)} 项任务、共 {rows} 条分工，超过 {MAX_ASSIGNMENTS} 条的上限，不像是一份分工方案，请核对文件。")
    unknown: dict[str, list[int]] = {}
    for rt in tasks:
        for name, _ in rt.unknown:
            nos_for = unknown.setdefault(name, [])
            if rt.no not in nos_for:
                nos_for.append(rt.no)
    sha = sha256_of(data)
    prep = Prepared(org, data, filename, sha, parsed, tasks, unknown, status="new")
    same = Plan.objects.filter(org=org, sha256=sha).first()
    if same is not None:
        prep.status, prep.existing = "duplicate", same
        progress(RESOLVE, 1.0)
        return prep
    earlier = Plan.objects.filter(org=org)
    target = None
    if parsed.doc_number:
        target = earlier.filter(doc_number=parsed.doc_number).order_by("-created_at").first()
    if target is None and parsed.title and parsed.year:
        target = earlier.filter(title=parsed.title, year=parsed.year).order_by("-created_at").first()
    if target is not None:
        prep.existing = target
        prep.diff = compute_diff(target, prep)
        prep.status = "revision" if prep.diff else "duplicate"
    progress(RESOLVE, 1.0)
    return prep


# --- diff -----------------------------------------------------------------------------------


def _deadline_text(values: dict) -> str:
    t = Task(**values)
    return t.deadline_display() if values.get("deadline_kind") else "未识别"


def _units_text(pairs) -> str:
    leads = [u.name for u, r in pairs if r == LEAD]
    others = [u.name for u, r in pairs if r != LEAD]
    parts = []
    if leads:
        parts.append("牵头：" + "、".join(leads))
    if others:
        parts.append("负责落实：" + "、".join(others))
    return "；".join(parts)


def _plan_fields(parsed: ingest.Plan) -> dict:
    return {
        "title": parsed.title[:300],
        "doc_number": parsed.doc_number[:100],
        "issuer": parsed.issuer[:200],
        "issued_on": parsed.issued_on,
        "year": parsed.year,
    }


PLAN_LABELS = {"title": "标题", "doc_number": "文号", "issuer": "发文机关", "issued_on": "成文日期", "year": "年度"}
TASK_LABELS = {
    "section": "工作任务", "requirement": "具体要求", "units_text": "牵头落实单位", "deadline_text": "完成时限", "deadline": "时限（识别）",
    "assignments": "分工", "score": "分值", "note": "说明",
}


def _s(v) -> str:
    return "" if v is None else str(v)


# Which ChangeRecord fields belong to which group of a task's fields: the labels the task editor and the
# review page write (verbose names, "分工：单位"), and those the import writes (TASK_LABELS).
REQUIREMENT, UNITS, DEADLINE, SECTION = "requirement", "units", "deadline", "section"
SOURCE_FIELD = {REQUIREMENT: "requirement", UNITS: "units_text", DEADLINE: "deadline_text", SECTION: "section"}
GROUP_LABELS = {
    REQUIREMENT: {"具体要求"},
    UNITS: {"牵头落实单位", "牵头落实单位（原文）", "分工"},
    DEADLINE: {"完成时限", "完成时限（原文）", "时限（识别）", "时限类型", "截止日期", "起算事件", "工作日数", "周期"},
    SECTION: {"工作任务"},  # moved to another section in the browser (duban.plans.structure)
}
GROUP_NAMES = {REQUIREMENT: "具体要求", UNITS: "单位", DEADLINE: "时限", SECTION: "所属工作任务"}


def _group_of(record_field: str) -> str | None:
    if record_field.startswith("分工："):
        return UNITS
    return next((g for g, labels in GROUP_LABELS.items() if record_field in labels), None)


def manual_groups(plan: Plan) -> dict[int, set[str]]:
    """{task id: groups whose last change was made by a person} (the task editor, the review page).
    A revision that later overwrote the group wrote the last record itself, so the fix is no longer in force."""
    last: dict[tuple[int, str], bool] = {}
    rows = ChangeRecord.objects.filter(plan=plan, task__isnull=False).order_by("at", "id").values_list("task_id", "field", "by_import")
    for task_id, record_field, by_import in rows:
        g = _group_of(record_field)
        if g is not None:
            last[(task_id, g)] = by_import
    out: dict[int, set[str]] = {}
    for (task_id, g), by_import in last.items():
        if not by_import:
            out.setdefault(task_id, set()).add(g)
    return out


def task_source(task: Task) -> dict:
    """The source text of a task as last imported (tasks older than the `source` field: their current text),
    with its section path."""
    src = task.source or {}
    out = {f: src.get(f, getattr(task, f)) for f in ("requirement", "units_text", "deadline_text")}
    out["section"] = list(src["section"]) if "section" in src else (task.section.path() if task.section_id else [])
    return out


def source_no(task: Task) -> int:
    """The task's number in the document as last imported: the key a revision matches its rows by, so that
    a task renumbered in the browser is still the same task."""
    return (task.source or {}).get("no", task.no)


def _new_source(rt: ResolvedTask) -> dict:
    return {
        "no": rt.no, "section": list(rt.src.section),
        "requirement": rt.src.requirement, "units_text": rt.src.units_text, "deadline_text": rt.src.deadline_text[:300],
    }


def _score(v) -> str:
    return "" if v is None else f"{v:g}"


def _sections_by_id(plan: Plan) -> dict[int, Section]:
    """The plan's sections, each linked to its parent object: section.path() asks the database nothing."""
    by_id = {s.pk: s for s in Section.objects.filter(plan=plan)}
    for s in by_id.values():
        s.parent = by_id.get(s.parent_id)
    return by_id


def _matched_tasks(plan: Plan, sections: dict[int, Section] | None = None):
    """The plan's tasks in force that came from the document, by their number there. Tasks added in the
    browser (split off, or added) are the coordinator's: a revision neither matches nor archives them.
    Their assignments are not read: compute_diff reads those of the tasks whose units may change."""
    sections = _sections_by_id(plan) if sections is None else sections
    out: dict[int, Task] = {}
    for t in plan.tasks.filter(added_by_hand=False).order_by("no", "id"):
        t.section = sections.get(t.section_id)
        out.setdefault(source_no(t), t)
    return out


class _FreeNumbers:
    """free(wanted): `wanted` if no task in force has that number, else the number after the last one; the
    numbers in force read once, and each number given out is taken."""

    def __init__(self, plan: Plan):
        self.taken = set(Task.objects.filter(plan=plan).values_list("no", flat=True))

    def free(self, wanted: int) -> int:
        no = wanted if wanted not in self.taken else max(self.taken, default=0) + 1
        self.taken.add(no)
        return no


def _report_counts(plan: Plan) -> dict[int, int]:
    from duban.progress.models import Report

    rows = Report.objects.filter(assignment__task__plan=plan, assignment__archived_at__isnull=True).order_by().values_list("assignment").annotate(n=Count("id"))
    return dict(rows)


def _work_alerts(assignments, counts: dict[int, int]) -> list[str]:
    """What a unit taken off a task has done there: its reports, or at least its status."""
    out = []
    for a in assignments:
        if counts.get(a.pk):
            out.append(f"将删除{a.unit.name}已报送的{counts[a.pk]}条进展（将归档，不会删除）")
        elif a.status != Assignment.NOT_STARTED:
            out.append(f"将移除{a.unit.name}（{a.get_status_display()}，将归档，不会删除）")
    return out


def archived_tasks(plan: Plan) -> dict[tuple[bool, int, str], Task]:
    """The plan's archived tasks that came from the document, in one query, by (archived by hand, number and
    requirement in the document as last imported); the latest archived of each. archived_twin looks in it."""
    out: dict[tuple[bool, int, str], Task] = {}
    for t in Task.all_objects.filter(plan=plan, archived_at__isnull=False, added_by_hand=False).order_by("-archived_at", "-id"):
        out.setdefault((t.archived_by_hand, source_no(t), (t.source or {}).get("requirement", t.requirement)), t)
    return out


def archived_twin(archived: dict, rt: ResolvedTask, by_hand: bool = False) -> Task | None:
    """The archived task of this number whose text the new document brings back word for word: one an
    earlier revision dropped (by_hand=False, to be restored), or one the coordinator deleted or merged
    away (by_hand=True, which stays archived while its text is unchanged). `archived`: archived_tasks(plan)."""
    return archived.get((by_hand, rt.no, rt.src.requirement))


def compute_diff(plan: Plan, prep: Prepared) -> PlanDiff:
    diff = PlanDiff()
    for name, new in _plan_fields(prep.parsed).items():
        old = getattr(plan, name)
        if _s(old) != _s(new) and new not in ("", None):
            diff.plan_changes.append(FieldChange(PLAN_LABELS[name], _s(old), _s(new)))
    old_tasks = _matched_tasks(plan)
    new_tasks = {rt.no: rt for rt in prep.tasks}
    manual = manual_groups(plan)
    counts = _report_counts(plan)
    archived = archived_tasks(plan)
    # The assignments of the tasks that go, and of those whose units may change (_task_diff compares them),
    # in one query: reading all of a large plan's would cost seconds.
    prefetch_related_objects([t for no, t in old_tasks.items() if _units_may_change(t, new_tasks.get(no))], "assignments__unit")
    for no in sorted(old_tasks.keys() | new_tasks.keys()):
        old, new = old_tasks.get(no), new_tasks.get(no)
        if old is None:
            if archived_twin(archived, new, by_hand=True):
                continue  # the coordinator deleted it (or merged it into another task) and the text is the same
            twin = archived_twin(archived, new)
            summary = ("（恢复已归档的任务，各单位原有的报送一并恢复）" if twin else "") + new.src.requirement[:60]
            diff.tasks.append(TaskDiff(no, "added", summary=summary))
            continue
        if new is None:
            td = TaskDiff(old.no, "removed", summary=old.requirement[:60], key=no)
            td.alerts = _work_alerts(old.assignments.all(), counts)
            if td.alerts:
                td.alerts.insert(0, "本任务将归档（不会删除），各单位的报送、附件和记录都保留")
            diff.tasks.append(td)
            continue
        td = _task_diff(old, new, manual.get(old.pk, set()), counts)
        if td.changes:
            diff.tasks.append(td)
    return diff


def _units_may_change(old: Task, new: ResolvedTask | None) -> bool:
    """Whether _task_diff may compare the task's assignments (a task the document no longer has: its work)."""
    return new is None or new.src.units_text != old.units_text or new.src.units_text != task_source(old)["units_text"]


def _task_diff(old: Task, new: ResolvedTask, manual: set[str], counts: dict[int, int]) -> TaskDiff:
    td = TaskDiff(old.no, "changed", summary=new.src.requirement[:60], key=new.no)
    src_old, src_new = task_source(old), _new_source(new)
    source_changed = {g: src_old[f] != src_new[f] for g, f in SOURCE_FIELD.items()}
    for g in manual:
        if not source_changed[g]:
            td.keep.add(g)  # the coordinator's fix stands: the document says what it said before
    pairs = [("score", _score(old.score), _score(new.src.score)), ("note", old.note, new.src.note)]
    if SECTION not in td.keep:
        pairs.append(("section", " › ".join(old.section.path()) if old.section else "", " › ".join(new.src.section)))
    if REQUIREMENT not in td.keep:
        pairs.append(("requirement", old.requirement, new.src.requirement))
    if UNITS not in td.keep:
        pairs.append(("units_text", old.units_text, new.src.units_text))
    if DEADLINE not in td.keep:
        pairs += [
            ("deadline_text", old.deadline_text, new.src.deadline_text),
            ("deadline", _deadline_text(old.deadline_values()), _deadline_text(new.deadline_values())),
        ]
    removed = []
    if UNITS not in td.keep and (old.units_text != new.src.units_text or source_changed[UNITS]):
        old_pairs = [(a.unit, a.role) for a in old.assignments.all()]
        if {(u.pk, r) for u, r in old_pairs} != {(u.pk, r) for u, r in new.assignments}:
            pairs.append(("assignments", _units_text(old_pairs), _units_text(new.assignments)))
            td.units_change = True
            wanted = {u.pk for u, _ in new.assignments}
            removed = [a for a in old.assignments.all() if a.unit_id not in wanted]
    overwritten = set()
    for name, before, after in pairs:
        if before != after:
            td.changes.append(FieldChange(TASK_LABELS[name], before, after))
            group = {"section": SECTION, "requirement": REQUIREMENT, "units_text": UNITS, "assignments": UNITS, "deadline_text": DEADLINE, "deadline": DEADLINE}.get(name)
            if group in manual:
                overwritten.add(group)
    for g in (SECTION, REQUIREMENT, UNITS, DEADLINE):
        if g in overwritten:
            verb = "设置" if g == DEADLINE else "指定" if g == UNITS else "调整" if g == SECTION else "修改"
            td.alerts.append(f"将覆盖人工{verb}的{GROUP_NAMES[g]}（原文已改动）")
    td.alerts += _work_alerts(removed, counts)
    return td


# --- writing --------------------------------------------------------------------------------


class _Sections:
    def __init__(self, plan: Plan):
        self.plan = plan
        self.by_id = _sections_by_id(plan)
        self.cache: dict[tuple[str, ...], Section] = {tuple(s.path()): s for s in self.by_id.values()}
        self.order = max((s.order for s in self.cache.values()), default=0)

    def add_all(self, paths) -> None:
        """Create the sections of all these paths that do not exist yet: one INSERT per level, in the order
        get() would have created them one by one."""
        new: dict[tuple[str, ...], Section] = {}
        for path in paths:
            for i in range(len(path)):
                key = tuple(path[: i + 1])
                if key not in self.cache and key not in new:
                    self.order += 1
                    new[key] = Section(plan=self.plan, title=path[i][:300], order=self.order)
        for depth in range(1, max(map(len, new), default=0) + 1):
            level = {key: s for key, s in new.items() if len(key) == depth}
            for key, s in level.items():
                s.parent = self.cache[key[:-1]] if depth > 1 else None
            Section.objects.bulk_create(level.values(), batch_size=BATCH)
            self.cache.update(level)

    def get(self, path: list[str]) -> Section | None:
        parent = None
        for i in range(len(path)):
            key = tuple(path[: i + 1])
            if key not in self.cache:
                self.order += 1
                self.cache[key] = Section.objects.create(plan=self.plan, parent=parent, title=path[i][:300], order=self.order)
            parent = self.cache[key]
        return parent


TASK_FIELDS = ["requirement", "units_text", "deadline_text", "warnings", "score", "note", "source", *DEADLINE_FIELDS]


def _task_values(rt: ResolvedTask) -> dict:
    return {
        "requirement": rt.src.requirement,
        "units_text": rt.src.units_text,
        "deadline_text": rt.src.deadline_text[:300],
        "warnings": list(rt.src.warnings),
        "score": rt.src.score,
        "note": rt.src.note,
        "source": _new_source(rt),
        **rt.deadline_values(),
    }


def _store_file(plan: Plan, prep: Prepared) -> None:
    name = (prep.filename or "plan").replace("\\", "/").rsplit("/", 1)[-1][:150] or "plan"
    plan.source_file.save(name, ContentFile(prep.data), save=False)


def apply(prep: Prepared, user=None, keep_unknown: bool = False, progress: Progress | None = None) -> Plan:
    """Store the prepared import in one transaction. A duplicate changes nothing and returns the plan it duplicates.

    Progress is reported before the transaction and after it: what happens inside is seen by no one until it commits."""
    progress = progress or _no_progress
    if prep.status == "duplicate":
        return prep.existing
    if prep.unknown and not keep_unknown:
        raise UnknownUnits(prep.unknown)
    progress(WRITE, 0.0)
    stored: list[Plan] = []
    try:
        with transaction.atomic():
            if prep.status == "revision":
                plan = _apply_revision(prep, user, keep_unknown, stored)
            else:
                plan = _create_plan(prep, user, keep_unknown, stored)
            deadlines.refresh_plan(plan)  # each assignment's due date, from its task's deadline
    except BaseException as exc:
        for p in stored:  # the rows are gone with the rollback; so must the file be
            p.source_file.storage.delete(p.source_file.name)
        same = Plan.objects.filter(org=prep.org, sha256=prep.sha256).first() if isinstance(exc, IntegrityError) else None
        if same is not None:  # someone imported the same file at the same moment
            prep.status, prep.existing = "duplicate", same
            return same
        raise
    _emit_imported(plan, prep)
    progress(WRITE, 1.0)
    return plan


def _emit_imported(plan: Plan, prep: Prepared) -> None:
    """plan.imported for the organisation's webhook subscribers, once the import is committed (once per file)."""
    from duban.notify import events

    events.emit("plan.imported", plan.org_id, f"plan:{plan.pk}:{prep.sha256}", {
        "plan": {"id": plan.pk, "title": plan.title, "year": getattr(plan, "year", None),
                 "tasks": plan.tasks.count()},
        "revision": prep.status == "revision",
    })


def _create_plan(prep: Prepared, user, keep_unknown: bool, stored: list) -> Plan:
    parsed = prep.parsed
    plan = Plan(
        org=prep.org,
        issuer=parsed.issuer[:200],
        sha256=prep.sha256,
        source_name=prep.filename[:200],
        source_format=parsed.source_format[:20],
        created_by=user if user and user.is_authenticated else None,
        **{k: v for k, v in _plan_fields(parsed).items() if k != "issuer"},
    )
    if not plan.title:
        plan.title = (prep.filename or "未命名方案")[:300]
    _store_file(plan, prep)
    stored.append(plan)
    plan.save()
    _create_tasks(plan, _Sections(plan), prep.tasks, keep_unknown)
    PlanWarning.objects.bulk_create([PlanWarning(plan=plan, kind=PlanWarning.PARSER, message=w) for w in parsed.warnings])
    return plan


def _create_tasks(plan: Plan, sections: _Sections, rts: list[ResolvedTask], keep_unknown: bool, nos: list[int] | None = None) -> list[Task]:
    """Store new tasks (numbered `nos`, else as in the document) with their assignments, due dates and
    warnings, in a few bulk INSERTs whatever their number: a first import holds the database's write lock
    (all of it, on SQLite) for as short a time as possible — one to two seconds for 1,000 tasks."""
    sections.add_all(rt.src.section for rt in rts)
    nos = nos or [rt.no for rt in rts]
    tasks = [Task(plan=plan, no=no, section=sections.get(rt.src.section), **_task_values(rt)) for rt, no in zip(rts, nos)]
    dues = deadlines.first_due_dates(plan, tasks)  # what refresh_plan would write on the new assignments
    tasks = Task.objects.bulk_create(tasks, batch_size=BATCH)
    bulk.insert_rows(Assignment, ["task_id", "unit_id", "role", "due_date"],
                     [(task.pk, u.pk, r, due) for task, due, rt in zip(tasks, dues, rts) for u, r in rt.assignments])
    PlanWarning.objects.bulk_create(
        [PlanWarning(plan_id=plan.pk, task_id=task.pk, kind=w.kind, subject=w.subject, role=w.role, message=w.message)
         for task, rt in zip(tasks, rts) for w in rt.unit_warnings(keep_unknown)],
        batch_size=BATCH,
    )
    return tasks


def _sync_warnings(plan: Plan, specs_by_task: dict[int | None, list[WarningSpec]]) -> None:
    """Make the open warnings of these tasks (by id; None for the plan's own) match their specs, in a fixed
    number of queries; warnings already settled stay settled."""
    have: dict[int | None, dict[tuple, PlanWarning]] = {}
    for w in PlanWarning.objects.filter(plan=plan).order_by("id"):
        have.setdefault(w.task_id, {})[(w.kind, w.subject, w.role, w.message)] = w
    gone, new = [], []
    for task_id, specs in specs_by_task.items():
        mine, wanted = have.get(task_id, {}), {s.key() for s in specs}
        gone += [w.pk for key, w in mine.items() if key not in wanted and not w.settled]
        new += [PlanWarning(plan=plan, task_id=task_id, kind=s.kind, subject=s.subject, role=s.role, message=s.message)
                for s in specs if s.key() not in mine]
    PlanWarning.objects.filter(pk__in=gone).delete()
    PlanWarning.objects.bulk_create(new, batch_size=BATCH)


def _apply_revision(prep: Prepared, user, keep_unknown: bool, stored: list) -> Plan:
    """Write a revision in a fixed number of queries, whatever the number of tasks: tasks, assignments,
    warnings and change records are each written in bulk (and the due dates by apply(), with refresh_plan)."""
    plan = Plan.objects.select_for_update().get(pk=prep.existing.pk)
    diff = compute_diff(plan, prep)  # again, inside the transaction: what is written is what is current
    who = user if user and user.is_authenticated else None
    note = f"导入修订版：{prep.filename}"
    records: list[ChangeRecord] = []  # the change history, written at the end in this order

    def record(field: str, before, after, task: Task | None = None, task_no=None, object_type="task", object_id=None):
        records.append(ChangeRecord(
            plan=plan, task=task, task_no=task_no if task_no is not None else (task.no if task else None), user=who,
            object_type=object_type, object_id=str(object_id or (task.pk if task else plan.pk)), field=field,
            before=_s(before), after=_s(after), note=note, by_import=True,
        ))

    for name, new in _plan_fields(prep.parsed).items():
        old = getattr(plan, name)
        if _s(old) != _s(new) and new not in ("", None):
            record(PLAN_LABELS[name], old, new, object_type="plan")
            setattr(plan, name, new)
    record("原始文件", f"{plan.source_name}（{plan.sha256[:12]}）", f"{prep.filename}（{prep.sha256[:12]}）", object_type="plan")
    plan.sha256, plan.source_name = prep.sha256, prep.filename[:200]
    plan.source_format = prep.parsed.source_format[:20]
    _store_file(plan, prep)
    stored.append(plan)
    plan.save()

    sections = _Sections(plan)
    by_no = {rt.no: rt for rt in prep.tasks}
    tasks = _matched_tasks(plan, sections.by_id)
    sections.add_all(by_no[td.key].src.section for td in diff.tasks if td.status != "removed")
    kept_fields = {REQUIREMENT: ["requirement"], UNITS: ["units_text"], DEADLINE: ["deadline_text", *DEADLINE_FIELDS], SECTION: []}
    updated: list[Task] = []
    units: dict[Task, dict] = {}  # the tasks whose units change, and their units as the document now has them
    specs: dict[int | None, list[WarningSpec]] = {}

    def update(task: Task, rt: ResolvedTask, td: TaskDiff) -> None:
        values = _task_values(rt)
        for g in td.keep:  # a manual fix whose source text has not changed stays
            for k in kept_fields[g]:
                values.pop(k, None)
        for k, v in values.items():
            setattr(task, k, v)
        if SECTION not in td.keep:
            task.section = sections.get(rt.src.section)
        updated.append(task)
        if td.units_change:
            units[task] = dict(rt.assignments)
        specs[task.pk] = rt.unit_warnings(keep_unknown)

    # Removals first: a number they free may be the one an added task wants.
    removed = [tasks[td.key] for td in diff.tasks if td.status == "removed"]
    for task in removed:
        record("任务", f"第{task.no}项：{task.requirement[:80]}", "（已删除，已归档）", task)
    archiving.archive_tasks(removed, who, f"修订版中已删除（{prep.filename[:100]}）")
    numbers, archived = _FreeNumbers(plan), archived_tasks(plan)
    added: list[tuple[ResolvedTask, int]] = []
    restored: list[tuple[Task, ResolvedTask]] = []
    for td in diff.tasks:
        if td.status == "added":
            rt = by_no[td.key]
            # The coordinator may have given the number to another task (renumbering, a split): then the next free one.
            no = numbers.free(rt.no)
            twin = archived_twin(archived, rt)
            if twin is None:
                added.append((rt, no))
            else:  # the task an earlier revision dropped is back: restored with its units' work, then updated
                twin.no = no
                restored.append((twin, rt))
        elif td.status == "changed":
            task = tasks[td.key]
            for c in td.changes:
                record(c.label, c.before, c.after, task)
            update(task, by_no[td.key], td)

    new_tasks = _create_tasks(plan, sections, [rt for rt, _ in added], keep_unknown, nos=[no for _, no in added])
    moved = []
    for task, (rt, no) in zip(new_tasks, added):
        record("任务", "", f"第{task.no}项：{task.requirement[:80]}（新增）", task)
        if no != rt.no:
            moved.append(PlanWarning(plan=plan, task=task, kind=PlanWarning.PARSER, message=f"原文第{rt.no}项的序号已被其他任务使用，已编为第{no}项，请核对。"))
    PlanWarning.objects.bulk_create(moved)

    if restored:
        back = [task for task, _ in restored]
        archiving.restore_tasks(back)
        prefetch_related_objects(back, "assignments__unit")
        manual = manual_groups(plan)
        for task, rt in restored:
            task.section = sections.by_id.get(task.section_id)
            record("任务", "（已删除，已归档）", f"第{task.no}项：{task.requirement[:80]}（恢复）", task)
            again = _task_diff(task, rt, manual.get(task.pk, set()), {})
            for c in again.changes:
                record(c.label, c.before, c.after, task)
            update(task, rt, again)

    reason = f"修订版中不再有此单位（{prep.filename[:100]}）"
    by_id = {t.pk: t for t in units}
    for task_id, changes in archiving.sync_many(units, who, reason).items():
        task = by_id[task_id]
        for c in changes:
            before = ROLE_LABEL[c.before] if c.before else ("（已移除）" if c.restored else "")
            after = (ROLE_LABEL[c.after] + ("（恢复）" if c.restored else "")) if c.after else "（移除，已归档）"
            record(f"分工：{c.assignment.unit.name}", before, after, task, object_type="assignment", object_id=c.assignment.pk)
    bulk.update_rows(Task, updated, [*TASK_FIELDS, "section_id"])

    changed = {td.key for td in diff.tasks}
    sources = []
    for no, task in tasks.items():  # unchanged tasks: the source text as now imported (it may differ in what is kept)
        if no not in changed and no in by_no and task.source != _new_source(by_no[no]):
            task.source = _new_source(by_no[no])
            sources.append(task)
    bulk.update_rows(Task, sources, ["source"])
    specs[None] = [WarningSpec(PlanWarning.PARSER, w) for w in prep.parsed.warnings]
    _sync_warnings(plan, specs)
    ChangeRecord.objects.bulk_create(records, batch_size=BATCH)
    Section.objects.filter(plan=plan, tasks__isnull=True, children__isnull=True).delete()
    return plan
