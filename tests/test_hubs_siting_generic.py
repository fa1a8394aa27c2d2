"""The site selection study's generic web UI and REST API (tests/mixins.py); the hubs-wide check
``test_every_registered_hubs_model_has_its_tests`` (tests/test_hubs_generic.py) finds these classes."""

from __future__ import annotations

import pytest
from factories import make_org, make_region
from hubs_siting_factories import make_studies, make_study
from mixins import APITestCases, ViewTestCases

from khooshe.hubs.siting.models import SitingStudy

pytestmark = pytest.mark.filterwarnings("ignore")


class SitingStudyCase:
    model = SitingStudy
    bulk_objects = make_studies

    def search_term(self, obj):
        return obj.name

    def filter_cases(self, objects):
        return [({"owner": objects[0].owner_id}, [objects[0]])]

    def make_private(self):
        return make_study(published=False)


class TestSitingStudyViews(SitingStudyCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"name": "مکان‌یابی کارخانه نوآوری کرمان", "owner": make_org().pk, "region": make_region().pk,
                "method": "topsis", "published": "on"}

    edit_data = {"name": "مکان‌یابی (ویرایش)"}

    def invalid_data(self):
        return ({"name": "x", "owner": make_org().pk, "method": "nonsense"}, "method")


class TestSitingStudyAPI(SitingStudyCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"name": "Kerman factory", "owner": make_org().pk, "published": True}

    api_update_data = {"name": "Patched"}

    def api_invalid_data(self):
        return ({"name": "x", "owner": make_org().pk, "method": "nonsense"}, "method")


def test_a_study_made_through_the_api_gets_the_default_criteria(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("s", "s@example.org", "x"))
    response = client.post("/api/hubs/siting-studies/", {"name": "API study", "owner": make_org().pk},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    study = SitingStudy.objects.get(pk=response.json()["id"])
    assert study.criteria.count() == 8 and study.created_by is not None
