"""The REST API of every registry model, from the generic mixins (tests/mixins.py).

The records, filters and private records of each model are the cases of ``test_registry_views.py``:
the API must select exactly what the list page selects.
"""

from __future__ import annotations

import pytest
from factories import make_cluster, make_org, make_person, make_region, make_sector, make_user
from mixins import APITestCases
from rest_framework.test import APIClient
from test_registry_views import (
    AgreementCase,
    ClusterCase,
    ClusterMembershipCase,
    OrganizationCase,
    PersonCase,
    PersonRoleCase,
    RegionCase,
    RelationCase,
    RoleCase,
    SectorCase,
)


class TestOrganizationAPI(OrganizationCase, APITestCases.StandardAPITestCase):
    api_create_data = {"kind": "knowledge_based", "name_fa": "شرکت از راه API", "visibility": "public",
                       "certification": "knowledge_based", "certified_from": "2024-08-02", "founding_year": 2020}
    api_update_data = {"name_en": "Patched", "size_class": "small"}
    api_invalid_data = ({"kind": "startup", "name_fa": "بی‌گواهی", "certified_from": "2024-08-02"}, "certification")


class TestPersonAPI(PersonCase, APITestCases.StandardAPITestCase):
    api_create_data = {"first_name_fa": "سارا", "last_name_fa": "رفسنجانی", "kind": "researcher",
                       "visibility": "public"}
    api_update_data = {"expertise": "پسته و خشکبار"}
    api_invalid_data = ({"first_name_fa": "سارا", "last_name_fa": "x", "email": "nope"}, "email")


class TestPersonRoleAPI(PersonRoleCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"person": make_person().pk, "organization": make_org().pk, "role": "board",
                "start_date": "2021-03-21"}

    api_update_data = {"title": "عضو هیئت‌مدیره"}

    def api_invalid_data(self):
        return ({"person": make_person().pk, "organization": make_org().pk, "role": "board",
                 "start_date": "2022-01-01", "end_date": "2021-01-01"}, "end_date")


class TestRelationAPI(RelationCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"source": make_org().pk, "target": make_org().pk, "type": "supply", "strength": 2}

    api_update_data = {"strength": 5, "note": "قرارداد سالانه"}

    def api_invalid_data(self):
        org = make_org()
        return ({"source": org.pk, "target": org.pk, "type": "supply"}, "target")


class TestClusterAPI(ClusterCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"name_fa": "خوشه فرش", "type": "traded", "stage": "embryonic", "tech_level": "creative",
                "sectors": [make_sector().pk], "regions": [make_region().pk]}

    api_update_data = {"stage": "formed"}
    api_invalid_data = ({"name_fa": "خوشه", "type": "local", "stage": "formed", "tech_level": "warp"},
                        "tech_level")


class TestClusterMembershipAPI(ClusterMembershipCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"cluster": make_cluster().pk, "organization": make_org().pk, "role": "service",
                "joined_on": "2023-05-01"}

    api_update_data = {"role": "public"}

    def api_invalid_data(self):
        return ({"cluster": make_cluster().pk, "organization": 987654321}, "organization")


class TestAgreementAPI(AgreementCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"title": "قرارداد API", "kind": "contract", "parties": [make_org().pk, make_org().pk],
                "signed_on": "2024-01-10", "visibility": "public"}

    api_update_data = {"subject": "تامین قطعات"}

    def api_invalid_data(self):
        return ({"title": "یک‌طرفه", "parties": [make_org().pk]}, "parties")


class TestSectorAPI(SectorCase, APITestCases.StandardAPITestCase):
    api_create_data = {"scheme": "TEST", "code": "API1", "level": 1, "title_en": "API section"}
    api_update_data = {"title_fa": "بخش تازه"}
    api_invalid_data = ({"scheme": "TEST", "code": "API2", "level": 9, "title_en": "Bad"}, "level")


class TestRegionAPI(RegionCase, APITestCases.StandardAPITestCase):
    api_create_data = {"code": "T-API", "kind": "county", "name_fa": "شهرستان آزمون", "latitude": 29.1,
                       "longitude": 58.3}
    api_update_data = {"name_en": "API county"}

    def api_invalid_data(self):
        return ({"code": make_region().code, "kind": "county", "name_fa": "تکراری"}, "code")


class TestRoleAPI(RoleCase, APITestCases.StandardAPITestCase):
    anonymous_sees_objects = False

    def api_create_data(self):
        return {"user": make_user().pk, "kind": "hub_staff",
                "organization": make_org(kind="innovation_factory").pk}

    def api_update_data(self):
        return {"kind": "cluster_staff", "organization": None, "cluster": make_cluster().pk}

    def api_invalid_data(self):
        return ({"user": make_user().pk, "kind": "hub_staff", "organization": make_org(kind="sme").pk},
                "organization")


def test_every_registered_registry_model_has_its_api_tests():
    from khooshe.core.generic import configs_for_app

    tested = {cls.model for cls in globals().values()
              if isinstance(cls, type) and cls.__name__.startswith("Test") and getattr(cls, "model", None)}
    assert {c.model for c in configs_for_app("registry")} <= tested


@pytest.mark.django_db
def test_api_root_lists_every_endpoint():
    body = APIClient().get("/api/").json()
    for name in ("registry/organizations", "registry/people", "registry/relations", "registry/roles"):
        assert name in body
