"""Inputs for the document tests, built here (no database).

The 74 division rows follow the shape of 西山区2021年政务公开工作要点分工方案: the same
section headings in the same order, one or two levels deep, with requirement texts
and units taken from a short list in turn.
"""
import datetime as dt
import itertools

from duban.documents.model import (
    AnnualSection,
    AnnualTaskRow,
    AssessmentRow,
    AssessmentTable,
    BulletinData,
    DivisionRow,
    Figures,
    NamedUnit,
    OverdueItem,
    PlanMeta,
    UnitStat,
    UnitTaskList,
    UnitTaskRow,
)

D = dt.date

# (section headings, number of tasks), in plan order: 74 tasks.
SECTIONS = [
    (["深化重点领域信息公开", "推进各类规划主动公开"], 3),
    (["推进重大建设项目批准和实施领域信息公开"], 1),
    (["推进财政领域信息公开"], 7),
    (["推进公共卫生领域信息公开"], 3),
    (["推进市场监管领域信息公开"], 3),
    (["推进生态环境领域信息公开"], 3),
    (["推进民生保障领域信息公开"], 5),
    (["推进重点领域统计数据公开"], 1),
    (["强化政策解读与回应关切"], 9),
    (["积极回应关切"], 5),
    (["筑牢政务公开工作基础", "加强政务信息管理"], 7),
    (["提高依申请公开工作质量"], 3),
    (["规范政务公开平台建设", "强化政府网站建设"], 4),
    (["规范政务公开平台建设", "加强政府系统政务新媒体清理整合"], 4),
    (["推进政务服务便民热线优化整合"], 3),
    (["加强政务公开工作保障"], 3),
    (["强化监督考核"], 3),
    (["提升培训效果"], 2),
    (["狠抓工作落实"], 5),
]

REQUIREMENTS = [
    "主动公开“十四五”规划纲要。",
    "做好政府和社会资本合作（PPP）项目的信息公开工作，按照国家有关要求，及时向社会公开项目的基本情况、推进进度等有关信息，接受社会监督。",
    "依法依规稳步推动地方政府债务信息公开，通过集中统一平台定期公开地方政府债务限额、余额，地方政府债券发行、项目、还本付息、重大事项、存续期管理，以及经济社会发展指标、财政状况等有关信息。",
    "进一步扩大预决算公开范围，推进部门所属单位预算、决算及有关报表公开。",
    "加强政务舆情回应台账管理，认真核查已作出的承诺落实及公开情况，切实维护政府公信力。",
]

UNITS = [
    (["区政府办公室", "区发展改革局"], []),
    (["区财政局", "区发展改革局"], ["区政府各办、局", "各街道办事处"]),
    (["区财政局"], ["区政府各办、局", "各街道办事处"]),
    ([], ["区政府各办、局", "各街道办事处"]),
    (["区市场监管局", "区司法局"], ["区政府各办、局", "各街道办事处"]),
]

DEADLINES = ["10月31日前完成", "文件成文后20个工作日内，在门户网站公开发布", "12月31日前完成", "长期坚持"]

PLAN = PlanMeta(title="西山区2021年政务公开工作要点分工方案", issuer="昆明市西山区人民政府办公室",
                doc_number="西政办通〔2021〕51号", date=D(2021, 8, 12), year=2021)


def division_rows(n=None):
    rows = []
    sections = [s for s, count in SECTIONS for _ in range(count)]
    for i, section in enumerate(sections[:n] if n else sections):
        lead, resp = UNITS[i % len(UNITS)]
        rows.append(DivisionRow(no=i + 1, section=list(section), requirement=REQUIREMENTS[i % len(REQUIREMENTS)],
                                lead_units=lead, responsible_units=resp, deadline_text=DEADLINES[i % len(DEADLINES)]))
    return rows


UNIT_NAMES = ["区财政局", "区民政局", "区市场监管局", "区卫生健康局", "区政府办公室"]
STATUSES = ["未开始", "进行中", "已完成", "已逾期"]


def unit_task_list(unit="区财政局", n=9):
    rows = []
    for i, row in enumerate(division_rows()[:n]):
        rows.append(UnitTaskRow(no=row.no, section=row.section, requirement=row.requirement,
                                role="牵头" if i % 3 == 0 else "负责落实", due_text=row.deadline_text,
                                status=STATUSES[i % len(STATUSES)],
                                due_date=D(2021, 10, 29) if i % 2 == 0 else None))
    return UnitTaskList(unit_name=unit, rows=rows, plan_title=PLAN.title, date=D(2021, 9, 1))


def bulletin():
    return BulletinData(
        title="关于2021年政务公开工作要点\n落实情况的督办通报",
        doc_number="西政办督〔2021〕3号",
        issuer="西山区人民政府办公室",
        date=D(2021, 10, 15),
        as_of=D(2021, 10, 14),
        plan_title=PLAN.title,
        addressee="各街道办事处，区政府各办、局",
        figures=Figures(total=74, done=40, on_time=35, overdue=6, in_progress=26, not_started=2),
        per_unit=[
            UnitStat("区财政局", assigned=12, done=10, overdue=1, on_time_rate=0.75, score=92.5),
            UnitStat("区民政局", assigned=8, done=8, overdue=0, on_time_rate=1.0, score=100),
            UnitStat("区市场监管局", assigned=9, done=5, overdue=2, on_time_rate=0.4444, score=81.25),
            UnitStat("区卫生健康局", assigned=6, done=3, overdue=3, on_time_rate=None, score=None),
        ],
        overdue=[
            OverdueItem(7, "区财政局", REQUIREMENTS[2], D(2021, 10, 8), 5),
            OverdueItem(16, "区市场监管局", "推进监管执法信息公开。", D(2021, 9, 30), 9),
            OverdueItem(18, "区卫生健康局", "做好信息公开和解读工作。", D(2021, 9, 30), 9),
        ],
        units_named=[
            NamedUnit("区民政局", "表扬", "按时完成全部8项任务，公开内容规范完整。"),
            NamedUnit("区卫生健康局", "通报批评", "3项任务逾期未完成，且未说明原因。"),
        ],
        requirements=["各单位要对照分工方案，逐项梳理任务进展，逾期事项须于10月22日前整改到位。"],
        cc=["区委办公室", "区人大常委会办公室", "区政协办公室"],
    )


def annual_section():
    rows = []
    for row in division_rows()[:12]:
        urls = [f"http://www.kmxs.gov.cn/c/2021-10-{row.no:02d}/{4000000 + row.no}.shtml"] if row.no % 3 else []
        if row.no == 2:
            urls.append("http://www.kmxs.gov.cn/zfxxgk/ghjh/")
        rows.append(AnnualTaskRow(no=row.no, requirement=row.requirement,
                                  done_text=f"已按要求完成第{row.no}项工作并在门户网站公开。", urls=urls))
    return AnnualSection(year=2021, area="西山区", figures=Figures(total=74, done=70, on_time=66, overdue=4),
                         rows=rows, intro=["2021年，西山区认真落实年度政务公开工作要点。"],
                         issuer="西山区人民政府办公室", date=D(2022, 1, 20))


ASSESSMENT_ITEMS = ["主动公开（30分）", "依申请公开（20分）", "政策解读（20分）", "平台建设（20分）", "组织保障（10分）"]


def assessment():
    rows = []
    for rank, (unit, scores) in enumerate([
        ("区民政局", [29.5, 20, 19, 18.5, 10]),
        ("区财政局", [28, 19.5, 18, 18, 9.5]),
        ("区市场监管局", [25, 18, 17.5, 16, 9]),
        ("区卫生健康局", [22, 16, 15, 15.5, 8]),
    ], 1):
        rows.append(AssessmentRow(rank=rank, unit=unit, score=sum(scores), breakdown=scores,
                                  remark="逾期3项" if unit == "区卫生健康局" else ""))
    return AssessmentTable(title="2021年度政务公开工作考评结果", items=ASSESSMENT_ITEMS, rows=rows,
                           notes=["考评依据《西山区2021年政务公开工作要点分工方案》落实情况和日常督办记录。"],
                           issuer="西山区人民政府办公室", date=D(2022, 1, 25))


def section_runs(rows, level):
    """Independent count of the 工作任务 cells at ``level``: runs of equal headings."""
    keys = []
    for r in rows:
        if len(r.section) > level:
            keys.append((tuple(r.section[: level + 1]), len(r.section) == level + 1))
        else:
            keys.append(None)  # covered by a shallower row's horizontal span
    return [k for k, _ in itertools.groupby(keys) if k is not None]
