"""Quiet hours: e-mail and robots only in working hours of working days; the inbox at once. A fake clock."""
import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from duban.notify.hours import next_opening
from duban.notify.models import InboxMessage, Notification
from duban.notify.outbox import deliver_due, enqueue
from duban.workcal.services import get_calendar

pytestmark = pytest.mark.django_db(transaction=True)


def at(text):
    """A local (Asia/Shanghai) time."""
    return timezone.make_aware(datetime.datetime.fromisoformat(text))


@pytest.fixture(autouse=True)
def working_hours(settings):
    settings.DUBAN_WORKING_HOURS = "08:30-18:00"
    return settings


@pytest.mark.parametrize(
    "now, opening",
    [
        ("2021-09-29 10:00", None),  # a Wednesday, within hours
        ("2021-09-29 08:30", None),
        ("2021-09-29 08:29", "2021-09-29 08:30"),  # before the morning: the same day
        ("2021-09-29 18:00", "2021-09-30 08:30"),  # the evening: the next morning
        ("2021-09-30 19:00", "2021-10-08 08:30"),  # the eve of National Day: after the holiday
        ("2021-10-09 07:00", "2021-10-09 08:30"),  # a Saturday worked (调休上班)
        ("2021-10-10 12:00", "2021-10-11 08:30"),  # a Sunday: Monday
    ],
)
def test_next_opening(now, opening):
    assert next_opening(at(now), get_calendar()) == (at(opening) if opening else None)


def test_hours_setting(working_hours):
    working_hours.DUBAN_WORKING_HOURS = "09:00-17:30"
    assert next_opening(at("2021-09-29 17:30"), get_calendar()) == at("2021-09-30 09:00")
    working_hours.DUBAN_WORKING_HOURS = ""  # at any hour
    assert next_opening(at("2021-10-01 03:00"), get_calendar()) is None
    for wrong in ["8点半到6点", "18:00-08:30"]:
        working_hours.DUBAN_WORKING_HOURS = wrong
        with pytest.raises(ImproperlyConfigured, match="DUBAN_WORKING_HOURS"):
            next_opening(at("2021-09-29 10:00"), get_calendar())


def test_a_year_without_holidays_loaded_counts_weekdays(working_hours):
    class NoYears:
        def is_workday(self, day):
            from duban.workcal.calendar import UnknownCalendarYear

            raise UnknownCalendarYear(day.year)

    assert next_opening(at("2031-01-03 19:00"), NoYears()) == at("2031-01-06 08:30")  # Friday evening → Monday


def test_evening_messages_wait_for_the_next_working_morning(django_user_model, smtp_server, robot):
    user = django_user_model.objects.create_user("zhangsan")
    enqueue("inbox", user.pk, "催办", "请尽快报送。", "k-inbox")
    enqueue("email", "zhangsan@example.gov.cn", "催办", "请尽快报送。", "k-email")
    enqueue("wecom", robot.url + "/send", "催办", "请尽快报送。", "k-robot")
    Notification.objects.update(next_attempt_at=at("2021-09-30 19:00"))

    report = deliver_due(now=at("2021-09-30 19:00"))

    assert (report.sent, report.deferred) == (1, 2)
    assert InboxMessage.objects.get(user=user).title == "催办"  # the inbox at once
    held = Notification.objects.exclude(channel="inbox")
    assert {(n.status, n.attempts, n.next_attempt_at) for n in held} == {("pending", 0, at("2021-10-08 08:30"))}
    assert not smtp_server.envelopes and not robot.requests

    assert deliver_due(now=at("2021-10-05 10:00")).sent == 0  # National Day: still waiting
    assert deliver_due(now=at("2021-10-08 08:29")).sent == 0
    assert deliver_due(now=at("2021-10-08 08:30")).sent == 2
    assert len(smtp_server.envelopes) == 1 and len(robot.requests) == 1
    assert set(Notification.objects.values_list("status", "attempts")) == {("sent", 1)}


def test_a_retry_that_falls_in_the_night_waits_too(smtp_server, settings):
    good_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # nothing listens there
    enqueue("email", "lisi@example.gov.cn", "提醒", "正文", "k")
    Notification.objects.update(next_attempt_at=at("2021-09-29 17:59"))
    assert deliver_due(now=at("2021-09-29 17:59")).retrying == 1  # retry due at 18:00, after hours

    settings.EMAIL_PORT = good_port
    assert deliver_due(now=at("2021-09-29 18:00")).deferred == 1
    row = Notification.objects.get()
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 1, at("2021-09-30 08:30"))
    assert deliver_due(now=at("2021-09-30 08:30")).sent == 1
