"""The unit directory: resolving names as the seed writes them, group phrases, loading and Excel exchange."""
from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from duban.directory.exchange import load_data, read_xlsx, write_xlsx
from duban.directory.models import Organisation, Unit, UnitAlias, UnitGroup
from duban.directory.resolve import Directory, expand, resolve

from .conftest import DIRECTORY_JSON, directory_doc, make_user

# Every unit name written in the seed's 牵头落实单位 column (read from duban/data/xishan_2021_plan.txt by hand),
# including the older or second names that stand for a unit of today's directory.
SEED_UNIT_NAMES = [
    "区政府办公室", "区发展改革局", "区自然资源局", "区科技工信局", "区教育体育局", "区民政局", "区人力资源社会保障局",
    "区生态环境分局", "区交通运输局", "区农业农村局", "区水务局", "区商务和投资促进局", "区文化和旅游局", "区卫生健康局",
    "区应急局", "区市场监管局", "区城市管理局", "区消防救援大队", "区气象局", "区公安分局", "区司法局", "区财政局",
    "区住房城乡建设局", "区审计局", "区扶贫办", "区政务服务中心", "区税务局", "区疫情防控指挥部办公室", "区文明办",
    "区退役军人局", "区城市更新改造局", "区统计局", "区委网信办", "区目督办",
]
SEED_ALIASES = {"区发展改革委": "区发展改革局", "区金融办": "区财政局", "区防震减灾局": "区住房城乡建设局", "区人防办": "区住房城乡建设局"}
STREETS = ["马街", "前卫", "福海", "金碧", "永昌", "棕树营", "西苑", "碧鸡", "海口", "团结"]
VAGUE = ["区政府相关办、局", "区政府各有关办、局", "相关行业主管部门", "监督部门"]


def test_every_unit_named_in_the_seed_resolves(org):
    d = Directory(org)
    for name in SEED_UNIT_NAMES:
        unit = d.resolve(name)
        assert unit is not None, name
        assert unit.name == name
    for alias, target in SEED_ALIASES.items():
        assert d.resolve(alias).name == target


def test_resolve_ignores_bracket_width_and_spaces(org):
    assert resolve(org, "区财政局（区金融办）").name == "区财政局"
    assert resolve(org, "区财政局(区金融办)").name == "区财政局"
    assert resolve(org, " 区 民政局 ").name == "区民政局"
    assert resolve(org, "区住房城乡建设局（区防震减灾局、区人防办）").name == "区住房城乡建设局"
    assert resolve(org, "区大数据局") is None


def test_traditional_names_resolve_to_the_directorys_units_and_groups(org):
    assert resolve(org, "區財政局（區金融辦）").name == "区财政局"
    assert resolve(org, "區發展改革委").name == "区发展改革局"  # an alias, written in Traditional
    assert sorted(u.name for u in expand(org, "各街道辦事處")) == sorted(f"{s}街道办事处" for s in STREETS)


def test_district_offices_and_bureaus_expand_to_the_governments_own_units(org):
    # Count the members from the data file itself: 办公室, 局 and 分局, not party, vertical or coordination bodies.
    doc = directory_doc()["organisations"][0]
    expected = {u["name"] for u in doc["units"] if u["kind"] in ("办公室", "局", "分局")}
    members = expand(org, "区政府各办、局")
    assert {u.name for u in members} == expected
    assert len(members) == len(expected) > 20
    names = {u.name for u in members}
    assert "区政府办公室" in names and "区公安分局" in names and "区生态环境分局" in names
    for outside in ("区委网信办", "区文明办", "区税务局", "区气象局", "区消防救援大队", "区疫情防控指挥部办公室", "马街街道办事处"):
        assert outside not in names
    # The same phrase written without the 顿号, as in the notice's salutation.
    assert {u.name for u in expand(org, "区政府各办局")} == expected


def test_street_offices_expand_to_the_ten_streets(org):
    assert sorted(u.name for u in expand(org, "各街道办事处")) == sorted(f"{s}街道办事处" for s in STREETS)


def test_vague_groups_expand_to_nothing(org):
    for phrase in VAGUE:
        group = Directory(org).group(phrase)
        assert group is not None and group.vague, phrase
        assert expand(org, phrase) == []
    assert expand(org, "区民政局") is None  # a unit, not a group phrase


def test_inactive_units_leave_their_groups(org):
    u = Unit.objects.get(org=org, name="海口街道办事处")
    u.active = False
    u.save()
    assert len(expand(org, "各街道办事处")) == 9


def test_group_with_listed_units(org):
    g = UnitGroup.objects.create(org=org, phrase="区应急管理相关单位", kinds=[])
    g.units.set(Unit.objects.filter(org=org, name__in=["区应急局", "区消防救援大队"]))
    assert sorted(u.name for u in expand(org, "区应急管理相关单位")) == ["区应急局", "区消防救援大队"]


def test_load_directory_is_idempotent(db):
    call_command("load_directory")
    counts = (Organisation.objects.count(), Unit.objects.count(), UnitAlias.objects.count(), UnitGroup.objects.count())
    out = io.StringIO()
    call_command("load_directory", stdout=out)
    assert "没有变化" in out.getvalue()
    assert (Organisation.objects.count(), Unit.objects.count(), UnitAlias.objects.count(), UnitGroup.objects.count()) == counts
    doc = directory_doc()["organisations"][0]
    assert counts == (1, len(doc["units"]), len(doc["aliases"]), len(doc["groups"]))


def test_xlsx_round_trip_and_edit(org, tmp_path):
    path = tmp_path / "dir.xlsx"
    call_command("export_directory", str(path))
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb["单位"].append(["西山区", "区大数据局", "大数据局", "局", "是", 500])
    wb["别名"].append(["西山区", "区数据局", "区大数据局"])
    wb.save(path)
    call_command("load_directory", "--xlsx", str(path))
    assert resolve(org, "区数据局").name == "区大数据局"
    assert Unit.objects.get(org=org, name="区大数据局").kind == Unit.BUREAU
    # The new bureau joins 区政府各办、局 by its kind.
    assert "区大数据局" in {u.name for u in expand(org, "区政府各办、局")}
    # Reading the file back gives the same directory: nothing changes the second time.
    before = Unit.objects.count()
    stats = load_data(read_xlsx(path))
    assert str(stats) == "名录没有变化"
    assert Unit.objects.count() == before


def test_xlsx_with_unknown_kind_is_refused_in_chinese(org, tmp_path):
    from duban.directory.exchange import DirectoryError

    buf = io.BytesIO()
    write_xlsx([org], buf)
    from openpyxl import load_workbook

    buf.seek(0)
    wb = load_workbook(buf)
    wb["单位"].append(["西山区", "区某某委", "", "委员会", "是", 1])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    with pytest.raises(DirectoryError, match="未知的单位类别"):
        load_data(read_xlsx(out))
    assert not Unit.objects.filter(name="区某某委").exists()


def _workbook(org):
    from openpyxl import load_workbook

    buf = io.BytesIO()
    write_xlsx([org], buf)
    buf.seek(0)
    return load_workbook(buf)


def _saved(wb, name="dir.xlsx"):
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = name
    return out


def _row_of(ws, unit_name):
    return next(row[0].row for row in ws.iter_rows(min_row=2) if row[1].value == unit_name)


CONTACTS = {"leader_name": "张伟", "leader_email": "zhangwei@xishan.gov.cn", "contact_email": "czj@xishan.gov.cn"}


def test_xlsx_round_trip_keeps_unit_contacts(org, tmp_path):
    Unit.objects.filter(org=org, name="区财政局").update(**CONTACTS)
    path = tmp_path / "dir.xlsx"
    call_command("export_directory", str(path))
    from openpyxl import load_workbook

    ws = load_workbook(path)["单位"]
    assert [c.value for c in ws[1]][-3:] == ["分管负责人", "负责人邮箱", "单位邮箱"]
    Unit.objects.filter(org=org).update(leader_name="", leader_email="", contact_email="")
    call_command("load_directory", "--xlsx", str(path))
    fin = Unit.objects.get(org=org, name="区财政局")
    assert (fin.leader_name, fin.leader_email, fin.contact_email) == tuple(CONTACTS.values())
    assert not Unit.objects.filter(org=org, leader_email__gt="").exclude(pk=fin.pk).exists()
    # An emptied cell clears the field.
    wb = load_workbook(path)
    wb["单位"].cell(_row_of(wb["单位"], "区财政局"), 9).value = None
    load_data(read_xlsx(_saved(wb)))
    fin.refresh_from_db()
    assert (fin.leader_email, fin.contact_email) == (CONTACTS["leader_email"], "")


def test_xlsx_with_a_bad_email_is_refused_with_its_row_and_nothing_is_written(org, tmp_path):
    wb = _workbook(org)
    ws = wb["单位"]
    ws.cell(_row_of(ws, "区政府办公室"), 7).value = "李明"  # a good edit in an earlier row
    ws.append(["西山区", "区大数据局", "", "局", "是", 500, "王芳", "zhangwei@xishan", ""])
    path = tmp_path / "bad.xlsx"
    wb.save(path)
    from django.core.management import CommandError

    with pytest.raises(CommandError, match=f"工作表“单位”第 {ws.max_row} 行：负责人邮箱“zhangwei@xishan”不是有效的邮件地址"):
        call_command("load_directory", "--xlsx", str(path))
    assert Unit.objects.get(org=org, name="区政府办公室").leader_name == ""
    assert not Unit.objects.filter(name="区大数据局").exists()


def test_xlsx_without_the_contact_columns_still_loads_and_keeps_contacts(org):
    Unit.objects.filter(org=org, name="区财政局").update(**CONTACTS)
    wb = _workbook(org)
    ws = wb["单位"]
    ws.delete_cols(7, 3)  # as exported before the contact columns existed
    assert [c.value for c in ws[1]] == ["机构", "名称", "简称", "类别", "启用", "排序"]
    ws.append(["西山区", "区大数据局", "大数据局", "局", "是", 500])
    stats = load_data(read_xlsx(_saved(wb)))
    assert str(stats) == "单位新增 1"
    fin = Unit.objects.get(org=org, name="区财政局")
    assert (fin.leader_name, fin.leader_email, fin.contact_email) == tuple(CONTACTS.values())


def test_json_with_a_bad_email_names_the_unit(db):
    from duban.directory.exchange import DirectoryError

    doc = directory_doc()
    doc["organisations"][0]["units"][3]["contact_email"] = "办公室邮箱"
    name = doc["organisations"][0]["units"][3]["name"]
    with pytest.raises(DirectoryError, match=f"西山区：单位“{name}”的单位邮箱“办公室邮箱”不是有效的邮件地址"):
        load_data(doc)
    assert not Unit.objects.exists()


def test_directory_page_refuses_a_bad_email(client, org):
    client.force_login(make_user(org, "c", "coordinator"))
    wb = _workbook(org)
    ws = wb["单位"]
    row = _row_of(ws, "区民政局")
    ws.cell(row, 9).value = "mzj@@xishan.gov.cn"
    r = client.post("/directory/import/", {"file": _saved(wb)}, follow=True)
    assert f"未导入：工作表“单位”第 {row} 行：单位邮箱“mzj@@xishan.gov.cn”不是有效的邮件地址" in r.content.decode()
    assert Unit.objects.get(org=org, name="区民政局").contact_email == ""


def upload_workbook(client, wb):
    """The directory page's import, with a workbook edited in the test."""
    edited = io.BytesIO()
    wb.save(edited)
    edited.seek(0)
    edited.name = "dir.xlsx"
    return client.post("/directory/import/", {"file": edited}, follow=True)


def test_directory_page_export_and_import(client, org, tmp_path):
    coordinator = make_user(org, "c", "coordinator")
    client.force_login(coordinator)
    page = client.get("/directory/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "区政府各办、局" in text and "不可推断" in text
    export = client.get("/directory/export.xlsx")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(export.content))
    wb["别名"].append(["西山区", "区网信办", "区委网信办"])
    r = upload_workbook(client, wb)
    assert "单位名录已导入" in r.content.decode()
    assert resolve(org, "区网信办").name == "区委网信办"
    bad = io.BytesIO(b"not an excel file")
    bad.name = "x.xlsx"
    r = client.post("/directory/import/", {"file": bad}, follow=True)
    assert "无法读取该 Excel 文件" in r.content.decode()


def test_directory_page_is_not_for_liaisons(client, org, unit):
    client.force_login(make_user(org, "l", "liaison", unit("区民政局")))
    assert client.get("/directory/").status_code == 403
    assert client.get("/directory/export.xlsx").status_code == 403


def test_default_directory_file_is_valid_json_with_kinds_known():
    doc = directory_doc()
    labels = {label for _, label in Unit.KIND_CHOICES}
    for u in doc["organisations"][0]["units"]:
        assert u["kind"] in labels, u
    assert DIRECTORY_JSON.name == "xishan_directory.json"


def test_directory_upload_naming_another_organisation_changes_only_the_own(client, org):
    """A file whose 机构 row carries the own short name but another organisation's full name: the upload
    changes the coordinator's own organisation only, and neither organisation is renamed."""
    from openpyxl import load_workbook

    other = Organisation.objects.create(name="昆明市东川区人民政府", short_name="东川区")
    client.force_login(make_user(org, "c", "coordinator"))
    wb = load_workbook(io.BytesIO(client.get("/directory/export.xlsx").content))
    sheet = wb.worksheets[0]
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == org.name:
                cell.value = other.name
    wb["别名"].append(["西山区", "区网信办", "区委网信办"])
    r = upload_workbook(client, wb)
    assert r.status_code == 200 and "单位名录已导入" in r.content.decode()
    org.refresh_from_db()
    other.refresh_from_db()
    assert (org.short_name, other.name, other.short_name) == ("西山区", "昆明市东川区人民政府", "东川区")
    assert resolve(org, "区网信办").name == "区委网信办" and not Unit.objects.filter(org=other).exists()


def test_load_data_refuses_to_rename_an_organisation_onto_another(db):
    from duban.directory.exchange import DirectoryError, load_data

    Organisation.objects.create(name="甲区人民政府", short_name="甲区")
    Organisation.objects.create(name="乙区人民政府", short_name="乙区")
    with pytest.raises(DirectoryError, match="已被另一个机构"):
        load_data({"organisations": [{"name": "甲区人民政府", "short_name": "乙区", "units": []}]})
    assert set(Organisation.objects.values_list("short_name", flat=True)) >= {"甲区", "乙区"}
