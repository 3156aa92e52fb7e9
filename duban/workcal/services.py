"""Build the working-day calendar from the database."""
from __future__ import annotations

from .calendar import UnknownCalendarYear, WorkCalendar
from .models import CalendarYear, DayOverride

__all__ = ["UnknownCalendarYear", "WorkCalendar", "get_calendar"]


def get_calendar() -> WorkCalendar:
    """A WorkCalendar reflecting the current holiday data.

    It is rebuilt on every call (two small queries: a few dozen rows a year), so
    an administrator's change is seen at once by every process. Call it once
    per request or command and reuse the result for many dates.
    """
    holidays, workdays = {}, {}
    for date, kind, name in DayOverride.objects.values_list("date", "kind", "name"):
        if kind == DayOverride.WORKDAY:
            workdays[date] = name or "调休上班"
        else:
            holidays[date] = name or "放假"
    complete = CalendarYear.objects.filter(complete=True).values_list("year", flat=True)
    return WorkCalendar(holidays=holidays, workdays=workdays, complete_years=complete)
