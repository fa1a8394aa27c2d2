"""SQL queries per page do not grow with the page size (no N+1), on the pages that get the traffic.

A small registry (150 organizations with sectors, relations, people and clusters) is enough: an N+1
shows up as one more query per row, so 25, 50 and 100 rows must cost the same number of queries.
The bounds are the counts measured when these pages were optimised (benchmarks/RESULTS.md) plus a
little room; a change that adds a query per row, or many per page, fails here.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from khooshe.registry import models as m

SEARCH = "فناوری"
PAGE_SIZES = (25, 50, 100)


@pytest.fixture
def registry(db):
    """150 startups whose names contain the search word, each with three kinds of sectors, a region,
    relations in and out, a person and a cluster membership; one organization with more than a page
    of relations (its detail page lists 50 of them)."""
    country = m.Region.objects.create(code="TQ", kind="country", name_fa="کشور آزمون")
    regions = [m.Region.objects.create(code=f"TQ-{i}", kind="province", name_fa=f"استان {i}", parent=country)
               for i in range(3)]
    section = m.Sector.objects.create(scheme="TEST", code="Q", level=1, title_en="Test section")
    sectors = [m.Sector.objects.create(scheme="TEST", code=f"Q{i}", level=2, parent=section, title_en=f"Sector {i}")
               for i in range(4)]
    cluster = m.Cluster.objects.create(name_fa="خوشه آزمون", type="traded", stage="developing",
                                       tech_level="high")
    orgs = []
    for i in range(150):
        org = m.Organization.objects.create(
            kind=m.OrganizationKind.STARTUP, name_fa=f"{SEARCH} نوآوران {i}", name_en=f"Innovators {i}",
            region=regions[i % 3], founding_year=2000 + i % 20)
        org.sectors.set([sectors[i % 4], sectors[(i + 1) % 4]])
        org.capability_sectors.set(sectors[:1])
        org.need_sectors.set(sectors[1:2])
        orgs.append(org)
    hub = orgs[0]
    relations = [m.Relation(source=hub, target=org, type=m.RelationType.SUPPLY) for org in orgs[1:61]]
    relations += [m.Relation(source=org, target=hub, type=m.RelationType.CUSTOMER) for org in orgs[61:121]]
    relations += [m.Relation(source=orgs[i], target=orgs[i + 1], type=m.RelationType.PARTNERSHIP)
                  for i in range(1, 140)]
    for relation in relations:
        relation.prepare_for_save()
    m.Relation.objects.bulk_create(relations)
    for i in range(30):
        person = m.Person.objects.create(first_name_fa=f"نام{i}", last_name_fa=f"خانوادگی{i}")
        m.PersonRole.objects.create(person=person, organization=hub if i < 10 else orgs[i],
                                    role=m.PersonRole.Role.EMPLOYEE)
        m.ClusterMembership.objects.create(cluster=cluster, organization=orgs[i])
    return {"hub": hub, "orgs": orgs}


@pytest.fixture(params=["anonymous", "admin"])
def client_as(request, client, django_user_model):
    if request.param == "admin":
        client.force_login(django_user_model.objects.create_superuser("qc-admin", "qc@example.org", None))
    return client


def count_queries(client, url):
    client.get(url)  # warm per-process caches (content types, translations)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response


def test_organization_list_queries_do_not_grow_with_page_size(registry, client_as, django_assert_max_num_queries):
    counts = {}
    for size in PAGE_SIZES:
        url = f"/registry/organizations/?kind=startup&q={quote(SEARCH)}&per_page={size}"
        counts[size], response = count_queries(client_as, url)
        # The page shows that many organizations, each a link to its detail page.
        assert response.content.decode().count('<input type="checkbox" name="pk"') == size
        with django_assert_max_num_queries(10):
            client_as.get(url)
    assert len(set(counts.values())) == 1, f"queries per page size: {counts}"


def test_organization_detail_queries_are_bounded(registry, client_as, django_assert_max_num_queries):
    hub = registry["hub"]
    url = f"/registry/organizations/{hub.pk}/"
    client_as.get(url)
    with django_assert_max_num_queries(20):
        response = client_as.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    # 60 relations from the hub: the related list shows 50 of them and links to all.
    assert html.count("/registry/organizations/") >= 50
    assert f"?source={hub.pk}" in html


def test_organization_api_queries_do_not_grow_with_page_size(registry, client_as, django_assert_max_num_queries):
    counts = {}
    for size in PAGE_SIZES:
        url = f"/api/registry/organizations/?page_size={size}"
        counts[size], response = count_queries(client_as, url)
        results = response.json()["results"]
        assert len(results) == size
        assert all(len(row["sectors"]) == 2 and len(row["capability_sectors"]) == 1 for row in results)
        with django_assert_max_num_queries(8):
            client_as.get(url)
    assert len(set(counts.values())) == 1, f"queries per page size: {counts}"


def test_relation_list_and_api_queries_do_not_grow_with_page_size(registry, client_as):
    for template in ("/registry/relations/?per_page={}", "/api/registry/relations/?page_size={}"):
        counts = {size: count_queries(client_as, template.format(size))[0] for size in PAGE_SIZES}
        assert len(set(counts.values())) == 1, f"{template}: queries per page size: {counts}"
        assert max(counts.values()) <= 8


@pytest.mark.django_db(transaction=True)
def test_region_filter_shows_a_renamed_region_at_once(client):
    """The filter form's region options are cached outside transactions (core.filters): a rename must
    still show on the next page, with the chosen region selected."""
    from khooshe.core.filters import _choices_cache

    region = m.Region.objects.create(code="TQ-R", kind="province", name_fa="استان قدیم")
    try:
        html = client.get("/registry/organizations/").content.decode()
        assert "استان قدیم" in html
        region.name_fa = "استان نو"
        region.save()
        html = client.get(f"/registry/organizations/?region={region.pk}").content.decode()
        assert "استان نو" in html and "استان قدیم" not in html
        assert f'<option value="{region.pk}" selected>استان نو</option>' in html
    finally:
        _choices_cache.clear()  # other tests must not see this test's regions
