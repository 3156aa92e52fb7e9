"""The office's clock: the one place "today" and "now" come from.

Every figure, light, reminder as-of date, dashboard default and lifecycle time stamp asks here, never
``date.today()`` or ``timezone.localdate()`` directly, so that:

* a **demo or training instance** can live on a chosen day: ``DUBAN_TODAY=2021-09-30`` (read once by
  duban.settings, which refuses it unless ``DEBUG`` or ``DUBAN_DEMO=1``) makes ``today()`` that date and
  ``now()`` that date at the current time of day (Asia/Shanghai), and every page shows a banner;
* ``duban replay_demo`` can run the real lifecycle functions at past moments (``with clock.at(moment):``).
"""
from __future__ import annotations

import contextlib
import datetime
from contextvars import ContextVar

from django.conf import settings
from django.utils import timezone

_moment: ContextVar[datetime.datetime | None] = ContextVar("duban_clock_moment", default=None)


def parse_demo_date(value: str) -> datetime.date | None:
    """DUBAN_TODAY as written ("2021-09-30"); None when empty. ValueError with a Chinese message otherwise."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"DUBAN_TODAY 应为 yyyy-mm-dd 格式的日期，例如 2021-09-30；现在是“{value[:40]}”。") from None
    if not 2000 <= day.year <= 2100:
        raise ValueError("DUBAN_TODAY 须在2000年至2100年之间。")
    return day


def demo_date() -> datetime.date | None:
    """The fixed day of a demo or training instance (DUBAN_TODAY), or None on a real one."""
    return getattr(settings, "DUBAN_TODAY", None)


def now() -> datetime.datetime:
    """The current moment (aware): the replay's moment, else the demo day at the real time of day, else now."""
    moment = _moment.get()
    if moment is not None:
        return moment
    real = timezone.now()
    day = demo_date()
    if day is None:
        return real
    local = timezone.localtime(real)
    return local.replace(year=day.year, month=day.month, day=day.day)


def today() -> datetime.date:
    """The office's today (Asia/Shanghai)."""
    return timezone.localdate(now())


@contextlib.contextmanager
def at(moment: datetime.datetime):
    """Run the block as if it were ``moment`` (aware): ``now()`` and ``today()`` answer it."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    token = _moment.set(moment)
    try:
        yield moment
    finally:
        _moment.reset(token)


def banner_text() -> str:
    """演示时钟：2021年9月30日, or "" on a real instance."""
    day = demo_date()
    return f"演示时钟：{day.year}年{day.month}月{day.day}日" if day else ""


def context(request) -> dict:
    """Template context processor: the demo banner of base.html."""
    return {"demo_clock": banner_text()}
