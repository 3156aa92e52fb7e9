"""Quiet hours: e-mail and robot messages go out only in working hours on working days.

``settings.DUBAN_WORKING_HOURS`` is "HH:MM-HH:MM" in local time (default 08:30-18:00); empty means
any hour. Working days come from the working-day calendar (duban.workcal: weekends, holidays and
调休上班). For a year whose holiday arrangement is not loaded yet, Monday to Friday are taken as
working days: a message a day early or late is better than one held until someone loads the year.
"""
from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from duban.workcal.calendar import UnknownCalendarYear, WorkCalendar


def working_hours() -> tuple[datetime.time, datetime.time] | None:
    text = (settings.DUBAN_WORKING_HOURS or "").strip()
    if not text:
        return None
    try:
        start, end = (datetime.time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError:
        raise ImproperlyConfigured(f"DUBAN_WORKING_HOURS 应为“08:30-18:00”的格式，而不是“{text}”") from None
    if start >= end:
        raise ImproperlyConfigured(f"DUBAN_WORKING_HOURS 的开始时间应早于结束时间：“{text}”")
    return start, end


def is_workday(calendar: WorkCalendar, day: datetime.date) -> bool:
    try:
        return calendar.is_workday(day)
    except UnknownCalendarYear:
        return day.weekday() < 5


def next_opening(now: datetime.datetime, calendar: WorkCalendar) -> datetime.datetime | None:
    """None if ``now`` is within working hours (send now); else when they next begin (an aware datetime)."""
    hours = working_hours()
    if hours is None:
        return None
    start, end = hours
    local = timezone.localtime(now)
    day = local.date()
    if is_workday(calendar, day):
        if start <= local.time() < end:
            return None
        if local.time() < start:
            return _at(day, start)
    for _ in range(60):  # the longest run of days off (Spring Festival) is far shorter
        day += datetime.timedelta(days=1)
        if is_workday(calendar, day):
            return _at(day, start)
    return _at(day, start)


def _at(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))
