"""Putting a misread plan right in the browser: split a task, merge two, add, delete (archive) and restore
one, renumber, move a task to another section.

    split_task(task, user, first_requirement, new_values, wanted_units, no, note) -> the new task
    merge_tasks(task, other, user, note)        # other's requirement appended, units united; other archived
    add_task(plan, user, values, wanted_units, no, section_path, note)
    delete_task(task, user, reason)             # archived with its units' work, restorable
    restore_task(task, user, no=None)
    renumber_task(task, user, new_no)           # 将第N项改为第M项: the tasks in between shift by one
    renumber_plan(plan, user)                   # 按顺序重新编号: 1, 2, 3, … in the present order
    move_task(task, user, section_path)

Each is one transaction (the plan row is locked, so two coordinators cannot hand out one number twice),
leaves ChangeRecords written by a person (by_import False) and keeps assignments in step: a split-off or
added task gets assignments of its own, a merged-away or deleted task is archived with its assignments,
their reports and files (duban.plans.archiving); due dates follow through duban.plans.deadlines.

A later revised import keeps these fixes while the document's text is unchanged (duban.plans.importing):
it matches tasks by their number in the document (Task.source["no"], pinned here before a renumbering),
leaves tasks added here alone (Task.added_by_hand), does not bring back a task deleted or merged away here
(Task.archived_by_hand), and keeps a requirement, units, deadline or section changed here.

Callers check access.can_edit(user) and fetch the tasks through access; StructureError carries a Chinese
message for the coordinator.
"""
from __future__ import annotations

from django.db import transaction

from duban.directory.models import Unit
from duban.plans import archiving, deadlines, editing
from duban.plans.models import LEAD, Plan, Section, Task

MAX_NO = 99999


class StructureError(ValueError):
    """The change cannot be made; the message says why, in Chinese."""


def _lock(plan_id: int) -> Plan:
    return Plan.objects.select_for_update().get(pk=plan_id)


def _record(task: Task, user, field: str, before: str, after: str, note: str = ""):
    return editing._record(task, user, field, before, after, note)


def _path(task: Task) -> list[str]:
    return task.section.path() if task.section_id else []


def _pin_source(task: Task) -> None:
    """Before its number or section changes here, write down what the document said (tasks imported before
    Task.source kept them), so that a revision still finds the task and tells a fix from a change of text."""
    if task.added_by_hand:
        return
    src = dict(task.source or {})
    if "no" in src and "section" in src:
        return
    src.setdefault("no", task.no)
    src.setdefault("section", _path(task))
    for f in ("requirement", "units_text", "deadline_text"):
        src.setdefault(f, getattr(task, f))
    task.source = src
    task.save(update_fields=["source"])


def section_at(plan: Plan, path: list[str]) -> Section | None:
    """The plan's section of that heading path, made if it does not exist yet (None for no section)."""
    from duban.plans.importing import _Sections

    return _Sections(plan).get([p.strip()[:300] for p in path if p.strip()])


def _drop_empty_sections(plan: Plan) -> None:
    Section.objects.filter(plan=plan, tasks__isnull=True, children__isnull=True).delete()


def _check_no(no: int) -> None:
    if not isinstance(no, int) or not 1 <= no <= MAX_NO:
        raise StructureError(f"序号应为 1 到 {MAX_NO} 之间的整数。")


def _set_numbers(plan: Plan, user, numbers: dict[int, int], note: str) -> int:
    """Give tasks in force new numbers ({task id: number}) at once. Two passes (to numbers no task has, then to
    the wanted ones) so that the unique-number rule holds after every statement. Returns how many changed."""
    tasks = {t.pk: t for t in Task.objects.filter(plan=plan)}
    final = {pk: numbers.get(pk, t.no) for pk, t in tasks.items()}
    if len(set(final.values())) != len(final):
        raise StructureError("调整后会有两项任务序号相同，未作改动。")
    changed = [tasks[pk] for pk in numbers if pk in tasks and tasks[pk].no != numbers[pk]]
    for t in changed:
        _pin_source(t)
        Task.objects.filter(pk=t.pk).update(no=-t.pk)
    for t in changed:
        before, t.no = t.no, numbers[t.pk]
        Task.objects.filter(pk=t.pk).update(no=t.no)
        _record(t, user, "序号", f"第{before}项", f"第{t.no}项", note)
    return len(changed)


def _make_room(plan: Plan, user, no: int, note: str) -> int:
    """Free number `no` for a new task: if a task in force has it, it and every later one move up by one."""
    if not Task.objects.filter(plan=plan, no=no).exists():
        return 0
    later = Task.objects.filter(plan=plan, no__gte=no)
    if later.filter(no__gte=MAX_NO).exists():
        raise StructureError(f"后面的任务序号已到 {MAX_NO}，不能再后移。")
    return _set_numbers(plan, user, {t.pk: t.no + 1 for t in later}, note)


def _create(plan: Plan, user, no: int, section: Section | None, values: dict, wanted: dict[Unit, str], note: str, what: str) -> Task:
    task = Task.objects.create(plan=plan, no=no, section=section, added_by_hand=True, source={}, **values)
    _record(task, user, "任务", "", f"第{no}项：{task.requirement[:80]}（{what}）", note)
    editing.set_assignments(task, user, wanted, note or what)
    deadlines.refresh_task(task)
    return task


TEXT_FIELDS = ["requirement", "units_text", "deadline_text", "deadline_kind", "deadline_date", "deadline_event", "deadline_working_days", "deadline_every"]


@transaction.atomic
def split_task(task: Task, user, first_requirement: str, new_values: dict, wanted: dict[Unit, str], no: int, note: str = "") -> Task:
    """Cut the task in two: it keeps `first_requirement`, its assignments and their reports; a new task numbered
    `no` (the following tasks move up if it is taken) gets `new_values` (requirement, units text, deadline) and
    assignments of its own for `wanted` ({unit: role})."""
    plan = _lock(task.plan_id)
    task = Task.objects.select_for_update().get(pk=task.pk)
    _check_no(no)
    if not first_requirement.strip() or not (new_values.get("requirement") or "").strip():
        raise StructureError("拆分后的两项任务都要填写具体要求。")
    note = note or f"拆分第{task.no}项"
    _pin_source(task)
    editing.update_task(task, user, {"requirement": first_requirement.strip()}, note)
    _make_room(plan, user, no, note)
    task.refresh_from_db()
    values = {k: new_values.get(k) for k in TEXT_FIELDS}
    values["requirement"] = values["requirement"].strip()
    for k in ("units_text", "deadline_text", "deadline_event", "deadline_kind", "deadline_every"):
        values[k] = values[k] or ""
    values["event_date"] = task.event_date if values["deadline_kind"] == "after_event" and values["deadline_event"] == task.deadline_event else None
    values["note"] = task.note
    new = _create(plan, user, no, task.section, values, wanted, note, f"由第{task.no}项拆分")
    _record(task, user, "任务", "", f"拆分出第{new.no}项：{new.requirement[:80]}", note)
    return new


def _join(a: str, b: str, sep: str) -> str:
    a, b = (a or "").strip(), (b or "").strip()
    if not b or b == a:
        return a
    return f"{a}{sep}{b}" if a else b


@transaction.atomic
def merge_tasks(task: Task, other: Task, user, note: str = "") -> Task:
    """Append `other`'s requirement to `task`'s, unite their units (a lead in either stays lead) and archive
    `other`: its units' assignments, reports and files stay with it, readable on its page."""
    if task.pk == other.pk:
        raise StructureError("不能把一项任务与自己合并。")
    if task.plan_id != other.plan_id:
        raise StructureError("只能合并同一方案中的任务。")
    _lock(task.plan_id)
    task = Task.objects.select_for_update().get(pk=task.pk)
    other = Task.objects.select_for_update().filter(pk=other.pk).first()
    if other is None:
        raise StructureError("要并入的任务已删除。")
    note = note or f"第{other.no}项并入第{task.no}项"
    _pin_source(task)
    _pin_source(other)
    editing.update_task(task, user, {
        "requirement": _join(task.requirement, other.requirement, "\n"),
        "units_text": _join(task.units_text, other.units_text, "；"),
    }, note)
    if other.score is not None:
        before = task.score
        task.score = (task.score or 0) + other.score
        task.save(update_fields=["score"])
        _record(task, user, "分值", "" if before is None else f"{before:g}", f"{task.score:g}", note)
    if other.note and other.note not in task.note:
        task.note = _join(task.note, other.note, "\n")
        task.save(update_fields=["note"])
    wanted = {a.unit: a.role for a in task.assignments.select_related("unit")}
    for a in other.assignments.select_related("unit"):
        if a.unit not in wanted or a.role == LEAD:
            wanted[a.unit] = a.role
    editing.set_assignments(task, user, wanted, note)
    _record(task, user, "任务", "", f"并入第{other.no}项：{other.requirement[:80]}", note)
    _record(other, user, "任务", f"第{other.no}项：{other.requirement[:80]}", f"（并入第{task.no}项，已归档）", note)
    archiving.archive_task(other, user, f"已并入第{task.no}项")
    Task.all_objects.filter(pk=other.pk).update(archived_by_hand=True)
    deadlines.refresh_task(task)
    return task


@transaction.atomic
def add_task(plan: Plan, user, values: dict, wanted: dict[Unit, str], no: int, section_path: list[str], note: str = "") -> Task:
    plan = _lock(plan.pk)
    _check_no(no)
    if not (values.get("requirement") or "").strip():
        raise StructureError("请填写具体要求。")
    note = note or "新增任务"
    _make_room(plan, user, no, note)
    v = {k: values.get(k) for k in TEXT_FIELDS}
    v["requirement"] = v["requirement"].strip()
    for k in ("units_text", "deadline_text", "deadline_event", "deadline_kind", "deadline_every"):
        v[k] = v[k] or ""
    return _create(plan, user, no, section_at(plan, section_path), v, wanted, note, "新增")


@transaction.atomic
def delete_task(task: Task, user, reason: str = "") -> Task:
    _lock(task.plan_id)
    task = Task.all_objects.select_for_update().get(pk=task.pk)
    if task.archived_at is not None:
        raise StructureError("这项任务已删除。")
    _pin_source(task)
    _record(task, user, "任务", f"第{task.no}项：{task.requirement[:80]}", "（已删除，已归档）", reason or "在页面上删除")
    archiving.archive_task(task, user, reason or "在页面上删除")
    Task.all_objects.filter(pk=task.pk).update(archived_by_hand=True)
    return task


@transaction.atomic
def restore_task(task: Task, user, no: int | None = None) -> Task:
    """Bring a deleted (or merged-away) task back with its units' work, under its number or `no` if given."""
    plan = _lock(task.plan_id)
    task = Task.all_objects.select_for_update().get(pk=task.pk)
    if task.archived_at is None:
        raise StructureError("这项任务没有删除。")
    if no is not None:
        _check_no(no)
        if no != task.no:
            Task.all_objects.filter(pk=task.pk).update(no=no)
            _record(task, user, "序号", f"第{task.no}项", f"第{no}项", "恢复时改号")
            task.no = no
    if Task.objects.filter(plan=plan, no=task.no).exists():
        raise StructureError(f"方案中已有第{task.no}项任务，请填写另一个序号再恢复。")
    archiving.restore_task(task, user)
    Task.all_objects.filter(pk=task.pk).update(archived_by_hand=False)
    _record(task, user, "任务", "（已删除，已归档）", f"第{task.no}项：{task.requirement[:80]}（恢复）", "恢复任务")
    return task


@transaction.atomic
def renumber_task(task: Task, user, new_no: int, note: str = "") -> int:
    """将第N项改为第M项. If M is taken, the tasks from M up to N (or from N down to M) shift by one to make room."""
    plan = _lock(task.plan_id)
    task = Task.objects.select_for_update().get(pk=task.pk)
    _check_no(new_no)
    old = task.no
    if new_no == old:
        return 0
    note = note or f"将第{old}项改为第{new_no}项"
    numbers = {task.pk: new_no}
    if Task.objects.filter(plan=plan, no=new_no).exists():
        if new_no < old:
            numbers.update({t.pk: t.no + 1 for t in Task.objects.filter(plan=plan, no__gte=new_no, no__lt=old)})
        else:
            numbers.update({t.pk: t.no - 1 for t in Task.objects.filter(plan=plan, no__gt=old, no__lte=new_no)})
    return _set_numbers(plan, user, numbers, note)


@transaction.atomic
def renumber_plan(plan: Plan, user, note: str = "") -> int:
    """按顺序重新编号: the tasks in force become 1, 2, 3, … in their present order."""
    plan = _lock(plan.pk)
    ordered = Task.objects.filter(plan=plan).order_by("no", "id").values_list("pk", flat=True)
    return _set_numbers(plan, user, {pk: i for i, pk in enumerate(ordered, start=1)}, note or "按顺序重新编号")


@transaction.atomic
def move_task(task: Task, user, section_path: list[str], note: str = "") -> bool:
    plan = _lock(task.plan_id)
    task = Task.objects.select_for_update().get(pk=task.pk)  # (no join: PostgreSQL locks no outer join)
    before = _path(task)
    section = section_at(plan, section_path)
    after = section.path() if section else []
    if after == before:
        _drop_empty_sections(plan)
        return False
    _pin_source(task)
    task.section = section
    task.save(update_fields=["section"])
    _record(task, user, "工作任务", " › ".join(before) or "（无）", " › ".join(after) or "（无）", note or "移到其他工作任务")
    _drop_empty_sections(plan)
    return True
