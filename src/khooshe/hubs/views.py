"""Pages beyond the generic ones: the booking page, the calendar of a site (day and week), a member's
bookings, booking actions and the iCal feeds. Thin: parse, check access, call one service, render."""

from __future__ import annotations

import datetime as dt
from html import escape
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from khooshe.core import jalali
from khooshe.core.text import persian_digits

from . import forms, ical, models, selectors, services


# -- booking ------------------------------------------------------------------------------------------
def book_url(space_id: int, start: dt.datetime, end: dt.datetime, tz) -> str:
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    query = {"space": space_id, "date": jalali.format_date_input(local_start.date()),
             "start_time": f"{local_start:%H:%M}", "end_time": f"{local_end:%H:%M}"}
    return reverse("hubs:book") + "?" + urlencode(query)


@login_required
def book(request):
    """Book a space: a Jalali date, times, optionally repeated; a conflict shows the next free times."""
    suggestions = []
    if request.method == "POST":
        form = forms.RecurringBookingForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            kwargs = {"user": request.user, "space": data["space"], "start": data["start"], "end": data["end"],
                      "title": data.get("title") or "", "organization": data.get("organization"),
                      "note": data.get("note") or ""}
            try:
                if data.get("repeat"):
                    _series, bookings, skipped = services.create_recurring_booking(
                        frequency=data["repeat"], count=data.get("count") or 1,
                        skip_conflicts=data.get("skip_conflicts", False), **kwargs)
                else:
                    bookings = [services.create_booking(hold=data.get("hold", False), **kwargs)]
                    skipped = []
            except services.BookingError as exc:
                field = services.FORM_FIELDS.get(exc.field, exc.field)
                form.add_error(field if field in form.fields else None, exc.message)
                if isinstance(exc, services.BookingConflict):
                    tz = data["space"].site.tzinfo
                    suggestions = [(s, book_url(data["space"].pk, s.start, s.end, tz)) for s in exc.next_free]
            else:
                first = bookings[0]
                if len(bookings) == 1:
                    messages.success(request, _("Booked “%(space)s” on %(start)s.")
                                     % {"space": first.space, "start": services.format_time(first.start)})
                else:
                    messages.success(request, _("Booked %(n)s occurrences of “%(space)s”.")
                                     % {"n": persian_digits(len(bookings)), "space": first.space})
                for day, reason in skipped:
                    messages.warning(request, _("Skipped %(day)s: %(reason)s")
                                     % {"day": jalali.format_date(day), "reason": reason})
                local_day = timezone.localtime(first.start, first.space.site.tzinfo).date()
                return HttpResponseRedirect(
                    reverse("hubs:calendar", kwargs={"pk": first.space.site_id})
                    + "?" + urlencode({"date": local_day.isoformat()}))
        status = 400
    else:
        initial = {k: request.GET[k] for k in ("space", "date", "start_time", "end_time") if request.GET.get(k)}
        form = forms.RecurringBookingForm(initial=initial, user=request.user)
        status = 200
    return render(request, "hubs/book.html", {"form": form, "suggestions": suggestions}, status=status)


def _booking_action(request, pk, action, success):
    booking = get_object_or_404(models.Booking.objects.visible_to(request.user), pk=pk)
    try:
        action(user=request.user, booking=booking)
    except PermissionDenied:
        raise
    except services.BookingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return HttpResponseRedirect(booking.get_absolute_url())


@login_required
@require_POST
def booking_cancel(request, pk: int):
    return _booking_action(request, pk, services.cancel_booking, _("The booking is cancelled."))


@login_required
@require_POST
def booking_confirm(request, pk: int):
    return _booking_action(request, pk, services.confirm_booking, _("The booking is confirmed."))


@login_required
def my_bookings(request):
    """The user's upcoming bookings and the address of their personal calendar feed."""
    if request.method == "POST":
        services.renew_member_feed(user=request.user)
        messages.success(request, _("A new calendar address was made; the old one no longer works."))
        return HttpResponseRedirect(reverse("hubs:my_bookings"))
    feed = models.MemberFeed.objects.filter(user=request.user).first() or services.renew_member_feed(
        user=request.user)
    upcoming = (models.Booking.objects.active().filter(booked_by=request.user, end__gte=timezone.now())
                .select_related("space__site").order_by("start")[:200])
    feed_url = request.build_absolute_uri(reverse("hubs:member_ical", kwargs={"token": feed.token}))
    return render(request, "hubs/my_bookings.html", {"bookings": upcoming, "feed_url": feed_url})


# -- iCal feeds -----------------------------------------------------------------------------------------
def space_ical(request, token: str):
    space = get_object_or_404(models.Space.objects.select_related("site"), ical_token=token)
    body = ical.space_feed(space, request.build_absolute_uri("/"))
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


def member_ical(request, token: str):
    feed = get_object_or_404(models.MemberFeed.objects.select_related("user"), token=token)
    body = ical.member_feed(feed.user, request.build_absolute_uri("/"))
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


# -- calendar -----------------------------------------------------------------------------------------
def _parse_day(text: str | None, default: dt.date) -> dt.date:
    if not text:
        return default
    try:
        return jalali.parse_date(text)
    except ValueError:
        return default


def _hour_label(hour: int) -> str:
    return persian_digits(f"{hour:02d}") if jalali.is_persian() else f"{hour:02d}"


def calendar(request, pk: int):
    """A site's calendar: spaces down the side; hours across (day) or days across (week)."""
    site = get_object_or_404(models.Site, pk=pk)
    tz = site.tzinfo
    today = timezone.now().astimezone(tz).date()
    day = _parse_day(request.GET.get("date"), today)
    mode = "week" if request.GET.get("view") == "week" else "day"
    within = None
    if (request.GET.get("within") or "").isdigit():
        within = models.Space.objects.filter(site=site, pk=int(request.GET["within"])).first()
    spaces = list(selectors.spaces_of_site(site, within).values_list("pk", "name", "depth", "bookable"))
    if mode == "week":
        first_day = day - dt.timedelta(days=(day.weekday() - 5) % 7)  # the Persian week starts on Saturday
        days = [first_day + dt.timedelta(days=i) for i in range(7)]
    else:
        days = [day]
    first = dt.datetime.combine(days[0], dt.time(), tzinfo=tz)
    last = dt.datetime.combine(days[-1] + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    hours = selectors.weekly_hours(site) if mode == "day" else {}  # the week shows no hours: one query less
    closed = selectors.closed_dates(site, days[0], days[-1])
    opens = min((o for o, _c in hours.values()), default=dt.time(8)).hour
    closes = max((c.hour + (1 if c.minute else 0) for _o, c in hours.values()), default=20)
    if closes <= opens:
        opens, closes = 0, 24
    bookings = selectors.calendar_bookings(site, within, first, last, ("space_id", "s", "e") if mode == "week"
                                           else selectors.CALENDAR_FIELDS)
    staff = selectors.is_site_staff(request.user, site)
    me = request.user.pk if request.user.is_authenticated else -1
    grid = (_week_grid(spaces, bookings, days, closed, tz) if mode == "week"
            else _day_grid(spaces, bookings, day, opens, closes, tz, staff, me))
    step = dt.timedelta(days=7 if mode == "week" else 1)
    base = {"view": mode, **({"within": within.pk} if within else {})}
    context = {
        "site": site, "mode": mode, "day": day, "days": days, "grid": grid, "within": within,
        "closed": [(d, closed[d]) for d in days if d in closed],
        "closed_weekday": mode == "day" and day.weekday() not in hours,
        "prev_url": "?" + urlencode({**base, "date": (day - step).isoformat()}),
        "next_url": "?" + urlencode({**base, "date": (day + step).isoformat()}),
        "day_url": "?" + urlencode({**base, "view": "day", "date": day.isoformat()}),
        "week_url": "?" + urlencode({**base, "view": "week", "date": day.isoformat()}),
        "date_input": jalali.format_date_input(day),
        "booking_count": len(bookings),
    }
    return render(request, "hubs/calendar.html", context)


class _Clock(dict):
    """"HH:MM" (in the UI's digits) of a number of seconds after local midnight, computed once per value:
    a calendar shows tens of thousands of times but only a few hundred different ones."""

    def __init__(self, digits):
        super().__init__()
        self.digits = digits

    def __missing__(self, seconds: int) -> str:
        text = self[seconds] = self.digits(f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}")
        return text


def _local_midnight(day: dt.date, tz) -> int:
    return int(dt.datetime.combine(day, dt.time(), tzinfo=tz).timestamp())


def _day_grid(spaces, bookings, day, opens, closes, tz, staff: bool, me: int) -> str:
    """The day grid as HTML: one row per space, each booking placed at its time (logical CSS offsets).
    Titles and links to the booking are shown to the site's staff and to the booker only."""
    span = (closes - opens) * 3600
    midnight = _local_midnight(day, tz)
    origin = midnight + opens * 3600
    clock = _Clock(persian_digits if jalali.is_persian() else str)
    by_space: dict[int, list[str]] = {}
    for pk, space_id, start, end, title, status, booker in bookings:
        offset = max(0, start - origin)
        length = min(span, end - origin) - offset
        if length <= 0:
            continue
        label = f"{clock[start - midnight]}–{clock[end - midnight]}"
        style = (f' style="inset-inline-start:{100 * offset / span:.2f}%;inline-size:{100 * length / span:.2f}%"'
                 f' title="{label}" data-booking="{pk}"')
        if staff or booker == me:
            tag = (f'<a class="cal-booking cal-{status}" href="/hubs/bookings/{pk}/"{style}><bdi>{label}</bdi> '
                   f'<span dir="auto">{escape(title)}</span></a>')
        else:
            tag = f'<span class="cal-booking cal-{status}"{style}><bdi>{label}</bdi></span>'
        by_space.setdefault(space_id, []).append(tag)
    head = "".join(f'<span class="cal-hour">{_hour_label(h)}</span>' for h in range(opens, closes))
    rows = [f'<div class="cal-row cal-head"><span class="cal-space">{escape(_("Space"))}</span>'
            f'<span class="cal-track cal-hours" style="--cal-hours:{closes - opens}">{head}</span></div>']
    book = reverse("hubs:book") + "?date=" + escape(jalali.format_date_input(day)) + "&amp;space="
    for pk, name, depth, bookable in spaces:
        name = escape(name)
        link = f'<a href="{book}{pk}" dir="auto">{name}</a>' if bookable else f'<span dir="auto">{name}</span>'
        rows.append(f'<div class="cal-row" data-space="{pk}"><span class="cal-space" '
                    f'style="padding-inline-start:{depth}em">{link}</span>'
                    f'<span class="cal-track">{"".join(by_space.get(pk, ()))}</span></div>')
    return mark_safe('<div class="cal-grid cal-day" id="calendar">' + "".join(rows) + "</div>")


class _Times(dict):
    """"HH:MM–HH:MM" (in the UI's digits) of a booking's (start, end) in seconds after local midnight,
    formatted once per pair: a big site's week has tens of thousands of bookings but a few hundred
    different times."""

    def __init__(self, digits):
        super().__init__()
        self.digits = digits

    def __missing__(self, times: tuple[int, int]) -> str:
        start, end = times
        text = self[times] = self.digits(f"{start // 3600:02d}:{start // 60 % 60:02d}–"
                                         f"{end // 3600:02d}:{end // 60 % 60:02d}")
        return text


def _week_grid(spaces, bookings, days, closed, tz) -> str:
    """The week grid as HTML: one row per space, one cell per day with the booked times; a cell links to
    that day's grid (where the bookings are). A booking belongs to the day it starts (one that started
    before the first day, to the first day) and its times count from that day's midnight."""
    times = _Times(persian_digits if jalali.is_persian() else str)
    midnights = [_local_midnight(d, tz) for d in days]
    ends = [*midnights[1:], float("inf")]
    cells: dict[int, list[list[str]]] = {}
    i, midnight, end_of_day = 0, midnights[0], ends[0]
    for space_id, start, end in bookings:  # by start, so the day only moves forward (no search per booking)
        while start >= end_of_day:
            i += 1
            midnight, end_of_day = midnights[i], ends[i]
        row = cells.get(space_id)
        if row is None:
            row = cells[space_id] = [[] for _ in days]
        row[i].append(times[start - midnight, end - midnight])
    links = [f'?view=day&amp;date={d.isoformat()}' for d in days]
    head = "".join(f'<th class="{"cal-closed" if d in closed else ""}"><a href="{link}">'
                   f'{escape(jalali.format_date(d))}</a></th>' for d, link in zip(days, links, strict=True))
    rows = [f'<table class="grid cal-week" id="calendar"><thead><tr><th>{escape(_("Space"))}</th>{head}'
            f"</tr></thead><tbody>"]
    separator = "، " if jalali.is_persian() else ", "
    no_bookings = "<td></td>" * len(days)
    for pk, name, depth, _bookable in spaces:
        row = cells.get(pk)
        tds = no_bookings if row is None else "".join(
            f'<td data-count="{len(c)}">{separator.join(c)}</td>' if c else "<td></td>" for c in row)
        rows.append(f'<tr data-space="{pk}"><th style="padding-inline-start:{depth}em" '
                    f'dir="auto">{escape(name)}</th>{tds}</tr>')
    rows.append("</tbody></table>")
    return mark_safe("".join(rows))
