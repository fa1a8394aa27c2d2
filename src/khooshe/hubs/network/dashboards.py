"""The figures of the hub dashboards (one site, or every site of a network) over a period, and their
export as CSV and XLSX. See docs/hubs.md, "Dashboards", for the exact definitions.

Occupancy is computed in the database: one grouped query returns, per (site, kind of space, local day,
status), the number of bookings, their booked seconds, price, credits and cancellation fees; the
bookable hours come from the opening hours, the closed days and the number of bookable spaces per kind
(three more queries), whatever the number of bookings.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BigIntegerField, Case, Count, ExpressionWrapper, Q, Sum, Value, When
from django.utils.translation import gettext as _

from khooshe.core import jalali
from khooshe.core.text import persian_digits
from khooshe.hubs.models import Booking, ClosedDay, OpeningHours, Site, Space, SpaceKind
from khooshe.hubs.selectors import Epoch

# The figures other areas compute (module, function); a missing one shows as "not available".
PANELS = {
    "residents": ("khooshe.hubs.residents.selectors", "resident_outcomes"),
    "events": ("khooshe.hubs.events.selectors", "event_figures"),
    "services": ("khooshe.hubs.catalogue.selectors", "service_figures"),
}


@dataclass
class Bucket:
    """Figures of one group (a kind of space, a month, a site or everything)."""

    spaces: int = 0
    bookable_hours: float = 0.0
    booked_hours: float = 0.0
    bookings: int = 0
    cancellations: int = 0
    revenue: int = 0  # rials: prices of confirmed bookings plus cancellation fees
    fees: int = 0
    credits: Decimal = Decimal(0)

    @property
    def occupancy(self) -> float | None:
        """booked hours / bookable hours, or None when nothing was bookable."""
        return self.booked_hours / self.bookable_hours if self.bookable_hours else None

    @property
    def occupancy_pct(self) -> float | None:
        return None if self.occupancy is None else round(self.occupancy * 100, 1)

    def add(self, other: Bucket) -> None:
        for name in ("spaces", "bookable_hours", "booked_hours", "bookings", "cancellations", "revenue", "fees",
                     "credits"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Figures:
    """The booking figures of one site or of several (``by_site``), over [first, last]."""

    first: dt.date
    last: dt.date
    total: Bucket = field(default_factory=Bucket)
    by_kind: dict[str, Bucket] = field(default_factory=lambda: defaultdict(Bucket))
    by_month: dict[tuple[int, int], Bucket] = field(default_factory=lambda: defaultdict(Bucket))
    by_site: dict[int, Bucket] = field(default_factory=lambda: defaultdict(Bucket))
    sites: list[Site] = field(default_factory=list)
    panels: dict[str, dict | None] = field(default_factory=dict)


def month_of(day: dt.date, persian: bool) -> tuple[int, int]:
    """The (year, month) of ``day`` in the calendar of the interface (Jalali in Persian)."""
    if persian:
        j = jalali.to_jalali(day)
        return j.year, j.month
    return day.year, day.month


def month_label(key: tuple[int, int], persian: bool) -> str:
    year, month = key
    if persian:
        return persian_digits(f"{jalali.PERSIAN_MONTHS[month - 1]} {year}")
    return f"{year:04d}-{month:02d}"


def month_bounds(today: dt.date, persian: bool) -> tuple[dt.date, dt.date]:
    """The first and last day of the month of ``today`` in the interface's calendar (default period)."""
    if persian:
        import jdatetime

        j = jalali.to_jalali(today)
        first = jdatetime.date(j.year, j.month, 1)
        following = jdatetime.date(j.year + (j.month == 12), j.month % 12 + 1, 1)
        return first.togregorian(), following.togregorian() - dt.timedelta(days=1)
    first = today.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def _ensure_holidays(first: dt.date, last: dt.date) -> None:
    """Public holidays are computed per Jalali year the first time a year is looked at."""
    import jdatetime

    from khooshe.hubs.services import ensure_public_holidays_for

    ensure_public_holidays_for(first)
    for year in range(jalali.to_jalali(first).year + 1, jalali.to_jalali(last).year + 1):
        ensure_public_holidays_for(jdatetime.date(year, 1, 1).togregorian())


def _hours(opens: dt.time, closes: dt.time) -> float:
    return (dt.datetime.combine(dt.date.min, closes) - dt.datetime.combine(dt.date.min, opens)).total_seconds() / 3600


EPOCH_DAY = dt.date(1970, 1, 1)


def local_day(tz, first: dt.date, last: dt.date):
    """The local day of a booking's start as days since 1970-01-01, computed by the database from
    integers: (seconds since 1970 + UTC offset) // 86400. The offset is that of the start's day at noon;
    for a time zone with daylight saving (Iran's until 2022) a CASE picks it per run of days with one
    offset. Much faster than converting every timestamp to a local date (a Python function in SQLite)."""
    runs: list[tuple[dt.datetime, int]] = []
    day = first
    while day <= last:
        offset = int(dt.datetime.combine(day, dt.time(12), tzinfo=tz).utcoffset().total_seconds())
        if not runs or runs[-1][1] != offset:
            runs.append((dt.datetime.combine(day, dt.time(), tzinfo=tz), offset))
        day += dt.timedelta(days=1)
    offset = Value(runs[-1][1])
    if len(runs) > 1:
        offset = Case(*[When(start__lt=runs[i + 1][0], then=Value(runs[i][1])) for i in range(len(runs) - 1)],
                      default=Value(runs[-1][1]), output_field=BigIntegerField())
    return ExpressionWrapper((Epoch("start") + offset) / Value(86400), output_field=BigIntegerField())


def booking_figures(sites: list[Site], first: dt.date, last: dt.date, *, persian: bool) -> Figures:
    """Occupancy, bookings, cancellations, revenue and credits of ``sites`` between the local dates
    ``first`` and ``last`` (both included), per kind of space, per month and per site."""
    figures = Figures(first, last, sites=list(sites))
    site_ids = [s.pk for s in sites]
    if not site_ids or last < first:
        return figures
    by_pk = {s.pk: s for s in sites}
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]

    # Open days and their hours per site: weekly hours minus the site's closures and, for sites that
    # observe them, the public holidays.
    weekly: dict[int, dict[int, float]] = defaultdict(dict)
    for site_id, weekday, opens, closes in OpeningHours.objects.filter(site__in=site_ids).values_list(
            "site_id", "weekday", "opens", "closes"):
        weekly[site_id][weekday] = _hours(opens, closes)
    if any(s.observe_public_holidays for s in sites):
        _ensure_holidays(first, last)
    closed: dict[int, set[dt.date]] = defaultdict(set)
    holidays: set[dt.date] = set()
    for site_id, day in ClosedDay.objects.filter(Q(site__in=site_ids) | Q(site__isnull=True),
                                                 date__gte=first, date__lte=last).values_list("site_id", "date"):
        if site_id is None:
            holidays.add(day)
        else:
            closed[site_id].add(day)
    open_hours: dict[int, dict[dt.date, float]] = {}
    for site in sites:
        shut = closed[site.pk] | (holidays if site.observe_public_holidays else set())
        open_hours[site.pk] = {d: weekly[site.pk][d.weekday()] for d in days
                               if d.weekday() in weekly[site.pk] and d not in shut}

    # Bookable hours: bookable spaces of each kind times the open hours of their site.
    for site_id, kind, n in (Space.objects.filter(site__in=site_ids, bookable=True).order_by()
                             .values_list("site_id", "kind").annotate(n=Count("pk"))):
        hours = open_hours[site_id]
        figures.by_kind[kind].spaces += n
        figures.by_site[site_id].spaces += n
        figures.total.spaces += n
        for day, h in hours.items():
            figures.by_month[month_of(day, persian)].bookable_hours += n * h
        total = n * sum(hours.values())
        figures.by_kind[kind].bookable_hours += total
        figures.by_site[site_id].bookable_hours += total
        figures.total.bookable_hours += total

    # Bookings, grouped in the database by site, kind, local day and status (one query per time zone).
    zones: dict[str, list[int]] = defaultdict(list)
    for site in sites:
        zones[site.time_zone or "Asia/Tehran"].append(site.pk)
    for ids in zones.values():
        tz = by_pk[ids[0]].tzinfo
        since = dt.datetime.combine(first, dt.time(), tzinfo=tz)
        until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=tz)
        rows = (Booking.objects.filter(space__site__in=ids, start__gte=since, start__lt=until,
                                       status__in=[Booking.Status.CONFIRMED, Booking.Status.CANCELLED])
                .order_by()
                .annotate(local_day=local_day(tz, first, last))
                .values_list("space__site_id", "space__kind", "space__bookable", "local_day", "status")
                .annotate(n=Count("pk"), seconds=Sum(Epoch("end") - Epoch("start")), price=Sum("price"),
                          credits=Sum("credits"), fees=Sum("cancellation_fee")))
        for site_id, kind, bookable, day, status, n, seconds, price, credits, fees in rows:
            day = EPOCH_DAY + dt.timedelta(days=int(day))
            bucket = Bucket()
            if status == Booking.Status.CONFIRMED:
                bucket.bookings = n
                bucket.revenue = int(price or 0)
                bucket.credits = Decimal(credits or 0)
                if bookable and day in open_hours[site_id]:  # hours on closed days are not bookable hours
                    bucket.booked_hours = (seconds or 0) / 3600
            else:
                bucket.cancellations = n
                bucket.fees = int(fees or 0)
                bucket.revenue = int(fees or 0)
            figures.by_kind[kind].add(bucket)
            figures.by_month[month_of(day, persian)].add(bucket)
            figures.by_site[site_id].add(bucket)
            figures.total.add(bucket)
    return figures


def panel(name: str, site_ids: list[int], first: dt.date, last: dt.date) -> dict | None:
    """The figures of another area (residents, events, services), or None when that area does not
    offer them (yet): the dashboard then shows the panel as not available."""
    module_name, function_name = PANELS[name]
    try:
        function = getattr(importlib.import_module(module_name), function_name)
    except (ImportError, AttributeError):
        return None
    return function(site_ids=site_ids, first=first, last=last)


def dashboard(sites: list[Site], first: dt.date, last: dt.date, *, persian: bool) -> Figures:
    figures = booking_figures(sites, first, last, persian=persian)
    site_ids = [s.pk for s in sites]
    figures.panels = {name: panel(name, site_ids, first, last) for name in PANELS}
    return figures


# -- tables (shown on the page and exported) --------------------------------------------------------------
@dataclass
class Table:
    key: str
    title: str
    header: list[str]
    rows: list[list]


def _hours_value(value: float | Decimal):
    """Hours and credits rounded to 0.01; whole numbers as integers (12, not 12.0, in the exports)."""
    value = round(float(value), 2)
    return int(value) if value.is_integer() else value


def tables(figures: Figures, *, persian: bool, with_sites: bool = False) -> list[Table]:
    """The figures as tables: what the page lists under its charts and what the exports contain."""
    t = figures.total
    kinds = dict(SpaceKind.choices)
    out = [Table("summary", _("Summary"), [_("figure"), _("value")], [
        [_("bookable hours"), _hours_value(t.bookable_hours)],
        [_("booked hours"), _hours_value(t.booked_hours)],
        [_("occupancy (%)"), t.occupancy_pct],
        [_("bookings"), t.bookings],
        [_("cancellations"), t.cancellations],
        [_("revenue (rials)"), t.revenue],
        [_("cancellation fees (rials)"), t.fees],
        [_("credits used"), _hours_value(t.credits)],
    ])]
    head = [_("bookable hours"), _("booked hours"), _("occupancy (%)"), _("bookings"), _("cancellations"),
            _("revenue (rials)"), _("credits used")]

    def cells(b: Bucket) -> list:
        return [_hours_value(b.bookable_hours), _hours_value(b.booked_hours), b.occupancy_pct, b.bookings,
                b.cancellations, b.revenue, _hours_value(b.credits)]

    out.append(Table("by_kind", _("By kind of space"), [_("kind of space"), _("spaces"), *head],
                     [[str(kinds.get(k, k)), b.spaces, *cells(b)]
                      for k, b in sorted(figures.by_kind.items(), key=lambda kv: list(kinds).index(kv[0])
                                         if kv[0] in kinds else 99)]))
    out.append(Table("by_month", _("By month"), [_("month"), *head],
                     [[month_label(k, persian), *cells(b)] for k, b in sorted(figures.by_month.items())]))
    if with_sites:
        out.append(Table("by_site", _("By site"), [_("site"), _("spaces"), *head],
                         [[s.name, figures.by_site[s.pk].spaces, *cells(figures.by_site[s.pk])]
                          for s in figures.sites]))
    residents = figures.panels.get("residents")
    if residents is not None:
        out.append(Table("residents", _("Residents"), [_("figure"), _("value")], [
            [_("residents"), residents.get("residents")], [_("jobs created"), residents.get("jobs_created")],
            [_("capital raised (rials)"), residents.get("capital_raised")],
            [_("graduates"), residents.get("graduates")]]))
        out.append(Table("by_stage", _("Residents by stage"), [_("stage"), _("residents")],
                         [[str(k), v] for k, v in (residents.get("by_stage") or {}).items()]))
        out.append(Table("by_sector", _("Residents by sector"), [_("sector"), _("residents")],
                         [[str(k), v] for k, v in (residents.get("by_sector") or {}).items()]))
    events = figures.panels.get("events")
    if events is not None:
        out.append(Table("events", _("Events and attendance"), [_("figure"), _("value")], [
            [_("events"), events.get("events")], [_("registrations"), events.get("registrations")],
            [_("attended"), events.get("attended")], [_("capacity"), events.get("capacity")],
            [_("waiting list"), events.get("waitlisted")]]))
    services = figures.panels.get("services")
    if services is not None:
        rating = services.get("mean_rating")
        out.append(Table("services", _("Service requests"), [_("figure"), _("value")], [
            [_("requests"), services.get("requests")],
            [_("mean rating (1–5)"), None if rating is None else round(rating, 2)],
            *[[str(k), v] for k, v in (services.get("by_status") or {}).items()]]))
        out.append(Table("by_service", _("Requests by service"), [_("service"), _("requests")],
                         [[str(k), v] for k, v in (services.get("by_service") or {}).items()]))
    return out


def export_csv(figure_tables: list[Table], heading: list[str]) -> str:
    """One CSV with every table, each after a line naming it (UTF-8 with BOM, for Excel)."""
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(heading)
    for table in figure_tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.header)
        writer.writerows(["" if c is None else c for c in row] for row in table.rows)
    return "\ufeff" + buffer.getvalue()


def export_xlsx(figure_tables: list[Table], heading: list[str], *, rtl: bool) -> bytes:
    """An XLSX workbook with one sheet per table (right to left in Persian)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from khooshe.core.tabular import _sheet_title

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in figure_tables:
        sheet = workbook.create_sheet(_sheet_title(table.title))
        sheet.sheet_view.rightToLeft = rtl
        sheet.append(heading)
        sheet.append(table.header)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
