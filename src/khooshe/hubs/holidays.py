"""Iranian public holidays of a Jalali (Solar Hijri) year, computed without a table.

- The fixed solar holidays come from their Jalali dates (jdatetime): Nowruz (1-4 Farvardin), Islamic
  Republic Day (12 Farvardin), Nature Day (13 Farvardin), 14 and 15 Khordad, 22 Bahman, 29 Esfand.
- The religious holidays follow the lunar Hijri calendar. ``hijridate`` implements the Umm al-Qura
  calendar; Iran's official calendar is set by moon sighting and may differ by a day. The dates computed
  here are therefore a proposal: ``services.ensure_public_holidays`` stores them as closed days that staff
  can move or delete once the official calendar is announced.

Example::

    >>> [h.name_en for h in public_holidays(1404)][:2]
    ['Nowruz', 'Nowruz']
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import jdatetime
from hijridate import Gregorian, Hijri


@dataclass(frozen=True)
class Holiday:
    date: dt.date
    name_fa: str
    name_en: str
    kind: str  # "solar" or "lunar"


# (Jalali month, day, Persian name, English name)
SOLAR = [
    (1, 1, "نوروز", "Nowruz"),
    (1, 2, "نوروز", "Nowruz"),
    (1, 3, "نوروز", "Nowruz"),
    (1, 4, "نوروز", "Nowruz"),
    (1, 12, "روز جمهوری اسلامی", "Islamic Republic Day"),
    (1, 13, "روز طبیعت", "Nature Day"),
    (3, 14, "رحلت امام خمینی", "Demise of Imam Khomeini"),
    (3, 15, "قیام ۱۵ خرداد", "15 Khordad uprising"),
    (11, 22, "پیروزی انقلاب اسلامی", "Revolution Day"),
    (12, 29, "ملی شدن صنعت نفت", "Oil nationalization day"),
]

# (Hijri month, day or 0 for the month's last day, Persian name, English name)
LUNAR = [
    (1, 9, "تاسوعا", "Tasua"),
    (1, 10, "عاشورا", "Ashura"),
    (2, 20, "اربعین", "Arbaeen"),
    (2, 28, "رحلت پیامبر و شهادت امام حسن", "Demise of the Prophet and martyrdom of Imam Hasan"),
    (2, 0, "شهادت امام رضا", "Martyrdom of Imam Reza"),
    (3, 8, "شهادت امام حسن عسکری", "Martyrdom of Imam Hasan Askari"),
    (3, 17, "میلاد پیامبر و امام صادق", "Birth of the Prophet and Imam Sadiq"),
    (6, 3, "شهادت حضرت فاطمه", "Martyrdom of Fatimah"),
    (7, 13, "ولادت امام علی", "Birth of Imam Ali"),
    (7, 27, "مبعث", "Mab'ath"),
    (8, 15, "ولادت امام مهدی", "Birth of Imam Mahdi"),
    (9, 21, "شهادت امام علی", "Martyrdom of Imam Ali"),
    (10, 1, "عید فطر", "Eid al-Fitr"),
    (10, 2, "تعطیل عید فطر", "Eid al-Fitr holiday"),
    (10, 25, "شهادت امام صادق", "Martyrdom of Imam Sadiq"),
    (12, 10, "عید قربان", "Eid al-Adha"),
    (12, 18, "عید غدیر", "Eid al-Ghadir"),
]


def jalali_year_bounds(jalali_year: int) -> tuple[dt.date, dt.date]:
    """The first and the last Gregorian day of a Jalali year."""
    first = jdatetime.date(jalali_year, 1, 1).togregorian()
    last = jdatetime.date(jalali_year + 1, 1, 1).togregorian() - dt.timedelta(days=1)
    return first, last


def solar_holidays(jalali_year: int) -> list[Holiday]:
    return [Holiday(jdatetime.date(jalali_year, month, day).togregorian(), fa, en, "solar")
            for month, day, fa, en in SOLAR]


def lunar_holidays(jalali_year: int) -> list[Holiday]:
    """The religious holidays falling in the Jalali year (a lunar year is 11 days shorter, so a holiday
    can fall twice in one solar year)."""
    first, last = jalali_year_bounds(jalali_year)
    h_first = Gregorian(first.year, first.month, first.day).to_hijri().year
    h_last = Gregorian(last.year, last.month, last.day).to_hijri().year
    found = []
    for hijri_year in range(h_first, h_last + 1):
        for month, day, fa, en in LUNAR:
            if day == 0:
                day = Hijri(hijri_year, month, 1).month_length()
            gregorian = Hijri(hijri_year, month, day).to_gregorian()
            date = dt.date(gregorian.year, gregorian.month, gregorian.day)
            if first <= date <= last:
                found.append(Holiday(date, fa, en, "lunar"))
    return found


def public_holidays(jalali_year: int) -> list[Holiday]:
    """Every public holiday of a Jalali year, by date (hijridate covers 1343-1500 AH, i.e. about
    1303-1456 in the Jalali calendar; outside it only the solar holidays are returned)."""
    if not 1000 <= jalali_year <= 1999:
        raise ValueError(f"jalali_year must be a Jalali year such as 1404, not {jalali_year!r}")
    holidays = solar_holidays(jalali_year)
    try:
        holidays += lunar_holidays(jalali_year)
    except (ValueError, OverflowError):
        pass
    return sorted(holidays, key=lambda h: (h.date, h.name_en))
