"""Data of the seed's shape at any size, for the page tests (a fixed number of queries as data grows) and
bench/pages.py: copies of an imported plan into other years and other organisations, bulk-created.

A copy keeps the plan's sections, tasks (deadlines moved to the copy's year) and per-unit assignments;
statuses are mixed deterministically (about 60 % 未开始, 10 % 推进中, 10 % 已报送 with a pending report,
15 % 已办结, 5 % 退回), each with the status changes that led to it (history(): 推进中 one, 已报送 one, 已办结
and 退回 two: submitted, then reviewed), so every page has lights, a review queue, figures and histories to show."""
from __future__ import annotations

import datetime as dt
import hashlib
import random

from django.utils import timezone

STATUS_MIX = ["not_started"] * 12 + ["in_progress"] * 2 + ["submitted"] * 2 + ["accepted"] * 3 + ["returned"]


def _move(d: dt.date | None, years: int) -> dt.date | None:
    if d is None:
        return None
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def progress(a, rng: random.Random, year: int):
    """`a` with a status drawn from STATUS_MIX and the times of its progress (up to 20 days before its due date)."""
    a.status = status = rng.choice(STATUS_MIX)
    at = timezone.make_aware(dt.datetime.combine((a.due_date or dt.date(year, 6, 30)) - dt.timedelta(days=rng.randint(0, 20)), dt.time(10)))
    a.status_changed_at = at if status != "not_started" else None
    a.submitted_at = at if status in ("submitted", "accepted") else None
    a.accepted_at = at + dt.timedelta(days=1) if status == "accepted" else None
    return a


def history(assignments, reports=(), by=None) -> list:
    """The StatusChange rows that lead from 未开始 to each assignment's status, at its recorded times: 推进中 one,
    已报送 one (with its pending report), 已办结 submitted then accepted, 退回 submitted three days before the return."""
    from duban.progress.models import StatusChange

    report_of = {r.assignment_id: r for r in reports}
    out = []
    for a in assignments:
        at = a.status_changed_at
        if a.status == "in_progress":
            out.append(StatusChange(assignment=a, from_status="not_started", to_status="in_progress", by=by, at=at))
        elif a.status == "submitted":
            out.append(StatusChange(assignment=a, report=report_of.get(a.pk), from_status="not_started", to_status="submitted", by=by, at=at))
        elif a.status in ("accepted", "returned"):
            sent = a.submitted_at or at - dt.timedelta(days=3)
            out.append(StatusChange(assignment=a, from_status="not_started", to_status="submitted", by=by, at=sent))
            out.append(StatusChange(assignment=a, from_status="submitted", to_status=a.status, by=by,
                                    at=a.accepted_at or at, reason="" if a.status == "accepted" else "请补充公开网址。"))
    return out


def organisation(like, name: str, short_name: str):
    """Another organisation with the units of `like` (same names, kinds and order)."""
    from duban.directory.models import Organisation, Unit

    org = Organisation.objects.create(name=name, short_name=short_name)
    Unit.objects.bulk_create(
        Unit(org=org, name=u.name, kind=u.kind, sort_order=u.sort_order) for u in Unit.objects.filter(org=like).order_by("pk")
    )
    return org


def copy_plan(plan, year: int, org=None, seed: int = 0, submitter=None, times: int = 1):
    """A copy of `plan` for `year` in `org` (default the plan's own), with mixed statuses; times=k repeats
    its tasks k times (numbered on), for a plan k times the size."""
    from duban.directory.models import Unit
    from duban.plans.models import Assignment, Plan, Section, Task
    from duban.progress.models import Report, StatusChange

    org = org or plan.org
    years = year - (plan.year or year)
    rng = random.Random(f"{seed}-{org.pk}-{year}")
    copy = Plan.objects.create(
        org=org, title=f"{org.short_name}{year}年政务公开工作要点分工方案" + (f"（{seed}）" if seed else ""), year=year, issuer=plan.issuer,
        issued_on=_move(plan.issued_on, years), doc_number=f"{org.short_name}〔{year}〕{seed + 1}号",
        sha256=hashlib.sha256(f"{org.pk}-{year}-{seed}-{plan.pk}".encode()).hexdigest(), source_name=plan.source_name,
    )
    sections = list(Section.objects.filter(plan=plan).order_by("pk"))
    new_sections = Section.objects.bulk_create(Section(plan=copy, title=s.title, order=s.order) for s in sections)
    section_map = {old.pk: new for old, new in zip(sections, new_sections)}
    for old, new in zip(sections, new_sections):
        if old.parent_id:
            new.parent = section_map[old.parent_id]
    Section.objects.bulk_update(new_sections, ["parent"])
    originals = list(Task.objects.filter(plan=plan).order_by("no"))
    tasks = originals * times
    last = max((t.no for t in originals), default=0)
    fields = ["requirement", "units_text", "deadline_text", "deadline_kind", "deadline_event", "deadline_working_days",
              "deadline_every", "score"]
    new_tasks = Task.objects.bulk_create(
        Task(plan=copy, section=section_map.get(t.section_id), deadline_date=_move(t.deadline_date, years),
             event_date=_move(t.event_date, years), **{f: getattr(t, f) for f in fields}, no=t.no + last * (i // len(originals)))
        for i, t in enumerate(tasks)
    )
    task_maps = [{old.pk: new for old, new in zip(originals, new_tasks[k * len(originals):])} for k in range(times)]
    if org.pk == plan.org_id:
        unit_map = {u: u for u in Unit.objects.filter(org=org).values_list("pk", flat=True)}
    else:
        by_name = dict(Unit.objects.filter(org=org).values_list("name", "pk"))
        unit_map = {pk: by_name[name] for pk, name in Unit.objects.filter(org=plan.org_id).values_list("pk", "name")}
    rows = []
    originals_rows = list(Assignment.objects.filter(task__plan=plan).order_by("pk").values("task_id", "unit_id", "role", "due_date"))
    for task_map, a in ((m, a) for m in task_maps for a in originals_rows):
        rows.append(progress(Assignment(task=task_map[a["task_id"]], unit_id=unit_map[a["unit_id"]], role=a["role"],
                                        due_date=_move(a["due_date"], years)), rng, year))
    created = Assignment.objects.bulk_create(rows, batch_size=2000)
    reports = Report.objects.bulk_create(
        (Report(assignment=a, text="已按要求公开。", submitted_at=a.submitted_at, submitted_by=submitter)
         for a in created if a.status == "submitted"),
        batch_size=2000,
    )
    StatusChange.objects.bulk_create(history(created, reports, by=submitter), batch_size=2000)
    return copy
