"""Events: registration within the capacity, the waiting list and its move-up on cancellation, check-in,
public registration, closed registration, the room booked on publishing, permissions, pages and API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone, translation
from factories import make_org, make_user
from hubs_events_factories import make_event, member_of, resident_of, staff_of_site
from hubs_factories import at, make_booking, make_site, make_space, open_day
from rest_framework.test import APIClient

from khooshe.hubs import models as hm
from khooshe.hubs.events import selectors, services
from khooshe.matching.models import Notification

pytestmark = pytest.mark.django_db
Status = hm.EventRegistration.Status


def english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def public(event, i):
    return services.register(event=event, name=f"Guest {i}", email=f"guest{i}@example.org")


# -- capacity and the waiting list ---------------------------------------------------------------------
def test_registrations_beyond_the_capacity_go_to_the_waiting_list_in_order():
    event = make_event(capacity=2)
    made = [public(event, i) for i in range(5)]
    assert [r.status for r in made] == [Status.CONFIRMED] * 2 + [Status.WAITLISTED] * 3
    assert event.confirmed_count == 2
    assert list(selectors.waiting_list(event)) == made[2:]


def test_cancelling_a_confirmed_seat_moves_the_first_waiting_person_up_and_tells_them(
        django_capture_on_commit_callbacks):
    event = make_event(capacity=1)
    first = public(event, 0)
    member = make_user()
    waiting_member = services.register(event=event, user=member)
    waiting_guest = public(event, 2)
    assert waiting_member.status == waiting_guest.status == Status.WAITLISTED
    services.cancel_registration(user=make_user(), registration=first, code=first.code)
    waiting_member.refresh_from_db()
    waiting_guest.refresh_from_db()
    assert waiting_member.status == Status.CONFIRMED and waiting_member.promoted_at is not None
    assert waiting_guest.status == Status.WAITLISTED
    note = Notification.objects.get(user=member)
    assert event.title in note.verb and note.url == event.get_absolute_url()
    # the guest without an account is emailed when it is their turn
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_registration(user=member, registration=waiting_member)
    waiting_guest.refresh_from_db()
    assert waiting_guest.status == Status.CONFIRMED
    assert [m.to for m in mail.outbox] == [["guest2@example.org"]]
    assert waiting_guest.code in mail.outbox[0].body
    assert event.confirmed_count == 1


def test_without_a_waiting_list_a_full_event_refuses_clearly():
    event = make_event(capacity=1, waiting_list=False)
    public(event, 0)
    with translation.override("en"), pytest.raises(services.EventError) as exc:
        public(event, 1)
    assert exc.value.code == "full" and "full" in exc.value.message
    assert event.registrations.count() == 1


def test_raising_the_capacity_moves_the_waiting_list_up():
    event = make_event(capacity=1)
    public(event, 0)
    waiting = public(event, 1)
    staff = staff_of_site(event.site)
    event.capacity = 2
    services.save_event(user=staff, event=event)
    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED


def test_one_registration_per_account_and_per_email():
    event = make_event()
    user = make_user()
    services.register(event=event, user=user)
    with pytest.raises(services.EventError) as exc:
        services.register(event=event, user=user)
    assert exc.value.code == "duplicate"
    public(event, 1)
    with translation.override("en"), pytest.raises(services.EventError) as exc:
        services.register(event=event, name="Someone", email="GUEST1@example.org ")
    assert exc.value.field == "email" and "guest1@example.org" in exc.value.message
    # after cancelling, the same email may register again
    reg = event.registrations.get(email="guest1@example.org")
    services.cancel_registration(user=user, registration=reg, code=reg.code)
    assert services.register(event=event, name="Again", email="guest1@example.org").status == Status.CONFIRMED


# -- public registration ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name, email, field, words", [
    ("", "a@example.org", "name", "name"),
    ("Sara", "", "email", "email"),
    ("Sara", "not-an-email", "email", "not-an-email"),
])
def test_public_registration_names_the_bad_field(name, email, field, words):
    event = make_event()
    with translation.override("en"), pytest.raises(services.EventError) as exc:
        services.register(event=event, name=name, email=email)
    assert exc.value.field == field and words in exc.value.message
    assert not event.registrations.exists()


def test_public_registration_page_confirms_with_a_code_and_emails_it(client, django_capture_on_commit_callbacks):
    event = make_event()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/hubs/events/{event.pk}/register/", {"name": "سارا", "email": "sara@example.org"},
                               HTTP_ACCEPT_LANGUAGE="en")
    reg = event.registrations.get()
    assert response.status_code == 302 and response["Location"] == f"/hubs/events/registration/{reg.code}/"
    page = client.get(response["Location"]).content.decode()
    assert reg.code in page and "سارا" in page
    assert len(reg.code) == 8 and reg.code.isalnum()
    assert mail.outbox[0].to == ["sara@example.org"] and reg.code in mail.outbox[0].body


def test_public_registration_page_shows_the_bad_email(client):
    event = make_event()
    client.cookies["khooshe_language"] = "en"
    response = client.post(f"/hubs/events/{event.pk}/register/", {"name": "Sara", "email": "sara@"})
    assert response.status_code == 400
    assert "Enter a valid email address" in response.content.decode() or "sara@" in response.content.decode()
    assert not event.registrations.exists()


def test_a_member_registers_with_one_click_and_can_cancel_from_the_confirmation_page():
    event = make_event(capacity=1)
    user = english(make_user())
    client = Client()
    client.force_login(user)
    response = client.post(f"/hubs/events/{event.pk}/register/")
    reg = event.registrations.get(user=user)
    assert response.status_code == 302 and reg.status == Status.CONFIRMED and reg.email == user.email
    # visiting the register page again leads to the registration
    assert client.get(f"/hubs/events/{event.pk}/register/")["Location"].endswith(f"/{reg.code}/")
    waiting = public(event, 9)
    client.post(f"/hubs/events/registration/{reg.code}/cancel/")
    reg.refresh_from_db()
    waiting.refresh_from_db()
    assert reg.status == Status.CANCELLED and waiting.status == Status.CONFIRMED


def test_confirmation_page_shows_the_waiting_list_position(client):
    event = make_event(capacity=1)
    public(event, 0)
    public(event, 1)
    third = public(event, 2)
    client.cookies["khooshe_language"] = "en"
    page = client.get(f"/hubs/events/registration/{third.code}/").content.decode()
    assert "number 2 on the waiting list" in page


# -- closed registration and the audience ---------------------------------------------------------------
def test_registration_is_refused_outside_its_window_and_for_drafts_and_cancelled_events():
    now = timezone.now()
    cases = [make_event(registration_opens=now + dt.timedelta(days=1)),
             make_event(registration_closes=now - dt.timedelta(minutes=1)),
             make_event(start=now - dt.timedelta(hours=1)),
             make_event(status=hm.Event.Status.DRAFT),
             make_event(status=hm.Event.Status.CANCELLED)]
    for event in cases:
        with translation.override("en"), pytest.raises(services.EventError) as exc:
            public(event, event.pk)
        assert exc.value.code == "closed" and "Registration" in exc.value.message
    assert not hm.EventRegistration.objects.exists()


def test_members_and_residents_only_events():
    site = make_site()
    members = make_event(site=site, audience=hm.EventAudience.MEMBERS)
    residents = make_event(site=site, audience=hm.EventAudience.RESIDENTS)
    resident = resident_of(site)
    linked_hub = make_org(kind="innovation_factory")
    site.linked_hubs.add(linked_hub)
    linked_member = member_of(linked_hub)
    stranger = make_user()
    with pytest.raises(services.EventError) as exc:
        services.register(event=members, name="Guest", email="g@example.org")
    assert exc.value.code == "audience"
    assert services.register(event=members, user=resident).status == Status.CONFIRMED
    assert services.register(event=members, user=linked_member).status == Status.CONFIRMED
    assert services.register(event=residents, user=resident).status == Status.CONFIRMED
    for user, event in ((stranger, members), (linked_member, residents), (stranger, residents)):
        with pytest.raises(services.EventError):
            services.register(event=event, user=user)
    # who sees which event
    assert set(hm.Event.objects.visible_to(stranger)) == set()
    assert set(hm.Event.objects.visible_to(linked_member)) == {members}
    assert set(hm.Event.objects.visible_to(resident)) == {members, residents}


def test_drafts_are_seen_by_staff_only():
    draft = make_event(status=hm.Event.Status.DRAFT)
    published = make_event(site=draft.site)
    anonymous = Client()
    assert anonymous.get(published.get_absolute_url()).status_code == 200
    assert anonymous.get(draft.get_absolute_url()).status_code == 404
    staff = Client()
    staff.force_login(staff_of_site(draft.site))
    assert staff.get(draft.get_absolute_url()).status_code == 200
    listing = anonymous.get("/hubs/events/").content.decode()
    assert published.title in listing and draft.title not in listing


# -- check-in -------------------------------------------------------------------------------------------------
def test_check_in_by_code_and_twice_gives_a_clear_message():
    event = make_event()
    reg = public(event, 0)
    staff = staff_of_site(event.site)
    client = Client()
    client.force_login(english(staff))
    page = client.get(f"/hubs/events/{event.pk}/check-in/")
    assert page.status_code == 200 and reg.code in page.content.decode()
    response = client.post(f"/hubs/events/{event.pk}/check-in/", {"code": reg.code.lower()})
    assert response.status_code == 302
    reg.refresh_from_db()
    assert reg.checked_in_at is not None and reg.checked_in_by == staff
    again = client.post(f"/hubs/events/{event.pk}/check-in/", {"code": reg.code})
    assert again.status_code == 400 and "already checked in" in again.content.decode()
    unknown = client.post(f"/hubs/events/{event.pk}/check-in/", {"code": "ZZZZ2222"})
    assert unknown.status_code == 400 and "ZZZZ2222" in unknown.content.decode()
    assert selectors.counts(event)["attended"] == 1


def test_a_waitlisted_code_is_not_let_in_and_only_staff_check_in():
    event = make_event(capacity=1)
    public(event, 0)
    waiting = public(event, 1)
    staff = staff_of_site(event.site)
    with translation.override("en"), pytest.raises(services.EventError) as exc:
        services.check_in(user=staff, event=event, code=waiting.code)
    assert "waiting list" in exc.value.message
    client = Client()
    client.force_login(make_user())
    assert client.get(f"/hubs/events/{event.pk}/check-in/").status_code == 403
    other_staff = staff_of_site(make_site())
    with pytest.raises(services.PermissionDenied):
        services.check_in(user=other_staff, event=event, code=waiting.code)


def test_attendee_export_csv_and_xlsx_lists_the_confirmed(client):
    event = make_event(capacity=2)
    regs = [public(event, i) for i in range(3)]
    client.force_login(staff_of_site(event.site))
    csv_text = b"".join(client.get(f"/hubs/event-registrations/export/?event={event.pk}&status=confirmed"
                                   "&format=csv").streaming_content).decode("utf-8-sig")
    assert regs[0].email in csv_text and regs[1].email in csv_text and regs[2].email not in csv_text
    xlsx = client.get(f"/hubs/event-registrations/export/?event={event.pk}&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    outsider = Client()
    outsider.force_login(make_user())
    other = b"".join(outsider.get(f"/hubs/event-registrations/export/?event={event.pk}&format=csv")
                     .streaming_content).decode("utf-8-sig")
    assert regs[0].email not in other


# -- the room --------------------------------------------------------------------------------------------------
def test_publishing_books_the_room_and_a_taken_room_is_refused_with_the_conflict_message():
    space = make_space()
    day = open_day(space.site)
    staff = english(staff_of_site(space.site))
    event = make_event(space=space, start=at(day, 10), end=at(day, 12), status=hm.Event.Status.DRAFT)
    with translation.override("en"):
        services.publish_event(user=staff, event=event)
    event.refresh_from_db()
    assert event.status == hm.Event.Status.PUBLISHED and event.booking.space == space
    assert event.booking.status == hm.Booking.Status.CONFIRMED
    # the room is now blocked for others
    from khooshe.hubs import services as hub_services

    with pytest.raises(hub_services.BookingConflict):
        make_booking(space=space, day=day, hour=11)
    # a second event in the taken room is refused with the booking's conflict message
    make_booking(space=space, day=day, hour=14)
    clash = make_event(space=space, start=at(day, 14, 30), end=at(day, 15, 30), status=hm.Event.Status.DRAFT)
    with translation.override("en"), pytest.raises(services.EventError) as exc:
        services.publish_event(user=staff, event=clash)
    assert exc.value.field == "space" and "is not free" in exc.value.message
    clash.refresh_from_db()
    assert clash.status == hm.Event.Status.DRAFT and clash.booking is None
    # cancelling the event frees the room
    booking = event.booking
    services.cancel_event(user=staff, event=event)
    event.refresh_from_db()
    booking.refresh_from_db()
    assert event.status == hm.Event.Status.CANCELLED and booking.status == hm.Booking.Status.CANCELLED
    assert make_booking(space=space, day=day, hour=10).status == hm.Booking.Status.CONFIRMED


def test_deleting_an_event_releases_its_room(client):
    space = make_space()
    day = open_day(space.site)
    staff = staff_of_site(space.site)
    event = services.publish_event(user=staff, event=make_event(space=space, start=at(day, 9), end=at(day, 10),
                                                                status=hm.Event.Status.DRAFT))
    booking = event.booking
    client.force_login(staff)
    assert client.post(f"/hubs/events/{event.pk}/delete/", {"confirm": "yes"}).status_code == 302
    booking.refresh_from_db()
    assert not hm.Event.objects.filter(pk=event.pk).exists() and booking.status == hm.Booking.Status.CANCELLED


def test_the_event_form_books_the_room_and_shows_the_conflict(client):
    space = make_space()
    day = open_day(space.site)
    make_booking(space=space, day=day, hour=10)
    staff = english(staff_of_site(space.site))
    client.force_login(staff)
    data = {"site": space.site_id, "space": space.pk, "title": "Demo day", "date": day.isoformat(),
            "start_time": "10:30", "end_time": "11:30", "capacity": "30", "audience": "public",
            "waiting_list": "on", "status": "published"}
    response = client.post("/hubs/events/add/", data)
    assert response.status_code in (200, 400) and "is not free" in response.content.decode()
    assert not hm.Event.objects.filter(title="Demo day").exists()
    data.update(start_time="15:00", end_time="16:00")
    response = client.post("/hubs/events/add/", data)
    event = hm.Event.objects.get(title="Demo day")
    assert response.status_code == 302 and event.booking.start == at(day, 15)


def test_only_staff_of_the_site_create_and_publish_events(client):
    site = make_site()
    client.force_login(make_user())
    assert client.get("/hubs/events/add/").status_code in (302, 403)
    event = make_event(site=site, status=hm.Event.Status.DRAFT)
    with pytest.raises(services.PermissionDenied):
        services.publish_event(user=staff_of_site(make_site()), event=event)


# -- iCal, Jalali -------------------------------------------------------------------------------------------
def test_ical_of_an_event_and_jalali_dates_on_its_page(client):
    event = make_event(title="Open house")
    body = client.get(f"/hubs/events/{event.pk}/event.ics").content.decode()
    assert "BEGIN:VEVENT" in body and "SUMMARY:Open house" in body
    from khooshe.core.jalali import to_jalali

    page = client.get(event.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    year = str(to_jalali(timezone.localtime(event.start).date()).year)
    assert "".join("۰۱۲۳۴۵۶۷۸۹"[int(c)] for c in year) in page


# -- API ---------------------------------------------------------------------------------------------------------
def test_api_register_cancel_and_check_in():
    event = make_event(capacity=1)
    anonymous = APIClient()
    first = anonymous.post(f"/api/hubs/events/{event.pk}/register/", {"name": "A", "email": "a@example.org"},
                           format="json")
    assert first.status_code == 201 and first.json()["status"] == "confirmed"
    second = anonymous.post(f"/api/hubs/events/{event.pk}/register/", {"name": "B", "email": "b@example.org"},
                            format="json")
    assert second.status_code == 201 and second.json()["status"] == "waitlisted"
    duplicate = anonymous.post(f"/api/hubs/events/{event.pk}/register/", {"name": "A", "email": "a@example.org"},
                               format="json")
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "duplicate"
    bad = anonymous.post(f"/api/hubs/events/{event.pk}/register/", {"name": "C", "email": "c@"}, format="json")
    assert bad.status_code == 400 and "email" in bad.json()
    # cancel with the code (no account): the waiting person moves up
    cancelled = anonymous.post(f"/api/hubs/event-registrations/{first.json()['id']}/cancel/",
                               {"code": first.json()["code"]}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert hm.EventRegistration.objects.get(pk=second.json()["id"]).status == Status.CONFIRMED
    wrong = anonymous.post(f"/api/hubs/event-registrations/{second.json()['id']}/cancel/", {"code": "AAAA2222"},
                           format="json")
    assert wrong.status_code in (403, 404)
    # check-in by staff; twice -> 409
    staff = APIClient()
    staff.force_authenticate(staff_of_site(event.site))
    ok = staff.post(f"/api/hubs/events/{event.pk}/check-in/", {"code": second.json()["code"]}, format="json")
    assert ok.status_code == 200 and ok.json()["checked_in_at"]
    twice = staff.post(f"/api/hubs/events/{event.pk}/check-in/", {"code": second.json()["code"]}, format="json")
    assert twice.status_code == 409 and twice.json()["code"] == "already"
    member = APIClient()
    member.force_authenticate(make_user())
    assert member.post(f"/api/hubs/events/{event.pk}/check-in/", {"code": "X"}, format="json").status_code == 403


def test_api_register_when_closed_is_409_and_reads_respect_permissions():
    closed = make_event(registration_closes=timezone.now() - dt.timedelta(hours=1))
    response = APIClient().post(f"/api/hubs/events/{closed.pk}/register/", {"name": "A", "email": "a@example.org"},
                                format="json")
    assert response.status_code == 409 and response.json()["code"] == "closed"
    draft = make_event(status=hm.Event.Status.DRAFT)
    assert APIClient().post(f"/api/hubs/events/{draft.pk}/register/", {}, format="json").status_code == 404
    reg = public(make_event(), 1)
    anonymous_list = APIClient().get("/api/hubs/events/").json()
    titles = {row["title"] for row in anonymous_list["results"]}
    assert closed.title in titles and draft.title not in titles
    anonymous_registrations = APIClient().get("/api/hubs/event-registrations/")
    assert anonymous_registrations.status_code == 200 and anonymous_registrations.json()["count"] == 0
    owner = APIClient()
    owner.force_authenticate(staff_of_site(reg.event.site))
    assert owner.get(f"/api/hubs/event-registrations/{reg.pk}/").json()["code"] == reg.code
    stranger = APIClient()
    stranger.force_authenticate(make_user())
    assert stranger.get(f"/api/hubs/event-registrations/{reg.pk}/").status_code == 404


def test_event_figures_for_dashboards():
    site = make_site()
    day = timezone.localdate() + dt.timedelta(days=10)
    event = make_event(site=site, capacity=2, start=at(day, 10), end=at(day, 12))
    make_event(site=site, capacity=50, start=at(day, 10), end=at(day, 12), status=hm.Event.Status.DRAFT)
    make_event(capacity=7, start=at(day, 10), end=at(day, 12))  # another site
    regs = [public(event, i) for i in range(3)]
    services.check_in(user=staff_of_site(site), event=event, code=regs[0].code)
    figures = selectors.event_figures(site_ids=[site.pk], first=day, last=day)
    assert figures == {"events": 1, "registrations": 2, "attended": 1, "capacity": 2, "waitlisted": 1}
    everywhere = selectors.event_figures(site_ids=None, first=day, last=day)
    assert everywhere["events"] >= 2 and everywhere["capacity"] >= 9
    assert selectors.event_figures(site_ids=[site.pk], first=day + dt.timedelta(days=1),
                                   last=day + dt.timedelta(days=5))["events"] == 0


def test_register_page_explains_why_one_cannot_register(client):
    client.cookies["khooshe_language"] = "en"
    members = make_event(audience=hm.EventAudience.MEMBERS)
    assert client.get(f"/hubs/events/{members.pk}/register/")["Location"].startswith("/accounts/login/")
    client.force_login(english(make_user()))  # signed in but not a member
    page = client.get(f"/hubs/events/{members.pk}/register/")
    assert page.status_code == 404  # members' events are seen by their members only
    client.logout()
    closed = make_event(registration_closes=timezone.now() - dt.timedelta(hours=1))
    page = client.get(f"/hubs/events/{closed.pk}/register/").content.decode()
    assert 'id="registration-closed"' in page and 'id="registration-form"' not in page
    refused = client.post(f"/hubs/events/{closed.pk}/register/", {"name": "Sara", "email": "sara@example.org"})
    assert refused.status_code == 400 and not closed.registrations.exists()


def test_events_held_by_the_clusters_hubs_feed_its_indicators():
    from factories import make_cluster, make_membership

    from khooshe.monitoring.sources import SourceContext, source_values

    event = make_event(capacity=5)
    services.register(event=event, name="Sara Karimi", email="sara@example.org")
    registration = services.register(event=event, name="Ali Rezaei", email="ali@example.org")
    services.check_in(user=staff_of_site(event.site), event=event, code=registration.code,
                      now=event.start + dt.timedelta(minutes=5))
    cluster = make_cluster()
    day = timezone.localtime(event.start).date()
    ctx = SourceContext(program=None, cluster=cluster, start=day.replace(day=1), end=day + dt.timedelta(days=31))
    wanted = ["hub_events", "hub_event_attendance"]
    assert source_values(ctx, wanted) == {"hub_events": Decimal(0), "hub_event_attendance": Decimal(0)}
    make_membership(cluster=cluster, organization=event.site.operator)  # the hub joins the cluster
    ctx = SourceContext(program=None, cluster=cluster, start=day.replace(day=1), end=day + dt.timedelta(days=31))
    assert source_values(ctx, wanted) == {"hub_events": Decimal(1), "hub_event_attendance": Decimal(1)}
