"""Holiday data in the database: loading files, overrides, and get_calendar()."""
import datetime
import json
from pathlib import Path

import chinese_calendar
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from duban.workcal.models import CalendarYear, DayOverride
from duban.workcal.services import UnknownCalendarYear, get_calendar

pytestmark = pytest.mark.django_db

D = datetime.date
EXAMPLE = Path(__file__).resolve().parents[2] / "duban" / "data" / "holidays_example.json"

# Made up for the tests (the real 2027 arrangement was not published when this was written):
# 元旦 2027-01-01 (Fri) – 01-03 (Sun); 春节 02-06 (Sat) – 02-12 (Fri) with 01-31 (Sun) worked.
FAKE_2027 = {
    "year": 2027,
    "source": "测试用虚构数据",
    "holidays": [["2027-01-01", "2027-01-03", "元旦"], ["2027-02-06", "2027-02-12", "春节"]],
    "workdays": [["2027-01-31", "春节调休上班"]],
}


def write(tmp_path, data, name="2027.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_2027_unknown_until_loaded(tmp_path):
    with pytest.raises(UnknownCalendarYear, match="2027年的法定节假日和调休安排尚未录入"):
        get_calendar().is_workday(D(2027, 2, 8))

    call_command("load_holidays", write(tmp_path, FAKE_2027))

    cal = get_calendar()
    assert 2027 in cal.known_years()
    assert not cal.is_workday(D(2027, 2, 8))  # Monday inside the (fake) 春节
    assert cal.is_workday(D(2027, 1, 31))  # Sunday worked
    # From 2027-02-05 (Fri): 2/6–2/12 off, 2/13–2/14 weekend, 2/15 (Mon) is next.
    assert cal.add_working_days(D(2027, 2, 5), 1) == D(2027, 2, 15)
    # 2026-12-31 (Thu, package year) → 2027-01-04 (Mon, loaded year).
    assert cal.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)


def test_loading_is_idempotent_and_replaces_the_year(tmp_path):
    path = write(tmp_path, FAKE_2027)
    call_command("load_holidays", path)
    call_command("load_holidays", path)
    assert CalendarYear.objects.count() == 1
    assert DayOverride.objects.count() == 3 + 7 + 1

    corrected = dict(FAKE_2027, workdays=[])
    call_command("load_holidays", write(tmp_path, corrected))
    assert DayOverride.objects.count() == 10
    assert not get_calendar().is_workday(D(2027, 1, 31))


def test_incomplete_year_still_refuses(tmp_path):
    call_command("load_holidays", write(tmp_path, dict(FAKE_2027, complete=False)))
    assert not CalendarYear.objects.get(year=2027).complete
    with pytest.raises(UnknownCalendarYear):
        get_calendar().is_workday(D(2027, 3, 1))
    call_command("load_holidays", write(tmp_path, FAKE_2027))
    assert get_calendar().is_workday(D(2027, 3, 1))


def test_invalid_file_writes_nothing(tmp_path):
    bad = dict(FAKE_2027, workdays=["2027-02-01"])  # a Monday
    with pytest.raises(CommandError, match="调休上班日应为周六或周日"):
        call_command("load_holidays", write(tmp_path, bad))
    assert not CalendarYear.objects.exists()
    assert not DayOverride.objects.exists()


def test_conflict_with_another_year_rolls_back(tmp_path):
    call_command("load_holidays", write(tmp_path, FAKE_2027))
    # A 2028 file reaching back to 2027-12-31 is fine; one claiming a 2027 date already entered is not.
    clash = {"year": 2028, "holidays": [["2027-12-31", "2028-01-02", "元旦"]]}
    DayOverride.objects.create(year=CalendarYear.objects.get(year=2027), date=D(2027, 12, 31), kind="holiday")
    with pytest.raises(CommandError, match="2027-12-31 已录入在2027年的安排中"):
        call_command("load_holidays", write(tmp_path, clash, "2028.json"))
    assert not CalendarYear.objects.filter(year=2028).exists()


def test_csv_file(tmp_path):
    path = tmp_path / "2027.csv"
    path.write_text(
        "kind,start,end,name\nholiday,2027-01-01,2027-01-03,元旦\nholiday,2027-02-06,2027-02-12,春节\n"
        "workday,2027-01-31,,春节调休上班\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="--year"):
        call_command("load_holidays", str(path))
    call_command("load_holidays", str(path), "--year", "2027", "--source", "测试")
    year = CalendarYear.objects.get(year=2027)
    assert year.complete and year.source == "测试"
    assert get_calendar().add_working_days(D(2027, 2, 5), 1) == D(2027, 2, 15)


def test_example_file_matches_the_package():
    call_command("load_holidays", str(EXAMPLE))
    assert CalendarYear.objects.get(year=2026).complete
    overrides_only = get_calendar()
    day = D(2026, 1, 1)
    while day.year == 2026:
        assert overrides_only.is_workday(day) == chinese_calendar.is_workday(day), day
        day += datetime.timedelta(days=1)


def test_override_in_database_beats_the_package():
    year = CalendarYear.objects.create(year=2021, complete=False, note="更正")
    DayOverride.objects.create(year=year, date=D(2021, 10, 8), kind=DayOverride.HOLIDAY, name="更正")
    # 2021 stays known through the package even though this row is not "complete".
    cal = get_calendar()
    assert not cal.is_workday(D(2021, 10, 8))
    assert cal.add_working_days(D(2021, 9, 30), 1) == D(2021, 10, 9)  # Saturday 调休上班


def test_override_date_must_belong_to_its_year():
    year = CalendarYear.objects.create(year=2027)
    DayOverride(year=year, date=D(2026, 12, 31), kind="holiday").full_clean()
    with pytest.raises(ValidationError, match="不属于2027年的安排"):
        DayOverride(year=year, date=D(2026, 11, 30), kind="holiday").full_clean()


def test_admin_pages_render(admin_client):
    call_command("load_holidays", str(EXAMPLE))
    for url in ["/admin/workcal/calendaryear/", "/admin/workcal/dayoverride/", "/admin/workcal/dayoverride/?date__year=2026",
                f"/admin/workcal/calendaryear/{CalendarYear.objects.get().pk}/change/"]:
        assert admin_client.get(url).status_code == 200, url
