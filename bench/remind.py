"""How long does one `duban remind` sweep take over 100,000 — or 1,000,000 — assignments?

    .venv/bin/python bench/remind.py                          # throw-away SQLite database in a temporary folder
    .venv/bin/python bench/remind.py --assignments 20000 --units 100
    .venv/bin/python bench/remind.py --database-url postgres://postgres@127.0.0.1:5432/duban_bench   # an empty database
    .venv/bin/python bench/remind.py --assignments 1000000 --orgs 100 --years 4 --units 44 \
        --database-url postgres://postgres@127.0.0.1:5432/duban_bench        # the 1M shape of issue 13
    .venv/bin/python bench/remind.py --reuse \
        --database-url postgres://postgres@127.0.0.1:5432/duban_bench        # that data set again, swept cold again

Builds --orgs organisations, each with --units units (one liaison with an e-mail address, a
负责人 address and a 分管负责人 in the directory's contacts) and a coordinator, and one plan per year for
--years years up to --today's, --assignments in all (bulk_create), each plan with tasks × units.
Due dates are spread over September to December of the plan's year. Statuses of the current year
are mixed (about 60 % 未开始, 10 % 推进中, 10 % 已报送, 15 % 已办结, 5 % 退回); of earlier years
mostly 已办结, one in 30 still 未开始 (long overdue: escalated to the 分管负责人). Then, on --today
(default Monday 2021-11-01, the first working day after the Sunday 10-31 deadline), it times:

* the cold sweep that decides and records the day's reminders and enqueues the digests (no delivery),
* the same sweep again at once (what every later run of the day costs: nothing new to send),
* optionally (--deliver) delivering what was enqueued (inbox rows and e-mails to Django's dummy
  backend; no robots), and refresh_plan over the newest plan of the first organisation (what an import adds).

The database's planner statistics are refreshed (ANALYZE) after the bulk load, as autovacuum
would do: without them PostgreSQL picks a poor plan for the first read of freshly loaded rows.

--reuse sweeps the data set a previous run left again, cold: it first deletes what the earlier sweeps
wrote for the bench's organisations (their ledger rows and stored rules, the bench people's reminder inbox
messages, the reminder notifications to bench addresses; then VACUUM ANALYZE of those tables) — for
measuring the 1M sweep again on a quiet machine without rebuilding. It refuses a database holding any
organisation the bench did not make. refresh_plan then finds the due dates already written: its time is
not a first refresh's.

Figures printed: assignments, open ones with a due date, distinct due dates, reminders recorded,
notifications enqueued, seconds per step.

Realistic mode (--realistic): many organisations, each with its yearly plans, units, liaisons with
e-mail, unit leaders, a coordinator and a 企业微信 robot; one sweep, then the delivery itself by
--deliverers `duban send_notifications` processes running at once, to a local SMTP sink (aiosmtpd)
and a local robot endpoint, at any hour (quiet hours off). The default size (100 organisations × 4
plans × 44 units × 10 tasks, 176,000 assignments) makes about 45,000 notifications; the goal is
all of them delivered in under 5 minutes with two deliverers, none twice. Printed: notifications by
channel, e-mails the sink received (and how many twice), robot posts, seconds and notifications a
second.

    .venv/bin/python bench/remind.py --realistic --database-url postgres://postgres@127.0.0.1:5432/duban_bench
    .venv/bin/python bench/remind.py --realistic --orgs 20     # a fifth of the size

Figures printed (default mode): assignments, open ones with a due date, distinct (plan, due date) pairs, reminders
recorded, notifications enqueued, seconds per step, and the process's peak memory (RSS) before and
after the cold sweep (the sweep streams: it should not raise the peak the bulk load left).
"""
from __future__ import annotations

import argparse
import datetime
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

D = datetime.date
STATUSES = ["not_started"] * 12 + ["in_progress"] * 2 + ["submitted"] * 2 + ["accepted"] * 3 + ["returned"]


def setup_django(database_url: str | None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duban.settings")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["DUBAN_DATA_DIR"] = tempfile.mkdtemp(prefix="duban-bench-")
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")
    os.environ.setdefault("DUBAN_WORKING_HOURS", "")  # quiet hours off: deliver at the hour the benchmark runs
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))  # settings refuse to start without one; no sessions here
    import django

    django.setup()


def due_dates(year: int) -> list[D]:
    """Thirty due dates from 09-30 to 12-31 of the year, some on weekends and in the National Day holiday."""
    start, end = D(year, 9, 30), D(year, 12, 31)
    step = (end - start) / 29
    return [start + step * i for i in range(30)]


def build(n_assignments: int, n_units: int, n_orgs: int = 1, n_years: int = 1, last_year: int = 2021) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User

    from duban.accounts.models import Profile
    from duban.directory.models import Contact, Organisation, Unit
    from duban.plans.models import Assignment, Plan, Task

    if Plan.objects.exists():
        raise SystemExit("数据库中已有分工方案；基准测试只在空数据库中运行（或不带 --database-url，使用临时 SQLite）。")
    password = make_password(None)
    per_plan = max(1, n_assignments // (n_orgs * n_years))
    n_tasks = max(1, -(-per_plan // n_units))
    batch, made, plans = [], 0, []
    for o in range(n_orgs):
        org = Organisation.objects.create(name=f"基准测试{o:03d}区人民政府", short_name=f"基准测试{o:03d}区")
        units = Unit.objects.bulk_create(
            [Unit(org=org, name=f"测试单位{i:04d}", kind=Unit.BUREAU, sort_order=i, leader_email=f"leader{o}-{i}@bench.example") for i in range(n_units)]
        )
        users = User.objects.bulk_create([User(username=f"bench-liaison-{u.pk}", email=f"l{u.pk}@bench.example", password=password) for u in units])
        Profile.objects.bulk_create([Profile(user=user, org=org, role=Profile.LIAISON, unit=u) for user, u in zip(users, units)])
        # The 负责人 is the unit's leader address; the 分管负责人 a contact in the directory.
        Contact.objects.bulk_create([Contact(unit=u, role=Contact.DEPUTY, name="分管负责人", email=f"deputy{u.pk}@bench.example") for u in units])
        coordinator = User.objects.create(username=f"bench-coordinator-{o}", email=f"coordinator{o}@bench.example", password=password)
        Profile.objects.create(user=coordinator, org=org, role=Profile.COORDINATOR)
        for year in range(last_year - n_years + 1, last_year + 1):
            plan = Plan.objects.create(org=org, title=f"基准测试{year}年分工方案", year=year, sha256=f"{o:032d}{year:032d}", source_file="bench/none.txt")
            plans.append(plan)
            dates = due_dates(year)
            tasks = Task.objects.bulk_create(
                [Task(plan=plan, no=i + 1, requirement=f"第{i + 1}项测试任务的具体要求。", deadline_kind="date", deadline_date=dates[i % len(dates)]) for i in range(n_tasks)]
            )
            in_plan = 0
            for t in tasks:
                for j, u in enumerate(units):
                    if in_plan >= per_plan:
                        break
                    if year == last_year:
                        status = STATUSES[(t.no * 7 + j) % len(STATUSES)]
                    else:
                        status = "not_started" if (t.no * 7 + j) % 30 == 0 else "accepted"
                    batch.append(Assignment(task=t, unit=u, role="lead" if j == 0 else "responsible", status=status, due_date=t.deadline_date))
                    in_plan += 1
                    made += 1
                    if len(batch) == 10000:
                        Assignment.objects.bulk_create(batch)
                        batch = []
    Assignment.objects.bulk_create(batch)
    return {"plans": plans, "tasks": n_tasks, "units": n_units, "orgs": n_orgs, "years": n_years}


BENCH_ORG = "基准测试"  # the start of the names of the organisations build() makes


def built() -> dict | None:
    """The data set a previous run left (--reuse), or None: the bench's organisations, their plans and sizes."""
    from duban.directory.models import Organisation, Unit
    from duban.plans.models import Plan, Task

    orgs = Organisation.objects.filter(name__startswith=BENCH_ORG)
    if not orgs.exists() or Organisation.objects.exclude(name__startswith=BENCH_ORG).exists():
        return None  # nothing built, or a database with real organisations in it: not ours to clear
    plans = list(Plan.objects.filter(org__in=orgs).order_by("org_id", "year"))
    first = plans[0]
    return {"plans": plans, "tasks": Task.objects.filter(plan=first).count(), "units": Unit.objects.filter(org=first.org_id).count(),
            "orgs": orgs.count(), "years": sum(p.org_id == first.org_id for p in plans)}


def clear_sweeps() -> dict:
    """Undo what earlier sweeps wrote for the bench's organisations, so the next sweep is cold again: their
    ledger rows, the plans' stored rules (the first sweep makes them), the bench people's reminder inbox
    messages and the reminder notifications to bench addresses. Nothing else is touched. Returns rows deleted."""
    from django.contrib.auth.models import User
    from django.db import connection, transaction
    from django.db.models import Q

    from duban.notify.models import InboxLink, InboxMessage, Notification
    from duban.reminders.models import Reminder, ReminderRule

    bench_users = User.objects.filter(username__startswith="bench-")
    messages = InboxMessage.objects.filter(user__in=bench_users, kind=InboxMessage.REMINDER)
    with transaction.atomic():
        done = {
            "提醒记录": Reminder.objects.filter(assignment__task__plan__org__name__startswith=BENCH_ORG).delete()[0],
            "提醒规则": ReminderRule.objects.filter(plan__org__name__startswith=BENCH_ORG).delete()[0],
            "站内消息链接": InboxLink.objects.filter(message__in=messages).delete()[0],
            "站内消息": messages.delete()[0],
            "通知": Notification.objects.filter(Q(dedupe_key__startswith="remind:") | Q(dedupe_key__startswith="escalate:"),
                                               recipient__endswith="@bench.example").delete()[0],
        }
    if connection.vendor == "postgresql":  # the deleted rows' space back and fresh statistics, as after the build
        tables = [m._meta.db_table for m in (Reminder, ReminderRule, InboxLink, InboxMessage, Notification)]
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {', '.join(connection.ops.quote_name(t) for t in tables)}")
    return done


def cpu_seconds(connection) -> float:
    """CPU time of this process and, when the database runs on this machine, of its PostgreSQL backend:
    the cost of a sweep whatever else the shared machine is doing (wall-clock time is not)."""
    total = time.process_time()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            pass  # a database on another machine: this process only
    return total


def peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_realistic(n_orgs: int, n_plans: int, n_units: int, n_tasks: int, robot_url: str) -> int:
    """Organisations with their plans, units, people and robot; assignments with due dates set. Returns assignments."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User

    from duban.accounts.models import Profile
    from duban.directory.models import Organisation, Unit
    from duban.notify.models import Webhook
    from duban.plans.models import Assignment, Plan, Task

    if Plan.objects.exists():
        raise SystemExit("数据库中已有分工方案；基准测试只在空数据库中运行（或不带 --database-url，使用临时 SQLite）。")
    password, dates, made = make_password(None), due_dates(2021), 0
    for o in range(n_orgs):
        org = Organisation.objects.create(name=f"基准测试第{o + 1}区人民政府", short_name=f"基准测试{o + 1}区")
        units = Unit.objects.bulk_create(
            [Unit(org=org, name=f"第{o + 1}区测试单位{i:03d}", kind=Unit.BUREAU, sort_order=i,
                  leader_email=f"leader{o}-{i}@bench.example" if i % 2 == 0 else "") for i in range(n_units)]
        )
        users = User.objects.bulk_create(
            [User(username=f"bench-{o}-{u.pk}", email=f"l{u.pk}@bench.example", password=password) for u in units]
        )
        Profile.objects.bulk_create([Profile(user=user, org=org, role=Profile.LIAISON, unit=u) for user, u in zip(users, units)])
        coordinator = User.objects.create(username=f"bench-coordinator-{o}", email=f"c{o}@bench.example", password=password)
        Profile.objects.create(user=coordinator, org=org, role=Profile.COORDINATOR)
        Webhook.objects.create(name=f"第{o + 1}区工作群", org=org, kind=Webhook.WECOM, url=f"{robot_url}/cgi-bin/webhook/send?key={o}")
        assignments = []
        for p in range(n_plans):
            plan = Plan.objects.create(org=org, title=f"第{o + 1}区{2018 + p}年政务公开工作要点分工方案", year=2018 + p,
                                       sha256=f"{o:032x}{p:032x}", source_file="bench/none.txt")
            tasks = Task.objects.bulk_create(
                [Task(plan=plan, no=i + 1, requirement=f"第{i + 1}项测试任务的具体要求。", deadline_kind="date",
                      deadline_date=dates[(i * 3 + p) % len(dates)]) for i in range(n_tasks)]
            )
            assignments += [
                Assignment(task=t, unit=u, role="lead" if j == 0 else "responsible", due_date=t.deadline_date,
                           status=STATUSES[(t.no * 7 + j) % len(STATUSES)])
                for t in tasks for j, u in enumerate(units)
            ]
        Assignment.objects.bulk_create(assignments, batch_size=5000)
        made += len(assignments)
    return made


class Sink:
    """aiosmtpd handler that counts the e-mails by the notification they carry."""

    def __init__(self):
        self.ids = []

    async def handle_DATA(self, server, session, envelope):
        for line in envelope.content.split(b"\r\n"):
            if line.startswith(b"X-Duban-Notification:"):
                self.ids.append(int(line.split(b":")[1]))
                break
            if not line:
                break
        return "250 OK"


def robot_server():
    """A local 企业微信 robot endpoint that answers every post with errcode 0 and counts them."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    posts = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            posts.append(self.path)
            data = b'{"errcode": 0, "errmsg": "ok"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, posts


def realistic(args) -> int:
    import subprocess

    from aiosmtpd.controller import Controller

    server, posts = robot_server()
    robot_url = f"http://127.0.0.1:{server.server_address[1]}"
    import socket

    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    os.environ.update({
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port), "EMAIL_USE_TLS": "0", "EMAIL_USE_SSL": "0",
    })
    setup_django(args.database_url)

    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from duban.notify.models import Notification
    from duban.reminders.sweep import sweep

    today = D.fromisoformat(args.today)
    print(f"数据库：{connection.vendor}（{connection.settings_dict['NAME']}）")
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    made = build_realistic(args.orgs, args.plans, args.units, args.tasks, robot_url)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    t1 = time.perf_counter()
    print(f"生成 {args.orgs} 个机构 × {args.plans} 个方案 × {args.units} 个单位 × {args.tasks} 项任务 = {made:,} 项任务分工：{t1 - t0:.1f} 秒")
    report = sweep(today, deliver=False)
    t2 = time.perf_counter()
    by_channel = dict(Notification.objects.values_list("channel").annotate(n=Count("id")).order_by())
    print(f"{today} 一次提醒扫描：{t2 - t1:.1f} 秒；记录提醒 {report.reminders:,} 项，生成通知 {report.notifications:,} 条"
          f"（站内消息 {by_channel.get('inbox', 0):,}，邮件 {by_channel.get('email', 0):,}，企业微信 {by_channel.get('wecom', 0):,}）")
    connection.close()

    command = [sys.executable, "-m", "django", "send_notifications", "--max-seconds", "3600"]
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="duban.settings", PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    deliverers = [subprocess.Popen(command, cwd=ROOT, env=env) for _ in range(args.deliverers)]
    codes = [d.wait() for d in deliverers]
    elapsed = time.perf_counter() - start
    controller.stop()
    server.shutdown()

    total = Notification.objects.count()
    sent = Notification.objects.filter(status=Notification.SENT).count()
    twice_claimed = Notification.objects.filter(attempts__gt=1).count()
    emails = by_channel.get("email", 0)
    twice = len(sink.ids) - len(set(sink.ids))
    print(f"{args.deliverers} 个发送进程同时运行（退出码 {codes}）：{elapsed:.1f} 秒发送 {sent:,}/{total:,} 条通知，"
          f"每秒 {sent / elapsed:,.0f} 条")
    print(f"SMTP 接收 {len(sink.ids):,} 封邮件（应为 {emails:,}），重复 {twice} 封；"
          f"机器人收到 {len(posts)} 次推送，载有 {by_channel.get('wecom', 0)} 条消息（同一机器人的消息合并发送，超过 4,096 字节时分条）；尝试多于一次的通知 {twice_claimed} 条")
    ok = sent == total and len(sink.ids) == emails and twice == 0 and not any(codes)
    goal = "达到" if ok and elapsed < 300 else "未达到"
    print(f"目标（全部送达、无重复、5 分钟内）：{goal}")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--assignments", type=int, default=100_000)
    ap.add_argument("--years", type=int, default=1, help="plans per organisation, one a year up to --today's year")
    ap.add_argument("--today", default="2021-11-01", help="the day of the sweep (YYYY-MM-DD)")
    ap.add_argument("--database-url", help="an empty database to use instead of a throw-away SQLite file")
    ap.add_argument("--reuse", action="store_true",
                    help="the data set a previous run left in --database-url: clear that run's sweep (ledger, rules, "
                         "reminder notices of the bench's own) and sweep cold again, without rebuilding")
    ap.add_argument("--deliver", action="store_true", help="also time delivering the notifications (inbox; e-mail to a dummy backend)")
    ap.add_argument("--realistic", action="store_true", help="many organisations and plans, delivered by parallel deliverers to a local SMTP sink")
    ap.add_argument("--orgs", type=int, default=None, help="organisations (default 1; --realistic: 100)")
    ap.add_argument("--plans", type=int, default=4, help="--realistic: plans per organisation")
    ap.add_argument("--units", type=int, default=None, help="units (default 400; --realistic: 44 per organisation)")
    ap.add_argument("--tasks", type=int, default=10, help="--realistic: tasks per plan")
    ap.add_argument("--deliverers", type=int, default=2, help="--realistic: send_notifications processes at once")
    args = ap.parse_args(argv)
    if args.realistic:
        args.units = args.units or 44
        args.orgs = args.orgs or 100
        return realistic(args)
    args.units = args.units or 400
    args.orgs = args.orgs or 1
    setup_django(args.database_url)

    from django.core.management import call_command
    from django.db import connection

    from duban.notify.models import Notification
    from duban.plans import deadlines
    from duban.plans.models import Assignment
    from duban.reminders.sweep import deliver_all, sweep

    today = D.fromisoformat(args.today)
    print(f"数据库：{connection.vendor}（{connection.settings_dict['NAME']}）")
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    t1 = time.perf_counter()
    data = args.reuse and built()
    if args.reuse and not data:
        raise SystemExit("--reuse：数据库中没有基准测试留下的数据（或有基准测试以外的机构），请先不带 --reuse 运行一次。")
    if data:
        cleared = clear_sweeps()
        print("沿用上次生成的数据；清除上次扫描写入的：" + "，".join(f"{k} {n:,} 条" for k, n in cleared.items()))
    else:
        data = build(args.assignments, args.units, args.orgs, args.years, today.year)
    t2 = time.perf_counter()
    deadlines.refresh_plan(data["plans"][data["years"] - 1], today=today)
    t3 = time.perf_counter()
    with connection.cursor() as cursor:  # planner statistics, as autovacuum would have them after a bulk load
        cursor.execute("ANALYZE")
    total = Assignment.objects.count()
    print(f"建库 {t1 - t0:.1f} 秒；{'沿用' if args.reuse else '生成'} {total:,} 项任务分工（{data['orgs']} 个机构 × {data['years']} 年的方案，"
          f"每个方案 {data['tasks']} 项任务 × {data['units']} 个单位）{t2 - t1:.1f} 秒；"
          f"refresh_plan（一个方案，计算并写入全部完成日期）{t3 - t2:.1f} 秒")

    before = peak_mb()
    cpu, start = cpu_seconds(connection), time.perf_counter()
    report = sweep(today, deliver=False)
    first, first_cpu = time.perf_counter() - start, cpu_seconds(connection) - cpu
    after = peak_mb()
    cpu, start = cpu_seconds(connection), time.perf_counter()
    again = sweep(today, deliver=False)
    second, second_cpu = time.perf_counter() - start, cpu_seconds(connection) - cpu
    load = os.getloadavg()[0]
    print(f"{today}：未办结且有完成日期的任务分工 {report.assignments:,} 项，{report.due_dates:,} 个不同的（方案，完成日期）")
    print(f"首次提醒扫描（冷，不含发送）：{first:.2f} 秒，CPU {first_cpu:.2f} 秒（100 万项时的目标：10 秒以内）；"
          f"记录提醒 {report.reminders:,} 项，生成通知 {report.notifications:,} 条")
    print(f"同日再次扫描（无新提醒）：{second:.2f} 秒，CPU {second_cpu:.2f} 秒（目标：1 秒以内）；"
          f"记录提醒 {again.reminders} 项，生成通知 {again.notifications} 条")
    print(f"（CPU：本进程与数据库后端进程合计；机器 1 分钟平均负载 {load:.1f}，{os.cpu_count()} 核）")
    print(f"进程内存峰值（RSS）：扫描前 {before:.0f} MB，首次扫描后 {after:.0f} MB")
    if args.deliver:
        start = time.perf_counter()
        delivered = deliver_all(budget=3600)
        print(f"发送 {delivered.sent:,} 条通知（站内消息；邮件到 dummy 后端）：{time.perf_counter() - start:.2f} 秒")
    print(f"通知表中共 {Notification.objects.count():,} 条")
    return 0


if __name__ == "__main__":
    sys.exit(main())
