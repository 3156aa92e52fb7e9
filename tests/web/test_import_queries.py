"""An import costs the same number of queries whatever the number of tasks: a unit group's members are read
once per group, and tasks, assignments, due dates, warnings and change records are written in bulk, for a
first import and for a revision alike (bench/import_write.py prints the figures of a 1,000-task plan)."""
from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from duban import ingest
from duban.plans import importing
from duban.plans.models import Assignment, ChangeRecord, Plan, Task
from tests.ingest.builders import HEADER, build_text

GROUP = "各街道办事处"  # 10 street offices


def plan_bytes(n: int, revision: int = 0) -> bytes:
    """A plan of n tasks; odd tasks name a group of units, even ones three units. Revision 1 moves every
    deadline, takes a unit off every fourth task, drops every fifth task and adds n // 10 new ones;
    revision 2 is the first document again (the dropped tasks come back)."""
    rows = [list(HEADER)]
    for i in range(1, n + 1):
        if revision == 1 and i % 5 == 0:
            continue
        units = f"区政府办公室牵头，{GROUP}负责落实" if i % 2 else "区财政局牵头，区民政局、区统计局负责落实"
        if revision == 1 and i % 4 == 0:
            units = "区财政局牵头，区民政局负责落实"
        deadline = "2021年11月30日前" if revision == 1 else "2021年10月31日前"
        rows.append([str(i), f"第{(i - 1) // 10 + 1}部分重点工作", f"第{i}项工作的具体要求，做好公开。", units, deadline])
    if revision == 1:
        rows += [[str(n + k), "新增工作", f"新增的第{k}项工作要求。", "区统计局负责落实", "2021年12月31日前"] for k in range(1, n // 10 + 1)]
    title = [f"西政办通〔2021〕{n}号", f"西山区2021年{n}项政务公开工作分工方案"]
    return build_text(title, rows)


def queries(org, data: bytes, name: str, status: str) -> int:
    """The queries of reading the units (prepare) and writing the plan (apply)."""
    parsed = ingest.parse(data, name)
    with CaptureQueriesContext(connection) as ctx:
        prep = importing.prepare(org, data, name, parsed=parsed)
        assert prep.status == status
        importing.apply(prep)
    return len(ctx.captured_queries)


@pytest.fixture
def large_batches(monkeypatch):
    """SQLite's parameter limit as Django assumes it (999) splits a bulk INSERT of tasks every 49 rows: let
    every bulk write of these plans be one statement (SQLite allows 32,766 parameters since 3.32), so that
    what is compared is the number of statements, not the number of batches."""
    monkeypatch.setattr(connection.features, "max_query_params", 32_766)


def test_the_queries_of_an_import_do_not_grow_with_its_tasks(org, large_batches):
    counts = {}
    for n in (20, 60):
        first = queries(org, plan_bytes(n), f"plan{n}.txt", "new")
        plan = Plan.objects.get(doc_number=f"西政办通〔2021〕{n}号")
        assert Task.objects.filter(plan=plan).count() == n
        assert Assignment.objects.filter(task__plan=plan).count() == n // 2 * 11 + n // 2 * 3
        assert not Assignment.objects.filter(task__plan=plan, due_date=None).exists()
        revised = queries(org, plan_bytes(n, revision=1), f"plan{n}-r1.txt", "revision")
        assert Task.objects.filter(plan=plan).count() == n - n // 5 + n // 10
        assert Task.all_objects.filter(plan=plan, archived_at__isnull=False).count() == n // 5
        assert set(Assignment.objects.filter(task__plan=plan, task__no__lte=n).values_list("due_date", flat=True)) == {date(2021, 11, 30)}
        assert Assignment.all_objects.filter(task__plan=plan, archived_at__isnull=False).exclude(task__archived_at__isnull=False).exists()
        restoring = queries(org, plan_bytes(n), f"plan{n}-r2.txt", "revision")
        assert Task.all_objects.filter(plan=plan, archived_at__isnull=False).count() == n // 10  # the added ones
        assert ChangeRecord.objects.filter(plan=plan, field="任务", after__endswith="（恢复）").count() == n // 5
        counts[n] = {"first import": first, "revision": revised, "revision restoring tasks": restoring}
    assert counts[20] == counts[60], counts
