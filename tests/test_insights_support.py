"""Shared fixtures and helpers of the insights tests (imported by the test_insights_* modules).

The analysis pipeline (``khooshe.analytics.pipeline``) is replaced by a small fake here, in tests only, so
that the web app's behaviour (runs, progress, errors, result pages) is tested on its own, fast; the fake
computes real location quotients with pandas so that the pages show values that can be checked by hand.
One test (test_insights_runs.py) runs the real pipeline end to end.
"""

from __future__ import annotations

import io
import json
import sys
import types
from pathlib import Path

import pandas as pd

from khooshe.analytics.validation import AnalyticsInputError

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# 4 regions x 3 industries of employment, by hand: region R1 is specialised in industry 10, R4 in 26.
EMPLOYMENT = {
    ("R1", "10"): 500, ("R1", "26"): 50, ("R1", "55"): 100,
    ("R2", "10"): 100, ("R2", "26"): 100, ("R2", "55"): 300,
    ("R3", "10"): 100, ("R3", "26"): 150, ("R3", "55"): 200,
    ("R4", "10"): 50, ("R4", "26"): 600, ("R4", "55"): 50,
}


def good_csv(rows: dict | None = None, *, region="province", industry="isic", value="employees") -> bytes:
    lines = [f"{region},{industry},{value}"]
    for (r, i), v in (rows or EMPLOYMENT).items():
        lines.append(f"{r},{i},{v}")
    return ("\n".join(lines) + "\n").encode()


def expected_lq() -> pd.Series:
    frame = pd.Series(EMPLOYMENT).unstack()
    lq = frame.div(frame.sum(axis=1), axis=0) / (frame.sum(axis=0) / frame.to_numpy().sum())
    return lq.stack()


class FakeResult:
    def __init__(self, tables: dict[str, pd.DataFrame]):
        self.tables = tables

    def write(self, directory) -> None:
        for name, frame in self.tables.items():
            frame.to_parquet(Path(directory) / f"{name}.parquet", index=False)
        (Path(directory) / "meta.json").write_text(json.dumps({"tables": list(self.tables)}))


class FakePipeline:
    """``run_pipeline`` with the contract of khooshe.analytics.pipeline: LQ, stars and candidates by pandas."""

    def __init__(self):
        self.calls: list[dict] = []
        self.progress_seen: list[tuple[int, str]] = []
        self.fail_with: Exception | None = None

    def run_pipeline(self, source, columns, options, progress):
        from khooshe.insights.models import AnalysisRun

        self.calls.append({"source": source, "columns": dict(columns), "options": options})
        frame = pd.read_parquet(source)
        region, industry, value = columns["region_col"], columns["industry_col"], columns["value_col"]
        progress(0.1, "Reading the records")
        self.progress_seen.extend(AnalysisRun.objects.filter(status="running").values_list("progress", "step"))
        if self.fail_with is not None:
            raise self.fail_with
        if frame[region].nunique() < 2:
            raise AnalyticsInputError("single_region", "Only one region.", region=str(frame[region].iloc[0]))
        matrix = frame.groupby([region, industry])[value].sum().unstack(fill_value=0.0)
        progress(0.5, "Computing the indicators")
        self.progress_seen.extend(AnalysisRun.objects.filter(status="running").values_list("progress", "step"))
        lq = matrix.div(matrix.sum(axis=1), axis=0) / (matrix.sum(axis=0) / matrix.to_numpy().sum())
        ri = pd.DataFrame({"employment": matrix.stack(), "lq": lq.stack()}).reset_index()
        ri.columns = ["region", "industry", "employment", "lq"]
        ri["establishments"] = frame.groupby([region, industry]).size().reindex(
            pd.MultiIndex.from_frame(ri[["region", "industry"]])).fillna(0).to_numpy().astype("int64")
        ri["star_specialisation"] = ri["lq"] >= options.eco_specialisation_threshold
        ri["stars"] = ri["star_specialisation"].astype("int64")
        ri["strong"] = ri["lq"] >= 1.5
        regions = ri.groupby("region", as_index=False).agg(employment=("employment", "sum"),
                                                           diversity=("lq", lambda s: int((s >= 1).sum())))
        industries = ri.groupby("industry", as_index=False).agg(employment=("employment", "sum"))
        industries["tech_level"] = "medium_high"
        candidates = ri[ri["lq"] >= 1].copy()
        candidates["stage"] = "developing"
        candidates["stage_reason"] = "growing employment"
        candidates["cluster_type"] = "traded"
        candidates["tech_level"] = "medium_high"
        candidates["score"] = candidates["lq"]
        candidates["rank"] = candidates["score"].rank(ascending=False, method="first").astype("int64")
        clusters = candidates[["region", "industry", "stars", "strong", "stage", "stage_reason",
                               "cluster_type", "tech_level", "score", "rank"]].sort_values("rank")
        diversification = ri[ri["lq"] < 1][["region", "industry"]].assign(density=0.5, cog=0.1, pci=0.2, rank=1)
        progress(0.9, "Writing the tables")
        return FakeResult({"region_industry": ri, "regions": regions, "industries": industries,
                           "clusters": clusters, "diversification": diversification})


def setup_insights_env(settings, tmp_path, monkeypatch) -> FakePipeline:
    """Files under a temporary folder, tasks run at once, the fake pipeline (each test module declares its
    ``insights_env`` fixture with this). The decision engine is the real one."""
    import khooshe.analytics
    from khooshe.analytics.pipeline import PipelineOptions

    settings.KHOOSHE_INSIGHTS_DIR = tmp_path / "insights"
    settings.TASKS = IMMEDIATE
    fake = FakePipeline()
    module = types.ModuleType("khooshe.analytics.pipeline")
    module.run_pipeline = fake.run_pipeline
    module.PipelineOptions = PipelineOptions
    module.PipelineResult = FakeResult
    monkeypatch.setitem(sys.modules, "khooshe.analytics.pipeline", module)
    monkeypatch.setattr(khooshe.analytics, "pipeline", module, raising=False)
    return fake


def upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def xlsx_bytes(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def staff_user():
    """A cluster staff member (may upload datasets)."""
    from factories import make_cluster, make_user

    from khooshe.registry.models import Role

    user = make_user()
    Role.objects.create(user=user, kind=Role.Kind.CLUSTER_STAFF, cluster=make_cluster())
    return user


def make_dataset(user, content: bytes | None = None, *, name="Employment 2022", visibility="private", **mapping):
    from khooshe.insights import services

    mapping = mapping or {"region": "province", "industry": "isic", "value": "employees"}
    return services.create_dataset_from_file(user=user, uploaded_file=upload("data.csv", content or good_csv()),
                                             name=name, mapping=mapping, visibility=visibility)


def run_analysis(user, dataset, capture, parameters=None):
    """Start a run and let the (immediate) task run, as the commit of the request would."""
    from khooshe.insights import services

    with capture(execute=True):
        run = services.start_run(user=user, dataset=dataset, parameters=parameters or {})
    run.refresh_from_db()
    return run
