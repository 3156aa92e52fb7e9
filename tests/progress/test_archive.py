"""Archive, never delete: a unit taken off a task keeps its reports, evidence, files and history, leaves every
working list, and comes back with one POST (or by adding it again); only `duban purge_archived` deletes."""
from __future__ import annotations

import datetime
import io
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import ProtectedError

from duban.assessment import facts as facts_mod
from duban.assessment.scoring import assess
from duban.exports.build import division_rows
from duban.plans import access, archiving, editing
from duban.plans.models import LEAD, RESPONSIBLE, Assignment, ChangeRecord, Task
from duban.progress import lifecycle
from duban.progress.lifecycle import ReportDraft
from duban.progress.models import Attachment, EvidenceLink, Report, StatusChange
from duban.reminders.models import Reminder

from .samples import PDF, stored_files, upload

URL = "http://www.kmxs.gov.cn/c/2021-09-01/1.shtml"


def submit_with_file(a, liaison, text="预决算已公开。"):
    return lifecycle.submit(a, liaison, ReportDraft(text=text, links=[(URL, "公开地址")], files=[upload("说明.pdf", PDF, "application/pdf")]))


def edit_units(client, task, leads, responsibles, note="调整单位"):
    """POST the task editor with the task's current fields and the given units."""
    data = {f: getattr(task, f) or "" for f in editing.EDITABLE_FIELDS}
    data["deadline_date"] = task.deadline_date.isoformat() if task.deadline_date else ""
    data.update(lead_units=[u.pk for u in leads], responsible_units=[u.pk for u in responsibles], note=note)
    r = client.post(f"/tasks/{task.pk}/edit/", data)
    assert r.status_code == 302, r.context["form"].errors
    return r


def units_of(task, role):
    return [a.unit for a in task.assignments.filter(role=role).select_related("unit")]


@pytest.fixture
def removed(lead_assignment, liaison, coordinator, client, unit):
    """区财政局 has reported on task 8 (a link, a PDF, accepted with a grade), then the coordinator takes it off the task."""
    submit_with_file(lead_assignment, liaison)
    lifecycle.accept(lead_assignment, coordinator, "good")
    task = lead_assignment.task
    client.force_login(coordinator)
    finance = unit("区财政局")
    others = [u for u in units_of(task, RESPONSIBLE) if u not in (finance, unit("区政府办公室"))]
    r = edit_units(client, task, [unit("区政府办公室")], others, note="改由区政府办公室牵头")
    assert r.status_code == 302
    return Assignment.all_objects.get(pk=lead_assignment.pk)


def test_removing_a_unit_in_the_editor_archives_it_with_its_work(removed, coordinator, media_root):
    a = removed
    assert a.archived_at is not None and a.archived_by == coordinator and a.archived_reason == "改由区政府办公室牵头"
    assert not Assignment.objects.filter(pk=a.pk).exists()  # out of force
    report = Report.objects.get(assignment=a)
    assert report.grade == "good" and report.outcome == "accepted"
    assert EvidenceLink.objects.filter(report=report).count() == 1
    att = Attachment.objects.get(report=report)
    assert Path(att.file.path).read_bytes() == PDF and len(stored_files(media_root)) == 1
    assert StatusChange.objects.filter(assignment=a).count() >= 2
    rec = ChangeRecord.objects.get(field="分工：区财政局", object_type="assignment")
    assert rec.before == "牵头" and rec.after == editing.REMOVED and not rec.by_import


def test_the_task_page_lists_removed_units_and_one_post_restores_them(removed, coordinator, client):
    task = removed.task
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert "已移除的单位" in page and f'/assignments/{removed.pk}/restore/' in page
    removed_table = page[page.index('id="removed"'):]
    assert "区财政局" in removed_table and "1 条" in removed_table and "预决算已公开" in removed_table and "（良）" in removed_table
    # The archived assignment's page is readable (reports, file) with no buttons.
    detail = client.get(f"/assignments/{removed.pk}/").content.decode()
    assert "已移除（归档）" in detail and "预决算已公开" in detail
    assert "/due/" not in detail and "/accept/" not in detail and "/report/" not in detail
    att = Attachment.objects.get(report__assignment=removed)
    assert client.get(f"/attachments/{att.pk}/").status_code == 200
    # The actions refuse it.
    assert client.post(f"/assignments/{removed.pk}/due/", {"due_override": "2021-12-01", "reason": "x"}).status_code == 404

    r = client.post(f"/assignments/{removed.pk}/restore/")
    assert r.status_code == 302
    a = Assignment.objects.get(pk=removed.pk)
    assert a.archived_at is None and a.role == LEAD and a.status == Assignment.ACCEPTED
    assert a.due_date is not None
    assert Report.objects.filter(assignment=a, grade="good").exists()
    assert ChangeRecord.objects.filter(field="分工：区财政局", after="牵头（恢复）").exists()
    assert 'id="removed"' not in client.get(f"/tasks/{task.pk}/").content.decode()


def test_restore_is_the_coordinators_only(removed, leader, liaison, client):
    for user in (leader, liaison):
        client.force_login(user)
        assert client.post(f"/assignments/{removed.pk}/restore/").status_code in (403, 404)
    assert Assignment.all_objects.get(pk=removed.pk).archived_at is not None
    assert client.get(f"/assignments/{removed.pk}/restore/").status_code == 405


def test_adding_the_unit_again_restores_its_assignment(removed, client, unit):
    task = removed.task
    others = [u for u in units_of(task, RESPONSIBLE) if u != unit("区政府办公室")]
    r = edit_units(client, task, [unit("区政府办公室"), unit("区财政局")], others, note="区财政局仍牵头")
    assert r.status_code == 302
    assert Assignment.all_objects.filter(task=task, unit=unit("区财政局")).count() == 1
    a = Assignment.objects.get(task=task, unit=unit("区财政局"))
    assert a.pk == removed.pk and a.status == Assignment.ACCEPTED and a.reports.count() == 1


def test_a_liaison_no_longer_works_on_a_removed_assignment_but_reads_it_as_archived(removed, liaison, client):
    client.force_login(liaison)
    unit_page = client.get(f"/units/{removed.unit_id}/").content.decode()
    assert f"/assignments/{removed.pk}/" not in unit_page  # in no working list …
    assert not access.visible_assignments(liaison).filter(pk=removed.pk).exists()
    assert f'<a href="/units/{removed.unit_id}/archived/">已归档的任务分工（1 项）</a>' in unit_page  # … but under 已归档
    archived = client.get(f"/units/{removed.unit_id}/archived/").content.decode()
    assert f'href="/assignments/{removed.pk}/"' in archived and "预决算已公开" in archived and "改由区政府办公室牵头" in archived
    att = Attachment.objects.get(report__assignment=removed)
    assert f'href="/attachments/{att.pk}/"' in archived and client.get(f"/attachments/{att.pk}/").status_code == 200
    # its page is read-only, and every step refuses it
    detail = client.get(f"/assignments/{removed.pk}/").content.decode()
    assert "已移除（归档）" in detail and "预决算已公开" in detail
    assert "/report/" not in detail and "/exempt/" not in detail and "/extension/" not in detail and "/acknowledge/" not in detail
    assert client.get(f"/tasks/{removed.task_id}/").status_code == 200  # the task it was on, to read
    for step in ("report", "exempt", "extension", "acknowledge", "start"):
        r = client.post(f"/assignments/{removed.pk}/{step}/", {"text": "x", "reason": "x", "new_due": "2021-12-31"})
        assert r.status_code == 404, step
    assert Report.objects.filter(assignment=removed).count() == 1


def test_the_archived_list_is_the_own_units_for_a_liaison_and_the_organisations_for_the_office(
        removed, liaison, other_liaison, coordinator, leader, client, unit):
    civil = unit("区民政局")
    civil_task = removed.task.assignments.filter(unit=civil).first() or Assignment.objects.filter(unit=civil).first()
    archiving.archive_assignment(civil_task, coordinator, "民政局不再负责")
    # the liaison of 区民政局 sees its own archived work, never 区财政局's
    client.force_login(other_liaison)
    assert client.get(f"/units/{removed.unit_id}/archived/").status_code == 404
    assert client.get(f"/assignments/{removed.pk}/").status_code == 404
    assert client.get(f"/attachments/{Attachment.objects.get(report__assignment=removed).pk}/").status_code == 404
    own = client.get(f"/units/{civil.pk}/archived/").content.decode()
    assert "民政局不再负责" in own and f"/assignments/{removed.pk}/" not in own
    assert set(access.archived_assignments(other_liaison)) == {Assignment.all_objects.get(pk=civil_task.pk)}
    # the coordinator and a leader read both units' archived work, with no button to press for the leader
    for user in (coordinator, leader):
        client.force_login(user)
        page = client.get(f"/units/{removed.unit_id}/archived/").content.decode()
        assert "预决算已公开" in page and "<form" not in page.split("<main")[-1]
        assert set(access.archived_assignments(user).values_list("pk", flat=True)) == {removed.pk, civil_task.pk}
    assert "该单位没有已归档的任务分工" in client.get(f"/units/{unit('区政府办公室').pk}/archived/").content.decode()


def test_archived_assignments_are_in_no_working_list(lead_assignment, liaison, coordinator, client, seed_plan, unit, org):
    """A pending report of a removed unit waits in no queue; the unit is on no table, reminder, score or document."""
    lifecycle.submit(lead_assignment, liaison, ReportDraft(text="财政局第一次报送。", links=[(URL, "")]))
    archiving.archive_assignment(lead_assignment, coordinator, "测试")
    finance = unit("区财政局")
    task = lead_assignment.task
    client.force_login(coordinator)
    # division table filtered by the unit, the unit page, the review queue
    r = client.get(f"/plans/{seed_plan.pk}/", {"unit": finance.pk})
    assert task.no not in [row["task"].no for row in r.context["rows"] if "task" in row]
    assert f"/assignments/{lead_assignment.pk}/" not in client.get(f"/units/{finance.pk}/").content.decode()
    assert "财政局第一次报送" not in client.get("/review-queue/").content.decode()
    assert not access.visible_reports(coordinator).filter(assignment=lead_assignment).exists()
    # the overview
    r = client.get("/overview/", {"plan": seed_plan.pk})
    assert r.status_code == 200
    assert f"/assignments/{lead_assignment.pk}/" not in r.content.decode()
    # reminders
    call_command("remind", "--today", "2021-10-25", "--no-deliver", stdout=io.StringIO())
    assert Reminder.objects.exists() and not Reminder.objects.filter(assignment=lead_assignment).exists()
    # scores and documents
    assert lead_assignment.pk not in {f.assignment_id for f in facts_mod.load(seed_plan)}
    row8 = next(r for r in division_rows(seed_plan) if r.no == task.no)
    assert "区财政局" not in row8.lead_units + row8.responsible_units
    score = assess(seed_plan, datetime.date(2021, 12, 31)).unit(finance.pk)
    assert score is None or lead_assignment.pk not in {line.fact.assignment_id for line in score.lines}


def test_deleting_work_is_refused_by_the_database(lead_assignment, liaison, seed_plan):
    submit_with_file(lead_assignment, liaison)
    with pytest.raises(ProtectedError):
        lead_assignment.delete()
    with pytest.raises(ProtectedError):
        Task.objects.get(pk=lead_assignment.task_id).delete()
    with pytest.raises(ProtectedError):
        seed_plan.delete()
    assert Report.objects.filter(assignment=lead_assignment).exists()


def test_archive_and_restore_a_task(lead_assignment, liaison, coordinator, client, seed_plan):
    submit_with_file(lead_assignment, liaison)
    task = lead_assignment.task
    before = task.assignments.count()
    archiving.archive_task(task, coordinator, "合并到第9项")
    assert not Task.objects.filter(pk=task.pk).exists()
    assert Assignment.all_objects.filter(task=task, archived_at__isnull=False).count() == before
    client.force_login(coordinator)
    plan_page = client.get(f"/plans/{seed_plan.pk}/").content.decode()
    assert "已删除的任务" in plan_page and f"/tasks/{task.pk}/" in plan_page
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert "本任务已删除（归档）" in page and "区财政局" in page
    # Units cannot be put back on an archived task; the task itself can be restored (duban.plans.structure).
    assert not re.search(r"/assignments/\d+/restore/", page) and f"/tasks/{task.pk}/restore/" in page
    assert client.get(f"/tasks/{task.pk}/edit/").status_code == 404
    client.force_login(liaison)  # the unit reported on it: the archived task is there to read, not to change
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert "本任务已删除（归档）" in page and "/restore/" not in page and "/edit/" not in page
    assert f"/assignments/{lead_assignment.pk}/" in client.get(f"/units/{lead_assignment.unit_id}/archived/").content.decode()
    archiving.restore_task(Task.all_objects.get(pk=task.pk), coordinator)
    assert Task.objects.get(pk=task.pk).assignments.count() == before
    assert Assignment.objects.get(pk=lead_assignment.pk).reports.count() == 1


def test_the_banners_of_a_task_a_revision_dropped_say_what_each_reader_finds(lead_assignment, liaison, leader, coordinator, client, unit):
    """A task a revised import dropped is archived with its units: the task page names them as its units (not
    "—"), says their work is kept and read-only, and points each reader to where it is — the coordinator and
    the leader to the list below, the liaison (who has no such list) to its own unit's record; the unit's
    assignment page says the task was deleted, not that the unit was removed from it."""
    submit_with_file(lead_assignment, liaison)
    task = lead_assignment.task
    archiving.archive_tasks([task], None, "修订版中已删除（分工方案（修订）.docx）")
    for reader in (coordinator, leader):
        client.force_login(reader)
        page = client.get(f"/tasks/{task.pk}/").content.decode()
        banner = page[page.index('id="task-archived"'):page.index("</div>", page.index('id="task-archived"'))]
        assert "修订版中已删除（分工方案（修订）.docx）" in banner and "只读" in banner and "见下方“已归档的单位”" in banner
        assert '<h2 id="removed">已归档的单位</h2>' in page and "已移除的单位" not in page
        assert re.search(r"<dt>牵头单位</dt><dd><a class=\"unit\" [^>]*>区财政局</a></dd>", page)
    client.force_login(liaison)
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    banner = page[page.index('id="task-archived"'):page.index("</div>", page.index('id="task-archived"'))]
    assert "已移除的单位" not in page and 'id="removed"' not in page and "见下方" not in banner
    assert "本单位的报送、附件和状态记录都已保留，只读" in banner and f'href="/assignments/{lead_assignment.pk}/"' in banner
    assert re.search(r"<dt>牵头单位</dt><dd><a class=\"unit\" [^>]*>区财政局</a></dd>", page)
    detail = client.get(f"/assignments/{lead_assignment.pk}/").content.decode()
    notice = detail[detail.index('id="archived"'):detail.index("</div>", detail.index('id="archived"'))]
    assert "所属任务已删除（归档）" in notice and "修订版中已删除" in notice and "已移除" not in notice and "只读" in notice
    # the report it had filed is kept, and says it will not be reviewed now rather than 待审核
    report = detail[detail.index('<article class="report'):]
    assert "未审核（已归档，不再审核）" in report and '<span class="badge">待审核</span>' not in report


def test_purge_lists_and_deletes_with_files(removed, media_root, coordinator, django_capture_on_commit_callbacks):
    att = Attachment.objects.get(report__assignment=removed)
    path = Path(att.file.path)
    out = io.StringIO()
    call_command("purge_archived", "--before", "2000-01-01", stdout=out)
    assert "0 条任务分工" in out.getvalue() and path.exists()
    out = io.StringIO()
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    call_command("purge_archived", "--before", tomorrow, "--dry-run", stdout=out)
    assert "区财政局" in out.getvalue() and "1 条报送，1 个附件" in out.getvalue() and path.exists()
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_archived", "--before", tomorrow, stdout=out)
    assert "已删除 1 条任务分工" in out.getvalue()
    assert not Assignment.all_objects.filter(pk=removed.pk).exists() and not Report.objects.exists()
    assert not path.exists() and stored_files(media_root) == []
    assert ChangeRecord.objects.filter(field="清除归档：区财政局", after="（已彻底删除）").exists()
    with pytest.raises(CommandError):
        call_command("purge_archived", "--before", "not-a-date")
