"""A year in motion for a demo or training instance: `duban replay_demo --until 2021-09-30`.

Every assignment of the demo plan gets a story drawn from a random generator seeded with the seed, the
task number and the unit (so the same seed always tells the same story, whatever else is in the
database): when the unit starts, when it reports (early, on the day, late, or not at all), whether the
office returns the report once, when it is accepted and with what grade. The story is played up to
``until`` through the real lifecycle functions (duban.progress.lifecycle: start, submit, accept,
return_; duban.progress.dates.record_event_date for a task's starting event), each at its moment
(duban.workcal.clock.at), by the unit's liaison and the office's coordinator. Every report it makes is
marked ``demo`` (shown as 演示数据).

Running it again does not double anything: a step is played only if it is later than the assignment's
last change, so a second run to the same date does nothing and a run to a later date carries on where
the first stopped. An assignment on which a person has reported (a report not marked demo) is never
touched. Refused outside a demo or training instance (DEBUG or DUBAN_DEMO=1).

The in-site notices a step sends (报送 to the coordinators, 退回/通过 to the liaisons) carry the step's moment.
When the replay ends, each person's replayed notices are marked read (at their own moment) except the newest
ten of the last week before ``until``: someone opening the demo finds a few recent notices unread, not a
year's worth (a full replay to 2021-09-30 sends the coordinator 396).
"""
from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from duban.accounts.models import Profile
from duban.notify.models import InboxMessage
from duban.plans.models import LEAD, Assignment, Plan, Task
from duban.progress import dates, lifecycle
from duban.progress.models import Report
from duban.workcal import clock
from duban.workcal.calendar import UnknownCalendarYear, WorkCalendar

DAY = datetime.timedelta(days=1)
UNREAD_WINDOW = 7 * DAY  # a person's replayed notices of the last week before ``until`` stay unread,
UNREAD_AT_MOST = 10  # the newest ten of them

TEXTS = [
    "已在区政府门户网站“政务公开”专栏公开相关信息{n}条，并同步在政务新媒体发布。",
    "已按要求梳理本单位相关事项，完成信息公开{n}条，公开目录已同步更新。",
    "已制定工作方案，明确分管领导和具体承办人员，截至目前公开{n}条，后续按月更新。",
    "已完成政策文件及解读材料的同步公开，共{n}条，并在政务服务大厅设置查阅点。",
    "已组织专题会议部署落实，相关信息{n}条已在部门网站和区政府网站公开。",
]
RETURN_REASONS = [
    "请补充公开发布的网址，并说明公开条数。",
    "进展情况过于笼统，请写明具体做了什么、在哪里公开。",
    "佐证材料与本项任务不符，请核对后重新报送。",
    "请补充政策解读的公开情况。",
]
GRADES = ["excellent", "good", "good", "good", "fair", "fair", "poor"]


class ReplayRefused(Exception):
    """The replay cannot run here (not a demo instance, no demo users, a date in the future). Message in Chinese."""


@dataclass
class Step:
    at: datetime.datetime
    action: str  # start / submit / return / accept


@dataclass
class Result:
    until: datetime.date
    submitted: int = 0
    returned: int = 0
    accepted: int = 0
    started: int = 0
    events: int = 0
    kept: int = 0  # assignments a person has reported on: never touched
    no_liaison: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.submitted + self.returned + self.accepted + self.started + self.events

    def summary(self) -> str:
        day = f"{self.until.year}年{self.until.month}月{self.until.day}日"
        if not self.changed:
            return f"已回放至{day}：没有新的步骤（此前已回放到这一天或更晚）。"
        text = (f"已回放至{day}：开始办理 {self.started} 项，报送 {self.submitted} 份，退回 {self.returned} 份，"
                f"通过 {self.accepted} 份，录入起算事件日期 {self.events} 项；报送均标记为“演示数据”。")
        if self.kept:
            text += f"另有 {self.kept} 项已有真实报送，未作改动。"
        if self.no_liaison:
            text += f"{self.no_liaison} 项的单位没有联络员，未回放。"
        return text


def allowed() -> bool:
    return bool(settings.DEBUG or getattr(settings, "DUBAN_DEMO", False))


class Replay:
    def __init__(self, plan: Plan, until: datetime.date, seed: int, calendar: WorkCalendar):
        self.plan, self.until, self.seed, self.calendar = plan, until, seed, calendar
        self.start_day = (plan.issued_on or datetime.date(plan.year or until.year, 1, 1)) + DAY
        self.end = timezone.make_aware(datetime.datetime.combine(until, datetime.time(23, 59)))
        coordinator = Profile.objects.filter(org=plan.org_id, role=Profile.COORDINATOR, user__is_active=True).select_related("user").order_by("user_id").first()
        if coordinator is None:
            raise ReplayRefused(f"{plan.org.short_name}没有协调人账号。请先运行 duban demo_users。")
        self.coordinator = coordinator.user
        self.liaisons = {}
        for p in Profile.objects.filter(org=plan.org_id, role=Profile.LIAISON, user__is_active=True).select_related("user").order_by("user_id"):
            self.liaisons.setdefault(p.unit_id, p.user)

    # --- dates ---------------------------------------------------------------------------------

    def workday(self, d: datetime.date) -> datetime.date:
        """The first working day on or after d (weekdays when the calendar of the year is missing)."""
        for _ in range(30):
            try:
                if self.calendar.is_workday(d):
                    return d
            except UnknownCalendarYear:
                if d.weekday() < 5:
                    return d
            d += DAY
        return d

    def moment(self, rng: random.Random, d: datetime.date) -> datetime.datetime:
        d = self.workday(max(d, self.start_day))
        minutes = rng.randint(8 * 60 + 40, 17 * 60 + 20)
        return timezone.make_aware(datetime.datetime.combine(d, datetime.time(minutes // 60, minutes % 60)))

    def rng(self, *parts) -> random.Random:
        return random.Random(":".join(str(p) for p in (self.seed, self.plan.year, *parts)))

    # --- stories -------------------------------------------------------------------------------

    def story(self, a: Assignment) -> list[Step]:
        """What this unit does on this task in the year, as steps in time order (not cut at ``until``)."""
        rng = self.rng(a.task.no, a.unit_id)
        due = a.due_date or datetime.date(self.plan.year or self.until.year, 12, 31)
        kind = rng.choices(["early", "on_time", "late", "silent"], weights=[30, 35, 22, 13])[0]
        if kind == "silent":
            return [Step(self.moment(rng, self.start_day + rng.randint(5, 40) * DAY), "start")] if rng.random() < 0.5 else []
        offset = {"early": -rng.randint(12, 50), "on_time": -rng.randint(0, 11), "late": rng.randint(1, 35)}[kind]
        submit_day = max(due + offset * DAY, self.start_day + rng.randint(3, 15) * DAY)
        window = lifecycle.window_opens(a, self.calendar)  # a periodic task is reported once its window opens
        if window is not None:
            submit_day = max(submit_day, window[0])
        steps = []
        if rng.random() < 0.7:
            steps.append(Step(self.moment(rng, min(submit_day - rng.randint(3, 25) * DAY, submit_day - DAY)), "start"))
        steps.append(Step(self.moment(rng, submit_day), "submit"))
        review_day = submit_day + rng.randint(1, 6) * DAY
        if rng.random() < 0.18:
            steps.append(Step(self.moment(rng, review_day), "return"))
            submit_day = review_day + rng.randint(2, 9) * DAY
            steps.append(Step(self.moment(rng, submit_day), "submit"))
            review_day = submit_day + rng.randint(1, 5) * DAY
        steps.append(Step(self.moment(rng, review_day), "accept"))
        # Same-day steps keep their order: each comes at least a minute after the one before.
        for before, after in zip(steps, steps[1:]):
            if after.at <= before.at:
                after.at = before.at + datetime.timedelta(minutes=rng.randint(1, 90))
        return steps

    def draft(self, a: Assignment, rng: random.Random) -> lifecycle.ReportDraft:
        n = rng.randint(1, 30)
        links = []
        if a.role == LEAD or rng.random() < 0.6:  # a lead unit is accepted only with evidence
            links = [(f"https://www.example.gov.cn/xxgk/2021/t{a.task.no}-u{a.unit_id}-{n}.html", "公开页面")]
        return lifecycle.ReportDraft(text=rng.choice(TEXTS).format(n=n), links=links, demo=True)

    # --- playing -------------------------------------------------------------------------------

    def play(self, tasks=None) -> Result:
        result = Result(self.until)
        task_qs = Task.objects.filter(plan=self.plan).select_related("plan").order_by("no")
        if tasks:
            task_qs = task_qs.filter(no__in=tasks)
        for task in task_qs:
            self.record_event(task, result)
        assignments = (Assignment.objects.filter(task__in=task_qs).select_related("task", "task__plan", "unit")
                       .order_by("task__no", "unit__sort_order", "unit_id"))
        real = set(Report.objects.filter(assignment__in=assignments, demo=False).values_list("assignment_id", flat=True))
        for a in assignments:
            if a.pk in real:
                result.kept += 1
                continue
            liaison = self.liaisons.get(a.unit_id)
            if liaison is None:
                result.no_liaison += 1
                continue
            self.play_one(a, liaison, result)
        self.mark_old_notices_read(assignments.exclude(pk__in=real))
        return result

    def mark_old_notices_read(self, assignments) -> None:
        """The replayed reports' notices (this run's and earlier runs') are read at their moment, but for each
        person's newest UNREAD_AT_MOST of the last week."""
        unread = InboxMessage.objects.filter(links__assignment__in=assignments, batch__startswith="progress:report:", read_at__isnull=True)
        unread.filter(created_at__lt=self.end - UNREAD_WINDOW).update(read_at=F("created_at"))
        for user_id in set(unread.values_list("user_id", flat=True)):
            older = unread.filter(user_id=user_id).order_by("-created_at", "-pk").values_list("pk", flat=True)[UNREAD_AT_MOST:]
            InboxMessage.objects.filter(pk__in=list(older)).update(read_at=F("created_at"))

    def record_event(self, task: Task, result: Result) -> None:
        """The starting event (文件成文) of an event-relative task, a few working days after the plan."""
        if task.deadline_kind != "after_event" or task.event_date is not None:
            return
        rng = self.rng("event", task.no)
        day = self.workday(self.start_day + rng.randint(3, 12) * DAY)
        if day > self.until:
            return
        with clock.at(self.moment(rng, day)):
            message = dates.record_event_date(task, self.coordinator, day)
        result.events += 1
        if message:
            result.problems.append(message)

    def play_one(self, a: Assignment, liaison, result: Result) -> None:
        steps = self.story(a)
        last = a.status_changed_at
        for i, step in enumerate(steps):
            if step.at > self.end:
                break
            if last is not None and step.at <= last:
                continue  # played by an earlier run
            rng = self.rng("step", a.task.no, a.unit_id, i)  # one generator per step: a later run says the same
            sent_from = timezone.now()  # the inbox stamps the real time: the step's notices are those from now on
            try:
                with clock.at(step.at), transaction.atomic():
                    if step.action == "start":
                        if a.status != Assignment.NOT_STARTED:
                            continue
                        lifecycle.start(a, liaison)
                        result.started += 1
                    elif step.action == "submit":
                        lifecycle.submit(a, liaison, self.draft(a, rng))
                        result.submitted += 1
                    elif step.action == "return":
                        lifecycle.return_(a, self.coordinator, rng.choice(RETURN_REASONS))
                        result.returned += 1
                    else:
                        lifecycle.accept(a, self.coordinator, rng.choice(GRADES), "")
                        result.accepted += 1
                    if step.action != "start":  # starting sends no notice
                        InboxMessage.objects.filter(links__assignment=a, created_at__gte=sent_from).update(created_at=step.at)
            except lifecycle.TransitionError as exc:  # the assignment was changed by hand meanwhile: leave it
                result.problems.append(f"第{a.task.no}项 {a.unit.name}：{exc}")
                return
            a.refresh_from_db(fields=["status", "status_changed_at", "submitted_at", "accepted_at"])


def replay(plan: Plan, until: datetime.date, seed: int = 2021, tasks=None) -> Result:
    """Play the demo year of ``plan`` up to ``until`` (see the module docstring)."""
    from duban.workcal.services import get_calendar

    if not allowed():
        raise ReplayRefused("演示数据只能在演示或培训环境中生成：请设置 DUBAN_DEMO=1（或 DEBUG=1）。正式环境不要运行此命令。")
    if until > clock.today():
        raise ReplayRefused(f"--until {until} 晚于今天（{clock.today()}）：不能回放尚未到来的日子。演示时请设置 DUBAN_TODAY。")
    return Replay(plan, until, seed, get_calendar()).play(tasks)
