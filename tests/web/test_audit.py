"""The audit trail: what is recorded, with before/after; the coordinator's /audit/ page and its Excel export."""
from __future__ import annotations

import io
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from openpyxl import load_workbook

from duban.audit.events import record
from duban.audit.models import AuditEvent
from duban.directory.models import Organisation

from .conftest import PASSWORD, make_user


def events(action):
    return list(AuditEvent.objects.filter(action=action))


def test_logins_failures_and_logouts_are_recorded(client, coordinator):
    org = coordinator.profile.org
    client.post("/login/", {"username": "coordinator", "password": "wrong"}, REMOTE_ADDR="10.3.3.3")
    client.post("/login/", {"username": "nobody-here", "password": "wrong"}, REMOTE_ADDR="10.3.3.3")
    client.post("/login/", {"username": "coordinator", "password": PASSWORD}, REMOTE_ADDR="10.3.3.3")
    client.post("/logout/", REMOTE_ADDR="10.3.3.3")
    failed = {e.username: e for e in events(AuditEvent.LOGIN_FAILED)}
    assert failed["coordinator"].org == org and failed["coordinator"].ip == "10.3.3.3"
    assert failed["nobody-here"].org is None and failed["nobody-here"].user is None  # no organisation to show it to
    [login] = events(AuditEvent.LOGIN)
    assert (login.user, login.org, login.ip) == (coordinator, org, "10.3.3.3")
    [logout] = events(AuditEvent.LOGOUT)
    assert logout.user == coordinator


def test_scheme_change_is_recorded_with_before_and_after(seed_plan, coordinator, as_user):
    url = f"/plans/{seed_plan.pk}/assessment/scheme/"
    form = {"lead_points": "4", "responsible_points": "1", "late_penalty": "2", "late_floor": "50", "grade_excellent": "100",
            "grade_good": "90", "grade_fair": "75", "grade_poor": "50", "return_deduction": "0.5"}
    assert as_user(coordinator).post(url, form).status_code == 302
    [e] = events(AuditEvent.SCHEME_CHANGE)
    assert e.before["lead_points"] == "3" and e.after["lead_points"] == "4"
    assert e.before["late_floor"] == e.after["late_floor"] == "50"
    assert e.user == coordinator and e.org == seed_plan.org and seed_plan.title in e.target
    form["lead_points"] = "5"
    as_user(coordinator).post(url, form)
    second = AuditEvent.objects.filter(action=AuditEvent.SCHEME_CHANGE).first()
    assert second.before["lead_points"] == "4" and second.after["lead_points"] == "5"


def test_refused_changes_leave_no_record(seed_plan, leader, as_user):
    url = f"/plans/{seed_plan.pk}/assessment/scheme/"
    assert as_user(leader).post(url, {"lead_points": "9"}).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.SCHEME_CHANGE).exists()


def test_deductions_created_and_deleted_are_recorded(seed_plan, coordinator, unit, as_user):
    from duban.assessment.models import Deduction

    finance = unit("区财政局")
    durl = f"/plans/{seed_plan.pk}/assessment/deductions/"
    data = {"unit": finance.pk, "points": "1.5", "reason": "未按要求更新公开目录", "at": "2021-12-01T09:00"}
    assert as_user(coordinator).post(durl, data).status_code == 302
    [created] = events(AuditEvent.DEDUCTION_CREATE)
    assert created.after["unit"] == "区财政局" and created.after["points"] == "1.5" and created.after["reason"] == data["reason"]
    assert created.before is None
    d = Deduction.objects.get()
    assert as_user(coordinator).post(f"{durl}{d.pk}/delete/").status_code == 302
    [deleted] = events(AuditEvent.DEDUCTION_DELETE)
    assert deleted.before["reason"] == data["reason"] and deleted.before["by"] == "coordinator" and deleted.after is None
    assert not Deduction.objects.exists()


def test_reminder_rule_change_is_recorded_with_before_and_after(seed_plan, coordinator, as_user):
    from duban.reminders.forms import ReminderRuleForm
    from duban.reminders.models import ReminderRule

    initial = ReminderRuleForm(instance=ReminderRule.for_plan(seed_plan)).initial
    data = {k: v for k, v in initial.items() if k in ReminderRuleForm._meta.fields and v is not False and v is not None}
    data["yellow_days"] = int(initial["yellow_days"]) + 2
    r = as_user(coordinator).post(f"/plans/{seed_plan.pk}/reminders/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    [e] = events(AuditEvent.REMINDER_RULE_CHANGE)
    assert e.after["yellow_days"] == e.before["yellow_days"] + 2
    assert e.before["days_before"] == e.after["days_before"]


def test_export_downloads_are_recorded(seed_plan, coordinator, as_user):
    from duban.exports.models import ExportJob

    job = ExportJob.objects.create(plan=seed_plan, kind="division", params={"fmt": "docx"}, created_by=coordinator,
                                   status=ExportJob.DONE, result_name="分工表.docx")
    job.result.save("division.docx", ContentFile(b"PK fake"), save=True)
    r = as_user(coordinator).get(f"/exports/{job.pk}/download/")
    assert r.status_code == 200
    [e] = events(AuditEvent.EXPORT_DOWNLOAD)
    assert e.target == "分工表.docx" and e.after == {"job": job.pk, "kind": "division", "plan": seed_plan.pk}


def test_audit_page_is_the_coordinators_own_organisation_only(client, seed_plan, coordinator, leader, liaison):
    other_org = Organisation.objects.create(name="昆明市五华区人民政府", short_name="五华区")
    stranger = make_user(other_org, "wuhua-coordinator", "coordinator")
    record(None, AuditEvent.DEDUCTION_CREATE, target="五华区的扣分", user=stranger)
    record(None, AuditEvent.DEDUCTION_CREATE, target="西山区的扣分", user=coordinator)
    client.force_login(coordinator)
    page = client.get("/audit/").content.decode()
    assert "西山区的扣分" in page and "五华区的扣分" not in page and "wuhua-coordinator" not in page
    client.force_login(stranger)
    page = client.get("/audit/").content.decode()
    assert "五华区的扣分" in page and "西山区的扣分" not in page
    xlsx = client.get("/audit/export.xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert "五华区的扣分" in [r[3] for r in rows] and "西山区的扣分" not in [r[3] for r in rows]
    for user in (leader, liaison):
        client.force_login(user)
        assert client.get("/audit/").status_code == 404
        assert client.get("/audit/export.xlsx").status_code == 404
    client.logout()
    assert client.get("/audit/")["Location"].startswith("/login/")


def test_audit_filters(client, coordinator, liaison):
    record(None, AuditEvent.DEDUCTION_CREATE, target="扣分甲", user=coordinator)
    old = record(None, AuditEvent.DEDUCTION_DELETE, target="删除乙", user=coordinator)
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=10))
    record(None, AuditEvent.PASSWORD_CHANGE, target=liaison.username, user=liaison)
    client.force_login(coordinator)

    def shown(**params):
        body = client.get("/audit/", params).content.decode()
        return {t for t in ("扣分甲", "删除乙", liaison.username) if f"<td>{t}</td>" in body}

    assert shown() == {"扣分甲", "删除乙", liaison.username}
    assert shown(action="deduction_delete") == {"删除乙"}
    assert shown(user=liaison.username) == {liaison.username}
    today = timezone.localdate()
    assert shown(since=str(today - timedelta(days=1))) == {"扣分甲", liaison.username}
    assert shown(until=str(today - timedelta(days=5))) == {"删除乙"}
    # Nonsense in the filters is a message, never an error page.
    r = client.get("/audit/", {"since": "not-a-date", "action": "<script>", "page": "x"})
    assert r.status_code == 200 and "<script>" not in r.content.decode()


def test_export_writes_formula_like_cells_as_text(client, coordinator):
    for text in ["=HYPERLINK(\"http://evil\",\"x\")", "+1+2", "-3+4", "@SUM(A1)"]:
        record(None, AuditEvent.DEDUCTION_CREATE, target=text, user=coordinator)
    client.force_login(coordinator)
    r = client.get("/audit/export.xlsx")
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    ws = load_workbook(io.BytesIO(r.content)).active
    assert [c.value for c in ws[1]] == ["时间", "用户名", "操作", "对象", "修改前", "修改后", "IP地址"]
    targets = {ws.cell(row=i, column=4).value: ws.cell(row=i, column=4) for i in range(2, ws.max_row + 1)
               if ws.cell(row=i, column=3).value == "录入扣分"}
    assert set(targets) == {"=HYPERLINK(\"http://evil\",\"x\")", "+1+2", "-3+4", "@SUM(A1)"}
    for cell in targets.values():
        assert cell.data_type == "s" and cell.quotePrefix
