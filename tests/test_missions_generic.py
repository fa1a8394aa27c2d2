"""The web UI and REST API of the missions models, from the generic mixins (tests/mixins.py)."""

from __future__ import annotations

from factories import make_org
from missions_factories import (
    make_capacities,
    make_demands,
    make_licences,
    make_mission,
    make_missions,
    make_stage,
    make_stages,
    make_templates,
)
from mixins import APITestCases, ViewTestCases

from khooshe.missions import models as mm


class MissionCase:
    model = mm.Mission
    bulk_objects = make_missions

    def search_term(self, obj):
        return obj.title

    def filter_cases(self, objects):
        return [({"owner": objects[0].owner_id}, [objects[0]])]

    def make_private(self):
        return make_mission(visibility="private", title="ماموریت خصوصی")


class TestMissionViews(MissionCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"title": "ماموریت نو", "owner": make_org().pk, "capacity_period": "month", "visibility": "public"}

    edit_data = {"title": "ماموریت ویرایش شده"}

    def invalid_data(self):
        return ({"title": "", "owner": make_org().pk, "capacity_period": "month", "visibility": "public"}, "title")


class TestMissionAPI(MissionCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"title": "از راه API", "owner": make_org().pk}

    api_update_data = {"title": "Patched"}

    def api_invalid_data(self):
        return ({"title": "x", "owner": make_org().pk, "visibility": "nowhere"}, "visibility")


class StageCase:
    model = mm.Stage
    bulk_objects = make_stages

    def search_term(self, obj):
        return obj.name

    def filter_cases(self, objects):
        return [({"mission": objects[1].mission_id}, [objects[1]])]


class TestStageViews(StageCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"mission": make_mission().pk, "name": "بسته‌بندی", "position": "2", "licences": "gmp",
                "capacity_unit": "pack", "min_quality": "0.5", "max_share": "0.5", "min_lot": "10",
                "organization_kind": "sme"}

    edit_data = {"name": "بسته‌بندی نو"}

    def invalid_data(self):
        return ({"mission": make_mission().pk, "name": "x", "position": "1", "capacity_unit": "u",
                 "min_quality": "0", "max_share": "1.5", "min_lot": "0", "organization_kind": "sme"}, "max_share")


class TestStageAPI(StageCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"mission": make_mission().pk, "name": "API stage"}

    api_update_data = {"name": "Patched"}

    def api_invalid_data(self):
        return ({"mission": make_mission().pk, "name": "x", "min_lot": -1}, "min_lot")


class LicenceCase:
    model = mm.Licence
    bulk_objects = make_licences

    def search_term(self, obj):
        return obj.number

    def filter_cases(self, objects):
        return [({"organization": objects[2].organization_id}, [objects[2]]), ({"kind": objects[0].kind}, [objects[0]])]


class TestLicenceViews(LicenceCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"organization": make_org().pk, "kind": "gmp", "number": "123", "valid_from": "1404/01/01",
                "valid_until": "1406/01/01"}

    edit_data = {"number": "456"}

    def invalid_data(self):
        return ({"organization": make_org().pk, "kind": "gmp", "valid_from": "1405/01/01",
                 "valid_until": "1404/01/01"}, "valid_until")


class TestLicenceAPI(LicenceCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"organization": make_org().pk, "kind": "gmp", "valid_until": "2027-01-01"}

    api_update_data = {"number": "patched"}

    def api_invalid_data(self):
        return ({"organization": make_org().pk, "kind": "gmp", "valid_from": "2027-01-01",
                 "valid_until": "2026-01-01"}, "valid_until")


class CapacityCase:
    model = mm.MemberCapacity
    bulk_objects = make_capacities

    def search_term(self, obj):
        return obj.organization.name_fa

    def filter_cases(self, objects):
        return [({"stage": objects[0].stage_id}, [objects[0]]),
                ({"organization": objects[1].organization_id}, [objects[1]])]


class TestCapacityViews(CapacityCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"organization": make_org().pk, "stage": make_stage().pk, "capacity": "120", "unit_cost": "9.5",
                "lead_time_days": "3", "quality": "0.8"}

    edit_data = {"capacity": "130"}

    def invalid_data(self):
        return ({"organization": make_org().pk, "stage": make_stage().pk, "capacity": "-5", "unit_cost": "1",
                 "lead_time_days": "0", "quality": "0.5"}, "capacity")


class TestCapacityAPI(CapacityCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"organization": make_org().pk, "stage": make_stage().pk, "capacity": 50, "unit_cost": "3.00"}

    api_update_data = {"capacity": 77}

    def api_invalid_data(self):
        return ({"organization": make_org().pk, "stage": make_stage().pk, "capacity": 5, "unit_cost": "1",
                 "quality": 1.5}, "quality")


class DemandCase:
    model = mm.Demand
    bulk_objects = make_demands

    def search_term(self, obj):
        return obj.label

    def filter_cases(self, objects):
        return [({"mission": objects[2].mission_id}, [objects[2]])]


class TestDemandViews(DemandCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"mission": make_mission().pk, "units": "250", "label": "هدف ۱۴۰۵"}

    edit_data = {"units": "300"}

    def invalid_data(self):
        return ({"mission": make_mission().pk, "units": "0", "label": "x"}, "units")


class TestDemandAPI(DemandCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"mission": make_mission().pk, "units": 40}

    api_update_data = {"units": 41}

    def api_invalid_data(self):
        return ({"mission": make_mission().pk, "units": 0}, "units")


class TemplateCase:
    model = mm.ChainTemplate
    bulk_objects = make_templates
    anonymous_sees_objects = True

    def search_term(self, obj):
        return obj.name_en

    def filter_cases(self, objects):
        return [({"q": objects[1].key}, [objects[1]])]


class TestTemplateViews(TemplateCase, ViewTestCases.PrimaryObjectViewTestCase):
    create_data = {"key": "textiles", "name_fa": "نساجی", "name_en": "Textiles",
                   "stages": '[{"name": "Spinning"}, {"name": "Weaving", "predecessors": ["Spinning"]}]'}
    edit_data = {"name_en": "Edited"}
    invalid_data = ({"key": "bad", "name_fa": "بد", "stages": '[{"name": "A", "predecessors": ["B"]}, '
                     '{"name": "B", "predecessors": ["A"]}]'}, "stages")


class TestTemplateAPI(TemplateCase, APITestCases.StandardAPITestCase):
    api_create_data = {"key": "api-t", "name_fa": "الگو", "stages": '[{"name": "A"}]'}
    api_update_data = {"name_en": "Patched"}
    api_invalid_data = ({"key": "api-bad", "name_fa": "x", "stages": '[{"name": "A", "max_share": 3}]'}, "stages")
