r"""The social-capital network of a cluster: structure, brokers, core and periphery, and change.

A cluster's members (firms, institutions, the cluster development agent) are the nodes; their ties
(cooperation, trust, joint projects, agreements) are undirected edges with an optional strength
(weight).  Every function takes a :class:`Network` built once by :func:`build_network` from an edge
list, so that a page or an indicator that needs several figures pays for the graph only once.

The computations run on python-igraph (C) and leidenalg; the test-suite checks every figure against
NetworkX on small graphs (NetworkX is 10-100x slower at cluster sizes of 10^5 members, see
``benchmarks/network_bench.py``).

Measures (n members, m ties, :math:`d_i` the degree of member *i*):

* density :math:`2m / (n(n-1))`, average degree :math:`2m/n`;
* Freeman degree centralisation :math:`\sum_i (d_{max} - d_i) / ((n-1)(n-2))` (1 for a star, 0 when
  every member has the same number of ties);
* clustering: global transitivity (3 x triangles / connected triples) and the average local
  clustering coefficient (members with fewer than two ties count as 0, as in NetworkX);
* connected components; communities by Leiden with the modularity objective (Traag, Waltman & van Eck
  2019);
* brokers: betweenness centrality (Brandes 2001), estimated from ``k`` random pivots when the network
  is large (Brandes & Pich 2007); Burt's constraint and effective size (Burt 1992; Borgatti 1997);
* core and periphery: the k-core decomposition (coreness; Seidman 1983), the core being the members of
  the highest non-empty k-core;
* the E-I index of Krackhardt & Stern (1988) for an attribute such as firm / institution:
  :math:`(E - I)/(E + I)` with E the ties between groups and I the ties within a group;
* isolates (members without ties) and centralisation around one member (the CDA);
* change between two networks: new ties, lost ties, density growth.

All functions validate their input first and raise
:class:`~khooshe.analytics.validation.AnalyticsInputError` naming the bad row or value.
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import igraph as ig
import leidenalg
import numpy as np
import pandas as pd

from khooshe.analytics.validation import AnalyticsInputError

__all__ = [
    "Network",
    "NetworkChange",
    "average_degree",
    "betweenness",
    "brokerage",
    "build_network",
    "clustering",
    "communities",
    "components",
    "core_periphery",
    "degree_centralization",
    "density",
    "ei_index",
    "isolates",
    "network_change",
    "node_centralization",
    "summary",
]

COMBINE = ("max", "sum", "mean")
# Above this many members betweenness is estimated from pivots unless the caller says otherwise.
EXACT_BETWEENNESS_LIMIT = 2_000
DEFAULT_PIVOTS = 256


@dataclass(frozen=True)
class Network:
    """An undirected, simple, weighted network of members.

    Attributes
    ----------
    graph : igraph.Graph
        Vertex ``i`` is member ``ids[i]``; the edge attribute ``"weight"`` holds the tie strength.
    ids : list
        The member ids, in vertex order.
    attributes : dict
        Member id -> attribute value (e.g. ``"firm"`` / ``"institution"``), for :func:`ei_index`.
    """

    graph: ig.Graph
    ids: list
    attributes: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        """Number of members."""
        return self.graph.vcount()

    @property
    def m(self) -> int:
        """Number of ties."""
        return self.graph.ecount()

    def index(self, node: Hashable) -> int:
        """The vertex index of member ``node``; an error naming it when it is not in the network."""
        try:
            return self._positions[node]
        except KeyError:
            raise AnalyticsInputError(
                "unknown_node", f"Member {node!r} is not in the network; pass one of its member ids.", value=node
            ) from None

    @property
    def _positions(self) -> dict:
        cache = self.__dict__.get("_pos")
        if cache is None:
            cache = {node: i for i, node in enumerate(self.ids)}
            object.__setattr__(self, "_pos", cache)
        return cache

    def edge_set(self) -> set[frozenset]:
        """The ties as a set of ``frozenset({a, b})`` of member ids."""
        ids = self.ids
        return {frozenset((ids[a], ids[b])) for a, b in self.graph.get_edgelist()}


def _edge_frame(edges: Any) -> pd.DataFrame:
    """Edges as a DataFrame with columns source, target and weight (NaN when not given)."""
    if isinstance(edges, pd.DataFrame):
        missing = [c for c in ("source", "target") if c not in edges.columns]
        if missing:
            raise AnalyticsInputError(
                "missing_column",
                f"The edge table has no column {missing[0]!r}; give columns 'source', 'target' and optionally 'weight'.",
                column=missing[0],
            )
        frame = pd.DataFrame({
            "source": edges["source"].to_numpy(),
            "target": edges["target"].to_numpy(),
            "weight": edges["weight"].to_numpy(dtype=float) if "weight" in edges.columns else np.nan,
        })
        return frame
    rows = edges if isinstance(edges, list) else list(edges)
    if isinstance(edges, np.ndarray) and edges.ndim == 2 and edges.shape[1] in (2, 3):
        rows = edges.tolist()
    lengths = {len(row) if isinstance(row, tuple | list) else -1 for row in rows}
    if not lengths <= {2, 3}:
        for number, row in enumerate(rows, start=1):
            if not isinstance(row, tuple | list) or len(row) not in (2, 3):
                raise AnalyticsInputError(
                    "bad_edge",
                    f"Edge {number} is {row!r}; give each tie as (member, member) or (member, member, weight).",
                    row=number, value=row,
                )
    if lengths == {2}:
        frame = pd.DataFrame.from_records(rows, columns=["source", "target"]) if rows else pd.DataFrame(
            {"source": [], "target": []})
        frame["weight"] = np.nan
    else:
        frame = pd.DataFrame.from_records([tuple(row) + (np.nan,) * (3 - len(row)) for row in rows]
                                          if lengths != {3} else rows, columns=["source", "target", "weight"])
    if not rows:
        return pd.DataFrame({"source": pd.Series([], dtype=object), "target": pd.Series([], dtype=object),
                             "weight": pd.Series([], dtype=float)})
    try:
        frame["weight"] = frame["weight"].astype(float)
    except (TypeError, ValueError):
        weights = frame["weight"].tolist()
        bad = next(i for i, w in enumerate(weights) if not _is_number(w))
        raise AnalyticsInputError(
            "bad_weight", f"Edge {bad + 1} has weight {weights[bad]!r}; a weight must be a number.",
            row=bad + 1, value=weights[bad],
        ) from None
    return frame


def _py(value: Any) -> Any:
    """A NumPy scalar as the Python value (for readable messages)."""
    return value.item() if isinstance(value, np.generic) else value


def _is_number(value: Any) -> bool:
    try:
        float(value)
        return True
    except (TypeError, ValueError):
        return False


def build_network(
    edges: Iterable[Sequence] | pd.DataFrame,
    *,
    nodes: Iterable[Hashable] | None = None,
    attributes: Mapping[Hashable, Any] | None = None,
    combine: str = "max",
) -> Network:
    """Build the network of a cluster from its ties.

    Parameters
    ----------
    edges : iterable of (a, b) or (a, b, weight), or DataFrame with columns source, target[, weight]
        The ties.  Direction is ignored; a tie given twice (A-B and B-A, or two survey answers) becomes
        one tie whose weight is combined by ``combine``.  A missing weight counts as 1.
    nodes : iterable, optional
        All members, including those without ties (isolates).  When given, every tie must join two of
        them.  When omitted, the members are those named by the ties.
    attributes : mapping, optional
        Member id -> group (e.g. ``"firm"``, ``"institution"``) used by :func:`ei_index`.
    combine : {"max", "sum", "mean"}
        How the weights of repeated ties are combined.

    Returns
    -------
    Network

    Raises
    ------
    AnalyticsInputError
        A tie of a member to itself, a tie naming a member not in ``nodes``, a negative or non-numeric
        weight, a duplicate member in ``nodes`` or an unknown ``combine``.

    Examples
    --------
    >>> net = build_network([("a", "b"), ("b", "c", 2.0), ("c", "b", 4.0)], nodes=["a", "b", "c", "d"])
    >>> net.n, net.m
    (4, 2)
    >>> sorted(net.graph.es["weight"])
    [1.0, 4.0]
    """
    if combine not in COMBINE:
        raise AnalyticsInputError(
            "bad_option", f"combine={combine!r} is not one of {', '.join(COMBINE)}.", value=combine
        )
    frame = _edge_frame(edges)
    weights = frame["weight"].to_numpy(dtype=float)
    given = ~np.isnan(weights)
    if np.any(np.isinf(weights)) or np.any(weights[given] < 0):
        row = int(np.flatnonzero(np.isinf(weights) | (given & (weights < 0)))[0])
        raise AnalyticsInputError(
            "negative_value", f"Edge {row + 1} has weight {weights[row]}; tie strengths must be finite and >= 0.",
            row=row + 1, value=float(weights[row]),
        )
    weights = np.where(given, weights, 1.0)
    source = frame["source"].infer_objects().to_numpy()
    target = frame["target"].infer_objects().to_numpy()
    null = pd.isna(source) | pd.isna(target) if (source.dtype == object or target.dtype == object
                                                  or source.dtype.kind == "f" or target.dtype.kind == "f") \
        else np.zeros(len(source), dtype=bool)
    if null.any():
        row = int(np.flatnonzero(null)[0])
        raise AnalyticsInputError(
            "missing_value", f"Edge {row + 1} names no member; give both ends of every tie.", row=row + 1
        )

    if nodes is not None:
        node_list = list(nodes)
        index = pd.Index(node_list)
        if not index.is_unique:
            duplicate = _py(index[index.duplicated()][0])
            raise AnalyticsInputError(
                "duplicate_node", f"Member {duplicate!r} is listed twice in nodes; list each member once.",
                value=duplicate,
            )
        codes_s = index.get_indexer(source)
        codes_t = index.get_indexer(target)
        unknown = (codes_s < 0) | (codes_t < 0)
        if unknown.any():
            row = int(np.flatnonzero(unknown)[0])
            bad = _py(source[row] if codes_s[row] < 0 else target[row])
            raise AnalyticsInputError(
                "unknown_node",
                f"Edge {row + 1} names member {bad!r}, which is not among the nodes; add it or remove the tie.",
                row=row + 1, value=bad,
            )
        ids = node_list
    else:
        both = np.concatenate([source, target]) if source.dtype == target.dtype else np.concatenate(
            [source.astype(object), target.astype(object)])
        codes, uniques = pd.factorize(both, sort=False)
        codes_s, codes_t = codes[: len(source)], codes[len(source):]
        ids = uniques.tolist()

    loops = codes_s == codes_t
    if loops.any():
        row = int(np.flatnonzero(loops)[0])
        raise AnalyticsInputError(
            "self_tie", f"Edge {row + 1} ties member {_py(source[row])!r} to itself; remove it.",
            row=row + 1, value=_py(source[row]),
        )

    low = np.minimum(codes_s, codes_t).astype(np.int64)
    high = np.maximum(codes_s, codes_t).astype(np.int64)
    if len(low):
        key = low * len(ids) + high
        table = pd.DataFrame({"key": key, "weight": weights}).groupby("key", sort=True)["weight"].agg(combine)
        keys = table.index.to_numpy()
        pairs = np.column_stack([keys // len(ids), keys % len(ids)])
        weight_list = table.to_numpy(dtype=float).tolist()
    else:
        pairs = np.zeros((0, 2), dtype=np.int64)
        weight_list = []
    graph = ig.Graph(n=len(ids), edges=pairs, directed=False)
    graph.es["weight"] = weight_list
    return Network(graph=graph, ids=ids, attributes=dict(attributes or {}))


def _require_network(net: Any) -> Network:
    if not isinstance(net, Network):
        raise AnalyticsInputError(
            "bad_network", f"Expected a Network from build_network(), got {type(net).__name__}.",
            value=type(net).__name__,
        )
    return net


# -- whole-network figures -----------------------------------------------------------------------------

def density(net: Network) -> float:
    r"""Share of possible ties that exist: :math:`2m / (n(n-1))` (0 for fewer than two members).

    Examples
    --------
    >>> density(build_network([(1, 2), (2, 3)]))
    0.666...
    """
    _require_network(net)
    n = net.n
    return 0.0 if n < 2 else 2.0 * net.m / (n * (n - 1))


def average_degree(net: Network) -> float:
    r"""Mean number of ties per member, :math:`2m/n` (0 for an empty network).

    Examples
    --------
    >>> average_degree(build_network([(1, 2), (2, 3)]))
    1.333...
    """
    _require_network(net)
    return 0.0 if net.n == 0 else 2.0 * net.m / net.n


def degree_centralization(net: Network) -> float:
    r"""Freeman's degree centralisation: :math:`\sum_i (d_{max} - d_i) / ((n-1)(n-2))`.

    1 for a star (everything goes through one member), 0 when all members have the same degree.
    Reference: Freeman, L. C. (1978), "Centrality in social networks: conceptual clarification",
    *Social Networks* 1: 215-239.  Networks of fewer than three members give 0.

    Examples
    --------
    >>> degree_centralization(build_network([(0, 1), (0, 2), (0, 3)]))
    1.0
    >>> degree_centralization(build_network([(0, 1), (1, 2), (2, 0)]))
    0.0
    """
    _require_network(net)
    n = net.n
    if n < 3:
        return 0.0
    degree = np.asarray(net.graph.degree(), dtype=float)
    return float((degree.max() - degree).sum() / ((n - 1) * (n - 2)))


def clustering(net: Network) -> dict[str, float]:
    r"""Global transitivity and average local clustering coefficient.

    ``transitivity`` = 3 x triangles / connected triples; ``average_local`` = mean over members of
    (ties among a member's partners) / (possible ties among them), members with fewer than two ties
    counting as 0 (Watts & Strogatz 1998; NetworkX's ``average_clustering``).

    Examples
    --------
    >>> clustering(build_network([(0, 1), (1, 2), (2, 0), (2, 3)]))
    {'transitivity': 0.6..., 'average_local': 0.583...}
    """
    _require_network(net)
    g = net.graph
    if net.n == 0:
        return {"transitivity": 0.0, "average_local": 0.0}
    transitivity = g.transitivity_undirected(mode="zero")
    local = g.transitivity_avglocal_undirected(mode="zero")
    return {"transitivity": float(0.0 if math.isnan(transitivity) else transitivity), "average_local": float(local)}


def components(net: Network) -> dict[str, Any]:
    """Connected components: their count, sizes (largest first) and each member's component.

    Examples
    --------
    >>> c = components(build_network([("a", "b"), ("c", "d"), ("d", "e")]))
    >>> c["count"], c["sizes"], c["membership"]["a"] == c["membership"]["b"]
    (2, [3, 2], True)
    """
    _require_network(net)
    parts = net.graph.connected_components()
    sizes = sorted(parts.sizes(), reverse=True)
    return {
        "count": len(parts),
        "sizes": sizes,
        "largest_share": (sizes[0] / net.n) if net.n else 0.0,
        "membership": dict(zip(net.ids, parts.membership, strict=True)),
    }


def communities(net: Network, *, seed: int = 0, weighted: bool = True, resolution: float = 1.0) -> dict[str, Any]:
    r"""Communities found by Leiden maximising modularity.

    Modularity :math:`Q = \frac{1}{2m}\sum_{ij}(A_{ij} - \gamma k_i k_j / 2m)\,\delta(c_i, c_j)`.
    Reference: Traag, V. A., Waltman, L. & van Eck, N. J. (2019), "From Louvain to Leiden: guaranteeing
    well-connected communities", *Scientific Reports* 9: 5233.

    Parameters
    ----------
    seed : int
        Seed of Leiden's random moves (same seed, same communities).
    weighted : bool
        Use tie strengths.
    resolution : float
        :math:`\gamma`; above 1 gives more, smaller communities.

    Returns
    -------
    dict
        ``count``, ``modularity``, ``sizes`` and ``membership`` (member id -> community number, the
        largest community being 0).

    Examples
    --------
    >>> edges = [(0, 1), (1, 2), (2, 0), (3, 4), (4, 5), (5, 3), (2, 3)]
    >>> c = communities(build_network(edges))
    >>> c["count"], round(c["modularity"], 3)
    (2, 0.357)
    """
    _require_network(net)
    if resolution <= 0 or not math.isfinite(resolution):
        raise AnalyticsInputError("bad_option", f"resolution={resolution!r} must be a positive number.",
                                  value=resolution)
    g = net.graph
    if net.m == 0:
        membership = list(range(net.n))
        return {"count": net.n, "modularity": 0.0, "sizes": [1] * net.n,
                "membership": dict(zip(net.ids, membership, strict=True))}
    weights = g.es["weight"] if weighted else None
    if resolution == 1.0:
        partition = leidenalg.find_partition(g, leidenalg.ModularityVertexPartition, weights=weights, seed=seed)
    else:
        partition = leidenalg.find_partition(
            g, leidenalg.RBConfigurationVertexPartition, weights=weights, seed=seed, resolution_parameter=resolution
        )
    raw = np.asarray(partition.membership)
    counts = np.bincount(raw)
    order = np.argsort(-counts, kind="stable")
    relabel = np.empty_like(order)
    relabel[order] = np.arange(len(order))
    membership = relabel[raw]
    modularity = g.modularity(membership.tolist(), weights=weights, resolution=resolution)
    return {
        "count": int(len(counts)),
        "modularity": float(modularity),
        "sizes": counts[order].tolist(),
        "membership": dict(zip(net.ids, membership.tolist(), strict=True)),
    }


# -- brokers -------------------------------------------------------------------------------------------

def betweenness(
    net: Network,
    *,
    k: int | None = None,
    seed: int = 0,
    normalized: bool = True,
) -> dict[Hashable, float]:
    r"""Betweenness centrality: the share of shortest paths between other members that pass through a member.

    :math:`c_B(v) = \sum_{s<t} \sigma_{st}(v)/\sigma_{st}`, normalised by :math:`(n-1)(n-2)/2`.
    Paths count ties (tie strength is not a distance).  With ``k`` pivots the sum runs over paths
    starting at ``k`` members drawn at random (seeded) and is scaled by :math:`n/k`, an unbiased
    estimate (Brandes & Pich 2007, "Centrality estimation in large networks", *Int. J. Bifurcation
    and Chaos* 17(7)).  Exact reference: Brandes, U. (2001), *J. Math. Sociology* 25(2): 163-177.

    Parameters
    ----------
    k : int, optional
        Number of pivots.  ``None``: exact up to 2,000 members, 256 pivots above.
    seed : int
        Seed of the pivot draw.
    normalized : bool
        Divide by :math:`(n-1)(n-2)/2`.

    Examples
    --------
    >>> betweenness(build_network([("a", "b"), ("b", "c")]))
    {'a': 0.0, 'b': 1.0, 'c': 0.0}
    """
    _require_network(net)
    n = net.n
    if k is not None and (not isinstance(k, int | np.integer) or k < 1):
        raise AnalyticsInputError("bad_option", f"k={k!r} must be a positive whole number of pivots.", value=k)
    if k is None and n > EXACT_BETWEENNESS_LIMIT:
        k = DEFAULT_PIVOTS
    g = net.graph
    if n == 0:
        return {}
    if k is None or k >= n:
        values = np.asarray(g.betweenness(directed=False), dtype=float)
    else:
        pivots = sorted(random.Random(seed).sample(range(n), int(k)))
        values = np.asarray(g.betweenness(directed=False, sources=pivots, targets=None), dtype=float) * n / k
    if normalized:
        values = values * 2.0 / ((n - 1) * (n - 2)) if n > 2 else np.zeros(n)
    return dict(zip(net.ids, values.tolist(), strict=True))


def brokerage(net: Network, *, weighted: bool = True) -> dict[str, dict[Hashable, float]]:
    r"""Burt's constraint and effective size of every member (structural holes).

    Constraint :math:`c_i = \sum_{j \ne i} (p_{ij} + \sum_{q \ne i,j} p_{iq} p_{qj})^2` with
    :math:`p_{ij}` the share of i's tie strength invested in j: low constraint = a broker between
    otherwise unconnected partners.  Effective size (Borgatti 1997, for ties without strength)
    :math:`d_i - 2 t_i / d_i` with :math:`t_i` the ties among i's partners: the number of
    non-redundant partners.  Members without ties get NaN for both.
    Reference: Burt, R. S. (1992), *Structural Holes*, Harvard University Press; Borgatti, S. P. (1997),
    "Structural holes: unpacking Burt's redundancy measures", *Connections* 20(1): 35-38.

    Examples
    --------
    >>> b = brokerage(build_network([(0, 1), (0, 2), (0, 3)]))
    >>> round(b["constraint"][0], 3), b["effective_size"][0], b["constraint"][1]
    (0.333, 3.0, 1.0)
    """
    _require_network(net)
    g = net.graph
    constraint = np.asarray(g.constraint(weights="weight" if weighted else None), dtype=float)
    degree = np.asarray(g.degree(), dtype=float)
    local = np.asarray(g.transitivity_local_undirected(mode="zero"), dtype=float)
    triangles = local * degree * (degree - 1) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        effective = np.where(degree > 0, degree - 2.0 * triangles / degree, np.nan)
    constraint = np.where(degree > 0, constraint, np.nan)
    return {
        "constraint": dict(zip(net.ids, constraint.tolist(), strict=True)),
        "effective_size": dict(zip(net.ids, effective.tolist(), strict=True)),
    }


def core_periphery(net: Network) -> dict[str, Any]:
    """k-core decomposition: each member's coreness, the core (highest k-core) and the periphery.

    A member's coreness is the largest k such that it belongs to a subgroup in which every member has at
    least k ties inside the subgroup (Seidman, S. B. (1983), "Network structure and minimum degree",
    *Social Networks* 5: 269-287).  ``core`` lists the members of the highest non-empty k-core;
    ``periphery`` the members with coreness <= 1 (at most one tie into the rest).

    Examples
    --------
    >>> cp = core_periphery(build_network([(0, 1), (1, 2), (2, 0), (2, 3)]))
    >>> cp["k_max"], sorted(cp["core"]), cp["periphery"]
    (2, [0, 1, 2], [3])
    """
    _require_network(net)
    coreness = net.graph.coreness() if net.n else []
    k_max = max(coreness, default=0)
    return {
        "coreness": dict(zip(net.ids, coreness, strict=True)),
        "k_max": int(k_max),
        "core": [node for node, c in zip(net.ids, coreness, strict=True) if c == k_max and k_max > 0],
        "periphery": [node for node, c in zip(net.ids, coreness, strict=True) if c <= 1],
        "core_share": (sum(1 for c in coreness if c == k_max and k_max > 0) / net.n) if net.n else 0.0,
    }


def ei_index(net: Network, attributes: Mapping[Hashable, Any] | None = None) -> dict[str, Any]:
    r"""Krackhardt and Stern's E-I index: :math:`(E - I)/(E + I)`.

    E counts the ties between members of different groups, I the ties within a group; +1 means all ties
    cross groups (e.g. every tie joins a firm to an institution), -1 that no tie does.  Ties of members
    without a group are left out.  Also per group: (E_g - I_g)/(E_g + I_g) over the ties of its members.
    Reference: Krackhardt, D. & Stern, R. N. (1988), "Informal networks and organizational crises",
    *Social Psychology Quarterly* 51(2): 123-140.

    Parameters
    ----------
    attributes : mapping, optional
        Member id -> group; defaults to the attributes given to :func:`build_network`.

    Returns
    -------
    dict
        ``index`` (None without any classified tie), ``external``, ``internal``, ``by_group``.

    Examples
    --------
    >>> net = build_network([("f1", "u1"), ("f1", "f2"), ("f2", "u1")],
    ...                     attributes={"f1": "firm", "f2": "firm", "u1": "institution"})
    >>> ei_index(net)["index"]
    0.333...
    """
    _require_network(net)
    groups = dict(net.attributes if attributes is None else attributes)
    if not groups:
        raise AnalyticsInputError(
            "missing_attribute", "The E-I index needs a group (e.g. firm / institution) for the members; "
                                 "pass attributes to build_network() or ei_index().", column="attributes"
        )
    labels = pd.Series([groups.get(node) for node in net.ids], dtype=object)
    codes, names = pd.factorize(labels, use_na_sentinel=True)
    edges = np.asarray(net.graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    ga, gb = codes[edges[:, 0]], codes[edges[:, 1]]
    known = (ga >= 0) & (gb >= 0)
    ga, gb = ga[known], gb[known]
    crossing = ga != gb
    external, internal = int(crossing.sum()), int((~crossing).sum())
    k = len(names)
    ext_by = np.bincount(ga[crossing], minlength=k) + np.bincount(gb[crossing], minlength=k)
    int_by = np.bincount(ga[~crossing], minlength=k)
    per_group = {names[i]: [int(ext_by[i]), int(int_by[i])] for i in range(k)}
    total = external + internal
    return {
        "index": None if total == 0 else (external - internal) / total,
        "external": external,
        "internal": internal,
        "by_group": {g: (e - i) / (e + i) for g, (e, i) in per_group.items() if e + i},
    }


def isolates(net: Network) -> list[Hashable]:
    """Members without any tie.

    Examples
    --------
    >>> isolates(build_network([(1, 2)], nodes=[1, 2, 3]))
    [3]
    """
    _require_network(net)
    degree = net.graph.degree()
    return [node for node, d in zip(net.ids, degree, strict=True) if d == 0]


def node_centralization(net: Network, node: Hashable, *, k: int | None = None, seed: int = 0) -> dict[str, Any]:
    """How much the network depends on one member, e.g. the cluster development agent (CDA).

    A cluster ready for the CDA's exit has members tied to each other, not only to the CDA.

    Returns
    -------
    dict
        ``degree_share`` = the member's ties / (n - 1); ``betweenness`` (normalised, see
        :func:`betweenness`); ``tie_share`` = share of all ties that involve the member;
        ``dependent_members`` = members whose only tie is with it; ``components_without`` = connected
        components among the other members once it is removed (members it alone holds together).

    Examples
    --------
    >>> c = node_centralization(build_network([("cda", "a"), ("cda", "b"), ("a", "b"), ("cda", "c")]), "cda")
    >>> c["degree_share"], c["tie_share"], c["dependent_members"], c["components_without"]
    (1.0, 0.75, ['c'], 2)
    """
    _require_network(net)
    i = net.index(node)
    g = net.graph
    n = net.n
    degree = g.degree(i)
    neighbours = g.neighbors(i)
    degrees = g.degree(neighbours)
    rest = g.copy()
    rest.delete_vertices([i])
    return {
        "degree_share": degree / (n - 1) if n > 1 else 0.0,
        "betweenness": betweenness(net, k=k, seed=seed)[node] if n else 0.0,
        "tie_share": degree / net.m if net.m else 0.0,
        "dependent_members": [net.ids[j] for j, d in zip(neighbours, degrees, strict=True) if d == 1],
        "components_without": len(rest.connected_components()) if rest.vcount() else 0,
    }


def summary(
    net: Network,
    *,
    k: int | None = None,
    seed: int = 0,
    center: Hashable | None = None,
    top: int = 10,
) -> dict[str, Any]:
    """Every figure of the social-capital network at once (what the network page and indicators show).

    Parameters
    ----------
    k : int, optional
        Betweenness pivots (see :func:`betweenness`).
    seed : int
        Seed for Leiden and the pivots.
    center : member id, optional
        The CDA, for :func:`node_centralization`.
    top : int
        How many brokers to list.

    Examples
    --------
    >>> s = summary(build_network([(0, 1), (1, 2)], nodes=[0, 1, 2, 3]))
    >>> s["members"], s["ties"], s["isolates"], s["brokers"][0]
    (4, 2, [3], (1, 0.333...))
    """
    _require_network(net)
    between = betweenness(net, k=k, seed=seed)
    broker = brokerage(net)
    ranked = sorted(between.items(), key=lambda item: -item[1])[:top]
    comps = components(net)
    comms = communities(net, seed=seed)
    cp = core_periphery(net)
    result = {
        "members": net.n,
        "ties": net.m,
        "density": density(net),
        "average_degree": average_degree(net),
        "degree_centralization": degree_centralization(net),
        **clustering(net),
        "components": comps["count"],
        "largest_component_share": comps["largest_share"],
        "communities": comms["count"],
        "modularity": comms["modularity"],
        "community_of": comms["membership"],
        "brokers": ranked,
        "constraint": broker["constraint"],
        "effective_size": broker["effective_size"],
        "coreness": cp["coreness"],
        "core": cp["core"],
        "k_max": cp["k_max"],
        "core_share": cp["core_share"],
        "isolates": isolates(net),
        "isolate_share": (len(isolates(net)) / net.n) if net.n else 0.0,
        "betweenness_sampled": bool((k is not None and k < net.n) or (k is None and net.n > EXACT_BETWEENNESS_LIMIT)),
    }
    if net.attributes:
        result["ei_index"] = ei_index(net)["index"]
    if center is not None:
        result["center"] = node_centralization(net, center, k=k, seed=seed)
    return result


# -- change --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NetworkChange:
    """What changed between two networks of the same cluster (e.g. two survey rounds)."""

    new_ties: list[tuple]
    lost_ties: list[tuple]
    kept_ties: int
    density_before: float
    density_after: float
    members_before: int
    members_after: int

    @property
    def density_growth(self) -> float:
        """Absolute change of density (after - before)."""
        return self.density_after - self.density_before

    @property
    def density_growth_relative(self) -> float | None:
        """Relative change of density, None when the first network had no ties."""
        return None if self.density_before == 0 else self.density_after / self.density_before - 1.0


def network_change(before: Network, after: Network) -> NetworkChange:
    """Ties gained and lost between two networks, and the change of density.

    Ties are compared as unordered pairs of member ids; each density uses its own network's members.

    Examples
    --------
    >>> c = network_change(build_network([(1, 2), (2, 3)]), build_network([(1, 2), (1, 3), (3, 4)]))
    >>> c.new_ties, c.lost_ties, c.kept_ties, round(c.density_growth, 3)
    ([(1, 3), (3, 4)], [(2, 3)], 1, -0.167)
    """
    _require_network(before)
    _require_network(after)
    old, new = before.edge_set(), after.edge_set()

    def ordered(pairs: set[frozenset]) -> list[tuple]:
        out = []
        for pair in pairs:
            a, b = tuple(pair)
            try:
                out.append((a, b) if a <= b else (b, a))
            except TypeError:  # ids of mixed types
                out.append((a, b))
        try:
            return sorted(out)
        except TypeError:
            return sorted(out, key=repr)

    return NetworkChange(
        new_ties=ordered(new - old),
        lost_ties=ordered(old - new),
        kept_ties=len(old & new),
        density_before=density(before),
        density_after=density(after),
        members_before=before.n,
        members_after=after.n,
    )
