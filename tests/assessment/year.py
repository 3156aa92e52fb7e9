"""A simulated 2021: a small plan with on-time, late (around National Day), returned and missing work.

The plan (as of 2021-12-31; 2021 National Day: 1–7 October off, Sunday 26 Sept and Saturday 9 Oct worked):

    task  due         unit  role         what happened
    1     2021-09-30  财政  lead         submitted 09-30, accepted 10-09, 优          on time (submission counts)
    1     2021-09-30  民政  responsible  submitted 10-08, accepted 10-11, 良          1 working day late (10-08)
    1     2021-09-30  司法  responsible  submitted 10-08, returned 10-09; again 10-12, accepted 10-13, 中
                                                                                 4 working days late (10-08, 10-09 Sat worked, 10-11, 10-12)
    2     2021-10-29  财政  responsible  in progress, never submitted            missing
    2     2021-10-29  民政  lead         submitted 10-15, returned 10-20; 10-22, returned 10-25; 10-29, accepted 11-02, no grade
                                                                                 on time, 2 returns
    2     2021-10-29  教体  lead         submitted 12-31, accepted 12-31, 优          45 working days late → floor 50%
    3     2021-12-31  财政  lead         submitted 12-15, accepted 12-20, 差          on time
    3     2021-12-31  司法  lead         not started                              missing
    3     2021-12-31  教体  responsible  submitted 12-31, accepted 2022-01-05     not accepted by the as-of date: missing
    4     (长期坚持)   民政  responsible  submitted 11-12, accepted 11-15          on time (no due date)
    4     (长期坚持)   教体  responsible  in progress                            missing at year end
    5     2022-03-31  财政  lead         not started                              not due: not assessed

Manual deductions: 财政 −2 on 2021-11-20; 司法 −5 on 2022-01-10 (after the as-of date).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

FINANCE, CIVIL, JUSTICE, EDUCATION = "区财政局", "区民政局", "区司法局", "区教育体育局"
AS_OF = dt.date(2021, 12, 31)


def at(y, m, d, hh=10, mm=0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(y, m, d, hh, mm))


@dataclass
class Year:
    plan: object
    units: dict  # name → Unit
    tasks: dict  # no → Task
    assignments: dict  # (no, unit name) → Assignment


def build(org, coordinator=None) -> Year:
    from duban.assessment.models import Deduction
    from duban.directory.models import Unit
    from duban.plans.models import Assignment, Plan, Section, Task
    from duban.progress.models import EvidenceLink, Report, StatusChange

    plan = Plan.objects.create(org=org, title="西山区2021年政务公开工作要点分工方案（模拟）", doc_number="西政办通〔2021〕51号",
                               issuer="昆明市西山区人民政府办公室", issued_on=dt.date(2021, 8, 12), year=2021,
                               source_file="plans/simulated.txt", source_name="simulated.txt", sha256="0" * 64)
    top = Section.objects.create(plan=plan, title="深化重点领域信息公开", order=1)
    sub = Section.objects.create(plan=plan, title="推进财政领域信息公开", parent=top, order=2)
    base = Section.objects.create(plan=plan, title="筑牢政务公开工作基础", order=3)
    units = {n: Unit.objects.get(org=org, name=n) for n in (FINANCE, CIVIL, JUSTICE, EDUCATION)}
    specs = [
        (1, sub, "进一步扩大预决算公开范围。", "date", dt.date(2021, 9, 30), "9月30日前完成"),
        (2, top, "做好政府和社会资本合作（PPP）项目的信息公开工作。", "date", dt.date(2021, 10, 29), "10月29日前完成"),
        (3, base, "加强政务舆情回应台账管理。", "date", dt.date(2021, 12, 31), "12月31日前完成"),
        (4, base, "持续做好政策解读。", "ongoing", None, "长期坚持"),
        (5, base, "做好明年一季度的准备工作。", "date", dt.date(2022, 3, 31), "2022年3月31日前完成"),
    ]
    tasks = {}
    for no, section, req, kind, date, text in specs:
        tasks[no] = Task.objects.create(plan=plan, section=section, no=no, requirement=req, deadline_kind=kind,
                                        deadline_date=date, deadline_text=text, units_text="")
    roles = [(1, FINANCE, "lead"), (1, CIVIL, "responsible"), (1, JUSTICE, "responsible"),
             (2, FINANCE, "responsible"), (2, CIVIL, "lead"), (2, EDUCATION, "lead"),
             (3, FINANCE, "lead"), (3, JUSTICE, "lead"), (3, EDUCATION, "responsible"),
             (4, CIVIL, "responsible"), (4, EDUCATION, "responsible"), (5, FINANCE, "lead")]
    a = {}
    for no, name, role in roles:
        a[no, name] = Assignment.objects.create(task=tasks[no], unit=units[name], role=role, due_date=tasks[no].deadline_date)

    def history(key, submissions, accepted=None, grade="", url=None):
        """submissions: [(submitted, returned_at or None)]; the last one is accepted at ``accepted``."""
        asg = a[key]
        StatusChange.objects.create(assignment=asg, from_status="not_started", to_status="in_progress", at=submissions[0][0] - dt.timedelta(days=1))
        for i, (sub_at, returned_at) in enumerate(submissions):
            last = i == len(submissions) - 1
            outcome = "returned" if returned_at else ("accepted" if last and accepted else "pending")
            r = Report.objects.create(assignment=asg, text=f"{asg.unit.name}已完成第{asg.task.no}项（第{i + 1}次报送）。",
                                      published_on=sub_at.date(), submitted_at=sub_at, outcome=outcome,
                                      grade=grade if outcome == "accepted" else "",
                                      reviewed_at=returned_at or (accepted if outcome == "accepted" else None))
            if url and outcome == "accepted":
                EvidenceLink.objects.create(report=r, url=url, title="公开页面")
            StatusChange.objects.create(assignment=asg, report=r, from_status="in_progress", to_status="submitted", at=sub_at)
            if returned_at:
                StatusChange.objects.create(assignment=asg, report=r, from_status="submitted", to_status="returned", at=returned_at, reason="材料不全")
        asg.submitted_at = submissions[-1][0]
        if accepted:
            StatusChange.objects.create(assignment=asg, from_status="submitted", to_status="accepted", at=accepted)
            asg.status, asg.accepted_at = "accepted", accepted
        else:
            asg.status = "submitted"
        asg.save()

    history((1, FINANCE), [(at(2021, 9, 30), None)], at(2021, 10, 9), "excellent", "http://www.kmxs.gov.cn/c/2021-09-30/1.shtml")
    history((1, CIVIL), [(at(2021, 10, 8), None)], at(2021, 10, 11), "good")
    history((1, JUSTICE), [(at(2021, 10, 8), at(2021, 10, 9)), (at(2021, 10, 12), None)], at(2021, 10, 13), "fair")
    a[2, FINANCE].status = "in_progress"
    a[2, FINANCE].save()
    history((2, CIVIL), [(at(2021, 10, 15), at(2021, 10, 20)), (at(2021, 10, 22), at(2021, 10, 25)), (at(2021, 10, 29, 17, 30), None)],
            at(2021, 11, 2), "", "http://www.kmxs.gov.cn/c/2021-10-29/2.shtml")
    history((2, EDUCATION), [(at(2021, 12, 31, 9), None)], at(2021, 12, 31, 16), "excellent", "http://www.kmxs.gov.cn/c/2021-12-31/3.shtml")
    history((3, FINANCE), [(at(2021, 12, 15), None)], at(2021, 12, 20), "poor", "http://www.kmxs.gov.cn/c/2021-12-15/4.shtml")
    history((3, EDUCATION), [(at(2021, 12, 31), None)], at(2022, 1, 5), "good")
    history((4, CIVIL), [(at(2021, 11, 12), None)], at(2021, 11, 15), "")
    a[4, EDUCATION].status = "in_progress"
    a[4, EDUCATION].save()

    Deduction.objects.create(plan=plan, unit=units[FINANCE], points=2, reason="政务新媒体发布错误信息被市级通报", at=at(2021, 11, 20), by=coordinator)
    Deduction.objects.create(plan=plan, unit=units[JUSTICE], points=5, reason="年度报告未按时公开", at=at(2022, 1, 10), by=coordinator)
    return Year(plan, units, tasks, a)
