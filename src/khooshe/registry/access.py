"""A user's roles, resolved once per request: the one place that decides who may edit what.

- platform admin (superuser): everything;
- staff of a cluster: the cluster, its member organizations, their people and relations;
- staff of a hub: the hub organization (later, its residents), its people and relations;
- member of an organization: that organization, its people and relations;
- everyone, including anonymous visitors: read public records only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property


@dataclass
class Access:
    is_admin: bool = False
    organization_ids: frozenset[int] = frozenset()  # member of
    cluster_ids: frozenset[int] = frozenset()  # staff of
    hub_ids: frozenset[int] = frozenset()  # staff of (hub organizations)
    _cache: dict = field(default_factory=dict, repr=False)

    @cached_property
    def cluster_member_ids(self) -> frozenset[int]:
        if not self.cluster_ids:
            return frozenset()
        from .models import ClusterMembership

        return frozenset(
            ClusterMembership.objects.filter(cluster_id__in=self.cluster_ids).values_list("organization_id", flat=True)
        )

    def editable_organization_ids(self) -> frozenset[int]:
        return self.organization_ids | self.hub_ids | self.cluster_member_ids

    def can_edit_organization(self, organization_id: int) -> bool:
        return self.is_admin or organization_id in self.editable_organization_ids()


ANONYMOUS = Access()


def access_for(user) -> Access:
    """The user's ``Access``, cached on the user object for the rest of the request."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_khooshe_access", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        acc = Access(is_admin=True)
    else:
        from .models import Role

        org, cluster, hub = set(), set(), set()
        for kind, organization_id, cluster_id in Role.objects.filter(user=user).values_list(
            "kind", "organization_id", "cluster_id"
        ):
            if kind == Role.Kind.MEMBER:
                org.add(organization_id)
            elif kind == Role.Kind.HUB_STAFF:
                hub.add(organization_id)
            elif kind == Role.Kind.CLUSTER_STAFF:
                cluster.add(cluster_id)
        acc = Access(organization_ids=frozenset(org), cluster_ids=frozenset(cluster), hub_ids=frozenset(hub))
    user._khooshe_access = acc
    return acc


def can_edit_cluster(user, cluster_id) -> bool:
    """Platform admins and the staff of that cluster change its programs and what hangs on them."""
    acc = access_for(user)
    return acc.is_admin or (cluster_id is not None and cluster_id in acc.cluster_ids)


def staffs_a_cluster(user) -> bool:
    """Platform admins and anyone on some cluster's staff may start cluster work (a program, its indicators)."""
    acc = access_for(user)
    return acc.is_admin or bool(acc.cluster_ids)
