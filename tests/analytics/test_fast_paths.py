"""The shortcuts that make the 10-million-row run fast give exactly what the plain computation gives.

- ``aggregate(..., establishment_years=...)``: distinct establishments counted in the analysed years only,
  by counting records when no establishment repeats in a year, and counting distinct otherwise;
- ``aggregate(..., plant_squares=True)`` and ``indicators.ellison_glaeser_from_cells``: Ellison-Glaeser
  from the aggregated cells instead of a second pass over the plants;
- the pipeline's reason parameters written as JSON column by column.
"""

from __future__ import annotations

import gc
import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khooshe.analytics import indicators
from khooshe.analytics.aggregate import aggregate, open_source, to_matrices
from khooshe.analytics.pipeline import PipelineOptions, _jsonable, _params_texts, run_pipeline
from khooshe.analytics.validation import AnalyticsInputError

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # ibis 12 on duckdb 2.0

COLUMNS = dict(region_col="r", industry_col="i", year_col="y", value_col="v", establishment_col="plant")


def exact(frame: pd.DataFrame) -> pd.DataFrame:
    """The reference: pandas' distinct count of plants and sum of squared values per cell."""
    return (frame.assign(sq=frame["v"].astype(float) ** 2).groupby(["r", "i", "y"])
            .agg(employment=("v", "sum"), establishments=("plant", "nunique"), employment_squares=("sq", "sum"))
            .reset_index().rename(columns={"r": "region", "i": "industry", "y": "year"}))


def establishment_years_rows(draw_unique: bool):
    plant = st.integers(0, 40 if draw_unique else 6)
    return st.lists(st.tuples(st.sampled_from(["A", "B", "C"]), st.sampled_from(["x", "y", "z"]),
                              st.integers(2019, 2021), plant, st.integers(0, 500)), min_size=1, max_size=50)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(establishment_years_rows(False), st.sampled_from(["latest", [2019], [2019, 2021], [2020, 1990]]))
def test_establishments_in_chosen_years_equal_the_exact_distinct_count(rows, years):
    frame = pd.DataFrame(rows, columns=["r", "i", "y", "plant", "v"])
    result = aggregate(frame, **COLUMNS, establishment_years=years, plant_squares=True)
    reference = exact(frame)
    chosen = [frame["y"].max()] if years == "latest" else years
    in_years = reference["year"].isin(chosen).to_numpy()
    assert list(result.columns) == ["region", "industry", "year", "employment", "establishments",
                                    "employment_squares"]
    pd.testing.assert_frame_equal(result[["region", "industry", "year"]], reference[["region", "industry", "year"]])
    np.testing.assert_array_equal(result["establishments"].to_numpy()[in_years],
                                  reference["establishments"].to_numpy(dtype=float)[in_years])
    assert result["establishments"][~in_years].isna().all()
    np.testing.assert_array_equal(result["employment_squares"], reference["employment_squares"])
    np.testing.assert_array_equal(result["employment"], reference["employment"].astype(float))


def test_a_plant_listed_twice_in_the_year_counts_once():
    # plant 7 has two rows in 2021 in the same cell (the repeated-year path); 2020 has one row per plant
    frame = pd.DataFrame({"r": ["A", "A", "A", "B", "A", "A"], "i": ["x", "x", "x", "x", "x", "x"],
                          "y": [2021, 2021, 2021, 2021, 2020, 2020], "plant": [7, 7, 8, 9, 7, 8],
                          "v": [3, 4, 10, 5, 6, 10]})
    result = aggregate(frame, **COLUMNS, establishment_years=[2020, 2021]).set_index(["region", "year"])
    assert result.loc[("A", 2021), "establishments"] == 2  # 3 rows, plants 7 and 8
    assert result.loc[("A", 2020), "establishments"] == 2
    assert result.loc[("B", 2021), "establishments"] == 1
    every_year = aggregate(frame, **COLUMNS).set_index(["region", "year"])
    pd.testing.assert_series_equal(result["establishments"], every_year["establishments"].astype(float))


def test_a_plant_in_two_regions_in_one_year_counts_in_each():
    frame = pd.DataFrame({"r": ["A", "B"], "i": ["x", "x"], "y": [2021, 2021], "plant": [1, 1], "v": [2, 3]})
    result = aggregate(frame, **COLUMNS, establishment_years="latest")
    assert result["establishments"].tolist() == [1.0, 1.0]


def test_the_fast_path_on_a_parquet_file_of_establishment_years(tmp_path):
    from khooshe.analytics.synthetic import generate_establishments

    path = generate_establishments(tmp_path / "e.parquet", n_rows=3_000, n_regions=8, n_industries=10,
                                   n_years=3, seed=5, chunk_rows=700)
    columns = dict(region_col="region", industry_col="industry", value_col="employees", year_col="year",
                   establishment_col="establishment_id")
    table = open_source(path)
    fast = aggregate(table, **columns, establishment_years="latest", plant_squares=True)
    full = aggregate(table, **columns)
    last = fast["year"] == fast["year"].max()
    np.testing.assert_array_equal(fast.loc[last, "establishments"], full.loc[last, "establishments"])
    assert (fast.loc[last, "establishments"] > 0).all()


def test_restricted_years_and_plant_squares_need_their_columns():
    frame = pd.DataFrame({"r": ["A"], "i": ["x"], "y": [2020], "plant": [1], "v": [1]})
    with pytest.raises(AnalyticsInputError) as error:
        aggregate(frame, region_col="r", industry_col="i", year_col="y", establishment_years="latest")
    assert error.value.code == "bad_argument" and "establishment column" in str(error.value)
    with pytest.raises(AnalyticsInputError) as error:
        aggregate(frame, region_col="r", industry_col="i", establishment_col="plant", plant_squares=True)
    assert error.value.code == "bad_argument" and "value (employment) column" in str(error.value)
    with pytest.raises(AnalyticsInputError) as error:
        aggregate(frame, **COLUMNS, establishment_years="first")
    assert error.value.code == "bad_argument" and "'latest'" in str(error.value)


def test_bad_values_are_still_reported_with_the_restricted_count():
    frame = pd.DataFrame({"r": ["A", "A"], "i": ["x", "x"], "y": [2019, 2020], "plant": [1, 1], "v": [-4, 2]})
    with pytest.raises(AnalyticsInputError) as error:  # in a year whose establishments are not counted
        aggregate(frame, **COLUMNS, establishment_years="latest")
    assert error.value.code == "negative_value"


def test_to_matrices_of_chosen_measures_skips_the_uncounted_years():
    frame = pd.DataFrame({"r": ["A", "B", "A"], "i": ["x", "x", "y"], "y": [2019, 2020, 2020],
                          "plant": [1, 2, 3], "v": [4, 2, 6]})
    long = aggregate(frame, **COLUMNS, establishment_years="latest")
    with pytest.raises(AnalyticsInputError) as error:  # 2019's establishments were not counted
        to_matrices(long, year=2019)
    assert error.value.code == "missing_value"
    first = to_matrices(long, year=2019, align=True, measures=["employment"])
    assert list(first) == ["employment"]
    assert first["employment"].loc["A", "x"] == 4.0


def test_pyspark_counts_the_chosen_years_like_duckdb():
    import os
    import shutil

    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Java is not installed: PySpark needs a Java runtime (apt-get install default-jre-headless)")
    pyspark_sql = pytest.importorskip("pyspark.sql")
    session = (pyspark_sql.SparkSession.builder.master("local[2]").appName("khooshe-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
               .config("spark.driver.memory", "512m").config("spark.ui.showConsoleProgress", "false")
               .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    # plant 7 twice in 2021 (the repeated-year query), one row per plant in 2020
    frame = pd.DataFrame({"r": ["A", "A", "A", "B", "A", "A"], "i": ["x", "x", "x", "x", "x", "y"],
                          "y": [2021, 2021, 2021, 2021, 2020, 2020], "plant": [7, 7, 8, 9, 7, 8],
                          "v": [3, 4, 10, 5, 6, 10]})
    for years in ("latest", [2020, 2021]):
        on_duckdb = aggregate(frame, **COLUMNS, establishment_years=years, plant_squares=True)
        on_spark = aggregate(open_source(frame, backend="pyspark", spark_session=session), **COLUMNS,
                             establishment_years=years, plant_squares=True)
        pd.testing.assert_frame_equal(on_spark, on_duckdb, check_exact=True)
    assert on_duckdb["establishments"].tolist() == [1.0, 2.0, 1.0, 1.0]


# -- Ellison-Glaeser from the cells ----------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.sampled_from(["x", "y", "z"]),
                          st.integers(1, 10_000)), min_size=2, max_size=80))
def test_ellison_glaeser_from_cells_equals_the_plant_computation(plants):
    frame = pd.DataFrame(plants, columns=["region", "industry", "employment"])
    reference = indicators.ellison_glaeser(frame)
    cells = frame.groupby(["region", "industry"])["employment"].sum().unstack(fill_value=0)
    squares = (frame["employment"].astype(float) ** 2).groupby(frame["industry"]).sum()
    result = indicators.ellison_glaeser_from_cells(cells, squares)
    np.testing.assert_allclose(result["H"], reference["H"], rtol=1e-12)
    np.testing.assert_allclose(result["G"], reference["G"], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(result["gamma"], reference["gamma"], rtol=1e-9, atol=1e-12)
    # the region x industry matrix of squares gives the same as its industry sums
    cell_squares = (frame["employment"].astype(float) ** 2).groupby([frame["region"], frame["industry"]]).sum()
    by_cell = indicators.ellison_glaeser_from_cells(cells, cell_squares.unstack(fill_value=0).reindex_like(cells))
    pd.testing.assert_frame_equal(by_cell, result)


def test_ellison_glaeser_from_cells_leaves_an_empty_industry_out_and_checks_its_input():
    cells = pd.DataFrame({"x": [10.0, 30.0], "y": [0.0, 0.0], "z": [5.0, 5.0]}, index=["a", "b"])
    result = indicators.ellison_glaeser_from_cells(cells, pd.Series({"x": 500.0, "y": 0.0, "z": 50.0}))
    assert np.isnan(result.loc["y", "gamma"]) and np.isnan(result.loc["y", "H"])
    assert np.isfinite(result.loc["x", "gamma"])
    with pytest.raises(AnalyticsInputError) as error:  # 40^2 = 1600 < 2000: not a sum over plants
        indicators.ellison_glaeser_from_cells(cells, pd.Series({"x": 2000.0, "y": 0.0, "z": 50.0}))
    assert error.value.code == "bad_input" and "'x'" in str(error.value)
    with pytest.raises(AnalyticsInputError) as error:
        indicators.ellison_glaeser_from_cells(cells, pd.Series({"x": 500.0, "y": 0.0, "z": -1.0}))
    assert error.value.code == "negative_value" and "'z'" in str(error.value)
    with pytest.raises(AnalyticsInputError) as error:
        indicators.ellison_glaeser_from_cells(cells, pd.Series({"x": 500.0, "y": 0.0}))
    assert error.value.code == "missing_label"


# -- the pipeline ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def plants():
    rng = np.random.default_rng(4)
    rows = []
    for firm in range(900):
        region, industry, size = f"R{rng.integers(0, 9)}", f"I{rng.integers(0, 8)}", rng.gamma(2.0, 20.0)
        for year in (2020, 2021, 2022):
            rows.append((firm, year, region, industry, int(size * (1 + 0.05 * (year - 2020))) + 1))
    return pd.DataFrame(rows, columns=["firm", "year", "region", "industry", "employees"])


PIPELINE_COLUMNS = {"region_col": "region", "industry_col": "industry", "value_col": "employees",
                    "year_col": "year", "establishment_col": "firm"}


def test_the_pipeline_counts_establishments_and_ellison_glaeser_as_the_plain_computation(plants):
    result = run_pipeline(plants, PIPELINE_COLUMNS, PipelineOptions())
    cells = result.tables["region_industry"].set_index(["region", "industry"])
    last = plants[plants["year"] == 2022]
    distinct = last.groupby(["region", "industry"])["firm"].nunique()
    np.testing.assert_array_equal(cells["establishments"].reindex(distinct.index), distinct.astype(float))
    industries = result.tables["industries"].set_index("industry")
    reference = indicators.ellison_glaeser(last.rename(columns={"employees": "employment"}))["gamma"]
    np.testing.assert_allclose(industries["ellison_glaeser"], reference.reindex(industries.index), rtol=1e-9)


def test_the_pipeline_counts_a_plant_listed_twice_once(plants):
    doubled = pd.concat([plants, plants[(plants["firm"] < 50) & (plants["year"] == 2022)]], ignore_index=True)
    result = run_pipeline(doubled, PIPELINE_COLUMNS, PipelineOptions())
    cells = result.tables["region_industry"].set_index(["region", "industry"])
    distinct = doubled[doubled["year"] == 2022].groupby(["region", "industry"])["firm"].nunique()
    np.testing.assert_array_equal(cells["establishments"].reindex(distinct.index), distinct.astype(float))
    records = doubled[doubled["year"] == 2022].groupby(["region", "industry"]).size()
    assert (records > distinct).any()  # the records alone would have counted more


def test_the_pipeline_analyses_an_earlier_year_with_its_own_establishments(plants):
    earlier = plants[~((plants["year"] == 2021) & (plants["firm"] % 3 == 0))]
    result = run_pipeline(earlier, PIPELINE_COLUMNS, PipelineOptions(year=2021))
    cells = result.tables["region_industry"].set_index(["region", "industry"])
    distinct = earlier[earlier["year"] == 2021].groupby(["region", "industry"])["firm"].nunique()
    np.testing.assert_array_equal(cells["establishments"].reindex(distinct.index), distinct.astype(float))
    assert result.meta["growth_years"] == [2020, 2021]


# -- reason parameters as JSON ---------------------------------------------------------------------------


plain = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                  st.text(max_size=6))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(["a", "b%", "c", "employment"]), plain, max_size=4),
                max_size=6),
       st.booleans())
def test_reason_parameters_are_the_json_of_each_row(rows, same_keys):
    if same_keys and rows:  # the classifiers' case: every row with the same keys
        keys = list(rows[0])
        rows = [{k: row.get(k, 0.5) for k in keys} for row in rows]
    expected = [json.dumps(_jsonable(row), ensure_ascii=False, sort_keys=True) for row in rows]
    assert _params_texts(rows) == expected


def test_reason_parameters_with_numpy_values_and_missing_rows():
    rows = [{"a": np.float64(0.1), "b": np.int64(3)}, {"a": 1.5, "b": 4}]
    assert _params_texts(rows) == ['{"a": 0.1, "b": 3}', '{"a": 1.5, "b": 4}']
    assert _params_texts([{"a": 1}, None]) == ['{"a": 1}', None]
    assert _params_texts([{"g": math.nan, "n": "ایران"}, {"g": math.inf, "n": "x"}]) == [
        '{"g": null, "n": "ایران"}', '{"g": null, "n": "x"}']


# -- the cluster definitions in a second process ---------------------------------------------------------


def test_the_parallel_run_gives_the_same_tables_as_the_sequential_one(plants):
    parallel = run_pipeline(plants, PIPELINE_COLUMNS, PipelineOptions(parallel=True))
    sequential = run_pipeline(plants, PIPELINE_COLUMNS, PipelineOptions(parallel=False))
    assert sorted(parallel.tables) == sorted(sequential.tables)
    for name, table in parallel.tables.items():
        pd.testing.assert_frame_equal(table, sequential.tables[name], check_exact=True)
    assert parallel.meta["cluster_validation"] == sequential.meta["cluster_validation"]
    assert "cluster_group" in parallel.tables["industries"].columns


def _pid_and_sum(values):
    import os

    return os.getpid(), sum(values)


def _fails(code):
    raise AnalyticsInputError(code, f"failed with {code}")


def test_background_work_runs_in_another_process_and_errors_come_back_as_in_a_plain_call():
    import os

    from khooshe.analytics.pipeline import _Background

    pid, total = _Background(_pid_and_sum, [1, 2, 3]).result()
    assert total == 6 and pid != os.getpid()
    pid, total = _Background(_pid_and_sum, [1, 2, 3], parallel=False).result()
    assert total == 6 and pid == os.getpid()
    failing = _Background(_fails, "bad_method")
    with pytest.raises(AnalyticsInputError) as error:
        failing.result()
    assert error.value.code == "bad_method"
    failing.close()  # nothing left to stop


def test_an_uncollected_background_process_is_stopped():
    import os
    import time

    from khooshe.analytics.pipeline import _Background

    work = _Background(time.sleep, 60)
    pid = work._pid
    assert pid is not None
    work.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # already reaped: no zombie left behind


# -- Parquet on DuckDB: checks from the file's statistics, establishment repeats in NumPy ------------------


def _parquet(frame: pd.DataFrame, path, **options) -> str:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, **options)
    return str(path)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(rows=establishment_years_rows(False), years=st.sampled_from(["latest", [2019, 2021], None]),
       shuffle=st.booleans())
def test_a_parquet_file_aggregates_exactly_like_the_same_frame(tmp_path, rows, years, shuffle):
    # The Parquet path counts and checks differently (checks from the statistics, plants compared in NumPy,
    # text keys shared): the result must be the same, value and type, as for the frame.
    frame = pd.DataFrame(rows, columns=["r", "i", "y", "plant", "v"])
    if shuffle:  # plants out of order: the NumPy check sorts them
        frame = frame.sample(frac=1, random_state=0).reset_index(drop=True)
    else:
        frame = frame.sort_values(["y", "plant"], kind="stable").reset_index(drop=True)
    path = _parquet(frame, tmp_path / "records.parquet")
    options = {} if years is None else {"establishment_years": years}
    from_file = aggregate(open_source(path), **COLUMNS, **options, plant_squares=True)
    from_frame = aggregate(frame, **COLUMNS, **options, plant_squares=True)
    pd.testing.assert_frame_equal(from_file, from_frame, check_exact=True)
    assert from_file["region"].map(type).eq(str).all()


def test_repeated_plants_in_a_parquet_file_with_empty_and_text_identifiers(tmp_path):
    frame = pd.DataFrame({"r": ["A", "A", "A", "B", "A", "B"], "i": ["x"] * 6,
                          "y": [2021, 2021, 2021, 2021, 2020, 2020], "plant": [9, 7, 9, 3, 7, 7],
                          "v": [3, 4, 10, 5, 6, 10]})
    expected = {("A", 2021): 2.0, ("B", 2021): 1.0, ("A", 2020): 1.0, ("B", 2020): 1.0}
    for plants in (frame["plant"], frame["plant"].map("P{}".format)):  # whole numbers and text (the backend)
        path = _parquet(frame.assign(plant=plants), tmp_path / "plants.parquet")
        result = aggregate(open_source(path), **COLUMNS, establishment_years=[2020, 2021])
        assert result.set_index(["region", "year"])["establishments"].to_dict() == expected
    # an empty identifier is an error, as for a frame
    path = _parquet(frame.assign(plant=frame["plant"].astype(float).where(frame.index != 2)), tmp_path / "e.parquet")
    with pytest.raises(AnalyticsInputError) as error:
        aggregate(open_source(path), **COLUMNS, establishment_years="latest")
    assert error.value.code == "missing_value" and "'plant'" in str(error.value)


@pytest.mark.parametrize("statistics", [True, False])
@pytest.mark.parametrize(("column", "value", "code"), [
    ("v", -3, "negative_value"), ("v", None, "missing_value"), ("v", float("nan"), "missing_value"),
    ("v", float("inf"), "non_finite"), ("r", None, "missing_value"), ("y", None, "missing_value"),
    ("plant", None, "missing_value"),
])
def test_bad_values_in_a_parquet_file_are_reported_as_in_a_frame(tmp_path, statistics, column, value, code):
    frame = pd.DataFrame({"r": ["A", "B", "A", "B"], "i": ["x", "x", "y", "y"], "y": [2020, 2020, 2021, 2021],
                          "plant": [1, 2, 3, 4], "v": [3.0, 4.0, 5.0, 6.0]})
    frame = frame.astype({column: object if column == "r" else float})
    frame.loc[2, column] = value
    path = _parquet(frame, tmp_path / "bad.parquet", write_statistics=statistics)
    errors = []
    for source in (open_source(path), frame):
        with pytest.raises(AnalyticsInputError) as error:
            aggregate(source, **COLUMNS, establishment_years="latest")
        errors.append(error.value)
    assert errors[0].code == errors[1].code == code
    assert str(errors[0]) == str(errors[1])
    assert f"'{column}'" in str(errors[0])


@pytest.mark.parametrize("statistics", [True, False])
def test_a_nan_stored_in_a_parquet_file_is_not_a_number(tmp_path, statistics):
    import pyarrow as pa
    import pyarrow.parquet as pq

    # a real NaN (pandas would write NaN as an empty cell): the statistics leave it out of the minimum
    table = pa.table({"r": ["A", "B", "A"], "i": ["x", "x", "y"], "y": [2020, 2021, 2021], "plant": [1, 2, 3],
                      "v": pa.array([3.0, float("nan"), 5.0], from_pandas=False)})
    pq.write_table(table, tmp_path / "nan.parquet", write_statistics=statistics)
    with pytest.raises(AnalyticsInputError) as error:
        aggregate(open_source(tmp_path / "nan.parquet"), **COLUMNS, establishment_years="latest")
    assert error.value.code == "non_finite" and "column 'v'" in str(error.value) and "plant=2" in str(error.value)


def test_an_empty_parquet_file_is_reported(tmp_path):
    frame = pd.DataFrame({"r": ["A"], "i": ["x"], "y": [2020], "plant": [1], "v": [3]}).iloc[:0]
    with pytest.raises(AnalyticsInputError) as error:
        aggregate(open_source(_parquet(frame, tmp_path / "empty.parquet")), **COLUMNS)
    assert error.value.code == "empty_data"


def test_leiden_partition_is_the_one_of_the_graph_built_pair_by_pair():
    # The graph is now built from arrays; the partition must stay that of the plain igraph construction.
    import igraph
    import leidenalg

    from khooshe.analytics.relatedness import _leiden

    rng = np.random.default_rng(3)
    points = rng.normal(size=(60, 5)) + np.repeat(rng.normal(scale=4, size=(4, 5)), 15, axis=0)
    values = np.corrcoef(points)
    i, j = np.triu_indices(60, 1)
    weight = values[i, j]
    positive = weight > 0
    graph = igraph.Graph(n=60, edges=np.column_stack((i[positive], j[positive])).tolist())
    graph.es["weight"] = weight[positive].tolist()
    plain = leidenalg.find_partition(graph, leidenalg.ModularityVertexPartition, weights="weight",
                                     n_iterations=-1, seed=4)
    np.testing.assert_array_equal(_leiden(values, resolution=1.0, seed=4), plain.membership)
    assert len(set(plain.membership)) > 1


def test_a_text_column_among_number_columns_is_named():
    from khooshe.analytics.validation import as_matrix

    frame = pd.DataFrame(np.ones((3, 4)), columns=list("abcd"))
    frame["c"] = ["1", "x", "2"]
    frame["e"] = pd.array([1, 2, 3], dtype="Int64")
    with pytest.raises(AnalyticsInputError) as error:
        as_matrix(frame, name="employment")
    assert error.value.code == "non_numeric" and "column 'c'" in str(error.value) and "'x'" in str(error.value)
    assert as_matrix(frame.drop(columns="c")).values.shape == (3, 4)


@pytest.mark.parametrize(("load", "expected"), [((40.0, 0, 0), 1), ((0.0, 0, 0), None), (OSError, None)])
def test_duckdb_gets_the_cores_the_load_leaves_free(monkeypatch, load, expected):
    import os

    from khooshe.analytics import aggregate as aggregation

    def load_average():
        if load is OSError:
            raise OSError("no load average")
        return load

    monkeypatch.setattr(os, "getloadavg", load_average)
    cores = os.cpu_count() or 1
    table = open_source(pd.DataFrame({"r": ["A"], "i": ["x"], "v": [1]}))
    threads = ibis_threads(table)
    assert threads == (expected or cores) == aggregation._free_cores()


def ibis_threads(table) -> int:
    import ibis

    return int(ibis.get_backend(table).raw_sql("SELECT current_setting('threads')").fetchone()[0])


# -- only the first and the analysed years are grouped ------------------------------------------------------
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(establishment_years_rows(True), st.sampled_from(["latest", [2020], [2019], [2021, 2020]]))
def test_analysed_years_give_the_same_groups_from_a_frame_and_from_parquet(tmp_path, rows, years):
    frame = pd.DataFrame(rows, columns=["r", "i", "y", "plant", "v"])
    path = tmp_path / "records.parquet"
    frame.to_parquet(path)
    present = sorted(frame["y"].unique().tolist())
    chosen = [present[-1]] if years == "latest" else years
    keep = [present[0], *chosen]
    everything = aggregate(frame, **COLUMNS, plant_squares=True)
    expected = everything[everything["year"].isin(keep)].reset_index(drop=True)
    for source in (frame, open_source(str(path))):  # grouped then selected / selected before grouping
        got = aggregate(source, **COLUMNS, plant_squares=True, analysed_years=years)
        assert got.attrs["years"] == present
        pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_analysed_years_need_a_year_column_and_say_which_words_they_take(tmp_path):
    frame = pd.DataFrame({"r": ["A"], "i": ["x"], "y": [2020], "plant": [1], "v": [3]})
    with pytest.raises(AnalyticsInputError, match="analysed_years needs a year column"):
        aggregate(frame, region_col="r", industry_col="i", value_col="v", analysed_years="latest")
    with pytest.raises(AnalyticsInputError, match="'latest'"):
        aggregate(frame, **COLUMNS, analysed_years="last")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(rows=establishment_years_rows(False), years=st.sampled_from(["latest", [2020], [2019]]),
       plants_known=st.booleans())
def test_analysed_years_of_a_parquet_file_aggregate_exactly_like_the_same_frame(tmp_path, rows, years, plants_known):
    # On Parquet the first and last years come from the statistics (the years present are read after the
    # grouped query) and, when every record has a plant, the records are counted without reading the plants;
    # without a plant column the records are counted on the filtered table.
    frame = pd.DataFrame(rows, columns=["r", "i", "y", "plant", "v"])
    columns = dict(COLUMNS) if plants_known else {k: v for k, v in COLUMNS.items() if k != "establishment_col"}
    options = {"establishment_years": years} if plants_known else {}
    path = _parquet(frame, tmp_path / "records.parquet")
    from_file = aggregate(open_source(path), **columns, **options, plant_squares=True, analysed_years=years)
    from_frame = aggregate(frame, **columns, **options, plant_squares=True, analysed_years=years)
    pd.testing.assert_frame_equal(from_file, from_frame, check_exact=True)
    assert from_file.attrs["years"] == from_frame.attrs["years"] == sorted(frame["y"].unique().tolist())


def test_the_early_cluster_definitions_are_kept_only_when_the_final_counts_agree(plants, tmp_path, monkeypatch):
    # The Leiden child starts on the records counted per cell, before the aggregation has checked that no
    # plant repeats in the analysed year: kept when the final matrices are the same, started again if not.
    from khooshe.analytics import pipeline

    started = []
    start = pipeline._start_definitions
    monkeypatch.setattr(pipeline, "_start_definitions", lambda *a, **k: started.append(1) or start(*a, **k))
    doubled = pd.concat([plants, plants[(plants["firm"] < 50) & (plants["year"] == 2022)]], ignore_index=True)
    for records, starts in ((plants, 1), (doubled, 2)):
        started.clear()
        path = _parquet(records, tmp_path / f"records-{starts}.parquet")
        early = run_pipeline(path, PIPELINE_COLUMNS, PipelineOptions(parallel=True))
        assert len(started) == starts
        plain = run_pipeline(path, PIPELINE_COLUMNS, PipelineOptions(parallel=False))
        assert sorted(early.tables) == sorted(plain.tables)
        for name, table in early.tables.items():
            pd.testing.assert_frame_equal(table, plain.tables[name], check_exact=True)
        for meta in (early.meta, plain.meta):
            del meta["seconds"], meta["options"]["parallel"]
        assert early.meta == plain.meta
        assert gc.isenabled() and gc.get_freeze_count() == 0  # the collector as the run found it


def test_duckdb_threads_are_read_set_and_given_back():
    from khooshe.analytics.aggregate import duckdb_threads

    table = open_source(pd.DataFrame({"r": ["A"], "i": ["x"], "v": [1]}))
    before = duckdb_threads(table)
    assert duckdb_threads(table, 1) == before and duckdb_threads(table) == 1
    assert duckdb_threads(table, before) == 1 and duckdb_threads(table) == before
