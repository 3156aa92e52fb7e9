"""Export jobs through the pages: create, progress, download with a UTF-8 file name; who may do what;
a crashed job fails with a message in Chinese."""
from __future__ import annotations

import datetime as dt
import io
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.utils import timezone

from duban.exports import build, jobs
from duban.exports.models import Bulletin, ExportJob
from duban.plans.models import Assignment
from tests.web.conftest import make_user

from .reading import docx_tables, workbook

pytestmark = pytest.mark.django_db


def download(client, job):
    r = client.get(f"/exports/{job.pk}/download/")
    assert r.status_code == 200
    return r, b"".join(r.streaming_content)


def test_coordinator_generates_the_division_table(seed_plan, as_user, coordinator):
    client = as_user(coordinator)
    r = client.post(f"/plans/{seed_plan.pk}/documents/new/", {"kind": "division", "fmt": "xlsx"})
    job = ExportJob.objects.get()
    assert r.url == f"/exports/{job.pk}/"
    page = client.get(r.url)
    assert page["Refresh"] == "1" and "排队中" in page.content.decode()  # queued: the page refreshes itself
    call_command("run_exports", stdout=io.StringIO())
    job.refresh_from_db()
    assert (job.status, job.progress) == ("done", 100)
    page = client.get(f"/exports/{job.pk}/")
    assert not page.has_header("Refresh") and "下载" in page.content.decode()
    r, blob = download(client, job)
    assert r["Content-Type"] == build.EXT_TYPES["xlsx"]
    assert r["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(seed_plan.title + '.xlsx')}"
    assert workbook(blob)["分工方案"]["A1"].value == seed_plan.title


def test_the_view_starts_the_job_after_commit(seed_plan, as_user, coordinator, monkeypatch, django_capture_on_commit_callbacks):
    started = []
    monkeypatch.setattr(jobs, "start", lambda job_id: started.append(job_id) or jobs.run(job_id))  # no thread in the test
    with django_capture_on_commit_callbacks(execute=True):
        as_user(coordinator).post(f"/plans/{seed_plan.pk}/documents/new/", {"kind": "assessment", "fmt": "docx"})
    job = ExportJob.objects.get()
    assert started == [job.pk] and job.status == "done" and job.result_name.endswith(".docx")
    assert jobs.run(job.pk) is None  # already claimed: a second worker does nothing


def test_a_liaison_gets_only_its_own_units_task_list(seed_plan, as_user, liaison, unit, coordinator):
    client = as_user(liaison)
    finance, other = unit("区财政局"), unit("区民政局")
    page = client.get(f"/plans/{seed_plan.pk}/documents/").content.decode()
    assert "区财政局" in page and "区民政局" not in page and "督办通报" not in page
    assert client.post(f"/plans/{seed_plan.pk}/documents/new/", {"kind": "unit_list", "fmt": "docx", "unit": other.pk}).status_code == 403
    assert client.post(f"/plans/{seed_plan.pk}/documents/new/", {"kind": "unit_list", "fmt": "docx"}).status_code == 403  # all units
    for kind in ("division", "bulletin", "annual", "assessment"):
        assert client.post(f"/plans/{seed_plan.pk}/documents/new/", {"kind": kind, "fmt": "docx"}).status_code == 403
    assert client.get(f"/plans/{seed_plan.pk}/documents/bulletin/").status_code == 403
    r = client.post(f"/plans/{seed_plan.pk}/documents/new/", {"kind": "unit_list", "fmt": "docx", "unit": finance.pk})
    assert r.status_code == 302
    jobs.run_pending()
    job = ExportJob.objects.get(created_by=liaison)
    resp, blob = download(client, job)
    assert "filename*=utf-8''" + quote("区财政局-任务清单.docx") in resp["Content-Disposition"]
    [table] = docx_tables(blob)
    assert len(table) - 1 == Assignment.objects.filter(task__plan=seed_plan, unit=finance).count()
    # someone else's job is not there for a liaison, and a liaison's job is not the coordinator's either
    other_job = ExportJob.objects.create(plan=seed_plan, kind="division", params={"fmt": "docx"}, created_by=coordinator)
    jobs.run(other_job.pk)
    assert client.get(f"/exports/{other_job.pk}/").status_code == 404
    assert client.get(f"/exports/{other_job.pk}/download/").status_code == 404
    assert as_user(coordinator).get(f"/exports/{job.pk}/download/").status_code == 404


def test_the_bulletin_form_is_filled_and_editable(year, as_user, coordinator):
    client = as_user(coordinator)
    r = client.get(f"/plans/{year.plan.pk}/documents/bulletin/?as_of=2021-12-31")
    form = r.context["form"]
    assert "区财政局｜通报批评｜" not in form.initial["named"]  # 66.7% on time: above the default threshold of 60%
    r = client.get(f"/plans/{year.plan.pk}/documents/bulletin/?as_of=2021-12-31&threshold=70")
    assert "区财政局｜通报批评｜" in r.context["form"].initial["named"]
    assert form.initial["doc_number"] == ""  # the 期号 is given when it is issued
    data = {"fmt": "docx", "as_of": "2021-12-31", "doc_number": "西政办督〔2022〕1号", "date": "2022-01-05",
            "title": "关于2021年政务公开工作要点落实情况的督办通报", "issuer": "昆明市西山区人民政府办公室",
            "addressee": "各街道办事处，区政府各办、局：", "named": "区教育体育局｜通报批评｜改过的事由。",
            "requirements": "第一段。\n第二段。", "cc": "区委办公室", "threshold": "60", "publicity": "此件不予公开",
            "action": "issue"}
    r = client.post(f"/plans/{year.plan.pk}/documents/bulletin/", data)
    job = ExportJob.objects.get()
    assert r.url == f"/exports/{job.pk}/" and job.params["doc_number"] == "西政办督〔2022〕1号"
    jobs.run_pending()
    _, blob = download(client, ExportJob.objects.get())
    from .reading import docx_text

    text = docx_text(blob)
    assert "区教育体育局：改过的事由。" in text and "区财政局：" not in text
    assert "西政办督〔2022〕1号" in text and "2022年1月5日" in text and "第二段。" in text
    assert "（此件不予公开）" in text
    # the bulletin was registered as issued: the next one of 2022 is number 2
    assert Bulletin.objects.get().number == 1 and Bulletin.next_number(year.plan.org_id, 2022) == 2


def test_a_crashing_job_fails_with_a_chinese_message(seed_plan, coordinator, monkeypatch):
    def boom(plan, params, step):
        step(40, "半路")
        raise RuntimeError("disk full")

    monkeypatch.setitem(jobs.BUILDERS, "division", boom)
    job = ExportJob.objects.create(plan=seed_plan, kind="division", params={"fmt": "docx"}, created_by=coordinator)
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.message.startswith("生成失败") and not job.result


def test_a_job_whose_worker_died_is_marked_failed(seed_plan, coordinator):
    job = ExportJob.objects.create(plan=seed_plan, kind="division", params={}, created_by=coordinator, status="running",
                                   started_at=timezone.now() - dt.timedelta(hours=1), progress=30)
    fresh = ExportJob.objects.create(plan=seed_plan, kind="division", params={}, created_by=coordinator, status="running",
                                     started_at=timezone.now(), progress=30)
    out = io.StringIO()
    call_command("run_exports", stdout=out)
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert job.status == "failed" and job.message == jobs.CRASHED
    assert fresh.status == "running"
    assert "标记中断 1 个" in out.getvalue()


def test_leader_may_generate_but_not_edit(seed_plan, as_user, leader):
    r = as_user(leader).post(f"/plans/{seed_plan.pk}/documents/new/", {"kind": "bulletin", "fmt": "docx"})
    assert r.status_code == 302
    liaison_user = make_user(seed_plan.org, "nobody", "leader")
    assert as_user(liaison_user).get(f"/exports/{ExportJob.objects.get().pk}/").status_code == 404


def test_old_jobs_and_their_files_are_cleaned_up(seed_plan, coordinator):
    job = ExportJob.objects.create(plan=seed_plan, kind="division", params={"fmt": "docx"}, created_by=coordinator)
    jobs.run(job.pk)
    job.refresh_from_db()
    path = job.result.path
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    out = io.StringIO()
    call_command("run_exports", "--keep-days", "30", stdout=out)
    assert "清理过期 1 个" in out.getvalue()
    assert not ExportJob.objects.filter(pk=job.pk).exists()
    import os

    assert not os.path.exists(path)


@pytest.mark.parametrize("who", ["coordinator", "leader"])
def test_every_page_opens_for_readers(year, as_user, who, request):
    client = as_user(request.getfixturevalue(who))
    p = year.plan.pk
    for url in ["/dashboard/", "/assessment/", "/documents/", f"/plans/{p}/dashboard/", f"/plans/{p}/assessment/",
                f"/plans/{p}/assessment/units/{year.units['区财政局'].pk}/", f"/plans/{p}/assessment/scheme/",
                f"/plans/{p}/assessment/deductions/", f"/plans/{p}/documents/", f"/plans/{p}/documents/bulletin/"]:
        r = client.get(url, follow=True)
        assert r.status_code == 200, url
    page = client.get(f"/plans/{p}/assessment/deductions/").content.decode()
    assert "政务新媒体发布错误信息被市级通报" in page
    assert ("录入扣分" in page) == (who == "coordinator")
