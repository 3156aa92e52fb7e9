"""Working-day arithmetic, checked against the published 国务院办公厅 tables.

Expected dates are computed by hand from the tables in
/work/shared/research/regulations.md §5.1 (not by calling the code):

2021: 中秋 9/19(日)–9/21(二) 放假, 9/18(六) 上班;
      国庆 10/1(五)–10/7(四) 放假, 9/26(日) 和 10/9(六) 上班.
      (2021-09-01 was a Wednesday.)
2026: 春节 2/15(日)–2/23(一) 放假, 2/14(六) 和 2/28(六) 上班.
      (2026-02-01 was a Sunday.)
"""
import datetime

import pytest

from duban.workcal import holidayfile
from duban.workcal.calendar import PACKAGE_YEARS, UnknownCalendarYear, WorkCalendar

D = datetime.date
cal = WorkCalendar()


def test_2021_national_day():
    for day in range(1, 8):
        assert not cal.is_workday(D(2021, 10, day))
    assert cal.is_workday(D(2021, 9, 26))  # Sunday, 调休上班
    assert cal.is_workday(D(2021, 10, 9))  # Saturday, 调休上班
    assert not cal.is_workday(D(2021, 10, 10))  # an ordinary Sunday
    # 9/30 is Thursday; 10/1–10/7 off; 10/8 is a Friday and a working day.
    assert cal.add_working_days(D(2021, 9, 30), 1) == D(2021, 10, 8)
    assert cal.add_working_days(D(2021, 10, 8), 1) == D(2021, 10, 9)


def test_twenty_working_days_after_a_document_is_issued_in_2021():
    # 成文日期 2021-09-15 (Wed), not counted. Counting:
    #  9/16 四 1, 9/17 五 2, 9/18 六(调休) 3, 9/19–9/21 中秋, 9/22 三 4, 9/23 四 5, 9/24 五 6,
    #  9/25 六 -, 9/26 日(调休) 7, 9/27 一 8, 9/28 二 9, 9/29 三 10, 9/30 四 11, 10/1–10/7 国庆,
    #  10/8 五 12, 10/9 六(调休) 13, 10/10 日 -, 10/11 一 14, 10/12 二 15, 10/13 三 16,
    #  10/14 四 17, 10/15 五 18, 10/16–17 周末, 10/18 一 19, 10/19 二 20.
    # (Weekends only would have given 2021-10-13.)
    issued = D(2021, 9, 15)
    assert cal.add_working_days(issued, 20) == D(2021, 10, 19)
    assert cal.working_days_between(issued, D(2021, 10, 19)) == 20
    assert cal.working_days_between(D(2021, 10, 19), issued) == -20


def test_reminders_before_a_due_date_2021():
    # Due 2021-10-11 (Mon). Going back: 10/10 日 -, 10/9 六(调休) 1, 10/8 五 2,
    # 10/1–10/7 国庆, 9/30 四 3, 9/29 三 4, 9/28 二 5.
    due = D(2021, 10, 11)
    assert cal.subtract_working_days(due, 1) == D(2021, 10, 9)
    assert cal.subtract_working_days(due, 3) == D(2021, 9, 30)
    assert cal.subtract_working_days(due, 5) == D(2021, 9, 28)
    assert cal.previous_working_day(D(2021, 10, 8)) == D(2021, 9, 30)
    assert cal.previous_working_day(D(2021, 9, 27)) == D(2021, 9, 26)  # Sunday 调休


def test_2026_spring_festival():
    for day in range(15, 24):
        assert not cal.is_workday(D(2026, 2, day))
    assert cal.is_workday(D(2026, 2, 14))  # Saturday, 调休上班
    assert cal.is_workday(D(2026, 2, 28))  # Saturday, 调休上班
    assert cal.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert cal.add_working_days(D(2026, 2, 14), 1) == D(2026, 2, 24)
    # (2/13, 2/28]: 2/14, 2/24, 2/25, 2/26, 2/27, 2/28.
    assert cal.working_days_between(D(2026, 2, 13), D(2026, 2, 28)) == 6
    # From 2/12 (Thu): 2/13 1, 2/14 2, 2/24–2/27 3–6, 2/28 7, 3/2–3/6 8–12,
    # 3/9–3/13 13–17, 3/16 18, 3/17 19, 3/18 20.
    assert cal.add_working_days(D(2026, 2, 12), 20) == D(2026, 3, 18)


def test_zero_days_and_bad_input():
    assert cal.add_working_days(D(2026, 2, 15), 0) == D(2026, 2, 15)
    with pytest.raises(ValueError):
        cal.add_working_days(D(2026, 2, 15), -1)
    with pytest.raises(TypeError):
        cal.is_workday(datetime.datetime(2026, 2, 15, 9, 0))


def test_2027_is_unknown_and_says_what_to_do():
    with pytest.raises(UnknownCalendarYear) as exc:
        cal.is_workday(D(2027, 1, 4))
    assert exc.value.year == 2027
    message = str(exc.value)
    assert "2027年的法定节假日和调休安排尚未录入" in message
    assert "工作日历" in message
    assert isinstance(exc.value, ValueError)
    # Arithmetic that crosses into the unknown year refuses too (no weekends-only guess).
    with pytest.raises(UnknownCalendarYear):
        cal.add_working_days(D(2026, 12, 30), 5)
    with pytest.raises(UnknownCalendarYear):
        cal.working_days_between(D(2026, 12, 30), D(2027, 1, 8))
    assert 2027 not in cal.known_years()
    assert {2021, 2026} <= set(cal.known_years())


# A made-up 2027 arrangement, for tests only (the real one was not published when this was written).
FAKE_2027_HOLIDAYS = {D(2027, 1, 1): "元旦", D(2027, 1, 2): "元旦", D(2027, 1, 3): "元旦"}
FAKE_2027_WORKDAYS = {D(2027, 1, 9): "测试用调休上班"}


def test_complete_override_year_works():
    cal27 = WorkCalendar(holidays=FAKE_2027_HOLIDAYS, workdays=FAKE_2027_WORKDAYS, complete_years=[2027])
    # 2026-12-31 (Thu), 2027-01-01 (Fri) off, 1/2–1/3 weekend, 1/4 (Mon) is the first working day.
    assert cal27.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert cal27.is_workday(D(2027, 1, 9))  # Saturday made a working day
    assert 2027 in cal27.known_years()


def test_incomplete_override_year_still_refuses():
    cal27 = WorkCalendar(holidays=FAKE_2027_HOLIDAYS, workdays=FAKE_2027_WORKDAYS)
    with pytest.raises(UnknownCalendarYear):
        cal27.is_workday(D(2027, 1, 1))


def test_override_beats_package():
    corrected = WorkCalendar(holidays={D(2021, 10, 8): "更正"}, workdays={D(2021, 10, 4): "更正"})
    assert not corrected.is_workday(D(2021, 10, 8))
    assert corrected.is_workday(D(2021, 10, 4))
    # 10/4 is now a working day; after 10/4 the next is 10/9 (10/5–10/7 off, 10/8 corrected off).
    assert corrected.add_working_days(D(2021, 9, 30), 1) == D(2021, 10, 4)
    assert corrected.add_working_days(D(2021, 10, 4), 1) == D(2021, 10, 9)


def test_same_day_cannot_be_both():
    with pytest.raises(ValueError):
        WorkCalendar(holidays={D(2027, 1, 1): "元旦"}, workdays={D(2027, 1, 1): "x"}, complete_years=[2027])


def test_without_package_only_complete_years_are_known():
    bare = WorkCalendar(use_package=False, complete_years=[2027])
    assert bare.known_years() == [2027]
    with pytest.raises(UnknownCalendarYear):
        bare.is_workday(D(2021, 10, 1))
    assert 2026 in PACKAGE_YEARS


# --- the holiday file reader -------------------------------------------------

def test_json_reader_expands_ranges():
    arrangement = holidayfile.parse_json(
        '{"year": 2023, "source": "gov.cn", "holidays": [["2022-12-31", "2023-01-02", "元旦"], ["2023-04-05", "清明节"]],'
        ' "workdays": ["2023-01-28", ["2023-01-29", "春节调休上班"]]}'
    )
    assert arrangement.year == 2023 and arrangement.complete
    assert arrangement.days[D(2022, 12, 31)] == ("holiday", "元旦")  # previous December is allowed
    assert arrangement.days[D(2023, 4, 5)] == ("holiday", "清明节")
    assert arrangement.days[D(2023, 1, 28)] == ("workday", "调休上班")
    assert arrangement.days[D(2023, 1, 29)] == ("workday", "春节调休上班")
    assert arrangement.count("holiday") == 4


def test_json_reader_reports_every_error_in_chinese():
    with pytest.raises(holidayfile.HolidayFileError) as exc:
        holidayfile.parse_json(
            '{"year": 2027, "holidays": [["2027-13-01", "2027-13-02", "x"], ["2026-06-01", "2026-06-01", "y"],'
            ' ["2027-02-10", "2027-02-05", "z"]], "workdays": ["2027-02-08", "2027-02-06", "2027-02-06"]}'
        )
    message = str(exc.value)
    assert "日期“2027-13-01”格式不正确" in message
    assert "2026-06-01 不属于2027年的安排" in message
    assert "早于开始日期" in message
    assert "调休上班日应为周六或周日" in message  # 2027-02-08 is a Monday
    assert "2027-02-06 重复出现" in message


def test_json_reader_checks_year_and_keys():
    with pytest.raises(holidayfile.HolidayFileError, match="与指定的2026年不一致"):
        holidayfile.parse_json('{"year": 2027, "holidays": [["2027-01-01", "元旦"]]}', year=2026)
    with pytest.raises(holidayfile.HolidayFileError, match="无法识别的字段：holiday"):
        holidayfile.parse_json('{"year": 2027, "holiday": []}')
    with pytest.raises(holidayfile.HolidayFileError, match="没有任何放假日期"):
        holidayfile.parse_json('{"year": 2027}')
    assert not holidayfile.parse_json('{"year": 2027, "complete": false}').complete


def test_csv_reader():
    arrangement = holidayfile.parse_csv(
        "kind,start,end,name\nholiday,2026-10-01,2026-10-07,国庆节\n上班,2026-10-10,,国庆节调休上班\n", 2026
    )
    assert arrangement.count("holiday") == 7
    assert arrangement.days[D(2026, 10, 10)] == ("workday", "国庆节调休上班")
    with pytest.raises(holidayfile.HolidayFileError, match="第2行"):
        holidayfile.parse_csv("kind,start,end,name\n休息,2026-10-01,,x\n", 2026)


def test_working_days_between_matches_counting_day_by_day():
    """The per-year tables give what walking the calendar one day at a time gives, overrides included."""
    import random

    cal = WorkCalendar(holidays={datetime.date(2026, 10, 9): "测试放假"}, workdays={datetime.date(2026, 10, 10): "测试调休"})

    def walk(a, b):
        sign = 1 if b >= a else -1
        a, b = min(a, b), max(a, b)
        n, d = 0, a + datetime.timedelta(days=1)
        while d <= b:
            n += cal.is_workday(d)
            d += datetime.timedelta(days=1)
        return sign * n

    rng = random.Random(7)
    first, last = datetime.date(2004, 1, 1), datetime.date(2026, 12, 31)
    span = (last - first).days
    pairs = [(first + datetime.timedelta(days=rng.randrange(span)), first + datetime.timedelta(days=rng.randrange(span))) for _ in range(300)]
    pairs += [(datetime.date(2020, 12, 31), datetime.date(2021, 1, 1)), (datetime.date(2021, 1, 1), datetime.date(2021, 1, 1)),
              (datetime.date(2025, 12, 31), datetime.date(2026, 12, 31)), (datetime.date(2026, 10, 8), datetime.date(2026, 10, 10))]
    for a, b in pairs:
        assert cal.working_days_between(a, b) == walk(a, b), (a, b)


def test_working_days_between_refuses_a_year_not_entered_on_the_way():
    cal = WorkCalendar()
    with pytest.raises(UnknownCalendarYear) as err:
        cal.working_days_between(datetime.date(2026, 12, 1), datetime.date(2027, 1, 10))
    assert err.value.year == 2027
    # a start on the last day of a known year counts from the next day: nothing unknown is needed
    assert cal.working_days_between(datetime.date(2026, 12, 30), datetime.date(2026, 12, 31)) == 1
