"""The web UI of every registry model, from the generic mixins (tests/mixins.py).

Each ``<Model>Case`` holds what the UI and the API tests share (records, filters, a private record);
each ``Test<Model>Views`` adds the form data. ``test_registry_api.py`` reuses the cases.
"""

from __future__ import annotations

import datetime as dt

import pytest
from factories import (
    make_agreement,
    make_agreements,
    make_cluster,
    make_clusters,
    make_membership,
    make_memberships,
    make_org,
    make_orgs,
    make_people,
    make_person,
    make_person_role,
    make_person_roles,
    make_region,
    make_regions,
    make_relation,
    make_relations,
    make_role,
    make_roles,
    make_sectors,
    make_user,
)
from mixins import ViewTestCases

from khooshe.registry import models as m

PRIVATE = m.Visibility.PRIVATE


# -- what the UI and API tests of a model share ----------------------------------------------------------
class OrganizationCase:
    model = m.Organization
    bulk_objects = make_orgs

    def search_term(self, obj):
        return obj.name_fa

    def filter_cases(self, objects):
        return [
            ({"kind": "sme"}, [o for o in objects if o.kind == "sme"]),
            ({"region": objects[0].region_id}, [objects[0]]),
            ({"founded_after": 2007}, [o for o in objects if o.founding_year >= 2007]),
            ({"q": objects[1].name_fa, "kind": objects[1].kind}, [objects[1]]),
        ]

    def make_private(self):
        return make_org(visibility=PRIVATE, name_fa="شرکت محرمانه")

    def related_records(self, obj):
        make_person_role(organization=obj), make_person_role()
        make_relation(source=obj), make_relation(target=obj), make_relation()
        make_membership(organization=obj), make_membership()


class PersonCase:
    model = m.Person
    bulk_objects = make_people

    def search_term(self, obj):
        return obj.last_name_fa

    def filter_cases(self, objects):
        org = make_org()
        make_person_role(person=objects[2], organization=org)
        return [
            ({"kind": "mentor"}, [o for o in objects if o.kind == "mentor"]),
            ({"region": objects[0].region_id}, [objects[0]]),
            ({"organization": org.pk}, [objects[2]]),
        ]

    def make_private(self):
        return make_person(visibility=PRIVATE, last_name_fa="محرمانه")

    def related_records(self, obj):
        make_person_role(person=obj), make_person_role()


class PersonRoleCase:
    model = m.PersonRole
    bulk_objects = make_person_roles

    def filter_cases(self, objects):
        return [
            ({"role": "ceo"}, [o for o in objects if o.role == "ceo"]),
            ({"organization": objects[0].organization_id}, [objects[0]]),
            ({"person": objects[2].person_id}, [objects[2]]),
        ]

    def make_private(self):
        return make_person_role(organization=make_org(visibility=PRIVATE))


class RelationCase:
    model = m.Relation
    bulk_objects = make_relations

    def search_term(self, obj):
        return obj.source.name_fa

    def filter_cases(self, objects):
        cluster = make_cluster()
        make_membership(cluster=cluster, organization=objects[1].source)
        make_membership(cluster=cluster, organization=objects[1].target)
        return [
            ({"type": "investment"}, [o for o in objects if o.type == "investment"]),
            ({"organization": objects[0].target_id}, [objects[0]]),
            ({"source": objects[2].source_id}, [objects[2]]),
            ({"strength_min": 3}, [o for o in objects if o.strength >= 3]),
            ({"cluster": cluster.pk}, [objects[1]]),
        ]

    def make_private(self):
        return make_relation(source=make_org(visibility=PRIVATE))


class ClusterCase:
    model = m.Cluster
    bulk_objects = make_clusters

    def search_term(self, obj):
        return obj.name_fa

    def filter_cases(self, objects):
        return [
            ({"type": objects[1].type}, [o for o in objects if o.type == objects[1].type]),
            ({"stage": objects[2].stage}, [o for o in objects if o.stage == objects[2].stage]),
        ]

    def make_private(self):
        return make_cluster(visibility=PRIVATE, name_fa="خوشه محرمانه")

    def related_records(self, obj):
        make_membership(cluster=obj), make_membership()


class ClusterMembershipCase:
    model = m.ClusterMembership
    bulk_objects = make_memberships

    def filter_cases(self, objects):
        return [
            ({"role": objects[1].role}, [o for o in objects if o.role == objects[1].role]),
            ({"cluster": objects[0].cluster_id}, [objects[0]]),
            ({"organization": objects[2].organization_id}, [objects[2]]),
        ]

    def make_private(self):
        return make_membership(organization=make_org(visibility=PRIVATE))


class AgreementCase:
    model = m.Agreement
    bulk_objects = make_agreements

    def search_term(self, obj):
        return obj.title

    def filter_cases(self, objects):
        party = objects[0].parties.first()
        return [
            ({"party": party.pk}, [objects[0]]),
            ({"kind": "mou"}, [o for o in objects if o.kind == "mou"]),
        ]

    def make_private(self):
        return make_agreement(visibility=PRIVATE, title="تفاهم‌نامه محرمانه")

    def related_records(self, obj):
        parties = list(obj.parties.all())
        make_relation(source=parties[0], target=parties[1], agreement=obj, origin="agreement")
        make_relation()


class SectorCase:
    model = m.Sector
    bulk_objects = make_sectors

    def search_term(self, obj):
        return obj.title_fa

    def filter_cases(self, objects):
        return [
            ({"scheme": "TEST", "level": 2}, [o for o in objects if o.level == 2]),
            ({"scheme": "TEST", "q": objects[0].code}, [objects[0]]),
        ]


class RegionCase:
    model = m.Region
    bulk_objects = make_regions

    def search_term(self, obj):
        return obj.name_fa

    def filter_cases(self, objects):
        child = make_region(kind="county", parent=objects[0])
        return [
            ({"kind": "other"}, [o for o in objects if o.kind == "other"]),
            ({"parent": objects[0].pk}, [child]),
        ]

    def related_records(self, obj):
        make_region(parent=obj, kind="county"), make_region(kind="county")


class RoleCase:
    model = m.Role
    bulk_objects = make_roles

    def filter_cases(self, objects):
        return [
            ({"kind": "hub_staff"}, [o for o in objects if o.kind == "hub_staff"]),
            ({"organization": objects[0].organization_id}, [objects[0]]),
            ({"user": objects[1].user_id}, [objects[1]]),
        ]

    def make_private(self):
        return make_role()  # a user's roles are seen by that user and admins only


# -- the UI tests -------------------------------------------------------------------------------------------
class TestOrganizationViews(OrganizationCase, ViewTestCases.PrimaryObjectViewTestCase):
    create_data = {
        "kind": "knowledge_based", "name_fa": "شرکت دانش‌بنیان آزمون", "name_en": "Test knowledge company",
        "visibility": "public", "certification": "knowledge_based", "certified_from": "1403/05/12",
        "founding_year": "2019", "latitude": "30.28", "longitude": "57.08",
    }
    edit_data = {"name_en": "Edited company", "kind": "sme", "certified_until": "۱۴۰۵/۰۱/۰۱",
                 "certification": "knowledge_based", "certified_from": "1403/05/12"}
    invalid_data = ({"kind": "startup", "name_fa": "بی‌گواهی", "visibility": "public",
                     "certified_from": "1403/05/12"}, "certification")


class TestPersonViews(PersonCase, ViewTestCases.PrimaryObjectViewTestCase):
    create_data = {"first_name_fa": "مریم", "last_name_fa": "کرمانی", "full_name_en": "Maryam Kermani",
                   "kind": "mentor", "email": "maryam@example.org", "visibility": "public"}
    edit_data = {"phone": "+98 34 1234 5678", "kind": "consultant"}
    invalid_data = ({"first_name_fa": "مریم", "last_name_fa": "کرمانی", "kind": "mentor", "visibility": "public",
                     "email": "not-an-address"}, "email")


class TestPersonRoleViews(PersonRoleCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"person": make_person().pk, "organization": make_org().pk, "role": "ceo",
                "title": "مدیرعامل", "start_date": "1400/01/01"}

    def edit_data(self):
        return {"title": "رئیس هیئت‌مدیره", "end_date": "1403/12/29"}

    def invalid_data(self):
        return ({"person": make_person().pk, "organization": make_org().pk, "role": "ceo",
                 "start_date": "1402/01/01", "end_date": "1401/01/01"}, "end_date")


class TestRelationViews(RelationCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"source": make_org().pk, "target": make_org().pk, "type": "partnership", "strength": "4",
                "origin": "declared", "start_date": "1401/07/01", "note": "یادداشت"}

    edit_data = {"strength": "5", "type": "customer"}

    def invalid_data(self):
        org = make_org()
        return ({"source": org.pk, "target": org.pk, "type": "supply", "strength": "3", "origin": "declared"},
                "target")


class TestClusterViews(ClusterCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"name_fa": "خوشه پسته کرمان", "name_en": "Kerman pistachio", "type": "resource",
                "stage": "developing", "tech_level": "low", "origin": "natural", "visibility": "public",
                "sectors": [s.pk for s in make_sectors(2)]}

    edit_data = {"stage": "developed", "description": "توضیح تازه"}
    invalid_data = ({"name_fa": "خوشه", "type": "no-such-type", "stage": "formed", "tech_level": "low",
                     "origin": "natural", "visibility": "public"}, "type")


class TestClusterMembershipViews(ClusterMembershipCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"cluster": make_cluster().pk, "organization": make_org().pk, "role": "supplier",
                "joined_on": "۱۴۰۱/۰۲/۰۳"}

    edit_data = {"role": "support", "joined_on": "1402/01/15"}

    def invalid_data(self):
        return ({"cluster": make_cluster().pk, "organization": make_org().pk, "role": "core",
                 "joined_on": "1401/13/45"}, "joined_on")


class TestAgreementViews(AgreementCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"title": "تفاهم‌نامه همکاری", "kind": "mou", "parties": [make_org().pk, make_org().pk],
                "signed_on": "1402/07/01", "start_date": "1402/07/01", "end_date": "1404/07/01",
                "visibility": "public"}

    edit_data = {"subject": "همکاری در پژوهش", "kind": "contract"}

    def invalid_data(self):
        return ({"title": "یک‌طرفه", "kind": "mou", "parties": [make_org().pk], "visibility": "public"}, "parties")


class TestSectorViews(SectorCase, ViewTestCases.PrimaryObjectViewTestCase):
    create_data = {"scheme": "TEST", "code": "Z9", "level": "1", "title_en": "Test section",
                   "title_fa": "بخش آزمون"}
    edit_data = {"title_en": "Renamed section"}
    invalid_data = ({"scheme": "TEST", "code": "Z8", "level": "9", "title_en": "Bad level"}, "level")


class TestRegionViews(RegionCase, ViewTestCases.PrimaryObjectViewTestCase):
    create_data = {"code": "T-NEW", "kind": "province", "name_fa": "استان آزمون", "name_en": "Test province",
                   "latitude": "30.2", "longitude": "57.1"}
    edit_data = {"name_en": "Renamed province"}

    def invalid_data(self):
        return ({"code": make_region().code, "kind": "province", "name_fa": "تکراری"}, "code")


class TestRoleViews(RoleCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"user": make_user().pk, "kind": "member", "organization": make_org().pk}

    def edit_data(self):
        return {"kind": "cluster_staff", "organization": "", "cluster": make_cluster().pk}

    def invalid_data(self):
        return ({"user": make_user().pk, "kind": "cluster_staff"}, "cluster")


def test_every_registered_registry_model_has_its_ui_tests():
    from khooshe.core.generic import configs_for_app

    tested = {cls.model for cls in globals().values()
              if isinstance(cls, type) and cls.__name__.startswith("Test") and getattr(cls, "model", None)}
    assert {c.model for c in configs_for_app("registry")} <= tested


@pytest.mark.django_db
def test_edit_form_shows_dates_in_jalali(admin_client):
    org = make_org(certification="knowledge_based", certified_from=dt.date(2024, 8, 2))
    content = admin_client.get(f"/registry/organizations/{org.pk}/edit/").content.decode()
    assert 'value="۱۴۰۳/۰۵/۱۲"' in content
