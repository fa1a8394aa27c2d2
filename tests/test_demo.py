"""The Kerman demo ecosystem (`khooshe demo`): size, realism, determinism, idempotence, removal."""

import hashlib
import json
import os
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q
from django.utils import translation

from khooshe.registry import demo
from khooshe.registry.models import (
    Agreement,
    Cluster,
    ClusterMembership,
    Organization,
    OrganizationKind,
    Person,
    PersonRole,
    Region,
    Relation,
    RelationType,
    Role,
    Sector,
)
from khooshe.registry.validators import iranian_legal_id_is_valid

DEMO = {"external_id__startswith": demo.PREFIX}


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The demo, loaded once for this module (outside the tests' transactions) and removed afterwards.

    The reference data comes from ensure_reference_data() rather than the session fixture ``reference_data``:
    when this module is the one that loaded it, it is removed again at the end, so that the modules after
    this one find the database as they would without it (some create their own IR-108).
    """
    from khooshe.registry.reference import ensure_reference_data

    with django_db_blocker.unblock(), translation.override("en"):
        had_reference = Region.objects.filter(code="IR-108").exists() and Sector.objects.exists()
        ensure_reference_data()
        summary = demo.load_demo(progress=True)
    yield summary
    with django_db_blocker.unblock():
        demo.remove_demo()
        if not had_reference:
            from auditlog.context import disable_auditlog

            with disable_auditlog():
                Region.objects.filter(Q(code="IR") | Q(code__startswith="IR-")).delete()
                Sector.objects.filter(scheme="ISIC4").delete()


def database_digest() -> str:
    """Everything the demo wrote, keyed by external IDs and codes (not by primary keys)."""
    orgs = Organization.objects.filter(**DEMO).order_by("external_id")
    sectors = {}
    for org_ext, code in orgs.values_list("external_id", "sectors__code"):
        sectors.setdefault(org_ext, []).append(code)
    payload = {
        "orgs": [list(row) + [sorted(sectors[row[0]])] for row in orgs.values_list(
            "external_id", "kind", "name_fa", "name_en", "national_id", "latitude", "longitude", "region__code",
            "employee_band", "founding_year", "certification", "certified_until", "capabilities", "needs")],
        "people": list(Person.objects.filter(**DEMO).order_by("external_id").values_list(
            "external_id", "first_name_fa", "last_name_fa", "full_name_en", "kind", "email", "region__code")),
        "roles": sorted(PersonRole.objects.filter(person__external_id__startswith=demo.PREFIX).values_list(
            "person__external_id", "organization__external_id", "role", "title", "start_date")),
        "relations": list(Relation.objects.filter(**DEMO).order_by("external_id").values_list(
            "external_id", "source__external_id", "target__external_id", "type", "classification", "strength",
            "start_date", "end_date", "origin", "agreement__title")),
        "clusters": sorted(ClusterMembership.objects.filter(organization__external_id__startswith=demo.PREFIX)
                           .values_list("cluster__name_fa", "organization__external_id", "role", "joined_on")),
        "agreements": sorted(Agreement.objects.filter(parties__external_id__startswith=demo.PREFIX)
                             .values_list("title", "parties__external_id")),
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, default=str).encode()).hexdigest()


@pytest.mark.django_db
def test_counts_are_those_of_a_realistic_province(loaded):
    orgs = Organization.objects.filter(**DEMO)
    assert 300 <= orgs.count() <= 800
    assert set(orgs.values_list("kind", flat=True)) == set(OrganizationKind.values)
    assert 200 <= Person.objects.filter(**DEMO).count() <= 900
    assert PersonRole.objects.filter(person__external_id__startswith=demo.PREFIX).count() >= 400
    assert 2000 <= Relation.objects.filter(**DEMO).count() <= 8000
    assert f"{orgs.count()} organizations of 17 kinds in 25 counties" in loaded


@pytest.mark.django_db
def test_every_organization_is_in_a_county_of_kerman_near_its_seat(loaded):
    kerman = Region.objects.get(code="IR-108")
    counties = set(kerman.children.values_list("pk", flat=True))
    orgs = Organization.objects.filter(**DEMO)
    assert set(orgs.values_list("region", flat=True)) == counties  # every county has organizations
    for lat, lon in orgs.values_list("latitude", "longitude"):
        assert 26.5 < lat < 32 and 54 < lon < 60.5  # Kerman province's bounding box
    assert not orgs.filter(sectors=None).exists()
    sarcheshmeh = orgs.get(name_fa="مجتمع مس سرچشمه")
    assert sarcheshmeh.kind == OrganizationKind.LARGE and sarcheshmeh.size_class == "large"
    assert "0729" in set(sarcheshmeh.sectors.values_list("code", flat=True))
    assert orgs.filter(name_fa="دانشگاه شهید باهنر کرمان", kind=OrganizationKind.UNIVERSITY).exists()


@pytest.mark.django_db
def test_national_ids_are_valid_and_unique(loaded):
    ids = list(Organization.objects.filter(**DEMO).exclude(national_id=None).values_list("national_id", flat=True))
    assert len(ids) > 300
    assert len(set(ids)) == len(ids)
    assert all(iranian_legal_id_is_valid(value) for value in ids)


@pytest.mark.django_db
def test_sizes_and_certification_fit_the_kind(loaded):
    orgs = Organization.objects.filter(**DEMO)
    assert set(orgs.filter(kind=OrganizationKind.LARGE).values_list("size_class", flat=True)) == {"large"}
    assert set(orgs.filter(kind=OrganizationKind.STARTUP).values_list("size_class", flat=True)) <= {"micro", "small"}
    kb = orgs.filter(kind=OrganizationKind.KNOWLEDGE_BASED)
    assert set(kb.values_list("certification", flat=True)) == {"knowledge_based"}
    assert not kb.filter(certified_until__lte=F("certified_from")).exists()
    assert orgs.filter(kind=OrganizationKind.CREATIVE, certification="creative").exists()
    assert orgs.filter(visibility="private").exists() and orgs.filter(visibility="public").count() > 400


@pytest.mark.django_db
def test_relations_join_two_organizations_with_all_types_and_classes(loaded):
    relations = Relation.objects.filter(**DEMO)
    assert not relations.filter(source=F("target")).exists()
    assert set(relations.values_list("type", flat=True)) == set(RelationType.values)
    classes = dict(relations.order_by().values_list("classification").annotate(n=Count("pk")))
    for name in ("horizontal", "vertical", "institutional"):
        assert classes.get(name, 0) >= 100, classes
    assert set(relations.values_list("origin", flat=True)) == {"declared", "survey", "agreement"}
    assert set(relations.values_list("strength", flat=True)) <= {1, 2, 3, 4, 5}
    # relations that come from an agreement point to it, and one of their ends signed it
    from_agreements = relations.filter(origin="agreement").select_related("agreement")
    assert from_agreements.count() >= 10
    for relation in from_agreements:
        parties = set(relation.agreement.parties.values_list("pk", flat=True))
        assert relation.source_id in parties or relation.target_id in parties


@pytest.mark.django_db
def test_supply_chains_and_the_copper_majors_suppliers(loaded):
    sarcheshmeh = Organization.objects.get(name_fa="مجتمع مس سرچشمه")
    suppliers = Relation.objects.filter(target=sarcheshmeh, type="supply")
    assert suppliers.filter(classification="vertical").count() >= 10
    # pistachio: growers' cooperatives supply, exporters are supplied
    pistachio = Cluster.objects.get(name_fa="خوشه پسته کرمان")
    members = pistachio.members.all()
    assert Relation.objects.filter(source__in=members, target__in=members, type="supply",
                                   source__kind=OrganizationKind.COOPERATIVE).count() >= 10


@pytest.mark.django_db
def test_clusters_have_agents_regions_sectors_and_members(loaded):
    names = {"خوشه پسته کرمان", "خوشه مس و خدمات معدنی کرمان", "خوشه صنایع دستی و گردشگری کرمان"}
    clusters = Cluster.objects.filter(name_fa__in=names)
    assert clusters.count() == 3
    for cluster in clusters:
        assert cluster.development_agent.kind == Person.Kind.CDA
        assert cluster.development_agent.roles.filter(role="cda").exists()
        assert cluster.regions.count() >= 5 and cluster.sectors.count() >= 3
        roles = set(cluster.memberships.values_list("role", flat=True))
        assert cluster.memberships.count() >= 50 and {"core", "support"} <= roles
        assert cluster.search_text


@pytest.mark.django_db
def test_innovation_factory_creative_house_and_park(loaded):
    factory = Organization.objects.get(name_fa="کارخانه نوآوری کرمان")
    assert factory.kind == OrganizationKind.INNOVATION_FACTORY
    residents = Relation.objects.filter(target=factory, type="membership", source__kind=OrganizationKind.STARTUP)
    mentored = Relation.objects.filter(source=factory, type="mentoring", target__kind=OrganizationKind.STARTUP)
    assert residents.count() >= 20 and mentored.count() >= 15
    assert factory.roles.filter(role="mentor").count() >= 10
    assert Organization.objects.filter(name_fa="خانه خلاق کرمان", kind=OrganizationKind.CREATIVE_HOUSE).exists()
    assert Organization.objects.filter(name_fa="پارک علم و فناوری کرمان").exists()
    assert Relation.objects.filter(source__kind=OrganizationKind.INVESTOR, type="investment",
                                   target__kind=OrganizationKind.STARTUP).count() >= 15


@pytest.mark.django_db
def test_demo_accounts_log_in_with_their_roles(loaded):
    users = get_user_model().objects.filter(username__in=demo.USERNAMES)
    assert users.count() == 3
    assert len({user.password for user in users}) == 1  # one hash (hashing is slow): check it once
    assert users.first().check_password(demo.PASSWORD)
    for user in users:
        assert user.username in loaded
        assert user.person.external_id.startswith(demo.PREFIX)
    cluster_staff = Role.objects.get(user__username="demo-pistachio")
    assert cluster_staff.kind == "cluster_staff" and cluster_staff.cluster.name_fa == "خوشه پسته کرمان"
    hub_staff = Role.objects.get(user__username="demo-factory")
    assert hub_staff.kind == "hub_staff" and hub_staff.organization.name_fa == "کارخانه نوآوری کرمان"
    member = Role.objects.get(user__username="demo-startup")
    assert member.kind == "member" and member.organization.kind == OrganizationKind.STARTUP
    # the pistachio cluster's staff may edit the cluster's members, not the copper majors
    user = cluster_staff.user
    assert cluster_staff.cluster.members.first().is_editable_by(user)
    assert not Organization.objects.get(name_fa="مجتمع مس سرچشمه").is_editable_by(user)


@pytest.mark.django_db
def test_people_and_organizations_are_searchable(loaded):
    assert not Person.objects.filter(**DEMO, search_text="").exists()
    assert not Organization.objects.filter(**DEMO, search_text="").exists()
    assert Organization.objects.filter(search_text__contains="پسته").count() >= 40


@pytest.mark.django_db
def test_loading_twice_changes_nothing(loaded):
    before = database_digest()
    counts = (Organization.objects.count(), Person.objects.count(), Relation.objects.count(), Cluster.objects.count())
    with translation.override("en"):
        text = demo.load_demo()
    assert "already loaded" in text
    assert (Organization.objects.count(), Person.objects.count(), Relation.objects.count(),
            Cluster.objects.count()) == counts
    assert database_digest() == before


@pytest.mark.django_db
def test_reloading_gives_identical_data(loaded):
    before = database_digest()
    with translation.override("en"):
        text = demo.load_demo(reset=True)
    assert text.startswith("Loaded the Kerman demo ecosystem: ")
    assert Cluster.objects.filter(name_fa="خوشه پسته کرمان").count() == 1
    assert get_user_model().objects.filter(username__in=demo.USERNAMES).count() == 3
    assert database_digest() == before


def test_the_plan_is_the_same_in_another_process():
    """Same names, IDs, order and coordinates whatever Python's hash seed (sets never decide the order)."""
    code = "from khooshe.registry.demo import build_plan; print(build_plan().digest())"  # no database needed
    digests = set()
    for seed in ("1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        digests.add(out.stdout.strip())
    digests.add(demo.build_plan().digest())
    assert len(digests) == 1


@pytest.mark.django_db
def test_remove_demo_keeps_what_is_not_the_demos(loaded):
    own = Organization.objects.create(kind="sme", name_fa="شرکت آزمایشی خارج از دمو")
    shared = Agreement.objects.create(title="Shared agreement")
    shared.parties.add(own, Organization.objects.get(name_fa="مجتمع مس سرچشمه"))
    removed = demo.remove_demo()
    assert removed >= 300
    assert not Organization.objects.filter(**DEMO).exists()
    assert not Person.objects.filter(**DEMO).exists()
    assert not Relation.objects.filter(**DEMO).exists()
    assert not Cluster.objects.filter(name_fa="خوشه پسته کرمان").exists()
    assert not get_user_model().objects.filter(username__in=demo.USERNAMES).exists()
    assert Organization.objects.filter(pk=own.pk).exists()
    assert list(Agreement.objects.get(pk=shared.pk).parties.all()) == [own]
    assert not demo.demo_exists()


@pytest.mark.django_db
def test_missing_reference_data_is_a_clear_error(loaded, monkeypatch):
    demo.remove_demo()  # (rolled back with the test) a loaded demo would be left alone before any check
    monkeypatch.setattr(demo, "PROVINCE_CODE", "IR-999")
    with translation.override("en"), pytest.raises(demo.DemoError, match="IR-999.*khooshe migrate"):
        demo.load_demo()
    assert not Organization.objects.filter(**DEMO).exists()  # nothing half-written


@pytest.mark.django_db
def test_national_ids_already_in_use_are_replaced(loaded):
    plan = demo.build_plan()
    first, second = [o for o in plan.organizations if o.national_id][:2]
    demo.remove_demo()  # (rolled back with the test)
    Organization.objects.create(kind="sme", name_fa="شرکت موجود", national_id=first.national_id)
    demo._free_national_ids(plan)
    ids = [o.national_id for o in plan.organizations if o.national_id]
    assert first.national_id != Organization.objects.get(name_fa="شرکت موجود").national_id
    assert iranian_legal_id_is_valid(first.national_id) and len(set(ids)) == len(ids)
    assert second.national_id == next(o.national_id for o in demo.build_plan().organizations
                                      if o.external_id == second.external_id)  # the others are kept
