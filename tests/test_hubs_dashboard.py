"""Hub dashboards: occupancy on a constructed week (a public holiday, a closed Friday, a closure added
after a booking), bookings, cancellations and revenue, the CSV/XLSX export, network-wide sums equal to
the per-site figures, and who may open which dashboard."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import jdatetime
import pytest
from django.urls import reverse
from django.utils import translation
from factories import make_role, make_user
from hubs_factories import at, make_space
from hubs_network_factories import english, linked_pair, staff_of

from khooshe.hubs import models as hm
from khooshe.hubs import selectors, services
from khooshe.hubs.network import dashboards
from khooshe.registry.models import Role

pytestmark = pytest.mark.django_db

KIND = hm.SpaceKind
SAT = dt.date(2025, 2, 8)  # 20 Bahman 1403; Monday 10 Feb is 22 Bahman (Revolution Day), Friday 14 Feb closed
FRI = SAT + dt.timedelta(days=6)


@pytest.fixture
def week():
    """A site open Saturday to Thursday 08:00-20:00 (12 hours) with two bookable meeting rooms, a studio and
    a floor that only contains them; bookings made by staff during the week of 8-14 February 2025."""
    network, site, other = linked_pair()
    admin = make_user(superuser=True)
    floor = make_space(site=site, kind=KIND.FLOOR, bookable=False)
    room1 = make_space(site=site, parent=floor, kind=KIND.MEETING_ROOM, price_per_hour=1000,
                       credits_per_hour=Decimal("1.50"))
    room2 = make_space(site=site, parent=floor, kind=KIND.MEETING_ROOM, price_per_hour=1000)
    studio = make_space(site=site, kind=KIND.STUDIO, price_per_hour=2000)
    now = at(SAT, 7)  # staff book "now" = the Saturday morning (bookings in the past are staff-only anyway)

    def book(space, day, hour, hours):
        return services.create_booking(user=admin, space=space, start=at(SAT + dt.timedelta(days=day), hour),
                                       end=at(SAT + dt.timedelta(days=day), hour + hours), now=now)

    book(room1, 0, 9, 3)  # Saturday 3 h
    book(room1, 1, 9, 2)  # Sunday 2 h
    book(room2, 3, 14, 1)  # Tuesday 1 h
    book(studio, 4, 8, 6)  # Wednesday 6 h
    cancelled = book(studio, 5, 10, 2)  # Thursday, cancelled by staff (no fee)
    services.cancel_booking(user=admin, booking=cancelled)
    book(room1, 5, 12, 4)  # Thursday 4 h, then the site closes on Thursday: not counted
    hm.ClosedDay.objects.create(site=site, date=SAT + dt.timedelta(days=5), name="Repairs")
    return {"network": network, "site": site, "other": other, "admin": admin, "room1": room1, "studio": studio}


def test_the_week_has_a_holiday_and_a_closed_friday(week):
    assert selectors.closed_reason(week["site"], SAT + dt.timedelta(days=2))  # 22 Bahman
    assert jdatetime.date.fromgregorian(date=SAT + dt.timedelta(days=2)) == jdatetime.date(1403, 11, 22)
    assert FRI.weekday() == 4 and selectors.opening_window(week["site"], FRI) is None


def test_occupancy_is_booked_over_bookable_hours(week):
    figures = dashboards.booking_figures([week["site"]], SAT, FRI, persian=True)
    # open days: Sat, Sun, Tue, Wed (Mon is a holiday, Thu closed, Fri has no hours) = 4 x 12 h per space
    rooms, studio = figures.by_kind[KIND.MEETING_ROOM], figures.by_kind[KIND.STUDIO]
    assert (rooms.spaces, rooms.bookable_hours, rooms.booked_hours) == (2, 96, 6)
    assert (studio.spaces, studio.bookable_hours, studio.booked_hours) == (1, 48, 6)
    assert rooms.occupancy == pytest.approx(6 / 96) and studio.occupancy == pytest.approx(6 / 48)
    assert figures.total.occupancy == pytest.approx(12 / 144)
    assert KIND.FLOOR not in figures.by_kind  # a container is not bookable
    assert list(figures.by_month) == [(1403, 11)]  # Bahman 1403
    assert figures.by_month[(1403, 11)].bookable_hours == 144


def test_bookings_cancellations_revenue_and_credits(week):
    total = dashboards.booking_figures([week["site"]], SAT, FRI, persian=False).total
    assert total.bookings == 5 and total.cancellations == 1  # the Thursday booking still counts as a booking
    assert total.revenue == 3000 + 2000 + 1000 + 12000 + 4000 and total.fees == 0
    assert total.credits == Decimal("4.50") + Decimal("3.00") + Decimal("6.00")


def test_the_period_bounds_are_local_days(week):
    figures = dashboards.booking_figures([week["site"]], SAT + dt.timedelta(days=1), SAT + dt.timedelta(days=1),
                                         persian=False)
    assert figures.total.bookings == 1 and figures.total.booked_hours == 2
    assert figures.total.bookable_hours == 3 * 12  # three bookable spaces, one open Sunday


def test_network_wide_sums_equal_the_per_site_figures(week):
    other = week["other"]
    room = make_space(site=other, kind=KIND.MEETING_ROOM, price_per_hour=500)
    services.create_booking(user=week["admin"], space=room, start=at(SAT, 10), end=at(SAT, 13), now=at(SAT, 7))
    sites = [week["site"], other]
    whole = dashboards.booking_figures(sites, SAT, FRI, persian=True)
    parts = [dashboards.booking_figures([s], SAT, FRI, persian=True).total for s in sites]
    for name in ("bookable_hours", "booked_hours", "bookings", "cancellations", "revenue", "credits", "spaces"):
        assert getattr(whole.total, name) == sum(getattr(p, name) for p in parts), name
        assert getattr(whole.total, name) == sum(getattr(whole.by_site[s.pk], name) for s in sites), name
    assert whole.total.booked_hours == 15


def test_the_dashboard_page_shows_the_figures_and_other_areas_panels(client, week):
    staff = english(staff_of(week["site"].operator))
    client.force_login(staff)
    response = client.get(reverse("hubs:network_site_dashboard", args=[week["site"].pk]),
                          {"first": "2025-02-08", "last": "2025-02-14"})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="chart-occupancy-month"' in content and "hub-dashboard-data" in content
    assert response.context["figures"].total.occupancy == pytest.approx(12 / 144)
    panels = response.context["figures"].panels
    for name in ("residents", "events", "services"):  # each panel shows or says it is not available
        assert panels[name] is not None or f'data-panel="{name}"' in content


def test_a_bad_period_names_the_field(client, week):
    client.force_login(english(staff_of(week["site"].operator)))
    response = client.get(reverse("hubs:network_site_dashboard", args=[week["site"].pk]),
                          {"first": "2025-02-14", "last": "2025-02-08"})
    assert response.status_code == 200
    assert "must not be before its start" in response.content.decode()


def test_the_export_contains_the_figures(client, week):
    client.force_login(english(staff_of(week["site"].operator)))
    url = reverse("hubs:network_site_dashboard", args=[week["site"].pk])
    period = {"first": "2025-02-08", "last": "2025-02-14"}
    text = client.get(url, {**period, "export": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    summary = {r[0]: r[1] for r in rows if len(r) == 2}
    assert summary["booked hours"] == "12" and summary["bookable hours"] == "144"
    assert summary["occupancy (%)"] == "8.3" and summary["cancellations"] == "1"
    kinds = {r[0]: r for r in rows if r and r[0] in ("Meeting room", "Studio")}
    assert kinds["Meeting room"][1:5] == ["2", "96", "6", "6.2"]

    from openpyxl import load_workbook

    response = client.get(url, {**period, "export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Summary"]
    values = {row[0]: row[1] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert values["booked hours"] == 12 and values["revenue (rials)"] == 22000
    assert "By kind of space" in book.sheetnames and "By month" in book.sheetnames
    assert client.get(url, {**period, "export": "pdf"}).status_code == 400


def test_the_network_export_has_one_row_per_site(client, week):
    coordinator = english(make_user())
    make_role(user=coordinator, kind=Role.Kind.MEMBER, organization=week["network"].coordinator)
    client.force_login(coordinator)
    text = client.get(reverse("hubs:network_dashboard", args=[week["network"].pk]),
                      {"first": "2025-02-08", "last": "2025-02-14", "export": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    names = {r[0] for r in rows if r}
    assert week["site"].name in names and week["other"].name in names


# -- permissions -------------------------------------------------------------------------------------------
def test_who_may_open_which_dashboard(client, week):
    site_url = reverse("hubs:network_site_dashboard", args=[week["site"].pk])
    network_url = reverse("hubs:network_dashboard", args=[week["network"].pk])
    assert client.get(site_url).status_code == 302  # anonymous: to the login page
    client.force_login(make_user())
    assert client.get(site_url).status_code == 403
    client.force_login(staff_of(week["other"].operator))  # staff of the other house of the network
    assert client.get(site_url).status_code == 403
    assert client.get(network_url).status_code == 403
    assert client.get(reverse("hubs:network_site_dashboard", args=[week["other"].pk])).status_code == 200
    coordinator = make_user()
    make_role(user=coordinator, kind=Role.Kind.MEMBER, organization=week["network"].coordinator)
    client.force_login(coordinator)
    assert client.get(network_url).status_code == 200
    assert client.get(site_url).status_code == 200  # a member house's dashboard
    client.force_login(week["admin"])
    assert client.get(network_url).status_code == 200


def test_the_index_lists_only_the_users_dashboards(client, week):
    staff = staff_of(week["other"].operator)
    client.force_login(staff)
    with translation.override("en"):
        content = client.get(reverse("hubs:network_dashboards")).content.decode()
    assert reverse("hubs:network_site_dashboard", args=[week["other"].pk]) in content
    assert reverse("hubs:network_site_dashboard", args=[week["site"].pk]) not in content
    assert reverse("hubs:network_dashboard", args=[week["network"].pk]) not in content


def test_bookings_fall_on_their_local_day_across_a_daylight_saving_change():
    """Iran kept daylight saving until 2022 (+04:30 from 22 March 2021, 01:00): a booking at 00:30 on
    23 March 2021 is 20:00 UTC on 22 March and belongs to the 23rd, not to the closed 22nd."""
    _network, site, _other = linked_pair()
    site.observe_public_holidays = False
    site.save()
    hm.OpeningHours.objects.filter(site=site).update(opens=dt.time(0, 0), closes=dt.time(12, 0))
    room = make_space(site=site, kind=KIND.MEETING_ROOM)
    admin = make_user(superuser=True)
    summer, last_winter = dt.date(2021, 3, 23), dt.date(2021, 3, 17)
    start = at(summer, 0, 30)
    assert start.utcoffset() == dt.timedelta(hours=4, minutes=30)
    assert at(last_winter, 12).utcoffset() == dt.timedelta(hours=3, minutes=30)
    services.create_booking(user=admin, space=room, start=start, end=at(summer, 2, 30), now=at(last_winter, 0))
    services.create_booking(user=admin, space=room, start=at(last_winter, 0, 30), end=at(last_winter, 1, 30),
                            now=at(last_winter, 0))
    hm.ClosedDay.objects.create(site=site, date=summer - dt.timedelta(days=1), name="Closed")
    both = dashboards.booking_figures([site], last_winter, summer, persian=True)
    assert both.total.bookings == 2 and both.total.booked_hours == 3  # 2 h on the 23rd, an open day
    assert {k: b.bookings for k, b in both.by_month.items()} == {(1399, 12): 1, (1400, 1): 1}
    assert dashboards.booking_figures([site], summer, summer, persian=False).total.booked_hours == 2
