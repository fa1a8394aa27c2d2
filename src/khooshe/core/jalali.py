"""Jalali (Solar Hijri) dates for display and input; the database keeps Gregorian dates.

The Persian UI shows "۱۲ مرداد ۱۴۰۳" and accepts "1403/05/12" or "۱۴۰۳/۰۵/۱۲"; the English UI shows and
accepts ISO dates. Conversion is jdatetime's.
"""

from __future__ import annotations

import datetime as dt
import re

import jdatetime
from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .text import normalize, persian_digits

PERSIAN_MONTHS = (
    "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
    "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
)
_DATE_RE = re.compile(r"^\s*(\d{3,4})[/\-.](\d{1,2})[/\-.](\d{1,2})\s*$")


def is_persian(language: str | None = None) -> bool:
    return (language or get_language() or "fa").startswith("fa")


def to_jalali(value: dt.date) -> jdatetime.date:
    return jdatetime.date.fromgregorian(date=value)


def format_date(value: dt.date | dt.datetime | None, language: str | None = None, numeric: bool = False) -> str:
    """A date as the user reads it: Jalali with Persian month names and digits in Persian, ISO in English."""
    if value is None or value == "":
        return ""
    with_time = isinstance(value, dt.datetime)
    if with_time:
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    if not is_persian(language):
        return value.strftime("%Y-%m-%d %H:%M") if with_time else value.isoformat()
    day = value.date() if with_time else value
    j = to_jalali(day)
    text = f"{j.year:04d}/{j.month:02d}/{j.day:02d}" if numeric else f"{j.day} {PERSIAN_MONTHS[j.month - 1]} {j.year}"
    if with_time:
        text += f"، {value:%H:%M}"
    return persian_digits(text)


def format_date_input(value: dt.date | None, language: str | None = None) -> str:
    """The value put back into a date input: 1403/05/12 (Persian digits) or 2024-08-02."""
    if not value:
        return ""
    if is_persian(language):
        j = to_jalali(value)
        return persian_digits(f"{j.year:04d}/{j.month:02d}/{j.day:02d}")
    return value.isoformat()


def parse_date(text: str, language: str | None = None) -> dt.date:
    """Parse a date typed by a user: Jalali when the year is below 1700, Gregorian otherwise.

    Raises ValueError with a message that says what format is expected.
    """
    raw = normalize(text)
    match = _DATE_RE.match(raw)
    if not match:
        raise ValueError(raw)
    year, month, day = (int(g) for g in match.groups())
    if year < 1700:  # a Jalali year (1300..1500); Gregorian years here are all above 1700
        return jdatetime.date(year, month, day).togregorian()
    return dt.date(year, month, day)


class JalaliDateInput(forms.TextInput):
    """A text input that shows the date in the user's calendar."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", "autocomplete": "off", "dir": "ltr", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, dt.date):
            return format_date_input(value)
        return value

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].setdefault(
            "placeholder", "۱۴۰۳/۰۵/۱۲" if is_persian() else "2024-08-02"
        )
        return context


class JalaliDateField(forms.DateField):
    """A date field that accepts Jalali (1403/05/12, Persian or ASCII digits) or Gregorian (2024-08-02)."""

    widget = JalaliDateInput
    default_error_messages = {
        "invalid": _(
            "Enter a valid date such as 1403/05/12 (Jalali) or 2024-08-02 (Gregorian)."
        ),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return parse_date(str(value))
        except ValueError as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc
