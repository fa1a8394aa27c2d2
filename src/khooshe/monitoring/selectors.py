"""Reads of the monitoring app: a cluster's social-capital network at a date, results trees, surveys."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from khooshe.analytics import network as netm
from khooshe.registry.models import FIRM_KINDS, ClusterMembership, Organization, Relation


def members_at(cluster, date: dt.date) -> list[int]:
    """Organization ids of the cluster's members on ``date`` (joined on or before it, or date unknown)."""
    return list(
        ClusterMembership.objects.filter(cluster=cluster)
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lte=date))
        .order_by("organization_id").values_list("organization_id", flat=True)
    )


def relations_at(member_ids, date: dt.date):
    """Relations between two of the members that were in force on ``date``.

    A relation without a start date counts from the beginning; one without an end date is still in force.
    """
    return (Relation.objects.filter(source_id__in=member_ids, target_id__in=member_ids)
            .filter(Q(start_date__isnull=True) | Q(start_date__lte=date))
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=date)))


def cluster_network(cluster, date: dt.date) -> netm.Network:
    """The cluster's network on ``date``: members as nodes (isolates included), relations as ties.

    A tie's weight is the relation's strength (1-5), the strongest when two organizations have several
    relations; the attribute used by the E-I index is "firm" / "institution" (registry.FIRM_KINDS).
    """
    ids = members_at(cluster, date)
    rows = relations_at(ids, date).values_list("source_id", "target_id", "strength")
    kinds = dict(Organization.objects.filter(pk__in=ids).values_list("pk", "kind"))
    groups = {pk: ("firm" if kind in FIRM_KINDS else "institution") for pk, kind in kinds.items()}
    return netm.build_network(list(rows), nodes=ids, attributes=groups, combine="max")


def cda_organization_id(cluster, program=None) -> int | None:
    """The member that stands for the cluster development agent: the program's lead organization if it is
    a member, else the organization where the cluster's CDA has a role."""
    members = set(ClusterMembership.objects.filter(cluster=cluster).values_list("organization_id", flat=True))
    if program is not None and program.lead_organization_id in members:
        return program.lead_organization_id
    agent_id = getattr(cluster, "development_agent_id", None)
    if agent_id:
        from khooshe.registry.models import PersonRole

        for org_id in PersonRole.objects.filter(person_id=agent_id).values_list("organization_id", flat=True):
            if org_id in members:
                return org_id
    return None


def network_figures(cluster, date: dt.date, *, program=None, seed: int = 0) -> dict:
    """Every figure of the cluster network on ``date`` (see analytics.network.summary)."""
    net = cluster_network(cluster, date)
    center = cda_organization_id(cluster, program)
    summary = netm.summary(net, seed=seed, center=center if center is not None and net.n else None)
    summary["ei_index"] = netm.ei_index(net)["index"] if net.m and net.attributes else None
    summary["date"] = date
    summary["network"] = net
    return summary


def network_change(cluster, before: dt.date, after: dt.date) -> netm.NetworkChange:
    return netm.network_change(cluster_network(cluster, before), cluster_network(cluster, after))


def cytoscape_graph(cluster, date: dt.date, *, compare: dt.date | None = None) -> dict:
    """Nodes and edges in the shape js/khooshe-network.js draws (see registry.selectors.network_graph).

    Each tie is classified "kept"; with ``compare`` (an earlier date) ties that did not exist then are
    "new" and ties that existed then but no longer are added as "lost", each with its own colour.
    """
    from django.utils.translation import gettext as _

    from khooshe.registry.selectors import KIND_COLORS, _detail_url_template, _name, kind_legend

    net = cluster_network(cluster, date)
    now = net.edge_set()
    old = cluster_network(cluster, compare).edge_set() if compare else now
    node_ids = set(net.ids) | {x for pair in old for x in pair}
    degree = dict(zip(net.ids, net.graph.degree(), strict=True))
    weights = {frozenset((net.ids[a], net.ids[b])): w
               for (a, b), w in zip(net.graph.get_edgelist(), net.graph.es["weight"], strict=True)}
    nodes, kind_counts = [], {}
    for pk, name_fa, name_en, kind in (Organization.objects.filter(pk__in=node_ids).order_by("pk")
                                       .values_list("pk", "name_fa", "name_en", "kind")):
        kind_counts[kind] = kind_counts.get(kind, 0) + 1
        nodes.append({"data": {"id": f"o{pk}", "pk": pk, "label": _name(name_fa, name_en), "kind": kind,
                               "color": KIND_COLORS.get(kind, "#999"), "degree": degree.get(pk, 0),
                               "region": ""}})
    labels = {"kept": _("Tie kept"), "new": _("New tie"), "lost": _("Lost tie")}
    colors = {"kept": "#8c8c8c", "new": "#2ca25f", "lost": "#de2d26"}
    edges = []
    for pair in sorted(now | old, key=lambda p: sorted(p)):
        a, b = sorted(pair)
        status = "kept" if (pair in now and pair in old) else ("new" if pair in now else "lost")
        edges.append({"data": {"id": f"e{a}-{b}", "source": f"o{a}", "target": f"o{b}", "directed": False,
                               "strength": int(weights.get(pair, 1)), "type": status, "label": str(labels[status]),
                               "classification": status}})
    return {
        "nodes": nodes,
        "edges": edges,
        "meta": {"total_nodes": len(nodes), "shown_nodes": len(nodes), "capped": False, "max_nodes": len(nodes),
                 "total_edges": len(edges), "shown_edges": len(edges), "edges_capped": False,
                 "cluster": cluster.pk, "kinds": kind_legend(kind_counts),
                 "classifications": [{"code": code, "label": str(labels[code]), "color": colors[code]}
                                     for code in ("kept", "new", "lost")],
                 "detail_url": _detail_url_template("registry:organization_detail")},
    }
