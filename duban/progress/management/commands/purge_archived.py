"""`duban purge_archived --before DATE`: delete for good what was archived before DATE.

Archiving (duban.plans.archiving) never loses a unit's work; this is the one place that does, on purpose:
assignments archived before the day (a unit removed from a task, the units of a task dropped by a revised
plan) with their reports, evidence links, attachments and the files on disk, status history and reminders,
and tasks archived before the day. Each one is listed, and a ChangeRecord (修改记录) says what was purged.
`--dry-run` only lists. Files are removed from disk after the database change has committed.
"""
from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from duban.instructions.models import Instruction
from duban.plans.models import Assignment, ChangeRecord, Task
from duban.progress.models import Attachment, Report, StatusChange

NOTE = "duban purge_archived"


def _day(value: str) -> datetime.datetime:
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期“{value}”格式不对，应为 YYYY-MM-DD。") from None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class Command(BaseCommand):
    help = "彻底删除指定日期以前归档的任务分工和任务，连同其报送、佐证附件（含磁盘上的文件）和状态记录；逐项列出并记入修改记录。"

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="删除此日期（YYYY-MM-DD）以前归档的内容")
        parser.add_argument("--dry-run", action="store_true", help="只列出，不删除")

    def handle(self, *args, before, dry_run=False, **options):
        cutoff = _day(before)
        tasks = list(Task.all_objects.filter(archived_at__lt=cutoff).select_related("plan").order_by("plan_id", "no"))
        task_ids = [t.pk for t in tasks]
        assignments = sorted(
            Assignment.all_objects.filter(Q(archived_at__lt=cutoff) | Q(task__in=task_ids)).select_related("task", "task__plan", "unit"),
            key=lambda a: (a.task.plan_id, a.task.no, a.unit.sort_order, a.pk),
        )
        if any(a.archived_at is None for a in assignments):  # archive_task archives them all; never purge work in force
            raise CommandError("归档的任务中还有未归档的任务分工，未作删除。")
        files: list = []
        reports = {a.pk: 0 for a in assignments}
        for r in Report.objects.filter(assignment__in=list(reports)).values_list("assignment", flat=True):
            reports[r] += 1
        attachments = list(Attachment.objects.filter(report__assignment__in=list(reports)).select_related("report"))
        files_of: dict[int, int] = {}
        for att in attachments:
            files_of[att.report.assignment_id] = files_of.get(att.report.assignment_id, 0) + 1
        for a in assignments:
            self.stdout.write(
                f"{a.task.plan.title} 第{a.task.no}项 {a.unit.name}：归档于 {timezone.localtime(a.archived_at):%Y-%m-%d %H:%M}"
                f"（{a.archived_reason or '—'}），{reports[a.pk]} 条报送，{files_of.get(a.pk, 0)} 个附件"
            )
        instructions = {t.pk: 0 for t in tasks}
        for task_id in Instruction.objects.filter(task__in=task_ids).values_list("task", flat=True):
            instructions[task_id] += 1
        for t in tasks:
            self.stdout.write(f"{t.plan.title} 第{t.no}项（任务）：归档于 {timezone.localtime(t.archived_at):%Y-%m-%d %H:%M}（{t.archived_reason or '—'}）"
                              + (f"，{instructions[t.pk]} 条领导批示" if instructions[t.pk] else ""))
        if dry_run:
            self.stdout.write(f"共 {len(assignments)} 条任务分工、{len(tasks)} 项任务可删除（--dry-run，未删除）。")
            return
        with transaction.atomic():
            for a in assignments:
                ChangeRecord.objects.create(
                    plan_id=a.task.plan_id, task=a.task, task_no=a.task.no, object_type="assignment", object_id=str(a.pk),
                    field=f"清除归档：{a.unit.name}", before=f"{a.get_role_display()}，{reports[a.pk]} 条报送，{files_of.get(a.pk, 0)} 个附件",
                    after="（已彻底删除）", note=NOTE,
                )
            for t in tasks:
                ChangeRecord.objects.create(
                    plan_id=t.plan_id, task=t, task_no=t.no, object_type="task", object_id=str(t.pk),
                    field="清除归档：任务", before=f"第{t.no}项：{t.requirement[:80]}", after="（已彻底删除）", note=NOTE,
                )
            ids = [a.pk for a in assignments]
            files = [(att.file.storage, att.file.name) for att in attachments if att.file]
            StatusChange.objects.filter(assignment__in=ids).delete()
            Report.objects.filter(assignment__in=ids).delete()  # their links and attachments go with them
            Assignment.all_objects.filter(pk__in=ids).delete()
            Instruction.objects.filter(task__in=task_ids).delete()  # 领导批示 are kept as long as their task, no longer
            Task.all_objects.filter(pk__in=task_ids).delete()

            def remove_files():
                for storage, name in files:
                    storage.delete(name)

            transaction.on_commit(remove_files)
        self.stdout.write(f"已删除 {len(assignments)} 条任务分工、{len(tasks)} 项任务，{len(files)} 个附件文件。")
