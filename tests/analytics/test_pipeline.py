"""The whole analysis run: every table is there and agrees with the indicators computed by hand."""

import numpy as np
import pandas as pd
import pytest

from khooshe.analytics.pipeline import PipelineOptions, run_pipeline
from khooshe.analytics.validation import AnalyticsInputError

COLUMNS = {"region_col": "region", "industry_col": "industry", "value_col": "employees", "year_col": "year",
           "establishment_col": "firm", "wage_col": "wages"}


@pytest.fixture(scope="module")
def records():
    rng = np.random.default_rng(11)
    rows, firm = [], 0
    for r in range(12):
        for i in range(15):
            if rng.random() < 0.7:
                for _ in range(int(rng.integers(1, 5))):
                    firm += 1
                    size = rng.gamma(2.0, 15.0) * (6 if (r < 3 and i < 2) else 1)  # a planted cluster
                    for year in (2019, 2020, 2021):
                        grow = 1.1 if i < 2 else 0.97
                        rows.append((firm, year, f"R{r:02d}", f"I{i:02d}", round(size * grow ** (year - 2019)) + 1,
                                     int(size * 900)))
    return pd.DataFrame(rows, columns=["firm", "year", "region", "industry", "employees", "wages"])


@pytest.fixture(scope="module")
def result(records):
    steps = []
    out = run_pipeline(records, COLUMNS, PipelineOptions(), lambda fraction, step: steps.append((fraction, step)))
    out.steps = steps
    return out


def test_every_table_is_produced_and_progress_reaches_the_end(result):
    assert {"region_industry", "regions", "industries", "clusters", "diversification", "relatedness_edges",
            "cluster_definitions"} <= set(result.tables)
    fractions = [f for f, _ in result.steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_location_quotients_and_growth_match_a_hand_computation(records, result):
    latest = records[records.year == 2021].groupby(["region", "industry"])["employees"].sum().unstack(fill_value=0)
    lq = latest.div(latest.sum(axis=1), axis=0).div(latest.sum(axis=0) / latest.to_numpy().sum(), axis=1)
    table = result.tables["region_industry"].set_index(["region", "industry"])
    expected = lq.stack()
    np.testing.assert_allclose(table.loc[expected.index, "lq"], expected, rtol=1e-12)
    first = records[records.year == 2019].groupby(["region", "industry"])["employees"].sum()
    both = first.index.intersection(latest.stack()[latest.stack() > 0].index)
    cagr = (latest.stack()[both] / first[both]) ** (1 / 2) - 1
    np.testing.assert_allclose(table.loc[both, "growth"], cagr, rtol=1e-12)
    counts = records[records.year == 2021].groupby(["region", "industry"])["firm"].nunique()
    assert (table.loc[counts.index, "establishments"] == counts).all()


def test_the_planted_cluster_is_a_top_candidate(result):
    clusters = result.tables["clusters"]
    assert list(clusters["rank"]) == sorted(clusters["rank"])
    top = clusters.head(6)
    planted = top[top.region.isin(["R00", "R01", "R02"]) & top.industry.isin(["I00", "I01"])]
    assert len(planted) >= 3
    assert set(clusters["stage"]) <= {"embryonic", "formed", "developing", "developed"}
    assert clusters["stage_reason"].str.len().min() > 10  # every classification says why


def test_results_are_written_as_parquet(result, tmp_path):
    result.write(tmp_path)
    back = pd.read_parquet(tmp_path / "clusters.parquet")
    assert len(back) == len(result.tables["clusters"])
    assert (tmp_path / "meta.json").read_text(encoding="utf-8").startswith("{")


def test_a_missing_column_is_named(records):
    with pytest.raises(AnalyticsInputError) as error:
        run_pipeline(records, {**COLUMNS, "value_col": "employment"}, PipelineOptions())
    assert error.value.column == "employment" and "employees" in str(error.value)


def test_a_negative_value_is_named_with_its_row(records):
    bad = records.copy()
    bad.loc[5, "employees"] = -3
    with pytest.raises(AnalyticsInputError) as error:
        run_pipeline(bad, COLUMNS, PipelineOptions())
    assert error.value.code == "negative_value" and "employees" in str(error.value)


def test_a_single_region_is_refused(records):
    with pytest.raises(AnalyticsInputError) as error:
        run_pipeline(records[records.region == "R00"], COLUMNS, PipelineOptions())
    assert error.value.code == "single_region"


def test_an_unknown_year_is_refused(records):
    with pytest.raises(AnalyticsInputError) as error:
        run_pipeline(records, COLUMNS, PipelineOptions(year=1999))
    assert error.value.code == "unknown_year" and "2021" in str(error.value)


def test_regions_and_industries_without_activity_are_left_out_and_named(records):
    extra = pd.DataFrame([(99999, 2021, "R99", "I00", 0, 0), (99998, 2021, "R00", "I99", 0, 0)],
                         columns=records.columns)
    result = run_pipeline(pd.concat([records, extra], ignore_index=True), COLUMNS, PipelineOptions())
    assert result.meta["dropped_regions"] == ["R99"] and result.meta["dropped_industries"] == ["I99"]
    assert "R99" not in set(result.tables["regions"]["region"])


def test_input_output_links_join_co_location_in_relating_industries(records, tmp_path):
    industries = sorted(records["industry"].unique())
    flows = pd.DataFrame(0.0, index=industries, columns=industries)
    flows.loc["I05", "I06"] = flows.loc["I06", "I05"] = 1000.0  # two industries that trade heavily
    path = tmp_path / "io.csv"
    flows.to_csv(path)
    plain = run_pipeline(records, COLUMNS, PipelineOptions())
    combined = run_pipeline(records, COLUMNS, PipelineOptions(input_output=path))
    assert combined.meta["relatedness_sources"] == ["colocation", "input_output"]

    def weight(result):
        edges = result.tables["relatedness_edges"]
        pair = edges[(edges.industry_a.isin(["I05", "I06"])) & (edges.industry_b.isin(["I05", "I06"]))]
        return pair["weight"].max() if len(pair) else -np.inf

    assert weight(combined) > weight(plain)


def test_an_input_output_table_on_other_industries_is_refused(records):
    other = pd.DataFrame([[0.0, 1.0], [1.0, 0.0]], index=["X1", "X2"], columns=["X1", "X2"])
    with pytest.raises(AnalyticsInputError) as error:
        run_pipeline(records, COLUMNS, PipelineOptions(input_output=other))
    assert error.value.code == "label_mismatch"
