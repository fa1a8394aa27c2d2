"""The web UI and REST API of the hubs models, from the generic mixins (tests/mixins.py). Bookings are
made through the booking service (tests/test_hubs_bookings.py), so their generic tests leave out create."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from factories import make_org
from hubs_factories import (
    make_bookings,
    make_closed_days,
    make_hub,
    make_opening_hours,
    make_residencies,
    make_site,
    make_sites,
    make_spaces,
)
from mixins import APITestCases, ViewTestCases

from khooshe.hubs import models as hm

pytestmark = pytest.mark.filterwarnings("ignore")


class SiteCase:
    model = hm.Site
    bulk_objects = make_sites

    def search_term(self, obj):
        return obj.name

    def filter_cases(self, objects):
        return [({"operator": objects[0].operator_id}, [objects[0]])]


class TestSiteViews(SiteCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"name": "خانه خلاق کرمان", "operator": make_hub().pk, "address": "کرمان", "area_m2": "18500",
                "time_zone": "Asia/Tehran", "observe_public_holidays": "on", "hold_minutes": "20"}

    edit_data = {"name": "کارخانه نوآوری آزادی"}

    def invalid_data(self):
        return ({"name": "x", "operator": make_org().pk, "time_zone": "Asia/Tehran", "hold_minutes": "15"},
                "operator")

    def related_records(self, obj):
        make_site()


class TestSiteAPI(SiteCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"name": "Factory", "operator": make_hub().pk}

    api_update_data = {"name": "Patched"}

    def api_invalid_data(self):
        return ({"name": "x", "operator": make_org().pk}, "operator")


def test_a_new_site_is_open_saturday_to_thursday(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("a", "a@example.org", "x"))
    client.post("/hubs/sites/add/", {"name": "خانه", "operator": make_hub().pk, "time_zone": "Asia/Tehran",
                                     "hold_minutes": "15"})
    site = hm.Site.objects.get(name="خانه")
    assert sorted(site.opening_hours.values_list("weekday", flat=True)) == [0, 1, 2, 3, 5, 6]  # no Friday


class OpeningHoursCase:
    model = hm.OpeningHours
    bulk_objects = make_opening_hours

    def search_term(self, obj):
        return obj.site.name

    def filter_cases(self, objects):
        return [({"site": objects[0].site_id, "weekday": 4}, [objects[0]])]


def bare_site():
    """A site without opening hours (make_site adds them)."""
    return hm.Site.objects.create(name="سایت بدون ساعت", operator=make_hub())


class TestOpeningHoursViews(OpeningHoursCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"site": bare_site().pk, "weekday": "4", "opens": "09:00:00", "closes": "13:00:00"}

    edit_data = {"closes": "14:00:00"}

    def invalid_data(self):
        return ({"site": make_site().pk, "weekday": "4", "opens": "13:00", "closes": "09:00"}, "closes")


class TestOpeningHoursAPI(OpeningHoursCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"site": bare_site().pk, "weekday": 4, "opens": "09:00:00", "closes": "13:00:00"}

    api_update_data = {"closes": "15:00:00"}

    def api_invalid_data(self):
        return ({"site": bare_site().pk, "weekday": 4, "opens": "13:00:00", "closes": "09:00:00"}, "closes")


class ClosedDayCase:
    model = hm.ClosedDay
    bulk_objects = make_closed_days

    def search_term(self, obj):
        return obj.name

    def filter_cases(self, objects):
        return [({"site": objects[0].site_id, "kind": "closure"}, objects)]


class TestClosedDayViews(ClosedDayCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"site": make_site().pk, "date": "1409/01/05", "name": "Repairs", "kind": "closure"}

    edit_data = {"name": "Repairs (two days)"}

    def invalid_data(self):
        return ({"site": make_site().pk, "date": "1409/13/40", "name": "x", "kind": "closure"}, "date")


class TestClosedDayAPI(ClosedDayCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"site": make_site().pk, "date": "2030-03-01", "name": "Repairs", "kind": "closure"}

    api_update_data = {"name": "Patched"}
    api_invalid_data = ({"date": "2030-03-01", "name": "x", "kind": "nonsense"}, "kind")


class SpaceCase:
    model = hm.Space
    bulk_objects = make_spaces

    def search_term(self, obj):
        return obj.name

    def filter_cases(self, objects):
        return [({"site": objects[0].site_id, "kind": "studio"}, [o for o in objects if o.kind == "studio"]),
                ({"parent": objects[0].pk}, [])]


SPACE_RULES = {"capacity": "6", "price_per_hour": "200000", "credits_per_hour": "1.5", "bookable": "on",
               "bookable_by": "residents", "min_minutes": "30", "max_minutes": "240", "lead_minutes": "60",
               "horizon_days": "60", "buffer_minutes": "15", "free_cancellation_hours": "24"}


class TestSpaceViews(SpaceCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"site": make_site().pk, "name": "اتاق کنفرانس", "kind": "meeting_room", "amenities": "ویدئوپروژکتور",
                **SPACE_RULES}

    edit_data = {"name": "اتاق جلسه بزرگ"}

    def invalid_data(self):
        return ({"site": make_site().pk, "name": "x", "kind": "studio", **SPACE_RULES, "min_minutes": "120",
                 "max_minutes": "60"}, "max_minutes")

    def related_records(self, obj):
        from hubs_factories import make_space

        make_space(parent=obj)
        make_space(site=obj.site)


class TestSpaceAPI(SpaceCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"site": make_site().pk, "name": "Studio", "kind": "studio"}

    api_update_data = {"capacity": 12}

    def api_invalid_data(self):
        return ({"site": make_site().pk, "name": "x", "kind": "nonsense"}, "kind")


class BookingCase:
    model = hm.Booking
    bulk_objects = make_bookings
    anonymous_sees_objects = False

    def search_term(self, obj):
        return obj.title

    def filter_cases(self, objects):
        return [({"space": objects[0].space_id, "status": "confirmed"}, objects),
                ({"q": objects[1].title}, [objects[1]])]


class TestBookingViews(BookingCase, ViewTestCases.ListObjectsViewTestCase, ViewTestCases.GetObjectViewTestCase,
                       ViewTestCases.EditObjectViewTestCase, ViewTestCases.DeleteObjectViewTestCase,
                       ViewTestCases.BulkDeleteObjectsViewTestCase, ViewTestCases.BulkExportObjectsViewTestCase):
    edit_data = {"title": "Edited title"}

    def export_marker(self, obj):
        return obj.title


class TestBookingAPI(BookingCase, APITestCases.ListAPITestCase, APITestCases.RetrieveAPITestCase):
    pass


class ResidencyCase:
    model = hm.Residency
    bulk_objects = make_residencies
    anonymous_sees_objects = False

    def search_term(self, obj):
        return obj.plan

    def filter_cases(self, objects):
        return [({"organization": objects[0].organization_id}, [objects[0]])]


class TestResidencyViews(ResidencyCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"site": make_site().pk, "organization": make_org().pk, "plan": "Desk x4",
                "start_date": "1404/01/15", "monthly_price": "1000000", "monthly_credits": "10"}

    edit_data = {"plan": "Office"}

    def invalid_data(self):
        return ({"site": make_site().pk, "organization": make_org().pk, "plan": "x", "start_date": "1404/05/01",
                 "end_date": "1404/01/01", "monthly_price": "0", "monthly_credits": "0"}, "end_date")


class TestResidencyAPI(ResidencyCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"site": make_site().pk, "organization": make_org().pk, "plan": "Desk", "start_date": "2025-04-04"}

    api_update_data = {"plan": "Patched"}

    def api_invalid_data(self):
        return ({"site": make_site().pk, "organization": make_org().pk, "start_date": "2025-05-01",
                 "end_date": "2025-01-01"}, "end_date")


def test_every_registered_hubs_model_has_its_tests():
    from khooshe.core.generic import configs_for_app

    # every area of the hubs app keeps its generic test classes in its own tests/test_hubs_<area>*.py module
    modules = [importlib.import_module(path.stem) for path in sorted(Path(__file__).parent.glob("test_hubs*.py"))]
    classes = [c for module in modules for c in vars(module).values()
               if isinstance(c, type) and c.__name__.startswith("Test") and hasattr(c, "model")]
    registered = {c.model for c in configs_for_app("hubs")}
    assert registered <= {c.model for c in classes if issubclass(c, ViewTestCases.ListObjectsViewTestCase)}
    assert registered <= {c.model for c in classes if issubclass(c, APITestCases.ListAPITestCase)}
