"""Economic complexity (khooshe.analytics.complexity) against ecomplexity 0.5.3, hand computations,
independent reference implementations and known properties.

Equality with ecomplexity means: same rows in the same order, same columns and dtypes, NaN where it has
NaN, and every value within |ours - ref| <= 1e-9 + 1e-9 * |ref| (pandas' assert_frame_equal with
rtol = atol = 1e-9; in practice the differences are below 1e-12).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from khooshe.analytics.complexity import (
    ComplexityWarning,
    complexity_outlook,
    complexity_panel,
    density,
    diversity,
    eci_pci,
    fitness_complexity,
    presence,
    proximity,
    rca,
    rpop,
    ubiquity,
)
from khooshe.analytics.validation import AnalyticsInputError

ecomplexity = pytest.importorskip("ecomplexity")
from ecomplexity.calc_density import calc_density  # noqa: E402
from ecomplexity.calc_proximity import calc_discrete_proximity  # noqa: E402

COLS = {"time": "year", "loc": "region", "prod": "product", "val": "value"}
TOL = {"rtol": 1e-9, "atol": 1e-9}


def reference(data: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """ecomplexity 0.5.3 on the same panel (quiet; its log-supermodularity check only prints)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ecomplexity.ecomplexity(data, COLS, verbose=False, check_logsupermodularity=False, **kwargs)


def ours(data: pd.DataFrame, **kwargs) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ComplexityWarning)
        return complexity_panel(data, time_col="year", loc_col="region", prod_col="product", val_col="value",
                                **kwargs)


def assert_same(mine: pd.DataFrame, ref: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(mine, ref, check_exact=False, **TOL)


def nested_panel(seed: int = 0, regions: int = 30, products: int = 45, years=(2021, 2019, 2020),
                 integer: bool = False) -> pd.DataFrame:
    """A long panel with the awkward parts of real data.

    Nested structure (capable regions make more and rarer products) with noise; only traded pairs are
    listed, plus explicit zero rows; a region that reports only zeros in one year and a product nobody
    makes in another; two regions with identical rows (ties); a region whose row is the sum of the
    others (RCA exactly 1 in exact arithmetic and in ecomplexity's operation order, but not in every
    order: presence sits on the threshold); years out of order and shuffled rows; an extra column carried along.
    """
    rng = np.random.default_rng(seed)
    capability, sophistication = rng.beta(2, 2, regions), rng.beta(2, 2, products)
    size = rng.lognormal(0, 1.0, regions)
    frames = []
    for k, year in enumerate(years):
        logit = 8 * (capability[:, None] - sophistication[None, :]) + rng.normal(0, 1.5, (regions, products))
        traded = rng.random((regions, products)) < 1 / (1 + np.exp(-logit))
        value = np.round(size[:, None] * rng.lognormal(3, 1.2, (regions, products)))
        value = np.where(traded, value, 0)
        value[1] = value[0]  # tie: identical regions
        if k == 1:
            value[5] = 0  # a region with only zero rows this year
            value[:, 7] = 0  # a product nobody makes this year
        value[2] = 0
        value[2] = value.sum(axis=0)  # the rest of the world in miniature: RCA exactly 1 at the threshold
        r, p = np.nonzero((value > 0) | (rng.random((regions, products)) < 0.03))
        frames.append(pd.DataFrame({
            "year": year, "region": np.array([f"R{i:02d}" for i in range(regions)])[r],
            "product": (100 + p) if integer else np.array([f"P{j:03d}" for j in range(products)])[p],
            "value": value[r, p].astype(np.int64 if integer else float),
            "note": [f"n{i}" for i in range(len(r))],
        }))
    data = pd.concat(frames, ignore_index=True)
    return data.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def small_matrix(seed: int = 1, regions: int = 12, products: int = 18) -> np.ndarray:
    """A connected, nested 0/1 presence matrix with a well separated second eigenvalue."""
    rng = np.random.default_rng(seed)
    capability, sophistication = np.sort(rng.random(regions)), rng.random(products)
    m = (rng.random((regions, products)) < 1 / (1 + np.exp(-8 * (capability[:, None] - sophistication)))).astype(int)
    m[:, m.sum(axis=0) == 0] = 0
    m[-1] = 1  # the most capable region makes everything: no empty product, a connected network
    m[np.arange(regions), rng.integers(0, products, regions)] = 1  # no empty region
    return m


# ---------------------------------------------------------------------------------------------------
# complexity_panel == ecomplexity.ecomplexity
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("integer", [False, True])
def test_panel_equals_ecomplexity(integer):
    data = nested_panel(seed=3, integer=integer)
    ref = reference(data)
    mine = ours(data)
    assert_same(mine, ref)
    # The awkward rows really are there: NaN results for the left-out rows, the extra column kept.
    assert mine["eci"].isna().any() and mine["note"].isna().any()
    assert list(mine.columns) == ["region", "product", "value", "year", "diversity", "ubiquity", "mcp", "eci",
                                  "pci", "density", "coi", "cog", "rca", "note"]


def test_panel_without_left_out_rows_keeps_integer_columns():
    data = nested_panel(seed=4, years=(2020,)).query("value > 0")
    data = data[data.region != "R05"]
    mine, ref = ours(data), reference(data)
    assert_same(mine, ref)
    assert mine["mcp"].dtype == np.int64 and mine["diversity"].dtype == np.int64


def test_panel_with_many_left_out_rows_equals_ecomplexity():
    """Hundreds of zero rows (regions that report nothing in a year) take the bulk insertion path."""
    data = nested_panel(seed=10, years=(2019, 2020))
    silent = pd.DataFrame([(2020, f"S{i:02d}", product, 0.0, "silent") for i in range(12)
                           for product in data["product"].unique()], columns=data.columns)
    data = pd.concat([data, silent], ignore_index=True)
    mine = ours(data)
    assert_same(mine, reference(data))
    assert mine["eci"].isna().sum() > 256


@pytest.mark.parametrize("threshold", [1.3, 2.5, 6.0])
def test_panel_thresholds_and_nan_years_equal_ecomplexity(threshold):
    """Higher thresholds leave regions/products with no presence: ecomplexity's NaN rules are kept
    (one such region or product fails its np.insert loop and blanks the whole year)."""
    data = nested_panel(seed=5)
    assert_same(ours(data, threshold=threshold), reference(data, rca_mcp_threshold=threshold))


def test_panel_nan_year_when_exactly_one_region_has_no_presence():
    data = nested_panel(seed=6, years=(2020,))
    mine = ours(data)
    # Find a threshold that leaves exactly one region without presence.
    rca_values = mine.pivot(index="region", columns="product", values="rca")
    best = rca_values.max(axis=1).sort_values()
    threshold = (best.iloc[0] + best.iloc[1]) / 2
    with pytest.warns(ComplexityWarning, match="diversity or ubiquity is 0"):
        result = complexity_panel(data, time_col="year", loc_col="region", prod_col="product", val_col="value",
                                  threshold=threshold)
    assert result["eci"].isna().all() and result["pci"].isna().all()
    assert_same(result, reference(data, rca_mcp_threshold=threshold))


def test_panel_rpop_and_both_equal_ecomplexity():
    data = nested_panel(seed=7)
    pop = data[["year", "region"]].drop_duplicates().sort_values(["year", "region"])
    pop = pop.assign(population=np.random.default_rng(7).integers(10_000, 90_000, len(pop)) * 10.0)
    # rpop presence with a threshold that keeps the years computable.
    for test in ("rpop", "both"):
        mine = ours(data, presence_test=test, population=pop, rpop_threshold=0.5)
        ref = reference(data, presence_test=test, pop=pop, rpop_mcp_threshold=0.5)
        assert_same(mine, ref)
        assert "rpop" in mine.columns
    # "both" adds the two tests: a pair that passes both is 2, as in ecomplexity.
    assert (ours(data, presence_test="both", population=pop, rpop_threshold=0.5)["mcp"] == 2).any()


def test_panel_manual_presence_equals_ecomplexity():
    data = nested_panel(seed=8)
    data = data.assign(value=(data["value"] > data["value"].median()).astype(np.int64))
    assert_same(ours(data, presence_test="manual"), reference(data, presence_test="manual"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), regions=st.integers(4, 14), products=st.integers(4, 20),
       threshold=st.sampled_from([0.8, 1.0, 1.5]))
def test_panel_equals_ecomplexity_on_random_panels(seed, regions, products, threshold):
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 6, (regions, products)) * rng.integers(1, 4, (regions, 1))
    r, p = np.nonzero(values >= 0)
    data = pd.DataFrame({"year": 2020, "region": r, "product": p, "value": values[r, p].astype(float)})
    assume((values.sum(axis=1) > 0).sum() >= 2 and (values.sum(axis=0) > 0).sum() >= 2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mine = complexity_panel(data, time_col="year", loc_col="region", prod_col="product", val_col="value",
                                threshold=threshold)
    # A degenerate eigenvalue, or an ECI uncorrelated with diversity, leaves the eigenvector or its sign
    # (and so ECI) undefined: nothing to compare then.
    assume(not any("not uniquely defined" in str(w.message) or "sign" in str(w.message) for w in caught))
    ref = reference(data, rca_mcp_threshold=threshold)
    assert_same(mine, ref)


# ---------------------------------------------------------------------------------------------------
# Matrix functions
# ---------------------------------------------------------------------------------------------------


def test_rca_hand_computed_and_labelled():
    X = pd.DataFrame([[6, 2], [2, 6]], index=["A", "B"], columns=["cars", "rice"])
    # A: cars share 6/8 = .75, world cars share 8/16 = .5 -> 1.5
    pd.testing.assert_frame_equal(rca(X), pd.DataFrame([[1.5, 0.5], [0.5, 1.5]], index=X.index, columns=X.columns))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), scale=st.floats(1e-3, 1e6))
def test_rca_properties(seed, scale):
    x = np.random.default_rng(seed).integers(0, 50, (6, 9)).astype(float)
    x[:, 0] += 1
    x[0] += 1
    r = rca(x)
    # Scale-free, and the product-share-weighted mean of a region's RCA is 1.
    np.testing.assert_allclose(rca(x * scale), r, rtol=1e-12)
    np.testing.assert_allclose((r * x.sum(axis=0) / x.sum()).sum(axis=1), 1.0, rtol=1e-12)


def test_rca_rpop_presence_keep_sparsity():
    x = small_matrix(2) * np.arange(1, 19)
    xs = sp.csr_matrix(x)
    assert sp.issparse(rca(xs)) and sp.issparse(presence(xs))
    np.testing.assert_allclose(rca(xs).toarray(), rca(x), rtol=1e-14)
    pop = np.linspace(1, 2, x.shape[0])
    np.testing.assert_allclose(rpop(xs, pop).toarray(), rpop(x, pop), rtol=1e-14)
    np.testing.assert_array_equal(presence(xs, method="both", population=pop).toarray(),
                                  presence(x, method="both", population=pop))


def test_rpop_and_presence_methods_hand_computed():
    X = pd.DataFrame([[6, 2], [2, 6]], index=["A", "B"], columns=["cars", "rice"])
    pop = pd.Series({"B": 3.0, "A": 1.0})  # aligned on labels, not on order
    # A cars: (6/1) / (8/4) = 3; B rice: (6/3) / (8/4) = 1
    np.testing.assert_allclose(rpop(X, pop).to_numpy(), [[3.0, 1.0], [1 / 3, 1.0]])
    assert presence(X).to_numpy().tolist() == [[1, 0], [0, 1]]
    assert presence(X, method="rpop", population=pop).to_numpy().tolist() == [[1, 1], [0, 1]]
    assert presence(X, method="both", population=pop).to_numpy().tolist() == [[2, 1], [0, 2]]
    assert presence(X, threshold=1.6).to_numpy().tolist() == [[0, 0], [0, 0]]


def test_diversity_and_ubiquity():
    M = pd.DataFrame([[1, 1, 0], [0, 1, 0]], index=["A", "B"], columns=["x", "y", "z"])
    assert diversity(M).to_dict() == {"A": 2, "B": 1}
    assert ubiquity(M).to_dict() == {"x": 1, "y": 2, "z": 0}
    assert diversity(sp.csr_matrix(M.to_numpy())).tolist() == [2, 1]


def test_eci_pci_two_by_two_by_hand():
    # Mcc = [[.75, .25], [.5, .5]]: eigenvalue 1/4 with kc = (1, -2); kp = D_p^-1 M' kc = (1, -1/2);
    # ecomplexity's kc = (M / k_c) kp = (1/4, -1/2): mean -1/8, sd 3/8 -> ECI (1, -1), PCI (3, -1).
    eci, pci = eci_pci([[1, 1], [0, 1]])
    np.testing.assert_allclose(eci, [1, -1], atol=1e-12)
    np.testing.assert_allclose(pci, [3, -1], atol=1e-12)


def textbook_eci_pci(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Independent reference: the eigenvectors of both projections taken separately with np.linalg.eig."""
    kc0, kp0 = m.sum(axis=1), m.sum(axis=0)
    mcc = (m / kc0[:, None]) @ (m / kp0).T
    mpp = (m / kp0).T @ (m / kc0[:, None])
    vals, vecs = np.linalg.eig(mcc)
    kc = np.real(vecs[:, np.argsort(-np.real(vals))[1]])
    vals, vecs = np.linalg.eig(mpp)
    kp = np.real(vecs[:, np.argsort(-np.real(vals))[1]])
    kc *= np.sign(np.corrcoef(kc0, kc)[0, 1])
    # PCI sign: ECI is the mean PCI of a region's products.
    kp *= np.sign(np.corrcoef((m / kc0[:, None]) @ kp, kc)[0, 1])
    scale = ((m / kc0[:, None]) @ kp).std() / kc.std()
    kc *= scale
    return (kc - kc.mean()) / kc.std(), (kp - kc.mean()) / kc.std()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_eci_pci_equals_textbook_reference_and_panel(seed):
    m = small_matrix(seed)
    eci, pci = eci_pci(m)
    ref_eci, ref_pci = textbook_eci_pci(m.astype(float))
    np.testing.assert_allclose(eci, ref_eci, atol=1e-9)
    np.testing.assert_allclose(pci, ref_pci, atol=1e-9)
    # ECI = mean PCI of the region's products (the point of normalising PCI with ECI's mean and sd).
    np.testing.assert_allclose(eci, (m @ pci) / m.sum(axis=1), atol=1e-12)
    # Sparse input and a permutation of regions give the same values.
    np.testing.assert_allclose(eci_pci(sp.csr_matrix(m))[0], eci, atol=1e-12)
    order = np.random.default_rng(seed).permutation(m.shape[0])
    np.testing.assert_allclose(eci_pci(m[order])[0], eci[order], atol=1e-12)
    # The same matrix as a manual-presence panel through ecomplexity itself.
    r, p = np.nonzero(m >= 0)
    data = pd.DataFrame({"year": 2020, "region": r, "product": p, "value": m[r, p]})
    ref = reference(data, presence_test="manual")
    np.testing.assert_allclose(eci, ref.groupby("region")["eci"].first(), atol=1e-9)
    np.testing.assert_allclose(pci, ref.groupby("product")["pci"].first(), atol=1e-9)


def test_eci_pci_labels_and_warning_on_disconnected_network():
    m = pd.DataFrame([[1, 1, 0, 0], [1, 0, 0, 0], [0, 0, 1, 1], [0, 0, 0, 1]],
                     index=list("abcd"), columns=list("wxyz"))
    with pytest.warns(ComplexityWarning, match="not uniquely defined"):
        eci, pci = eci_pci(m)
    assert list(eci.index) == list("abcd") and list(pci.index) == list("wxyz")
    assert np.isfinite(eci).all() and np.isfinite(pci).all()  # arbitrary, but numbers


def reference_fitness(m: np.ndarray, iterations: int) -> tuple[np.ndarray, np.ndarray]:
    """Tacchella et al. (2012) written cell by cell, as in the paper."""
    n_c, n_p = len(m), len(m[0])
    f, q = [1.0] * n_c, [1.0] * n_p
    for _ in range(iterations):
        f_new = [sum(m[c][p] * q[p] for p in range(n_p)) for c in range(n_c)]
        q_new = [1 / sum(m[c][p] / f[c] for c in range(n_c)) for p in range(n_p)]
        f = [v / (sum(f_new) / n_c) for v in f_new]
        q = [v / (sum(q_new) / n_p) for v in q_new]
    return np.array(f), np.array(q)


def test_fitness_complexity_equals_reference_iteration():
    m = small_matrix(4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ComplexityWarning)  # 40 iterations exactly, converged or not
        fitness, complexity = fitness_complexity(m, max_iterations=40, tolerance=1e-300)
    ref_f, ref_q = reference_fitness(m.tolist(), 40)
    np.testing.assert_allclose(fitness, ref_f, rtol=1e-12)
    np.testing.assert_allclose(complexity, ref_q, rtol=1e-12)


def test_fitness_complexity_properties():
    m = small_matrix(5)
    fitness, complexity = fitness_complexity(pd.DataFrame(m))
    assert fitness.mean() == pytest.approx(1) and complexity.mean() == pytest.approx(1)
    # A region that makes everything another region makes (and more) is at least as fit.
    superset = [(a, b) for a in range(m.shape[0]) for b in range(m.shape[0])
                if a != b and (m[a] >= m[b]).all() and m[a].sum() > m[b].sum()]
    assert superset
    assert all(fitness[a] >= fitness[b] for a, b in superset)
    # A product made by a subset of another product's makers is at least as complex.
    subset = [(p, q) for p in range(m.shape[1]) for q in range(m.shape[1])
              if p != q and (m[:, p] <= m[:, q]).all() and m[:, p].sum() < m[:, q].sum()]
    assert all(complexity[p] >= complexity[q] for p, q in subset)
    # Sparse input gives the same scores.
    np.testing.assert_allclose(fitness_complexity(sp.csr_matrix(m))[0], fitness, rtol=1e-10)


def test_fitness_complexity_warns_when_not_converged():
    nested = np.tril(np.ones((6, 6), dtype=int))  # perfectly nested: the weakest fitness tends to 0
    with pytest.warns(ComplexityWarning, match="did not converge"):
        fitness_complexity(nested, max_iterations=50)


def test_proximity_hand_computed_and_equal_to_ecomplexity():
    m = np.array([[1, 1, 0], [1, 0, 1], [1, 1, 0]])
    # products 0 & 1: together in 2 regions; ubiquities 3 and 2 -> min(2/3, 2/2) = 2/3
    expected = np.array([[1, 2 / 3, 1 / 3], [2 / 3, 1, 0], [1 / 3, 0, 1]])
    np.testing.assert_allclose(proximity(m), expected, rtol=1e-15)
    big = small_matrix(6)
    phi = proximity(big)
    np.testing.assert_array_equal(phi, calc_discrete_proximity(big, big.sum(axis=0)))
    np.testing.assert_allclose(proximity(sp.csr_matrix(big)), phi, rtol=1e-15)
    assert (np.diag(phi) == 1).all() and (phi == phi.T).all()
    labelled = proximity(pd.DataFrame(big, columns=[f"p{j}" for j in range(big.shape[1])]))
    assert list(labelled.index) == list(labelled.columns) == [f"p{j}" for j in range(big.shape[1])]


def test_density_hand_computed_equal_to_ecomplexity_and_aligned():
    m = np.array([[1, 1, 0], [1, 0, 1], [1, 1, 0]])
    phi = proximity(m)
    # region 1 (products 0 and 2), product 1: (2/3 + 0) / (2/3 + 1 + 0) = 0.4
    assert density(m, phi)[1, 1] == pytest.approx(0.4)
    big = small_matrix(7)
    phi = proximity(big)
    np.testing.assert_allclose(density(big, phi), calc_density(big, phi), rtol=1e-13)
    np.testing.assert_allclose(density(sp.csr_matrix(big), phi), calc_density(big, phi), rtol=1e-13)
    labels = [f"p{j}" for j in range(big.shape[1])]
    frame = pd.DataFrame(big, columns=labels)
    shuffled = pd.DataFrame(phi, index=labels, columns=labels).sample(frac=1, random_state=1)
    shuffled = shuffled[shuffled.index]
    np.testing.assert_allclose(density(frame, shuffled).to_numpy(), calc_density(big, phi), rtol=1e-13)


def test_complexity_outlook_equals_panel_and_explicit_pci():
    m = small_matrix(8)
    phi = proximity(m)
    coi, cog = complexity_outlook(m, phi)
    r, p = np.nonzero(m >= 0)
    ref = reference(pd.DataFrame({"year": 2020, "region": r, "product": p, "value": m[r, p]}),
                    presence_test="manual")
    np.testing.assert_allclose(coi, ref.groupby("region")["coi"].first(), atol=1e-9)
    np.testing.assert_allclose(cog, ref["cog"].to_numpy().reshape(m.shape), atol=1e-9)
    # ecomplexity's COG is the formula applied to PCI + mean(kc)/sd(kc): a constant offset of PCI.
    eci, pci = eci_pci(m)
    _, cog_plain = complexity_outlook(m, phi, pci)
    _, cog_ones = complexity_outlook(m, phi, np.ones(m.shape[1]))
    offset = np.linalg.lstsq(cog_ones.reshape(-1, 1), (cog - cog_plain).ravel(), rcond=None)[0][0]
    np.testing.assert_allclose(cog, cog_plain + offset * cog_ones, atol=1e-9)
    # The formulas, cell by cell, with an explicit product score.
    score = np.linspace(-1, 2, m.shape[1])
    coi_s, cog_s = complexity_outlook(m, phi, score)
    dens = density(m, phi)
    raw_coi = np.array([sum(dens[c, q] * (1 - m[c, q]) * score[q] for q in range(m.shape[1]))
                        for c in range(m.shape[0])])
    np.testing.assert_allclose(coi_s, (raw_coi - raw_coi.mean()) / raw_coi.std(), atol=1e-12)
    c, q = 0, int(np.flatnonzero(m[0] == 0)[0])
    expected = sum((1 - m[c, k]) * phi[k, q] / phi[k].sum() * score[k] for k in range(m.shape[1]))
    assert cog_s[c, q] == pytest.approx(expected, rel=1e-12)
    assert (cog_s[m == 1] == 0).all()


# ---------------------------------------------------------------------------------------------------
# Bad input: clear errors with stable codes
# ---------------------------------------------------------------------------------------------------


def error_code(function, *args, **kwargs) -> str:
    with pytest.raises(AnalyticsInputError) as info:
        function(*args, **kwargs)
    return info.value.code


def test_matrix_function_errors():
    m = pd.DataFrame([[1, 0, 1], [1, 1, 0], [0, 1, 1]], index=list("abc"), columns=list("xyz"))
    zero_product = m.assign(z=0)
    with pytest.raises(AnalyticsInputError, match="'z'") as info:
        eci_pci(zero_product)
    assert info.value.code == "all_zero_industry" and info.value.params["column"] == "z"
    assert error_code(proximity, zero_product) == "all_zero_industry"
    assert error_code(rca, zero_product) == "all_zero_industry"
    assert error_code(eci_pci, m.assign(x=0, y=0, z=[1, 1, 0])) == "empty_region"
    assert error_code(eci_pci, m.iloc[:1]) == "single_region"
    assert error_code(eci_pci, m.iloc[:, :1]) == "too_few_industries"
    assert error_code(eci_pci, [[1, 0], [0, 1]]) == "undefined_sign"
    assert error_code(rca, [[1, -2], [3, 4]]) == "negative_value"
    assert error_code(presence, m, threshold=0) == "invalid_parameter"
    assert error_code(presence, m, method="rpop") == "missing_population"
    assert error_code(presence, m, method="either") == "invalid_parameter"
    assert error_code(rpop, m, pd.Series({"a": 1, "b": 2})) == "missing_value"
    assert error_code(rpop, m, [1, 0, 2]) == "non_positive_population"
    assert error_code(density, m, np.ones((2, 2))) == "proximity_mismatch"
    assert error_code(density, m, pd.DataFrame(np.eye(3), index=list("xyw"), columns=list("xyw"))) == \
        "proximity_mismatch"
    assert error_code(fitness_complexity, m, max_iterations=0) == "invalid_parameter"


def test_panel_errors_name_the_problem():
    data = nested_panel(seed=9, years=(2020,))
    kwargs = {"time_col": "year", "loc_col": "region", "prod_col": "product", "val_col": "value"}
    with pytest.raises(AnalyticsInputError, match="'exports'") as info:
        complexity_panel(data, **{**kwargs, "val_col": "exports"})
    assert info.value.code == "missing_column"
    bad = data.astype({"value": object})
    bad.loc[3, "value"] = "n/a"
    with pytest.raises(AnalyticsInputError, match="row 4") as info:
        complexity_panel(bad, **kwargs)
    assert info.value.code == "non_numeric"
    assert error_code(complexity_panel, data.assign(value=data["value"].where(data.index != 2, -1.0)),
                      **kwargs) == "negative_value"
    assert error_code(complexity_panel, data.assign(value=data["value"].where(data.index != 2, np.nan)),
                      **kwargs) == "non_finite"
    nullable = data.astype({"value": "Float64"})
    nullable.loc[2, "value"] = pd.NA
    assert error_code(complexity_panel, nullable, **kwargs) == "non_finite"
    assert error_code(complexity_panel, data.assign(region=data["region"].where(data.index != 2, None)),
                      **kwargs) == "missing_value"
    with pytest.raises(AnalyticsInputError, match="repeats") as info:
        complexity_panel(pd.concat([data, data.iloc[[5]]], ignore_index=True), **kwargs)
    assert info.value.code == "duplicate_row" and info.value.params["row"] == len(data) + 1
    assert error_code(complexity_panel, data[data.region == "R03"], **kwargs) == "single_region"
    assert error_code(complexity_panel, data, **kwargs, presence_test="rpop") == "missing_population"
    partial = pd.DataFrame({"year": 2020, "region": ["R00"], "population": [10.0]})
    assert error_code(complexity_panel, data, **kwargs, presence_test="rpop", population=partial) == \
        "missing_population"
    assert error_code(complexity_panel, data, **kwargs, presence_test="nope") == "invalid_parameter"
    assert error_code(complexity_panel, data, **kwargs, threshold=-1) == "invalid_parameter"
    assert error_code(complexity_panel, data.rename(columns={"note": "eci"}), **kwargs) == "reserved_column"
    assert error_code(complexity_panel, data.iloc[:0], **kwargs) == "empty_data"
