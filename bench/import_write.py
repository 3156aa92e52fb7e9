"""How long does importing a 1,000-task plan take, and how many queries: a first import and a revision.

    .venv/bin/python bench/import_write.py                 # throw-away SQLite database in a temporary folder
    .venv/bin/python bench/import_write.py --tasks 2000
    .venv/bin/python bench/import_write.py --database-url postgres://postgres@127.0.0.1:5432/duban_bench   # an empty database

Parses the synthetic plan of tests/ingest/builders.py (text format) once, then times importing.prepare()
(resolving the units) and importing.apply() (the writing, one transaction: on SQLite, the time every other
writer — a login, a report — may have to wait) on a fresh directory: CPU and wall seconds, and queries.
Then the same for a revision of it (every other deadline moved, every tenth task dropped, 50 tasks added).
Goal (issue 14): under 2 s of CPU for 1,000 tasks, and a number of queries that does not grow with them.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=1000)
    ap.add_argument("--database-url")
    args = ap.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duban.settings")
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)  # DEBUG stays off: no SQL logging in the figures
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["DUBAN_DATA_DIR"] = tempfile.mkdtemp(prefix="duban-bench-")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from duban import ingest
    from duban.directory.exchange import load_json
    from duban.directory.models import Organisation
    from duban.plans import importing
    from duban.plans.models import Assignment
    from tests.ingest.builders import TITLE, build_text, synthetic_table

    call_command("migrate", verbosity=0)
    load_json(ROOT / "duban" / "data" / "xishan_directory.json")
    org = Organisation.objects.get(short_name="西山区")
    table = synthetic_table(args.tasks)
    revised = [table[0]] + [
        [row[0], row[1], row[2], row[3], "2021年12月31日前" if i % 2 else row[4]] for i, row in enumerate(table[1:], start=1) if i % 10
    ] + [[str(args.tasks + k), "新增工作", f"新增的第{k}项工作要求。", "区统计局负责落实", "2021年12月31日前"] for k in range(1, 51)]
    print(f"goal: under 2 s CPU for {args.tasks} tasks, queries independent of the task count; on {connection.vendor}")
    for label, rows in (("first import", table), ("revision", revised)):
        data = build_text(TITLE, rows)
        parsed = ingest.parse(data, "plan.txt")
        queries = [0]

        def count(execute, sql, params, many, context):
            queries[0] += 1
            return execute(sql, params, many, context)

        cpu, wall = time.process_time(), time.perf_counter()
        with connection.execute_wrapper(count):
            prep = importing.prepare(org, data, f"{label}.txt", parsed=parsed)
            prepared = time.process_time() - cpu
            plan = importing.apply(prep, keep_unknown=True)  # one transaction: the write lock is held this long
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        print(f"{label:<13} tasks {plan.tasks.count()}, assignments {Assignment.objects.filter(task__plan=plan).count()}: "
              f"{cpu:.2f} s CPU ({prepared:.2f} s resolving units), {wall:.2f} s wall, {queries[0]} queries")


if __name__ == "__main__":
    main()
