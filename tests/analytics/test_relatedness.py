"""Related industries: co-location and input-output relatedness, cluster definitions, DPS validation
scores and the network drawn from them (khooshe.analytics.relatedness)."""

import random

import igraph
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from khooshe.analytics.relatedness import (
    colocation_relatedness,
    combine_relatedness,
    define_clusters,
    input_output_relatedness,
    relatedness_network,
    validation_scores,
)
from khooshe.analytics.validation import AnalyticsInputError


def pandas_lq_correlation(employment: pd.DataFrame) -> pd.DataFrame:
    """A straightforward reference: location quotients with pandas, then DataFrame.corr()."""
    shares = employment.div(employment.sum(axis=1), axis=0)
    national = employment.sum(axis=0) / employment.to_numpy().sum()
    return shares.div(national, axis=1).corr()


def planted_blocks(sizes, *, within=0.6, between=0.0, noise=0.1, seed=0):
    """A symmetric relatedness with dense diagonal blocks of the given sizes."""
    rng = np.random.default_rng(seed)
    blocks = np.repeat(np.arange(len(sizes)), sizes)
    values = np.where(blocks[:, None] == blocks[None, :], within, between)
    values = values + rng.normal(scale=noise, size=values.shape)
    values = (values + values.T) / 2
    np.fill_diagonal(values, 1.0)
    names = [f"ind{i:02d}" for i in range(len(blocks))]
    return pd.DataFrame(values, index=names, columns=names), blocks


def random_relatedness(m, *, seed):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(m, m))
    values = (a + a.T) / 2
    np.fill_diagonal(values, 1.0)
    return values


# -- co-location ---------------------------------------------------------------------------------------

def test_proportional_industries_are_perfectly_related_and_a_constant_lq_is_unrelated():
    # "clothing" is exactly twice "textiles" in every region, so their LQs are equal: correlation 1.
    # "retail" follows the regions' total employment, so its LQ is 1 everywhere: no signal, 0.
    textiles = np.array([30.0, 5.0, 1.0, 10.0])
    software = np.array([1.0, 20.0, 40.0, 2.0])
    others = textiles * 3 + software        # totals without retail
    retail = others * 0.5                  # retail share of every region the same
    employment = pd.DataFrame({"textiles": textiles, "clothing": 2 * textiles, "software": software,
                               "retail": retail}, index=["r1", "r2", "r3", "r4"])
    result = colocation_relatedness(employment)
    assert result.loc["textiles", "clothing"] == pytest.approx(1.0, abs=1e-12)
    assert result.loc["retail"].drop("retail").abs().max() < 1e-9
    assert result.loc["retail", "retail"] == 1.0


def test_lq_correlation_by_hand():
    # 3 regions x 3 industries; totals: regions 10, 10, 20; industries 10, 10, 20; grand 40.
    # LQ_rj = E_rj * 40 / (E_r * E_j):
    #   a = [5, 3, 2]  -> LQ_a = [2.0, 1.2, 0.4]
    #   b = [1, 5, 4]  -> LQ_b = [0.4, 2.0, 0.8]
    # corr(LQ_a, LQ_b): deviations a: [0.8, 0, -0.8]; b: [-0.666.., 0.933.., -0.266..]
    #   cov ~ 0.8 * -0.6667 + 0 + -0.8 * -0.2667 = -0.32; |a| = sqrt(1.28); |b| = sqrt(1.3867)
    #   corr = -0.32 / sqrt(1.28 * 1.38667) = -0.2402
    employment = pd.DataFrame({"a": [5, 3, 2], "b": [1, 5, 4], "c": [4, 2, 14]}, index=["x", "y", "z"])
    result = colocation_relatedness(employment)
    assert result.loc["a", "b"] == pytest.approx(-0.32 / np.sqrt(1.28 * (1.04 / 0.75)), rel=1e-12)
    assert result.loc["a", "b"] == pytest.approx(-0.2402, abs=1e-4)


def test_lq_correlation_matches_pandas_on_a_realistic_matrix():
    rng = np.random.default_rng(7)
    employment = pd.DataFrame(rng.gamma(0.6, 100.0, size=(60, 25)) * rng.gamma(2.0, size=(60, 1)),
                              index=[f"region{i}" for i in range(60)], columns=[f"isic{j}" for j in range(25)])
    result = colocation_relatedness(employment)
    reference = pandas_lq_correlation(employment)
    pd.testing.assert_frame_equal(result, reference, rtol=1e-10, atol=1e-12)


def test_establishment_correlation_and_both():
    rng = np.random.default_rng(1)
    employment = pd.DataFrame(rng.integers(1, 500, size=(12, 5)).astype(float), columns=list("abcde"))
    establishments = pd.DataFrame(rng.integers(0, 40, size=(12, 5)).astype(float), columns=list("abcde"))
    establishments["a"] += 1  # no all-zero industry
    counts = colocation_relatedness(employment, establishments=establishments, method="establishment_correlation")
    np.testing.assert_allclose(counts.to_numpy(), np.corrcoef(establishments.to_numpy(), rowvar=False),
                               rtol=1e-10, atol=1e-12)
    both = colocation_relatedness(employment, establishments=establishments, method="both")
    lq = colocation_relatedness(employment)
    np.testing.assert_allclose(both.to_numpy(), (lq.to_numpy() + counts.to_numpy()) / 2, atol=1e-14)


def test_establishments_are_aligned_by_label():
    rng = np.random.default_rng(2)
    employment = pd.DataFrame(rng.integers(1, 50, size=(6, 4)).astype(float),
                              index=list("pqrstu"), columns=list("abcd"))
    establishments = pd.DataFrame(rng.integers(1, 9, size=(6, 4)).astype(float),
                                  index=list("pqrstu"), columns=list("abcd"))
    shuffled = establishments.loc[list("utsrqp"), list("dcba")]
    a = colocation_relatedness(employment, establishments=establishments, method="establishment_correlation")
    b = colocation_relatedness(employment, establishments=shuffled, method="establishment_correlation")
    pd.testing.assert_frame_equal(a, b)


nonneg_matrices = arrays(
    np.float64, st.tuples(st.integers(3, 12), st.integers(2, 8)),
    elements=st.sampled_from([0.0, 0.0, 0.0, 1.0, 2.0, 7.0, 50.0, 1234.5]),
)


@settings(max_examples=60, deadline=None)
@given(nonneg_matrices, st.randoms(use_true_random=False))
def test_sparse_input_gives_the_dense_result_and_industry_order_does_not_matter(values, rnd):
    values = values.copy()
    values[:, 0] += 1.0  # no empty region
    values[0, :] += 1.0  # no all-zero industry
    dense = colocation_relatedness(values).to_numpy()
    sparse = colocation_relatedness(sp.csr_matrix(values)).to_numpy()
    np.testing.assert_allclose(sparse, dense, atol=1e-9)
    assert np.allclose(dense, dense.T) and (np.abs(dense) <= 1).all() and (np.diag(dense) == 1).all()
    order = list(range(values.shape[1]))
    rnd.shuffle(order)
    permuted = colocation_relatedness(values[:, order]).to_numpy()
    np.testing.assert_allclose(permuted, dense[np.ix_(order, order)], atol=1e-12)


def test_colocation_errors():
    good = pd.DataFrame({"a": [1.0, 2, 3], "b": [3.0, 1, 1]}, index=["x", "y", "z"])
    with pytest.raises(AnalyticsInputError) as err:
        colocation_relatedness(good, method="pearson")
    assert err.value.code == "unknown_method"
    with pytest.raises(AnalyticsInputError) as err:
        colocation_relatedness(good.iloc[:2])
    assert err.value.code == "too_few_regions"
    with pytest.raises(AnalyticsInputError) as err:
        colocation_relatedness(good.assign(c=0.0))
    assert err.value.code == "all_zero_industry" and err.value.column == "c"
    with pytest.raises(AnalyticsInputError) as err:
        colocation_relatedness(pd.concat([good, pd.DataFrame({"a": [0.0], "b": [0.0]}, index=["empty"])]))
    assert err.value.code == "empty_region" and err.value.params["row"] == "empty"
    with pytest.raises(AnalyticsInputError) as err:
        colocation_relatedness(good.assign(b=[1.0, -2, 1]))
    assert err.value.code == "negative_value" and err.value.column == "b"
    with pytest.raises(AnalyticsInputError) as err:
        colocation_relatedness(good, method="both")
    assert err.value.code == "missing_establishments"
    with pytest.raises(AnalyticsInputError) as err:
        colocation_relatedness(good, establishments=good.rename(columns={"b": "z"}), method="both")
    assert err.value.code == "label_mismatch" and err.value.params["label"] == "b"
    with pytest.raises(AnalyticsInputError) as err:
        colocation_relatedness(good.to_numpy(), establishments=np.ones((4, 2)), method="both")
    assert err.value.code == "shape_mismatch"


# -- input-output and combination ------------------------------------------------------------------------

def test_input_output_relatedness_by_hand():
    # steel sells 30 to cars, 10 to glass (sales 40); cars sell 5 to steel (sales 5); glass sells 20 to cars
    # and 35 to itself (sales 55).  Purchases: steel 5, cars 50, glass 45.
    flows = pd.DataFrame([[0, 30, 10], [5, 0, 0], [0, 20, 35]],
                         index=["steel", "cars", "glass"], columns=["steel", "cars", "glass"])
    io = input_output_relatedness(flows)
    # steel-cars: all of cars' sales go to steel (5/5) -> 1.
    assert io.loc["steel", "cars"] == 1.0
    # steel-glass: max(10/40 steel's sales to glass, 10/45 glass's purchases from steel, 0, 0) = 0.25.
    assert io.loc["steel", "glass"] == pytest.approx(0.25)
    # cars-glass: max(20/55 of glass's sales, 20/50 of cars' purchases) = 0.4.
    assert io.loc["glass", "cars"] == pytest.approx(0.4)
    assert (io.to_numpy() == io.to_numpy().T).all()
    sparse = input_output_relatedness(sp.csr_matrix(flows.to_numpy(dtype=float)))
    np.testing.assert_allclose(sparse.to_numpy(), io.to_numpy())
    # Rows and columns in another order are matched by label.
    reordered = input_output_relatedness(flows.loc[:, ["glass", "steel", "cars"]])
    pd.testing.assert_frame_equal(reordered, io)


def test_input_output_errors():
    with pytest.raises(AnalyticsInputError) as err:
        input_output_relatedness(np.ones((2, 3)))
    assert err.value.code == "not_square"
    flows = pd.DataFrame(np.ones((2, 2)), index=["a", "b"], columns=["a", "c"])
    with pytest.raises(AnalyticsInputError) as err:
        input_output_relatedness(flows)
    assert err.value.code == "label_mismatch" and err.value.params["label"] == "b"


def test_combine_standardises_each_matrix_then_averages():
    a = np.array([[1, .8, .2], [.8, 1, .5], [.2, .5, 1]])
    b = np.array([[1, .1, .0], [.1, 1, .9], [.0, .9, 1]])
    # a's pairs (.8, .2, .5): mean .5, sd sqrt(.06); b's pairs (.1, 0, .9): mean 1/3, sd sqrt(.48667/3).
    za = (a - 0.5) / np.sqrt(0.06)
    zb = (b - 1 / 3) / np.sqrt((0.1 - 1 / 3) ** 2 / 3 + (1 / 3) ** 2 / 3 + (0.9 - 1 / 3) ** 2 / 3)
    combined = combine_relatedness({"colocation": a, "input_output": b})
    np.testing.assert_allclose(combined.to_numpy(), (za + zb) / 2, atol=1e-12)
    weighted = combine_relatedness([a, b], weights=[3, 1])
    np.testing.assert_allclose(weighted.to_numpy(), (3 * za + zb) / 4, atol=1e-12)
    only_a = combine_relatedness({"colocation": a, "input_output": b}, weights={"colocation": 1})
    np.testing.assert_allclose(only_a.to_numpy(), za, atol=1e-12)
    upper = np.triu_indices(3, 1)
    assert only_a.to_numpy()[upper].mean() == pytest.approx(0) and only_a.to_numpy()[upper].std() == pytest.approx(1)


def test_combine_aligns_labelled_matrices_and_reports_bad_input():
    names = ["a", "b", "c"]
    x = pd.DataFrame([[1, .8, .2], [.8, 1, .5], [.2, .5, 1]], index=names, columns=names)
    y = pd.DataFrame([[1, .1, .0], [.1, 1, .9], [.0, .9, 1]], index=names, columns=names)
    shuffled = y.loc[["c", "a", "b"], ["b", "c", "a"]]
    pd.testing.assert_frame_equal(combine_relatedness([x, y]), combine_relatedness([x, shuffled]))

    with pytest.raises(AnalyticsInputError) as err:
        combine_relatedness([x, y.rename(index={"c": "d"}, columns={"c": "d"})])
    assert err.value.code == "label_mismatch"
    with pytest.raises(AnalyticsInputError) as err:
        combine_relatedness({"x": x, "y": y}, weights={"z": 1})
    assert err.value.code == "unknown_matrix"
    with pytest.raises(AnalyticsInputError) as err:
        combine_relatedness({"x": x, "y": y}, weights=[1, -1])
    assert err.value.code == "bad_weight" and err.value.params["matrix"] == "y"
    with pytest.raises(AnalyticsInputError) as err:
        combine_relatedness({"x": x, "y": y}, weights=[0, 0])
    assert err.value.code == "zero_weights"
    with pytest.raises(AnalyticsInputError) as err:
        combine_relatedness({"x": x, "flat": pd.DataFrame(np.ones((3, 3)), index=names, columns=names)})
    assert err.value.code == "constant_relatedness" and err.value.params["matrix"] == "flat"
    with pytest.raises(AnalyticsInputError) as err:
        combine_relatedness([])
    assert err.value.code == "no_matrices"


# -- cluster definitions ----------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["leiden", "hierarchical"])
def test_planted_two_blocks_give_two_clusters_with_perfect_validation_scores(method):
    relatedness, blocks = planted_blocks([12, 8])
    clusters = define_clusters(relatedness, method=method)
    assert clusters.index.equals(relatedness.index) and clusters.name == "cluster"
    assert clusters.nunique() == 2
    # Cluster 1 is the larger block, cluster 2 the smaller one.
    assert (clusters.to_numpy() == blocks + 1).all()
    scores = validation_scores(relatedness, clusters)
    assert scores.vs_cr == 1.0 and scores.vs_ir == 1.0
    assert scores.clusters["size"].tolist() == [12, 8]


def test_hierarchical_with_a_number_of_clusters():
    relatedness, blocks = planted_blocks([5, 6, 7], seed=4)
    clusters = define_clusters(relatedness, method="hierarchical", n_clusters=3)
    assert sorted(clusters.value_counts().tolist()) == [5, 6, 7]
    assert pd.crosstab(clusters.to_numpy(), blocks).gt(0).sum().eq(1).all()  # each block in one cluster
    assert define_clusters(relatedness, method="hierarchical", n_clusters=1).nunique() == 1


def test_hierarchical_default_cut_merges_while_average_relatedness_is_positive():
    # Blocks A and B are mildly related (+0.2 on average), C is unrelated to both (-0.3): A and B merge,
    # C stays apart.
    names = [f"i{k}" for k in range(9)]
    block = np.repeat([0, 1, 2], 3)
    values = np.full((9, 9), -0.3)
    values[np.ix_(block < 2, block < 2)] = 0.2
    values[block[:, None] == block[None, :]] = 0.9
    np.fill_diagonal(values, 1.0)
    clusters = define_clusters(pd.DataFrame(values, index=names, columns=names), method="hierarchical")
    assert clusters.tolist() == [1, 1, 1, 1, 1, 1, 2, 2, 2]


def test_leiden_is_deterministic_with_its_seed():
    relatedness = random_relatedness(60, seed=11)
    first = define_clusters(relatedness, seed=3)
    assert first.equals(define_clusters(relatedness, seed=3))
    assert define_clusters(relatedness, seed=5).nunique() >= 2


def test_leiden_resolution_splits_nested_blocks():
    # Four blocks of 10 (within 0.8) in two pairs (0.4 between the blocks of a pair, 0 across pairs).
    rng = np.random.default_rng(3)
    blocks = np.repeat([0, 1, 2, 3], 10)
    pair = blocks // 2
    values = np.where(blocks[:, None] == blocks[None, :], 0.8, np.where(pair[:, None] == pair[None, :], 0.4, 0.0))
    values = values + rng.normal(scale=0.05, size=values.shape)
    values = (values + values.T) / 2
    np.fill_diagonal(values, 1.0)
    coarse = define_clusters(values, resolution=0.5)
    fine = define_clusters(values, resolution=2.0)
    assert (coarse.to_numpy() - 1 == pair).all() or (coarse.to_numpy() - 1 == 1 - pair).all()
    assert pd.crosstab(fine.to_numpy(), blocks).gt(0).sum().eq(1).all() and fine.nunique() == 4


def test_leiden_modularity_is_at_least_louvains():
    """Leiden refines Louvain: on the same positive-weight graph its modularity should not be lower."""
    relatedness, _ = planted_blocks([10, 10, 10], within=0.3, noise=0.3, seed=9)
    clusters = define_clusters(relatedness)
    values = relatedness.to_numpy()
    i, j = np.triu_indices(len(values), 1)
    keep = values[i, j] > 0
    graph = igraph.Graph(n=len(values), edges=list(zip(i[keep], j[keep], strict=True)))
    graph.es["weight"] = values[i, j][keep]
    random.seed(0)  # igraph's Louvain draws from Python's random module
    louvain = graph.community_multilevel(weights="weight")
    ours = graph.modularity((clusters.to_numpy() - 1).tolist(), weights="weight")
    assert ours >= louvain.modularity - 1e-9


def test_an_industry_with_no_positive_link_is_its_own_cluster():
    values = np.array([[1, .5, -.1], [.5, 1, -.2], [-.1, -.2, 1]])
    assert define_clusters(values).tolist() == [1, 1, 2]


def test_define_clusters_errors():
    relatedness, _ = planted_blocks([3, 3])
    with pytest.raises(AnalyticsInputError) as err:
        define_clusters(relatedness, method="kmeans")
    assert err.value.code == "unknown_method"
    with pytest.raises(AnalyticsInputError) as err:
        define_clusters(relatedness, n_clusters=2)
    assert err.value.code == "n_clusters_not_supported"
    with pytest.raises(AnalyticsInputError) as err:
        define_clusters(relatedness, method="hierarchical", n_clusters=7)
    assert err.value.code == "bad_n_clusters"
    with pytest.raises(AnalyticsInputError) as err:
        define_clusters(relatedness, resolution=0)
    assert err.value.code == "bad_resolution"
    asymmetric = relatedness.copy()
    asymmetric.iloc[0, 4] += 0.5
    with pytest.raises(AnalyticsInputError) as err:
        define_clusters(asymmetric)
    assert err.value.code == "not_symmetric"
    assert {err.value.params["row"], err.value.params["column"]} == {"ind00", "ind04"}
    with pytest.raises(AnalyticsInputError) as err:
        define_clusters(relatedness.iloc[:, :5])
    assert err.value.code == "not_square"
    with pytest.raises(AnalyticsInputError) as err:
        define_clusters(relatedness.rename(columns={"ind05": "other"}))
    assert err.value.code == "label_mismatch"
    nan = relatedness.copy()
    nan.iloc[1, 2] = np.nan
    with pytest.raises(AnalyticsInputError) as err:
        define_clusters(nan)
    assert err.value.code == "non_finite"


# -- validation scores ------------------------------------------------------------------------------------

R4 = np.array([[1, .9, .1, .0],
               [.9, 1, .2, .1],
               [.1, .2, 1, .3],
               [.0, .1, .3, 1]])


def test_validation_scores_by_hand():
    good = validation_scores(R4, ["A", "A", "B", "B"])
    # WCR_A = .9, WCR_B = .3, BCR_AB = (.1 + 0 + .2 + .1) / 4 = .1
    assert good.clusters.loc["A", "within_relatedness"] == pytest.approx(0.9)
    assert good.clusters.loc["B", "within_relatedness"] == pytest.approx(0.3)
    assert good.between.loc["A", "B"] == pytest.approx(0.1)
    assert good.vs_cr == 1.0 and good.vs_ir == 1.0
    # Industry 3 (index 2): own cluster .3, cluster A (.1 + .2) / 2 = .15.
    assert good.industries.loc[2, "own_cluster_relatedness"] == pytest.approx(0.3)
    assert good.industries.loc[2, "max_other_relatedness"] == pytest.approx(0.15)

    bad = validation_scores(R4, ["A", "B", "A", "B"])
    # WCR_A = r13 = .1, WCR_B = r24 = .1, BCR_AB = (.9 + 0 + .2 + .3) / 4 = .35: every cluster and industry fails.
    assert bad.between.loc["A", "B"] == pytest.approx(0.35)
    assert bad.vs_cr == 0.0 and bad.vs_ir == 0.0


def test_vs_cr_compares_with_every_other_cluster_not_with_the_average():
    # Cluster A (.5 within) is closer to B (.6) than to itself, though far from C (0): it fails, even if its
    # average relatedness to all outside industries (.3) is below .5.
    values = np.zeros((6, 6))
    values[0, 1] = .5
    values[2, 3] = .9
    values[4, 5] = .8
    values[np.ix_([0, 1], [2, 3])] = .6
    values[np.ix_([2, 3], [4, 5])] = .1
    values = np.maximum(values, values.T)
    np.fill_diagonal(values, 1.0)
    scores = validation_scores(values, ["A", "A", "B", "B", "C", "C"])
    assert scores.clusters["passes"].to_dict() == {"A": False, "B": True, "C": True}
    assert scores.clusters.loc["A", "closest_cluster"] == "B"
    assert scores.clusters.loc["A", "mean_between_relatedness"] == pytest.approx(0.3)
    assert scores.vs_cr == pytest.approx(2 / 3)
    assert scores.vs_ir == pytest.approx(4 / 6)
    assert scores.industries["passes"].tolist() == [False, False, True, True, True, True]


def test_single_industry_clusters_count_as_failing():
    scores = validation_scores(R4, [1, 1, 2, 3])
    assert np.isnan(scores.clusters.loc[2, "within_relatedness"])
    assert scores.clusters["passes"].tolist() == [True, False, False]
    assert scores.vs_cr == pytest.approx(1 / 3) and scores.vs_ir == pytest.approx(0.5)


def test_random_groupings_score_low():
    relatedness = random_relatedness(100, seed=5)
    groups = np.random.default_rng(6).integers(0, 5, size=100)
    scores = validation_scores(relatedness, groups)
    assert scores.vs_ir < 0.4 and scores.vs_cr < 0.5
    # Clusters found on one random matrix do not carry over to an independent one (DPS judge a grouping
    # against several relatedness matrices for this reason).
    found = define_clusters(relatedness)
    other = validation_scores(random_relatedness(100, seed=99), found.to_numpy())
    assert other.vs_ir < 0.4


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 6))
def test_scores_do_not_depend_on_cluster_names(seed, k):
    rng = np.random.default_rng(seed)
    relatedness = random_relatedness(15, seed=seed)
    groups = rng.integers(0, k, size=15)
    groups[:2] = [0, 1]  # at least two clusters
    a = validation_scores(relatedness, groups)
    b = validation_scores(relatedness, [f"cluster {g * 7 + 3}" for g in groups])
    assert a.vs_cr == b.vs_cr and a.vs_ir == b.vs_ir
    assert 0 <= a.vs_cr <= 1 and 0 <= a.vs_ir <= 1
    assert a.clusters["size"].sum() == 15


def test_validation_input_errors():
    names = ["a", "b", "c", "d"]
    frame = pd.DataFrame(R4, index=names, columns=names)
    with pytest.raises(AnalyticsInputError) as err:
        validation_scores(frame, pd.Series([1, 1, 2], index=["a", "b", "c"]))
    assert err.value.code == "unassigned_industry" and err.value.params["industry"] == "d"
    with pytest.raises(AnalyticsInputError) as err:
        validation_scores(frame, pd.Series([1, 1, 2, 2, 2], index=names + ["e"]))
    assert err.value.code == "unknown_industry" and err.value.params["industry"] == "e"
    with pytest.raises(AnalyticsInputError) as err:
        validation_scores(frame, [1, 1, 1, 1])
    assert err.value.code == "too_few_clusters"
    with pytest.raises(AnalyticsInputError) as err:
        validation_scores(frame, [1, 2, 1])
    assert err.value.code == "shape_mismatch"
    with pytest.raises(AnalyticsInputError) as err:
        validation_scores(frame, pd.Series([1, np.nan, 2, 2], index=names))
    assert err.value.code == "missing_cluster_id" and err.value.params["industry"] == "b"


# -- network ----------------------------------------------------------------------------------------------

R_NET = np.array([[1, .9, .2, .1],
                  [.9, 1, .6, .3],
                  [.2, .6, 1, .8],
                  [.1, .3, .8, 1]])


def edges(frame):
    return {(a, b) for a, b in zip(frame["industry_a"], frame["industry_b"], strict=True)}


def test_network_backbone_threshold_and_cap_by_hand():
    backbone = {(0, 1), (2, 3), (1, 2)}  # the maximum spanning tree: .9, .8, .6
    net = relatedness_network(R_NET, threshold=0.25)
    assert edges(net[net["backbone"]]) == backbone
    assert edges(net) == backbone | {(1, 3)}
    assert net["weight"].tolist() == [0.9, 0.8, 0.6, 0.3]
    # Default: strongest links up to 2 x 4 = 8 links; only 3 non-tree positive links exist.
    assert edges(relatedness_network(R_NET)) == backbone | {(0, 2), (0, 3), (1, 3)}
    # Cap 1: (1,3) is the strongest candidate of both 1 and 3; (0,2) of both 0 and 2; (0,3) of neither.
    assert edges(relatedness_network(R_NET, max_edges_per_node=1)) == backbone | {(1, 3), (0, 2)}
    assert edges(relatedness_network(R_NET, max_edges_per_node=0)) == backbone


def test_network_uses_labels_and_never_draws_non_positive_links():
    names = ["dates", "pistachio", "software"]
    values = pd.DataFrame([[1, .5, -.2], [.5, 1, 0], [-.2, 0, 1]], index=names, columns=names)
    net = relatedness_network(values, threshold=-1)
    assert net.to_dict("records") == [
        {"industry_a": "dates", "industry_b": "pistachio", "weight": 0.5, "backbone": True},
    ]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(3, 25), st.integers(0, 4))
def test_network_backbone_is_a_maximum_spanning_tree_and_the_cap_holds(seed, m, cap):
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.01, 1, size=(m, m))
    values = (values + values.T) / 2
    np.fill_diagonal(values, 1.0)
    net = relatedness_network(values, max_edges_per_node=cap)
    tree = net[net["backbone"]]
    assert len(tree) == m - 1
    graph = igraph.Graph(n=m, edges=list(edges(net)))
    assert graph.is_connected()
    # Reference maximum spanning tree weight from igraph (minimum spanning tree of -R).
    i, j = np.triu_indices(m, 1)
    full = igraph.Graph(n=m, edges=list(zip(i, j, strict=True)))
    full.es["weight"] = (-values[i, j]).tolist()
    reference = -sum(full.es[e]["weight"] for e in full.spanning_tree(weights="weight", return_tree=False))
    assert tree["weight"].sum() == pytest.approx(reference, rel=1e-12)
    extra = net[~net["backbone"]]
    degree = pd.concat([extra["industry_a"], extra["industry_b"]]).value_counts()
    assert (degree <= cap).all()


def test_network_errors():
    with pytest.raises(AnalyticsInputError) as err:
        relatedness_network(R_NET, threshold=float("nan"))
    assert err.value.code == "bad_threshold"
    with pytest.raises(AnalyticsInputError) as err:
        relatedness_network(R_NET, max_edges_per_node=-1)
    assert err.value.code == "bad_max_edges_per_node"


def test_industries_spread_exactly_like_the_economy_relate_to_nothing_dense_or_sparse():
    # Both columns proportional to the region totals: every LQ is 1 in exact arithmetic (not in floating
    # point); the co-location correlation is 0, not a rounding-noise +-1.
    values = np.array([[3.0, 7.0], [30.0, 70.0], [0.3, 0.7], [1234.5, 2880.5]])
    for data in (values, sp.csr_matrix(values)):
        np.testing.assert_array_equal(colocation_relatedness(data).to_numpy(), np.eye(2))
