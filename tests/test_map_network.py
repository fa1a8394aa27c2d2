"""The ecosystem map, the relation network, the cluster/organization page extras and autocomplete."""

from __future__ import annotations

import re

import pytest
from django.forms.models import ModelChoiceIterator
from django.urls import reverse

from khooshe.registry import selectors
from khooshe.registry.models import (
    Agreement,
    Cluster,
    ClusterMembership,
    Organization,
    OrganizationKind,
    Region,
    Relation,
    Role,
    Visibility,
)

pytestmark = pytest.mark.django_db

SQUARE = {"type": "Polygon", "coordinates": [[[55.12345, 29.12345], [58.0, 29.0], [58.0, 31.0], [55.0, 31.0],
                                              [55.12345, 29.12345]]]}


@pytest.fixture
def world(django_user_model):
    """Two provinces (Kerman with a county), a cluster in Kerman and organizations around it."""
    kerman = Region.objects.create(code="IR-108", kind=Region.Kind.PROVINCE, name_fa="کرمان", name_en="Kerman",
                                   latitude=30.28, longitude=57.08, boundary=SQUARE)
    rafsanjan = Region.objects.create(code="IR-1000200", kind=Region.Kind.COUNTY, parent=kerman,
                                      name_fa="رفسنجان", name_en="Rafsanjan")
    tehran = Region.objects.create(code="IR-107", kind=Region.Kind.PROVINCE, name_fa="تهران", name_en="Tehran",
                                   latitude=35.7, longitude=51.4)

    def org(name, kind, region=None, lat=None, lon=None, visibility=Visibility.PUBLIC, **extra):
        return Organization.objects.create(name_fa=name, kind=kind, region=region, latitude=lat, longitude=lon,
                                           visibility=visibility, **extra)

    w = {
        "kerman": kerman, "rafsanjan": rafsanjan, "tehran": tehran,
        "factory": org("کارخانه نوآوری کرمان", "innovation_factory", kerman, 30.29, 57.06),
        "pistachio": org("پسته رفسنجان", "sme", rafsanjan),  # no coordinates: approximate (Kerman's centre)
        "copper": org("مس ایران", "large", tehran, 35.71, 51.41),
        "secret": org("استارتاپ پنهان کرمان", "startup", kerman, 30.3, 57.1, visibility=Visibility.PRIVATE),
        "nowhere": org("بی‌نشان", "ngo"),  # neither coordinates nor region: counted, not drawn
        "fund": org("صندوق پژوهش کرمان", "investor", rafsanjan),  # potential stakeholder, not a member
        "dates": org("خرمای بم", "sme", kerman, 29.1, 58.3),
    }
    cluster = Cluster.objects.create(name_fa="خوشه پسته", type="resource", stage="developing", tech_level="low")
    cluster.regions.add(kerman)
    for key in ("factory", "pistachio", "secret", "dates"):
        ClusterMembership.objects.create(cluster=cluster, organization=w[key])
    w["cluster"] = cluster

    def rel(source, target, rtype, strength=3):
        return Relation.objects.create(source=w[source], target=w[target], type=rtype, strength=strength)

    w["r_supply"] = rel("pistachio", "copper", "supply", 5)  # vertical (SME with a large firm)
    w["r_partner"] = rel("pistachio", "dates", "partnership")  # horizontal, undirected
    w["r_mentor"] = rel("factory", "pistachio", "mentoring")  # institutional
    w["r_secret"] = rel("secret", "pistachio", "customer")  # involves a private organization
    member = django_user_model.objects.create_user("member", password="member-pass-123", language="en")
    Role.objects.create(user=member, kind=Role.Kind.MEMBER, organization=w["secret"])
    w["member"] = member
    return w


def features_by_id(data):
    return {f["id"]: f for f in data["features"]}


# -- the ecosystem map ----------------------------------------------------------------------------
def test_map_page_renders_filters_and_map(client, world):
    response = client.get(reverse("registry:map"), {"cluster": world["cluster"].pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "data-khooshe-map" in html and 'id="map-filters"' in html
    assert 'name="kind"' in html and 'name="region"' in html and 'name="q"' in html
    assert "OpenStreetMap contributors" in html
    assert f"organizations.json?cluster={world['cluster'].pk}" in html


def test_map_endpoint_anonymous_sees_public_points_with_approximate_locations(client, world):
    response = client.get(reverse("registry:map_organizations"))
    assert response.status_code == 200
    data = response.json()
    points = features_by_id(data)
    assert world["secret"].pk not in points  # private
    assert world["nowhere"].pk not in points  # nowhere to draw it
    assert points[world["factory"].pk]["geometry"]["coordinates"] == [57.06, 30.29]
    assert "approx" not in points[world["factory"].pk]["properties"]
    # A county without coordinates falls back on its province's centre, marked approximate.
    assert points[world["pistachio"].pk]["geometry"]["coordinates"] == [57.08, 30.28]
    assert points[world["pistachio"].pk]["properties"]["approx"] is True
    meta = data["meta"]
    assert meta["total"] == 6 and meta["located"] == 5 and meta["shown"] == 5 and not meta["capped"]
    assert meta["approximate"] == 2  # pistachio and fund
    # Choropleth counts roll counties up to their province.
    assert meta["by_province"] == {str(world["kerman"].pk): 4, str(world["tehran"].pk): 1}
    assert meta["detail_url"].replace("{id}", "1") == reverse("registry:organization_detail", args=[1])


def test_map_endpoint_applies_the_list_filters(client, world):
    url = reverse("registry:map_organizations")
    assert set(features_by_id(client.get(url, {"kind": "sme"}).json())) == {world["pistachio"].pk,
                                                                            world["dates"].pk}
    # Region filter includes the province's counties.
    kerman = set(features_by_id(client.get(url, {"region": world["kerman"].pk}).json()))
    assert kerman == {world["factory"].pk, world["pistachio"].pk, world["fund"].pk, world["dates"].pk}
    # Search with the Arabic-keyboard spelling (ك, ي) of "کرمان".
    found = set(features_by_id(client.get(url, {"q": "كرمان"}).json()))
    assert found == {world["factory"].pk, world["fund"].pk}
    cluster = set(features_by_id(client.get(url, {"cluster": world["cluster"].pk}).json()))
    assert cluster == {world["factory"].pk, world["pistachio"].pk, world["dates"].pk}


def test_map_endpoint_member_sees_its_private_organization(client, world):
    client.force_login(world["member"])
    data = client.get(reverse("registry:map_organizations"), {"cluster": world["cluster"].pk}).json()
    assert world["secret"].pk in features_by_id(data)


def test_map_endpoint_private_cluster_is_not_a_valid_filter_for_outsiders(client, world):
    world["cluster"].visibility = Visibility.PRIVATE
    world["cluster"].save()
    client.cookies["khooshe_language"] = "en"
    response = client.get(reverse("registry:map_organizations"), {"cluster": world["cluster"].pk},
                          HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "cluster" in response.json()["error"].lower()


def test_map_endpoint_rejects_a_bad_filter_with_a_message(client, world):
    client.cookies["khooshe_language"] = "en"
    response = client.get(reverse("registry:map_organizations"), {"region": "abc"})
    assert response.status_code == 400
    assert response.json()["error"].startswith("Check the filters: region")
    assert response.json()["errors"][0].startswith("region: ")


def test_map_endpoint_caps_the_number_of_points(client, world, monkeypatch):
    monkeypatch.setattr(selectors, "MAP_FEATURE_CAP", 2)
    meta = client.get(reverse("registry:map_organizations")).json()["meta"]
    assert meta["shown"] == 2 and meta["capped"] is True and meta["cap"] == 2 and meta["located"] == 5


def test_region_boundaries_are_rounded_and_cacheable(client, world):
    url = reverse("registry:region_boundaries")
    response = client.get(url)
    assert response.status_code == 200
    data = response.json() if hasattr(response, "json") else None
    assert [f["properties"]["code"] for f in data["features"]] == ["IR-108"]  # Tehran has no boundary
    ring = data["features"][0]["geometry"]["coordinates"][0]
    assert ring[0] == [55.123, 29.123]
    assert "max-age=3600" in response["Cache-Control"] and "public" in response["Cache-Control"]
    etag = response["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304


def test_simplify_geometry_drops_collapsed_rings():
    tiny = [[0.00001, 0.00001], [0.00002, 0.00001], [0.00002, 0.00002], [0.00001, 0.00001]]
    big = SQUARE["coordinates"][0]
    result = selectors.simplify_geometry({"type": "MultiPolygon", "coordinates": [[tiny], [big]]})
    assert result["type"] == "Polygon" and len(result["coordinates"][0]) == 5


# -- the relation network -------------------------------------------------------------------------
def graph(client, **params):
    response = client.get(reverse("registry:network_graph"), params)
    assert response.status_code == 200, response.content
    data = response.json()
    nodes = {n["data"]["pk"]: n["data"] for n in data["nodes"]}
    edges = {e["data"]["pk"]: e["data"] for e in data["edges"]}
    return data, nodes, edges


def test_network_page_renders(client, world):
    response = client.get(reverse("registry:network"), {"cluster": world["cluster"].pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "data-khooshe-network" in html and 'name="type"' in html and 'name="classification"' in html
    assert f"graph.json?cluster={world['cluster'].pk}" in html


def test_network_anonymous_hides_private_organizations_and_their_relations(client, world):
    data, nodes, edges = graph(client)
    assert world["secret"].pk not in nodes
    assert world["r_secret"].pk not in edges
    assert set(edges) == {world["r_supply"].pk, world["r_partner"].pk, world["r_mentor"].pk}
    pistachio = nodes[world["pistachio"].pk]
    assert pistachio["degree"] == 3 and pistachio["kind"] == "sme" and pistachio["color"].startswith("#")
    supply = edges[world["r_supply"].pk]
    assert supply["source"] == f"o{world['pistachio'].pk}" and supply["target"] == f"o{world['copper'].pk}"
    assert supply["directed"] is True and supply["strength"] == 5 and supply["classification"] == "vertical"
    assert edges[world["r_partner"].pk]["directed"] is False
    assert data["meta"]["total_nodes"] == 4 and data["meta"]["capped"] is False


def test_network_member_sees_its_private_relation(client, world):
    client.force_login(world["member"])
    _data, nodes, edges = graph(client)
    assert world["secret"].pk in nodes and world["r_secret"].pk in edges


def test_network_filters_by_type_classification_and_cluster(client, world):
    _d, _n, edges = graph(client, type=["supply", "mentoring"])
    assert set(edges) == {world["r_supply"].pk, world["r_mentor"].pk}
    _d, _n, edges = graph(client, classification=["horizontal", "institutional"])
    assert set(edges) == {world["r_partner"].pk, world["r_mentor"].pk}
    # Cluster: only relations among its members (copper is not one), and members without relations too.
    ClusterMembership.objects.create(cluster=world["cluster"], organization=world["fund"])
    _d, nodes, edges = graph(client, cluster=world["cluster"].pk)
    assert set(edges) == {world["r_partner"].pk, world["r_mentor"].pk}
    assert world["copper"].pk not in nodes
    assert nodes[world["fund"].pk]["degree"] == 0  # an isolated member is still shown
    assert world["secret"].pk not in nodes  # private member, anonymous visitor


def test_network_private_cluster_is_refused_to_outsiders_and_open_to_its_staff(client, world, django_user_model):
    world["cluster"].visibility = Visibility.PRIVATE
    world["cluster"].save()
    client.cookies["khooshe_language"] = "en"
    response = client.get(reverse("registry:network_graph"), {"cluster": world["cluster"].pk},
                          HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "cluster" in response.json()["error"]
    staff = django_user_model.objects.create_user("staff", password="staff-pass-123", language="en")
    Role.objects.create(user=staff, kind=Role.Kind.CLUSTER_STAFF, cluster=world["cluster"])
    client.force_login(staff)
    _d, nodes, edges = graph(client, cluster=world["cluster"].pk)
    # Cluster staff see the private member and its relation inside the cluster.
    assert world["secret"].pk in nodes and world["r_secret"].pk in edges


def test_network_caps_nodes_to_the_most_connected(world):
    from django.contrib.auth.models import AnonymousUser

    hub = world["pistachio"]
    for i in range(12):
        leaf = Organization.objects.create(name_fa=f"شرکت {i}", kind="sme")
        Relation.objects.create(source=hub, target=leaf, type="supply")
    data = selectors.network_graph(AnonymousUser(), {}, max_nodes=3)
    assert data["meta"]["capped"] is True and data["meta"]["shown_nodes"] == 3
    assert data["meta"]["total_nodes"] == 4 + 12
    pks = {n["data"]["pk"] for n in data["nodes"]}
    assert hub.pk in pks  # the most connected is kept
    # Every edge joins two kept nodes.
    ids = {n["data"]["id"] for n in data["nodes"]}
    assert all(e["data"]["source"] in ids and e["data"]["target"] in ids for e in data["edges"])


def test_network_limit_parameter_is_bounded(client, world):
    assert selectors.parse_limit("5") == 10
    assert selectors.parse_limit("999999") == selectors.NETWORK_MAX_NODES
    assert selectors.parse_limit("x") == selectors.NETWORK_DEFAULT_NODES
    data, _n, _e = graph(client, limit="10")
    assert data["meta"]["max_nodes"] == 10


def test_json_endpoints_do_not_grow_queries_with_organizations(client, world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world["member"])
    urls = [(reverse("registry:map_organizations"), {"cluster": world["cluster"].pk, "region": world["kerman"].pk}),
            (reverse("registry:network_graph"), {"cluster": world["cluster"].pk}),
            (reverse("registry:network_graph"), {})]
    before = []
    for url, params in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, params).status_code == 200
        before.append(len(ctx.captured_queries))
    for i in range(40):
        org = Organization.objects.create(name_fa=f"عضو {i}", kind="sme", region=world["rafsanjan"],
                                          latitude=30 + i / 100, longitude=56)
        ClusterMembership.objects.create(cluster=world["cluster"], organization=org)
        Relation.objects.create(source=org, target=world["dates"], type="supply")
    for (url, params), count in zip(urls, before, strict=True):
        with django_assert_max_num_queries(count):
            assert client.get(url, params).status_code == 200


# -- cluster and organization pages ---------------------------------------------------------------
def cell(html, kinds):
    pattern = r'data-kinds="' + re.escape(kinds) + r'">(.*?)</td>\s*<td class="num">(.*?)</td>'
    match = re.search(pattern, html, re.S)
    assert match, kinds
    return re.sub(r"<[^>]+>", "", match.group(1)).strip(), match.group(2).strip()


def test_cluster_page_shows_the_stakeholder_table(client, world, settings):
    settings.LANGUAGE_CODE = "en"
    client.cookies["khooshe_language"] = "en"
    response = client.get(world["cluster"].get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Stakeholders by domain" in html and "Business development services" in html
    # SMEs: two members (pistachio, dates); no other SME in Kerman.
    assert cell(html, "sme,cooperative") == ("2", "0")
    # Financing: no member, one potential stakeholder in a county of Kerman (the fund) shown as an example.
    assert cell(html, "investor") == ("0", "1")
    assert world["fund"].get_absolute_url() in html
    # Hubs: the innovation factory is a member.
    assert cell(html, "accelerator,innovation_factory,creative_house,coworking,service_provider") == ("1", "0")
    # The private startup is not counted for an anonymous visitor, but is for its member.
    assert cell(html, "startup,knowledge_based") == ("0", "0")
    client.force_login(world["member"])
    client.cookies["khooshe_language"] = "en"
    html = client.get(world["cluster"].get_absolute_url()).content.decode()
    assert cell(html, "startup,knowledge_based") == ("1", "0")
    assert "استارتاپ پنهان کرمان" in html


def test_cluster_stakeholders_counts_relations_by_classification(world):
    from django.contrib.auth.models import AnonymousUser

    overview = selectors.cluster_stakeholders(world["cluster"], AnonymousUser())
    counts = {c["code"]: c["count"] for c in overview["relation_classes"]}
    assert counts == {"horizontal": 1, "vertical": 0, "institutional": 1, "other": 0}
    covered = [k for row in overview["rows"] for k in row.kinds]
    assert sorted(covered) == sorted(OrganizationKind.values)  # every kind in exactly one row


def test_cluster_without_regions_says_how_to_count_potential_stakeholders(client, world):
    world["cluster"].regions.clear()
    client.cookies["khooshe_language"] = "en"
    html = client.get(world["cluster"].get_absolute_url()).content.decode()
    assert "Add the cluster&#x27;s regions" in html or "Add the cluster's regions" in html


def test_organization_page_shows_location_and_relation_counts(client, world):
    client.cookies["khooshe_language"] = "en"
    html = client.get(world["pistachio"].get_absolute_url()).content.decode()
    assert "data-khooshe-map" in html and "data-point=" in html
    assert "shown at the centre of its region" in html
    assert "2 relations from this organization, 1 to it." in html  # the private customer is hidden
    assert "data-khooshe-network" in html


# -- autocomplete ---------------------------------------------------------------------------------
def autocomplete(client, model, q):
    return client.get(reverse("autocomplete", args=["registry", model]), {"q": q})


def test_autocomplete_finds_arabic_keyboard_spelling_and_respects_visibility(client, world):
    response = autocomplete(client, "organization", "كرمان")  # Arabic kaf
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-value="{world["factory"].pk}"' in html and f'data-value="{world["fund"].pk}"' in html
    assert f'data-value="{world["secret"].pk}"' not in html
    assert "نوآوري" not in html  # labels are the stored (normalized) names
    html = autocomplete(client, "organization", "نوآوري").content.decode()  # Arabic yeh
    assert f'data-value="{world["factory"].pk}"' in html
    client.force_login(world["member"])
    html = autocomplete(client, "organization", "پنهان").content.decode()
    assert f'data-value="{world["secret"].pk}"' in html


def test_autocomplete_limits_results_and_refuses_unknown_models(client, world):
    for i in range(25):
        Organization.objects.create(name_fa=f"شرکت آزمون {i}", kind="sme")
    html = autocomplete(client, "organization", "آزمون").content.decode()
    assert html.count('class="ac-option"') == 20 and 'class="ac-more' in html
    assert autocomplete(client, "nothing", "x").status_code == 404
    assert client.get(reverse("autocomplete", args=["core", "user"]), {"q": "a"}).status_code == 404
    assert 'class="ac-option"' not in autocomplete(client, "organization", "").content.decode()


def test_relation_form_uses_the_widget_without_listing_organizations(client, world, admin_user, monkeypatch):
    iterated = []
    original = ModelChoiceIterator.__iter__

    def spy(self):
        iterated.append(self.queryset.model)
        return original(self)

    monkeypatch.setattr(ModelChoiceIterator, "__iter__", spy)
    client.force_login(admin_user)
    html = client.get(reverse("registry:relation_add")).content.decode()
    assert Organization not in iterated
    assert 'data-autocomplete' in html and reverse("autocomplete", args=["registry", "organization"]) in html
    assert "کارخانه نوآوری کرمان" not in html  # no option list of organizations


def test_relation_form_with_the_widget_saves_a_relation(client, world, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("registry:relation_add"), {
        "source": world["fund"].pk, "target": world["factory"].pk, "type": "investment", "strength": 4,
        "origin": "declared",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    relation = Relation.objects.get(source=world["fund"], target=world["factory"])
    assert relation.type == "investment" and relation.strength == 4
    # Editing shows the selected organizations' names (looked up by primary key only).
    html = client.get(reverse("registry:relation_edit", args=[relation.pk])).content.decode()
    assert "صندوق پژوهش کرمان" in html and f'name="source" id="id_source" value="{world["fund"].pk}"' in html


def test_relation_form_refuses_an_organization_the_user_cannot_see(client, world):
    from khooshe.registry.forms import RelationForm

    form = RelationForm(data={"source": world["pistachio"].pk, "target": world["secret"].pk, "type": "supply",
                              "strength": 3, "origin": "declared"}, user=world["member"])
    assert form.is_valid()  # the member sees its own private organization
    from django.contrib.auth.models import AnonymousUser

    form = RelationForm(data={"source": world["pistachio"].pk, "target": world["secret"].pk, "type": "supply",
                              "strength": 3, "origin": "declared"}, user=AnonymousUser())
    assert not form.is_valid() and "target" in form.errors


def test_agreement_parties_widget_posts_like_select_multiple(client, world, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("registry:agreement_add"), {
        "title": "تفاهم‌نامه پسته", "kind": "mou", "visibility": "private",
        # one checked box from the widget and, as typed without JavaScript, more IDs separated by commas
        "parties": [str(world["pistachio"].pk), f"{world['dates'].pk}, {world['factory'].pk}"],
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    agreement = Agreement.objects.get()
    assert set(agreement.parties.all()) == {world["pistachio"], world["dates"], world["factory"]}
    html = client.get(reverse("registry:agreement_edit", args=[agreement.pk])).content.decode()
    assert html.count('type="checkbox" name="parties"') == 3


def test_autocomplete_people_respects_their_visibility(client, world):
    from khooshe.registry.models import Person

    public = Person.objects.create(first_name_fa="علی", last_name_fa="کرمانی")
    hidden = Person.objects.create(first_name_fa="مریم", last_name_fa="کرمانی", visibility=Visibility.PRIVATE)
    html = autocomplete(client, "person", "كرماني").content.decode()  # Arabic kaf and yeh
    assert f'data-value="{public.pk}"' in html and f'data-value="{hidden.pk}"' not in html
