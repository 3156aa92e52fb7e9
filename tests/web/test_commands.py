"""The commands `make run` calls, each idempotent: load_directory, import --if-new, demo_users."""
from __future__ import annotations

import io

from django.contrib.auth.models import User
from django.core.management import call_command

from duban.accounts.models import Profile
from duban.directory.models import Unit
from duban.plans.models import Assignment, Plan, Task

from .conftest import SEED


def run(*args, **env) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_make_run_sequence_twice(db, monkeypatch):
    monkeypatch.delenv("DUBAN_DEMO_PASSWORD", raising=False)
    first = [run("load_directory"), run("import", str(SEED), "--if-new"), run("demo_users")]
    state = (Unit.objects.count(), Plan.objects.count(), Task.objects.count(), Assignment.objects.count(), User.objects.count())
    second = [run("load_directory"), run("import", str(SEED), "--if-new"), run("demo_users")]
    assert (Unit.objects.count(), Plan.objects.count(), Task.objects.count(), Assignment.objects.count(), User.objects.count()) == state
    assert "74 项任务" in first[1]
    assert "没有变化" in second[0] and "已导入过" in second[1] and "已存在" in second[2]
    # Generated passwords are printed once, on creation only.
    assert "只显示这一次" in first[2] and "只显示这一次" not in second[2]


def test_demo_users_roles_and_generated_passwords(db, monkeypatch):
    monkeypatch.delenv("DUBAN_DEMO_PASSWORD", raising=False)
    run("load_directory")
    out = run("demo_users")
    units = Unit.objects.filter(active=True)
    assert User.objects.count() == 2 + units.count()
    assert Profile.objects.get(user__username="coordinator").role == "coordinator"
    assert Profile.objects.get(user__username="leader").role == "leader"
    for u in units:
        p = Profile.objects.get(user__username=f"liaison{u.pk}")
        assert p.role == "liaison" and p.unit == u
    line = next(ln for ln in out.splitlines() if ln.strip().startswith("coordinator"))
    password = line.split()[1]
    assert User.objects.get(username="coordinator").check_password(password)


def test_demo_users_password_from_environment(db, monkeypatch):
    monkeypatch.setenv("DUBAN_DEMO_PASSWORD", "demo-pass-2021")
    run("load_directory")
    out = run("demo_users")
    assert "demo-pass-2021" not in out
    assert User.objects.get(username="leader").check_password("demo-pass-2021")
    # A unit added later gets its liaison on the next run; nobody else is touched.
    from duban.directory.models import Organisation

    new = Unit.objects.create(org=Organisation.objects.get(), name="区大数据局", kind=Unit.BUREAU)
    out = run("demo_users")
    assert f"liaison{new.pk}" in out and "coordinator" not in out


def test_export_directory_command(db, tmp_path):
    run("load_directory")
    path = tmp_path / "out.xlsx"
    assert "已导出" in run("export_directory", str(path), "--org", "西山区")
    from openpyxl import load_workbook

    wb = load_workbook(path)
    assert wb.sheetnames == ["机构", "单位", "别名", "单位组", "联系人"]
    assert wb["单位"].max_row == 1 + Unit.objects.count()

