"""What the documents SAY, derived by hand from the facts of a fixture year (never by calling
duban.assessment.figures): the 督办通报, the 年度报告 section and the unit task lists.

The simulated year of tests/assessment/year.py, plus a task 6 (due 2021-10-15) with:

    区统计局      submitted 10-14, accepted 10-15         on time           → praised
    区司法局      submitted 10-14, never reviewed          awaiting review (the office's backlog, 78 days by 12-31)
    区民政局      submitted 10-12, returned 10-13          returned, overdue
    区政府办公室  not started                             overdue — but it issues the bulletin: never criticised

As of 2021-12-31, counted from the table in year.py and the lines above:

    assignments 16; due (due date ≤ 12-31) 13: tasks 1, 2, 3 (9) and task 6 (4)
    accepted 8 (财政1 民政1 司法1 民政2 教体2 财政3 民政4 统计6), of them due 7 (all but 民政4)
    on time, of those due: 财政1, 民政2, 财政3, 统计6 = 4            → 完成率 7/13 = 53.8%, 按时 4/13 = 30.8%
    awaiting review: 教体3 (submitted 12-31), 司法6 (10-14) = 2, both before their due dates
    overdue: 财政2 (in progress), 民政6 (returned), 政府办6 (not started) = 3; not 司法6, not 司法3 (due that day)
    tasks 6; due 4 (1, 2, 3, 6); all units done: task 1 only (not on time); with overdue units: 2 and 6
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from duban.exports import build
from duban.exports.models import Bulletin, ExportJob
from tests.assessment.year import AS_OF, CIVIL, EDUCATION, FINANCE, JUSTICE, at

from .reading import docx_tables, docx_text, sheet_rows, workbook

pytestmark = pytest.mark.django_db

OFFICE, STATS = "区政府办公室", "区统计局"


@pytest.fixture
def story(year, org):
    from duban.directory.models import Unit
    from duban.plans.models import Assignment, Task
    from duban.progress.models import Report, StatusChange

    task = Task.objects.create(plan=year.plan, section=year.tasks[3].section, no=6, requirement="公开政府信息公开工作年度报告。",
                               deadline_kind="date", deadline_date=dt.date(2021, 10, 15), deadline_text="10月15日前完成")
    year.tasks[6] = task
    for name, role in [(STATS, "lead"), (JUSTICE, "responsible"), (CIVIL, "responsible"), (OFFICE, "lead")]:
        year.units.setdefault(name, Unit.objects.get(org=org, name=name))
        year.assignments[6, name] = Assignment.objects.create(task=task, unit=year.units[name], role=role, due_date=task.deadline_date)

    def submit(name, when, outcome, reviewed=None):
        a = year.assignments[6, name]
        r = Report.objects.create(assignment=a, text=f"{name}已报送。", submitted_at=when, outcome=outcome, reviewed_at=reviewed)
        StatusChange.objects.create(assignment=a, from_status="not_started", to_status="in_progress", at=when - dt.timedelta(days=1))
        StatusChange.objects.create(assignment=a, report=r, from_status="in_progress", to_status="submitted", at=when)
        a.submitted_at = when
        if outcome == "accepted":
            StatusChange.objects.create(assignment=a, from_status="submitted", to_status="accepted", at=reviewed)
            a.status, a.accepted_at = "accepted", reviewed
        elif outcome == "returned":
            StatusChange.objects.create(assignment=a, report=r, from_status="submitted", to_status="returned", at=reviewed)
            a.status = "returned"
        else:
            a.status = "submitted"
        a.save()

    submit(STATS, at(2021, 10, 14), "accepted", at(2021, 10, 15))
    submit(JUSTICE, at(2021, 10, 14), "pending")
    submit(CIVIL, at(2021, 10, 12), "returned", at(2021, 10, 13))
    return year


def params(plan, **extra):
    s = build.bulletin_suggestions(plan, AS_OF, threshold=extra.pop("threshold", 60))
    p = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in s.items()}
    p.update({"date": "2022-01-05", "contact": "张三，0871-68000000", "rectify_by": "2022-01-20"}, **extra)
    return p


def paragraphs_between(text: str, start: str, end: str) -> str:
    return text[text.index(start): text.index(end)]


# --- the 督办通报 -----------------------------------------------------------------------------------


def test_bulletin_body_says_both_levels_with_honest_denominators(story):
    _, blob = build.build_bulletin(story.plan, params(story.plan, fmt="docx", doc_number="第1期"))
    text = docx_text(blob)
    assert "截至2021年12月31日" in text
    assert "共6项任务，分解到6个责任单位，共16项任务分工" in text
    assert "已到完成时限的13项，已完成7项（按时完成4项、逾期完成3项），完成率53.8%，按时完成率30.8%" in text
    assert "逾期未完成3项" in text
    assert "已报送、待审核2项（其中2项在完成时限前报送，最久已等待78天），属审核环节积压，不计为单位逾期" in text
    assert "6项任务中已到期4项；所有责任单位均已完成的1项（其中按时0项）" in text and "有单位逾期未完成的2项" in text
    # the old misleading sentence (a share of all tasks, everything counted as due) is gone
    assert "完成率16.7%" not in text


def test_praise_first_then_units_under_the_threshold_never_the_issuing_office(story):
    named = build.parse_named(build.bulletin_suggestions(story.plan, AS_OF, threshold=60)["named"])
    # 统计局: its one due task on time. 民政: 1 of 3 due on time (33.3%) with 民政6 overdue.
    # 财政: 2 of 3 on time (66.7%) ≥ 60. 司法: 0 of 3 on time but nothing overdue (司法6 awaits review).
    # 政府办公室: 0 of 1 and overdue, but it issues the bulletin.
    assert [(n.unit, n.kind) for n in named] == [(STATS, "通报表扬"), (CIVIL, "通报批评")]
    assert named[1].reason.startswith("按时完成率33.3%，逾期未完成1项")
    at_70 = build.parse_named(build.bulletin_suggestions(story.plan, AS_OF, threshold=70)["named"])
    assert [n.unit for n in at_70 if n.kind == "通报批评"] == [CIVIL, FINANCE]  # the directory's order
    assert "最长逾期63天（45个工作日）" in next(n.reason for n in at_70 if n.unit == FINANCE)

    # even typed in by hand, the issuing office is not criticised
    p = params(story.plan, fmt="docx", named=f"{STATS}｜通报表扬｜按时。\n{OFFICE}｜通报批评｜逾期。\n{CIVIL}｜通报批评｜逾期。")
    text = docx_text(build.build_bulletin(story.plan, p)[1])
    assert f"{OFFICE}：" not in text and f"{CIVIL}：逾期。" in text
    assert text.index("（一）通报表扬") < text.index(f"{STATS}：按时。") < text.index("（二）通报批评")
    body = text[: text.index("附件1")]
    assert "整改" in body and "2022年1月20日前完成整改" in body and "联系人及电话：张三，0871-68000000。" in body
    assert "（此件公开发布）" in body


def test_tables_are_annexes_and_awaiting_work_is_not_overdue(story):
    _, blob = build.build_bulletin(story.plan, params(story.plan, fmt="docx", doc_number="第1期"))
    text = docx_text(blob)
    assert "附件：1．各单位落实情况统计表" in text and "2．逾期未完成事项清单" in text
    body = text[: text.index("\n附件1\n")]
    assert "各单位落实情况统计表" not in body.split("附件：")[0]  # the tables are not in the body
    tables = docx_tables(blob)
    units = next(t for t in tables if t[0][1] == "责任单位")
    assert units[0][2:] == ["承担任务", "已到期", "其中已完成", "其中按时完成", "已报送待审核", "逾期未完成", "完成率", "按时完成率"]
    rows = {r[1]: r[2:] for r in units[1:]}
    assert rows[JUSTICE] == ["3", "3", "1", "0", "1", "0", "33.3%", "0.0%"]
    assert rows[CIVIL] == ["4", "3", "2", "1", "0", "1", "66.7%", "33.3%"]
    assert rows[EDUCATION] == ["3", "2", "1", "0", "1", "0", "50.0%", "0.0%"]
    assert rows[STATS] == ["1", "1", "1", "1", "0", "0", "100.0%", "100.0%"]
    overdue = next(t for t in tables if t[0][1] == "任务编号")
    assert overdue[0][-2:] == ["逾期天数（日历天）", "逾期工作日"]
    got = {r[1]: (r[2], r[5]) for r in overdue[1:]}
    assert got == {"2": (FINANCE, "63"), "6": (f"{OFFICE}、{CIVIL}", "77")}  # 12-31 − 10-29, 12-31 − 10-15
    assert JUSTICE not in "".join(r[2] for r in overdue[1:])


def test_addressee_covers_every_group(story):
    s = build.bulletin_suggestions(story.plan, AS_OF)
    # 财政、民政、司法、教体、统计 are 局 (区政府办公室 issues it): "区政府各办、局"
    assert s["addressee"] == "区政府各办、局："


def test_unit_task_lists_say_awaiting_review_not_overdue(story):
    _, blob = build.build_unit_lists(story.plan, {"fmt": "docx", "unit": story.units[JUSTICE].pk, "as_of": "2021-12-31"})
    [table] = docx_tables(blob)
    status = {int(r[0]): r[5] for r in table[1:]}
    assert status == {1: "已完成（逾期完成）", 3: "未开始", 6: "已报送待审核"}
    text = docx_text(blob)
    assert "截至2021年12月31日，已完成1项，已报送待审核1项，退回修改0项，推进中0项，未开始1项；逾期未完成0项。" in text
    _, blob = build.build_unit_lists(story.plan, {"fmt": "xlsx", "unit": story.units[CIVIL].pk, "as_of": "2021-12-31"})
    _, rows = sheet_rows(workbook(blob).active)
    assert {r[0]: r[6] for r in rows} == {1: "已完成（逾期完成）", 2: "已完成（按时）", 4: "已完成（按时）", 6: "逾期未完成（退回修改）"}


# --- the 年度报告 section ---------------------------------------------------------------------------


def test_annual_section_reads_as_a_report(story):
    _, blob = build.build_annual(story.plan, {"fmt": "docx", "as_of": "2021-12-31", "date": "2022-01-20"})
    text = docx_text(blob)
    assert "（统计截止2021年12月31日）" in text
    assert "将6项政务公开工作任务分解到6个责任单位" in text
    assert "已到完成时限的13项中已完成7项（按时完成4项），完成率53.8%，按时完成率30.8%；已报送待审核2项，逾期未完成3项" in text
    assert "（一）已完成的任务（1项）\n第1项，所有责任单位均已完成并通过审核。" in text
    # 2: 民政, 教体 accepted, 财政 not; 6: 统计 accepted, 政府办 and 民政 overdue, 司法 awaiting review
    assert f"（三）逾期未完成的任务（2项）\n第2项（完成2/3，{FINANCE}逾期未完成）；第6项（完成1/4，{OFFICE}、{CIVIL}逾期未完成）。" in text
    # 3: 财政 accepted, 教体 awaiting, 司法 due that day; 4: 民政 accepted, 教体 in progress, no due date; 5: not due
    assert (f"（二）正在推进的任务（3项）\n第3项（完成1/3，{EDUCATION}已报送待审核，{JUSTICE}正在落实）；"
            f"第4项（完成1/2，{EDUCATION}正在落实，尚未到期）；第5项（完成0/1，{FINANCE}正在落实，尚未到期）。") in text
    assert "昆明市西山区人民政府办公室" in text and text.rstrip().endswith("2022年1月20日")
    assert "已完成第1项（第1次报送）" not in text  # the liaisons' texts only in the optional appendix
    [figures_table] = docx_tables(blob)
    rows = {r[0]: r[1:] for r in figures_table[1:]}
    assert rows["截至统计日已到期"] == ["4项", "13项"] and rows["逾期未完成"] == ["2项", "3项"]
    assert rows["按时完成率（÷已到期）"] == ["0.0%", "30.8%"]

    _, blob = build.build_annual(story.plan, {"fmt": "docx", "as_of": "2021-12-31", "appendix": True, "sign": "none"})
    text = docx_text(blob)
    assert "附件" in text and "昆明市西山区人民政府办公室" not in text
    evidence = docx_tables(blob)[-1]
    assert f"{FINANCE}：{FINANCE}已完成第1项（第1次报送）。（2021年9月30日公开）" in evidence[1][2]


# --- the 期号 register --------------------------------------------------------------------------------


def form_data(plan, action):
    p = params(plan, fmt="docx")
    p = {k: ("" if v is None else v) for k, v in p.items()}
    p["action"] = action
    return p


def test_bulletin_numbers_are_kept_per_year_and_do_not_drift(story, as_user, coordinator):
    from duban.exports import jobs

    client = as_user(coordinator)
    url = f"/plans/{story.plan.pk}/documents/bulletin/"
    client.post(url, form_data(story.plan, "preview"))  # a preview takes no number
    assert Bulletin.objects.count() == 0 and ExportJob.objects.get().params["doc_number"] == ""
    client.post(url, form_data(story.plan, "issue"))
    first = Bulletin.objects.get()
    assert (first.year, first.number) == (2022, 1)  # the year of its 成文日期 (2022-01-05)
    assert ExportJob.objects.latest("id").params["doc_number"] == "第1期"
    jobs.run_pending()
    ExportJob.objects.all().delete()  # old exports purged
    client.post(url, form_data(story.plan, "issue"))
    assert list(Bulletin.objects.order_by("number").values_list("number", flat=True)) == [1, 2]
    # generating the first one again keeps its number and takes none
    r = client.get(f"{url}?bulletin={first.pk}")
    assert r.context["form"].initial["bulletin"] == first.pk
    data = form_data(story.plan, "issue")
    data["bulletin"] = first.pk
    client.post(url, data)
    assert Bulletin.objects.count() == 2 and ExportJob.objects.latest("id").params["doc_number"] == "第1期"
    jobs.run_pending()
    job = ExportJob.objects.latest("id")
    assert job.status == "done" and "第1期" in job.result_name
    assert Bulletin.next_number(story.plan.org_id, 2022) == 3 and Bulletin.next_number(story.plan.org_id, 2023) == 1


def test_a_leader_may_preview_but_not_issue(story, as_user, leader):
    client = as_user(leader)
    url = f"/plans/{story.plan.pk}/documents/bulletin/"
    assert client.post(url, form_data(story.plan, "issue")).status_code == 403
    assert client.post(url, form_data(story.plan, "preview")).status_code == 302
    assert Bulletin.objects.count() == 0


def test_another_organisations_bulletin_cannot_be_reissued(story, as_user, coordinator):
    from duban.directory.models import Organisation

    other = Organisation.objects.create(name="别的区人民政府", short_name="别的区")
    b = Bulletin.objects.create(org=other, year=2022, number=1, as_of=AS_OF, issued_on=AS_OF, params={})
    client = as_user(coordinator)
    assert client.get(f"/plans/{story.plan.pk}/documents/bulletin/?bulletin={b.pk}").status_code == 404
    data = form_data(story.plan, "issue")
    data["bulletin"] = b.pk
    assert client.post(f"/plans/{story.plan.pk}/documents/bulletin/", data).status_code == 404


# --- pages ------------------------------------------------------------------------------------------


def test_unit_page_and_lights_say_awaiting_review_not_overdue(story, as_user, coordinator, monkeypatch):
    from duban.plans import deadlines

    monkeypatch.setattr(deadlines, "office_today", lambda: AS_OF)
    html = as_user(coordinator).get(f"/units/{story.units[JUSTICE].pk}/").content.decode()
    # 司法: 1 accepted (task 1), 6 submitted on 10-14 and never reviewed, 3 not started and due today
    assert "截至2021年12月31日：已完成 1 项，已报送待审核 1 项，退回修改 0 项，推进中 0 项，未开始 1 项；逾期未完成 0 项" in html
    row = html[html.index('data-no="6"'):]
    row = row[: row.index("</tr>")]
    assert "light-review" in row and "待审核" in row and "light-red" not in row
    html = as_user(coordinator).get(f"/units/{story.units[CIVIL].pk}/").content.decode()
    row = html[html.index('data-no="6"'):]
    assert "light-red" in row[: row.index("</tr>")]  # returned and past the due date: overdue
    # the dashboard: the same figures, its as-of date, the review backlog
    r = as_user(coordinator).get(f"/plans/{story.plan.pk}/dashboard/?date=2021-12-31")
    total = r.context["total"]
    assert (total.total, total.due, total.accepted_due, total.on_time, total.awaiting, total.overdue) == (16, 13, 7, 4, 2, 3)
    assert r.context["backlog"].oldest_days == 78
    assert "截至2021年12月31日" in r.content.decode()


def test_annual_section_options_from_the_documents_page(story, as_user, coordinator):
    from duban.exports import jobs

    client = as_user(coordinator)
    r = client.post(f"/plans/{story.plan.pk}/documents/new/", {"kind": "annual", "fmt": "docx", "as_of": "2021-12-31",
                                                                "date": "2022-01-20", "sign": "date", "appendix": "1"})
    assert r.status_code == 302
    job = ExportJob.objects.get()
    assert job.params["sign"] == "date" and job.params["appendix"] is True
    jobs.run_pending()
    job.refresh_from_db()
    text = docx_text(job.result.open("rb").read())
    assert "（统计截止2021年12月31日）" in text and text.count("2022年1月20日") == 1
    assert "昆明市西山区人民政府办公室\n2022年1月20日" not in text  # the date alone, no 署名
    assert "各项任务落实情况（各单位报送）" in text  # the appendix was asked for
