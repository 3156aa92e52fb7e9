"""Working-day arithmetic for Chinese government deadlines (pure Python, no Django).

A day is a working day when it is Monday–Friday and not a statutory holiday, or
when it is a 调休上班 weekend day. The yearly arrangement comes from the
国务院办公厅 notice; we take it from

* the ``chinese_calendar`` package for the years it ships (2004–2026 in 1.11.0), and
* override data entered by the administrator (``duban.workcal.models``):
  day overrides (holiday / 调休上班) and the set of years whose arrangement has
  been entered in full ("complete").

Override days win over the package, so a correction to a known year works.

A date in a year that neither source covers raises ``UnknownCalendarYear``.
We never guess — not even "weekends only" — because a wrong deadline is worse
than no deadline.

Counting convention (how "文件成文后20个工作日内" is computed): the start day
itself is not counted; ``add_working_days(start, 20)`` is the 20th working day
*after* ``start``. Likewise ``subtract_working_days(due, 5)`` is the 5th working
day before ``due`` and ``working_days_between(a, b)`` counts the working days
in the half-open interval (a, b], so that
``working_days_between(a, add_working_days(a, n)) == n``.
"""
from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

import chinese_calendar

ONE_DAY = datetime.timedelta(days=1)

_PACKAGE_YEARS = frozenset(d.year for d in chinese_calendar.holidays)
PACKAGE_YEARS = frozenset(range(min(_PACKAGE_YEARS), max(_PACKAGE_YEARS) + 1))


class UnknownCalendarYear(ValueError):
    """The holiday arrangement of a year has not been entered."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            f"{year}年的法定节假日和调休安排尚未录入，无法按工作日计算。"
            f"请管理员在“工作日历”中录入国务院办公厅{year}年节假日安排通知后再试。"
        )


class WorkCalendar:
    """Answers "is this a working day?" and does working-day arithmetic.

    ``holidays`` and ``workdays`` map a date to a name (e.g. "春节", "调休上班");
    they override the package. ``complete_years`` are the years whose
    arrangement has been entered in full in the overrides. ``use_package=False``
    ignores the ``chinese_calendar`` package (tests).
    """

    def __init__(
        self,
        holidays: Mapping[datetime.date, str] | None = None,
        workdays: Mapping[datetime.date, str] | None = None,
        complete_years: Iterable[int] = (),
        use_package: bool = True,
    ):
        self._holidays = dict(holidays or {})
        self._workdays = dict(workdays or {})
        both = self._holidays.keys() & self._workdays.keys()
        if both:
            days = "、".join(d.isoformat() for d in sorted(both))
            raise ValueError(f"同一天不能既是放假日又是调休上班日：{days}")
        self._use_package = use_package
        package_years = PACKAGE_YEARS if use_package else frozenset()
        self._known_years = frozenset(package_years) | frozenset(complete_years)
        self._tables: dict[int, list[int]] = {}  # per year, see _year_table
        self._between: dict[tuple[datetime.date, datetime.date], int] = {}  # answers of working_days_between

    def known_years(self) -> list[int]:
        """The years for which working days can be computed, sorted."""
        return sorted(self._known_years)

    def is_workday(self, d: datetime.date) -> bool:
        d = _as_date(d)
        if d.year not in self._known_years:
            raise UnknownCalendarYear(d.year)
        if d in self._workdays:
            return True
        if d in self._holidays:
            return False
        if self._use_package:
            if d in chinese_calendar.workdays:
                return True
            if d in chinese_calendar.holidays:
                return False
        return d.weekday() < 5

    def add_working_days(self, start: datetime.date, n: int) -> datetime.date:
        """The n-th working day after ``start`` (``start`` itself not counted).

        ``n == 0`` returns ``start`` unchanged.
        """
        return self._step(_as_date(start), _non_negative(n), +1)

    def subtract_working_days(self, d: datetime.date, n: int) -> datetime.date:
        """The n-th working day before ``d`` (``d`` itself not counted)."""
        return self._step(_as_date(d), _non_negative(n), -1)

    def previous_working_day(self, d: datetime.date) -> datetime.date:
        """The last working day strictly before ``d``."""
        return self.subtract_working_days(d, 1)

    def working_days_between(self, a: datetime.date, b: datetime.date) -> int:
        """Number of working days in (a, b]; negative when b is before a.

        Counted from a table per year (how many working days each day of the year closes), so the cost
        does not grow with the distance: a five-year-old plan's deadlines cost what this year's do."""
        a, b = _as_date(a), _as_date(b)
        if (a, b) not in self._between:  # the figures ask for the same (due date, as-of date) pairs many times
            self._between[a, b] = self._count_between(a, b)
        return self._between[a, b]

    def _count_between(self, a: datetime.date, b: datetime.date) -> int:
        if b < a:
            return -self._count_between(b, a)
        if a == b:
            return 0
        start = a + ONE_DAY
        for year in range(start.year, b.year + 1):
            if year not in self._known_years:
                raise UnknownCalendarYear(year)
        if start.year == b.year:
            return self._through(b) - self._through(start) + self.is_workday(start)
        count = self._year_total(start.year) - self._through(start) + self.is_workday(start)
        count += sum(self._year_total(y) for y in range(start.year + 1, b.year))
        return count + self._through(b)

    def _year_table(self, year: int) -> list[int]:
        """table[k]: working days among the first k days of the year (table[0] == 0)."""
        if year not in self._tables:
            day, table = datetime.date(year, 1, 1), [0]
            while day.year == year:
                table.append(table[-1] + self.is_workday(day))
                day += ONE_DAY
            self._tables[year] = table
        return self._tables[year]

    def _through(self, d: datetime.date) -> int:
        """Working days from 1 January of d's year through d."""
        return self._year_table(d.year)[d.timetuple().tm_yday]

    def _year_total(self, year: int) -> int:
        return self._year_table(year)[-1]

    def _step(self, d: datetime.date, n: int, direction: int) -> datetime.date:
        delta = ONE_DAY * direction
        while n:
            d += delta
            if self.is_workday(d):
                n -= 1
        return d


def _as_date(d) -> datetime.date:
    if isinstance(d, datetime.datetime):
        raise TypeError("请传入日期（date），而不是日期时间（datetime）")
    if not isinstance(d, datetime.date):
        raise TypeError(f"需要日期（date），收到 {type(d).__name__}")
    return d


def _non_negative(n: int) -> int:
    if not isinstance(n, int) or n < 0:
        raise ValueError(f"工作日天数必须是非负整数，收到 {n!r}")
    return n
