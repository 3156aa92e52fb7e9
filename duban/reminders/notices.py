"""The words of reminders, escalations and 催办 notices (plain text; the robots get it as markdown)."""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cached_property

from duban.plans.models import ROLE_CHOICES

WEEKDAYS = "一二三四五六日"
ROLE_LABEL = dict(ROLE_CHOICES)
SIGNATURE = "——政务公开督办系统（系统自动发送）"  # read in 消息 as well as in e-mail


def day_text(d: datetime.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日（星期{WEEKDAYS[d.weekday()]}）"


def short_day(d: datetime.date) -> str:
    return f"{d.month}月{d.day}日"


@dataclass
class Item:
    """One assignment in a notice."""

    task_no: int
    requirement: str
    role: str
    due_date: datetime.date | None
    stage: str = ""
    overdue: bool = False
    overdue_working_days: int | None = None  # None when the calendar cannot count them
    days_left: int | None = None  # working days from today to the due date, both included

    def line(self) -> str:
        return self.text

    @cached_property
    def text(self) -> str:  # one item is in several digests (the liaisons', the 负责人's, the 分管负责人's)
        req = self.requirement.replace("\n", " ").strip()
        if len(req) > 60:
            req = req[:60] + "……"
        head = f"· 第{self.task_no}项（{ROLE_LABEL.get(self.role, self.role)}）{req}"
        if self.overdue:
            tail = f"  完成日期：{day_text(self.due_date)}，已逾期"
            if self.overdue_working_days is not None:
                tail += f" {self.overdue_working_days} 个工作日"
        elif self.due_date is None:
            tail = "  完成日期：尚未确定"
        else:
            tail = f"  完成日期：{day_text(self.due_date)}"
            if self.days_left is not None:
                tail += f"，还剩 {self.days_left} 个工作日（含今天）"
        return f"{head}\n{tail}"


def _split(items: list[Item]) -> tuple[list[Item], list[Item]]:
    def order(i: Item):
        return (i.due_date or datetime.date.max, i.task_no)

    overdue = sorted((i for i in items if i.overdue), key=order)
    soon = sorted((i for i in items if not i.overdue), key=order)
    return overdue, soon


def unit_digest(unit_name: str, plan_title: str, items: list[Item]) -> tuple[str, str]:
    """To the unit's liaisons: what is due soon and what is overdue, in one message."""
    overdue, soon = _split(items)
    if overdue and soon:
        subject = f"【逾期督办】{unit_name}：{len(overdue)} 项已逾期，{len(soon)} 项即将到期"
    elif overdue:
        subject = f"【逾期督办】{unit_name}：{len(overdue)} 项任务已逾期"
    else:
        dues = {i.due_date for i in soon}
        when = f"将于{short_day(soon[0].due_date)}到期" if len(dues) == 1 else "即将到期"
        subject = f"【督办提醒】{unit_name}：{len(soon)} 项任务{when}"
    parts = [f"{unit_name}：", f"《{plan_title}》中贵单位的以下任务需要抓紧办理。"]
    if overdue:
        parts.append(f"\n已逾期、尚未报送（{len(overdue)} 项）：")
        parts += [i.line() for i in overdue]
    if soon:
        parts.append(f"\n即将到期（{len(soon)} 项）：")
        parts += [i.line() for i in soon]
    parts.append("\n请按时完成，并在督办系统中报送进展和佐证材料（如信息公开发布的网页链接）。")
    parts.append(SIGNATURE)
    return subject[:200], "\n".join(parts)


def leader_digest(unit_name: str, leader_name: str, plan_title: str, items: list[Item]) -> tuple[str, str]:
    """To the unit's leader: the overdue items only."""
    overdue, _ = _split(items)
    subject = f"【逾期督办】{unit_name}有 {len(overdue)} 项任务逾期未报送"
    parts = [f"{leader_name or unit_name + '负责同志'}：", f"《{plan_title}》中{unit_name}的以下任务已超过完成日期，尚未报送办理情况，请督促落实："]
    parts += [i.line() for i in overdue]
    parts.append(SIGNATURE)
    return subject[:200], "\n".join(parts)


@dataclass
class UnitLine:
    unit_name: str
    count: int
    first_due: datetime.date
    max_overdue_working_days: int | None = None


def coordinator_digest(plan_title: str, today: datetime.date, lines: list[UnitLine]) -> tuple[str, str]:
    """To the coordinators: which units were escalated today."""
    total = sum(line.count for line in lines)
    subject = f"【逾期督办】{len(lines)} 个单位共 {total} 项任务逾期未报送"
    parts = [f"截至{day_text(today)}，《{plan_title}》中以下单位有任务逾期未报送，系统已通知单位联络员和负责人："]
    for line in lines:
        longest = f"，最长逾期 {line.max_overdue_working_days} 个工作日" if line.max_overdue_working_days is not None else ""
        parts.append(f"· {line.unit_name}：{line.count} 项（最早完成日期 {short_day(line.first_due)}{longest}）")
    parts.append("可在“督办总览”中查看逾期清单，并一键催办。")
    return subject[:200], "\n".join(parts)


def robot_digest(plan_title: str, today: datetime.date, soon: list[UnitLine], overdue: list[UnitLine]) -> tuple[str, str]:
    """One message a day for the group robot (robots rate-limit): counts per unit, no task texts."""
    subject = f"督办提醒（{short_day(today)}）"
    parts = [f"《{plan_title}》"]
    if overdue:
        parts.append("**已逾期未报送**")
        parts += [f"- {line.unit_name}：{line.count} 项（完成日期 {short_day(line.first_due)}）" for line in overdue]
    if soon:
        parts.append("**即将到期**")
        parts += [f"- {line.unit_name}：{line.count} 项（{short_day(line.first_due)}到期）" for line in soon]
    parts.append("请各单位联络员登录督办系统查看并报送。")
    return subject, "\n".join(parts)


def urge_notice(unit_name: str, plan_title: str, sender: str, items: list[Item], note: str = "",
                task_no: int | None = None, overdue_only: bool = False) -> tuple[str, str]:
    """A 催办: the unit's open items (of one task when ``task_no``; only the overdue ones when ``overdue_only``),
    with the coordinator's note."""
    overdue, soon = _split(items)
    if task_no is not None:
        subject = f"【催办】第{task_no}项：请{unit_name}抓紧办理"
        lead = f"{sender}提醒：《{plan_title}》第{task_no}项中贵单位的任务尚未办结" + ("，已逾期" if overdue else "") + "。请抓紧办理并及时报送。"
    elif overdue_only:
        subject = f"【催办】请{unit_name}抓紧办理 {len(overdue)} 项逾期任务"
        lead = f"{sender}提醒：《{plan_title}》中贵单位有 {len(overdue)} 项任务已逾期未报送（红灯）。请抓紧办理并及时报送。"
    else:
        subject = f"【催办】请{unit_name}抓紧办理政务公开任务"
        lead = (f"{sender}提醒：《{plan_title}》中贵单位尚有 {len(items)} 项任务未办结"
                + (f"，其中 {len(overdue)} 项已逾期" if overdue else "") + "。请抓紧办理并及时报送。")
    parts = [f"{unit_name}：", lead]
    if note:
        parts.append(f"\n催办意见：{note}")
    if overdue:
        parts.append("\n已逾期：")
        parts += [i.line() for i in overdue]
    if soon:
        parts.append("\n未办结：")
        parts += [i.line() for i in soon[:30]]
        if len(soon) > 30:
            parts.append(f"……另有 {len(soon) - 30} 项，请登录督办系统查看。")
    parts.append(SIGNATURE)
    return subject[:200], "\n".join(parts)


def red_units_robot(plan_title: str, sender: str, lines: list[UnitLine]) -> tuple[str, str]:
    """The group robots' one message when every red unit is urged at once: counts per unit."""
    subject = f"【催办】{len(lines)} 个单位有任务逾期未报送"
    parts = [f"《{plan_title}》", f"{sender}已向以下单位发出催办："]
    parts += [f"- {line.unit_name}：{line.count} 项逾期（最早完成日期 {short_day(line.first_due)}）" for line in lines]
    parts.append("请各单位联络员登录督办系统查看并报送。")
    return subject[:200], "\n".join(parts)


def task_urge_robot(plan_title: str, sender: str, task_no: int, unit_names: list[str], note: str) -> tuple[str, str]:
    subject = f"【催办】第{task_no}项"
    parts = [f"《{plan_title}》第{task_no}项", f"{sender}已向以下单位发出催办：{'、'.join(unit_names)}"]
    if note:
        parts.append(f"催办意见：{note}")
    return subject[:200], "\n".join(parts)
