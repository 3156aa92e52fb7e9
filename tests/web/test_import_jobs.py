"""Uploading a plan makes an import job: the upload keeps the file and redirects to the job's page, which
shows the steps while the job runs and then answers what the upload answered when it parsed in the
request. The job is worked by a thread started after commit (here: run in the test, after commit) or by
`duban run_imports`; it is private to the coordinator who uploaded the file."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from duban import background
from duban.plans import import_jobs, importing
from duban.plans.models import IMPORT_STEPS, Assignment, ChangeRecord, ImportJob, Plan, PlanWarning, Task

from .conftest import SEED, make_user, seed_bytes
from .test_import import files_under, revised_seed

pytestmark = pytest.mark.django_db

# Two tasks, every unit in the directory, every deadline a date: nothing to settle after the import.
CLEAN_PLAN = """昆明市西山区人民政府办公室文件
西政办通〔2022〕7号
昆明市西山区人民政府办公室
2022年3月1日
西山区2022年政务公开工作要点分工方案

序号\t工作任务\t具体要求\t牵头落实单位\t完成时限
1\t深化重点领域信息公开\t主动公开“十四五”规划纲要。\t区政府办公室、区发展改革局负责落实\t10月31日前完成
2\t推进财政领域信息公开\t进一步扩大预决算公开范围。\t区财政局牵头；区政府各办、局，各街道办事处负责落实\t10月31日前完成
""".encode()


@pytest.fixture
def started(monkeypatch):
    """The jobs the upload started after commit, worked here instead of in a thread."""
    ids = []
    monkeypatch.setattr(import_jobs, "start", lambda job_id: ids.append(job_id) or import_jobs.run(job_id))
    return ids


@pytest.fixture
def client_c(client, org):
    client.force_login(make_user(org, "c", "coordinator"))
    return client


def _named(data: bytes, name: str) -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


def post(client, data: bytes, name: str, **extra):
    return client.post("/plans/upload/", {"file": _named(data, name), **extra})


def upload_and_run(client, capture, data: bytes, name: str, **extra):
    """Upload; the job runs once the request has committed. Returns the job and what its page answers."""
    with capture(execute=True):
        r = post(client, data, name, **extra)
    job = ImportJob.objects.latest("id")
    assert r.status_code == 302 and r["Location"] == f"/plans/imports/{job.pk}/"
    job.refresh_from_db()
    assert job.finished
    return job, client.get(r["Location"])


def pending_files(media_root):
    return files_under(media_root / "pending")


# --- each outcome, through the job ------------------------------------------------------------------


def test_a_new_plan_with_warnings_lands_on_its_review_page(client_c, org, media_root, started, django_capture_on_commit_callbacks):
    job, r = upload_and_run(client_c, django_capture_on_commit_callbacks, seed_bytes(), "西山区2021.txt")
    plan = Plan.objects.get()
    assert started == [job.pk]
    assert (job.status, job.outcome, job.progress, job.plan) == ("done", "new", 100, plan)
    assert r.status_code == 302 and r["Location"] == f"/plans/{plan.pk}/review/"
    page = client_c.get(r["Location"]).content.decode()
    n = PlanWarning.objects.filter(plan=plan, settled_at__isnull=True).count()
    assert f"已导入《{plan.title}》：74 项任务，有 {n} 条提示待处理。" in page
    assert plan.created_by.username == "c" and plan.source_name == "西山区2021.txt" and plan.source_file.read() == seed_bytes()
    assert (job.file_name, job.sha256) == ("西山区2021.txt", importing.sha256_of(seed_bytes()))
    assert pending_files(media_root) == []  # the plan keeps its own copy; the pending file is gone


def test_a_new_plan_without_warnings_lands_on_the_plan(client_c, org, started, django_capture_on_commit_callbacks):
    job, r = upload_and_run(client_c, django_capture_on_commit_callbacks, CLEAN_PLAN, "clean.txt")
    plan = Plan.objects.get()
    assert not PlanWarning.objects.filter(plan=plan).exists()
    assert r.status_code == 302 and r["Location"] == f"/plans/{plan.pk}/"
    assert f"已导入《{plan.title}》：2 项任务。" in client_c.get(r["Location"]).content.decode()


def test_a_duplicate_links_to_the_plan_and_changes_nothing(client_c, seed_plan, media_root, started, django_capture_on_commit_callbacks):
    counts = (Plan.objects.count(), Task.objects.count(), Assignment.objects.count(), PlanWarning.objects.count())
    job, r = upload_and_run(client_c, django_capture_on_commit_callbacks, seed_bytes(), "again.txt")
    assert (job.outcome, job.plan) == ("duplicate", seed_plan)
    assert r.status_code == 302 and r["Location"] == f"/plans/{seed_plan.pk}/"
    assert f"该方案已导入过（《{seed_plan.title}》），未作改动。" in client_c.get(r["Location"]).content.decode()
    assert (Plan.objects.count(), Task.objects.count(), Assignment.objects.count(), PlanWarning.objects.count()) == counts
    assert not ChangeRecord.objects.exists() and pending_files(media_root) == []


def test_unknown_units_are_listed_with_their_tasks_and_nothing_is_stored(client_c, org, media_root, started, django_capture_on_commit_callbacks):
    data = revised_seed("区统计局牵头", "区大数据局牵头").replace("区目督办".encode(), "区督查室".encode())
    job, r = upload_and_run(client_c, django_capture_on_commit_callbacks, data, "plan.txt")
    assert (job.status, job.outcome) == ("done", "unknown_units")
    assert r.status_code == 400
    body = r.content.decode()
    assert "以下 2 个单位不在单位名录中" in body and "区大数据局（第26项）；区督查室（第65项）" in body  # the document's order
    assert "<td>区大数据局</td><td>第26项</td>" in body and "<td>区督查室</td><td>第65项</td>" in body
    assert 'href="/directory/"' in body and 'action="/plans/upload/"' in body  # the directory, and the form to try again
    assert Plan.objects.count() == Task.objects.count() == 0 and files_under(media_root) == []
    # with keep_unknown the same file is imported, the unknown names left to settle
    job, r = upload_and_run(client_c, django_capture_on_commit_callbacks, data, "plan.txt", keep_unknown="on")
    plan = Plan.objects.get()
    assert job.outcome == "new" and r["Location"] == f"/plans/{plan.pk}/review/"
    assert set(PlanWarning.objects.filter(kind=PlanWarning.UNKNOWN_UNIT).values_list("subject", flat=True)) == {"区大数据局", "区督查室"}


def test_a_revision_goes_to_the_confirm_page_then_applies(client_c, seed_plan, media_root, started, django_capture_on_commit_callbacks):
    data = revised_seed("年内至少组织开展1次政务公开业务培训", "年内至少组织开展2次政务公开业务培训")
    job, r = upload_and_run(client_c, django_capture_on_commit_callbacks, data, "revised.txt")
    assert (job.outcome, job.plan) == ("revision", seed_plan)
    assert r.status_code == 302 and r["Location"] == f"/plans/upload/{job.token}/"
    assert pending_files(media_root) == [media_root / import_jobs.pending_name(job.token)]  # kept for the confirm page
    body = client_c.get(r["Location"]).content.decode()
    assert "确认按修订版更新" in body and "2次政务公开业务培训" in body and "修改 1 项" in body
    assert "1次政务公开业务培训" in seed_plan.tasks.get(no=68).requirement  # nothing written yet
    r = client_c.post(r["Location"], {"action": "apply"})
    assert r.status_code == 302 and r["Location"] == f"/plans/{seed_plan.pk}/"
    assert "2次政务公开业务培训" in seed_plan.tasks.get(no=68).requirement
    assert ChangeRecord.objects.get(task__no=68, field="具体要求").user.username == "c"
    assert pending_files(media_root) == []
    # the job page again, later: the file has been used, the confirm page says so
    r = client_c.get(f"/plans/imports/{job.pk}/", follow=True)
    assert "待确认的文件已失效" in r.content.decode()


def test_a_corrupt_file_fails_with_a_chinese_message_and_stores_nothing(client_c, org, media_root, started, django_capture_on_commit_callbacks):
    job, r = upload_and_run(client_c, django_capture_on_commit_callbacks, b"PK\x03\x04broken zip", "plan.docx")
    assert job.status == "failed" and job.error.startswith("无法导入：") and job.message == "导入失败"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in job.error.removeprefix("无法导入："))
    assert r.status_code == 400 and not r.has_header("Refresh")
    body = r.content.decode()
    assert job.error in body and "plan.docx" in body and 'action="/plans/upload/"' in body
    assert Plan.objects.count() == Task.objects.count() == 0 and files_under(media_root) == []


def test_a_crash_fails_the_job_with_a_chinese_message_and_stores_nothing(client_c, org, media_root, started, monkeypatch,
                                                                         django_capture_on_commit_callbacks):
    def failing(*args):  # halfway through writing the plan: its tasks are in, its assignments not
        assert Task.objects.exists()
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing.bulk, "insert_rows", failing)
    job, r = upload_and_run(client_c, django_capture_on_commit_callbacks, seed_bytes(), "plan.txt")
    assert job.status == "failed" and job.error == "无法导入：处理文件时出错（RuntimeError）。请稍后重试，或联系管理员查看日志。"
    assert r.status_code == 400 and job.error in r.content.decode()
    assert Plan.objects.count() == Task.objects.count() == Assignment.objects.count() == 0
    assert files_under(media_root) == []


# --- the job page while it runs, and its progress -------------------------------------------------------


def test_the_job_page_refreshes_until_the_job_is_done(client_c, org, media_root):
    r = post(client_c, seed_bytes(), "plan.txt")  # not committed in the test: nothing starts the job
    job = ImportJob.objects.get()
    page = client_c.get(r["Location"])
    assert page.status_code == 200 and page["Refresh"] == "1"
    body = page.content.decode()
    assert "排队中" in body and all(step in body for step in IMPORT_STEPS)
    assert (media_root / import_jobs.pending_name(job.token)).read_bytes() == seed_bytes()
    ImportJob.objects.filter(pk=job.pk).update(status="running", started_at=timezone.now(), message="核对单位", progress=64)
    body = client_c.get(r["Location"]).content.decode()
    assert '<li class="done">识别表格 ✓</li>' in body and '<li class="current" aria-current="step">核对单位……</li>' in body
    assert 'value="64"' in body and "正在核对单位" in body
    call_command("run_imports", stdout=io.StringIO())  # someone else is working it: left alone
    assert ImportJob.objects.get().status == "running"


def test_progress_moves_forward_through_the_steps_to_100(client_c, org, monkeypatch, started, django_capture_on_commit_callbacks):
    seen = []  # (progress, message) of the row after each report
    real = background.report

    def recording(model, job_id, percent, message):
        real(model, job_id, percent, message)
        seen.append(model.objects.values_list("progress", "message").get(pk=job_id))

    monkeypatch.setattr(background, "report", recording)
    job, _ = upload_and_run(client_c, django_capture_on_commit_callbacks, seed_bytes(), "plan.txt")
    values = [p for p, _ in seen] + [job.progress]
    assert values == sorted(values) and values[-1] == 100 and len(set(values)) > 5, values
    assert max(values[:-1]) < 100  # 100 only once it is done
    steps = [m for _, m in seen]
    assert sorted(set(steps), key=steps.index) == list(IMPORT_STEPS)  # every step, in order
    assert job.message.startswith("已导入《")


def test_the_script_following_the_upload_gets_the_job_page(client_c, org, started, django_capture_on_commit_callbacks):
    """upload.js follows the upload's redirect with XMLHttpRequest (the header stays on the redirect), then opens
    the page itself: the script is given the job page, even when the job is done, and the message waits."""
    xhr = {"X-Requested-With": "XMLHttpRequest"}
    with django_capture_on_commit_callbacks(execute=True):
        r = client_c.post("/plans/upload/", {"file": _named(CLEAN_PLAN, "clean.txt")}, headers=xhr)
    job = ImportJob.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/plans/imports/{job.pk}/"
    r = client_c.get(r["Location"], headers=xhr)  # the redirect, followed by the script once the job is done
    assert r.status_code == 200 and "已完成" in r.content.decode() and not r.has_header("Refresh")
    assert 'class="messages"' not in r.content.decode()  # no message added, none shown
    r = client_c.get(f"/plans/imports/{job.pk}/", follow=True)  # the browser opens it
    assert r.redirect_chain == [(f"/plans/{job.plan_id}/", 302)]
    assert "已导入《西山区2022年政务公开工作要点分工方案》：2 项任务。" in r.content.decode()


def test_a_deleted_plan_leaves_the_job_page_readable(client_c, org, started, django_capture_on_commit_callbacks):
    job, _ = upload_and_run(client_c, django_capture_on_commit_callbacks, CLEAN_PLAN, "clean.txt")
    Plan.objects.all().delete()
    r = client_c.get(f"/plans/imports/{job.pk}/")
    assert r.status_code == 200 and "该方案已被删除" in r.content.decode()


# --- who may see a job ----------------------------------------------------------------------------------


def test_a_job_is_private_to_the_coordinator_who_uploaded(client, org, unit):
    owner = make_user(org, "c", "coordinator")
    client.force_login(owner)
    url = post(client, seed_bytes(), "plan.txt")["Location"]
    assert client.get(url).status_code == 200
    for other in (make_user(org, "c2", "coordinator"), make_user(org, "leader", "leader"),
                  make_user(org, "l", "liaison", unit("区民政局"))):
        client.force_login(other)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url)["Location"].startswith("/login/")


# --- the command and failed workers --------------------------------------------------------------------


def test_run_imports_finishes_queued_jobs(client_c, org, media_root):
    post(client_c, seed_bytes(), "plan.txt")  # the thread never started (say, the server restarted)
    job = ImportJob.objects.get()
    out = io.StringIO()
    call_command("run_imports", stdout=out)
    assert "处理 1 个任务，失败 0 个，标记中断 0 个" in out.getvalue()
    job.refresh_from_db()
    assert (job.status, job.outcome, job.progress) == ("done", "new", 100) and Plan.objects.count() == 1
    assert import_jobs.run(job.pk) is None  # claimed once: a second worker does nothing
    assert pending_files(media_root) == []


def test_a_job_whose_worker_died_is_marked_failed(client_c, org, media_root):
    post(client_c, seed_bytes(), "stale.txt")
    post(client_c, CLEAN_PLAN, "fresh.txt")
    stale, fresh = ImportJob.objects.order_by("id")
    ImportJob.objects.filter(pk=stale.pk).update(status="running", started_at=timezone.now() - dt.timedelta(minutes=16), progress=30)
    ImportJob.objects.filter(pk=fresh.pk).update(status="running", started_at=timezone.now(), progress=30)
    out = io.StringIO()
    call_command("run_imports", stdout=out)
    assert "标记中断 1 个" in out.getvalue()
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == "failed" and stale.error == import_jobs.CRASHED and fresh.status == "running"
    assert not (media_root / import_jobs.pending_name(stale.token)).exists() and (media_root / import_jobs.pending_name(fresh.token)).exists()
    r = client_c.get(f"/plans/imports/{stale.pk}/")
    assert r.status_code == 400 and "导入过程意外中断" in r.content.decode()
    assert Plan.objects.count() == 0


def test_a_job_whose_worker_process_has_ended_fails_at_once_not_after_15_minutes(client_c, org, media_root):
    """The server restarted in the middle of a write: the job page says so at the next refresh."""
    import socket
    import subprocess

    ended = subprocess.Popen(["true"])
    ended.wait()  # a process that has come and gone: its pid names no worker any more
    post(client_c, seed_bytes(), "gone.txt")
    post(client_c, CLEAN_PLAN, "alive.txt")
    post(client_c, CLEAN_PLAN, "elsewhere.txt")
    gone, alive, elsewhere = ImportJob.objects.order_by("id")
    started = timezone.now() - dt.timedelta(minutes=1)
    ImportJob.objects.filter(pk=gone.pk).update(status="running", started_at=started, progress=75, message="写入",
                                                worker=f"{socket.gethostname()}:{ended.pid}:1")
    ImportJob.objects.filter(pk=alive.pk).update(status="running", started_at=started, progress=75, message="写入",
                                                 worker=background.worker_id())
    ImportJob.objects.filter(pk=elsewhere.pk).update(status="running", started_at=started, progress=75, message="写入",
                                                     worker="another-host:12345:1")
    r = client_c.get(f"/plans/imports/{gone.pk}/")
    assert r.status_code == 400 and "导入过程意外中断" in r.content.decode()
    gone.refresh_from_db()
    assert gone.status == "failed" and not (media_root / import_jobs.pending_name(gone.token)).exists()
    # a worker that is still running, or on another host, is left to finish (or to the stale rule)
    assert client_c.get(f"/plans/imports/{alive.pk}/")["Refresh"] == "1"
    call_command("run_imports", stdout=io.StringIO())
    assert set(ImportJob.objects.filter(status="running").values_list("pk", flat=True)) == {alive.pk, elsewhere.pk}
    assert Plan.objects.count() == 0


def test_a_claimed_job_records_its_worker(client_c, org, media_root):
    post(client_c, CLEAN_PLAN, "plan.txt")
    job = ImportJob.objects.get()
    import_jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == "done" and job.worker == background.worker_id()


def test_old_jobs_and_unconfirmed_revisions_are_cleaned_up(client_c, seed_plan, media_root, started, django_capture_on_commit_callbacks):
    job, _ = upload_and_run(client_c, django_capture_on_commit_callbacks, revised_seed("年内至少组织开展1次", "年内至少组织开展3次"), "r.txt")
    assert job.outcome == "revision" and (media_root / import_jobs.pending_name(job.token)).exists()  # never confirmed
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    out = io.StringIO()
    call_command("run_imports", "--keep-days", "30", stdout=out)
    assert "清理过期 1 个" in out.getvalue()
    assert not ImportJob.objects.exists() and pending_files(media_root) == []


def test_the_command_line_import_is_unchanged(org):
    call_command("import", "--org", "西山区", str(SEED), stdout=io.StringIO())
    assert Plan.objects.count() == 1 and not ImportJob.objects.exists()


def test_the_upload_page_lists_my_recent_imports_only(client, org, started, django_capture_on_commit_callbacks):
    me, other = make_user(org, "c", "coordinator"), make_user(org, "c2", "coordinator")
    client.force_login(me)
    job, _ = upload_and_run(client, django_capture_on_commit_callbacks, CLEAN_PLAN, "clean.txt")
    plan = Plan.objects.get()
    page = client.get("/plans/upload/").content.decode()
    assert "最近的导入" in page and f'href="/plans/imports/{job.pk}/"' in page and plan.title in page
    client.force_login(other)
    assert "最近的导入" not in client.get("/plans/upload/").content.decode()
