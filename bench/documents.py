"""How long do the Word tables of a 1,000-task plan take to build?

    .venv/bin/python bench/documents.py                # 1,000 tasks
    .venv/bin/python bench/documents.py --tasks 2000

Builds, from plain data (no database), the 分工表 .docx of the synthetic plan of tests/ingest/builders.py
(a new 工作任务 heading every 5 tasks, so one merged cell per 5 rows) and the task list of a unit on
every task, and prints the seconds of each beside the goal (under 5 s each; issue 14).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_SECONDS = 5.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=1000)
    args = ap.parse_args()

    from duban.documents.docx_docs import division_table_docx, unit_task_list_docx
    from duban.documents.model import DivisionRow, PlanMeta, UnitTaskList, UnitTaskRow
    from tests.ingest.builders import synthetic_table

    table = synthetic_table(args.tasks)[1:]
    meta = PlanMeta(title="西山区政务公开工作要点分工方案（合成）", issuer="昆明市西山区人民政府办公室",
                    doc_number="西政办通〔2021〕51号", date=dt.date(2021, 8, 12), year=2021)
    division = [DivisionRow(no=int(no), section=[section], requirement=requirement, units_text=units,
                            deadline_text=deadline) for no, section, requirement, units, deadline in table]
    unit_list = UnitTaskList(
        unit_name="区财政局", plan_title=meta.title, date=dt.date(2021, 9, 1),
        rows=[UnitTaskRow(no=r.no, section=r.section, requirement=r.requirement,
                          role="牵头" if r.no % 3 == 0 else "负责落实", due_text=r.deadline_text,
                          status=["未开始", "进行中", "已完成", "已逾期"][r.no % 4]) for r in division],
    )

    for name, build in (("分工表 .docx", lambda: division_table_docx(meta, division)),
                        ("单位任务清单 .docx", lambda: unit_task_list_docx(unit_list))):
        t0 = time.perf_counter()
        data = build()
        seconds = time.perf_counter() - t0
        verdict = "ok" if seconds < GOAL_SECONDS else "OVER"
        print(f"{name}: {args.tasks} tasks, {seconds:.2f} s (goal < {GOAL_SECONDS:.0f} s: {verdict}), {len(data) // 1024} KiB")


if __name__ == "__main__":
    main()
