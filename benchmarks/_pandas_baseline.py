"""The baseline of ``analytics_bench.py``: khooshe's analysis run written the straightforward pandas way.

What an analyst would write, with the reference packages where they exist, to get the same tables as
:func:`khooshe.analytics.pipeline.run_pipeline` (default options) from the same establishment records:

- ``pd.read_parquet`` of the needed columns, a null/negative check, ``groupby`` per region, industry and
  year (``sum``, ``nunique`` establishments), ``unstack`` into region x industry matrices;
- location quotients and shares with DataFrame arithmetic; ECO stars with ``DataFrame.quantile`` per
  column; U.S. Cluster Mapping flags with ``groupby(...).quantile`` over the regions with employment;
- economic complexity (RCA, presence, ECI, PCI, density, COI, COG) with the reference package,
  ``ecomplexity.ecomplexity()`` on the long frame of the analysed year;
- growth (CAGR) and shift-share with DataFrame arithmetic;
- Krugman, Hachman, entropy and Herfindahl per region with ``apply`` row by row; the locational Gini in
  a loop over industries; Hoover with DataFrame arithmetic; cluster type (local / traded) from those;
  technology level by looking the codes up in khooshe's shipped ISIC table;
- Ellison-Glaeser from the plants of the analysed year with ``groupby``;
- relatedness with ``DataFrame.corr()`` (of location quotients and of establishment counts); the cluster
  definitions with the *same* ``leidenalg`` call as khooshe (there is no pandas alternative); the
  Delgado-Porter-Stern validation scores with ``groupby``; the drawn network with SciPy's spanning tree;
- candidate clusters: stage by boolean masks, priority by TOPSIS written with DataFrame arithmetic;
- diversification from ``ecomplexity``'s density and COG, ``sort_values`` + ``groupby().head()``.

It leaves out what only khooshe does: the input checks that name the bad row and the reason sentences
of each classification (a few seconds of string formatting are on khooshe's side of the comparison).
``analytics_bench.py`` checks that both give the same numbers.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

# The same defaults as khooshe.analytics.pipeline.PipelineOptions (and classify / decision / diversification).
ECO_SIZE_QUANTILE = ECO_FOCUS_QUANTILE = 0.9
ECO_SPECIALISATION = 2.0
CANDIDATE_MIN_STARS = 2
TYPE_GINI_THRESHOLD, TYPE_EVEN_BAND, TYPE_EVEN_SHARE = 0.08, (0.5, 1.5), 0.85
NATURAL_RESOURCE_DIVISIONS = ("01", "02", "03", "05", "06", "07", "08", "09")
STAGE_FORMED_ESTABLISHMENTS, STAGE_FORMED_EMPLOYMENT, STAGE_DEVELOPING_GROWTH = 10, 100, 0.03
DIVERSIFICATION_TOP = 10
TECH_TABLE = Path(__file__).resolve().parent.parent / "src/khooshe/analytics/data/tech_intensity_isic4.csv"


def run(path, progress: Callable[[str], None] | None = None) -> dict[str, pd.DataFrame]:
    """Every table of the analysis run, from the establishment records in the Parquet file ``path``."""
    with warnings.catch_warnings():
        # pandas 2.3 announces a new DataFrame.stack (FutureWarning); the analyst's plain .stack() is kept
        warnings.simplefilter("ignore", FutureWarning)
        return _run(path, progress or (lambda name: None))


def _run(path, step: Callable[[str], None]) -> dict[str, pd.DataFrame]:

    step("reading the data")
    frame = pd.read_parquet(path, columns=["establishment_id", "year", "region", "industry", "employees",
                                           "wages"])
    if frame.isna().any().any():
        raise ValueError(f"empty cells in {frame.columns[frame.isna().any()].tolist()}")
    if (frame[["employees", "wages"]] < 0).any().any():
        raise ValueError("negative employees or wages")

    step("aggregating by region and industry")
    long = frame.groupby(["region", "industry", "year"]).agg(
        employment=("employees", "sum"), establishments=("establishment_id", "nunique"),
        wages=("wages", "sum"))

    step("building the region x industry matrices")
    years = sorted(long.index.get_level_values("year").unique())
    first, year = years[0], years[-1]
    all_regions = long.index.get_level_values("region").unique().sort_values()
    all_industries = long.index.get_level_values("industry").unique().sort_values()

    def matrix(measure, in_year):
        return (long[measure].xs(in_year, level="year").unstack(fill_value=0)
                .reindex(index=all_regions, columns=all_industries, fill_value=0).astype(float))

    employment = matrix("employment", year)
    employment = employment.loc[employment.sum(axis=1) > 0, employment.sum(axis=0) > 0]
    establishments = matrix("establishments", year).reindex_like(employment)
    wages = matrix("wages", year).reindex_like(employment)
    base = matrix("employment", first).reindex_like(employment)

    step("location quotients and stars")
    region_total, industry_total = employment.sum(axis=1), employment.sum(axis=0)
    total = region_total.sum()
    share = employment.div(region_total, axis=0)
    national = industry_total / total
    lq = share.div(national, axis=1)
    present = employment > 0
    star_size = present & employment.ge(employment.quantile(ECO_SIZE_QUANTILE), axis=1)
    star_specialisation = present & (lq >= ECO_SPECIALISATION)
    star_focus = present & share.ge(share.quantile(ECO_FOCUS_QUANTILE), axis=1)
    cells = pd.DataFrame({"employment": employment.stack(), "establishments": establishments.stack(),
                          "wages": wages.stack(), "lq": lq.stack(), "star_size": star_size.stack(),
                          "star_specialisation": star_specialisation.stack(),
                          "star_focus": star_focus.stack()})
    cells["stars"] = cells[["star_size", "star_specialisation", "star_focus"]].sum(axis=1)
    positive = cells[cells["employment"] > 0].groupby(level="industry")
    q = pd.DataFrame({"q25_lq": positive["lq"].quantile(0.25), "q50_lq": positive["lq"].quantile(0.5),
                      "q75_lq": positive["lq"].quantile(0.75), "q90_lq": positive["lq"].quantile(0.9),
                      "q25_emp": positive["employment"].quantile(0.25),
                      "q25_est": positive["establishments"].quantile(0.25)})
    t = cells.join(q, on="industry")
    big_enough = (t["employment"] > t["q25_emp"]) & (t["establishments"] > t["q25_est"])
    cells["strong"] = (t["lq"] >= t["q75_lq"]) & (t["lq"] >= 1) & big_enough
    cells["strong10"] = (t["lq"] >= t["q90_lq"]) & (t["lq"] >= 1) & big_enough
    cells["qualifying"] = (t["lq"] > t["q25_lq"]) & big_enough
    cells["significant"] = (t["lq"] > t["q50_lq"]) & big_enough

    step("economic complexity")
    import ecomplexity

    year_rows = long.xs(year, level="year", drop_level=False).reset_index()
    year_rows = year_rows[year_rows["employment"] > 0]  # the regions and industries of the matrices above
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        complexity = ecomplexity.ecomplexity(
            year_rows[["year", "region", "industry", "employment"]],
            {"time": "year", "loc": "region", "prod": "industry", "val": "employment"},
            verbose=False, check_logsupermodularity=False,
        ).set_index(["region", "industry"])
    cells = cells.join(complexity[["rca", "mcp", "density", "cog"]])
    cells[["rca", "mcp", "density", "cog"]] = cells[["rca", "mcp", "density", "cog"]].fillna(0)

    step("growth and shift-share")
    span = float(year - first)
    cells["growth"] = ((employment / base.where(base > 0)) ** (1 / span) - 1).stack(dropna=False)
    cells["employment_base"] = base.stack()
    g = employment.sum().sum() / base.sum().sum() - 1
    gi = (employment.sum() / base.sum()).where(base.sum() > 0, 1.0) - 1
    cells["national_share"] = (base * g).stack()
    cells["industry_mix"] = base.mul(gi - g, axis=1).stack()
    cells["regional_shift"] = (employment - base.mul(1 + gi, axis=1)).stack()

    step("regional and industry indicators")
    per_region = complexity.groupby(level="region")[["diversity", "eci", "coi"]].first()
    regions = pd.DataFrame({
        "employment": region_total, "establishments": establishments.sum(axis=1),
        "industries_present": present.sum(axis=1),
        "diversity": per_region["diversity"], "eci": per_region["eci"], "coi": per_region["coi"],
        "krugman": share.sub(national, axis=1).abs().sum(axis=1),
        "hachman": share.apply(lambda row: 1 / (row ** 2 / national).sum(), axis=1),
        "entropy": share.apply(lambda row: -(row[row > 0] * np.log2(row[row > 0])).sum(), axis=1),
        "herfindahl": share.apply(lambda row: (row ** 2).sum(), axis=1),
    })
    population = region_total / total
    locational_gini = {}
    for industry in employment.columns:  # EconGeo locational.Gini, one industry at a time
        order = (employment[industry] / population).sort_values(kind="stable").index
        c = employment[industry][order].cumsum() / industry_total[industry]
        p = population[order].cumsum()
        locational_gini[industry] = 0.5 * ((c.values[1:] * p.values[:-1]).sum()
                                           - (c.values[:-1] * p.values[1:]).sum())
    locational_gini = pd.Series(locational_gini)
    per_industry = complexity.groupby(level="industry")[["ubiquity", "pci"]].first()
    industries = pd.DataFrame({
        "employment": industry_total, "establishments": establishments.sum(axis=0),
        "regions_present": present.sum(axis=0), "ubiquity": per_industry["ubiquity"],
        "pci": per_industry["pci"],
        "locational_gini": locational_gini,
        "hoover": employment.div(industry_total, axis=1).sub(population, axis=0).abs().sum() / 2,
    })
    codes = industries.index.to_series().astype(str)
    tech = pd.read_csv(TECH_TABLE, dtype=str, keep_default_na=False).set_index("code")["level"]
    level = pd.Series(None, index=industries.index, dtype=object)
    for length in (2, 3, 4):  # the longest listed prefix wins
        found = codes.str[:length].map(tech).where(codes.str.isdigit() & (codes.str.len() >= length))
        level = found.where(found.notna(), level)
    industries["tech_level"] = level
    even = ((lq >= TYPE_EVEN_BAND[0]) & (lq <= TYPE_EVEN_BAND[1])).mean()
    natural = codes.str.isdigit() & codes.str[:2].isin(NATURAL_RESOURCE_DIVISIONS)
    concentrated = (industries["locational_gini"] >= TYPE_GINI_THRESHOLD) | (even < TYPE_EVEN_SHARE)
    industries["cluster_type"] = np.where(natural, "natural_resource",
                                          np.where(concentrated, "traded", "local"))
    base_total = base.sum()
    industries["growth"] = (industry_total / base_total.where(base_total > 0)) ** (1 / span) - 1

    step("Ellison-Glaeser agglomeration")
    plants = frame[frame["year"] == year]
    in_cells = plants.groupby(["region", "industry"])["employees"].sum().unstack(fill_value=0)
    x = in_cells.sum(axis=1) / in_cells.to_numpy().sum()
    s = in_cells / in_cells.sum()
    G = (s.sub(x, axis=0) ** 2).sum()
    z = plants["employees"] / plants.groupby("industry")["employees"].transform("sum")
    H = (z ** 2).groupby(plants["industry"]).sum()
    sum_x2 = (x ** 2).sum()
    industries["ellison_glaeser"] = ((G - (1 - sum_x2) * H) / ((1 - sum_x2) * (1 - H))).where(H < 1)

    step("related industries and cluster definitions")
    related = (lq.corr() + establishments.corr()) / 2
    groups = _leiden(related)
    industries["cluster_group"] = groups
    vs_cr, vs_ir = _validation_scores(related, groups)
    edges = _network(related)

    step("candidate clusters: stage, type and priority")
    clusters = _candidate_clusters(cells, industries)

    step("diversification opportunities")
    candidates = complexity.loc[complexity["mcp"] == 0, ["density", "cog", "pci"]].copy()
    standardised = (candidates - candidates.mean()) / candidates.std(ddof=0)
    candidates["score"] = 0.5 * standardised["density"] + 0.5 * standardised["cog"]
    candidates = candidates.reset_index()
    candidates["position"] = candidates["industry"].map({c: i for i, c in enumerate(employment.columns)})
    diversification = (candidates.sort_values(["region", "score", "position"], ascending=[True, False, True])
                       .groupby("region").head(DIVERSIFICATION_TOP).drop(columns="position"))
    diversification["rank"] = diversification.groupby("region").cumcount() + 1

    step("done")
    return {
        "region_industry": cells.rename_axis(["region", "industry"]).reset_index(),
        "regions": regions.rename_axis("region").reset_index(),
        "industries": industries.rename_axis("industry").reset_index(),
        "clusters": clusters,
        "diversification": diversification.reset_index(drop=True),
        "relatedness_edges": edges,
        "cluster_definitions": groups.rename("group").rename_axis("industry").reset_index(),
        "validation": pd.DataFrame({"vs_cr": [vs_cr], "vs_ir": [vs_ir]}),
    }


def _leiden(related: pd.DataFrame) -> pd.Series:
    """Leiden on the positive relatedness: the leidenalg call of khooshe (seed 0); 1 = the largest cluster."""
    import igraph
    import leidenalg

    values = related.to_numpy()
    i, j = np.triu_indices(len(values), 1)
    keep = values[i, j] > 0
    graph = igraph.Graph(n=len(values), edges=list(zip(i[keep].tolist(), j[keep].tolist(), strict=True)))
    graph.es["weight"] = values[i, j][keep].tolist()
    partition = leidenalg.find_partition(graph, leidenalg.ModularityVertexPartition, weights="weight",
                                         n_iterations=-1, seed=0)
    membership = pd.Series(partition.membership, index=related.index)
    # Numbered by size, ties by first industry, as khooshe numbers them.
    sizes = membership.value_counts()
    first = pd.Series(range(len(membership)), index=related.index).groupby(membership.to_numpy()).min()
    order = (pd.DataFrame({"size": sizes, "first": first})
             .sort_values(["size", "first"], ascending=[False, True]))
    return membership.map(pd.Series(range(1, len(order) + 1), index=order.index)).rename("cluster")


def _validation_scores(related: pd.DataFrame, clusters: pd.Series) -> tuple[float, float]:
    """Delgado-Porter-Stern VS-CR and VS-IR with groupby (the diagonal left out)."""
    r = related.copy()
    np.fill_diagonal(r.values, np.nan)
    sums = r.T.groupby(clusters).sum().T  # industry x cluster: sum of relatedness to the cluster's industries
    sizes = clusters.value_counts()
    own = pd.Series([sums.loc[i, clusters[i]] / (sizes[clusters[i]] - 1) if sizes[clusters[i]] > 1 else np.nan
                     for i in r.index], index=r.index)
    mean_to = sums / sizes
    other = pd.Series([mean_to.loc[i].drop(clusters[i]).max() for i in r.index], index=r.index)
    vs_ir = float((own > other).mean())
    block = sums.groupby(clusters).sum()
    passes = []
    for c in block.index:
        within = block.loc[c, c] / (sizes[c] * (sizes[c] - 1)) if sizes[c] > 1 else np.nan
        between = max(block.loc[c, d] / (sizes[c] * sizes[d]) for d in block.index if d != c)
        passes.append(within > between)
    return float(np.mean(passes)), vs_ir


def _network(related: pd.DataFrame) -> pd.DataFrame:
    """Maximum spanning tree of the positive relatedness plus the strongest links, 2 links per industry."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import minimum_spanning_tree

    upper = related.where(np.triu(np.ones(related.shape, dtype=bool), 1))
    links = upper.stack()
    links = links[links > 0]
    top = links.max()
    cost = (top + 1 - upper).where(upper > 0).fillna(0).to_numpy()
    tree = minimum_spanning_tree(csr_matrix(cost)).tocoo()
    labels = related.index
    in_tree = pd.MultiIndex.from_arrays([labels[np.minimum(tree.row, tree.col)],
                                         labels[np.maximum(tree.row, tree.col)]])
    backbone = links.index.isin(in_tree)
    room = max(0, 2 * len(labels) - int(backbone.sum()))
    extra = links[~backbone].sort_values(ascending=False, kind="stable").head(room)
    edges = (pd.concat([links[backbone], extra]).rename("weight").rename_axis(["industry_a", "industry_b"])
             .reset_index())
    edges["backbone"] = edges.set_index(["industry_a", "industry_b"]).index.isin(in_tree)
    return (edges.sort_values(["weight", "industry_a", "industry_b"], ascending=[False, True, True])
            .reset_index(drop=True))


def _candidate_clusters(cells: pd.DataFrame, industries: pd.DataFrame) -> pd.DataFrame:
    """Pairs with enough stars or a strong flag: life-cycle stage, type and TOPSIS priority."""
    chosen = cells[(cells["stars"] >= CANDIDATE_MIN_STARS) | cells["strong"]].copy()
    stage = pd.Series("formed", index=chosen.index)
    stage[chosen["growth"] >= STAGE_DEVELOPING_GROWTH] = "developing"  # developed needs support institutions
    stage[(chosen["establishments"] < STAGE_FORMED_ESTABLISHMENTS)
          | (chosen["employment"] < STAGE_FORMED_EMPLOYMENT)] = "embryonic"
    chosen["stage"] = stage
    chosen = chosen.join(industries[["tech_level", "cluster_type"]], on="industry")
    criteria = pd.DataFrame({"wages": chosen["wages"], "employment": chosen["employment"],
                             "linkages": chosen["density"], "specialisation": chosen["lq"],
                             "growth": chosen["growth"].fillna(chosen["growth"].median())})
    # Economic, social and industrial criteria weigh a third each, shared within the group.
    weights = pd.Series({"wages": 1 / 3, "employment": 1 / 3, "linkages": 1 / 9, "specialisation": 1 / 9,
                         "growth": 1 / 9})
    weighted = criteria / np.sqrt((criteria ** 2).sum()) * weights
    to_best = np.sqrt(((weighted - weighted.max()) ** 2).sum(axis=1))
    to_worst = np.sqrt(((weighted - weighted.min()) ** 2).sum(axis=1))
    chosen["score"] = to_worst / (to_best + to_worst)
    chosen["rank"] = chosen["score"].round(12).rank(ascending=False, method="min").astype(int)
    return chosen.reset_index().sort_values("rank", kind="stable").reset_index(drop=True)


if __name__ == "__main__":  # a quick try: python benchmarks/_pandas_baseline.py FILE
    import sys

    last = [time.perf_counter()]

    def show(name):
        now = time.perf_counter()
        print(f"{now - last[0]:7.2f} s  then: {name}")
        last[0] = now

    tables = run(sys.argv[1], show)
    for name, table in tables.items():
        print(name, table.shape)
