"""The web UI and REST API of events and their registrations, from the generic mixins (tests/mixins.py).
Registrations are made through the registration service (tests/test_hubs_events.py), so their generic
tests leave out create."""

from __future__ import annotations

import datetime as dt

import pytest
from hubs_events_factories import make_event, make_events
from hubs_factories import at, make_site
from mixins import APITestCases, ViewTestCases

from khooshe.core import jalali
from khooshe.hubs import models as hm
from khooshe.hubs.events import services

pytestmark = pytest.mark.filterwarnings("ignore")


class EventCase:
    model = hm.Event
    bulk_objects = make_events

    def search_term(self, obj):
        return obj.title

    def filter_cases(self, objects):
        return [({"site": objects[0].site_id, "status": "published"}, objects),
                ({"q": objects[1].title}, [objects[1]])]

    def make_private(self):
        return make_event(status=hm.Event.Status.DRAFT)


class TestEventViews(EventCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"site": make_site().pk, "title": "روز نمایش", "date": "1409/01/20", "start_time": "10:00",
                "end_time": "12:00", "capacity": "40", "audience": "public", "waiting_list": "on",
                "status": "draft"}

    edit_data = {"title": "Edited event"}

    def test_create_valid(self):
        """The form's date (Jalali) and times become the event's start and end in the site's time zone."""
        response = self.client.post(self.url("add"), self.hook("create_data"))
        assert response.status_code == 302
        event = hm.Event.objects.get(title="روز نمایش")
        assert response["Location"] == event.get_absolute_url()
        day = jalali.parse_date("1409/01/20")
        assert (event.start, event.end) == (at(day, 10), at(day, 12))
        assert (event.capacity, event.status, event.created_by) == (40, "draft", self.admin)

    def invalid_data(self):
        return ({"site": make_site().pk, "title": "x", "date": "1409/01/20", "start_time": "12:00",
                 "end_time": "10:00", "capacity": "40", "audience": "public", "status": "draft"}, "end_time")


class TestEventAPI(EventCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"site": make_site().pk, "title": "Meetup", "start": "2030-05-01T10:00:00+03:30",
                "end": "2030-05-01T12:00:00+03:30", "capacity": 20}

    api_update_data = {"title": "Patched"}

    def test_api_create_with_session(self):
        """(assert_saved reads dates only: the event's times are checked here.)"""
        data = self.hook("api_create_data")
        response = self.client.post(self.api_url(), data, content_type="application/json")
        assert response.status_code == 201, response.json()
        event = hm.Event.objects.get(pk=response.json()["id"])
        assert (event.site_id, event.title, event.capacity) == (data["site"], "Meetup", 20)
        assert event.start == dt.datetime.fromisoformat(data["start"])
        assert event.end == dt.datetime.fromisoformat(data["end"])

    def api_invalid_data(self):
        return ({"site": make_site().pk, "title": "x", "start": "2030-05-01T12:00:00+03:30",
                 "end": "2030-05-01T10:00:00+03:30", "capacity": 20}, "end")


def make_registrations(n: int = 3) -> list[hm.EventRegistration]:
    event = make_event(capacity=n + 1)
    return [services.register(event=event, name=f"Guest-{i}-x", email=f"guest{i}-{event.pk}@example.org")
            for i in range(n)]


class RegistrationCase:
    model = hm.EventRegistration
    bulk_objects = make_registrations
    anonymous_sees_objects = False

    def search_term(self, obj):
        return obj.name

    def filter_cases(self, objects):
        return [({"event": objects[0].event_id, "status": "confirmed"}, objects),
                ({"q": objects[1].code}, [objects[1]])]


class TestRegistrationViews(RegistrationCase, ViewTestCases.ListObjectsViewTestCase,
                            ViewTestCases.GetObjectViewTestCase, ViewTestCases.EditObjectViewTestCase,
                            ViewTestCases.DeleteObjectViewTestCase, ViewTestCases.BulkDeleteObjectsViewTestCase,
                            ViewTestCases.BulkExportObjectsViewTestCase):
    edit_data = {"name": "Edited name"}

    def export_marker(self, obj):
        return obj.email


class TestRegistrationAPI(RegistrationCase, APITestCases.ListAPITestCase, APITestCases.RetrieveAPITestCase):
    pass
