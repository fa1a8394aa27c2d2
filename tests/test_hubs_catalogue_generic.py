"""The web UI and REST API of the service catalogue, from the generic mixins (tests/mixins.py). Requests
are made and moved through the catalogue's services (tests/test_hubs_catalogue.py), so their generic
tests leave out create."""

from __future__ import annotations

import pytest
from hubs_events_factories import make_service_requests, make_services
from hubs_factories import make_site
from mixins import APITestCases, ViewTestCases

from khooshe.hubs import models as hm

pytestmark = pytest.mark.filterwarnings("ignore")


class ServiceCase:
    model = hm.Service
    bulk_objects = make_services

    def search_term(self, obj):
        return obj.name

    def filter_cases(self, objects):
        return [({"site": objects[0].site_id, "kind": "legal"}, [objects[0]]),
                ({"site": objects[0].site_id, "free": "true"}, [objects[0]])]


class TestServiceViews(ServiceCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"site": make_site().pk, "name": "مشاوره مالیاتی", "kind": "accounting", "price": "0",
                "audience": "members", "active": "on"}

    edit_data = {"name": "Edited service"}

    def invalid_data(self):
        return ({"site": make_site().pk, "name": "x", "kind": "nonsense", "price": "0", "audience": "members"},
                "kind")


class TestServiceAPI(ServiceCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"site": make_site().pk, "name": "IP desk", "kind": "ip"}

    api_update_data = {"name": "Patched"}

    def api_invalid_data(self):
        return ({"site": make_site().pk, "name": "x", "kind": "nonsense"}, "kind")


class ServiceRequestCase:
    model = hm.ServiceRequest
    bulk_objects = make_service_requests
    anonymous_sees_objects = False

    def search_term(self, obj):
        return obj.description

    def filter_cases(self, objects):
        return [({"service": objects[0].service_id, "status": "submitted"}, [objects[0]])]


class TestServiceRequestViews(ServiceRequestCase, ViewTestCases.ListObjectsViewTestCase,
                              ViewTestCases.GetObjectViewTestCase, ViewTestCases.EditObjectViewTestCase,
                              ViewTestCases.DeleteObjectViewTestCase, ViewTestCases.BulkDeleteObjectsViewTestCase,
                              ViewTestCases.BulkExportObjectsViewTestCase):
    edit_data = {"description": "Edited description"}

    def export_marker(self, obj):
        return str(obj.requested_by)


class TestServiceRequestAPI(ServiceRequestCase, APITestCases.ListAPITestCase, APITestCases.RetrieveAPITestCase):
    pass
