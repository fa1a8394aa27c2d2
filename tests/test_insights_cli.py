"""`khooshe analyze`: statistics in, a self-contained report and every table out; bad input writes nothing."""

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from khooshe.cli import app

PROVINCES = Path(__file__).resolve().parent.parent / "src/khooshe/registry/data/iran/provinces.csv"


@pytest.fixture(scope="module")
def statistics(tmp_path_factory):
    """Employment by province (Persian names, one in Arabic-keyboard spelling) and ISIC division."""
    rng = np.random.default_rng(5)
    provinces = [row["name"] for row in csv.DictReader(PROVINCES.open(encoding="utf-8"))]
    provinces[provinces.index("کرمان")] = "كرمان"  # Arabic kaf: must still match the map
    rows = []
    for p, province in enumerate(provinces):
        for division in ["01", "07", "10", "13", "24", "25", "26", "46", "62", "72"]:
            if rng.random() < 0.75:
                size = rng.gamma(2, 50) * (8 if (division == "24" and p % 5 == 0) else 1)
                for year in (2020, 2021):
                    rows.append((year, province, division, int(size * (1.05 if year == 2021 else 1)) + 1))
    path = tmp_path_factory.mktemp("stats") / "employment.csv"
    pd.DataFrame(rows, columns=["year", "province", "isic", "jobs"]).to_csv(path, index=False)
    return path


def analyze(*args):
    return CliRunner().invoke(app, ["analyze", *map(str, args)])


@pytest.mark.django_db
def test_analyze_writes_a_report_and_every_table(statistics, tmp_path):
    out = tmp_path / "report"
    result = analyze(statistics, "--region-col", "province", "--industry-col", "isic", "--value-col", "jobs",
                     "--year-col", "year", "--out", out, "--title", "اشتغال استان‌ها")
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'dir="rtl"' in html and "اشتغال استان‌ها" in html
    assert "echarts" in html and "<script src=" not in html  # self-contained: nothing fetched
    assert "Regions not found on the map" not in html and "مناطقی که روی نقشه" not in html
    clusters = pd.read_csv(out / "csv" / "clusters.csv", dtype={"industry": str})
    assert {"rank", "stage", "stage_reason", "cluster_type", "score"} <= set(clusters.columns)
    assert (clusters["industry"] == "24").any()  # the planted basic-metals cluster
    for name in ("region_industry", "regions", "industries", "diversification", "spatial", "spatial_local"):
        assert (out / "parquet" / f"{name}.parquet").exists(), name
    kerman = pd.read_parquet(out / "parquet" / "spatial_local.parquet")
    assert "كرمان" in set(kerman["region"])


@pytest.mark.django_db
def test_analyze_names_a_missing_column_and_writes_nothing(statistics, tmp_path):
    out = tmp_path / "report"
    result = analyze(statistics, "--region-col", "province", "--industry-col", "isic", "--value-col", "employees",
                     "--out", out, "--language", "en")
    assert result.exit_code == 2
    assert "employees" in result.output and "jobs" in result.output
    assert not out.exists()
