"""Small helpers that make valid registry records for tests (no factory library: plain functions).

Each ``make_<model>(**overrides)`` saves one record with unique, readable defaults and returns it; each
``make_<plural>(n)`` saves ``n`` records whose sortable columns differ, for list, sort and bulk tests.
Names are Persian, as in real use; ``seq()`` keeps every generated name and code unique in a test run.
"""

from __future__ import annotations

import datetime as dt
import itertools

from django.contrib.auth import get_user_model

from khooshe.registry import models as m

_counter = itertools.count(1)

PERSIAN_WORDS = ["کرمان", "رفسنجان", "سیرجان", "بم", "جیرفت", "زرند", "کهنوج", "بافت", "راور", "شهداد"]


def seq() -> int:
    return next(_counter)


def make_user(username: str | None = None, *, password: str | None = None, superuser: bool = False,
              **extra):
    """A user; without ``password`` it cannot log in with one (tests use force_login), which skips the
    deliberately slow password hashing."""
    model = get_user_model()
    username = username or f"user{seq()}"
    if superuser:
        return model.objects.create_superuser(username, f"{username}@example.org", password, **extra)
    return model.objects.create_user(username, f"{username}@example.org", password, **extra)


def make_region(**kw) -> m.Region:
    n = seq()
    defaults = {"code": f"T-{n}", "kind": m.Region.Kind.PROVINCE, "name_fa": f"استان {PERSIAN_WORDS[n % 10]} {n}",
                "name_en": f"Province {n}", "latitude": 30.0 + n % 5, "longitude": 57.0 + n % 5}
    defaults.update(kw)
    return m.Region.objects.create(**defaults)


def make_sector(**kw) -> m.Sector:
    n = seq()
    defaults = {"scheme": "TEST", "code": f"S{n}", "level": m.Sector.Level.SECTION,
                "title_en": f"Sector {n}", "title_fa": f"بخش {PERSIAN_WORDS[n % 10]} {n}"}
    defaults.update(kw)
    return m.Sector.objects.create(**defaults)


def make_org(**kw) -> m.Organization:
    n = seq()
    defaults = {"kind": m.OrganizationKind.STARTUP, "name_fa": f"شرکت {PERSIAN_WORDS[n % 10]} {n}",
                "name_en": f"Company {n}", "founding_year": 1990 + n % 30}
    defaults.update(kw)
    return m.Organization.objects.create(**defaults)


def make_person(**kw) -> m.Person:
    n = seq()
    defaults = {"first_name_fa": f"علی{n}", "last_name_fa": f"احمدی {PERSIAN_WORDS[n % 10]} {n}",
                "full_name_en": f"Ali Ahmadi {n}", "kind": m.Person.Kind.FOUNDER}
    defaults.update(kw)
    return m.Person.objects.create(**defaults)


def make_person_role(**kw) -> m.PersonRole:
    defaults = {"role": m.PersonRole.Role.FOUNDER, "title": f"سمت {seq()}"}
    defaults.update(kw)
    if "person" not in kw:
        defaults["person"] = make_person()
    if "organization" not in kw:
        defaults["organization"] = make_org()
    return m.PersonRole.objects.create(**defaults)


def make_relation(**kw) -> m.Relation:
    defaults = {"type": m.RelationType.SUPPLY, "strength": 3}
    defaults.update(kw)
    if "source" not in kw:
        defaults["source"] = make_org()
    if "target" not in kw:
        defaults["target"] = make_org()
    return m.Relation.objects.create(**defaults)


def make_cluster(**kw) -> m.Cluster:
    n = seq()
    defaults = {"name_fa": f"خوشه {PERSIAN_WORDS[n % 10]} {n}", "name_en": f"Cluster {n}",
                "type": m.Cluster.Type.LOCAL, "stage": m.Cluster.Stage.FORMED, "tech_level": m.TechLevel.LOW}
    defaults.update(kw)
    return m.Cluster.objects.create(**defaults)


def make_membership(**kw) -> m.ClusterMembership:
    defaults = {"role": m.ClusterMembership.Role.CORE}
    defaults.update(kw)
    if "cluster" not in kw:
        defaults["cluster"] = make_cluster()
    if "organization" not in kw:
        defaults["organization"] = make_org()
    return m.ClusterMembership.objects.create(**defaults)


def make_agreement(parties=None, **kw) -> m.Agreement:
    n = seq()
    defaults = {"title": f"تفاهم‌نامه {PERSIAN_WORDS[n % 10]} {n}", "kind": m.Agreement.Kind.MOU,
                "visibility": m.Visibility.PUBLIC, "signed_on": dt.date(2020, 1, 1) + dt.timedelta(days=n)}
    defaults.update(kw)
    agreement = m.Agreement.objects.create(**defaults)
    agreement.parties.set(parties if parties is not None else [make_org(), make_org()])
    return agreement


def make_role(user=None, **kw) -> m.Role:
    defaults = {"kind": m.Role.Kind.MEMBER}
    defaults.update(kw)
    defaults["user"] = user or make_user()
    if defaults["kind"] == m.Role.Kind.CLUSTER_STAFF:
        defaults.setdefault("cluster", make_cluster())
    else:
        defaults.setdefault("organization", make_org(
            kind=m.OrganizationKind.INNOVATION_FACTORY if defaults["kind"] == m.Role.Kind.HUB_STAFF
            else m.OrganizationKind.STARTUP))
    return m.Role.objects.create(**defaults)


# -- batches with different values in every sortable column --------------------------------------------
def make_orgs(n: int = 3) -> list[m.Organization]:
    kinds = [m.OrganizationKind.STARTUP, m.OrganizationKind.SME, m.OrganizationKind.UNIVERSITY]
    sizes = [m.SizeClass.MICRO, m.SizeClass.SMALL, m.SizeClass.LARGE]
    return [make_org(kind=kinds[i % 3], size_class=sizes[i % 3], founding_year=2000 + 7 * i,
                     region=make_region()) for i in range(n)]


def make_people(n: int = 3) -> list[m.Person]:
    kinds = [m.Person.Kind.FOUNDER, m.Person.Kind.MENTOR, m.Person.Kind.RESEARCHER]
    return [make_person(kind=kinds[i % 3], region=make_region()) for i in range(n)]


def make_person_roles(n: int = 3) -> list[m.PersonRole]:
    roles = [m.PersonRole.Role.FOUNDER, m.PersonRole.Role.CEO, m.PersonRole.Role.MENTOR]
    return [make_person_role(role=roles[i % 3], start_date=dt.date(2015 + i, 3, 1)) for i in range(n)]


def make_relations(n: int = 3) -> list[m.Relation]:
    types = [m.RelationType.SUPPLY, m.RelationType.PARTNERSHIP, m.RelationType.INVESTMENT]
    return [make_relation(type=types[i % 3], strength=1 + i % 5, start_date=dt.date(2018 + i, 1, 1))
            for i in range(n)]


def make_clusters(n: int = 3) -> list[m.Cluster]:
    types = list(m.Cluster.Type)
    stages = list(m.Cluster.Stage)
    return [make_cluster(type=types[i % len(types)], stage=stages[i % len(stages)]) for i in range(n)]


def make_memberships(n: int = 3) -> list[m.ClusterMembership]:
    roles = list(m.ClusterMembership.Role)
    return [make_membership(role=roles[i % len(roles)], joined_on=dt.date(2019 + i, 6, 1)) for i in range(n)]


def make_agreements(n: int = 3) -> list[m.Agreement]:
    return [make_agreement(start_date=dt.date(2021, 1, 1 + i), end_date=dt.date(2024, 1, 1 + i)) for i in range(n)]


def make_sectors(n: int = 3) -> list[m.Sector]:
    levels = list(m.Sector.Level)
    return [make_sector(level=levels[i % len(levels)]) for i in range(n)]


def make_regions(n: int = 3) -> list[m.Region]:
    kinds = [m.Region.Kind.PROVINCE, m.Region.Kind.COUNTY, m.Region.Kind.OTHER]
    return [make_region(kind=kinds[i % 3]) for i in range(n)]


def make_roles(n: int = 3) -> list[m.Role]:
    kinds = [m.Role.Kind.MEMBER, m.Role.Kind.CLUSTER_STAFF, m.Role.Kind.HUB_STAFF]
    return [make_role(kind=kinds[i % 3]) for i in range(n)]


def seed_everything() -> dict[str, list]:
    """A few records of every registry model (used by the API fuzz run so that ids resolve)."""
    orgs = make_orgs(4)
    cluster = make_cluster()
    return {
        "organizations": orgs,
        "people": make_people(3),
        "person_roles": [make_person_role(organization=o) for o in orgs[:2]],
        "relations": [make_relation(source=orgs[0], target=orgs[1]), make_relation(source=orgs[2], target=orgs[3])],
        "clusters": [cluster],
        "memberships": [make_membership(cluster=cluster, organization=o) for o in orgs[:2]],
        "agreements": [make_agreement(parties=orgs[:2])],
        "sectors": make_sectors(3),
        "regions": make_regions(2),
        "roles": make_roles(3),
    }
