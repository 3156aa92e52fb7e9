"""How fast does every main page answer, for each role, at the seed's size and beyond?

    .venv/bin/python bench/pages.py                              # the seed plan (2,526 assignments), throw-away SQLite
    .venv/bin/python bench/pages.py --assignments 100000         # ~40 plans: 10 organisations × 4 years
    .venv/bin/python bench/pages.py --database-url postgres://postgres@127.0.0.1:5432/duban_bench   # an empty database
    .venv/bin/python bench/pages.py --clients 4                  # and then under load: 4 clients at once

Builds the data set: the 西山区 directory and the seed plan imported as a user would (74 tasks, 2,526
assignments), then copies of it (tests/pages_data.py) until --assignments is reached, in the seed's shape:
each organisation has the 44 units and one plan a year (2021 back to 2018), further organisations copy the
units. Statuses are mixed (about 60 % 未开始, 10 % 推进中, 10 % 已报送 with a pending report, 15 % 已办结,
5 % 退回), the seed plan's too, each with the status changes that led to it. The planner statistics are
refreshed (ANALYZE) after the bulk load.

Then every main page is requested --requests times (after one warm-up request) through Django's test
Client, signed in as the coordinator, a leader and a liaison (区财政局) of 西山区, whose newest plan is the
seed plan; printed per page: p50 and p95 server time in milliseconds, the p50 CPU time of the process (the
test client and SQLite run in it; steadier than wall-clock time on a shared machine), queries per request,
and the size of the answer. The goal: every page under 200 ms at the seed's size.

With --clients N the same pages are then asked under load: gunicorn (the production server) is started on
127.0.0.1 with 2 sync workers (one per core) on the same database, and N threads, each signed in as each role
with its own session, ask every page in a shuffled order --requests times (after one untimed round).
Printed per page: p50 and p95 of the time a client waits for the whole answer (connect to last byte over
loopback: what a person waits, queueing behind the other clients' requests included), and the p95 of the time
the worker spent on it (gunicorn's own request time, from its access log: the server's share, without the
wait in the queue), and the p50 CPU time of the worker process (steadier on a shared machine; the database's
CPU is not in it). The clients run on the same 2 cores as the server and the database, as on a small office
server. The goal: every page p95 under 300 ms with 4 clients. --reuse measures a data set left by a run before.

With --explain MS (PostgreSQL) every query of every page is then run again under EXPLAIN (ANALYZE, BUFFERS);
printed: those slower than MS ms, reading one of the big tables (assignments, reports, status changes) whole,
or sorting on disk — the queries that read other organisations' rows as the data grows.
"""
from __future__ import annotations

import argparse
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED_SIZE = 2526
YEARS = [2021, 2020, 2019, 2018]


def setup_django(database_url: str | None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duban.settings")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["DUBAN_DATA_DIR"] = tempfile.mkdtemp(prefix="duban-bench-")
    os.environ["DUBAN_HTTPS"] = "0"  # the test client speaks plain HTTP
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    import django

    django.setup()


def build(n_assignments: int) -> dict:
    """The seed plan in 西山区, then copies (other years, other organisations) up to n_assignments."""
    import random

    from django.contrib.auth.models import User

    from duban.accounts.models import Profile
    from duban.directory.exchange import load_json
    from duban.directory.models import Organisation, Unit
    from duban.plans import importing
    from duban.plans.models import Assignment
    from duban.progress.models import Report, StatusChange
    from tests.pages_data import copy_plan, history, organisation, progress
    from tests.web.conftest import DIRECTORY_JSON, SEED, parsed_seed, seed_bytes

    load_json(DIRECTORY_JSON)
    org = Organisation.objects.get(short_name="西山区")
    plan = importing.apply(importing.prepare(org, seed_bytes(), SEED.name, parsed=parsed_seed()))
    finance = Unit.objects.get(org=org, name="区财政局")
    users = {}
    for role, unit in (("coordinator", None), ("leader", None), ("liaison", finance)):
        users[role] = User.objects.create_user(f"bench-{role}")
        Profile.objects.create(user=users[role], org=org, role=role, unit=unit)

    rng = random.Random(0)  # the seed plan with progress, like its copies
    rows = [progress(a, rng, plan.year) for a in Assignment.objects.filter(task__plan=plan)]
    Assignment.objects.bulk_update(rows, ["status", "status_changed_at", "submitted_at", "accepted_at"], batch_size=2000)
    reports = Report.objects.bulk_create(Report(assignment=a, text="已按要求公开。", submitted_at=a.submitted_at, submitted_by=users["liaison"])
                                         for a in rows if a.status == "submitted")
    StatusChange.objects.bulk_create(history(rows, reports, by=users["liaison"]), batch_size=2000)

    total, per_plan, n = len(rows), len(rows), 0
    orgs = [org]
    while total + per_plan <= max(n_assignments, SEED_SIZE) + per_plan // 2:
        n += 1
        k, year = divmod(n, len(YEARS))
        if k >= len(orgs):
            orgs.append(organisation(org, f"基准测试区{k}人民政府", f"基准{k}区"))
        copy_plan(plan, YEARS[year], org=orgs[k], seed=n)
        total += per_plan
    return {"plan": plan, "org": org, "unit": finance, "users": users, "organisations": len(orgs)}


def built() -> dict | None:
    """The data set a previous run left in the database (--reuse), or None."""
    from django.contrib.auth.models import User

    from duban.directory.models import Organisation, Unit
    from duban.plans.models import Plan

    users = {u.username.removeprefix("bench-"): u for u in User.objects.filter(username__startswith="bench-")}
    if len(users) < 3:
        return None
    org = Organisation.objects.get(short_name="西山区")
    return {"plan": Plan.objects.filter(org=org).first(), "org": org, "unit": Unit.objects.get(org=org, name="区财政局"),
            "users": users, "organisations": Organisation.objects.count()}


def pages(d: dict) -> list[tuple[str, str, str]]:
    """(role, page, url) of every main page."""
    from duban.plans.models import Assignment

    p, u = d["plan"].pk, d["unit"].pk
    a = Assignment.objects.filter(task__plan=p, unit=u).order_by("task__no").first()
    return [
        ("coordinator", "分工方案列表", "/plans/"),
        ("coordinator", "分工表", f"/plans/{p}/"),
        ("coordinator", "任务", f"/tasks/{a.task_id}/"),
        ("coordinator", "督办总览", "/overview/"),
        ("coordinator", "督办总览（全部，按单位，第3页）", "/overview/?light=all&sort=unit&page=3"),
        ("coordinator", "督办总览导出 .xlsx", "/overview/export.xlsx"),
        ("coordinator", "待审核", "/review-queue/"),
        ("coordinator", "待审核（按单位，第2页）", "/review-queue/?sort=unit&page=2"),
        ("coordinator", "待审核导出 .xlsx", "/review-queue/export.xlsx"),
        ("coordinator", "单位任务", f"/units/{u}/"),
        ("coordinator", "看板", f"/plans/{p}/dashboard/"),
        ("coordinator", "考评排名", f"/plans/{p}/assessment/"),
        ("coordinator", "文书", f"/plans/{p}/documents/"),
        ("coordinator", "督办通报表单", f"/plans/{p}/documents/bulletin/"),
        ("leader", "督办总览", "/overview/"),
        ("leader", "看板", f"/plans/{p}/dashboard/"),
        ("leader", "考评排名", f"/plans/{p}/assessment/"),
        ("liaison", "本单位任务", f"/units/{u}/"),
        ("liaison", "任务分工", f"/assignments/{a.pk}/"),
        ("liaison", "本单位得分", f"/plans/{p}/assessment/units/{u}/"),
        ("liaison", "文书", f"/plans/{p}/documents/"),
    ]


def pad(text: str, width: int) -> str:
    """Left-aligned in `width` columns, a Chinese character taking two."""
    import unicodedata

    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - used)


def measure(client, url: str, n: int, cold_facts: bool = False) -> tuple[list[float], list[float], int, int]:
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm-up
    times, cpu, queries, size = [], [], 0, 0
    for _ in range(n):
        if cold_facts:
            caches["default"].clear()  # the plans' facts read afresh each time, as after a change to them
        with CaptureQueriesContext(connection) as ctx:
            start, start_cpu = time.perf_counter(), time.process_time()
            r = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        if r.status_code != 200:
            raise SystemExit(f"{url}: HTTP {r.status_code}")
        queries, size = len(ctx.captured_queries), len(r.content)
    return times, cpu, queries, size


BIG_TABLES = ("plans_assignment", "progress_report", "progress_statuschange")


def explain(client, url: str, slower_than: float) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of every SELECT the page asks (PostgreSQL): those slower than `slower_than` ms,
    reading one of the big tables whole (Seq Scan) or sorting on disk, one line each with the SQL's start."""
    import json

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    out = []
    for i, q in enumerate(ctx.captured_queries):
        if not q["sql"].lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + q["sql"])
            plan = cursor.fetchone()[0]
        plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]
        flags, nodes = [], [plan["Plan"]]
        while nodes:
            n = nodes.pop()
            nodes += n.get("Plans", [])
            read = (n.get("Actual Rows", 0) + n.get("Rows Removed by Filter", 0)) * n.get("Actual Loops", 1)
            if n["Node Type"] == "Seq Scan" and n.get("Relation Name") in BIG_TABLES and read > 1000:
                flags.append(f"Seq Scan {n['Relation Name']}（读 {read:,} 行）")
            if n.get("Sort Space Type") == "Disk":
                flags.append("排序写盘")
        if plan["Execution Time"] >= slower_than or flags:
            out.append(f"  q{i} {plan['Execution Time']:.1f} ms，缓冲块 {plan['Plan'].get('Shared Hit Blocks', 0) + plan['Plan'].get('Shared Read Blocks', 0):,}"
                       f"{'，' + '；'.join(flags) if flags else ''}：{q['sql'][:160]}")
    return out


def percentile(values: list[float], q: int) -> float:
    """The q-th percentile (q in 5 … 95) of at least one value, as statistics.quantiles counts it."""
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[q // 5 - 1]


_django_app = None


def application(environ, start_response):
    """What gunicorn serves in the bench: Duban, with the CPU time the worker spent on the request put in the
    environ for the access log (the database's own CPU, in its process, is not in it)."""
    global _django_app
    if _django_app is None:
        from django.core.wsgi import get_wsgi_application

        _django_app = get_wsgi_application()
    start = time.process_time()
    answer = _django_app(environ, start_response)  # Django has built the whole page here (no streaming pages)
    environ["bench.cpu"] = f"{(time.process_time() - start) * 1000:.1f}"
    return answer


def serve(log_path: str, workers: int = 2) -> tuple[subprocess.Popen, int]:
    """gunicorn on a free port of 127.0.0.1, with this process's settings and database; waits until it answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "bench.pages:application", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--timeout", "120", "--access-logfile", log_path, "--access-logformat", "%({x-bench}i)s %(D)s %({bench.cpu}e)s"],
        cwd=ROOT, env=os.environ | {"PYTHONPATH": str(ROOT)}, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn did not start (pip install -c constraints.txt -e '.[test]' brings it)")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server, port
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


def get(port: int, url: str, cookie: str, tag: str) -> float:
    """One request, a new connection (gunicorn's sync workers close it after each answer); milliseconds."""
    import http.client

    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", url, headers={"Cookie": cookie, "X-Bench": tag})
        r = conn.getresponse()
        r.read()
    finally:
        conn.close()
    if r.status != 200:
        raise RuntimeError(f"{url}: HTTP {r.status}")
    return (time.perf_counter() - start) * 1000


def under_load(d: dict, page_list: list, n_clients: int, rounds: int, time_limit: float = 900) -> float:
    """n_clients threads ask every page `rounds` times against gunicorn; prints p50/p95 per page; worst p95."""
    import random

    from django.conf import settings
    from django.db import connections
    from django.test import Client

    def cookie(role: str) -> str:
        c = Client()
        c.force_login(d["users"][role])  # a session of its own, stored in the database like a real sign-in
        return f"{settings.SESSION_COOKIE_NAME}={c.cookies[settings.SESSION_COOKIE_NAME].value}"

    cookies = [{role: cookie(role) for role in d["users"]} for _ in range(n_clients)]
    connections.close_all()  # the server's workers have the database to themselves
    log = tempfile.NamedTemporaryFile(prefix="duban-bench-access-", suffix=".log", delete=False).name
    server, port = serve(log)
    waited: dict[int, list[float]] = {i: [] for i in range(len(page_list))}
    errors: list[str] = []
    stop_at = time.monotonic() + time_limit

    def client(k: int) -> None:
        rng = random.Random(k)
        try:
            for r in range(rounds + 1):  # round 0 warms both workers up, untimed
                order = list(range(len(page_list)))
                rng.shuffle(order)
                for i in order:
                    if time.monotonic() > stop_at:
                        raise RuntimeError(f"stopped after {time_limit:.0f} s")
                    role, _, url = page_list[i]
                    ms = get(port, url, cookies[k][role], f"{i}" if r else "warm")
                    if r:
                        waited[i].append(ms)
        except Exception as e:  # noqa: BLE001 - reported below, the other clients stop too
            errors.append(str(e))

    t0 = time.perf_counter()
    try:
        threads = [threading.Thread(target=client, args=(k,)) for k in range(n_clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
    elapsed = time.perf_counter() - t0
    if errors:
        raise SystemExit(f"负载测试中断：{errors[0]}")
    worked: dict[int, list[float]] = {i: [] for i in range(len(page_list))}
    cpu: dict[int, list[float]] = {i: [] for i in range(len(page_list))}
    with open(log, encoding="utf-8") as f:
        for line in f:
            tag, micro, cpu_ms = line.split()
            if tag.isdigit():
                worked[int(tag)].append(int(micro) / 1000)
                cpu[int(tag)].append(float(cpu_ms))
    os.unlink(log)
    total = n_clients * len(page_list) * (rounds + 1)
    print(f"\n{n_clients} 个并发客户端（线程）对 gunicorn（2 个工作进程，127.0.0.1）：每个客户端每页 {rounds} 次（另预热 1 轮），"
          f"共 {total} 次请求，{elapsed:.0f} 秒，{total / elapsed:.1f} 次/秒")
    print(f"{pad('角色', 12)}{pad('页面', 34)}{'等待p50':>8}{'等待p95':>8}{'服务p95':>8}{'CPU p50':>9}")
    worst = 0.0
    for i, (role, name, _) in enumerate(page_list):
        p95 = percentile(waited[i], 95)
        worst = max(worst, p95)
        print(f"{pad(role, 12)}{pad(name, 34)}{statistics.median(waited[i]):>9.0f}{p95:>9.0f}{percentile(worked[i], 95):>9.0f}{statistics.median(cpu[i]):>9.0f}")
    print(f"最慢页面 p95（客户端等待）：{worst:.0f} ms（目标：{n_clients} 个并发客户端下每页 p95 < 300 ms）")
    return worst


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--assignments", type=int, default=SEED_SIZE, help="about this many assignments in all (default: the seed's size)")
    ap.add_argument("--requests", type=int, default=10, help="timed requests per page (after one warm-up)")
    ap.add_argument("--database-url", help="an empty database to use instead of a throw-away SQLite file")
    ap.add_argument("--reuse", action="store_true", help="measure the data set a previous run left in --database-url")
    ap.add_argument("--clients", type=int, default=0, help="then this many clients at once against gunicorn (2 workers)")
    ap.add_argument("--cold-facts", action="store_true", help="empty the cache before every request: the figure pages read "
                    "the plan's facts afresh each time (duban.assessment.factscache), as after each change")
    ap.add_argument("--explain", type=float, metavar="MS", help="PostgreSQL: then EXPLAIN ANALYZE every query of every page, "
                    "print those slower than MS ms or reading a big table whole")
    args = ap.parse_args(argv)
    setup_django(args.database_url)

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from duban.plans.models import Assignment, Plan

    print(f"数据库：{connection.vendor}（{connection.settings_dict['NAME']}）")
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    d = args.reuse and built()
    if not d:
        d = build(args.assignments)
    if connection.vendor in ("postgresql", "sqlite"):
        with connection.cursor() as cursor:  # planner statistics, as autovacuum would have them after a bulk load
            cursor.execute("ANALYZE")
    print(f"数据：{Assignment.objects.count():,} 项任务分工，{Plan.objects.count()} 个方案，{d['organisations']} 个机构；"
          f"建库 {time.perf_counter() - t0:.0f} 秒；每页 {args.requests} 次请求（另预热 1 次）")
    print(f"{pad('角色', 12)}{pad('页面', 34)}{'p50 ms':>8}{'p95 ms':>8}{'CPU p50':>9}{pad('', 2)}{pad('查询', 6)}{'KB':>6}")
    clients = {}
    worst = 0.0
    page_list = pages(d)
    for role, name, url in page_list:
        if role not in clients:
            clients[role] = Client()
            clients[role].force_login(d["users"][role])
        times, cpu, queries, size = measure(clients[role], url, args.requests, args.cold_facts)
        p50 = statistics.median(times)
        p95 = percentile(times, 95)
        worst = max(worst, p95)
        print(f"{pad(role, 12)}{pad(name, 34)}{p50:>8.0f}{p95:>8.0f}{statistics.median(cpu):>9.0f}{queries:>6}{size / 1024:>8.0f}")
    print(f"最慢页面 p95：{worst:.0f} ms（目标：种子规模下每页 < 200 ms）")
    if args.explain is not None and connection.vendor == "postgresql":
        print(f"\n慢于 {args.explain:g} ms 或整表读取 {'/'.join(BIG_TABLES)} 的查询（EXPLAIN ANALYZE）：")
        for role, name, url in page_list:
            print(f"{pad(role, 12)}{name}")
            print("\n".join(explain(clients[role], url, args.explain)) or "  （无）")
    if args.clients:
        under_load(d, page_list, args.clients, args.requests)
    return 0


if __name__ == "__main__":
    sys.exit(main())
