"""Plain-text rendering of a parsed plan for `duban parse`."""
from __future__ import annotations

from duban.ingest.model import Plan

DEADLINE_KIND = {"date": "日期", "after_event": "事件后", "ongoing": "长期", "recurring": "周期"}


def describe_deadline(task) -> str:
    d = task.deadline
    if d is None:
        return "（未确定）"
    if d.kind == "date":
        return f"{d.date:%Y-%m-%d}"
    if d.kind == "after_event":
        return f"{d.event}后{d.working_days}个工作日"
    if d.kind == "recurring":
        return d.every
    return "长期坚持"


def render_text(plan: Plan) -> str:
    lines = [
        f"标题：{plan.title}",
        f"发文机关：{plan.issuer}",
        f"文号：{plan.doc_number}",
        f"成文日期：{plan.issued_on or ''}",
        f"年度：{plan.year or ''}",
        f"任务：{len(plan.tasks)} 项",
    ]
    for w in plan.warnings:
        lines.append(f"! {w}")
    section = None
    for t in plan.tasks:
        if t.section != section:
            section = t.section
            lines.append("")
            lines.append("【" + " / ".join(section) + "】" if section else "【未分类】")
        lines.append(f"{t.no}. {t.requirement}")
        if t.lead_units:
            lines.append("   牵头：" + "，".join(t.lead_units))
        if t.responsible_units or t.unit_groups:
            resp = [u.name for u in t.units if u.role != "lead" or u.group]
            lines.append("   负责落实：" + "，".join(resp))
        lines.append(f"   时限：{t.deadline_text or '（空）'} → {describe_deadline(t)}")
        if t.score is not None:
            lines.append(f"   分值：{t.score:g}")
        if t.note:
            lines.append(f"   说明：{t.note}")
        for w in t.warnings:
            lines.append(f"   ! {w}")
    return "\n".join(lines) + "\n"
