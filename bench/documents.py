"""How long does every document of a 1,000-task plan take to build?

    .venv/bin/python bench/documents.py                # 1,000 tasks, throw-away SQLite database in a temporary folder
    .venv/bin/python bench/documents.py --tasks 2000
    .venv/bin/python bench/documents.py --database-url postgres://postgres@127.0.0.1:5432/duban_bench   # an empty database
    .venv/bin/python bench/documents.py --only bulletin  # one kind of export job

Imports the synthetic plan of tests/ingest/builders.py (as bench/import_write.py does; 1,000 tasks make
about 24,700 assignments), gives its assignments a realistic share of reports (written with bulk_create:
accepted on time or late, with 佐证 links and grades, submitted and awaiting review, returned, in progress,
not started, as of 2021-11-30), then works one export job per document through duban.exports.jobs.run —
the code path of the 导出 page, file saved to storage included: the 分工表, one unit's task list (the
unit with the most tasks) and the zip of every unit's list, the 督办通报 (with scores and named units), the
年度报告 section (with and without its appendix) and the 考评结果表 (its .xlsx with the 得分明细 sheet),
each as .docx and .xlsx. LibreOffice pagination of the bulletin is off for these (DUBAN_PAGINATE_WITH_LIBREOFFICE=0);
the bulletin .docx is then built once more with it on when soffice is installed (CPU includes soffice's).
Prints wall and CPU seconds of each beside the goal (under 5 s each; issue 14).

Measured 2026-12-06 on the 2-core development machine, nearly quiet (load 1.5–2), 1,000 tasks, 24,700
assignments, SQLite, wall seconds (.docx / .xlsx): 分工表 0.74 / 0.96, one unit's list 0.86 / 0.19, the
all-units zip 1.73 / 1.20, 督办通报 0.62 / 0.62 (3.2 with LibreOffice pagination), 年度报告 section 0.43 / 1.36,
with its appendix 0.97 / 1.37, 考评结果表 0.34 / 1.36. Before and after the fixes: docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_SECONDS = 5.0
AS_OF = dt.date(2021, 11, 30)


def cpu_seconds() -> float:
    """This process's CPU and that of its finished children (soffice)."""
    child = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + child.ru_utime + child.ru_stime


def import_plan(n_tasks: int):
    from duban import ingest
    from duban.directory.exchange import load_json
    from duban.directory.models import Organisation
    from duban.plans import importing
    from tests.ingest.builders import TITLE, build_text, synthetic_table

    load_json(ROOT / "duban" / "data" / "xishan_directory.json")
    org = Organisation.objects.get(short_name="西山区")
    data = build_text(TITLE, synthetic_table(n_tasks))
    prep = importing.prepare(org, data, "plan.txt", parsed=ingest.parse(data, "plan.txt"))
    return importing.apply(prep, keep_unknown=True)


def seed_reports(plan, seed: int = 14) -> dict[str, int]:
    """Reports and status changes for every assignment, in a realistic share, with bulk_create."""
    from django.utils import timezone

    from duban.plans.models import Assignment
    from duban.progress.models import ACCEPTED, PENDING, RETURNED, EvidenceLink, Report, StatusChange

    rng = random.Random(seed)
    tz = timezone.get_current_timezone()

    def at(day: dt.date, hour: int = 10) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=tz)

    assignments = list(Assignment.objects.filter(task__plan=plan).order_by("pk"))
    shares = [("accepted", 35), ("late", 10), ("submitted", 12), ("returned", 8), ("in_progress", 15), ("not_started", 20)]
    kinds = [k for k, n in shares for _ in range(n)]
    counts = dict.fromkeys((k for k, _ in shares), 0)
    reports, changes, links_of = [], [], []
    start_day = dt.date(2021, 9, 1)
    for a in assignments:
        kind = rng.choice(kinds)
        due = a.due_date or dt.date(2021, 12, 31)
        if kind == "late" and due >= AS_OF:
            kind = "accepted"  # not late before its date
        counts[kind] += 1
        if kind == "not_started":
            continue
        began = start_day + dt.timedelta(days=rng.randrange(20))
        changes.append(StatusChange(assignment=a, from_status=Assignment.NOT_STARTED, to_status=Assignment.IN_PROGRESS, at=at(began, 9)))
        a.status, a.status_changed_at = Assignment.IN_PROGRESS, at(began, 9)
        if kind == "in_progress":
            continue
        if kind == "late":
            day = min(due + dt.timedelta(days=rng.randrange(1, 20)), AS_OF)
        else:
            day = min(max(began, due - dt.timedelta(days=rng.randrange(0, 15))), AS_OF - dt.timedelta(days=1))
        submitted = at(day, 15)
        text = (f"已按要求完成第{a.task_id}项任务的落实工作，在政府信息公开专栏发布相关信息{rng.randrange(1, 9)}条，"
                "并同步推送至政务新媒体，接受社会监督。")
        outcome = {"accepted": ACCEPTED, "late": ACCEPTED, "submitted": PENDING, "returned": RETURNED}[kind]
        reviewed = at(min(day + dt.timedelta(days=rng.randrange(0, 3)), AS_OF), 17) if outcome != PENDING else None
        r = Report(assignment=a, text=text, published_on=day if outcome == ACCEPTED else None, submitted_at=submitted,
                   outcome=outcome, reviewed_at=reviewed, grade=rng.choice(["excellent", "good", "good", "fair"]) if outcome == ACCEPTED else "",
                   review_note="请补充公开网址。" if outcome == RETURNED else "")
        reports.append(r)
        if outcome == ACCEPTED:
            links_of.append((r, [f"https://www.xishan.gov.cn/xxgk/2021/{a.pk}-{k}.html" for k in range(rng.randrange(1, 3))]))
        changes.append(StatusChange(assignment=a, report=r, from_status=Assignment.IN_PROGRESS, to_status=Assignment.SUBMITTED, at=submitted))
        a.status, a.submitted_at, a.status_changed_at = Assignment.SUBMITTED, submitted, submitted
        if outcome == ACCEPTED:
            changes.append(StatusChange(assignment=a, report=r, from_status=Assignment.SUBMITTED, to_status=Assignment.ACCEPTED, at=reviewed))
            a.status, a.accepted_at, a.status_changed_at = Assignment.ACCEPTED, reviewed, reviewed
        elif outcome == RETURNED:
            changes.append(StatusChange(assignment=a, report=r, from_status=Assignment.SUBMITTED, to_status=Assignment.RETURNED,
                                        at=reviewed, reason="请补充公开网址。"))
            a.status, a.status_changed_at = Assignment.RETURNED, reviewed
    Report.objects.bulk_create(reports, batch_size=2000)
    StatusChange.objects.bulk_create(changes, batch_size=2000)  # their reports have their ids now
    EvidenceLink.objects.bulk_create([EvidenceLink(report=r, url=u) for r, urls in links_of for u in urls], batch_size=2000)
    Assignment.objects.bulk_update(assignments, ["status", "status_changed_at", "submitted_at", "accepted_at"], batch_size=2000)
    return counts


def documents(plan) -> list[tuple[str, str, dict]]:
    """(label, export kind, params) of every document the 导出 page and the bulletin page make."""
    from django.db.models import Count

    from duban.plans.models import Assignment

    busiest = (Assignment.objects.filter(task__plan=plan).values("unit").annotate(n=Count("pk")).order_by("-n", "unit")[0])["unit"]
    as_of, date = AS_OF.isoformat(), "2021-12-01"
    bulletin = {"as_of": as_of, "date": date, "title": "关于2021年政务公开工作要点落实情况的督办通报", "doc_number": "西政办督〔2021〕3号",
                "issuer": "昆明市西山区人民政府办公室", "addressee": "各街道办事处，区政府各办、局，区属各分局",
                "named": "区财政局｜通报表扬｜到期任务全部按时完成\n区统计局｜通报批评｜逾期未完成任务较多",
                "requirements": "各单位要对照任务清单逐项落实。\n加强政务公开平台建设。", "rectify_by": "2021-12-15",
                "contact": "张三，0871-68181234", "publicity": "此件公开发布", "cc": "区委办公室，区人大常委会办公室", "with_score": True,
                "threshold": 60.0}
    out = []
    for fmt in ("docx", "xlsx"):
        out += [
            (f"分工表 .{fmt}", "division", {"fmt": fmt}),
            (f"单位任务清单（1个单位）.{fmt}", "unit_list", {"fmt": fmt, "as_of": as_of, "unit": busiest}),
            (f"各单位任务清单 zip（.{fmt}）", "unit_list", {"fmt": fmt, "as_of": as_of}),
            (f"督办通报 .{fmt}", "bulletin", {**bulletin, "fmt": fmt}),
            (f"年度报告落实情况 .{fmt}", "annual", {"fmt": fmt, "as_of": as_of, "date": date, "sign": "issuer"}),
            (f"年度报告落实情况＋附件 .{fmt}", "annual", {"fmt": fmt, "as_of": as_of, "date": date, "sign": "issuer", "appendix": True}),
            (f"考评结果表 .{fmt}", "assessment", {"fmt": fmt, "as_of": as_of, "date": date}),
        ]
    return out


def work(plan, kind: str, params: dict):
    from django.contrib.auth import get_user_model

    from duban.exports import jobs
    from duban.exports.models import ExportJob

    user, _ = get_user_model().objects.get_or_create(username="bench")
    job = ExportJob.objects.create(plan=plan, kind=kind, params=params, created_by=user)
    cpu, wall = cpu_seconds(), time.perf_counter()
    job = jobs.run(job.pk)
    cpu, wall = cpu_seconds() - cpu, time.perf_counter() - wall
    if job.status != ExportJob.DONE:
        raise SystemExit(f"{kind} {params}: {job.message}")
    return wall, cpu, job.result.size


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=1000)
    ap.add_argument("--database-url")
    ap.add_argument("--only", help="one export kind: division, unit_list, bulletin, annual, assessment")
    args = ap.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duban.settings")
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)  # DEBUG stays off: no SQL logging in the figures
    os.environ["DUBAN_PAGINATE_WITH_LIBREOFFICE"] = "0"
    os.environ["DUBAN_DATA_DIR"] = tempfile.mkdtemp(prefix="duban-bench-")  # the database (SQLite) and the files
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import override_settings

    from duban.documents.render import soffice_path
    from duban.plans.models import Assignment

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    plan = import_plan(args.tasks)
    counts = seed_reports(plan)
    n = Assignment.objects.filter(task__plan=plan).count()
    print(f"{args.tasks} tasks, {n} assignments on {connection.vendor} ({time.perf_counter() - t0:.1f} s to set up); as of {AS_OF}: "
          + ", ".join(f"{k} {v}" for k, v in counts.items()))
    print(f"goal: under {GOAL_SECONDS:.0f} s each; LibreOffice pagination off (DUBAN_PAGINATE_WITH_LIBREOFFICE=0)")
    runs = [d for d in documents(plan) if not args.only or d[1] == args.only]
    for label, kind, params in runs:
        wall, cpu, size = work(plan, kind, params)
        verdict = "ok" if wall < GOAL_SECONDS else "OVER"
        print(f"  {label:<28} {wall:6.2f} s wall {cpu:6.2f} s CPU  {verdict:<4} {size // 1024:>6} KiB")
    if soffice_path() and (not args.only or args.only == "bulletin"):
        label, kind, params = next(d for d in runs if d[1] == "bulletin" and d[2]["fmt"] == "docx")
        with override_settings(DUBAN_PAGINATE_WITH_LIBREOFFICE=True):
            wall, cpu, size = work(plan, kind, params)
        verdict = "ok" if wall < GOAL_SECONDS else "OVER"
        print(f"  {label + '（LibreOffice 分页）':<28} {wall:6.2f} s wall {cpu:6.2f} s CPU  {verdict:<4} {size // 1024:>6} KiB  (CPU with soffice)")
    elif not soffice_path():
        print("  soffice not found: the bulletin with LibreOffice pagination was not timed")


if __name__ == "__main__":
    main()
