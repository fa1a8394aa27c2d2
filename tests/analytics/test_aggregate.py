"""Aggregation of raw records (khooshe.analytics.aggregate) and the synthetic generator.

The same aggregation runs on DuckDB (the default) and on PySpark in local mode and must give identical
frames; every source kind (DataFrame, CSV, Parquet file/glob/folder, SQLite URL, PostgreSQL URL when
DATABASE_URL points at PostgreSQL) must give the same result; every bad input gets an error that names
the column and shows an example row.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import urllib.parse
import uuid

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khooshe.analytics.aggregate import (
    LabelledSparse,
    aggregate,
    open_source,
    plant_shares,
    to_matrices,
    to_panel,
    to_sparse,
)
from khooshe.analytics.synthetic import generate_establishments
from khooshe.analytics.validation import AnalyticsInputError

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # ibis 12 on duckdb 2.0

KEYS = ["region", "industry", "year"]


@pytest.fixture
def records() -> pd.DataFrame:
    """Establishment-year records with a plant listed twice (plant 3 in 2020: two rows)."""
    return pd.DataFrame({
        "province": ["Kerman", "Kerman", "Kerman", "Kerman", "Kerman", "Yazd", "Yazd", "Yazd"],
        "isic": ["1079", "1079", "1079", "1079", "2410", "1311", "1311", "1079"],
        "year": [2020, 2020, 2020, 2021, 2020, 2020, 2021, 2021],
        "plant": [1, 3, 3, 1, 2, 4, 4, 5],
        "staff": [10, 5, 7, 12, 250, 40, 44, 3],
        "payroll": [1.5, 0.5, 0.75, 2.0, 60.0, 5.5, 6.0, 0.25],
    })


def run(table, **overrides):
    kwargs = dict(region_col="province", industry_col="isic", value_col="staff", year_col="year",
                  establishment_col="plant", wage_col="payroll")
    kwargs.update(overrides)
    return aggregate(table, **kwargs)


# -- results --------------------------------------------------------------------------------------------


def test_aggregate_hand_computed(records):
    result = run(records)
    expected = pd.DataFrame({
        "region": ["Kerman", "Kerman", "Kerman", "Yazd", "Yazd", "Yazd"],
        "industry": ["1079", "1079", "2410", "1079", "1311", "1311"],
        "year": [2020, 2021, 2020, 2021, 2020, 2021],
        "employment": [22.0, 12.0, 250.0, 3.0, 40.0, 44.0],
        "establishments": [2, 1, 1, 1, 1, 1],  # plant 3's two rows count once
        "wages": [2.75, 2.0, 60.0, 0.25, 5.5, 6.0],
    })
    pd.testing.assert_frame_equal(result, expected)


def test_without_establishment_column_every_row_is_one_and_without_value_no_employment(records):
    result = aggregate(records, region_col="province", industry_col="isic")
    assert list(result.columns) == ["region", "industry", "establishments"]
    assert result.set_index(["region", "industry"])["establishments"].to_dict() == {
        ("Kerman", "1079"): 4, ("Kerman", "2410"): 1, ("Yazd", "1079"): 1, ("Yazd", "1311"): 2}


record_rows = st.lists(
    st.tuples(st.sampled_from(["A", "B", "C"]), st.sampled_from(["x", "y", "z", "w"]),
              st.integers(2019, 2021), st.integers(0, 6), st.integers(0, 10**6),
              st.floats(0, 1e6, allow_nan=False).map(lambda v: round(v, 2))),
    min_size=1, max_size=60,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record_rows)
def test_aggregate_equals_a_pandas_groupby(rows):
    frame = pd.DataFrame(rows, columns=["r", "i", "y", "plant", "v", "w"])
    result = aggregate(frame, region_col="r", industry_col="i", year_col="y", value_col="v",
                       establishment_col="plant", wage_col="w")
    reference = (frame.groupby(["r", "i", "y"])
                 .agg(employment=("v", "sum"), establishments=("plant", "nunique"), wages=("w", "sum"))
                 .reset_index().rename(columns={"r": "region", "i": "industry", "y": "year"}))
    reference["employment"] = reference["employment"].astype(float)
    pd.testing.assert_frame_equal(result, reference, check_exact=False, rtol=1e-12)


def test_year_from_text_and_from_dates(records):
    as_text = records.assign(year=records["year"].astype(str))
    as_dates = records.assign(year=[dt.date(y, 3, 21) for y in records["year"]])
    expected = run(records)
    pd.testing.assert_frame_equal(run(as_text), expected)
    pd.testing.assert_frame_equal(run(as_dates), expected)


def test_numbers_stored_as_text_are_summed(records):
    result = run(records.assign(staff=records["staff"].astype(str)))
    pd.testing.assert_frame_equal(result, run(records))


def test_missing_values_zero_counts_empty_cells_as_zero(records):
    records["staff"] = records["staff"].astype(float)
    records.loc[0, "staff"] = np.nan
    result = run(records, missing_values="zero").set_index(KEYS)
    assert result.loc[("Kerman", "1079", 2020), "employment"] == 12.0
    assert result.loc[("Kerman", "1079", 2020), "establishments"] == 2  # the record still counts


# -- sources --------------------------------------------------------------------------------------------


def test_csv_parquet_glob_folder_and_sqlite_give_the_same_result(records, tmp_path):
    expected = run(records)
    records.to_csv(tmp_path / "records.csv", index=False)
    records.to_parquet(tmp_path / "records.parquet")
    parts = tmp_path / "parts"
    parts.mkdir()
    records.iloc[:4].to_parquet(parts / "a.parquet")
    records.iloc[4:].to_parquet(parts / "b.parquet")
    database = tmp_path / "records.sqlite3"
    with sqlite3.connect(database) as connection:
        records.to_sql("establishments", connection, index=False)

    sources = {
        "csv": open_source(tmp_path / "records.csv"),
        "parquet": open_source(str(tmp_path / "records.parquet")),
        "glob": open_source(str(parts / "*.parquet")),
        "folder": open_source(parts),
        "sqlite": open_source(f"sqlite:///{database}", table="establishments"),
        "sqlite, four slashes as in DATABASE_URL": open_source(f"sqlite:////{database}", table="establishments"),
    }
    for name, table in sources.items():
        # CSV reads "1079" as a number: compare codes as text.
        result = run(table).astype({"industry": str})
        pd.testing.assert_frame_equal(result, expected, obj=name)


def test_an_ibis_table_is_returned_as_it_is(records):
    table = open_source(records)
    assert open_source(table) is table


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
                    reason="DATABASE_URL does not point at PostgreSQL (the suite's PostgreSQL run tests this)")
def test_postgres_url_aggregates_in_the_database(records):
    import psycopg

    # The server of DATABASE_URL, in its always-present "postgres" database: the suite's own database
    # (named in DATABASE_URL) is replaced by a test database that other connections must not touch.
    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])._replace(path="/postgres").geturl()
    name = f"khooshe_aggregate_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as connection:
        connection.execute(f"CREATE TABLE {name} (province text, isic text, year integer, plant integer, "
                           "staff integer, payroll double precision)")
        with connection.cursor().copy(f"COPY {name} FROM STDIN") as copy:
            for row in records.itertuples(index=False):
                copy.write_row(row)
        try:
            pd.testing.assert_frame_equal(run(open_source(url, table=name)), run(records))
        finally:
            connection.execute(f"DROP TABLE {name}")


# -- bad input ------------------------------------------------------------------------------------------


def error_of(call, *args, **kwargs) -> AnalyticsInputError:
    with pytest.raises(AnalyticsInputError) as caught:
        call(*args, **kwargs)
    return caught.value


def test_misspelt_column_is_named_with_the_available_ones_and_a_suggestion(records):
    err = error_of(run, records, value_col="staf")
    assert err.code == "missing_column" and err.column == "staf" and err.params["role"] == "value"
    assert err.params["suggestion"] == "staff"
    assert "'staf'" in str(err) and "province, isic, year, plant, staff, payroll" in str(err)
    assert "Did you mean 'staff'?" in str(err)


def test_same_column_for_two_roles(records):
    err = error_of(run, records, industry_col="province")
    assert err.code == "same_column" and err.column == "province"


def test_wrong_types(records):
    err = error_of(run, records.assign(staff=records["staff"] > 10))
    assert err.code == "wrong_type" and err.column == "staff" and "boolean" in str(err)
    err = error_of(run, records.assign(payroll=pd.Timestamp("2020-01-01")))
    assert err.code == "wrong_type" and err.column == "payroll"


def test_non_numeric_value_names_column_example_row_and_count(records):
    staff = records["staff"].astype(str)
    staff[5] = "forty"
    staff[6] = "n/a"
    err = error_of(run, records.assign(staff=staff))
    assert err.code == "non_numeric" and err.column == "staff" and err.params["count"] == 2
    assert err.params["value"] in ("forty", "n/a")
    assert err.params["row"]["province"] == "Yazd" and err.params["row"]["isic"] == "1311"
    assert "'staff'" in str(err) and "province='Yazd'" in str(err)


def test_non_numeric_year(records):
    err = error_of(run, records.assign(year=["2020"] * 7 + ["1400/01"]))
    assert err.code == "non_numeric" and err.column == "year" and err.params["value"] == "1400/01"
    assert "whole number" in str(err)


def test_non_numeric_deep_in_a_csv_names_the_line(tmp_path):
    # DuckDB types a CSV column from a sample of its first rows; a bad value past the sample is found
    # only while reading, and the error must still say where.
    n = 30_000
    frame = pd.DataFrame({"r": np.where(np.arange(n) % 2, "A", "B"), "i": "x", "v": np.arange(n).astype(str)})
    frame.loc[n - 5, "v"] = "abc"
    frame.to_csv(tmp_path / "big.csv", index=False)
    err = error_of(aggregate, open_source(tmp_path / "big.csv"), region_col="r", industry_col="i", value_col="v")
    assert err.code == "non_numeric" and err.column == "v" and err.params["value"] == "abc"
    assert err.params["row"] == n - 5 + 2  # the file's line: a header line, then 1-based rows
    assert f"line {n - 5 + 2}" in str(err)


@pytest.mark.parametrize("column, role", [("province", "region"), ("isic", "industry"), ("year", "year"),
                                          ("plant", "establishment"), ("staff", "value"), ("payroll", "wage")])
def test_empty_cells(records, column, role):
    records = records.astype({column: object})
    records.loc[3, column] = None
    err = error_of(run, records)
    assert err.code == "missing_value" and err.column == column and err.params["role"] == role
    assert err.params["count"] == 1
    # The example row is the record with the empty cell (plant 1 in 2021, unless the plant is empty).
    shown = err.params["row"]
    assert shown[column] is None
    assert shown.get("year", "2021") in ("2021", None) and shown.get("plant", "1") in ("1", None)


def test_negative_value_names_column_value_and_row(records):
    records.loc[4, "staff"] = -250
    err = error_of(run, records)
    assert err.code == "negative_value" and err.column == "staff" and err.params["value"] == -250
    assert err.params["row"] == {"province": "Kerman", "isic": "2410", "year": "2020", "plant": "2", "staff": "-250"}
    assert "-250" in str(err) and "isic='2410'" in str(err)


def test_negative_hidden_by_a_positive_sum_is_still_found(records):
    records.loc[1, "staff"] = -1  # the group's sum stays positive
    assert error_of(run, records).code == "negative_value"


@pytest.mark.parametrize("bad", [np.inf, -np.inf])
def test_infinite_values(records, bad):
    records["payroll"] = records["payroll"].astype(float)
    records.loc[2, "payroll"] = bad
    err = error_of(run, records)
    assert err.code == "non_finite" and err.column == "payroll" and err.params["count"] == 1
    assert err.params["row"]["plant"] == "3"


def test_nan_in_a_parquet_file_is_not_a_number(records, tmp_path):
    # pandas NaN means "missing" (an empty cell); a NaN stored in a Parquet file is a float NaN.
    table = pa.Table.from_pandas(records, preserve_index=False)
    payroll = pa.array(np.where(np.arange(len(records)) == 2, np.nan, records["payroll"]), from_pandas=False)
    pq.write_table(table.set_column(5, "payroll", payroll), tmp_path / "nan.parquet")
    err = error_of(run, open_source(tmp_path / "nan.parquet"), missing_values="zero")
    assert err.code == "non_finite" and err.column == "payroll" and err.params["count"] == 1


def test_pandas_nan_is_an_empty_cell(records):
    records.loc[2, "payroll"] = np.nan
    err = error_of(run, records)
    assert err.code == "missing_value" and err.column == "payroll" and err.params["row"]["plant"] == "3"
    result = run(records, missing_values="zero").set_index(KEYS)
    assert result.loc[("Kerman", "1079", 2020), "wages"] == 2.0


def test_empty_data(records):
    assert error_of(run, records.iloc[:0]).code == "empty_data"


def test_bad_arguments(records):
    assert error_of(run, records, missing_values="drop").code == "bad_argument"
    assert error_of(run, records, region_col=3).code == "bad_argument"
    assert error_of(aggregate, [1, 2], region_col="a", industry_col="b").code == "unsupported_source"


def test_bad_sources(tmp_path, records):
    err = error_of(open_source, tmp_path / "nowhere.parquet")
    assert err.code == "source_not_found" and "nowhere.parquet" in str(err)
    assert error_of(open_source, str(tmp_path / "*.csv")).code == "source_not_found"
    assert error_of(open_source, f"sqlite:///{tmp_path}/none.sqlite3", table="t").code == "source_not_found"
    assert not (tmp_path / "none.sqlite3").exists()  # not created by the attempt
    (tmp_path / "book.xlsx").write_bytes(b"")
    assert error_of(open_source, tmp_path / "book.xlsx").code == "unsupported_source"
    assert error_of(open_source, 42).code == "unsupported_source"
    assert error_of(open_source, "mysql://host/db", table="t").code == "unsupported_source"
    assert error_of(open_source, "hdfs:///stats/establishments.parquet").code == "unsupported_source"  # DuckDB
    assert error_of(open_source, records, backend="polars").code == "unknown_backend"
    assert error_of(open_source, records, table="t").code == "bad_argument"

    database = tmp_path / "db.sqlite3"
    with sqlite3.connect(database) as connection:
        records.to_sql("establishments", connection, index=False)
    err = error_of(open_source, f"sqlite:///{database}")
    assert err.code == "missing_table" and err.params["available"] == ["establishments"]
    err = error_of(open_source, f"sqlite:///{database}", table="establishment")
    assert err.code == "missing_table" and "establishments" in str(err)
    assert error_of(open_source, f"sqlite:///{database}", table="establishments",
                    backend="pyspark").code == "unsupported_backend"


# -- plant Herfindahl -----------------------------------------------------------------------------------


def test_plant_shares_hand_computed(records):
    result = plant_shares(records, industry_col="isic", value_col="staff", establishment_col="plant",
                          year_col="year").set_index(["industry", "year"])
    # 1079 in 2020: plant 1 has 10, plant 3 has 5 + 7 = 12 (two records of one plant) -> H = (10² + 12²) / 22²
    assert result.loc[("1079", 2020), "plants"] == 2
    assert result.loc[("1079", 2020), "herfindahl"] == pytest.approx((10**2 + 12**2) / 22**2, rel=1e-15)
    # 1079 in 2021: Kerman's plant 1 (12) and Yazd's plant 5 (3): plants of every region count.
    assert result.loc[("1079", 2021), "herfindahl"] == pytest.approx((12**2 + 3**2) / 15**2, rel=1e-15)
    assert result.loc[("2410", 2020), "herfindahl"] == 1.0
    # Without the plant column every record is a plant: 10, 5 and 7.
    rows = plant_shares(records, industry_col="isic", value_col="staff", year_col="year").set_index(["industry", "year"])
    assert rows.loc[("1079", 2020), "herfindahl"] == pytest.approx((10**2 + 5**2 + 7**2) / 22**2, rel=1e-15)
    assert rows.loc[("1079", 2020), "plants"] == 3


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from("abc"), st.integers(0, 5), st.integers(0, 1000)), min_size=1, max_size=40))
def test_plant_shares_equal_a_pandas_computation(rows):
    frame = pd.DataFrame(rows, columns=["i", "plant", "e"])
    result = plant_shares(frame, industry_col="i", value_col="e", establishment_col="plant").set_index("industry")
    sizes = frame.groupby(["i", "plant"])["e"].sum()
    totals = sizes.groupby(level="i").sum()
    for industry, total in totals.items():
        if total == 0:
            assert np.isnan(result.loc[industry, "herfindahl"])
        else:
            shares = sizes.loc[industry] / total
            assert result.loc[industry, "herfindahl"] == pytest.approx((shares**2).sum(), rel=1e-12)
        assert result.loc[industry, "employment"] == total


def test_plant_shares_rejects_bad_input(records):
    records.loc[0, "staff"] = -1
    err = error_of(plant_shares, records, industry_col="isic", value_col="staff", establishment_col="plant")
    assert err.code == "negative_value" and err.column == "staff"
    records.loc[0, "staff"] = 1
    records = records.astype({"plant": object})
    records.loc[0, "plant"] = None
    err = error_of(plant_shares, records, industry_col="isic", value_col="staff", establishment_col="plant")
    assert err.code == "missing_value" and err.column == "plant"


# -- long form to matrices ------------------------------------------------------------------------------


def test_to_matrices_one_year_and_aligned(records):
    long = run(records)
    m2020 = to_matrices(long, year=2020)
    assert set(m2020) == {"employment", "establishments", "wages"}
    employment = m2020["employment"]
    assert list(employment.index) == ["Kerman", "Yazd"] and list(employment.columns) == ["1079", "1311", "2410"]
    np.testing.assert_array_equal(employment.to_numpy(), [[22, 0, 250], [0, 40, 0]])
    np.testing.assert_array_equal(m2020["establishments"].to_numpy(), [[2, 0, 1], [0, 1, 0]])
    m2021 = to_matrices(long, year=2021)
    assert list(m2021["employment"].columns) == ["1079", "1311"]  # 2410 has no record in 2021
    aligned = to_matrices(long, year=2021, align=True)["employment"]
    assert list(aligned.columns) == ["1079", "1311", "2410"]
    np.testing.assert_array_equal(aligned.to_numpy(), [[12, 0, 0], [3, 44, 0]])


def test_to_matrices_year_errors(records):
    long = run(records)
    err = error_of(to_matrices, long)
    assert err.code == "year_required" and err.params["available"] == [2020, 2021] and "2020, 2021" in str(err)
    assert error_of(to_matrices, long, year=2019).code == "unknown_year"
    single = long[long["year"] == 2020]
    assert to_matrices(single)["employment"].to_numpy().sum() == 312  # one year: no need to name it
    assert error_of(to_matrices, long.drop(columns="year"), year=2020).code == "missing_column"


def test_to_matrices_rejects_bad_long_frames(records):
    long = run(records)
    err = error_of(to_matrices, pd.concat([long, long.iloc[[0]]]), year=2020)
    assert err.code == "duplicate_row" and err.params["region"] == "Kerman" and err.params["industry"] == "1079"
    assert error_of(to_matrices, long.assign(employment=-long["employment"]), year=2020).code == "negative_value"
    assert error_of(to_matrices, long.drop(columns="region")).code == "missing_column"
    assert error_of(to_matrices, long[["region", "industry", "year"]], year=2020).code == "missing_column"
    assert error_of(to_matrices, long.to_numpy()).code == "unsupported_source"


def test_to_panel_equals_aligned_matrices_of_every_year(records):
    long = run(records)
    panel = to_panel(long)
    assert list(panel) == [2020, 2021]
    for year, matrices in panel.items():
        expected = to_matrices(long, year=year, align=True)
        assert set(matrices) == set(expected)
        for measure, frame in matrices.items():
            pd.testing.assert_frame_equal(frame, expected[measure])
    err = error_of(to_panel, pd.concat([long, long.iloc[[3]]]))
    assert err.code == "duplicate_row" and err.params["region"] == "Yazd" and "2021" in str(err)
    assert to_panel(pd.concat([long, long.iloc[[3]].assign(year=2022)]))[2022]["employment"].to_numpy().sum() == 3
    assert error_of(to_panel, long.drop(columns="year")).code == "missing_column"
    assert error_of(to_panel, long.assign(wages=-1.0)).code == "negative_value"


def test_to_sparse_matches_to_matrices_and_stores_no_zero(records):
    records.loc[5, "staff"] = 0  # Yazd 1311 2020: a record with no employment
    long = run(records)
    dense = to_matrices(long, year=2020, align=True)
    for measure in ("employment", "establishments", "wages"):
        result = to_sparse(long, measure=measure, year=2020, align=True)
        assert isinstance(result, LabelledSparse)
        matrix, regions, industries = result
        assert matrix.format == "csr"
        pd.testing.assert_frame_equal(pd.DataFrame(matrix.toarray(), index=regions, columns=industries),
                                      dense[measure])
    assert to_sparse(long, year=2020).matrix.nnz == 2  # Kerman 1079 and 2410; Yazd's 0 is not stored
    assert error_of(to_sparse, long, measure="sales", year=2020).code == "bad_argument"


# -- synthetic data -------------------------------------------------------------------------------------


def test_synthetic_establishments(tmp_path):
    kwargs = dict(n_rows=20_003, n_regions=30, n_industries=40, n_years=3, seed=5, chunk_rows=3_000)
    path = generate_establishments(tmp_path / "a.parquet", **kwargs)
    again = generate_establishments(tmp_path / "b.parquet", **kwargs)
    other = generate_establishments(tmp_path / "c.parquet", **{**kwargs, "seed": 6})
    table = pq.read_table(path)
    assert table.num_rows == 20_003
    assert table.equals(pq.read_table(again)) and not table.equals(pq.read_table(other))
    assert pq.ParquetFile(path).metadata.num_row_groups == 7  # written in chunks of 3,000 rows

    frame = table.to_pandas()
    assert frame["year"].between(2019, 2021).all() and (frame["employees"] >= 0).all()
    # An establishment stays in its region and industry, every year.
    assert (frame.groupby("establishment_id")[["region", "industry"]].nunique() == 1).all().all()
    assert frame.groupby("establishment_id").size().max() == 3
    # Skewed sizes: the biggest 10% of establishments employ far more than 10% of the people.
    sizes = np.sort(frame["employees"].to_numpy())[::-1]
    assert sizes[: len(sizes) // 10].sum() > 0.3 * sizes.sum()
    # Sparse presence: many region-industry pairs have no establishment at all.
    present = frame.groupby(["region", "industry"]).size()
    assert len(present) < 0.6 * 30 * 40
    # Big regions are diverse: region R0001 (the biggest) has more industries than the median region.
    per_region = frame.groupby("region")["industry"].nunique()
    assert per_region["R0001"] > per_region.median()
    assert error_of(generate_establishments, tmp_path / "d.parquet", **{**kwargs, "n_rows": 0}).code == "bad_argument"


# -- PySpark (local mode) gives exactly DuckDB's result --------------------------------------------------


@pytest.fixture(scope="module")
def spark():
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Java is not installed: PySpark needs a Java runtime (apt-get install default-jre-headless)")
    pyspark_sql = pytest.importorskip("pyspark.sql")
    session = (pyspark_sql.SparkSession.builder.master("local[2]").appName("khooshe-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.driver.memory", "512m")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.driver.host", "127.0.0.1")  # no host name lookup on an offline machine
               .config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.sql.session.timeZone", "UTC")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def synthetic_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("synthetic") / "establishments.parquet"
    return generate_establishments(path, n_rows=4_000, n_regions=12, n_industries=15, n_years=2, seed=3,
                                   chunk_rows=1_000)


def test_pyspark_aggregation_equals_duckdb_exactly(spark, synthetic_file, records):
    # Spark queries are slow to start: a few queries cover a file source, a DataFrame source and both
    # aggregations.
    columns = dict(region_col="region", industry_col="industry", value_col="employees", year_col="year",
                   establishment_col="establishment_id", wage_col="wages")
    on_duckdb = aggregate(open_source(synthetic_file), **columns)
    # A file:// URL takes the path of cluster file systems (hdfs://, s3a://), which only Spark reads.
    on_spark = aggregate(open_source(f"file://{synthetic_file}", backend="pyspark", spark_session=spark),
                         **columns)
    assert len(on_duckdb) > 100
    pd.testing.assert_frame_equal(on_spark, on_duckdb, check_exact=True)

    shares = dict(industry_col="isic", value_col="staff", establishment_col="plant", year_col="year")
    pd.testing.assert_frame_equal(
        plant_shares(open_source(records, backend="pyspark", spark_session=spark), **shares),
        plant_shares(records, **shares), check_exact=True)


def test_pyspark_reports_bad_input_like_duckdb(spark, tmp_path, records):
    staff = records["staff"].astype(str)
    staff[5] = "forty"
    records.assign(staff=staff).to_csv(tmp_path / "bad.csv", index=False)  # Spark reads "staff" as text
    err = error_of(run, open_source(tmp_path / "bad.csv", backend="pyspark", spark_session=spark))
    assert err.code == "non_numeric" and err.column == "staff" and err.params["value"] == "forty"
    assert err.params["row"]["province"] == "Yazd" and err.params["count"] == 1
