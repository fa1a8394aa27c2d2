"""Diversification opportunities: industries a region lacks, by relatedness density and complexity outlook gain."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from khooshe.analytics.complexity import ComplexityWarning, eci_pci, presence, proximity
from khooshe.analytics.diversification import opportunities
from khooshe.analytics.validation import AnalyticsInputError


@pytest.fixture(scope="module")
def panel():
    """A one-year region x industry employment table with a nested (realistic) structure."""
    rng = np.random.default_rng(7)
    regions, industries = 14, 20
    capability = rng.uniform(0.2, 1.0, regions)[:, None]
    difficulty = rng.uniform(0.0, 0.9, industries)[None, :]
    chance = np.clip(capability - difficulty + 0.35, 0.02, 0.98)
    values = np.where(rng.random((regions, industries)) < chance, rng.lognormal(4, 1, (regions, industries)), 0.0)
    values[:, 0] += 5.0  # every region has some employment
    frame = pd.DataFrame(values, index=[f"R{r:02d}" for r in range(regions)],
                         columns=[f"{10 + i:02d}" for i in range(industries)])
    return frame


@pytest.fixture(scope="module")
def presence_matrix(panel):
    M = presence(panel)
    return M.loc[M.sum(axis=1) > 0, M.sum(axis=0) > 0].astype(float)


def test_density_cog_and_pci_equal_ecomplexity(panel, presence_matrix):
    from ecomplexity import ecomplexity

    long = panel.stack().rename("value").rename_axis(["region", "industry"]).reset_index().assign(year=2020)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = ecomplexity(long, {"time": "year", "loc": "region", "prod": "industry", "val": "value"})
    reference = reference.set_index(["region", "industry"])
    M = presence_matrix
    assert M.shape == panel.shape  # every region and industry is present somewhere
    table = opportunities(M, proximity(M), top=None)
    expected = reference.loc[list(zip(table["region"], table["industry"], strict=True))]
    assert (expected["mcp"] == 0).all()  # only industries the region lacks
    np.testing.assert_allclose(table["density"], expected["density"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(table["cog"], expected["cog"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(table["pci"], expected["pci"], rtol=0, atol=1e-9)
    assert len(table) == int((M == 0).to_numpy().sum())


def test_ranking_follows_the_standardised_score(presence_matrix):
    M = presence_matrix
    table = opportunities(M, proximity(M), top=None)
    z = (table[["density", "cog"]] - table[["density", "cog"]].mean()) / table[["density", "cog"]].std(ddof=0)
    np.testing.assert_allclose(table["score"], 0.5 * z["density"] + 0.5 * z["cog"], atol=1e-12)
    for region, rows in table.groupby("region", sort=False):
        assert rows["rank"].tolist() == list(range(1, len(rows) + 1))
        assert rows["score"].is_monotonic_decreasing
        lacking = M.columns[M.loc[region] == 0]
        assert sorted(rows["industry"]) == sorted(lacking)
    assert table["region"].drop_duplicates().tolist() == [r for r in M.index if (M.loc[r] == 0).any()]


def test_top_keeps_the_best_per_region_and_weights_change_the_order(presence_matrix):
    M = presence_matrix
    phi = proximity(M)
    everything = opportunities(M, phi, top=None)
    best3 = opportunities(M, phi, top=3)
    expected = everything[everything["rank"] <= 3].reset_index(drop=True)
    pd.testing.assert_frame_equal(best3, expected)
    by_density = opportunities(M, phi, top=None, score_weights={"density": 1.0})
    for _, rows in by_density.groupby("region", sort=False):
        assert rows["density"].is_monotonic_decreasing


def test_a_given_complexity_is_used_in_cog(presence_matrix):
    M = presence_matrix
    phi = proximity(M).to_numpy()
    complexity = pd.Series(np.linspace(-1, 2, M.shape[1]), index=M.columns[::-1])  # aligned by label
    table = opportunities(M, proximity(M), complexity, top=None)
    m, k = M.to_numpy(), complexity.reindex(M.columns).to_numpy()
    share = phi / phi.sum(axis=1, keepdims=True)  # phi_qp / sum_p' phi_qp'
    by_hand = (1 - m) * ((1 - m) @ (share * k[:, None]))
    r = M.index.get_indexer(table["region"])
    c = M.columns.get_indexer(table["industry"])
    np.testing.assert_allclose(table["cog"], by_hand[r, c], atol=1e-12)
    np.testing.assert_allclose(table["pci"], k[c])


def test_sparse_presence_gives_the_same_table(presence_matrix):
    M = presence_matrix
    phi = proximity(M).to_numpy()
    dense = opportunities(M.to_numpy(), phi, top=4)
    sparse = opportunities(sp.csr_matrix(M.to_numpy()), phi, top=4)
    pd.testing.assert_frame_equal(dense, sparse)


def test_default_pci_is_ecomplexity_pci(presence_matrix):
    M = presence_matrix
    table = opportunities(M, proximity(M), top=None)
    pci = eci_pci(M)[1]
    np.testing.assert_allclose(table["pci"], pci[table["industry"]].to_numpy())


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"top": 0}, "invalid_option"),
    ({"top": 2.5}, "invalid_option"),
    ({"score_weights": {"distance": 1.0}}, "invalid_option"),
    ({"score_weights": {"density": -1.0}}, "invalid_option"),
    ({"score_weights": {"density": 0.0}}, "invalid_option"),
])
def test_bad_options(presence_matrix, kwargs, code):
    with pytest.raises(AnalyticsInputError) as error:
        opportunities(presence_matrix, proximity(presence_matrix), **kwargs)
    assert error.value.code == code


def test_bad_matrices():
    full = pd.DataFrame(np.ones((3, 3)), index=list("abc"), columns=list("xyz"))
    with pytest.raises(AnalyticsInputError) as error:
        opportunities(full, np.ones((3, 3)))
    assert error.value.code == "no_candidates"
    empty_region = pd.DataFrame([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]], index=["a", "b", "c"], columns=["x", "y"])
    with pytest.raises(AnalyticsInputError) as error, warnings.catch_warnings():
        warnings.simplefilter("ignore", ComplexityWarning)
        opportunities(empty_region, np.eye(2))
    assert error.value.code == "empty_region" and "b" in str(error.value)
    M = pd.DataFrame([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], columns=["x", "y"])
    with pytest.raises(AnalyticsInputError) as error:
        opportunities(M, np.eye(3))
    assert error.value.code == "proximity_mismatch"


def test_precomputed_density_and_cog_give_the_same_table(presence_matrix):
    from khooshe.analytics.complexity import complexity_outlook, density

    M = presence_matrix
    phi = proximity(M)
    shuffled = M.index[::-1]  # labelled inputs are aligned, whatever their order
    given = opportunities(M, phi, top=5, density=density(M, phi).loc[shuffled],
                          cog=complexity_outlook(M, phi)[1].loc[shuffled], pci=eci_pci(M)[1])
    pd.testing.assert_frame_equal(given, opportunities(M, phi, top=5))
    with pytest.raises(AnalyticsInputError) as error:
        opportunities(M, phi, density=density(M, phi).iloc[:-1])
    assert error.value.code == "label_mismatch"
    with pytest.raises(AnalyticsInputError) as error:
        opportunities(M.to_numpy(), phi.to_numpy(), cog=np.zeros((2, 2)))
    assert error.value.code == "shape_mismatch"
