import datetime as dt

import pytest

from duban.ingest.deadline import parse_deadline


def meaning(text, year=2021):
    result = parse_deadline(text, year)
    return (result.deadline.to_json() if result.deadline else None), result.warnings


@pytest.mark.parametrize(
    "text, expected",
    [
        ("10月31日前完成", "2021-10-31"),
        ("10月31日前", "2021-10-31"),
        ("2022年6月底前", "2022-06-30"),
        ("2月底前", "2021-02-28"),
        ("2024年2月底前", "2024-02-29"),
        ("年底前", "2021-12-31"),
        ("2021年底前完成", "2021-12-31"),
        ("上半年", "2021-06-30"),
        ("第三季度", "2021-09-30"),
        ("9月上旬", "2021-09-10"),
        ("11月中旬前", "2021-11-20"),
        ("二〇二一年十月底前", "2021-10-31"),
        ("2021.11.15", "2021-11-15"),
    ],
)
def test_dates(text, expected):
    got, warnings = meaning(text)
    assert got == {"kind": "date", "date": expected}
    assert warnings == []


def test_event_relative():
    got, warnings = meaning("文件成文后 20 个工作日内,在门户网站公开发布")
    assert got == {"kind": "after_event", "event": "文件成文", "working_days": 20}
    assert warnings == []
    assert meaning("印发之日起十个工作日内")[0] == {"kind": "after_event", "event": "印发", "working_days": 10}


def test_calendar_days_are_not_silently_taken_for_working_days():
    got, warnings = meaning("收到申请后5日内")
    assert got is None and "不是工作日" in warnings[0]


@pytest.mark.parametrize("text", ["长期坚持", "持续推进", "常态化开展", "及时公开", "随时更新"])
def test_ongoing(text):
    assert meaning(text) == ({"kind": "ongoing"}, [])


@pytest.mark.parametrize("text, every", [("每季度", "每季度"), ("每月10日前报送", "每月"), ("每半年", "每半年"), ("按月更新", "每月")])
def test_recurring(text, every):
    got, _ = meaning(text)
    if every is None:  # a day in a recurring phrase is still a date in the plan's year: a person should check
        assert got["kind"] == "date"
    else:
        assert got == {"kind": "recurring", "every": every}


def test_missing_is_a_warning_never_a_guess():
    assert meaning("") == (None, ["完成时限为空，请补充"])
    got, warnings = meaning("视情况而定")
    assert got is None and "无法识别" in warnings[0]


def test_impossible_date_is_a_warning():
    got, warnings = meaning("2月30日前")
    assert got is None and any("不存在" in w for w in warnings)


def test_no_year_anywhere_is_a_warning():
    got, warnings = meaning("10月31日前", year=None)
    assert got is None and any("年份" in w for w in warnings)


def test_several_dates_take_the_last_and_say_so():
    got, warnings = meaning("6月底前完成初稿，12月底前完成")
    assert got == {"kind": "date", "date": "2021-12-31"} and "多个时间节点" in warnings[0]


def test_date_and_ongoing_together_is_a_doubt():
    got, warnings = meaning("12月底前完成并长期坚持")
    assert got["kind"] == "date" and warnings


def test_returns_real_dates():
    assert parse_deadline("10月31日前完成", 2021).deadline.date == dt.date(2021, 10, 31)
