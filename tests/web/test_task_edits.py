"""Putting a misread plan right in the browser: split, merge, add, delete (archive) and restore, renumber and
move tasks — one transaction each, in the change history, with the assignments following — and what a later
revised import does with these fixes. Also the parser's score and note on plans.Task."""
from __future__ import annotations

import copy
import datetime

import pytest
from django.test import Client

from duban.directory.models import Organisation
from duban.plans import importing, structure
from duban.plans.models import LEAD, RESPONSIBLE, Assignment, ChangeRecord, Section, Task
from duban.progress.models import Report

from .conftest import SEED, make_user, parsed_seed, seed_bytes
from .test_no_sections import no_section_docx
from .test_revisions import report, revise, revised

D = datetime.date


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def task(plan, no) -> Task:
    return Task.objects.get(plan=plan, no=no)


def numbers(plan) -> list[int]:
    return list(Task.objects.filter(plan=plan).order_by("no").values_list("no", flat=True))


def manual_records(t: Task):
    return ChangeRecord.objects.filter(task=t, by_import=False)


def units_of(t: Task) -> dict[str, str]:
    return {a.unit.name: a.role for a in Assignment.objects.filter(task=t).select_related("unit")}


def errors(response) -> str:
    return response.content.decode()


# --- split ------------------------------------------------------------------------------------------------


def test_split_keeps_the_reports_on_the_original_and_gives_the_new_task_its_own_assignments(seed_plan, org, unit, coordinator_client):
    seven = task(seed_plan, 7)
    finance = unit("区财政局")
    finance_liaison = make_user(org, "l-finance", "liaison", finance)
    report(seven.assignments.get(unit=finance), finance_liaison, "债务信息已公开。")
    eight_before = task(seed_plan, 8).pk
    form = coordinator_client.get(f"/tasks/{seven.pk}/split/").content.decode()
    assert "拆分第7项" in form and 'value="8"' in form  # the next number offered
    r = coordinator_client.post(f"/tasks/{seven.pk}/split/", {
        "first_requirement": "依法依规稳步推动地方政府债务信息公开。",
        "no": "8",
        "requirement": "通过集中统一平台定期公开地方政府债务限额、余额。",
        "units_text": "区财政局牵头",
        "deadline_text": "11月30日前",
        "deadline_kind": "date", "deadline_date": "2021-11-30",
        "lead_units": [finance.pk], "responsible_units": [unit("区审计局").pk],
        "note": "原文一行写了两项",
    })
    assert r.status_code == 302, errors(r)
    seven.refresh_from_db()
    new = task(seed_plan, 8)
    assert r["Location"] == f"/tasks/{new.pk}/"
    assert seven.requirement == "依法依规稳步推动地方政府债务信息公开。"
    assert new.requirement == "通过集中统一平台定期公开地方政府债务限额、余额。" and new.added_by_hand and new.section_id == seven.section_id
    # The old task 8 and every later one moved up by one; numbers stay unique.
    assert Task.objects.get(pk=eight_before).no == 9
    assert numbers(seed_plan) == list(range(1, 76))
    # The report stays with the original task; the new task has its own assignments with due dates.
    assert Report.objects.filter(assignment__task=seven, assignment__unit=finance).count() == 1
    assert not Report.objects.filter(assignment__task=new).exists()
    assert units_of(new) == {"区财政局": LEAD, "区审计局": RESPONSIBLE}
    assert set(new.assignments.values_list("due_date", flat=True)) == {D(2021, 11, 30)}
    assert len(units_of(seven)) > 2  # the original keeps all its units
    # History, written by a person.
    assert manual_records(seven).filter(field="具体要求", note="原文一行写了两项").exists()
    assert manual_records(seven).filter(field="任务", after__startswith="拆分出第8项").exists()
    assert manual_records(new).filter(field="任务", after__contains="由第7项拆分").exists()
    assert manual_records(Task.objects.get(pk=eight_before)).filter(field="序号", before="第8项", after="第9项").exists()
    page = coordinator_client.get(f"/tasks/{new.pk}/").content.decode()
    assert "在页面上新增" in page and "由第7项拆分" in page


def test_split_copies_units_and_deadline_into_the_form_and_refuses_empty_text(seed_plan, coordinator_client):
    seven = task(seed_plan, 7)
    page = coordinator_client.get(f"/tasks/{seven.pk}/split/").content.decode()
    finance_id = seven.assignments.get(role=LEAD).unit_id
    assert f'name="lead_units" value="{finance_id}" checked' in page
    assert 'value="2021-10-31"' in page  # ISO, as an <input type=date> needs
    before = numbers(seed_plan)
    for bad in ({"first_requirement": "甲", "requirement": "", "no": "8"}, {"first_requirement": "甲", "requirement": "乙", "no": "abc"},
                {"first_requirement": "甲", "requirement": "乙", "no": "0"}, {"first_requirement": "甲", "requirement": "乙", "no": "100000"},
                {"first_requirement": "甲", "requirement": "乙", "no": "99999999999999999999999"}):
        r = coordinator_client.post(f"/tasks/{seven.pk}/split/", bad)
        assert r.status_code == 400
    assert "序号应为整数" in errors(coordinator_client.post(f"/tasks/{seven.pk}/split/", {"first_requirement": "甲", "requirement": "乙", "no": "x"}))
    assert numbers(seed_plan) == before and Task.objects.filter(plan=seed_plan).count() == 74
    assert task(seed_plan, 7).requirement == seven.requirement


# --- merge ------------------------------------------------------------------------------------------------


def test_merge_unites_units_and_archives_the_second_task_with_its_units_work(seed_plan, org, unit, coordinator_client, leader):
    one, three = task(seed_plan, 1), task(seed_plan, 3)
    natural = unit("区自然资源局")
    liaison = make_user(org, "l-natural", "liaison", natural)
    a3 = three.assignments.get(unit=natural)
    report(a3, liaison, "规划已报送区政府办公室。")
    u1, u3 = units_of(one), units_of(three)
    expected = {n: LEAD if LEAD in (u1.get(n), u3.get(n)) else RESPONSIBLE for n in u1.keys() | u3.keys()}
    page = coordinator_client.get(f"/tasks/{one.pk}/merge/").content.decode()
    assert "第3项：报送本单位负责编制的规划" in page and "第1项：" not in page.split('name="other"')[1].split("</select>")[0]
    r = coordinator_client.post(f"/tasks/{one.pk}/merge/", {"other": three.pk, "note": "两项本是一项"})
    assert r.status_code == 302, errors(r)
    one.refresh_from_db()
    three = Task.all_objects.get(pk=three.pk)
    assert one.requirement == "主动公开“十四五”规划纲要。\n报送本单位负责编制的规划到区政府办公室。"
    assert units_of(one) == expected and len(expected) > len(u1)
    assert three.archived_at is not None and three.archived_by_hand and "并入第1项" in three.archived_reason
    assert 3 not in numbers(seed_plan)
    # The unit's work on the merged-away task is kept there, archived, and shown on its page.
    a3 = Assignment.all_objects.get(pk=a3.pk)
    assert a3.archived_at is not None and a3.reports.count() == 1
    for user_client in (coordinator_client, Client()):
        if user_client is not coordinator_client:
            user_client.force_login(leader)
        page = user_client.get(f"/tasks/{three.pk}/").content.decode()
        assert "已删除（归档）" in page and "规划已报送区政府办公室。" in page and "区自然资源局" in page
    # New assignments of the merged task got due dates from its deadline (an event: none until it is recorded).
    assert one.assignments.count() == len(expected)
    assert manual_records(one).filter(field="具体要求", note="两项本是一项").exists()
    assert manual_records(one).filter(field__startswith="分工：").exists()
    assert manual_records(three).filter(field="任务", after="（并入第1项，已归档）").exists()


def test_merge_refuses_itself_archived_other_plans_and_other_organisations(seed_plan, org, coordinator_client):
    one = task(seed_plan, 1)
    other_plan = importing.apply(importing.prepare(org, no_section_docx(), "分工方案.docx"))
    foreign_org = Organisation.objects.create(name="昆明市五华区人民政府", short_name="五华区")
    foreign = importing.apply(importing.prepare(foreign_org, seed_bytes(), SEED.name, parsed=parsed_seed()), keep_unknown=True)
    for bad in (one.pk, task(other_plan, 1).pk, task(foreign, 2).pk, "abc", "", 2**70):
        r = coordinator_client.post(f"/tasks/{one.pk}/merge/", {"other": bad})
        assert r.status_code == 400, bad
        assert "请选择" in errors(r)
    structure.delete_task(task(seed_plan, 2), None)
    assert coordinator_client.post(f"/tasks/{one.pk}/merge/", {"other": Task.all_objects.get(plan=seed_plan, no=2).pk}).status_code == 400
    assert coordinator_client.get(f"/tasks/{task(foreign, 1).pk}/merge/").status_code == 404
    assert task(seed_plan, 1).requirement == one.requirement


# --- add, delete, restore ------------------------------------------------------------------------------------


def test_add_a_task_in_a_new_section_at_a_number_in_use(seed_plan, unit, coordinator_client):
    old_three = task(seed_plan, 3).pk
    r = coordinator_client.post(f"/plans/{seed_plan.pk}/tasks/add/", {
        "no": "3", "section": "", "new_section": "补充任务 › 漏读的一行",
        "requirement": "公开本年度政务公开工作要点。", "units_text": "区政府办公室",
        "deadline_kind": "date", "deadline_date": "2021-12-15",
        "responsible_units": [unit("区政府办公室").pk],
    })
    assert r.status_code == 302, errors(r)
    new = task(seed_plan, 3)
    assert new.requirement == "公开本年度政务公开工作要点。" and new.added_by_hand
    assert new.section.path() == ["补充任务", "漏读的一行"]
    assert Task.objects.get(pk=old_three).no == 4 and numbers(seed_plan) == list(range(1, 76))
    assert units_of(new) == {"区政府办公室": RESPONSIBLE}
    assert new.assignments.get().due_date == D(2021, 12, 15)
    assert manual_records(new).filter(field="任务", after__contains="新增").exists()
    # An existing section can be chosen too; the form's bad values answer 400.
    section = Section.objects.filter(plan=seed_plan, parent__isnull=False).first()
    r = coordinator_client.post(f"/plans/{seed_plan.pk}/tasks/add/", {"no": "200", "section": section.pk, "requirement": "乙", "deadline_kind": ""})
    assert r.status_code == 302 and task(seed_plan, 200).section == section
    for bad in ({"no": "1", "section": "999999", "requirement": "丙"}, {"no": "-3", "requirement": "丙"}, {"no": "5", "requirement": ""},
                {"no": "5", "requirement": "丙", "deadline_kind": "date"}):
        assert coordinator_client.post(f"/plans/{seed_plan.pk}/tasks/add/", bad).status_code == 400
    assert Task.objects.filter(plan=seed_plan).count() == 76


def test_delete_archives_and_restore_brings_back_the_task_with_its_units_work(seed_plan, org, unit, coordinator_client):
    eight = task(seed_plan, 8)
    finance = unit("区财政局")
    a = eight.assignments.get(unit=finance)
    report(a, make_user(org, "l-finance", "liaison", finance), "预决算已公开。")
    n_assignments = eight.assignments.count()
    r = coordinator_client.post(f"/tasks/{eight.pk}/delete/", {"reason": "重复的一行"})
    assert r.status_code == 302
    eight = Task.all_objects.get(pk=eight.pk)
    assert eight.archived_at is not None and eight.archived_by_hand and eight.archived_reason == "重复的一行"
    assert not Assignment.objects.filter(task=eight).exists() and Report.objects.filter(assignment=a).count() == 1
    assert manual_records(eight).filter(field="任务", after="（已删除，已归档）").exists()
    assert f'href="/tasks/{eight.pk}/"' in coordinator_client.get(f"/plans/{seed_plan.pk}/").content.decode()  # listed as archived
    # Deleting twice, or restoring a task in force: a message, not a 500.
    assert coordinator_client.post(f"/tasks/{eight.pk}/delete/").status_code == 404
    assert coordinator_client.post(f"/tasks/{task(seed_plan, 9).pk}/restore/").status_code == 404
    # Its number taken meanwhile: restoring asks for another one.
    structure.renumber_task(task(seed_plan, 9), None, 8)
    r = coordinator_client.post(f"/tasks/{eight.pk}/restore/", {"no": ""}, follow=True)
    assert "方案中已有第8项任务" in r.content.decode()
    assert Task.all_objects.get(pk=eight.pk).archived_at is not None
    assert "不小于" in coordinator_client.post(f"/tasks/{eight.pk}/restore/", {"no": "0"}, follow=True).content.decode()
    r = coordinator_client.post(f"/tasks/{eight.pk}/restore/", {"no": "80"}, follow=True)
    assert "已恢复第80项" in r.content.decode()
    eight.refresh_from_db()
    assert eight.archived_at is None and not eight.archived_by_hand and eight.no == 80
    assert eight.assignments.count() == n_assignments and Report.objects.filter(assignment__task=eight).count() == 1
    assert eight.assignments.get(unit=finance).due_date == D(2021, 10, 31)


# --- renumber, move -------------------------------------------------------------------------------------------


def test_renumbering_shifts_the_others_and_keeps_numbers_unique(seed_plan, coordinator_client):
    ten, three, nine = task(seed_plan, 10).pk, task(seed_plan, 3).pk, task(seed_plan, 9).pk
    r = coordinator_client.post(f"/tasks/{ten}/renumber/", {"new_no": "3"})
    assert r.status_code == 302
    assert Task.objects.get(pk=ten).no == 3 and Task.objects.get(pk=three).no == 4 and Task.objects.get(pk=nine).no == 10
    assert numbers(seed_plan) == list(range(1, 75))
    assert manual_records(Task.objects.get(pk=ten)).filter(field="序号", before="第10项", after="第3项").exists()
    # …and back down, from the review page's "将第N项改为第M项".
    r = coordinator_client.post(f"/plans/{seed_plan.pk}/renumber/", {"action": "one", "from_no": "3", "new_no": "10"}, follow=True)
    assert "已将第3项改为第10项" in r.content.decode()
    assert Task.objects.get(pk=ten).no == 10 and Task.objects.get(pk=three).no == 3 and numbers(seed_plan) == list(range(1, 75))
    # A free number: only the task moves.
    coordinator_client.post(f"/tasks/{ten}/renumber/", {"new_no": "500"})
    assert Task.objects.get(pk=ten).no == 500 and Task.objects.get(pk=nine).no == 9
    # Bad input answers, changes nothing.
    for bad in ("", "x", "0", "100000", "1e3"):
        assert coordinator_client.post(f"/tasks/{ten}/renumber/", {"new_no": bad}).status_code == 400
    r = coordinator_client.post(f"/plans/{seed_plan.pk}/renumber/", {"action": "one", "from_no": "999", "new_no": "1"}, follow=True)
    assert "本方案没有第999项任务" in r.content.decode()
    r = coordinator_client.post(f"/plans/{seed_plan.pk}/renumber/", {"action": "one", "from_no": "abc", "new_no": "1"}, follow=True)
    assert r.status_code == 200 and "序号应为整数" in r.content.decode()
    # 按顺序重新编号: 1…74 again, in the present order.
    structure.delete_task(task(seed_plan, 5), None)
    r = coordinator_client.post(f"/plans/{seed_plan.pk}/renumber/", follow=True)
    assert "已按顺序重新编号" in r.content.decode()
    assert numbers(seed_plan) == list(range(1, 74)) and Task.objects.get(pk=ten).no == 73


def test_renumbering_can_never_give_one_number_twice(seed_plan):
    one, two = task(seed_plan, 1), task(seed_plan, 2)
    with pytest.raises(structure.StructureError, match="序号相同"):
        structure._set_numbers(seed_plan, None, {one.pk: 2}, "")
    assert numbers(seed_plan) == list(range(1, 75))
    # A swap is fine: the numbers pass through values no task has.
    structure._set_numbers(seed_plan, None, {one.pk: 2, two.pk: 1}, "")
    assert (Task.objects.get(pk=one.pk).no, Task.objects.get(pk=two.pk).no) == (2, 1)
    # An archived task keeps its number, and a task in force may take it.
    structure.delete_task(Task.objects.get(pk=one.pk), None)
    structure.renumber_task(task(seed_plan, 3), None, 2)
    assert Task.all_objects.filter(plan=seed_plan, no=2).count() == 2


def test_move_to_an_existing_or_a_new_section(seed_plan, coordinator_client):
    one = task(seed_plan, 1)
    target = task(seed_plan, 12).section
    r = coordinator_client.post(f"/tasks/{one.pk}/move/", {"section": target.pk})
    assert r.status_code == 302
    one.refresh_from_db()
    assert one.section == target
    assert manual_records(one).filter(field="工作任务", after=" › ".join(target.path())).exists()
    r = coordinator_client.post(f"/tasks/{one.pk}/move/", {"section": "", "new_section": "深化重点领域信息公开 / 新的一节"})
    one.refresh_from_db()
    assert one.section.path() == ["深化重点领域信息公开", "新的一节"]
    assert one.section.parent == target.parent  # the existing heading was reused
    assert coordinator_client.post(f"/tasks/{one.pk}/move/", {"section": "abc"}).status_code == 400
    coordinator_client.post(f"/tasks/{one.pk}/move/", {"section": ""})
    one.refresh_from_db()
    assert one.section is None
    assert not Section.objects.filter(plan=seed_plan, title="新的一节").exists()  # the emptied section is gone


# --- who may ----------------------------------------------------------------------------------------------------


def _endpoints(plan):
    t, archived = task(plan, 1), task(plan, 2)
    structure.delete_task(archived, None)
    return [
        ("get", f"/tasks/{t.pk}/split/"), ("post", f"/tasks/{t.pk}/split/"), ("get", f"/tasks/{t.pk}/merge/"),
        ("post", f"/tasks/{t.pk}/merge/"), ("get", f"/tasks/{t.pk}/move/"), ("post", f"/tasks/{t.pk}/move/"),
        ("get", f"/tasks/{t.pk}/renumber/"), ("post", f"/tasks/{t.pk}/renumber/"), ("post", f"/tasks/{t.pk}/delete/"),
        ("post", f"/tasks/{archived.pk}/restore/"), ("get", f"/plans/{plan.pk}/tasks/add/"), ("post", f"/plans/{plan.pk}/tasks/add/"),
        ("post", f"/plans/{plan.pk}/renumber/"),
    ]


def test_only_the_coordinator_of_the_organisation_may_change_the_structure(seed_plan, client, liaison, leader):
    endpoints = _endpoints(seed_plan)
    before = list(Task.all_objects.filter(plan=seed_plan).values_list("pk", "no", "archived_at", "requirement"))
    for user in (liaison, leader):
        client.force_login(user)
        for method, url in endpoints:
            assert getattr(client, method)(url).status_code == 403, (user, method, url)
    stranger = make_user(Organisation.objects.create(name="昆明市五华区人民政府", short_name="五华区"), "wuhua", "coordinator")
    client.force_login(stranger)
    for method, url in endpoints:
        assert getattr(client, method)(url).status_code == 404, (method, url)
    client.logout()
    for method, url in endpoints:
        assert getattr(client, method)(url).status_code == 302  # to the login page
    assert list(Task.all_objects.filter(plan=seed_plan).values_list("pk", "no", "archived_at", "requirement")) == before
    # The leader reads the review page's task list but is offered no change.
    client.force_login(leader)
    page = client.get(f"/plans/{seed_plan.pk}/review/").content.decode()
    assert 'id="tasks"' in page and "/split/" not in page and "按顺序重新编号" not in page


def test_every_change_needs_the_csrf_token(seed_plan, coordinator):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(coordinator)
    t = task(seed_plan, 1)
    for url, data in ((f"/tasks/{t.pk}/delete/", {}), (f"/tasks/{t.pk}/renumber/", {"new_no": "9"}),
                      (f"/tasks/{t.pk}/merge/", {"other": task(seed_plan, 2).pk}), (f"/plans/{seed_plan.pk}/renumber/", {})):
        assert strict.post(url, data).status_code == 403
    assert numbers(seed_plan) == list(range(1, 75)) and Task.objects.get(pk=t.pk).requirement


# --- a revised import after the fixes -------------------------------------------------------------------------


def test_a_revision_with_unchanged_text_keeps_splits_merges_renumbering_moves_and_deletions(seed_plan, unit, coordinator):
    seven, one, three, twenty, forty = (task(seed_plan, n) for n in (7, 1, 3, 20, 40))
    new = structure.split_task(seven, coordinator, "依法依规稳步推动地方政府债务信息公开。", {
        "requirement": "定期公开地方政府债务限额、余额。", "units_text": "", "deadline_text": "", "deadline_kind": "date",
        "deadline_date": D(2021, 11, 30), "deadline_event": "", "deadline_working_days": None, "deadline_every": "",
    }, {unit("区财政局"): LEAD}, 8)
    structure.merge_tasks(one, three, coordinator)
    structure.move_task(twenty, coordinator, ["新的一节"])
    structure.delete_task(forty, coordinator, "重复")
    structure.renumber_plan(seed_plan, coordinator)
    state = {t.pk: (t.no, t.requirement, t.section_id) for t in Task.objects.filter(plan=seed_plan)}
    units = {t.pk: units_of(t) for t in Task.objects.filter(plan=seed_plan)}
    # The revision changes task 50's deadline in the document, nothing else.
    data = revised((50, "10月31日前完成", "11月30日前完成"))
    prep = importing.prepare(seed_plan.org, data, "revised.txt")
    assert prep.status == "revision"
    assert [(td.key, td.status) for td in prep.diff.tasks] == [(50, "changed")]
    importing.apply(prep, coordinator)
    after = {t.pk: (t.no, t.requirement, t.section_id) for t in Task.objects.filter(plan=seed_plan)}
    assert after == state  # no task came back, none was archived, no number, text or section changed
    assert {t.pk: units_of(t) for t in Task.objects.filter(plan=seed_plan)} == units
    fifty = Task.objects.get(pk=next(pk for pk, t in Task.objects.filter(plan=seed_plan).values_list("pk", "source") if t.get("no") == 50))
    assert fifty.deadline_date == D(2021, 11, 30) and fifty.no == 49  # renumbered here (one split off, two gone before it), found all the same
    assert Task.all_objects.get(pk=three.pk).archived_at is not None and Task.all_objects.get(pk=forty.pk).archived_at is not None
    assert Task.objects.get(pk=new.pk).requirement == "定期公开地方政府债务限额、余额。"


def test_a_revision_that_changes_a_fixed_text_wins_and_a_merged_away_task_with_new_text_comes_back(seed_plan, coordinator):
    one, three, seven = task(seed_plan, 1), task(seed_plan, 3), task(seed_plan, 7)
    structure.merge_tasks(one, three, coordinator)
    structure.split_task(seven, coordinator, "甲。", {"requirement": "乙。", "deadline_kind": ""}, {}, 8)
    # The document now says something else for task 3 (merged away here) and task 7 (split here).
    data = revised((3, "报送本单位负责编制的规划", "报送本单位编制的全部规划"), (7, "依法依规稳步推动", "依法稳步推动"))
    prep = importing.prepare(seed_plan.org, data, "revised.txt")
    statuses = {td.key: td.status for td in prep.diff.tasks}
    assert statuses == {3: "added", 7: "changed"}
    importing.apply(prep, coordinator)
    seven.refresh_from_db()
    assert seven.requirement.startswith("依法稳步推动")  # the source changed: the document wins over the split text
    back = Task.objects.get(plan=seed_plan, requirement__startswith="报送本单位编制的全部规划")
    assert back.no == 3 and back.pk != three.pk  # a new task; the archived one keeps its units' work
    assert Task.all_objects.get(pk=three.pk).archived_at is not None
    # The split-off task, numbered 8 here, is the coordinator's: still there; the document's task 8 kept its place (9).
    assert Task.objects.get(plan=seed_plan, no=8).added_by_hand
    assert Task.objects.get(plan=seed_plan, no=9).source["no"] == 8


# --- score and note from the parser ----------------------------------------------------------------------------


def _with_scores(parsed, scores: dict[int, tuple[float | None, str]]):
    plan = copy.deepcopy(parsed)
    for t in plan.tasks:
        if t.no in scores:
            t.score, t.note = scores[t.no]
    return plan


def test_score_and_note_are_stored_shown_and_updated_by_a_revision(org, coordinator_client, coordinator):
    parsed = _with_scores(parsed_seed(), {2: (5.0, "各乡镇要高度重视"), 3: (2.5, "")})
    plan = importing.apply(importing.prepare(org, seed_bytes(), SEED.name, parsed=parsed))
    two = task(plan, 2)
    assert (two.score, two.note) == (5.0, "各乡镇要高度重视") and task(plan, 3).score == 2.5 and task(plan, 1).score is None
    page = coordinator_client.get(f"/tasks/{two.pk}/").content.decode()
    assert "5 分" in page and "各乡镇要高度重视" in page
    review = coordinator_client.get(f"/plans/{plan.pk}/review/").content.decode()
    assert "2.5 分" in review and "说明：各乡镇要高度重视" in review
    # A revision brings the document's new score and note (and shows them on its diff).
    parsed2 = _with_scores(parsed_seed(), {2: (6.0, "各街道要高度重视"), 3: (2.5, "")})
    prep = importing.prepare(org, seed_bytes() + b"\n", "revised.txt", parsed=parsed2)
    assert prep.status == "revision"
    labels = {c.label for td in prep.diff.tasks for c in td.changes}
    assert labels == {"分值", "说明"}
    importing.apply(prep, coordinator)
    two.refresh_from_db()
    assert (two.score, two.note) == (6.0, "各街道要高度重视")
    # Merging adds the points up.
    structure.merge_tasks(two, task(plan, 3), coordinator)
    two.refresh_from_db()
    assert two.score == 8.5


HOSTILE = ["", "0", "-1", "abc", "1e5", "９", "99999999999999999999999", "1.5", "<script>", "\x00", "x" * 5000, "1 OR 1=1"]


def test_no_500_from_hostile_form_values(seed_plan, coordinator_client):
    one = task(seed_plan, 1)
    posts = {
        f"/tasks/{one.pk}/split/": ["first_requirement", "requirement", "no", "deadline_kind", "deadline_date", "deadline_working_days", "lead_units"],
        f"/tasks/{one.pk}/merge/": ["other"],
        f"/tasks/{one.pk}/move/": ["section", "new_section"],
        f"/tasks/{one.pk}/renumber/": ["new_no"],
        f"/plans/{seed_plan.pk}/tasks/add/": ["no", "section", "new_section", "requirement", "deadline_every", "responsible_units"],
        f"/plans/{seed_plan.pk}/renumber/": ["from_no", "new_no"],
    }
    for url, fields in posts.items():
        for value in HOSTILE:
            data = {f: value for f in fields} | ({"action": "one"} if "renumber/" in url and "plans" in url else {})
            r = coordinator_client.post(url, data)
            assert r.status_code < 500, (url, value)
    for value in HOSTILE:
        assert coordinator_client.post(f"/tasks/{task(seed_plan, 2).pk}/restore/", {"no": value}).status_code < 500
    # The task editor shares the unit checkboxes: an id too big for the database is no choice, not a 500.
    r = coordinator_client.post(f"/tasks/{one.pk}/edit/", {"requirement": "甲", "lead_units": ["99999999999999999999999"]})
    assert r.status_code == 200 and "lead_units" in r.context["form"].errors
    assert coordinator_client.post(f"/tasks/{task(seed_plan, 3).pk}/delete/", {"reason": "x" * 5000}).status_code == 302
    assert Task.all_objects.get(plan=seed_plan, no=3).archived_reason == "x" * 300  # a long reason is cut
    assert coordinator_client.post(f"/tasks/{task(seed_plan, 4).pk}/delete/", {"reason": "a\x00b"}).status_code == 302
    assert Task.all_objects.get(plan=seed_plan, no=4).archived_reason == "在页面上删除"
