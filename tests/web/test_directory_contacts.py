"""The directory's Excel exchange carries the unit contacts (单位联系人): sheet 联系人, round trip, all-or-nothing refusals."""
from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from duban.directory.exchange import DirectoryError, dump_data, load_data, read_xlsx, write_xlsx
from duban.directory.models import Contact, Unit

from .conftest import make_user

HEADER = ["机构", "单位", "角色", "姓名", "邮箱", "启用"]


@pytest.fixture
def contacts(org):
    fin = Unit.objects.get(org=org, name="区财政局")
    mz = Unit.objects.get(org=org, name="区民政局")
    Contact.objects.create(unit=fin, role=Contact.DEPUTY, name="赵副区长", email="zhao@xishan.gov.cn")
    Contact.objects.create(unit=fin, role=Contact.LIAISON, name="李明", email="liming@xishan.gov.cn")
    Contact.objects.create(unit=fin, role=Contact.HEAD, name="张伟", email="zhangwei@xishan.gov.cn")
    Contact.objects.create(unit=mz, role=Contact.LIAISON, name="", email="mzj@xishan.gov.cn")
    return fin, mz


def people():
    return sorted(Contact.objects.values_list("unit__name", "role", "name", "email"))


def workbook(org):
    buf = io.BytesIO()
    write_xlsx([org], buf)
    buf.seek(0)
    return load_workbook(buf)


def saved(wb):
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "dir.xlsx"
    return out


def test_export_writes_the_contacts_sheet_in_role_order(org, contacts, tmp_path):
    path = tmp_path / "dir.xlsx"
    call_command("export_directory", str(path))
    ws = load_workbook(path)["联系人"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows == [
        HEADER,
        ["西山区", "区民政局", "联络员", None, "mzj@xishan.gov.cn", "是"],  # units in the directory's order (区民政局 60, 区财政局 80)
        ["西山区", "区财政局", "联络员", "李明", "liming@xishan.gov.cn", "是"],  # roles in escalation order
        ["西山区", "区财政局", "负责人", "张伟", "zhangwei@xishan.gov.cn", "是"],
        ["西山区", "区财政局", "分管负责人", "赵副区长", "zhao@xishan.gov.cn", "是"],
    ]


def test_round_trip_restores_the_contacts_and_changes_nothing_the_second_time(org, contacts, tmp_path):
    before = people()
    path = tmp_path / "dir.xlsx"
    call_command("export_directory", str(path))
    Contact.objects.all().delete()
    out = io.StringIO()
    call_command("load_directory", "--xlsx", str(path), stdout=out)
    assert "联系人新增 4" in out.getvalue()
    assert people() == before
    assert str(load_data(read_xlsx(path))) == "名录没有变化"
    assert people() == before


def test_edited_sheet_updates_by_name_adds_new_ones_and_keeps_the_others(org, contacts):
    fin, mz = contacts
    wb = workbook(org)
    ws = wb["联系人"]
    for row in ws.iter_rows(min_row=2):
        if row[3].value == "张伟":
            row[4].value = "zw@xishan.gov.cn"  # a changed e-mail: the same contact, updated
        if row[3].value == "李明":
            for cell in row:  # a row deleted from the sheet: the contact stays (as units and aliases do)
                cell.value = None
    ws.append(["西山区", "区民政局", "负责人", "王芳", "wangfang@xishan.gov.cn"])
    ws.append(["西山区", "区民政局", "liaison", "陈静", ""])  # the role's code is understood too
    stats = load_data(read_xlsx(saved(wb)))
    assert str(stats) == "联系人新增 2，联系人更新 1"
    assert Contact.objects.get(unit=fin, name="张伟").email == "zw@xishan.gov.cn"
    assert Contact.objects.filter(unit=fin, name="李明", role=Contact.LIAISON).exists()
    assert Contact.objects.get(unit=mz, name="王芳").role == Contact.HEAD
    assert Contact.objects.get(unit=mz, name="陈静").role == Contact.LIAISON
    assert Contact.objects.count() == 6


BAD_ROWS = [
    (["西山区", "区大数据局", "联络员", "王芳", "wf@xishan.gov.cn"], "单位“区大数据局”不在名录中"),
    (["西山区", "区民政局", "联络员", "王芳", "wangfang@xishan"], "邮箱“wangfang@xishan”不是有效的邮件地址"),
    (["西山区", "区民政局", "主任", "王芳", "wf@xishan.gov.cn"], "未知的联系人角色“主任”，可用：联络员、负责人、分管负责人"),
    (["西山区", "区民政局", None, "王芳", "wf@xishan.gov.cn"], "没有填写角色"),
    (["西山区", "区民政局", "负责人", None, None], "姓名和邮箱至少填写一项"),
    (["西山区", "区财政局", "负责人", "张伟", "other@xishan.gov.cn"], "与前面的联系人重复"),
    (["东川区", "区民政局", "负责人", "王芳", None], "机构“东川区”不在“机构”工作表中"),
]


@pytest.mark.parametrize("row,message", BAD_ROWS, ids=["unknown-unit", "bad-email", "unknown-role", "no-role", "empty", "duplicate", "unknown-org"])
def test_a_bad_contact_row_refuses_the_whole_file_naming_its_row(org, contacts, tmp_path, row, message):
    before = people()
    wb = workbook(org)
    wb["单位"].append(["西山区", "区大数据局新", "", "局", "是", 500])  # a good unit in the same file
    ws = wb["联系人"]
    ws.append(["西山区", "区教育体育局", "联络员", "周杰", "zj@xishan.gov.cn"])  # a good contact before the bad one
    ws.append(row)
    path = tmp_path / "bad.xlsx"
    wb.save(path)
    with pytest.raises(CommandError, match=f"工作表“联系人”第 {ws.max_row} 行.*{message}"):
        call_command("load_directory", "--xlsx", str(path))
    assert people() == before
    assert not Unit.objects.filter(name="区大数据局新").exists()


def test_a_workbook_without_the_contacts_sheet_loads_and_keeps_the_contacts(org, contacts):
    before = people()
    wb = workbook(org)
    del wb["联系人"]  # as exported before the sheet existed
    wb["单位"].append(["西山区", "区大数据局", "", "局", "是", 500])
    assert str(load_data(read_xlsx(saved(wb)))) == "单位新增 1"
    assert people() == before


def test_json_contacts_load_and_name_the_contact_when_wrong(org, contacts):
    doc = dump_data([org])
    assert {"unit": "区民政局", "role": "联络员", "name": "", "email": "mzj@xishan.gov.cn", "active": True} in doc["organisations"][0]["contacts"]
    doc["organisations"][0]["contacts"].append({"unit": "区审计局", "role": "负责人", "name": "何平", "email": "hp@xishan"})
    with pytest.raises(DirectoryError, match="西山区：第 5 个联系人：邮箱“hp@xishan”不是有效的邮件地址"):
        load_data(doc)
    assert not Contact.objects.filter(name="何平").exists()


def test_directory_page_refuses_a_bad_contact_and_imports_a_good_one(client, org, contacts):
    client.force_login(make_user(org, "c", "coordinator"))
    wb = load_workbook(io.BytesIO(client.get("/directory/export.xlsx").content))
    assert [c.value for c in wb["联系人"][1]] == HEADER
    wb["联系人"].append(["西山区", "区审计局", "负责人", "何平", "hp@xishan.gov.cn"])
    wb["联系人"].append(["西山区", "区审计署", "负责人", "何平", "hp@xishan.gov.cn"])
    r = client.post("/directory/import/", {"file": saved(wb)}, follow=True)
    assert f"未导入：工作表“联系人”第 {wb['联系人'].max_row} 行：单位“区审计署”不在名录中" in r.content.decode()
    assert not Contact.objects.filter(name="何平").exists()
    wb["联系人"].delete_rows(wb["联系人"].max_row)
    r = client.post("/directory/import/", {"file": saved(wb)}, follow=True)
    assert "单位名录已导入：联系人新增 1" in r.content.decode()
    assert Contact.objects.get(name="何平").unit.name == "区审计局"
    for row in wb["联系人"].iter_rows(min_row=2):  # stopping a contact: the result names it
        if row[3].value == "张伟":
            row[5].value = "否"
    r = client.post("/directory/import/", {"file": saved(wb)}, follow=True)
    assert "已停用的联系人：区财政局 负责人 张伟（记录保留，不再收到提醒）" in r.content.decode()


def test_a_contact_marked_no_in_the_enabled_column_is_kept_and_no_longer_reminded(org, contacts):
    """Removing a contact = 启用 否 on its row: the row stays (name, e-mail, for the record), the result says whom
    it stopped, and no reminder or escalation goes to it; 是 (or an empty cell) brings it back."""
    from duban.reminders.sweep import recipients

    fin, mz = contacts
    wb = workbook(org)
    ws = wb["联系人"]
    assert [c.value for c in ws[1]] == HEADER
    assert {row[5].value for row in ws.iter_rows(min_row=2)} == {"是"}
    for row in ws.iter_rows(min_row=2):
        if row[3].value == "张伟":
            row[5].value = "否"
    stats = load_data(read_xlsx(saved(wb)))
    assert str(stats) == "联系人更新 1；已停用的联系人：区财政局 负责人 张伟（记录保留，不再收到提醒）"
    assert Contact.objects.count() == 4 and not Contact.objects.get(name="张伟").active
    assert Contact.objects.get(name="张伟").email == "zhangwei@xishan.gov.cn"
    assert "zhangwei@xishan.gov.cn" not in {c[3] for c in recipients([fin.pk]).contacts[fin.pk]}
    assert "zhao@xishan.gov.cn" in {c[3] for c in recipients([fin.pk]).contacts[fin.pk]}
    again = workbook(org)  # exported as 否; loading it again changes nothing
    assert [r[5].value for r in again["联系人"].iter_rows(min_row=2) if r[3].value == "张伟"] == ["否"]
    assert str(load_data(read_xlsx(saved(again)))) == "名录没有变化"
    for row in again["联系人"].iter_rows(min_row=2):
        if row[3].value == "张伟":
            row[5].value = None
    assert str(load_data(read_xlsx(saved(again)))) == "联系人更新 1"
    assert Contact.objects.get(name="张伟").active


def test_a_sheet_without_the_enabled_column_leaves_a_stopped_contact_stopped(org, contacts):
    Contact.objects.filter(name="张伟").update(active=False)
    wb = workbook(org)
    wb["联系人"].delete_cols(6)  # as exported before the column existed
    assert [c.value for c in wb["联系人"][1]] == HEADER[:5]
    assert str(load_data(read_xlsx(saved(wb)))) == "名录没有变化"
    assert not Contact.objects.get(name="张伟").active
