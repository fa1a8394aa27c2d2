"""Social-capital network metrics: khooshe.analytics.network (igraph + leidenalg) vs NetworkX, same graph, same run.

    .venv/bin/python benchmarks/network_bench.py                          # 100,000 members, 1,000,000 ties, 3 runs
    .venv/bin/python benchmarks/network_bench.py --members 2000 --ties 20000 --runs 1   # a quick try

The graph is generated with a fixed seed: members in communities of log-normal size (80% of a member's ties
inside its community, the rest anywhere, partners drawn by preferential weights so that degrees are skewed as
in real cooperation networks), weights 1-5, a firm/institution attribute (15% institutions) and 2% isolates.

Two graphs are measured:

* the **full** graph (``--members`` / ``--ties``): every metric of khooshe; NetworkX runs the metrics it
  finishes in reasonable time on it (build, density, degree centralisation, components, k-core,
  transitivity, average clustering, isolates, E-I) and betweenness with ``--nx-pivots`` pivots, compared per
  pivot (both estimate from pivots; the time of a pivot is one breadth-first search).  Leiden/Louvain and
  Burt's constraint / effective size take NetworkX many minutes at this size: they are measured on
* the **small** graph (a tenth of the members and ties, same generator), where NetworkX runs everything
  (Louvain stands in for Leiden, which NetworkX lacks; constraint and effective size on every member).

Wall time is the median over ``--runs`` runs (``--nx-runs`` for NetworkX on the full graph, where one run of
its slow metrics takes minutes). Peak memory is the growth of the process's resident set
high-water mark during the metric (``VmHWM`` reset through ``/proc/self/clear_refs``), which sees igraph's C
allocations as well as Python's.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from khooshe.analytics import network as netm  # noqa: E402


def make_graph(members: int, ties: int, seed: int = 7):
    rng = np.random.default_rng(seed)
    sizes = np.maximum(3, rng.lognormal(3.5, 1.0, size=members // 20).astype(int))
    community = np.repeat(np.arange(len(sizes)), sizes)[:members]
    if len(community) < members:
        community = np.concatenate([community, rng.integers(0, len(sizes), members - len(community))])
    rng.shuffle(community)
    activity = rng.pareto(2.0, members) + 1.0
    active = np.ones(members, dtype=bool)
    active[rng.choice(members, size=members // 50, replace=False)] = False  # isolates
    activity[~active] = 0
    order = np.argsort(community, kind="stable")
    bounds = np.searchsorted(community[order], np.arange(len(sizes) + 1))
    probs_all = activity / activity.sum()
    want = int(ties * 1.6)
    src = rng.choice(members, size=want, p=probs_all)
    inside = rng.random(want) < 0.8
    dst = rng.choice(members, size=want, p=probs_all)
    # partner inside the community: a random member of the same community, weighted by activity
    for c in range(len(sizes)):
        rows = np.flatnonzero(inside & (community[src] == c))
        if not len(rows):
            continue
        pool = order[bounds[c]:bounds[c + 1]]
        w = activity[pool]
        if w.sum() == 0:
            continue
        dst[rows] = rng.choice(pool, size=len(rows), p=w / w.sum())
    keep = src != dst
    low, high = np.minimum(src[keep], dst[keep]), np.maximum(src[keep], dst[keep])
    pairs = np.unique(low.astype(np.int64) * members + high)
    rng.shuffle(pairs)
    pairs = pairs[:ties]
    edges_src, edges_dst = pairs // members, pairs % members
    weights = rng.integers(1, 6, len(pairs)).astype(float)
    groups = np.where(rng.random(members) < 0.15, "institution", "firm")
    return edges_src, edges_dst, weights, groups


# -- memory ---------------------------------------------------------------------------------------------

def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) * 1024
    return 0


def measure(fn, runs: int):
    """(median seconds, peak memory growth in bytes, result)."""
    times, peaks, result = [], [], None
    for _ in range(runs):
        gc.collect()
        try:
            Path("/proc/self/clear_refs").write_text("5")
        except OSError:
            pass
        start_rss = _status("VmRSS:")
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
        peaks.append(max(0, _status("VmHWM:") - start_rss))
    return statistics.median(times), statistics.median(peaks), result


# -- the two implementations -------------------------------------------------------------------------

def khooshe_metrics(src, dst, weights, groups, members, pivots):
    ids = range(members)
    attributes = dict(enumerate(groups.tolist()))
    state = {}

    def build():
        state["net"] = netm.build_network(
            list(zip(src.tolist(), dst.tolist(), weights.tolist(), strict=True)), nodes=ids, attributes=attributes
        )
        return state["net"]

    yield "build", build
    yield "density + average degree", lambda: (netm.density(state["net"]), netm.average_degree(state["net"]))
    yield "degree centralisation", lambda: netm.degree_centralization(state["net"])
    yield "components", lambda: netm.components(state["net"])["count"]
    yield "k-core (core-periphery)", lambda: netm.core_periphery(state["net"])["k_max"]
    yield "transitivity + avg local clustering", lambda: netm.clustering(state["net"])
    yield "isolates", lambda: len(netm.isolates(state["net"]))
    yield "E-I index", lambda: netm.ei_index(state["net"])["index"]
    yield f"betweenness ({pivots} pivots)", lambda: netm.betweenness(state["net"], k=pivots, seed=1)
    yield "communities (Leiden / Louvain)", lambda: netm.communities(state["net"], seed=1)["modularity"]
    yield "constraint + effective size", lambda: netm.brokerage(state["net"])
    yield "centralisation around one member", lambda: netm.node_centralization(state["net"], 0, k=pivots)


def networkx_metrics(src, dst, weights, groups, members, pivots, full: bool):
    import networkx as nx

    state = {}

    def build():
        G = nx.Graph()
        G.add_nodes_from(range(members))
        G.add_weighted_edges_from(zip(src.tolist(), dst.tolist(), weights.tolist(), strict=True))
        state["G"] = G
        return G

    def centralisation():
        G = state["G"]
        n = G.number_of_nodes()
        degrees = [d for _, d in G.degree]
        top = max(degrees)
        return sum(top - d for d in degrees) / ((n - 1) * (n - 2))

    def ei():
        G = state["G"]
        firms = {v for v in G if groups[v] == "firm"}
        external = nx.cut_size(G, firms)
        internal = G.number_of_edges() - external
        return (external - internal) / (external + internal)

    def around():
        G = state["G"]
        H = G.copy()
        H.remove_node(0)
        return (nx.degree_centrality(G)[0], nx.betweenness_centrality(G, k=pivots, seed=1)[0],
                nx.number_connected_components(H))

    def brokerage():
        G = state["G"]
        return nx.constraint(G, weight="weight"), nx.effective_size(G)

    yield "build", build
    yield "density + average degree", lambda: (nx.density(state["G"]), 2 * state["G"].number_of_edges() / members)
    yield "degree centralisation", centralisation
    yield "components", lambda: nx.number_connected_components(state["G"])
    yield "k-core (core-periphery)", lambda: max(nx.core_number(state["G"]).values())
    yield "transitivity + avg local clustering", lambda: (nx.transitivity(state["G"]), nx.average_clustering(state["G"]))
    yield "isolates", lambda: len(list(nx.isolates(state["G"])))
    yield "E-I index", ei
    yield f"betweenness ({pivots} pivots)", lambda: nx.betweenness_centrality(state["G"], k=pivots, seed=1)
    if not full:
        yield "communities (Leiden / Louvain)", lambda: nx.community.modularity(
            state["G"], nx.community.louvain_communities(state["G"], weight="weight", seed=1), weight="weight")
        yield "constraint + effective size", brokerage
        yield "centralisation around one member", around


def run_graph(label, members, ties, runs, pivots, nx_pivots, full, nx_runs):
    print(f"\n## {label}: {members:,} members, {ties:,} ties, {runs} run(s) (networkx: {nx_runs})", flush=True)
    t0 = time.perf_counter()
    src, dst, weights, groups = make_graph(members, ties)
    print(f"(generated {len(src):,} ties in {time.perf_counter() - t0:.1f} s)")
    ours = {}
    for name, fn in khooshe_metrics(src, dst, weights, groups, members, pivots):
        ours[name] = measure(fn, runs)[:2]
        print(f"  khooshe  {name}: {ours[name][0]:.3f} s", flush=True)
    theirs = {}
    for name, fn in networkx_metrics(src, dst, weights, groups, members, nx_pivots if full else pivots, full):
        key = name.replace(f"({nx_pivots} pivots)", f"({pivots} pivots)") if full else name
        seconds, peak = measure(fn, nx_runs)[:2]
        print(f"  networkx {name}: {seconds:.3f} s", flush=True)
        if full and key.startswith("betweenness"):
            seconds *= pivots / nx_pivots  # per pivot, scaled to khooshe's number of pivots
        theirs[key] = (seconds, peak)
    print("| metric | khooshe s | khooshe peak MiB | networkx s | networkx peak MiB | networkx / khooshe |")
    print("|---|---:|---:|---:|---:|---:|")
    total_ours = total_theirs = 0.0
    for name, (s, p) in ours.items():
        if name in theirs:
            ns, npk = theirs[name]
            total_ours += s
            total_theirs += ns
            ratio = f"{ns / s:.1f}x" if s > 0 else "-"
            print(f"| {name} | {s:.3f} | {p / 2**20:.0f} | {ns:.3f} | {npk / 2**20:.0f} | {ratio} |")
        else:
            print(f"| {name} | {s:.3f} | {p / 2**20:.0f} | not run (minutes) | | |")
    all_ours = sum(s for s, _ in ours.values())
    print(f"| **all metrics, khooshe** | {all_ours:.2f} | | | | |")
    print(f"| **metrics both ran** | {total_ours:.2f} | | {total_theirs:.2f} | | {total_theirs / total_ours:.1f}x |")
    if full:
        print(f"(networkx betweenness ran {nx_pivots} pivots; its time is scaled to {pivots} pivots)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--ties", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pivots", type=int, default=256)
    parser.add_argument("--nx-pivots", type=int, default=8)
    parser.add_argument("--nx-runs", type=int, default=None,
                        help="runs of networkx (default: --runs); 1 keeps the full graph within minutes")
    parser.add_argument("--skip-full", action="store_true")
    args = parser.parse_args(argv)
    random.seed(0)
    import igraph
    import leidenalg
    import networkx

    print(f"igraph {igraph.__version__}, leidenalg {leidenalg.version}, networkx {networkx.__version__}")
    if not args.skip_full:
        run_graph("full graph", args.members, args.ties, args.runs, args.pivots, args.nx_pivots, full=True,
                  nx_runs=args.nx_runs or args.runs)
    run_graph("small graph", args.members // 10, args.ties // 10, args.runs, min(args.pivots, args.members // 10),
              args.nx_pivots, full=False, nx_runs=args.runs)


if __name__ == "__main__":
    main()
