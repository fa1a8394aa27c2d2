"""In Chromium, in the Persian UI: book a room for a Jalali date, see the booking in the site's calendar,
and get the conflict message with the next free times for a second, overlapping booking."""

from __future__ import annotations

import re

import jdatetime
import pytest
from factories import make_user
from hubs_factories import make_space, open_day
from playwright.sync_api import expect

from khooshe.core.text import persian_digits
from khooshe.hubs import models as hm

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "browser-secret-1404"


def test_book_a_room_with_a_jalali_date_see_it_then_conflict(page, live_server, transactional_db):
    make_user("hub-member", password=PASSWORD)
    room = make_space(name="اتاق جلسه کوچک", bookable_by=hm.Audience.PUBLIC)
    day = open_day(room.site)
    j = jdatetime.date.fromgregorian(date=day)
    jalali_typed = persian_digits(f"{j.year}/{j.month:02d}/{j.day:02d}")

    page.goto("/accounts/login/")
    page.fill("#id_username", "hub-member")
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))

    page.goto(f"/hubs/book/?space={room.pk}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.fill("#id_date", jalali_typed)
    page.fill("#id_start_time", "10:00")
    page.fill("#id_end_time", "11:00")
    page.fill("#id_title", "جلسه تیم")
    page.locator("#booking-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/hubs/sites/{room.site_id}/calendar/"))
    booking = hm.Booking.objects.get(space=room)
    calendar = page.locator("#calendar")
    expect(calendar.locator(f'[data-booking="{booking.pk}"]')).to_contain_text("۱۰:۰۰–۱۱:۰۰")
    expect(calendar.locator(f'[data-booking="{booking.pk}"]')).to_contain_text("جلسه تیم")
    month = ["فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن",
             "اسفند"][j.month - 1]
    expect(page.locator("#calendar-date")).to_contain_text(f"{persian_digits(j.day)} {month} {persian_digits(j.year)}")

    page.goto(f"/hubs/book/?space={room.pk}")
    page.fill("#id_date", jalali_typed)
    page.fill("#id_start_time", "10:30")
    page.fill("#id_end_time", "11:30")
    page.locator("#booking-form button[type=submit]").click()
    expect(page.locator("#id_start_time_error")).to_contain_text("اتاق جلسه کوچک")
    expect(page.locator("#next-free")).to_contain_text("۱۱:۰۰")
    assert hm.Booking.objects.filter(space=room).count() == 1
    # A suggested time books in one click more.
    page.locator("#next-free a").first.click()
    page.locator("#booking-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/calendar/"))
    assert hm.Booking.objects.filter(space=room).count() == 2
    assert not page.console_errors
