"""How long does writing a parsed 1,000-task plan take, and how long is the write lock held at once?

    .venv/bin/python bench/import_write.py                 # throw-away SQLite database in a temporary folder
    .venv/bin/python bench/import_write.py --tasks 2000
    .venv/bin/python bench/import_write.py --database-url postgres://postgres@127.0.0.1:5432/duban_bench   # an empty database

Parses the synthetic plan of tests/ingest/builders.py (text format) once, then times importing.apply()
on a fresh directory: seconds and queries. apply() is one transaction: on SQLite, the time every other
writer (a login, a report) may have to wait.
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
    from tests.ingest.builders import TITLE, build_text, synthetic_table

    call_command("migrate", verbosity=0)
    load_json(ROOT / "duban" / "data" / "xishan_directory.json")
    org = Organisation.objects.get(short_name="西山区")
    data = build_text(TITLE, synthetic_table(args.tasks))
    parsed = ingest.parse(data, "plan.txt")
    prep = importing.prepare(org, data, "plan.txt", parsed=parsed)

    queries = [0]

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    t0 = time.perf_counter()
    with connection.execute_wrapper(count):
        plan = importing.apply(prep, keep_unknown=True)  # one transaction: the write lock is held this long
    total = time.perf_counter() - t0
    from duban.plans.models import Assignment

    print(f"tasks {plan.tasks.count()}, assignments {Assignment.objects.filter(task__plan=plan).count()}, "
          f"{total:.2f} s, {queries[0]} queries, on {connection.vendor}")


if __name__ == "__main__":
    main()
