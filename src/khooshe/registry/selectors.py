"""Reads behind the ecosystem map, the relation network and the cluster/organization page extras.

Every function takes the requesting user and only returns what ``visible_to(user)`` allows. The
number of queries of each function is fixed: it does not grow with the number of organizations.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import django_filters
from django import forms
from django.core.cache import cache
from django.db.models import Count, F, Max, Q, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .filters import OrganizationFilterSet, RelationFilterSet
from .models import (
    Cluster,
    ClusterMembership,
    Organization,
    OrganizationKind,
    Region,
    Relation,
    RelationClass,
    RelationType,
)

# The most points the map endpoint returns, and the default/largest node caps of the network.
MAP_FEATURE_CAP = 20_000
NETWORK_DEFAULT_NODES = 300
NETWORK_MAX_NODES = 2_000
NETWORK_MAX_EDGES = 10_000
# Decimals kept in boundary coordinates: 3 decimals is about 100 m, plenty for a province map.
BOUNDARY_PRECISION = 3
BOUNDARY_CACHE_SECONDS = 600

# One colour per organization kind, shared by the map markers, the network nodes and their legends.
# Firms are blues/greens, support bodies warm colours, public and civil bodies purples/greys.
KIND_COLORS = {
    OrganizationKind.STARTUP: "#1f77b4",
    OrganizationKind.KNOWLEDGE_BASED: "#17becf",
    OrganizationKind.CREATIVE: "#9edae5",
    OrganizationKind.SME: "#2ca02c",
    OrganizationKind.LARGE: "#0b5d1e",
    OrganizationKind.COOPERATIVE: "#98df8a",
    OrganizationKind.UNIVERSITY: "#8c564b",
    OrganizationKind.RESEARCH: "#c49c94",
    OrganizationKind.INVESTOR: "#d62728",
    OrganizationKind.ACCELERATOR: "#ff7f0e",
    OrganizationKind.INNOVATION_FACTORY: "#e6550d",
    OrganizationKind.CREATIVE_HOUSE: "#fdae6b",
    OrganizationKind.COWORKING: "#bcbd22",
    OrganizationKind.SERVICE_PROVIDER: "#e377c2",
    OrganizationKind.GOVERNMENT: "#6a3d9a",
    OrganizationKind.CHAMBER: "#9467bd",
    OrganizationKind.NGO: "#7f7f7f",
}
CLASS_COLORS = {
    RelationClass.HORIZONTAL: "#2b8cbe",
    RelationClass.VERTICAL: "#e6550d",
    RelationClass.INSTITUTIONAL: "#756bb1",
    RelationClass.OTHER: "#969696",
}


def _is_persian() -> bool:
    return (get_language() or "fa").startswith("fa")


def _name(fa: str | None, en: str | None) -> str:
    """The name in the interface language (same rule as the models' ``name`` property)."""
    if _is_persian():
        return fa or en or ""
    return en or fa or ""


def _detail_url_template(name: str) -> str:
    """A detail URL with ``{id}`` in place of the primary key, reversed once instead of per row."""
    return reverse(name, kwargs={"pk": 987654321}).replace("987654321", "{id}")


def visible_organizations(user):
    """Organizations the user may see, without duplicate rows (``visible_to`` may join clusters)."""
    visible = Organization.objects.visible_to(user)
    if visible.query.distinct:
        return Organization.objects.filter(pk__in=visible.values("pk"))
    return visible


def kind_legend(counts: dict[str, int] | None = None) -> list[dict]:
    """Kinds with their translated label and colour, in the order of ``OrganizationKind``."""
    return [
        {"code": kind.value, "label": str(kind.label), "color": KIND_COLORS[kind],
         **({"count": counts.get(kind.value, 0)} if counts is not None else {})}
        for kind in OrganizationKind
    ]


def filter_errors(filterset) -> list[str]:
    """The invalid filters of a bound filterset as "label: message" lines a user can act on."""
    form = filterset.form
    lines = []
    for name, messages in form.errors.items():
        label = form.fields[name].label if name in form.fields else name
        lines.extend(f"{label}: {message}" for message in messages)
    return lines


def restrict_cluster_choices(filterset, user) -> None:
    """Offer (and accept) only the clusters the user may see in a filterset's ``cluster`` filter."""
    cluster_filter = filterset.filters.get("cluster")
    if cluster_filter is not None:
        cluster_filter.queryset = Cluster.objects.visible_to(user)


# -- ecosystem map ---------------------------------------------------------------------------------
def organization_filterset(user, params, request=None) -> OrganizationFilterSet:
    """The list page's FilterSet over the organizations the user may see (used by the map)."""
    # Always bound (an empty query is valid: every organization), unlike an unbound FilterSet.
    filterset = OrganizationFilterSet(params if params is not None else {}, queryset=visible_organizations(user),
                                      request=request)
    restrict_cluster_choices(filterset, user)
    return filterset


def _province_of(kind, region_id, parent_kind, parent_id):
    if kind == Region.Kind.PROVINCE:
        return region_id
    if parent_kind == Region.Kind.PROVINCE:
        return parent_id
    return None


def map_features(user, params, *, cap: int = MAP_FEATURE_CAP) -> dict:
    """Organizations matching the list filters as a GeoJSON FeatureCollection of points.

    An organization without its own coordinates is placed at its region's centre (or the centre of
    the region's parent, e.g. the province of a county) and marked ``approx``. At most ``cap`` points
    are returned (``meta.capped`` says when more matched). ``meta.by_province`` counts every matching
    organization per province, for the choropleth.

    Raises
    ------
    ValueError
        With the filter errors (``filter_errors``) as ``args[0]`` when a filter value is invalid.
    """
    filterset = organization_filterset(user, params)
    if not filterset.is_valid():
        raise ValueError(filter_errors(filterset))
    qs = filterset.qs.order_by()
    has_own = Q(latitude__isnull=False, longitude__isnull=False)
    has_region = Q(region__latitude__isnull=False, region__longitude__isnull=False)
    has_parent = Q(region__parent__latitude__isnull=False, region__parent__longitude__isnull=False)
    located_q = has_own | has_region | has_parent
    totals = qs.aggregate(total=Count("pk", distinct=True),
                          located=Count("pk", distinct=True, filter=located_q))

    by_province: dict[int, int] = {}
    for kind, region_id, parent_kind, parent_id, n in (
        qs.filter(region__isnull=False)
        .values_list("region__kind", "region_id", "region__parent__kind", "region__parent_id")
        .annotate(n=Count("pk", distinct=True))
    ):
        province = _province_of(kind, region_id, parent_kind, parent_id)
        if province is not None:
            by_province[province] = by_province.get(province, 0) + n

    rows = (
        qs.filter(located_q)
        .values_list("pk", "name_fa", "name_en", "kind", "latitude", "longitude", "region_id",
                     "region__name_fa", "region__name_en", "region__latitude", "region__longitude",
                     "region__parent__latitude", "region__parent__longitude")
        .order_by("pk")
        .distinct()[:cap]
    )
    features, regions, kind_counts, approximate = [], {}, {}, 0
    for (pk, name_fa, name_en, kind, lat, lon, region_id, region_fa, region_en,
         region_lat, region_lon, parent_lat, parent_lon) in rows:
        approx = False
        if lat is None or lon is None:
            approx = True
            lat, lon = (region_lat, region_lon) if region_lat is not None and region_lon is not None \
                else (parent_lat, parent_lon)
        properties = {"name": _name(name_fa, name_en), "kind": kind}
        if region_id is not None:
            properties["region"] = region_id
            regions[region_id] = _name(region_fa, region_en)
        if approx:
            properties["approx"] = True
            approximate += 1
        kind_counts[kind] = kind_counts.get(kind, 0) + 1
        features.append({"type": "Feature", "id": pk, "geometry": {"type": "Point", "coordinates": [lon, lat]},
                         "properties": properties})
    return {
        "type": "FeatureCollection",
        "features": features,
        "meta": {
            "total": totals["total"],
            "located": totals["located"],
            "shown": len(features),
            "approximate": approximate,
            "capped": totals["located"] > len(features),
            "cap": cap,
            "regions": regions,
            "kinds": kind_legend(kind_counts),
            "by_province": by_province,
            "detail_url": _detail_url_template("registry:organization_detail"),
        },
    }


def _round_ring(ring, factor):
    out = []
    for point in ring:
        pt = [round(point[0] * factor) / factor, round(point[1] * factor) / factor]
        if not out or out[-1] != pt:
            out.append(pt)
    return out if len(out) >= 4 else None


def simplify_geometry(geometry: dict, precision: int = BOUNDARY_PRECISION) -> dict | None:
    """A Polygon/MultiPolygon with coordinates rounded to ``precision`` decimals and the repeated
    points this creates removed; rings that collapse (tiny islands) are dropped."""
    factor = 10**precision
    kind = geometry.get("type")
    if kind == "Polygon":
        polygons = [geometry.get("coordinates") or []]
    elif kind == "MultiPolygon":
        polygons = geometry.get("coordinates") or []
    else:
        return geometry
    out = []
    for polygon in polygons:
        rings = [_round_ring(ring, factor) for ring in polygon]
        if rings and rings[0] is not None:
            out.append([rings[0], *(r for r in rings[1:] if r is not None)])
    if not out:
        return None
    return {"type": "Polygon", "coordinates": out[0]} if len(out) == 1 else {"type": "MultiPolygon",
                                                                            "coordinates": out}


@dataclass
class CachedPayload:
    body: bytes
    etag: str


def region_boundaries(kind: str = Region.Kind.PROVINCE) -> CachedPayload:
    """The boundaries of every region of ``kind`` as GeoJSON bytes with an ETag, cached for a while.

    Boundaries are public reference data (no user filtering); the names are given in both languages
    so one cached body serves everyone.
    """
    # Regions carry no modification time: a new or deleted boundary changes the key at once, an edited
    # one shows after BOUNDARY_CACHE_SECONDS at most.
    fingerprint = Region.objects.filter(kind=kind, boundary__isnull=False).aggregate(n=Count("pk"), last=Max("pk"))
    key = f"khooshe:region_boundaries:{kind}:{BOUNDARY_PRECISION}:{fingerprint['n']}:{fingerprint['last']}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    features = []
    for pk, code, name_fa, name_en, boundary in (
        Region.objects.filter(kind=kind, boundary__isnull=False).order_by("pk")
        .values_list("pk", "code", "name_fa", "name_en", "boundary")
    ):
        if isinstance(boundary, dict) and boundary.get("type") == "Feature":
            boundary = boundary.get("geometry")
        if not isinstance(boundary, dict):
            continue
        geometry = simplify_geometry(boundary)
        if geometry is None:
            continue
        features.append({"type": "Feature", "id": pk, "geometry": geometry,
                         "properties": {"code": code, "name_fa": name_fa, "name_en": name_en or name_fa}})
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                      separators=(",", ":")).encode()
    payload = CachedPayload(body=body, etag=f'"{hashlib.sha256(body).hexdigest()[:32]}"')
    cache.set(key, payload, BOUNDARY_CACHE_SECONDS)
    return payload


# -- relation network ------------------------------------------------------------------------------
class NetworkFilterSet(RelationFilterSet):
    """The relation list's filters, with several classifications at once and check boxes."""

    type = django_filters.MultipleChoiceFilter(choices=RelationType.choices, label=_("relation type"),
                                               widget=forms.CheckboxSelectMultiple)
    classification = django_filters.MultipleChoiceFilter(choices=RelationClass.choices,
                                                         label=_("classification"),
                                                         widget=forms.CheckboxSelectMultiple)
    # A choice among the clusters the user may see (``restrict_cluster_choices``), not any number.
    cluster = django_filters.ModelChoiceFilter(queryset=Cluster.objects.all(), method="filter_cluster",
                                               label=_("cluster"))

    class Meta(RelationFilterSet.Meta):
        pass

    def filter_cluster(self, queryset, name, value):
        members = ClusterMembership.objects.filter(cluster_id=value.pk).values("organization_id")
        return queryset.filter(source__in=members, target__in=members)


def network_filterset(user, params, request=None) -> NetworkFilterSet:
    filterset = NetworkFilterSet(params if params is not None else {}, queryset=Relation.objects.visible_to(user),
                                 request=request)
    restrict_cluster_choices(filterset, user)
    return filterset


def parse_limit(value, default: int = NETWORK_DEFAULT_NODES) -> int:
    """The node cap asked for in ``?limit=``, kept between 10 and ``NETWORK_MAX_NODES``."""
    try:
        limit = int(value)
    except (TypeError, ValueError):
        return default
    return max(10, min(limit, NETWORK_MAX_NODES))


def network_graph(user, params, *, max_nodes: int = NETWORK_DEFAULT_NODES,
                  max_edges: int = NETWORK_MAX_EDGES) -> dict:
    """Organizations (nodes) and relations (edges) for Cytoscape.js, filtered like the relation list.

    Nodes are the organizations that take part in a matching relation (plus, with ``cluster``, the
    cluster's members that have none); beyond ``max_nodes`` only the most connected are kept (degree
    counted on every matching relation) and ``meta.capped`` is set. Only relations between two
    organizations the user may see are counted.

    Raises
    ------
    ValueError
        With the filter form's errors when a filter value is invalid.
    """
    filterset = network_filterset(user, params)
    if not filterset.is_valid():
        raise ValueError(filter_errors(filterset))
    relations = filterset.qs.order_by()
    cluster = filterset.form.cleaned_data.get("cluster")

    degree: dict[int, int] = {}
    for column in ("source_id", "target_id"):
        for org_id, n in relations.values_list(column).annotate(n=Count("pk")).order_by():
            degree[org_id] = degree.get(org_id, 0) + n
    if cluster is not None:
        members = ClusterMembership.objects.filter(
            cluster=cluster, organization__in=visible_organizations(user).values("pk"))
        for org_id in members.values_list("organization_id", flat=True):
            degree.setdefault(org_id, 0)
    total_nodes = len(degree)
    total_edges = sum(degree.values()) // 2  # each relation counted at both ends

    capped = total_nodes > max_nodes
    if capped:
        keep = sorted(degree, key=lambda pk: (-degree[pk], pk))[:max_nodes]
        edge_qs = relations.filter(source_id__in=keep, target_id__in=keep)
        keep = set(keep)
    else:
        keep = set(degree)
        edge_qs = relations
    edge_rows = list(
        edge_qs.order_by("-strength", "-pk")
        .values_list("pk", "source_id", "target_id", "type", "directed", "strength", "classification")[
            : max_edges + 1]
    )
    edges_capped = len(edge_rows) > max_edges
    edge_rows = edge_rows[:max_edges]

    type_labels = dict(RelationType.choices)
    edges = [
        {"data": {"id": f"r{pk}", "pk": pk, "source": f"o{source}", "target": f"o{target}", "type": rtype,
                  "label": str(type_labels.get(rtype, rtype)), "directed": directed, "strength": strength,
                  "classification": classification}}
        for pk, source, target, rtype, directed, strength, classification in edge_rows
    ]
    nodes = []
    kind_counts: dict[str, int] = {}
    if keep:
        org_rows = (Organization.objects.filter(pk__in=keep).order_by("pk")
                    .values_list("pk", "name_fa", "name_en", "kind", "region__name_fa", "region__name_en"))
        for pk, name_fa, name_en, kind, region_fa, region_en in org_rows:
            kind_counts[kind] = kind_counts.get(kind, 0) + 1
            nodes.append({"data": {"id": f"o{pk}", "pk": pk, "label": _name(name_fa, name_en), "kind": kind,
                                   "color": KIND_COLORS.get(kind, "#999"), "degree": degree.get(pk, 0),
                                   "region": _name(region_fa, region_en)}})
    return {
        "nodes": nodes,
        "edges": edges,
        "meta": {
            "total_nodes": total_nodes,
            "shown_nodes": len(nodes),
            "capped": capped,
            "max_nodes": max_nodes,
            "total_edges": total_edges,
            "shown_edges": len(edges),
            "edges_capped": edges_capped,
            "cluster": cluster.pk if cluster is not None else None,
            "kinds": kind_legend(kind_counts),
            "classifications": [{"code": c.value, "label": str(c.label), "color": CLASS_COLORS[c]}
                                for c in RelationClass],
            "detail_url": _detail_url_template("registry:organization_detail"),
        },
    }


# -- cluster page: stakeholders by domain ----------------------------------------------------------
@dataclass(frozen=True)
class StakeholderFunction:
    label: str
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class StakeholderDomain:
    label: str
    functions: tuple[StakeholderFunction, ...]


# The stakeholder-mapping table of the ministry's cluster program (source document 001: domain,
# function, potential stakeholders, example actors), with every organization kind in exactly one row.
STAKEHOLDER_DOMAINS: tuple[StakeholderDomain, ...] = (
    StakeholderDomain(_("Business development services"), (
        StakeholderFunction(_("Financing"), (OrganizationKind.INVESTOR,)),
        StakeholderFunction(
            _("Business consulting, physical resources, workspace and growth facilitation"),
            (OrganizationKind.ACCELERATOR, OrganizationKind.INNOVATION_FACTORY, OrganizationKind.CREATIVE_HOUSE,
             OrganizationKind.COWORKING, OrganizationKind.SERVICE_PROVIDER)),
    )),
    StakeholderDomain(_("Research and innovation services"), (
        StakeholderFunction(_("Technology commercialisation and knowledge transfer; creating and spreading "
                              "innovation"), (OrganizationKind.RESEARCH,)),
        StakeholderFunction(_("Scientific and technological backing"), (OrganizationKind.UNIVERSITY,)),
    )),
    StakeholderDomain(_("Governance and public-sector services"), (
        StakeholderFunction(_("Policy, regulation and public support"), (OrganizationKind.GOVERNMENT,)),
        StakeholderFunction(_("Chambers, associations and unions"), (OrganizationKind.CHAMBER,)),
        StakeholderFunction(_("Civil society"), (OrganizationKind.NGO,)),
    )),
    StakeholderDomain(_("Core firms of the cluster"), (
        StakeholderFunction(_("Startups and knowledge-based companies"),
                            (OrganizationKind.STARTUP, OrganizationKind.KNOWLEDGE_BASED)),
        StakeholderFunction(_("Creative companies"), (OrganizationKind.CREATIVE,)),
        StakeholderFunction(_("Small and medium enterprises and cooperatives"),
                            (OrganizationKind.SME, OrganizationKind.COOPERATIVE)),
        StakeholderFunction(_("Large companies"), (OrganizationKind.LARGE,)),
    )),
)
EXAMPLES_PER_ROW = 5


@dataclass
class StakeholderRow:
    domain: str
    domain_rowspan: int  # >0 on the first row of a domain, 0 on the others
    function: str
    kinds: list[str]
    kind_labels: list[str]
    members: int
    potential: int | None  # None when the cluster has no region to look in
    examples: list[dict] = field(default_factory=list)


def _top_per_kind(queryset, limit: int) -> dict[str, list[tuple[int, str]]]:
    """Up to ``limit`` (pk, name) per kind, alphabetical, in one query (a window function)."""
    rows = (
        queryset.annotate(rank=Window(RowNumber(), partition_by=[F("kind")],
                                      order_by=[F("name_key").asc(), F("pk").asc()]))
        .filter(rank__lte=limit)
        .values_list("kind", "pk", "name_fa", "name_en")
    )
    out: dict[str, list[tuple[int, str]]] = {}
    for kind, pk, name_fa, name_en in rows:
        out.setdefault(kind, []).append((pk, _name(name_fa, name_en)))
    return out


def cluster_region_ids(cluster: Cluster):
    """A subquery of the cluster's regions and the regions inside them (two levels: counties)."""
    ids = cluster.regions.values("pk")
    return Region.objects.filter(Q(pk__in=ids) | Q(parent__in=ids) | Q(parent__parent__in=ids)).values("pk")


def cluster_stakeholders(cluster: Cluster, user) -> dict:
    """The stakeholder table of a cluster by domain and function, and its relation counts.

    For each function (a group of organization kinds): the members of the cluster of those kinds, the
    potential stakeholders (organizations of those kinds in the cluster's regions and the regions
    inside them that are not members yet) and up to five example names, members first.
    """
    visible = visible_organizations(user)
    member_ids = ClusterMembership.objects.filter(cluster=cluster).values("organization_id")
    members = visible.filter(pk__in=member_ids)
    has_regions = cluster.regions.exists()
    potential = visible.filter(region__in=cluster_region_ids(cluster)).exclude(pk__in=member_ids)

    member_counts = dict(members.values_list("kind").annotate(n=Count("pk")).order_by())
    member_examples = _top_per_kind(members, EXAMPLES_PER_ROW)
    potential_counts, potential_examples = {}, {}
    if has_regions:
        potential_counts = dict(potential.values_list("kind").annotate(n=Count("pk")).order_by())
        potential_examples = _top_per_kind(potential, EXAMPLES_PER_ROW)

    url = _detail_url_template("registry:organization_detail")
    kind_labels = dict(OrganizationKind.choices)
    rows: list[StakeholderRow] = []
    for domain in STAKEHOLDER_DOMAINS:
        for index, function in enumerate(domain.functions):
            examples = []
            for source, is_member in ((member_examples, True), (potential_examples, False)):
                for kind in function.kinds:
                    for pk, name in source.get(kind, []):
                        examples.append({"pk": pk, "name": name, "url": url.format(id=pk), "member": is_member})
            examples.sort(key=lambda e: not e["member"])  # members first, each group in kind order
            rows.append(StakeholderRow(
                domain=str(domain.label),
                domain_rowspan=len(domain.functions) if index == 0 else 0,
                function=str(function.label),
                kinds=list(function.kinds),
                kind_labels=[str(kind_labels[k]) for k in function.kinds],
                members=sum(member_counts.get(k, 0) for k in function.kinds),
                potential=sum(potential_counts.get(k, 0) for k in function.kinds) if has_regions else None,
                examples=examples[:EXAMPLES_PER_ROW],
            ))

    relation_counts = dict(
        Relation.objects.visible_to(user)
        .filter(source__in=member_ids, target__in=member_ids)
        .values_list("classification").annotate(n=Count("pk")).order_by()
    )
    classes = [{"code": c.value, "label": str(c.label), "count": relation_counts.get(c.value, 0),
                "color": CLASS_COLORS[c]} for c in RelationClass]
    return {
        "rows": rows,
        "has_regions": has_regions,
        "member_total": sum(member_counts.values()),
        "potential_total": sum(potential_counts.values()) if has_regions else None,
        "relation_classes": classes,
        "relation_total": sum(relation_counts.values()),
        "cluster": cluster,
    }


# -- organization page: location and ego network ---------------------------------------------------
def organization_overview(organization: Organization, user) -> dict:
    """Where the organization is (its own point, or its region's centre marked approximate) and the
    number of its relations by direction and type, counting only relations the user may see."""
    lat, lon, approx = organization.latitude, organization.longitude, False
    if lat is None or lon is None:
        lat = lon = None
        region = organization.region
        while region is not None and lat is None:
            if region.latitude is not None and region.longitude is not None:
                lat, lon, approx = region.latitude, region.longitude, True
            # the parent fetched without its boundary (a province's GeoJSON is ~100 KB)
            region = (Region.objects.defer("boundary").filter(pk=region.parent_id).first()
                      if region.kind != Region.Kind.PROVINCE and region.parent_id else None)
    relations = Relation.objects.visible_to(user)
    type_labels = dict(RelationType.choices)
    counts: dict[str, dict] = {}
    for direction, column in (("out", "source"), ("in", "target")):
        for rtype, n in (relations.filter(**{column: organization}).values_list("type")
                         .annotate(n=Count("pk")).order_by()):
            row = counts.setdefault(rtype, {"type": rtype, "label": str(type_labels.get(rtype, rtype)),
                                            "out": 0, "in": 0})
            row[direction] = n
    by_type = sorted(counts.values(), key=lambda r: -(r["out"] + r["in"]))
    return {
        "latitude": lat,
        "longitude": lon,
        "approximate": approx,
        "has_location": lat is not None,
        "relations_by_type": by_type,
        "relations_out": sum(r["out"] for r in by_type),
        "relations_in": sum(r["in"] for r in by_type),
        "color": KIND_COLORS.get(organization.kind, "#999"),
    }
