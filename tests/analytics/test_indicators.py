"""Regional indicators (khooshe.analytics.indicators) against published examples and reference code.

Known values come from the examples in the documentation of the R packages REAT (Wieland) and EconGeo
(Balland) and from hand computations.  The ``reference_*`` functions below transliterate the R code of
those packages line by line (plain loops, no cleverness) so that the vectorised versions can be compared
with them on the real data shipped with REAT (tests/analytics/data/reat).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from khooshe.analytics import indicators as ind
from khooshe.analytics.validation import AnalyticsInputError

DATA = Path(__file__).parent / "data" / "reat"


# -- data -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def laender() -> pd.DataFrame:
    """REAT G.regions.industries: 16 German Laender x 17 WZ-2008 sections, employment 2015."""
    rows = pd.read_csv(DATA / "germany_laender_sections_2015.csv")
    return rows.pivot(index="region", columns="ind_code", values="emp_all")


@pytest.fixture(scope="module")
def goettingen() -> pd.DataFrame:
    """REAT Goettingen: employment by section, Goettingen and Germany 2008-2017 (row A-R is the total)."""
    return pd.read_csv(DATA / "goettingen_vs_germany_2008_2017.csv").set_index("WZ2008_Code")


@pytest.fixture(scope="module")
def laender_years() -> dict[int, pd.DataFrame]:
    """REAT G.regions.emp: Laender x non-overlapping industries, one matrix per year 2008-2014."""
    rows = pd.read_csv(DATA / "germany_laender_emp_2008_2014.csv")
    # "Insgesamt" is the total; manufacturing (C) is part of B-E: keep a partition of the economy.
    rows = rows[(rows.region != "Insgesamt") & (rows.industry != "Insgesamt")
                & (rows.industry != "Verarbeitendes Gewerbe (C)")]
    return {int(year): part.pivot(index="region", columns="industry", values="emp")
            for year, part in rows.groupby("year")}


# -- reference implementations (transliterated R code) ------------------------------------------------


def reference_lq(mat: np.ndarray) -> np.ndarray:
    """EconGeo location.quotient."""
    out = np.zeros(mat.shape)
    for r in range(mat.shape[0]):
        for i in range(mat.shape[1]):
            out[r, i] = (mat[r, i] / mat[r].sum()) / (mat[:, i].sum() / mat.sum())
    return out


def reference_hachman(mat):
    """EconGeo Hachman: 1 / rowSums(lq * share_tech_city)."""
    lq = reference_lq(mat)
    return np.array([1 / sum(lq[r, i] * mat[r, i] / mat[r].sum() for i in range(mat.shape[1]))
                     for r in range(mat.shape[0])])


def reference_krugman_index(mat):
    """EconGeo Krugman.index."""
    national = mat.sum(axis=0) / mat.sum()
    return np.array([sum(abs(mat[r, i] / mat[r].sum() - national[i]) for i in range(mat.shape[1]))
                     for r in range(mat.shape[0])])


def reference_krugman_spec2(e_ij, e_il):
    """REAT krugman.spec2: region j against the unweighted mean share of the other regions l."""
    s_ij = [e / sum(e_ij) for e in e_ij]
    s_il = [[e_il[i][j] / sum(e_il[k][j] for k in range(len(e_ij))) for i in range(len(e_ij))]
            for j in range(len(e_il[0]))]
    mean = [sum(s_il[j][i] for j in range(len(s_il))) / len(s_il) for i in range(len(e_ij))]
    return sum(abs(s_ij[i] - mean[i]) for i in range(len(e_ij)))


def reference_gini_of(values):
    """REAT gini.spec / gini.conc: G = 2 / (n^2 mean) * sum(lambda * (sorted - mean))."""
    ordered = sorted(values)
    n = len(ordered)
    mean = sum(ordered) / n
    return 2 / (n**2 * mean) * sum((k + 1) * (v - mean) for k, v in enumerate(ordered))


def reference_gini_spec(e_ij, e_i):
    """REAT gini.spec(e_ij, e_i)."""
    e_j, e = sum(e_ij), sum(e_i)
    return reference_gini_of([(e_ij[i] / e_i[i]) / (e_j / e) for i in range(len(e_ij))])


def reference_gini_conc(e_ij, e_j):
    """REAT gini.conc(e_ij, e_j)."""
    e_i, e = sum(e_ij), sum(e_j)
    return reference_gini_of([(e_ij[r] / e_i) / (e_j[r] / e) for r in range(len(e_ij))])


def reference_locational_gini(mat, col):
    """EconGeo locational.Gini, one industry."""
    pop = [mat[r].sum() / mat.sum() for r in range(mat.shape[0])]
    industry = [mat[r, col] for r in range(mat.shape[0])]
    order = sorted(range(len(pop)), key=lambda r: (industry[r] / pop[r], r))
    industry = [industry[r] for r in order]
    pop = [pop[r] for r in order]
    cind = np.cumsum(industry) / np.cumsum(industry).max()
    cpop = np.cumsum(pop) / np.cumsum(pop).max()
    n = len(cind)
    return (sum(cind[k] * cpop[k - 1] for k in range(1, n)) - sum(cind[k - 1] * cpop[k] for k in range(1, n))) / 2


def reference_shift(region1, region2, nation1, nation2):
    """REAT shift, method Dunn: national share, industrial mix, regional shift, net total shift."""
    r1, r2, n1, n2 = sum(region1), sum(region2), sum(nation1), sum(nation2)
    national = r1 * n2 / n1 - r1
    mix = sum(a * (c2 / c1) for a, c1, c2 in zip(region1, nation1, nation2, strict=True)) - r1 * (n2 / n1)
    regional = sum(a * (b / a - c2 / c1) for a, b, c1, c2 in zip(region1, region2, nation1, nation2, strict=True))
    return national, mix, regional, r2 - r1 * (n2 / n1)


def reference_ellison_a(e_ik, e_j, regions):
    """REAT ellison.a: (gamma, G, z, K, H) of one industry; e_j in the order of first appearance."""
    names = list(dict.fromkeys(regions))
    e_i, e = sum(e_ik), sum(e_j)
    s_ij = [sum(x for x, r in zip(e_ik, regions, strict=True) if r == name) / e_i for name in names]
    s_j = [x / e for x in e_j]
    g = sum((a - b) ** 2 for a, b in zip(s_ij, s_j, strict=True))
    h = sum((x / e_i) ** 2 for x in e_ik)
    sx2 = sum(x**2 for x in s_j)
    sx3 = sum(x**3 for x in s_j)
    gamma = (g - (1 - sx2) * h) / ((1 - sx2) * (1 - h))
    z4 = sum((x / e_i) ** 4 for x in e_ik)
    var = 2 * (h**2 * (sx2 - 2 * sx3 + sx2**2) - z4 * (sx2 - 4 * sx3 + 3 * sx2**2))
    return gamma, g, (g - (1 - sx2) * h) / np.sqrt(var), len(e_ik), h


# -- location quotients and shares ------------------------------------------------------------------------


def test_location_quotient_matches_econgeo_on_the_laender(laender):
    expected = reference_lq(laender.to_numpy())
    result = ind.location_quotient(laender)
    assert isinstance(result, pd.DataFrame)
    assert result.index.equals(laender.index) and result.columns.equals(laender.columns)
    np.testing.assert_allclose(result.to_numpy(), expected, rtol=1e-12)


def test_location_quotient_with_national_totals_reproduces_reat_goettingen(goettingen):
    """REAT's Goettingen example: locq(Goettingen2017[2:16], Goettingen2017[1], BRD2017[2:16], BRD2017[1])."""
    sections = goettingen.drop(index="A-R")
    region = sections[["Goettingen2017"]].T
    lq = ind.location_quotient(
        region,
        region_totals=[goettingen.loc["A-R", "Goettingen2017"]],
        industry_totals=sections["BRD2017"].to_numpy(),
        grand_total=goettingen.loc["A-R", "BRD2017"],
    )
    expected = (sections["Goettingen2017"] / goettingen.loc["A-R", "Goettingen2017"]) / (
        sections["BRD2017"] / goettingen.loc["A-R", "BRD2017"])
    np.testing.assert_allclose(lq.iloc[0].to_numpy(), expected.to_numpy(), rtol=1e-12)
    # Hand check of one value: universities and research (P) are 2.78 times as important in Goettingen.
    assert lq.loc["Goettingen2017", "P"] == pytest.approx((7488 / 69403) / (1249260 / 32164973))


def test_location_quotient_accepts_totals_as_labelled_series(laender):
    totals = laender.sum(axis=1).iloc[::-1]  # reversed order: must be aligned on the labels
    result = ind.location_quotient(laender, region_totals=totals)
    np.testing.assert_allclose(result.to_numpy(), reference_lq(laender.to_numpy()), rtol=1e-12)


def test_location_quotient_and_shares_stay_sparse(laender):
    dense = laender.to_numpy()
    sparse = sp.csr_matrix(dense)
    lq = ind.location_quotient(sparse)
    assert sp.issparse(lq)
    np.testing.assert_allclose(lq.toarray(), reference_lq(dense), rtol=1e-12)
    for within, axis in (("region", 1), ("industry", 0)):
        share = ind.shares(sparse, within=within)
        assert sp.issparse(share)
        np.testing.assert_allclose(share.toarray(), dense / dense.sum(axis=axis, keepdims=True), rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(2, 8), st.integers(1, 6)), elements=st.floats(0, 1e6)))
def test_location_quotients_average_to_one_weighted_by_region_size(values):
    """sum_r (E_r / E) LQ_ri = 1 for every industry: the nation is the weighted average of its regions."""
    values = values + 1.0  # no empty region or industry
    lq = ind.location_quotient(values)
    weights = values.sum(axis=1) / values.sum()
    np.testing.assert_allclose(weights @ lq, 1.0, rtol=1e-9)
    sparse_lq = ind.location_quotient(sp.csr_matrix(values))
    np.testing.assert_allclose(sparse_lq.toarray(), lq, rtol=1e-12)


# -- specialisation ---------------------------------------------------------------------------------------


def test_specialisation_matches_reat_and_econgeo_on_the_laender(laender):
    mat = laender.to_numpy()
    result = ind.specialisation(laender)
    assert list(result.columns) == ["hoover", "gini", "krugman"]
    np.testing.assert_allclose(result["hoover"], reference_krugman_index(mat) / 2, rtol=1e-12)
    national = mat.sum(axis=0)
    np.testing.assert_allclose(result["gini"], [reference_gini_spec(row, national) for row in mat], rtol=1e-12)
    expected_krugman = [
        reference_krugman_spec2(list(mat[r]), [[mat[other, i] for other in range(len(mat)) if other != r]
                                               for i in range(mat.shape[1])])
        for r in range(len(mat))
    ]
    np.testing.assert_allclose(result["krugman"], expected_krugman, rtol=1e-12)
    sparse = ind.specialisation(sp.csr_matrix(mat))
    np.testing.assert_allclose(sparse.to_numpy(), result.to_numpy(), rtol=1e-12)


def test_gini_specialisation_reproduces_the_reat_example():
    """REAT gini.spec: E_ij = 700, 600, 500, 10000, 40000 against E_i gives 0.6222222."""
    e_ij = [700, 600, 500, 10000, 40000]
    e_i = [30000, 15000, 10000, 60000, 50000]
    one_region = ind.specialisation([e_ij], industry_totals=e_i)
    assert one_region.loc[0, "gini"] == pytest.approx(0.6222222, abs=5e-8)
    assert np.isnan(one_region.loc[0, "krugman"])
    # The same with the rest of the nation as a second region (national totals = column sums).
    two_regions = ind.specialisation([e_ij, list(np.subtract(e_i, e_ij))])
    assert two_regions.loc[0, "gini"] == pytest.approx(0.6222222, abs=5e-8)


def test_krugman_specialisation_reproduces_the_reat_example():
    """REAT krugman.spec2: Sweden against Norway, Denmark, Finland and Iceland gives 0.1595."""
    jobs = pd.DataFrame(
        [[45000, 15000, 32000, 10000, 30000], [35000, 12000, 30000, 8000, 22000],
         [40000, 10000, 25000, 9000, 18000], [30000, 11000, 18000, 3000, 13000],
         [40000, 6000, 11000, 2000, 12000]],
        index=["Sweden", "Norway", "Denmark", "Finland", "Iceland"])
    result = ind.krugman_specialisation(jobs)
    assert result.loc["Sweden", "coefficient"] == pytest.approx(0.1595, abs=5e-5)
    np.testing.assert_allclose(result["index"], reference_krugman_index(jobs.to_numpy()), rtol=1e-12)
    assert result.loc["Sweden", "index"] != pytest.approx(result.loc["Sweden", "coefficient"])


def test_krugman_dissimilarity_reproduces_the_reat_example(goettingen):
    """REAT krugman.spec: two regions without a common industry give 2; Goettingen vs Germany by hand."""
    assert ind.krugman_dissimilarity([[20, 10, 70, 0, 0], [0, 0, 0, 60, 40]])[0, 1] == 2.0
    sections = goettingen.drop(index="A-R")
    pair = sections[["Goettingen2017", "BRD2017"]].T
    expected = (sections["Goettingen2017"] / sections["Goettingen2017"].sum()
                - sections["BRD2017"] / sections["BRD2017"].sum()).abs().sum()
    result = ind.krugman_dissimilarity(pair)
    assert result.loc["Goettingen2017", "BRD2017"] == pytest.approx(expected, rel=1e-12)


def test_hachman_matches_econgeo_and_is_one_for_the_national_mix(laender):
    np.testing.assert_allclose(ind.hachman(laender).to_numpy(), reference_hachman(laender.to_numpy()), rtol=1e-12)
    np.testing.assert_allclose(ind.hachman(sp.csr_matrix(laender.to_numpy())),
                               reference_hachman(laender.to_numpy()), rtol=1e-12)
    # A region whose mix is exactly the nation's has a Hachman index of 1.
    national_mix = laender.sum(axis=0).to_numpy()
    assert ind.hachman([national_mix / 1000], industry_totals=national_mix)[0] == pytest.approx(1.0)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(2, 7), st.integers(2, 6)), elements=st.floats(0, 1e5)))
def test_specialisation_measures_stay_in_their_ranges(values):
    values = values + 0.5
    hachman = ind.hachman(values)
    assert np.all((hachman > 0) & (hachman <= 1 + 1e-12))
    krugman = ind.krugman_specialisation(values)
    assert np.all((krugman.to_numpy() >= -1e-12) & (krugman.to_numpy() <= 2 + 1e-12))
    spec = ind.specialisation(values)
    np.testing.assert_allclose(spec["hoover"], krugman["index"] / 2, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(spec["krugman"], krugman["coefficient"], rtol=1e-12)


# -- diversity and concentration ------------------------------------------------------------------------


def test_herfindahl_reproduces_the_reat_example_and_econgeo(laender):
    assert ind.herfindahl([20, 50, 20, 10]) == pytest.approx(0.34)
    assert ind.herfindahl([20, 50, 20, 10], normalised=True) == pytest.approx(0.12)
    mat = laender.to_numpy()
    expected = (mat * mat).sum(axis=1) / mat.sum(axis=1) ** 2  # EconGeo herfindahl
    np.testing.assert_allclose(ind.herfindahl(laender).to_numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(ind.herfindahl(sp.csr_matrix(mat)), expected, rtol=1e-12)
    per_industry = (mat * mat).sum(axis=0) / mat.sum(axis=0) ** 2
    np.testing.assert_allclose(ind.herfindahl(laender, axis=0).to_numpy(), per_industry, rtol=1e-12)


def test_entropy_agrees_with_econgeo_to_its_three_decimals(laender):
    mat = laender.to_numpy()
    freqs = mat / mat.sum(axis=1, keepdims=True)
    econgeo = np.round(-(freqs * np.log2(freqs + 0.000000001)).sum(axis=1), 3)
    result = ind.entropy(laender)
    np.testing.assert_allclose(np.round(result.to_numpy(), 3), econgeo, atol=1e-12)
    np.testing.assert_allclose(ind.entropy(sp.csr_matrix(mat)), result.to_numpy(), rtol=1e-12)
    assert ind.entropy([1, 1, 1, 1]) == pytest.approx(2.0)
    assert ind.entropy([1, 1, 1, 1], base=np.e) == pytest.approx(np.log(4))


def test_gini_reproduces_the_econgeo_example_and_its_bounds():
    assert ind.gini([0, 10, 10, 30, 50]) == pytest.approx(0.48)
    assert ind.gini([5, 5, 5]) == pytest.approx(0.0)
    assert ind.gini([0, 0, 0, 7]) == pytest.approx(3 / 4)  # (n - 1) / n
    assert ind.gini([0, 0, 0, 7], normalised=True) == pytest.approx(1.0)
    matrix = np.array([[0, 5], [10, 5], [10, 5], [30, 5], [50, 5]], dtype=float)
    np.testing.assert_allclose(ind.gini(matrix), [0.48, 0.0], atol=1e-12)
    np.testing.assert_allclose(ind.gini(sp.csr_matrix(matrix)), [0.48, 0.0], atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.integers(2, 30), elements=st.floats(0, 1e6)))
def test_gini_agrees_with_the_reat_formula(values):
    values = values + np.arange(values.size) % 2  # never all zero
    assert ind.gini(values) == pytest.approx(reference_gini_of(list(values)), abs=1e-9)
    sparse_row = sp.csr_matrix(values.reshape(1, -1))
    assert ind.gini(sparse_row, axis=1)[0] == pytest.approx(reference_gini_of(list(values)), abs=1e-9)


def test_locational_gini_reproduces_reat_and_econgeo(laender, laender_years):
    # REAT gini.conc example: 0.4068966.
    share = ind.locational_gini([[500, 19500], [500, 14500], [1000, 19000], [7000, 33000], [1000, 4000]],
                                method="reat")
    assert share[0] == pytest.approx(0.4068966, abs=5e-8)
    mat = laender.to_numpy()
    econgeo = ind.locational_gini(laender)
    np.testing.assert_allclose(econgeo.to_numpy(), [reference_locational_gini(mat, c) for c in range(mat.shape[1])],
                               rtol=1e-10, atol=1e-14)
    reat = ind.locational_gini(laender, method="reat")
    np.testing.assert_allclose(reat.to_numpy(), [reference_gini_conc(mat[:, c], mat.sum(axis=1))
                                                 for c in range(mat.shape[1])], rtol=1e-12)
    np.testing.assert_allclose(ind.locational_gini(sp.csr_matrix(mat), method="reat"), reat.to_numpy(), rtol=1e-12)
    # REAT's example on G.regions.emp: construction 2008 against each Land's total employment.
    raw = pd.read_csv(DATA / "germany_laender_emp_2008_2014.csv")
    raw = raw[(raw.year == 2008) & (raw.region != "Insgesamt")]
    construction = raw[raw.industry == "Baugewerbe (F)"].set_index("region")["emp"]
    total = raw[raw.industry == "Insgesamt"].set_index("region")["emp"]
    matrix = laender_years[2008]
    result = ind.locational_gini(matrix, method="reat", region_totals=total)
    assert result["Baugewerbe (F)"] == pytest.approx(
        reference_gini_conc(construction.reindex(total.index).to_numpy(), total.to_numpy()), rel=1e-12)


def test_locational_gini_closed_forms():
    # An industry spread exactly like total employment has 0; alone in one region with share p: (1 - p) / 2.
    spread = np.array([[10, 20], [30, 60], [60, 120]], dtype=float)
    np.testing.assert_allclose(ind.locational_gini(spread), [0.0, 0.0], atol=1e-12)
    alone = np.array([[0, 70], [30, 0]], dtype=float)
    np.testing.assert_allclose(ind.locational_gini(alone), [0.35, 0.15], atol=1e-12)


def test_hoover_reproduces_the_econgeo_examples():
    population = [10, 15, 20, 25, 30]
    assert ind.hoover([0, 10, 10, 30, 50], population) == pytest.approx(0.25)  # EconGeo: 25
    matrix = pd.DataFrame({"I2": [10, 15, 20, 25, 30], "I3": [0, 0, 0, 0, 1], "I4": [0, 0, 0, 1, 1]},
                          index=["R1", "R2", "R3", "R4", "R5"])
    result = ind.hoover(matrix, pd.Series(population, index=matrix.index))
    np.testing.assert_allclose(result.to_numpy(), [0.0, 0.70, 0.45], atol=1e-12)  # EconGeo: 0, 70, 45
    # REAT hoover without weights compares with equal shares.
    assert ind.hoover([1, 1, 2]) == pytest.approx(0.5 * (2 * abs(0.25 - 1 / 3) + abs(0.5 - 1 / 3)))


def test_hoover_of_specialisation_is_half_the_krugman_index(laender):
    per_region = ind.hoover(laender, "totals", axis=1)
    np.testing.assert_allclose(per_region.to_numpy(), reference_krugman_index(laender.to_numpy()) / 2, rtol=1e-12)
    np.testing.assert_allclose(ind.hoover(sp.csr_matrix(laender.to_numpy()), "totals", axis=1),
                               per_region.to_numpy(), rtol=1e-12)


# -- growth and shift-share ------------------------------------------------------------------------------

REGION_A = ([90, 20, 10, 60], [100, 40, 10, 55])
REGION_B = ([60, 30, 30, 40], [85, 55, 40, 35])
REGION_C = ([250, 100, 110, 300], [255, 115, 85, 390])
NATION = ([400, 150, 150, 400], [440, 210, 135, 480])


def test_cagr():
    assert ind.cagr(100, 121, 2) == pytest.approx(0.1)
    assert ind.cagr(1000, 2000, 10) == pytest.approx(2 ** 0.1 - 1)
    result = ind.cagr(pd.Series([100.0, 0.0], index=["a", "b"]), pd.Series([50.0, 5.0], index=["a", "b"]), 1)
    assert result["a"] == pytest.approx(-0.5) and np.isnan(result["b"])
    with pytest.raises(AnalyticsInputError) as error:
        ind.cagr(100, 110, 0)
    assert error.value.code == "bad_parameter"
    with pytest.raises(AnalyticsInputError) as error:
        ind.cagr([1, -2], [1, 1], 1)
    assert error.value.code == "negative_value"


def test_shift_share_reproduces_the_farhauer_kroell_example():
    """REAT's shift() examples (Farhauer & Kroell 2013); components computed by hand.

    A: national share 180 x 0.15 = 27, mix 208 - 207 = 1, regional 205 - 208 = -3.
    B: 24, 183 - 184 = -1, 215 - 183 = 32.  C: 114, 874 - 874 = 0, 845 - 874 = -29.
    The three regions add up to the nation exactly, so the matrix form needs no national vectors.
    """
    base = pd.DataFrame([REGION_A[0], REGION_B[0], REGION_C[0]], index=["A", "B", "C"])
    final = pd.DataFrame([REGION_A[1], REGION_B[1], REGION_C[1]], index=["A", "B", "C"])
    result = ind.shift_share(base, final)
    expected = pd.DataFrame({"national_share": [27.0, 24.0, 114.0], "industry_mix": [1.0, -1.0, 0.0],
                             "regional_shift": [-3.0, 32.0, -29.0]}, index=["A", "B", "C"])
    pd.testing.assert_frame_equal(result.totals[expected.columns], expected, atol=1e-9)
    np.testing.assert_allclose(result.totals["net_total_shift"], [-2.0, 31.0, -29.0], atol=1e-9)
    for r1, r2 in (REGION_A, REGION_B, REGION_C):
        single = ind.shift_share([r1], [r2], nation_base=NATION[0], nation_final=NATION[1])
        ns, im, rs, nts = reference_shift(r1, r2, *NATION)
        np.testing.assert_allclose(single.totals.iloc[0][["national_share", "industry_mix", "regional_shift",
                                                          "net_total_shift"]].to_numpy(float), [ns, im, rs, nts],
                                   atol=1e-9)
    # cell by cell: the three components add up to the change, and regional shifts cancel nationally
    change = final - base
    total = result.national_share + result.industry_mix + result.regional_shift
    pd.testing.assert_frame_equal(total, change.astype(float), atol=1e-9)
    np.testing.assert_allclose(result.regional_shift.sum(axis=0), 0.0, atol=1e-9)
    only_b = ind.shift_share(base, final, region="B")
    assert list(only_b.totals.index) == ["B"] and only_b.totals.loc["B", "regional_shift"] == pytest.approx(32.0)


def test_shift_share_counts_new_industries_as_regional_shift():
    # REAT's formula gives NaN for an industry absent in the first year; here its jobs are regional shift.
    result = ind.shift_share([[10, 0], [10, 10]], [[12, 5], [11, 12]])
    assert result.regional_shift[0, 1] == pytest.approx(5 - 0)
    assert result.industry_mix[0, 1] == 0 and result.national_share[0, 1] == 0


def test_shift_share_of_goettingen_matches_reat(goettingen):
    sections = goettingen.drop(index="A-R")
    result = ind.shift_share(sections[["Goettingen2008"]].T, sections[["Goettingen2017"]].T.set_axis(
        ["Goettingen2008"]), nation_base=sections["BRD2008"], nation_final=sections["BRD2017"])
    expected = reference_shift(*(sections[c].to_numpy() for c in ("Goettingen2008", "Goettingen2017",
                                                                    "BRD2008", "BRD2017")))
    np.testing.assert_allclose(result.totals.iloc[0][["national_share", "industry_mix", "regional_shift",
                                                      "net_total_shift"]].to_numpy(float), expected, rtol=1e-10)


def test_dynamic_shift_share_matches_reat_shiftd(laender_years):
    """REAT shiftd sums the yearly components; checked by hand on the REAT example and on 16 Laender."""
    hand = ind.shift_share_dynamic(
        [[[90, 20, 10, 60]], [[100, 40, 10, 55]], [[105, 45, 15, 60]]],
        nations=[[400, 150, 150, 400], [440, 210, 135, 480], [460, 230, 155, 500]])
    # 2000-2001: 27, 1, -3; 2001-2002: 205 x 80/1265 = 12.9644, 217.1281 - 217.9644 = -0.8363, 225 - 217.1281.
    np.testing.assert_allclose(hand.totals.iloc[0][["national_share", "industry_mix", "regional_shift"]]
                               .to_numpy(float), [27 + 205 * 80 / 1265, 1 - 0.836310, -3 + 7.871879], atol=1e-5)

    result = ind.shift_share_dynamic(laender_years)
    years = sorted(laender_years)
    for region in laender_years[years[0]].index[:4]:
        expected = np.zeros(4)
        for y0, y1 in zip(years[:-1], years[1:], strict=True):
            a, b = laender_years[y0], laender_years[y1]
            expected += reference_shift(a.loc[region].to_numpy(), b.loc[region].to_numpy(),
                                        a.sum().to_numpy(), b.sum().to_numpy())
        np.testing.assert_allclose(result.totals.loc[region, ["national_share", "industry_mix", "regional_shift",
                                                              "net_total_shift"]].to_numpy(float), expected, rtol=1e-10)
    change = laender_years[years[-1]] - laender_years[years[0]]
    np.testing.assert_allclose(result.totals["change"], change.sum(axis=1), rtol=1e-12)


def test_shift_share_keeps_sparse_components_sparse():
    base = sp.csr_matrix(np.array([[10, 0, 5], [0, 3, 0], [4, 4, 0]], dtype=float))
    final = sp.csr_matrix(np.array([[12, 1, 5], [0, 2, 0], [5, 4, 1]], dtype=float))
    result = ind.shift_share(base, final)
    dense = ind.shift_share(base.toarray(), final.toarray())
    assert sp.issparse(result.industry_mix) and sp.issparse(result.regional_shift)
    np.testing.assert_allclose(result.regional_shift.toarray(), dense.regional_shift)
    pd.testing.assert_frame_equal(result.totals, dense.totals)
    mixed = ind.shift_share(base, final.toarray())  # one sparse, one dense
    pd.testing.assert_frame_equal(mixed.totals, dense.totals)


# -- Ellison-Glaeser --------------------------------------------------------------------------------------


def test_ellison_glaeser_reproduces_the_reat_example():
    """REAT ellison.a (Farhauer & Kroell 2014): gamma = 0.05990628."""
    regions = ["Wien"] * 5 + ["Linz"] * 4 + ["Graz"]
    employees = [200, 650, 12000, 100, 50, 16000, 13000, 1500, 1500, 25000]
    sizes = pd.Series({"Wien": 500000, "Linz": 400000, "Graz": 100000})
    result = ind.ellison_glaeser((employees, regions, ["metal"] * 10), region_shares=sizes)
    gamma, g, z, k, h = reference_ellison_a(employees, [500000, 400000, 100000], regions)
    assert result.loc["metal", "gamma"] == pytest.approx(0.05990628, abs=5e-9)
    assert result.loc["metal", "gamma"] == pytest.approx(gamma, rel=1e-12)
    assert result.loc["metal", "G"] == pytest.approx(g, rel=1e-12)
    assert result.loc["metal", "H"] == pytest.approx(h, rel=1e-12)
    assert result.loc["metal", "z"] == pytest.approx(z, rel=1e-12)
    assert result.loc["metal", "plants"] == k


def random_plants(seed: int, n_plants: int = 3000, n_regions: int = 12, n_industries: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "region": rng.choice([f"r{i}" for i in range(n_regions)], n_plants, p=rng.dirichlet(np.ones(n_regions))),
        "industry": rng.choice([f"i{i}" for i in range(n_industries)], n_plants),
        "employment": rng.lognormal(2, 1.2, n_plants).round() + 1,
    })


def test_ellison_glaeser_matches_reat_per_industry():
    plants = random_plants(1)
    result = ind.ellison_glaeser(plants)
    region_totals = plants.groupby("region")["employment"].sum()
    for industry, part in plants.groupby("industry"):
        # REAT ellison.a2 pads every industry with all regions; the order of e_j follows first appearance.
        order = list(dict.fromkeys(list(part["region"]) + list(region_totals.index)))
        padded_employees = list(part["employment"]) + [0.0] * len(region_totals)
        padded_regions = list(part["region"]) + list(region_totals.index)
        gamma, g, z, _, _ = reference_ellison_a(padded_employees, [region_totals[r] for r in order], padded_regions)
        assert result.loc[industry, "gamma"] == pytest.approx(gamma, rel=1e-10)
        assert result.loc[industry, "G"] == pytest.approx(g, rel=1e-10)
        assert result.loc[industry, "z"] == pytest.approx(z, rel=1e-10)


def test_ellison_glaeser_is_zero_on_average_for_darts():
    """Under the dartboard null (plants thrown at regions with probabilities x_r) E[gamma] = 0."""
    rng = np.random.default_rng(7)
    n_regions, n_industries, per_industry = 10, 400, 40
    x = rng.dirichlet(np.ones(n_regions) * 2)
    industry = np.repeat(np.arange(n_industries), per_industry)
    plants = (rng.lognormal(2, 1, industry.size).round() + 1, rng.choice(n_regions, industry.size, p=x), industry)
    result = ind.ellison_glaeser(plants, region_shares=pd.Series(x, index=np.arange(n_regions)))
    assert abs(result["gamma"].mean()) < 3 * result["gamma"].std() / np.sqrt(n_industries)
    # ... while an industry whose plants all sit in one small region is strongly agglomerated.
    clustered = ind.ellison_glaeser(
        (np.ones(50), np.zeros(50, dtype=int), np.zeros(50, dtype=int)),
        region_shares=pd.Series(x, index=np.arange(n_regions)))
    assert clustered.loc[0, "gamma"] > 0.5


def test_coagglomeration_pairs_equal_the_group_formula():
    """For a pair, EG (1997) eq. 5 reduces to the EGK (2010) covariance formula; two code paths agree."""
    plants = random_plants(3)
    pairs = ind.ellison_glaeser_coagglomeration(plants)
    names = list(pairs.index)
    groups = {(a, b): [a, b] for k, a in enumerate(names) for b in names[k + 1:]}
    grouped = ind.ellison_glaeser_coagglomeration(plants, groups=groups)
    for (a, b), row in grouped.iterrows():
        assert row["gamma_c"] == pytest.approx(pairs.loc[a, b], rel=1e-9, abs=1e-12)
    assert np.isnan(np.diag(pairs.to_numpy())).all()
    np.testing.assert_allclose(pairs.to_numpy(), pairs.to_numpy().T, equal_nan=True)


def test_coagglomeration_of_a_group_by_hand():
    """Two industries both entirely in region a (x = 1/2, 1/4, 1/4), two equal plants each.

    G_U = 0.5^2 + 2 x 0.25^2 = 0.375, 1 - sum x^2 = 0.625, w = (1/2, 1/2), H_U = 2 x 0.25 x 0.5 = 0.25,
    sum w^2 gamma_j (1 - H_j) = 2 x 0.25 x 0.1 = 0.05: gamma_c = (0.6 - 0.25 - 0.05) / 0.5 = 0.6.
    """
    plants = pd.DataFrame({"region": ["a", "a", "a", "a", "b", "c"],
                           "industry": ["x", "x", "y", "y", "z", "z"],
                           "employment": [1, 1, 1, 1, 1, 1]})
    shares = pd.Series({"a": 0.5, "b": 0.25, "c": 0.25})
    gamma = ind.ellison_glaeser(plants, region_shares=shares)
    # G = 0.25 + 0.0625 * 2 = 0.375, 1 - sum x^2 = 0.625, H = 0.5: gamma = (0.6 - 0.5) / 0.5 = 0.2
    assert gamma.loc["x", "gamma"] == pytest.approx(0.2)
    result = ind.ellison_glaeser_coagglomeration(plants, groups={"xy": ["x", "y"]}, region_shares=shares)
    assert result.loc["xy", "gamma_c"] == pytest.approx(0.6)
    assert result.loc["xy", "industries"] == ["x", "y"]


# -- bad input ---------------------------------------------------------------------------------------------


def test_empty_region_is_named():
    frame = pd.DataFrame({"a": [1, 0, 2], "b": [3, 0, 1]}, index=["Tehran", "Ilam", "Yazd"])
    for function in (ind.location_quotient, ind.hachman, ind.specialisation, ind.herfindahl, ind.entropy):
        with pytest.raises(AnalyticsInputError) as error:
            function(frame)
        assert error.value.code == "empty_region"
        assert "'Ilam'" in str(error.value) and error.value.params["label"] == "Ilam"


def test_all_zero_industry_is_named():
    frame = pd.DataFrame({"carpets": [1, 2], "saffron": [0, 0]}, index=["Kerman", "Yazd"])
    with pytest.raises(AnalyticsInputError) as error:
        ind.location_quotient(frame)
    assert error.value.code == "empty_industry" and "'saffron'" in str(error.value)


def test_single_region_needs_national_totals():
    with pytest.raises(AnalyticsInputError) as error:
        ind.location_quotient([[1, 2, 3]])
    assert error.value.code == "single_region"
    np.testing.assert_allclose(ind.location_quotient([[1, 2, 3]], industry_totals=[4, 4, 4]), [[0.5, 1.0, 1.5]])


def test_bad_totals_are_rejected_with_their_label():
    frame = pd.DataFrame({"a": [5, 1], "b": [5, 1]}, index=["r1", "r2"])
    with pytest.raises(AnalyticsInputError) as error:
        ind.location_quotient(frame, region_totals=pd.Series({"r1": 20}))
    assert error.value.code == "missing_label" and "'r2'" in str(error.value)
    with pytest.raises(AnalyticsInputError) as error:
        ind.location_quotient(frame, region_totals=[3, 10])
    assert error.value.code == "total_too_small" and "'r1'" in str(error.value)
    with pytest.raises(AnalyticsInputError) as error:
        ind.location_quotient(frame, industry_totals=[1, 2, 3])
    assert error.value.code == "length_mismatch"


def test_non_numeric_and_negative_values_are_named():
    with pytest.raises(AnalyticsInputError) as error:
        ind.location_quotient(pd.DataFrame({"a": [1, "x"], "b": [1, 2]}, index=["r1", "r2"]))
    assert error.value.code == "non_numeric" and error.value.column == "a"
    with pytest.raises(AnalyticsInputError) as error:
        ind.hachman(pd.DataFrame({"a": [1, -4], "b": [1, 2]}, index=["r1", "r2"]))
    assert error.value.code == "negative_value" and error.value.params["row"] == "r2"


def test_shift_share_rejects_mismatched_years():
    with pytest.raises(AnalyticsInputError) as error:
        ind.shift_share([[1, 2], [3, 4]], [[1, 2, 3], [3, 4, 5]])
    assert error.value.code == "shape_mismatch"
    with pytest.raises(AnalyticsInputError) as error:
        ind.shift_share(pd.DataFrame([[1]], index=["a"]), pd.DataFrame([[1]], index=["b"]),
                        nation_base=[2], nation_final=[2])
    assert error.value.code == "label_mismatch"


def test_ellison_glaeser_rejects_bad_plants():
    with pytest.raises(AnalyticsInputError) as error:
        ind.ellison_glaeser(pd.DataFrame({"region": ["a"], "industry": ["x"]}))
    assert error.value.code == "missing_column" and error.value.column == "employment"
    with pytest.raises(AnalyticsInputError) as error:
        ind.ellison_glaeser(pd.DataFrame({"region": ["a", "b"], "industry": ["x", "x"], "employment": [3, "many"]}))
    assert error.value.code == "non_numeric" and error.value.params["row"] == 2
    with pytest.raises(AnalyticsInputError) as error:
        ind.ellison_glaeser(pd.DataFrame({"region": ["a", "b"], "industry": ["x", "x"], "employment": [3, 1]}),
                            region_shares=pd.Series({"a": 1.0}))
    assert error.value.code == "missing_label" and "'b'" in str(error.value)
    with pytest.raises(AnalyticsInputError) as error:
        ind.ellison_glaeser_coagglomeration(random_plants(2), groups={"g": ["i1"]})
    assert error.value.code == "bad_parameter"
