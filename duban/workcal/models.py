"""The administrator's holiday data: which years are entered in full, and day overrides."""
from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models

WEEKDAYS = "一二三四五六日"


def arrangement_dates(year: int) -> tuple[datetime.date, datetime.date]:
    """First and last date a year's arrangement may mention.

    A notice may reach back into the previous December (e.g. 2023年元旦
    2022年12月31日至2023年1月2日放假; 2019年元旦 2018年12月29日上班).
    """
    return datetime.date(year - 1, 12, 1), datetime.date(year, 12, 31)


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField("年份", unique=True)
    complete = models.BooleanField(
        "已完整录入",
        default=False,
        help_text="勾选表示该年的放假和调休安排已按国务院办公厅通知全部录入；"
        "未勾选时，该年的日期不能按工作日计算（系统会提示录入，而不会猜测）。",
    )
    source = models.CharField("依据", max_length=500, blank=True, help_text="例如国务院办公厅通知的网址")
    note = models.TextField("备注", blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = "年度节假日安排"
        verbose_name_plural = "年度节假日安排"

    def __str__(self):
        return f"{self.year}年"


class DayOverride(models.Model):
    HOLIDAY = "holiday"
    WORKDAY = "workday"
    KIND_CHOICES = [(HOLIDAY, "放假"), (WORKDAY, "调休上班")]

    year = models.ForeignKey(
        CalendarYear, verbose_name="所属年度安排", on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=KIND_CHOICES)
    name = models.CharField("名称", max_length=100, blank=True, help_text="例如：春节、国庆节、春节调休上班")

    class Meta:
        ordering = ["date"]
        verbose_name = "节假日/调休日"
        verbose_name_plural = "节假日/调休日"

    def __str__(self):
        return f"{self.date:%Y-%m-%d}（周{WEEKDAYS[self.date.weekday()]}）{self.get_kind_display()} {self.name}".rstrip()

    def clean(self):
        if self.date and self.year_id:
            first, last = arrangement_dates(self.year.year)
            if not first <= self.date <= last:
                raise ValidationError(
                    {"date": f"{self.date:%Y-%m-%d} 不属于{self.year.year}年的安排"
                     f"（只能是{self.year.year}年内或上一年12月的日期）。"}
                )
