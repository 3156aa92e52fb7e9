"""Settling the import's warnings on the review page; every change is recorded and shown as history."""
from __future__ import annotations

from duban.plans.models import ChangeRecord, PlanWarning
from duban.directory.models import UnitAlias


def open_warning(plan, no, kind):
    return PlanWarning.objects.get(plan=plan, task__no=no, kind=kind, settled_at__isnull=True)


def test_review_page_lists_open_warnings(seed_plan, coordinator, client):
    client.force_login(coordinator)
    body = client.get(f"/plans/{seed_plan.pk}/review/").content.decode()
    assert "区政府相关办、局" in body and "相关行业主管部门" in body and "缺少完成时限" in body
    assert body.count('class="open"') == PlanWarning.objects.filter(plan=seed_plan).count()


def test_pick_units_for_a_vague_group(seed_plan, coordinator, unit, client):
    client.force_login(coordinator)
    w = open_warning(seed_plan, 2, PlanWarning.VAGUE_GROUP)
    page = client.get(f"/warnings/{w.pk}/")
    assert page.status_code == 200 and "区政府相关办、局" in page.content.decode()
    picked = [unit("区住房城乡建设局"), unit("区自然资源局")]  # 区自然资源局 already leads task 2
    r = client.post(f"/warnings/{w.pk}/", {"role": "responsible", "units": [u.pk for u in picked], "resolution": "按职责"})
    assert r.status_code == 302
    w.refresh_from_db()
    assert w.settled and w.settled_by == coordinator and "区住房城乡建设局" in w.resolution
    task = w.task
    a = {x.unit.name: x.role for x in task.assignments.select_related("unit")}
    assert a["区住房城乡建设局"] == "responsible" and a["区自然资源局"] == "lead"
    rec = ChangeRecord.objects.get(task=task, field="分工：区住房城乡建设局")
    assert (rec.user, rec.before, rec.after) == (coordinator, "", "负责落实")
    assert not ChangeRecord.objects.filter(task=task, field="分工：区自然资源局").exists()
    history = client.get(f"/tasks/{task.pk}/").content.decode()
    assert "分工：区住房城乡建设局" in history and "coordinator" in history and "已处理" in history


def test_pick_nothing_needs_an_explicit_choice(seed_plan, coordinator, client):
    client.force_login(coordinator)
    w = PlanWarning.objects.filter(plan=seed_plan, task__no=4, kind=PlanWarning.VAGUE_GROUP).first()
    r = client.post(f"/warnings/{w.pk}/", {"role": "responsible"})
    assert r.status_code == 200 and "不指定单位" in r.content.decode()
    r = client.post(f"/warnings/{w.pk}/", {"role": "responsible", "none": "on"})
    w.refresh_from_db()
    assert w.settled and "不指定单位" in w.resolution


def test_set_a_missing_deadline(seed_plan, coordinator, client):
    client.force_login(coordinator)
    w = open_warning(seed_plan, 21, PlanWarning.MISSING_DEADLINE)
    r = client.post(f"/warnings/{w.pk}/", {"deadline_kind": "date", "deadline_date": "2021-10-31"})
    assert r.status_code == 302
    task = w.task
    task.refresh_from_db()
    assert str(task.deadline_date) == "2021-10-31" and task.deadline_kind == "date"
    rec = ChangeRecord.objects.get(task=task, field="截止日期")
    assert (rec.before, rec.after, rec.user) == ("", "2021-10-31", coordinator)
    w.refresh_from_db()
    assert w.settled and "2021年10月31日" in w.resolution


def test_deadline_form_checks_its_fields(seed_plan, coordinator, client):
    client.force_login(coordinator)
    w = open_warning(seed_plan, 55, PlanWarning.MISSING_DEADLINE)
    r = client.post(f"/warnings/{w.pk}/", {"deadline_kind": "date"})
    assert r.status_code == 200 and "请填写截止日期" in r.content.decode()
    w.refresh_from_db()
    assert not w.settled


def test_mark_a_parser_note_checked(seed_plan, coordinator, client):
    client.force_login(coordinator)
    w = PlanWarning.objects.filter(plan=seed_plan, kind=PlanWarning.PARSER, settled_at__isnull=True).first()
    r = client.post(f"/warnings/{w.pk}/checked/")
    assert r.status_code == 302
    w.refresh_from_db()
    assert w.settled and w.resolution == "已核对"


def test_edit_a_task(seed_plan, coordinator, unit, client):
    client.force_login(coordinator)
    task = seed_plan.tasks.get(no=53)
    page = client.get(f"/tasks/{task.pk}/edit/")
    assert page.status_code == 200
    r = client.post(f"/tasks/{task.pk}/edit/", {
        "requirement": task.requirement + "（含二级页面）",
        "units_text": task.units_text,
        "deadline_text": task.deadline_text,
        "deadline_kind": "date", "deadline_date": "2021-12-31",
        "lead_units": [unit("区科技工信局").pk],
        "responsible_units": [unit("区政府办公室").pk],
        "note": "领导批示",
    })
    assert r.status_code == 302
    fields = dict(ChangeRecord.objects.filter(task=task).values_list("field", "after"))
    assert fields["截止日期"] == "2021-12-31"
    assert fields["分工：区政府办公室"] == "负责落实"
    assert fields["具体要求"].endswith("（含二级页面）")
    assert set(ChangeRecord.objects.filter(task=task).values_list("note", flat=True)) == {"领导批示"}


def test_edit_refuses_a_unit_in_both_roles(seed_plan, coordinator, unit, client):
    client.force_login(coordinator)
    task = seed_plan.tasks.get(no=53)
    u = unit("区科技工信局").pk
    r = client.post(f"/tasks/{task.pk}/edit/", {"requirement": "x", "deadline_kind": "", "lead_units": [u], "responsible_units": [u]})
    assert r.status_code == 200 and "既牵头又负责落实" in r.content.decode()
    assert not ChangeRecord.objects.exists()


def test_unknown_unit_settled_with_an_alias(org, coordinator, unit, client, tmp_path):
    from django.core.management import call_command
    import io

    from .conftest import seed_bytes

    f = tmp_path / "p.txt"
    f.write_bytes(seed_bytes().decode().replace("区统计局牵头", "区统计调查局牵头").encode())
    call_command("import", str(f), "--keep-unknown", stdout=io.StringIO())
    w = PlanWarning.objects.get(kind=PlanWarning.UNKNOWN_UNIT)
    client.force_login(coordinator)
    r = client.post(f"/warnings/{w.pk}/", {"role": "lead", "units": [unit("区统计局").pk], "make_alias": "on"})
    assert r.status_code == 302
    assert UnitAlias.objects.get(alias="区统计调查局").unit.name == "区统计局"
    # 区统计局 was responsible through 区政府各办、局; named lead here, it becomes the lead.
    assert w.task.assignments.get(unit__name="区统计局").role == "lead"
    rec = ChangeRecord.objects.get(task=w.task, field="分工：区统计局")
    assert (rec.before, rec.after) == ("负责落实", "牵头")


def test_a_name_too_long_for_an_alias_is_refused_in_words_and_nothing_is_half_done(org, coordinator, unit, client, tmp_path):
    """A 150-character "unit name" (a sentence the parser could not split) can still be settled with a unit,
    but not recorded as an alias: the form says why, instead of a database error."""
    from django.core.management import call_command
    import io

    from .conftest import seed_bytes

    long_name = "区统计调查" + "和" * 140 + "局"
    f = tmp_path / "p.txt"
    f.write_bytes(seed_bytes().decode().replace("区统计局牵头", f"{long_name}牵头").encode())
    call_command("import", str(f), "--keep-unknown", stdout=io.StringIO())
    w = PlanWarning.objects.get(kind=PlanWarning.UNKNOWN_UNIT)
    assert w.subject == long_name
    client.force_login(coordinator)
    aliases = UnitAlias.objects.count()
    r = client.post(f"/warnings/{w.pk}/", {"role": "lead", "units": [unit("区统计局").pk], "make_alias": "on"})
    assert r.status_code == 200 and "超过别名100字的上限" in r.content.decode()
    assert UnitAlias.objects.count() == aliases and not PlanWarning.objects.get(pk=w.pk).settled
    r = client.post(f"/warnings/{w.pk}/", {"role": "lead", "units": [unit("区统计局").pk]})
    assert r.status_code == 302 and PlanWarning.objects.get(pk=w.pk).settled
