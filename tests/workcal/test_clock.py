"""The office's clock (duban.workcal.clock): the one place "today" comes from, and the demo clock DUBAN_TODAY.

DUBAN_TODAY=2021-09-30 makes every today of the app that date — figures, lights, dashboards, the overview,
the reminders' as-of date, lifecycle time stamps — shows a banner on every page, and is refused at start-up
unless DEBUG or DUBAN_DEMO=1 (a production instance never runs on a made-up date).
"""
from __future__ import annotations

import datetime
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from duban.workcal import clock
from tests.web.conftest import as_user, coordinator, leader, liaison, org, seed_plan, unit  # noqa: F401

D = datetime.date
DEMO = D(2021, 9, 30)
ROOT = Path(__file__).resolve().parents[2]


def test_without_a_demo_clock_today_is_the_offices_today(settings):
    settings.DUBAN_TODAY = None
    assert clock.today() == timezone.localdate()
    assert abs((clock.now() - timezone.now()).total_seconds()) < 5
    assert clock.banner_text() == ""


def test_the_demo_clock_sets_today_and_now(settings):
    settings.DUBAN_TODAY = DEMO
    assert clock.today() == DEMO
    assert timezone.localdate(clock.now()) == DEMO  # the demo day at the real time of day
    assert clock.banner_text() == "演示时钟：2021年9月30日"
    moment = timezone.make_aware(datetime.datetime(2021, 3, 5, 9, 30))
    with clock.at(moment):  # what duban replay_demo runs the lifecycle under
        assert clock.now() == moment and clock.today() == D(2021, 3, 5)
    assert clock.today() == DEMO


@pytest.mark.parametrize("text, message", [("2021-9-31", "yyyy-mm-dd"), ("tomorrow", "yyyy-mm-dd"), ("1900-01-01", "2000年至2100年")])
def test_a_bad_demo_date_is_refused(text, message):
    with pytest.raises(ValueError, match=message):
        clock.parse_demo_date(text)
    assert clock.parse_demo_date("") is None and clock.parse_demo_date(" 2021-09-30 ") == DEMO


def start(**env) -> subprocess.CompletedProcess:
    """Load the settings as a server would, with this environment."""
    base = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DUBAN_DEMO", "DUBAN_TODAY", "DJANGO_SETTINGS_MODULE")}
    base.update(SECRET_KEY="k" * 60, DUBAN_HTTPS="0", **env)
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'duban.settings'; django.setup(); from django.conf import settings; print(settings.DUBAN_TODAY)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120)


def test_production_refuses_to_start_on_a_demo_clock():
    refused = start(DUBAN_TODAY="2021-09-30")
    assert refused.returncode != 0 and "DUBAN_DEMO=1" in refused.stderr and "ImproperlyConfigured" in refused.stderr
    assert start(DUBAN_TODAY="2021-09-30", DUBAN_DEMO="1").stdout.strip() == "2021-09-30"
    assert start(DUBAN_TODAY="2021-09-30", DEBUG="1").stdout.strip() == "2021-09-30"
    assert start().stdout.strip() == "None"
    bad = start(DUBAN_TODAY="30/09/2021", DUBAN_DEMO="1")
    assert bad.returncode != 0 and "yyyy-mm-dd" in bad.stderr


@pytest.mark.django_db
def test_the_banner_is_on_every_page(settings, client, coordinator, liaison):  # noqa: F811
    settings.DUBAN_TODAY = DEMO
    banner = "演示时钟：2021年9月30日"
    assert banner in client.get("/login/").content.decode()
    client.force_login(coordinator)
    for path in ("/plans/", "/overview/", "/directory/", "/no-such-page/"):
        assert banner in client.get(path).content.decode(), path
    client.force_login(liaison)
    assert banner in client.get("/plans/").content.decode()
    settings.DUBAN_TODAY = None
    assert "演示时钟" not in client.get("/plans/").content.decode()


@pytest.mark.django_db
def test_every_today_follows_the_demo_clock(settings, client, seed_plan, coordinator):  # noqa: F811
    settings.DUBAN_TODAY = DEMO
    client.force_login(coordinator)
    dash = client.get(f"/plans/{seed_plan.pk}/dashboard/")
    assert dash.context["as_of"] == DEMO and "截至2021年9月30日" in dash.content.decode()
    overview = client.get(f"/overview/?plan={seed_plan.pk}").context["o"]
    assert overview.today == DEMO
    assert overview.total.light["red"] == 0  # on 2021-09-30 nothing of the 2021 plan is overdue yet
    settings.DUBAN_TODAY = D(2021, 11, 2)
    assert client.get(f"/overview/?plan={seed_plan.pk}").context["o"].total.light["red"] > 0
    out = io.StringIO()
    call_command("remind", "--no-deliver", "-v", "2", stdout=out)
    assert out.getvalue().startswith("2021-11-02：")  # the reminders' as-of date


# Real time stamps of what people did, kept real on purpose (the audit trail, a file's own metadata).
REAL_TIME = {"duban/audit/views.py", "duban/documents/gongwen.py"}


def test_no_other_code_asks_the_system_for_today():
    pattern = re.compile(r"timezone\.localdate\(\)|date\.today\(\)|datetime\.now\(\)")
    offenders = []
    for path in (ROOT / "duban").rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel == "duban/workcal/clock.py" or rel in REAL_TIME:
            continue
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{rel}:{no}: {line.strip()}")
    assert offenders == [], "ask duban.workcal.clock.today() instead:\n" + "\n".join(offenders)
