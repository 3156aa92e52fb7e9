"""Importing a plan: the seed's tasks and assignments, unknown units, re-import, revisions, bad files.

The expected assignments are counted from the seed document as written (read by hand), and
the size of 区政府各办、局 from the directory data file, not from what the importer produced.
"""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from duban.directory.models import Unit
from duban.ingest import Deadline, Plan as ParsedPlan, Task as ParsedTask, UnitRef
from duban.plans import importing
from duban.plans.models import Assignment, ChangeRecord, ImportJob, Plan, PlanWarning, Section, Task

from .conftest import SEED, directory_doc, make_user, seed_bytes

STREETS = 10


def offices_and_bureaus() -> set[str]:
    doc = directory_doc()["organisations"][0]
    return {u["name"] for u in doc["units"] if u["kind"] in ("办公室", "局", "分局")}


N = len(offices_and_bureaus())  # members of 区政府各办、局


def roles(plan, no):
    task = plan.tasks.get(no=no)
    a = list(task.assignments.select_related("unit"))
    return {x.unit.name for x in a if x.role == "lead"}, {x.unit.name for x in a if x.role == "responsible"}


def files_under(root) -> list[Path]:
    root = Path(root)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- the seed ---------------------------------------------------------------------------------


def test_seed_imports_with_plan_metadata(seed_plan):
    assert seed_plan.title == "西山区2021年政务公开工作要点分工方案"
    assert seed_plan.doc_number == "西政办通〔2021〕51号"
    assert seed_plan.year == 2021
    assert str(seed_plan.issued_on) == "2021-08-12"
    assert seed_plan.tasks.count() == 74
    assert sorted(seed_plan.tasks.values_list("no", flat=True)) == list(range(1, 75))
    assert seed_plan.source_file.read() == seed_bytes()
    assert len(seed_plan.sha256) == 64


def test_seed_sections(seed_plan):
    finance = Section.objects.get(plan=seed_plan, title="推进财政领域信息公开")
    assert finance.parent.title == "深化重点领域信息公开"
    assert sorted(finance.tasks.values_list("no", flat=True)) == [5, 6, 7, 8, 9, 10, 11]


def test_task_1_two_responsible_units(seed_plan):
    # 区政府办公室、区发展改革局负责落实
    assert roles(seed_plan, 1) == (set(), {"区政府办公室", "区发展改革局"})
    t = seed_plan.tasks.get(no=1)
    assert (t.deadline_kind, t.deadline_event, t.deadline_working_days) == ("after_event", "文件成文", 20)


def test_task_3_lists_eighteen_units(seed_plan):
    lead, resp = roles(seed_plan, 3)
    assert lead == set() and len(resp) == 18
    assert {"区自然资源局", "区消防救援大队", "区气象局"} <= resp


def test_lead_plus_offices_and_streets(seed_plan):
    # Task 8: 区财政局牵头；区政府各办、局，各街道办事处负责落实.
    lead, resp = roles(seed_plan, 8)
    assert lead == {"区财政局"}
    # The lead is itself one of the offices and bureaus: it is the lead, not also responsible.
    assert len(resp) == (N - 1) + STREETS
    assert resp == (offices_and_bureaus() - {"区财政局"}) | {f"{s}街道办事处" for s in ["马街", "前卫", "福海", "金碧", "永昌", "棕树营", "西苑", "碧鸡", "海口", "团结"]}
    assert Assignment.objects.filter(task__plan=seed_plan, task__no=8).count() == 1 + (N - 1) + STREETS


def test_lead_outside_the_offices_group(seed_plan):
    # Task 14: 区卫生健康局、区城市管理局、区住房城乡建设局、区农业农村局、区市场监管局、区文明办牵头;
    # 区文明办 is a party office, not one of 区政府各办、局.
    lead, resp = roles(seed_plan, 14)
    assert lead == {"区卫生健康局", "区城市管理局", "区住房城乡建设局", "区农业农村局", "区市场监管局", "区文明办"}
    assert len(resp) == (N - 5) + STREETS


def test_named_office_and_group_on_one_task(seed_plan):
    # Task 40: 区政府办公室，区政府各办、局，各街道办事处负责落实 -> the office once.
    lead, resp = roles(seed_plan, 40)
    assert lead == set() and len(resp) == N + STREETS


def test_aliases_resolve_to_todays_units(seed_plan):
    # Task 7: 区财政局（区金融办）牵头; task 15: 区发展改革委 is today's 区发展改革局.
    assert roles(seed_plan, 7)[0] == {"区财政局"}
    assert roles(seed_plan, 15)[0] == {"区市场监管局", "区发展改革局", "区商务和投资促进局"}
    # Task 54: 区科技工信局牵头；区发展改革委、区政府各办、局，各街道办事处负责落实
    lead, resp = roles(seed_plan, 54)
    assert lead == {"区科技工信局"} and len(resp) == (N - 1) + STREETS


def test_task_4_named_units_and_vague_groups(seed_plan):
    # 23 named units (区住房城乡建设局 carries 区防震减灾局、区人防办) + 各街道办事处; 相关行业主管部门 and 监督部门 are vague.
    lead, resp = roles(seed_plan, 4)
    assert lead == set() and len(resp) == 23 + STREETS
    vague = PlanWarning.objects.filter(task__no=4, kind=PlanWarning.VAGUE_GROUP).values_list("subject", flat=True)
    assert sorted(vague) == sorted(["相关行业主管部门", "监督部门"])


def test_vague_groups_become_warnings(seed_plan):
    vague = PlanWarning.objects.filter(plan=seed_plan, kind=PlanWarning.VAGUE_GROUP)
    assert sorted((w.task.no, w.subject, w.role) for w in vague) == [
        (2, "区政府相关办、局", "responsible"),
        (4, "监督部门", "responsible"),
        (4, "相关行业主管部门", "responsible"),
        (46, "区政府各有关办、局", "responsible"),
    ]
    lead, resp = roles(seed_plan, 2)  # 18 leads; the vague group added nobody, the streets are there
    assert len(lead) == 18 and len(resp) == STREETS


def test_rows_without_a_deadline_become_warnings(seed_plan):
    # Rows 21, 55 and 68 have nothing in the 完成时限 column.
    missing = PlanWarning.objects.filter(plan=seed_plan, kind=PlanWarning.MISSING_DEADLINE)
    assert sorted(w.task.no for w in missing) == [21, 55, 68]
    assert seed_plan.tasks.get(no=5).deadline_date.isoformat() == "2021-12-31"


def test_task_53_single_lead(seed_plan):
    assert roles(seed_plan, 53) == ({"区科技工信局"}, set())


# --- unknown units ------------------------------------------------------------------------------


def revised_seed(old: str, new: str) -> bytes:
    text = seed_bytes().decode("utf-8")
    assert old in text
    return text.replace(old, new).encode("utf-8")


def test_unknown_unit_stops_the_import_and_writes_nothing(org, media_root):
    data = revised_seed("区统计局牵头", "区大数据局牵头")
    prep = importing.prepare(org, data, "plan.txt")
    assert prep.unknown == {"区大数据局": [26]}
    with pytest.raises(importing.UnknownUnits) as exc:
        importing.apply(prep)
    assert "区大数据局（第26项）" in str(exc.value)
    assert Plan.objects.count() == Task.objects.count() == Assignment.objects.count() == 0
    assert files_under(media_root) == []


def test_unknown_unit_command_lists_names_and_tasks(org, tmp_path):
    f = tmp_path / "plan.txt"
    f.write_bytes(revised_seed("区统计局牵头", "区大数据局牵头").replace("区目督办".encode(), "区督查室".encode()))
    with pytest.raises(CommandError) as exc:
        call_command("import", str(f), "--org", "西山区")
    assert "区大数据局（第26项）" in str(exc.value) and "区督查室（第65项）" in str(exc.value)
    assert Plan.objects.count() == 0


def test_keep_unknown_imports_and_leaves_a_warning(org, tmp_path):
    f = tmp_path / "plan.txt"
    f.write_bytes(revised_seed("区统计局牵头", "区大数据局牵头"))
    call_command("import", str(f), "--keep-unknown", stdout=io.StringIO())
    plan = Plan.objects.get()
    w = PlanWarning.objects.get(plan=plan, kind=PlanWarning.UNKNOWN_UNIT)
    assert (w.task.no, w.subject, w.role) == (26, "区大数据局", "lead")
    assert roles(plan, 26)[0] == set()


def _parsed(tasks, **kw) -> ParsedPlan:
    return ParsedPlan(title=kw.get("title", "测试方案"), doc_number=kw.get("doc_number", "测〔2024〕1号"), year=2024, tasks=tasks)


def test_constructed_plan_resolves_through_the_directory(org):
    parsed = _parsed([
        ParsedTask(1, ["一、公开"], "甲", "区财政局（区金融办）牵头；各街道办事处负责落实",
                   [UnitRef("区财政局", "lead", aliases=["区金融办"]), UnitRef("各街道办事处", "responsible", group=True)],
                   "6月30日前", Deadline("date", date=__import__("datetime").date(2024, 6, 30))),
        ParsedTask(2, ["一、公开"], "乙", "区金融办牵头", [UnitRef("区金融办", "lead")], "", None, ["一个解析提示"]),
    ])
    prep = importing.prepare(org, b"constructed", "c.txt", parsed=parsed)
    plan = importing.apply(prep)
    assert roles(plan, 1) == ({"区财政局"}, {f"{s}街道办事处" for s in ["马街", "前卫", "福海", "金碧", "永昌", "棕树营", "西苑", "碧鸡", "海口", "团结"]})
    assert roles(plan, 2) == ({"区财政局"}, set())
    kinds = sorted(PlanWarning.objects.filter(task__no=2).values_list("kind", flat=True))
    assert kinds == ["missing_deadline", "parser"]


# --- the same document again ----------------------------------------------------------------------


def test_reimport_is_a_no_op(org, media_root):
    out = io.StringIO()
    call_command("import", str(SEED), "--if-new", stdout=out)
    counts = (Plan.objects.count(), Task.objects.count(), Assignment.objects.count(), PlanWarning.objects.count())
    files = files_under(media_root)
    out = io.StringIO()
    call_command("import", str(SEED), "--if-new", stdout=out)
    assert "已导入过" in out.getvalue()
    with pytest.raises(CommandError, match="已导入过"):
        call_command("import", str(SEED))
    assert (Plan.objects.count(), Task.objects.count(), Assignment.objects.count(), PlanWarning.objects.count()) == counts
    assert files_under(media_root) == files
    assert ChangeRecord.objects.count() == 0


def test_same_content_with_other_bytes_is_a_no_op(seed_plan):
    # The same text with Windows line endings: another sha256, the same 文号 and the same tasks.
    data = seed_bytes().replace(b"\n", b"\r\n")
    prep = importing.prepare(seed_plan.org, data, "copy.txt")
    assert prep.status == "duplicate" and prep.existing == seed_plan
    assert importing.apply(prep) == seed_plan
    assert Plan.objects.count() == 1 and ChangeRecord.objects.count() == 0


# --- revisions ----------------------------------------------------------------------------------------


def test_revision_shows_a_diff_before_writing(seed_plan, tmp_path):
    data = revised_seed("区统计局牵头；区政府各办、局，各街道办事处负责落实\t10月31日前完成", "区统计局牵头\t11月30日前完成")
    prep = importing.prepare(seed_plan.org, data, "revised.txt")
    assert prep.status == "revision" and prep.existing == seed_plan
    assert [(t.no, t.status) for t in prep.diff.tasks] == [(26, "changed")]
    labels = {c.label for c in prep.diff.tasks[0].changes}
    assert {"牵头落实单位", "完成时限", "分工"} <= labels
    # Nothing written yet; the command refuses without --yes.
    f = tmp_path / "revised.txt"
    f.write_bytes(data)
    out = io.StringIO()
    with pytest.raises(CommandError, match="--yes"):
        call_command("import", str(f), stdout=out)
    assert "第26项（修改）" in out.getvalue()
    t = seed_plan.tasks.get(no=26)
    assert t.deadline_date.month == 10
    assert roles(seed_plan, 26) == ({"区统计局"}, (offices_and_bureaus() - {"区统计局"}) | {u.name for u in Unit.objects.filter(kind="subdistrict")})
    # With --yes it is applied and every change is recorded.
    call_command("import", str(f), "--yes", stdout=io.StringIO())
    t.refresh_from_db()
    assert str(t.deadline_date) == "2021-11-30"
    assert roles(seed_plan, 26) == ({"区统计局"}, set())
    fields = set(ChangeRecord.objects.filter(task=t).values_list("field", flat=True))
    assert {"牵头落实单位", "完成时限", "分工"} <= fields
    seed_plan.refresh_from_db()
    assert seed_plan.sha256 == importing.sha256_of(data)
    assert Plan.objects.count() == 1


def test_revision_with_added_and_removed_tasks(seed_plan):
    text = seed_bytes().decode()
    # Drop task 74's row and renumber nothing else; add a task 75 after 74.
    row74 = next(line for line in text.splitlines() if line.startswith("74\t"))
    new = text.replace(row74, row74.replace("74\t", "75\t", 1).replace("及时总结", "及时总结并报送"))
    prep = importing.prepare(seed_plan.org, new.encode(), "revised.txt")
    assert prep.status == "revision"
    assert sorted((t.no, t.status) for t in prep.diff.tasks) == [(74, "removed"), (75, "added")]
    importing.apply(prep)
    assert sorted(seed_plan.tasks.values_list("no", flat=True))[-2:] == [73, 75]
    assert ChangeRecord.objects.filter(plan=seed_plan, task_no=74, after="（已删除，已归档）").exists()
    old74 = Task.all_objects.get(plan=seed_plan, no=74)  # archived, not deleted
    assert old74.archived_at is not None and not old74.assignments.exists()
    assert Assignment.all_objects.filter(task=old74).exists()


def test_if_new_leaves_a_revision_alone(seed_plan, tmp_path):
    f = tmp_path / "revised.txt"
    f.write_bytes(revised_seed("积极开展针对性业务培训", "积极开展业务培训"))
    out = io.StringIO()
    call_command("import", str(f), "--if-new", stdout=out)
    assert "未作改动" in out.getvalue()
    assert not ChangeRecord.objects.exists()


# --- bad files and failures ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data,name",
    [
        (b"PK\x03\x04 this is not really a zip", "plan.docx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old word", "plan.doc"),
        (b"   \n  ", "plan.txt"),
        ("这不是分工方案，只是一段文字。".encode(), "plan.txt"),
    ],
)
def test_bad_file_gives_a_chinese_error_and_stores_nothing(org, media_root, tmp_path, data, name):
    f = tmp_path / name
    f.write_bytes(data)
    with pytest.raises(CommandError) as exc:
        call_command("import", str(f))
    message = str(exc.value)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    assert Plan.objects.count() == 0 and Task.objects.count() == 0
    assert files_under(media_root) == []


def test_failure_midway_rolls_back_everything(org, media_root, monkeypatch):
    prep = importing.prepare(org, seed_bytes(), SEED.name)
    written = {}

    def failing(plan, *a, **kw):  # the last step of the write: the tasks and assignments are in by now
        written["assignments"] = Assignment.objects.filter(task__plan=plan).count()
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing.deadlines, "refresh_plan", failing)
    with pytest.raises(RuntimeError):
        importing.apply(prep)
    assert written["assignments"] > 0
    assert Plan.objects.count() == Task.objects.count() == Assignment.objects.count() == Section.objects.count() == 0
    assert files_under(media_root) == []


def test_org_must_exist(db, tmp_path):
    with pytest.raises(CommandError, match="load_directory"):
        call_command("import", str(SEED))


# --- the upload form --------------------------------------------------------------------------------------


def upload(client, data: bytes, name: str, **extra):
    """Post the form. An upload the form accepts becomes an import job (tests/web/test_import_jobs.py):
    work it, and answer what its page answers once it is finished — what the upload itself answered
    when it still parsed in the request."""
    f = io.BytesIO(data)
    f.name = name
    r = client.post("/plans/upload/", {"file": f, **extra})
    if r.status_code != 302:
        return r
    job = ImportJob.objects.latest("id")
    assert r["Location"] == f"/plans/imports/{job.pk}/"
    call_command("run_imports", stdout=io.StringIO())
    return client.get(r["Location"])


def test_upload_new_plan(client, org):
    c = make_user(org, "c", "coordinator")
    client.force_login(c)
    r = upload(client, seed_bytes(), "西山区2021.txt")
    plan = Plan.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/plans/{plan.pk}/review/"
    assert plan.created_by == c and plan.source_name == "西山区2021.txt"
    r = upload(client, seed_bytes(), "again.txt")
    assert r["Location"] == f"/plans/{plan.pk}/"
    assert Plan.objects.count() == 1


def test_corrupt_upload_gives_chinese_error_and_stores_nothing(client, org, media_root):
    client.force_login(make_user(org, "c", "coordinator"))
    r = upload(client, b"PK\x03\x04broken zip", "plan.docx")
    assert r.status_code == 400
    assert "无法导入" in r.content.decode()
    assert Plan.objects.count() == 0 and files_under(media_root) == []


def test_upload_over_the_limit(client, org, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    client.force_login(make_user(org, "c", "coordinator"))
    r = upload(client, seed_bytes(), "big.txt")
    assert r.status_code == 200
    assert "文件过大" in r.content.decode()
    assert Plan.objects.count() == 0


def test_upload_with_unknown_units_lists_them(client, org):
    client.force_login(make_user(org, "c", "coordinator"))
    data = revised_seed("区统计局牵头", "区大数据局牵头")
    r = upload(client, data, "plan.txt")
    assert r.status_code == 400
    body = r.content.decode()
    assert "区大数据局" in body and "第26项" in body
    assert Plan.objects.count() == 0
    r = upload(client, data, "plan.txt", keep_unknown="on")
    assert r.status_code == 302 and Plan.objects.count() == 1


def test_upload_revision_asks_for_confirmation(client, seed_plan):
    client.force_login(make_user(seed_plan.org, "c", "coordinator"))
    data = revised_seed("年内至少组织开展1次政务公开业务培训", "年内至少组织开展2次政务公开业务培训")
    r = upload(client, data, "revised.txt")
    assert r.status_code == 302 and "/plans/upload/" in r["Location"]
    page = client.get(r["Location"])
    body = page.content.decode()
    assert "确认按修订版更新" in body and "2次政务公开业务培训" in body
    assert "1次政务公开业务培训" in seed_plan.tasks.get(no=68).requirement  # nothing written yet
    r = client.post(r["Location"], {"action": "apply"})
    assert r.status_code == 302
    assert "2次政务公开业务培训" in seed_plan.tasks.get(no=68).requirement
    rec = ChangeRecord.objects.get(task__no=68, field="具体要求")
    assert rec.user.username == "c" and "1次" in rec.before and "2次" in rec.after


def test_upload_revision_cancelled_changes_nothing(client, seed_plan):
    client.force_login(make_user(seed_plan.org, "c", "coordinator"))
    r = upload(client, revised_seed("年内至少组织开展1次", "年内至少组织开展3次"), "revised.txt")
    client.post(r["Location"], {"action": "cancel"})
    assert "1次" in seed_plan.tasks.get(no=68).requirement and not ChangeRecord.objects.exists()


def test_upload_is_for_coordinators_only(client, org, unit):
    client.force_login(make_user(org, "leader", "leader"))
    assert upload(client, seed_bytes(), "p.txt").status_code == 403
    client.force_login(make_user(org, "l", "liaison", unit("区民政局")))
    assert client.get("/plans/upload/").status_code == 403
    assert Plan.objects.count() == 0


def test_two_imports_of_one_file_at_once_make_one_plan(org, media_root):
    first = importing.prepare(org, seed_bytes(), SEED.name)
    second = importing.prepare(org, seed_bytes(), SEED.name)  # prepared before the first is written
    assert first.status == second.status == "new"
    plan = importing.apply(first)
    assert importing.apply(second) == plan
    assert Plan.objects.count() == 1 and Task.objects.count() == 74
    assert len(files_under(media_root)) == 1


def test_tasks_change_only_through_recorded_pages_not_the_admin(seed_plan, client, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", password="x-long-password")
    client.force_login(admin_user)
    task = seed_plan.tasks.get(no=1)
    r = client.post(f"/admin/plans/task/{task.pk}/change/", {"requirement": "改掉"})
    assert r.status_code == 403
    task.refresh_from_db()
    assert task.requirement != "改掉"
    assert client.get(f"/admin/plans/task/{task.pk}/change/").status_code == 200  # view only
