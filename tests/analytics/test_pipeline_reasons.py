"""The pipeline keeps why each cluster got its stage, type and technology level (code + figures, for the
translated sentences of the web), and turns support institutions by region into the support density the
life-cycle stage needs to call a cluster developed."""

import json
from dataclasses import asdict

import pandas as pd
import pytest

from khooshe.analytics import classify
from khooshe.analytics.pipeline import PipelineOptions, run_pipeline
from khooshe.analytics.validation import AnalyticsInputError

COLUMNS = {"region_col": "region", "industry_col": "industry", "value_col": "value",
           "establishment_col": "establishment"}
# establishments (30 employees each) by region and ISIC division: P1 holds a big food cluster (61 plants in
# all, 55 of them in division 10, 1,650 employees), P4 a smaller electronics one.
PLAN = {"P1": {"10": 55, "26": 3, "62": 3}, "P2": {"10": 4, "26": 6, "62": 5},
        "P3": {"10": 5, "26": 5, "62": 6}, "P4": {"10": 3, "26": 12, "62": 4}}


@pytest.fixture(scope="module")
def records():
    rows = [(region, industry, 30.0, f"{region}-{industry}-{k}")
            for region, industries in PLAN.items() for industry, count in industries.items() for k in range(count)]
    return pd.DataFrame(rows, columns=["region", "industry", "value", "establishment"])


@pytest.fixture(scope="module")
def without_support(records):
    return run_pipeline(records, COLUMNS, PipelineOptions())


@pytest.fixture(scope="module")
def with_support(records):
    # "P9" is not in the data (a registry lists every region): ignored; P2 and P3 not listed: 0
    return run_pipeline(records, COLUMNS, PipelineOptions(support_institutions={"P1": 1, "P4": 2, "P9": 7}))


def test_reason_code_and_figures_are_kept_next_to_the_english_sentence(without_support):
    clusters = without_support.tables["clusters"].set_index(["region", "industry"])
    # the same classification, done by hand on the candidates' figures
    expected = classify.lifecycle_stage(clusters[["employment", "establishments", "growth"]])
    assert clusters["stage_reason_code"].tolist() == expected["reason_code"].tolist()
    assert clusters["stage_reason"].tolist() == expected["reason"].tolist()
    for stored, figures in zip(clusters["stage_reason_params"], expected["reason_params"], strict=True):
        assert isinstance(stored, str) and json.loads(stored) == figures  # JSON text, the same figures
    industries = without_support.tables["industries"].set_index("industry")
    types = classify.cluster_type(
        pd.DataFrame(PLAN).T.mul(30.0).rename_axis("region").rename_axis("industry", axis=1))
    assert industries.loc[types.index, "type_reason_code"].tolist() == types["reason_code"].tolist()
    for industry in types.index:
        figures = json.loads(industries.loc[industry, "type_reason_params"])
        assert figures["locational_gini"] == pytest.approx(types.loc[industry, "locational_gini"], rel=1e-12)
    tech = classify.technology_level(["10", "26", "62"])
    assert industries.loc[["10", "26", "62"], "tech_reason_code"].tolist() == tech["reason_code"].tolist()
    assert json.loads(industries.loc["26", "tech_reason_params"])["level"] == "high"
    # the candidates carry their industry's type and technology reasons too
    assert clusters.loc[("P1", "10"), "type_reason_code"] == industries.loc["10", "type_reason_code"]
    assert clusters.loc[("P4", "26"), "tech_reason_code"] == "eurostat_manufacturing"


def test_the_rule_thresholds_are_in_meta_for_a_translated_rule(without_support):
    rules = without_support.meta["rules"]
    assert rules["lifecycle_rules"] == asdict(classify.DEFAULT_LIFECYCLE_RULES)
    assert rules["lifecycle"] == classify.describe_rules()
    assert "support_density" not in without_support.tables["clusters"].columns


def test_support_density_is_institutions_per_100_establishments_of_the_region(records, with_support):
    regions = with_support.tables["regions"].set_index("region")
    plants = records.groupby("region")["establishment"].nunique()
    assert regions["support_institutions"].to_dict() == {"P1": 1.0, "P2": 0.0, "P3": 0.0, "P4": 2.0}
    assert regions["support_density"].to_dict() == pytest.approx(
        {"P1": 100 / 61, "P2": 0.0, "P3": 0.0, "P4": 200 / 19})
    assert (regions["establishments"] == plants).all()
    clusters = with_support.tables["clusters"].set_index(["region", "industry"])
    assert clusters["support_density"].to_dict() == pytest.approx(
        {key: regions.loc[key[0], "support_density"] for key in clusters.index})
    assert with_support.meta["support_institutions"] == {"institutions": 3.0, "regions_with_institutions": 2}


def test_support_institutions_make_a_big_cluster_developed(without_support, with_support, records):
    before = without_support.tables["clusters"].set_index(["region", "industry"]).loc[("P1", "10")]
    after = with_support.tables["clusters"].set_index(["region", "industry"]).loc[("P1", "10")]
    # 55 establishments and 1,650 employees: big enough, but without support institutions it cannot be developed
    assert before["stage"] == "formed" and before["stage_reason_code"] == "formed_growth_unknown"
    assert "an unknown number of the 1 support institutions" in before["stage_reason"]
    assert after["stage"] == "developed" and after["stage_reason_code"] == "developed"
    assert json.loads(after["stage_reason_params"])["support_density"] == pytest.approx(100 / 61)
    # one institution fewer per 100 plants than the rule asks: formed, and the reason says what is lacking
    thin = run_pipeline(records, COLUMNS, PipelineOptions(support_institutions={"P1": 0.6}))
    row = thin.tables["clusters"].set_index(["region", "industry"]).loc[("P1", "10")]
    assert row["stage"] == "formed" and "0.98 of the 1 support institutions" in row["stage_reason"]


@pytest.mark.parametrize("support, region", [({"P1": -1}, "P1"), ({"P2": "many"}, "P2"), ({"P3": float("nan")}, "P3"),
                                             ([("P1", 3)], "")])
def test_bad_support_institutions_are_named_before_any_work(support, region):
    with pytest.raises(AnalyticsInputError) as error:
        # the source does not even exist: the options are checked first
        run_pipeline("/nonexistent/records.parquet", COLUMNS, PipelineOptions(support_institutions=support))
    assert error.value.code == "invalid_support_institutions" and error.value.params["region"] == region
