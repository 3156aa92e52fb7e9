"""A revised plan keeps people's work: units and tasks it drops are archived with their reports, evidence,
files, grades and history; a coordinator's fix stands while the source text it fixed is unchanged; the confirm
page says in red what the revision would overwrite or take away."""
from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from duban.plans import editing, importing
from duban.plans.models import Assignment, ChangeRecord, PlanWarning, Task
from duban.progress import lifecycle
from duban.progress.lifecycle import ReportDraft
from duban.progress.models import Attachment, Report, StatusChange
from tests.progress.samples import PDF, upload as file_upload

from .conftest import make_user, seed_bytes
from .test_import import upload

URL = "http://www.kmxs.gov.cn/c/2021-09-01/1.shtml"
D = datetime.date


def revised(*changes: tuple[int, str, str]) -> bytes:
    """The seed plan with, in the row of task `no`, `old` replaced by `new`."""
    lines = seed_bytes().decode("utf-8").split("\n")
    for no, old, new in changes:
        i = next(i for i, line in enumerate(lines) if line.startswith(f"{no}\t"))
        assert old in lines[i], (no, old)
        lines[i] = lines[i].replace(old, new, 1)
    return "\n".join(lines).encode("utf-8")


def revise(plan, data: bytes, user=None, name="revised.txt"):
    prep = importing.prepare(plan.org, data, name)
    assert prep.status == "revision"
    importing.apply(prep, user)
    return prep


def report(a, liaison, text):
    return lifecycle.submit(a, liaison, ReportDraft(text=text, links=[(URL, "")], files=[file_upload("说明.pdf", PDF, "application/pdf")]))


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def confirm_page(client, data: bytes) -> tuple[str, str]:
    r = upload(client, data, "revised.txt")
    assert r.status_code == 302 and "/plans/upload/" in r["Location"], r
    return r["Location"], client.get(r["Location"]).content.decode()


def alerts_of(page: str) -> str:
    """The red part of the confirm page."""
    assert 'id="revision-alerts"' in page
    return page[page.index('id="revision-alerts"'):page.index("</div>", page.index('id="revision-alerts"'))]


# --- units dropped from a task ----------------------------------------------------------------------------


def test_a_revision_that_drops_a_unit_archives_its_work_and_keeps_everyone_elses(seed_plan, org, unit, coordinator, coordinator_client, media_root):
    task = seed_plan.tasks.get(no=4)
    finance, civil = unit("区财政局"), unit("区民政局")
    finance_liaison = make_user(org, "l-finance", "liaison", finance)
    civil_liaison = make_user(org, "l-civil", "liaison", civil)
    a_fin = task.assignments.get(unit=finance)
    a_civ = task.assignments.get(unit=civil)
    report(a_fin, finance_liaison, "财政局报送的进展。")
    report(a_civ, civil_liaison, "民政局报送的进展。")
    lifecycle.accept(a_civ, coordinator, "excellent")
    history_civ = StatusChange.objects.filter(assignment=a_civ).count()
    files = {p: p.read_bytes() for p in (Path(att.file.path) for att in Attachment.objects.all())}
    assert len(files) == 2

    data = revised((4, "区司法局、区财政局、", "区司法局、"))
    url, page = confirm_page(coordinator_client, data)
    red = alerts_of(page)
    assert "第4项：将删除区财政局已报送的1条进展（将归档，不会删除）" in red
    assert "民政局" not in red
    assert Assignment.objects.filter(pk=a_fin.pk).exists()  # nothing written before confirming
    assert coordinator_client.post(url, {"action": "apply"}).status_code == 302

    a_fin = Assignment.all_objects.get(pk=a_fin.pk)
    assert a_fin.archived_at is not None and a_fin.archived_by == coordinator and "修订版中不再有此单位" in a_fin.archived_reason
    assert Report.objects.filter(assignment=a_fin, text="财政局报送的进展。").exists()
    # 区民政局: the same assignment, its accepted report with its grade, its history; and every file on disk
    a_civ = Assignment.objects.get(pk=a_civ.pk)
    assert a_civ.status == Assignment.ACCEPTED
    assert Report.objects.get(assignment=a_civ).grade == "excellent"
    assert StatusChange.objects.filter(assignment=a_civ).count() == history_civ
    assert all(p.read_bytes() == content for p, content in files.items())
    assert Attachment.objects.count() == 2
    rec = ChangeRecord.objects.get(task=task, field="分工：区财政局")
    assert rec.by_import and rec.after == "（移除，已归档）"
    # the task page shows it among the removed units
    assert "已移除的单位" in coordinator_client.get(f"/tasks/{task.pk}/").content.decode()

    # A later revision naming the unit again gives it back its assignment, report and all.
    revise(seed_plan, seed_bytes(), coordinator, name="again.txt")
    again = Assignment.objects.get(task=task, unit=finance)
    assert again.pk == a_fin.pk and again.status == Assignment.SUBMITTED and again.reports.count() == 1


# --- a coordinator's fixes ------------------------------------------------------------------------------------


def test_a_manual_deadline_stays_while_the_source_deadline_is_unchanged(seed_plan, coordinator, coordinator_client):
    task = seed_plan.tasks.get(no=8)
    editing.update_task(task, coordinator, {"deadline_kind": "date", "deadline_date": D(2021, 9, 30)}, note="提前完成")
    assert set(Assignment.objects.filter(task=task).values_list("due_date", flat=True)) == {D(2021, 9, 30)}

    data = revised((8, "进一步扩大预决算公开范围", "进一步扩大预决算公开的范围"))
    url, page = confirm_page(coordinator_client, data)
    assert "时限" not in page[page.index("<h2>任务</h2>"):]  # the deadline is not in the diff
    assert 'id="revision-alerts"' not in page
    coordinator_client.post(url, {"action": "apply"})
    task = Task.objects.get(pk=task.pk)
    assert "预决算公开的范围" in task.requirement
    assert task.deadline_date == D(2021, 9, 30) and task.deadline_text == "10月31日前完成"
    assert set(Assignment.objects.filter(task=task).values_list("due_date", flat=True)) == {D(2021, 9, 30)}


def test_a_changed_source_deadline_overrides_the_manual_one_with_a_red_warning(seed_plan, coordinator, coordinator_client):
    task = seed_plan.tasks.get(no=8)
    editing.update_task(task, coordinator, {"deadline_kind": "date", "deadline_date": D(2021, 9, 30)}, note="提前完成")
    data = revised((8, "10月31日前完成", "11月30日前完成"))
    url, page = confirm_page(coordinator_client, data)
    assert "第8项：将覆盖人工设置的时限" in alerts_of(page)
    coordinator_client.post(url, {"action": "apply"})
    task = Task.objects.get(pk=task.pk)
    assert task.deadline_date == D(2021, 11, 30) and task.deadline_text == "11月30日前完成"
    assert set(Assignment.objects.filter(task=task).values_list("due_date", flat=True)) == {D(2021, 11, 30)}
    # The revision wrote last: a further revision with the same deadline text follows the document, with no warning.
    prep = importing.prepare(seed_plan.org, revised((8, "10月31日前完成", "11月30日前完成"), (8, "进一步扩大", "继续扩大")), "third.txt")
    assert [t.alerts for t in prep.diff.tasks] == [[]]


def test_a_deadline_set_on_the_review_page_and_its_settled_warning_survive(seed_plan, coordinator, coordinator_client):
    w = PlanWarning.objects.get(plan=seed_plan, task__no=21, kind=PlanWarning.MISSING_DEADLINE)
    r = coordinator_client.post(f"/warnings/{w.pk}/", {"deadline_kind": "date", "deadline_date": "2021-11-30"})
    assert r.status_code == 302
    revise(seed_plan, revised((21, "做好促进高校毕业生", "切实做好促进高校毕业生")), coordinator)
    task = Task.objects.get(plan=seed_plan, no=21)
    assert task.requirement.startswith("切实做好") and task.deadline_date == D(2021, 11, 30)
    w = PlanWarning.objects.get(plan=seed_plan, task=task, kind=PlanWarning.MISSING_DEADLINE)
    assert w.settled


def test_units_fixed_by_hand_stay_while_the_source_units_text_is_unchanged(seed_plan, coordinator, unit):
    task = seed_plan.tasks.get(no=8)
    audit = unit("区审计局")
    editing.update_task(task, coordinator, {"units_text": "区财政局牵头；区审计局负责落实"}, note="按领导批示")
    editing.set_assignments(task, coordinator, {unit("区财政局"): "lead", audit: "responsible"}, note="按领导批示")
    revise(seed_plan, revised((8, "进一步扩大预决算公开范围", "进一步扩大预决算公开的范围")), coordinator)
    task = Task.objects.get(pk=task.pk)
    assert task.units_text == "区财政局牵头；区审计局负责落实"
    assert {a.unit.name for a in task.assignments.all()} == {"区财政局", "区审计局"}
    # When the document's units change, the document wins and says so.
    prep = importing.prepare(seed_plan.org, revised((8, "区财政局牵头", "区财政局、区审计局牵头")), "units.txt")
    (td,) = prep.diff.tasks
    assert "将覆盖人工指定的单位（原文已改动）" in td.alerts and td.units_change


# --- tasks dropped from the plan --------------------------------------------------------------------------------


def test_a_task_dropped_by_a_revision_is_archived_with_its_work(seed_plan, org, unit, coordinator, coordinator_client, media_root):
    office = unit("区政府办公室")
    liaison = make_user(org, "l-office", "liaison", office)
    task = seed_plan.tasks.get(no=74)
    a = task.assignments.get(unit=office)
    report(a, liaison, "第74项的进展。")
    text = seed_bytes().decode()
    row74 = next(line for line in text.splitlines() if line.startswith("74\t"))
    data = text.replace(row74 + "\n", "").encode()

    url, page = confirm_page(coordinator_client, data)
    red = alerts_of(page)
    assert "第74项：本任务将归档（不会删除）" in red and "第74项：将删除区政府办公室已报送的1条进展（将归档，不会删除）" in red
    coordinator_client.post(url, {"action": "apply"})

    task = Task.all_objects.get(pk=task.pk)
    assert task.archived_at is not None and "修订版中已删除" in task.archived_reason
    assert not Task.objects.filter(plan=seed_plan, no=74).exists()
    a = Assignment.all_objects.get(pk=a.pk)
    assert a.archived_at is not None and a.reports.count() == 1
    att = Attachment.objects.get(report__assignment=a)
    assert Path(att.file.path).read_bytes() == PDF
    # out of the division table, on the plan page's list of deleted tasks, readable by the coordinator
    plan_page = coordinator_client.get(f"/plans/{seed_plan.pk}/")
    assert 74 not in [row["task"].no for row in plan_page.context["rows"] if "task" in row]
    assert "已删除的任务" in plan_page.content.decode()
    assert "第74项的进展" in coordinator_client.get(f"/assignments/{a.pk}/").content.decode()
    # the liaison no longer works on it: it is under 已归档, to read
    coordinator_client.force_login(liaison)
    assert f"/assignments/{a.pk}/" not in coordinator_client.get(f"/units/{a.unit_id}/").content.decode()
    assert "第74项的进展" in coordinator_client.get(f"/units/{a.unit_id}/archived/").content.decode()
    assert "/report/" not in coordinator_client.get(f"/assignments/{a.pk}/").content.decode()
    # a later revision bringing task 74 back word for word restores it, its units' work with it
    prep = revise(seed_plan, seed_bytes(), coordinator, name="again.txt")
    assert [t.summary for t in prep.diff.tasks if t.no == 74][0].startswith("（恢复已归档的任务")
    back = Task.objects.get(plan=seed_plan, no=74)
    assert back.pk == task.pk and Assignment.objects.get(pk=a.pk).reports.count() == 1
    assert Task.all_objects.filter(plan=seed_plan, no=74).count() == 1


def test_a_new_task_under_a_dropped_tasks_number_is_a_new_task(seed_plan, coordinator):
    text = seed_bytes().decode()
    row74 = next(line for line in text.splitlines() if line.startswith("74\t"))
    revise(seed_plan, text.replace(row74 + "\n", "").encode(), coordinator)
    old = Task.all_objects.get(plan=seed_plan, no=74)
    revise(seed_plan, revised((74, "及时总结", "认真总结")), coordinator, name="new74.txt")
    new = Task.objects.get(plan=seed_plan, no=74)
    assert new.pk != old.pk and "认真总结" in new.requirement
    assert Task.all_objects.get(pk=old.pk).archived_at is not None


def test_remind_and_scores_leave_a_dropped_task_out(seed_plan, coordinator):
    text = seed_bytes().decode()
    row74 = next(line for line in text.splitlines() if line.startswith("74\t"))
    revise(seed_plan, text.replace(row74 + "\n", "").encode(), coordinator)
    call_command("remind", "--today", "2021-10-25", "--no-deliver", stdout=io.StringIO())
    from duban.reminders.models import Reminder

    assert Reminder.objects.exists()
    assert not Reminder.objects.filter(assignment__task__no=74).exists()


# --- plans imported before this change ------------------------------------------------------------------------


def test_the_migration_recovers_the_source_text_from_the_change_history(seed_plan, coordinator):
    """Tasks imported before `source` existed: the text the last revision wrote, else the text before the
    first manual edit, else the current text; revision records are marked by_import."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("duban.plans.migrations.0005_archived_tasks_and_assignments")
    t8, t9, t10 = (seed_plan.tasks.get(no=n) for n in (8, 9, 10))
    editing.update_task(t8, coordinator, {"deadline_text": "9月30日前"}, note="按通知提前")
    ChangeRecord.objects.create(plan=seed_plan, task=t9, task_no=9, object_type="task", field="完成时限",
                                before="10月31日前完成", after="11月30日前完成", note="导入修订版：b.txt")
    Task.objects.filter(pk=t9.pk).update(deadline_text="11月30日前完成")
    Task.all_objects.update(source={})
    ChangeRecord.objects.update(by_import=False)

    migration.mark_import_records(apps, None)
    migration.fill_source(apps, None)

    assert set(ChangeRecord.objects.filter(by_import=True).values_list("task__no", flat=True)) == {9}
    t8, t9, t10 = (Task.objects.get(pk=t.pk) for t in (t8, t9, t10))
    assert t8.deadline_text == "9月30日前" and t8.source["deadline_text"] == "10月31日前完成"
    assert t9.source["deadline_text"] == "11月30日前完成"
    assert t10.source == {"requirement": t10.requirement, "units_text": t10.units_text, "deadline_text": t10.deadline_text}


def test_duban_import_lists_what_a_revision_would_archive(seed_plan, org, unit, tmp_path):
    finance = unit("区财政局")
    a = seed_plan.tasks.get(no=4).assignments.get(unit=finance)
    lifecycle.start(a, make_user(org, "l-fin", "liaison", finance))  # started, nothing reported yet
    f = tmp_path / "revised.txt"
    f.write_bytes(revised((4, "区司法局、区财政局、", "区司法局、")))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", str(f), stdout=out)
    assert "！将移除区财政局（推进中，将归档，不会删除）" in out.getvalue()
    call_command("import", str(f), "--yes", stdout=io.StringIO())
    a = Assignment.all_objects.get(pk=a.pk)
    assert a.archived_at is not None and a.status == Assignment.IN_PROGRESS and a.status_changes.count() == 1
