"""Network metrics of khooshe.analytics.network checked against NetworkX on small graphs."""

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khooshe.analytics import network as netm
from khooshe.analytics.validation import AnalyticsInputError


def _graphs():
    karate = nx.karate_club_graph()
    for u, v in karate.edges:
        karate[u][v]["weight"] = float(karate[u][v].get("weight", 1))
    florentine = nx.convert_node_labels_to_integers(nx.florentine_families_graph(), label_attribute="name")
    random_graph = nx.gnm_random_graph(40, 90, seed=3)
    random_graph.add_nodes_from([100, 101])  # isolates
    rng = np.random.default_rng(4)
    for u, v in random_graph.edges:
        random_graph[u][v]["weight"] = float(rng.integers(1, 6))
    return {"karate": karate, "florentine": florentine, "random": random_graph,
            "star": nx.star_graph(6), "two_parts": nx.disjoint_union(nx.cycle_graph(5), nx.path_graph(4))}


GRAPHS = _graphs()


def _ours(G, weighted=True):
    edges = [(u, v, d.get("weight", 1.0)) if weighted else (u, v) for u, v, d in G.edges(data=True)]
    return netm.build_network(edges, nodes=list(G.nodes))


@pytest.fixture(params=sorted(GRAPHS))
def pair(request):
    G = GRAPHS[request.param]
    return G, _ours(G)


def test_density_and_average_degree(pair):
    G, net = pair
    assert netm.density(net) == pytest.approx(nx.density(G))
    assert netm.average_degree(net) == pytest.approx(sum(d for _, d in G.degree) / G.number_of_nodes())


def test_freeman_degree_centralization(pair):
    G, net = pair
    n = G.number_of_nodes()
    degrees = [d for _, d in G.degree]
    expected = sum(max(degrees) - d for d in degrees) / ((n - 1) * (n - 2))
    assert netm.degree_centralization(net) == pytest.approx(expected)


def test_star_is_fully_centralised_and_cycle_not():
    assert netm.degree_centralization(_ours(nx.star_graph(5))) == pytest.approx(1.0)
    assert netm.degree_centralization(_ours(nx.cycle_graph(7))) == pytest.approx(0.0)


def test_clustering(pair):
    G, net = pair
    result = netm.clustering(net)
    assert result["transitivity"] == pytest.approx(nx.transitivity(G))
    assert result["average_local"] == pytest.approx(nx.average_clustering(G))


def test_components(pair):
    G, net = pair
    result = netm.components(net)
    assert result["count"] == nx.number_connected_components(G)
    assert result["sizes"] == sorted((len(c) for c in nx.connected_components(G)), reverse=True)
    for comp in nx.connected_components(G):
        assert len({result["membership"][v] for v in comp}) == 1


def test_communities_modularity_matches_networkx(pair):
    G, net = pair
    result = netm.communities(net, seed=1)
    groups = {}
    for node, c in result["membership"].items():
        groups.setdefault(c, set()).add(node)
    assert result["modularity"] == pytest.approx(nx.community.modularity(G, groups.values(), weight="weight"))
    # Leiden is at least as good as NetworkX's Louvain on these graphs
    louvain = nx.community.louvain_communities(G, weight="weight", seed=1)
    assert result["modularity"] >= nx.community.modularity(G, louvain, weight="weight") - 0.02
    assert sorted(result["sizes"], reverse=True) == result["sizes"]


def test_communities_find_two_cliques():
    G = nx.barbell_graph(6, 0)
    result = netm.communities(_ours(G))
    assert result["count"] == 2
    assert len({result["membership"][v] for v in range(6)}) == 1
    assert result["membership"][0] != result["membership"][11]


def test_exact_betweenness(pair):
    G, net = pair
    ours = netm.betweenness(net)
    theirs = nx.betweenness_centrality(G, normalized=True)
    for node in G:
        assert ours[node] == pytest.approx(theirs[node], abs=1e-12)


def test_sampled_betweenness_equals_pivot_formula():
    G = GRAPHS["karate"]
    net = _ours(G)
    n, k = G.number_of_nodes(), 8
    ours = netm.betweenness(net, k=k, seed=5)
    # the same pivots (random.Random(seed).sample over vertex positions) summed by NetworkX
    import random
    pivots = [list(G.nodes)[i] for i in random.Random(5).sample(range(n), k)]
    subset = nx.betweenness_centrality_subset(G, pivots, list(G), normalized=False)
    for node in G:
        assert ours[node] == pytest.approx(subset[node] * n / k * 2 / ((n - 1) * (n - 2)))
    # more pivots than members: exact
    assert netm.betweenness(net, k=1000) == pytest.approx(nx.betweenness_centrality(G))


def test_sampled_betweenness_ranks_the_broker_first():
    G = nx.barbell_graph(30, 1)  # members 29-30-31 carry every path between the two bells
    ours = netm.betweenness(_ours(G), k=20, seed=2)
    assert set(sorted(ours, key=ours.get)[-3:]) == {29, 30, 31}
    assert all(ours[v] < 0.01 for v in range(25))


def test_constraint_and_effective_size(pair):
    G, net = pair
    result = netm.brokerage(net)
    constraint = nx.constraint(G, weight="weight")
    effective = nx.effective_size(G)
    for node in G:
        if G.degree(node) == 0:
            assert math.isnan(result["constraint"][node]) and math.isnan(result["effective_size"][node])
            continue
        assert result["constraint"][node] == pytest.approx(constraint[node])
        assert result["effective_size"][node] == pytest.approx(effective[node])


def test_core_periphery(pair):
    G, net = pair
    result = netm.core_periphery(net)
    core = nx.core_number(G)
    assert result["coreness"] == core
    k_max = max(core.values())
    assert result["k_max"] == k_max
    assert sorted(result["core"]) == sorted(nx.k_core(G, k_max).nodes)
    assert sorted(result["periphery"]) == sorted(v for v, c in core.items() if c <= 1)


def test_ei_index_against_cut_size():
    G = GRAPHS["karate"]
    groups = {v: G.nodes[v]["club"] for v in G}
    net = netm.build_network(list(G.edges), nodes=list(G), attributes=groups)
    result = netm.ei_index(net)
    mr_hi = {v for v, g in groups.items() if g == "Mr. Hi"}
    external = nx.cut_size(G, mr_hi)
    internal = G.number_of_edges() - external
    assert result["external"] == external and result["internal"] == internal
    assert result["index"] == pytest.approx((external - internal) / (external + internal))
    hi_internal = G.subgraph(mr_hi).number_of_edges()
    assert result["by_group"]["Mr. Hi"] == pytest.approx((external - hi_internal) / (external + hi_internal))


def test_ei_index_extremes_and_missing_groups():
    bipartite = netm.build_network([("f1", "u1"), ("f2", "u1")], attributes={"f1": "firm", "f2": "firm", "u1": "uni"})
    assert netm.ei_index(bipartite)["index"] == 1.0
    firms = netm.build_network([("f1", "f2")], attributes={"f1": "firm", "f2": "firm"})
    assert netm.ei_index(firms)["index"] == -1.0
    with pytest.raises(AnalyticsInputError, match="group"):
        netm.ei_index(netm.build_network([("a", "b")]))


def test_isolates(pair):
    G, net = pair
    assert sorted(netm.isolates(net)) == sorted(nx.isolates(G))


def test_node_centralization_against_networkx():
    G = nx.star_graph(5)
    G.add_edge(1, 2)
    G.add_edge(6, 7)
    net = _ours(G)
    result = netm.node_centralization(net, 0)
    assert result["degree_share"] == pytest.approx(nx.degree_centrality(G)[0])
    assert result["betweenness"] == pytest.approx(nx.betweenness_centrality(G)[0])
    assert result["tie_share"] == pytest.approx(5 / G.number_of_edges())
    assert sorted(result["dependent_members"]) == [3, 4, 5]
    H = G.copy()
    H.remove_node(0)
    assert result["components_without"] == nx.number_connected_components(H)
    with pytest.raises(AnalyticsInputError, match="'nobody'"):
        netm.node_centralization(net, "nobody")


def test_network_change_against_edge_sets():
    before = nx.gnm_random_graph(30, 60, seed=1)
    after = nx.gnm_random_graph(30, 70, seed=2)
    change = netm.network_change(_ours(before, weighted=False), _ours(after, weighted=False))
    old = {frozenset(e) for e in before.edges}
    new = {frozenset(e) for e in after.edges}
    assert {frozenset(e) for e in change.new_ties} == new - old
    assert {frozenset(e) for e in change.lost_ties} == old - new
    assert change.kept_ties == len(old & new)
    assert change.density_growth == pytest.approx(nx.density(after) - nx.density(before))
    assert change.density_growth_relative == pytest.approx(nx.density(after) / nx.density(before) - 1)


def test_summary_has_every_figure():
    G = GRAPHS["karate"]
    groups = {v: G.nodes[v]["club"] for v in G}
    net = netm.build_network(list(G.edges), nodes=list(G), attributes=groups)
    s = netm.summary(net, center=0)
    assert s["density"] == pytest.approx(nx.density(G))
    assert s["brokers"][0][0] == 0  # member 0 (Mr. Hi) has the highest betweenness
    assert s["center"]["degree_share"] == pytest.approx(nx.degree_centrality(G)[0])
    assert s["ei_index"] is not None and s["betweenness_sampled"] is False


# -- building and bad input --------------------------------------------------------------------------

def test_repeated_ties_are_combined():
    edges = [("a", "b", 2), ("b", "a", 4), ("a", "c")]
    assert sorted(netm.build_network(edges).graph.es["weight"]) == [1.0, 4.0]
    assert sorted(netm.build_network(edges, combine="mean").graph.es["weight"]) == [1.0, 3.0]
    assert sorted(netm.build_network(edges, combine="sum").graph.es["weight"]) == [1.0, 6.0]


def test_dataframe_input():
    frame = pd.DataFrame({"source": [1, 2], "target": [2, 3], "weight": [1.0, 5.0]})
    net = netm.build_network(frame, nodes=[1, 2, 3, 4])
    assert (net.n, net.m) == (4, 2)
    assert netm.isolates(net) == [4]


@pytest.mark.parametrize("edges, kwargs, match", [
    ([("a", "a")], {}, "Edge 1 ties member 'a' to itself"),
    ([(1, 2), (7, 7)], {}, "Edge 2 ties member 7 to itself"),
    ([("a", "b"), ("a", "z")], {"nodes": ["a", "b"]}, "Edge 2 names member 'z'"),
    ([("a", "b", -1)], {}, "Edge 1 has weight -1"),
    ([("a", "b", "strong")], {}, "Edge 1 has weight 'strong'"),
    ([("a",)], {}, "Edge 1 is"),
    ([("a", "b")], {"nodes": ["a", "b", "a"]}, "Member 'a' is listed twice"),
    ([("a", "b")], {"combine": "median"}, "combine='median'"),
    (pd.DataFrame({"from": [1], "to": [2]}), {}, "no column 'source'"),
])
def test_bad_input_names_the_row_and_value(edges, kwargs, match):
    with pytest.raises(AnalyticsInputError, match=match):
        netm.build_network(edges, **kwargs)


def test_bad_options():
    net = netm.build_network([(1, 2), (2, 3)])
    with pytest.raises(AnalyticsInputError, match="k=0"):
        netm.betweenness(net, k=0)
    with pytest.raises(AnalyticsInputError, match="resolution"):
        netm.communities(net, resolution=-1)
    with pytest.raises(AnalyticsInputError, match="Network"):
        netm.density([(1, 2)])


def test_empty_and_tiny_networks():
    empty = netm.build_network([], nodes=["a", "b"])
    assert netm.density(empty) == 0.0
    assert netm.clustering(empty) == {"transitivity": 0.0, "average_local": 0.0}
    assert netm.communities(empty)["count"] == 2
    assert netm.isolates(empty) == ["a", "b"]
    assert netm.core_periphery(empty)["core"] == []


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 14), st.integers(0, 14)).filter(lambda e: e[0] != e[1]), max_size=50))
def test_random_graphs_match_networkx(edges):
    G = nx.Graph()
    G.add_nodes_from(range(15))
    G.add_edges_from(edges)
    net = netm.build_network(edges, nodes=range(15))
    assert net.m == G.number_of_edges()
    assert netm.density(net) == pytest.approx(nx.density(G))
    assert netm.clustering(net)["transitivity"] == pytest.approx(nx.transitivity(G))
    assert netm.core_periphery(net)["coreness"] == nx.core_number(G)
    assert netm.betweenness(net) == pytest.approx(nx.betweenness_centrality(G))
