"""A plan whose units carry very different workloads, in different groups of the directory.

60 tasks, all due 2021-06-30, each unit responsible (1 point) for tasks 1…n of them:

    unit              kind (group)           n    what happened
    区财政局          局 (区直部门)          60   tasks 1–57 accepted on time, 58–60 not started     57/60 = 95.00
    区民政局          局 (区直部门)          60   tasks 1–54 accepted on time, 55–60 not started     54/60 = 90.00
    区司法局          局 (区直部门)           2   both accepted on time                               2/2 = 100.00, but only 2 scored
    马街街道办事处    街道办事处 (街道)       3   all accepted on time                                3/3 = 100.00
    前卫街道办事处    街道办事处 (街道)       4   tasks 1–2 on time, 3 not started, 4 submitted 06-28
                                                   and never reviewed (awaiting)                      2/3 = 66.67, 待审核1项
    区税务局          垂直管理单位 (其他单位)  3   all accepted on time                                3/3 = 100.00

On-time work is submitted 2021-06-29 and accepted 2021-06-30. No returns, no deductions, no grades.
"""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

AS_OF = dt.date(2021, 12, 31)
DUE = dt.date(2021, 6, 30)
FINANCE, CIVIL, JUSTICE = "区财政局", "区民政局", "区司法局"
MAJIE, QIANWEI, TAX = "马街街道办事处", "前卫街道办事处", "区税务局"
WORKLOAD = {  # unit → (tasks, on time: task numbers, awaiting: task numbers)
    FINANCE: (60, range(1, 58), ()),
    CIVIL: (60, range(1, 55), ()),
    JUSTICE: (2, range(1, 3), ()),
    MAJIE: (3, range(1, 4), ()),
    QIANWEI: (4, range(1, 3), (4,)),
    TAX: (3, range(1, 4), ()),
}


def at(y, m, d, hh=10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(y, m, d, hh))


def build(org):
    from duban.directory.models import Unit
    from duban.plans.models import Assignment, Plan, Section, Task

    plan = Plan.objects.create(org=org, title="西山区2021年政务公开工作要点分工方案（考评分组）", year=2021,
                               issuer="昆明市西山区人民政府办公室", issued_on=dt.date(2021, 3, 1),
                               source_file="plans/comparable.txt", source_name="comparable.txt", sha256="1" * 64)
    section = Section.objects.create(plan=plan, title="推进重点领域信息公开", order=1)
    tasks = Task.objects.bulk_create([
        Task(plan=plan, section=section, no=no, requirement=f"第{no}项工作要求。", deadline_kind="date",
             deadline_date=DUE, deadline_text="6月30日前完成", units_text="")
        for no in range(1, 61)])
    tasks = {t.no: t for t in Task.objects.filter(plan=plan)}
    units = {n: Unit.objects.get(org=org, name=n) for n in WORKLOAD}
    rows = []
    for name, (n, on_time, awaiting) in WORKLOAD.items():
        for no in range(1, n + 1):
            a = Assignment(task=tasks[no], unit=units[name], role="responsible", due_date=DUE)
            if no in on_time:
                a.status, a.submitted_at, a.accepted_at = "accepted", at(2021, 6, 29), at(2021, 6, 30)
            elif no in awaiting:
                a.status, a.submitted_at = "submitted", at(2021, 6, 28)
            rows.append(a)
    Assignment.objects.bulk_create(rows)
    return plan, units
