"""Cluster strength ratings (khooshe.analytics.stars): U.S. Cluster Mapping flags and ECO stars.

The U.S. Cluster Mapping file (tests/analytics/data/cmp, 50 states x 67 clusters, 2016) holds the
published inputs, location quotients and flags: every flag must be reproduced with 0 mismatches and every
LQ to 1e-6 relative.  In that file local clusters carry no flags (NA): the Cluster Mapping rates only traded
clusters, and so does ``cmp_strength`` for clusters marked not traded.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from khooshe.analytics.stars import _column_quantiles, cmp_from_published, cmp_strength, eco_stars
from khooshe.analytics.validation import AnalyticsInputError

CMP_FILE = Path(__file__).parent / "data" / "cmp" / "cmp_states_clusters_2016.csv"
FLAGS = ("strong", "strong10", "qualifying", "significant")


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    return pd.read_csv(CMP_FILE, dtype={"region_code_t": str})


@pytest.fixture(scope="module")
def inputs(published) -> dict:
    return cmp_from_published(published)


def published_flag(rows: pd.DataFrame, flag: str) -> pd.Series:
    """The published flag as a nullable boolean (TRUE / FALSE / NA)."""
    text = rows[f"{flag}_b"].astype("string").str.upper()
    return text.map({"TRUE": True, "FALSE": False}).astype("boolean")


def mismatches(ours: pd.Series, theirs: pd.Series) -> int:
    """Cells where the two nullable boolean columns differ (NA equals NA only)."""
    differ = (ours.isna() != theirs.isna()) | (ours.fillna(False) != theirs.fillna(False))
    return int(differ.sum())


@pytest.mark.parametrize("kind", ["traded", "local"])
def test_cmp_reproduces_every_published_flag_and_lq(published, inputs, kind):
    result = cmp_strength(**inputs[kind])
    rows = published[published["traded_b"] == (kind == "traded")].set_index(["region_name_t", "cluster_name_t"])
    assert len(result) == len(rows) == (2550 if kind == "traded" else 800)
    result = result.reindex(rows.index)

    with_jobs = rows["emp_tl"] > 0
    relative = (result["lq"][with_jobs] / rows["lq_tf"][with_jobs] - 1).abs()
    assert relative.max() < 1e-6
    assert (result["lq"][~with_jobs] == 0).all() and (rows["lq_tf"][~with_jobs] == 0).all()

    for flag in FLAGS:
        expected = published_flag(rows, flag)
        assert mismatches(result[flag], expected) == 0, flag
        if kind == "traded":
            assert expected.notna().all() and expected.sum() > 0  # a real test: some regions are flagged
        else:
            assert expected.isna().all()  # the Cluster Mapping publishes no flags for local clusters


def test_cmp_reproduces_the_flags_from_the_published_lq(published, inputs):
    traded = published[published["traded_b"]]
    lq = traded.pivot(index="region_name_t", columns="cluster_name_t", values="lq_tf")
    kwargs = inputs["traded"]
    result = cmp_strength(kwargs["employment"], kwargs["establishments"], lq=lq)
    rows = traded.set_index(["region_name_t", "cluster_name_t"])
    result = result.reindex(rows.index)
    for flag in FLAGS:
        assert mismatches(result[flag], published_flag(rows, flag)) == 0, flag
    counts = {flag: int(published_flag(rows, flag).sum()) for flag in FLAGS}
    assert counts == {"strong": 512, "strong10": 209, "qualifying": 1454, "significant": 1014}


def test_cmp_thresholds_explain_every_flag(inputs):
    result = cmp_strength(**inputs["traded"])
    size = (result["employment"] > result["q25_emp"]) & (result["establishments"] > result["q25_est"])
    assert (size == result["size"]).all()
    strong = (result["lq"] >= result["q75_lq"]) & (result["lq"] >= 1) & size
    assert (strong == result["strong"].astype(bool)).all()
    significant = (result["lq"] > result["q50_lq"]) & size
    assert (significant == result["significant"].astype(bool)).all()
    # strong10 implies strong implies significant implies qualifying
    assert not (result["strong10"] & ~result["strong"]).any()
    assert not (result["strong"] & ~result["significant"]).any()
    assert not (result["significant"] & ~result["qualifying"]).any()


def test_cmp_quantiles_use_only_regions_with_employment():
    # Cluster 0: four regions with jobs (LQ of region 4 is 0 and must not pull the quantiles down).
    employment = np.array([[10, 5], [20, 5], [30, 5], [40, 5], [0, 5]], dtype=float)
    establishments = np.array([[1, 1], [2, 1], [3, 1], [4, 1], [0, 1]], dtype=float)
    lq = np.array([[0.5, 1], [1.0, 1], [1.5, 1], [2.0, 1], [0.0, 1]])
    result = cmp_strength(employment, establishments, lq=lq).xs(0, level="cluster")
    assert result["q25_lq"].iloc[0] == pytest.approx(np.quantile([0.5, 1.0, 1.5, 2.0], 0.25))  # 0.875
    assert result["q25_emp"].iloc[0] == pytest.approx(17.5)
    assert result["strong"].tolist() == [False, False, False, True, False]  # LQ >= 1.625 and size
    assert result["qualifying"].tolist() == [False, True, True, True, False]


def test_cmp_marks_unrated_clusters_na():
    employment = np.array([[10, 5], [20, 6], [30, 7]], dtype=float)
    result = cmp_strength(employment, employment, traded=pd.Series({0: True, 1: False}))
    assert result.xs(1, level="cluster")["strong"].isna().all()
    assert result.xs(0, level="cluster")["strong"].notna().all()


def test_cmp_from_published_recovers_whole_national_totals(inputs):
    traded = inputs["traded"]
    assert traded["employment"].shape == (50, 51) and inputs["local"]["employment"].shape == (50, 16)
    totals = traded["national_totals"]
    assert (totals == totals.round()).all() and (totals > 0).all()
    # The national traded total is the sum of the traded clusters (about 45.2 million jobs in 2016).
    assert traded["national_grand_total"] == totals.sum()
    assert 45e6 < traded["national_grand_total"] < 45.5e6
    assert (traded["region_totals"] >= traded["employment"].sum(axis=1)).all()


def test_cmp_bad_input(published):
    with pytest.raises(AnalyticsInputError) as error:
        cmp_from_published(published.drop(columns=["cluster_emp_per_tf"]))
    assert error.value.code == "missing_column" and error.value.column == "cluster_emp_per_tf"
    with pytest.raises(AnalyticsInputError) as error:
        cmp_strength(np.ones((3, 2)), np.ones((3, 3)))
    assert error.value.code == "shape_mismatch"
    employment = pd.DataFrame(np.ones((2, 2)), index=["a", "b"], columns=["x", "y"])
    with pytest.raises(AnalyticsInputError) as error:
        cmp_strength(employment, employment.rename(index={"b": "c"}))
    assert error.value.code == "label_mismatch" and "'b'" in str(error.value)


@settings(max_examples=80, deadline=None)
@given(
    arrays(np.float64, st.tuples(st.integers(1, 25), st.integers(1, 5)), elements=st.floats(0, 100, width=32)),
    st.sampled_from([0.25, 0.5, 0.75, 0.9, 0.1, 0.0, 1.0, 0.33]),
    st.integers(0, 2**31 - 1),
)
def test_column_quantiles_equal_numpy(values, probability, seed):
    mask = np.random.default_rng(seed).random(values.shape) < 0.7
    result = _column_quantiles(values, mask, probability)
    for column in range(values.shape[1]):
        chosen = values[mask[:, column], column]
        if chosen.size:
            assert result[column] == np.quantile(chosen, probability)  # bit for bit: ties compare the same
        else:
            assert np.isnan(result[column])


# -- European Cluster Observatory stars -------------------------------------------------------------------


def carpet_provinces() -> pd.DataFrame:
    """Ten provinces: carpets concentrated in p0 (big) and p1 (small but focused)."""
    return pd.DataFrame(
        {"carpets": [900, 300, 40, 30, 20, 10, 0, 0, 0, 0],
         "other": [9000, 200, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000]},
        index=[f"p{i}" for i in range(10)])


def test_eco_stars_by_hand():
    result = eco_stars(carpet_provinces())
    carpets = result.xs("carpets", level="category")
    # size: Q0.9 of (900, 300, 40, ...) = 300 + 0.1 x (900 - 300) = 360 -> only p0
    assert carpets["size_threshold"].iloc[0] == pytest.approx(360)
    assert carpets["size"].tolist() == [True] + [False] * 9
    # specialisation: national share 1300 / 18500; p0 900/9900 -> LQ 1.29; p1 300/500 -> LQ 8.54
    assert carpets.loc["p0", "lq"] == pytest.approx((900 / 9900) / (1300 / 18500))
    assert carpets["specialisation"].tolist() == [False, True] + [False] * 8
    # focus: shares 0.0909, 0.6, 0.038 ...; Q0.9 = 0.0909 + 0.1 x (0.6 - 0.0909) -> only p1
    assert carpets["focus"].tolist() == [False, True] + [False] * 8
    assert carpets["stars"].tolist() == [1, 2] + [0] * 8
    assert (result["stars"] == result[["size", "specialisation", "focus"]].sum(axis=1)).all()


def test_eco_stars_thresholds_are_parameters():
    lenient = eco_stars(carpet_provinces(), specialisation_threshold=1.2, size_quantile=0.8)
    carpets = lenient.xs("carpets", level="category")
    assert carpets.loc["p0", "stars"] == 2  # LQ 1.29 >= 1.2 now
    assert carpets.loc["p1", "size"]  # Q0.8 = 40 + 0.2 x 260 = 92 -> p0 and p1


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(2, 30), st.integers(1, 5)), elements=st.floats(0, 1e4)))
def test_stricter_thresholds_never_add_stars(values):
    values = values + 1.0
    loose = eco_stars(values, size_quantile=0.8, specialisation_threshold=1.5, focus_quantile=0.8)
    strict = eco_stars(values)
    assert (strict["stars"] <= loose["stars"]).all()
    # "top 10 %" of n distinct regions means the regions at or above the linear 90th percentile
    size = strict["size"].to_numpy().reshape(values.shape)
    for column in range(values.shape[1]):
        assert (size[:, column] == (values[:, column] >= np.quantile(values[:, column], 0.9))).all()


def test_eco_stars_bad_input():
    with pytest.raises(AnalyticsInputError) as error:
        eco_stars(carpet_provinces(), size_quantile=90)
    assert error.value.code == "bad_parameter" and error.value.params["parameter"] == "size_quantile"
    with pytest.raises(AnalyticsInputError) as error:
        eco_stars([[1, 2, 3]])
    assert error.value.code == "too_few_regions"
    frame = carpet_provinces()
    frame.loc["p3"] = 0
    with pytest.raises(AnalyticsInputError) as error:
        eco_stars(frame)
    assert error.value.code == "empty_region" and "'p3'" in str(error.value)
    with pytest.raises(AnalyticsInputError) as error:
        eco_stars(carpet_provinces(), region_totals=pd.Series({"p0": 10**6}))
    assert error.value.code == "missing_label" and "'p1'" in str(error.value)
