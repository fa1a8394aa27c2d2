"""Every write of the insights app: datasets, analysis runs, and registry clusters made from results.

Functions take keyword-only arguments and check permissions themselves, so the web views, the API and
the task worker all call the same code. Files follow the rule "complete or absent": they are written in
a work folder and renamed into place only when whole (see ``storage``); a failure leaves nothing behind
and records an error that names the column, row or value.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import logging
import math
import secrets
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from khooshe.analytics.validation import AnalyticsInputError
from khooshe.registry.models import (
    FIRM_KINDS,
    Cluster,
    ClusterMembership,
    Organization,
    OrganizationKind,
    Region,
    Sector,
    SizeClass,
    TechLevel,
    Visibility,
)

from . import glossary, ingest, selectors, storage
from .models import AnalysisRun, Dataset

logger = logging.getLogger(__name__)

# How often a running analysis writes its progress to the database (seconds), unless the step changes.
PROGRESS_WRITE_INTERVAL = 0.5


# -- datasets: upload in two steps (file, then column mapping) ------------------------------------------
@dataclass
class StagedUpload:
    token: str
    original_name: str
    file_format: str
    size: int
    preview: ingest.Preview


def _require_uploader(user) -> None:
    if not Dataset.can_be_created_by(user):
        raise PermissionDenied(_("Only platform admins and cluster staff may add datasets."))


def stage_upload(*, user, uploaded_file) -> StagedUpload:
    """Keep an uploaded file until its columns are mapped; returns its columns and first rows.

    Raises ``AnalyticsInputError`` (nothing kept) when the file cannot be read."""
    _require_uploader(user)
    fmt = ingest.detect_format(uploaded_file.name)
    storage.prune_staging()
    token = secrets.token_hex(16)
    folder = storage.staging_dir(user.pk, token)
    folder.mkdir(parents=True)
    suffix = Path(uploaded_file.name).suffix.lower()
    original = folder / f"original{suffix}"
    try:
        with original.open("wb") as out:
            for chunk in uploaded_file.chunks():
                out.write(chunk)
        readable = ingest.stage(original, fmt)
        preview = ingest.preview(readable, "parquet" if readable != original else fmt)
        meta = {"name": Path(uploaded_file.name).name[:255], "format": fmt, "size": original.stat().st_size}
        (folder / "upload.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    except BaseException:
        storage.remove(folder)
        raise
    return StagedUpload(token=token, original_name=meta["name"], file_format=fmt, size=meta["size"],
                        preview=preview)


def load_staged(*, user, token: str) -> StagedUpload:
    """A staged upload of this user (for the mapping step shown again after an error)."""
    folder = storage.staging_dir(user.pk, token)
    if folder is None or not (folder / "upload.json").exists():
        raise AnalyticsInputError("staged_upload_missing", "The uploaded file is no longer here; upload it again.")
    meta = json.loads((folder / "upload.json").read_text(encoding="utf-8"))
    path, fmt = ingest.readable_path(folder)
    return StagedUpload(token=token, original_name=meta["name"], file_format=meta["format"], size=meta["size"],
                        preview=ingest.preview(path, fmt))


def create_dataset(*, user, token: str, name: str, mapping: Mapping[str, str], description: str = "",
                   visibility: str = Visibility.PRIVATE, cluster: Cluster | None = None,
                   region: Region | None = None) -> Dataset:
    """Check a staged upload against the column mapping and store it as a new dataset.

    ``mapping`` gives the column of each role (region, industry, value; optional year, establishment,
    wage). On any problem ``AnalyticsInputError`` is raised and no dataset exists; the staged file stays
    for another try with a corrected mapping."""
    _require_uploader(user)
    folder = storage.staging_dir(user.pk, token)
    if folder is None or not (folder / "upload.json").exists():
        raise AnalyticsInputError("staged_upload_missing", "The uploaded file is no longer here; upload it again.")
    meta = json.loads((folder / "upload.json").read_text(encoding="utf-8"))
    path, fmt = ingest.readable_path(folder)
    work = storage.work_dir("dataset")
    try:
        stored = ingest.store(path, fmt, dict(mapping), work / storage.DATA_FILE)
        original = next(folder.glob("original.*"))
        shutil.copy2(original, work / original.name)
        dataset = _save_dataset(
            user=user, work=work, name=name, description=description, visibility=visibility, cluster=cluster,
            region=region, source=Dataset.Source.UPLOAD, file_format=meta["format"],
            original_name=meta["name"], file_size=meta["size"], rows=stored.rows,
            columns={f"{role}_col": column for role, column in stored.mapping.items()})
    except BaseException:
        storage.remove(work)
        raise
    storage.remove(folder)
    return dataset


def create_dataset_from_file(*, user, uploaded_file, name: str, mapping: Mapping[str, str], **fields) -> Dataset:
    """Upload and map in one call (the API)."""
    staged = stage_upload(user=user, uploaded_file=uploaded_file)
    try:
        return create_dataset(user=user, token=staged.token, name=name, mapping=mapping, **fields)
    finally:
        storage.remove(storage.staging_dir(user.pk, staged.token))


def _save_dataset(*, user, work: Path, name: str, description: str, visibility: str, cluster, region,
                  source: str, file_format: str, original_name: str, file_size: int, rows: int,
                  columns: dict[str, str]) -> Dataset:
    with transaction.atomic():
        dataset = Dataset(name=name.strip() or original_name or _("Dataset"), description=description,
                          owner=user, visibility=visibility, cluster=cluster, region=region, source=source,
                          file_format=file_format, original_name=original_name, file_size=file_size,
                          row_count=rows, **columns)
        if not dataset.is_editable_by(user):
            raise PermissionDenied(_("You may not save this record."))
        dataset.save()
        storage.move_into_place(work, storage.dataset_dir(dataset.pk))
    return dataset


# -- datasets: the registry's organizations as establishments ------------------------------------------------
# Employees of an organization, estimated from its employee band (the band's middle) or its size class.
EMPLOYEES_FOR_BAND = {"1-9": 5, "10-49": 30, "50-99": 75, "100-249": 175, "250-999": 625, "1000+": 1500}
EMPLOYEES_FOR_SIZE = {SizeClass.MICRO: 5, SizeClass.SMALL: 30, SizeClass.MEDIUM: 150, SizeClass.LARGE: 625}
EMPLOYEES_UNKNOWN = 5  # no band and no size class: counted as a micro firm

REGION_LEVELS = ("auto", "province", "county")


def organization_records(user, region_level: str = "auto"):
    """One row per organization the user may see that has a region and a sector: region code (province or
    county), industry (the ISIC division of its first sector, or the second level of a custom list),
    estimated employees, and the organization's id as the establishment. Returns (frame, level used)."""
    import pandas as pd

    if region_level not in REGION_LEVELS:
        raise ValueError(region_level)
    visible = selectors.visible_organizations(user).filter(region__isnull=False)
    rows = list(visible.values_list("pk", "employee_band", "size_class", "kind", "region__code", "region__kind",
                                    "region__parent__code", "region__parent__kind"))
    through = Organization.sectors.through
    first_sector: dict[int, str] = {}
    for org_id, path in (through.objects.filter(organization__in=visible.values("pk"))
                         .order_by("organization_id", "sector__scheme", "sector__path")
                         .values_list("organization_id", "sector__path")):
        parts = path.split("/")
        if org_id not in first_sector and len(parts) >= 2:
            first_sector[org_id] = parts[1]
    records = []
    for pk, band, size, kind, code, kind_of_region, parent_code, parent_kind in rows:
        industry = first_sector.get(pk)
        if industry is None:
            continue
        province = code if kind_of_region == Region.Kind.PROVINCE else (
            parent_code if parent_kind == Region.Kind.PROVINCE else None)
        county = code if kind_of_region == Region.Kind.COUNTY else None
        employees = EMPLOYEES_FOR_BAND.get(band) or EMPLOYEES_FOR_SIZE.get(size) or (
            EMPLOYEES_FOR_SIZE[SizeClass.LARGE] if kind == OrganizationKind.LARGE else EMPLOYEES_UNKNOWN)
        records.append((province, county, industry, float(employees), str(pk)))
    frame = pd.DataFrame(records, columns=["province", "county", "industry", "value", "establishment"])
    if region_level == "auto":
        region_level = "county" if frame["province"].dropna().nunique() <= 1 else "province"
    frame = frame.rename(columns={region_level: "region"}).dropna(subset=["region"])
    return frame[["region", "industry", "value", "establishment"]].reset_index(drop=True), region_level


# The support institutions of the life-cycle stage (support_density): every organization kind that is not a
# firm in the registry's own split (registry.models.FIRM_KINDS): universities, research institutes, investors,
# accelerators, innovation factories, creative houses, coworking spaces, government bodies, chambers, NGOs and
# service providers.
SUPPORT_KINDS = frozenset(kind for kind in OrganizationKind if kind not in FIRM_KINDS)


def support_institution_counts(user, region_level: str) -> dict[str, int]:
    """Support institutions the user may see, counted by region code at ``region_level`` ("province": an
    organization of a county counts for its province; "county": only organizations placed in a county),
    whether or not they have a sector. The pipeline divides them by the region's establishments."""
    from django.db.models import Count

    if region_level not in ("province", "county"):
        raise ValueError(region_level)
    wanted = Region.Kind.PROVINCE if region_level == "province" else Region.Kind.COUNTY
    rows = (selectors.visible_organizations(user).filter(region__isnull=False, kind__in=SUPPORT_KINDS)
            .values("region__code", "region__kind", "region__parent__code", "region__parent__kind")
            .annotate(count=Count("pk")).order_by())
    counts: dict[str, int] = {}
    for row in rows:
        if row["region__kind"] == wanted:
            region = row["region__code"]
        elif region_level == "province" and row["region__parent__kind"] == wanted:
            region = row["region__parent__code"]
        else:
            continue
        counts[region] = counts.get(region, 0) + row["count"]
    return dict(sorted(counts.items()))


def registry_support_institutions(dataset: Dataset) -> dict[str, int] | None:
    """The support institutions counted when a registry dataset was made (None for other datasets)."""
    if dataset.source != Dataset.Source.REGISTRY:
        return None
    path = storage.dataset_dir(dataset.pk) / storage.SUPPORT_FILE
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def clean_support_institutions(value) -> dict[str, float]:
    """Support institutions by region given by a user (the API): ``{region: count}``, counts zero or more.
    Raises ``AnalyticsInputError`` (``invalid_support_institutions``) naming the region."""
    if not isinstance(value, Mapping):
        raise AnalyticsInputError("invalid_support_institutions", "Give the support institutions as an object "
                                  "of region -> number.", region="", value=str(value)[:100])
    cleaned = {}
    for region, count in value.items():
        number = count if isinstance(count, int | float) and not isinstance(count, bool) else None
        if number is None or not math.isfinite(number) or number < 0:
            raise AnalyticsInputError("invalid_support_institutions", f"Region {region!r} has {count!r} support "
                                      "institutions; give a number of zero or more.", region=str(region),
                                      value=str(count)[:100])
        cleaned[str(region)] = number
    return cleaned


def create_registry_dataset(*, user, name: str, description: str = "", region_level: str = "auto",
                            visibility: str = Visibility.PRIVATE, cluster: Cluster | None = None,
                            region: Region | None = None) -> Dataset:
    """A dataset of the organizations the user may see, as establishments (see ``organization_records``)."""
    _require_uploader(user)
    frame, level = organization_records(user, region_level)
    if frame.empty:
        raise AnalyticsInputError("no_organizations", "No visible organization has both a region and a sector.")
    work = storage.work_dir("dataset")
    try:
        frame.to_parquet(work / storage.DATA_FILE, index=False)
        # the support institutions of the same organizations, for the life-cycle stage (see start_run)
        (work / storage.SUPPORT_FILE).write_text(
            json.dumps(support_institution_counts(user, level), ensure_ascii=False), encoding="utf-8")
        # Column names as a spreadsheet would have them (language-neutral): what each role was built from.
        dataset = _save_dataset(
            user=user, work=work, name=name, description=description, visibility=visibility, cluster=cluster,
            region=region, source=Dataset.Source.REGISTRY, file_format=Dataset.Format.REGISTRY,
            original_name="", file_size=0, rows=len(frame),
            columns={"region_col": f"{level}_code", "industry_col": "isic_division",
                     "value_col": "estimated_employees", "establishment_col": "organization_id"})
    except BaseException:
        storage.remove(work)
        raise
    return dataset


# -- analysis runs ------------------------------------------------------------------------------------------
def start_run(*, user, dataset: Dataset, parameters: Mapping | None = None) -> AnalysisRun:
    """Queue an analysis of ``dataset``; the task starts once this transaction is committed.

    A registry dataset passes its support institutions by region (``support_institutions``, counted when it
    was made) unless the parameters give them."""
    if not dataset.is_editable_by(user):
        raise PermissionDenied(_("You may not analyse this dataset."))
    with transaction.atomic():
        run = AnalysisRun.objects.create(dataset=dataset, created_by=user,
                                         parameters=_run_parameters(dataset, parameters), step="waiting")  # steps are stored as keys: see glossary.STEPS
    transaction.on_commit(lambda: enqueue_run(run.pk))
    return run


def _run_parameters(dataset: Dataset, parameters: Mapping | None) -> dict:
    """The parameters of a new run: as given, plus a registry dataset's support institutions (so that the
    life-cycle stage can tell "developed") unless they are given."""
    parameters = dict(parameters or {})
    if "support_institutions" not in parameters:
        support = registry_support_institutions(dataset)
        if support is not None:
            parameters["support_institutions"] = support
    return parameters


def enqueue_run(run_id: int) -> None:
    from .tasks import run_analysis

    try:
        result = run_analysis.enqueue(run_id)
    except Exception as exc:  # e.g. Redis is down: say so on the run instead of leaving it queued
        logger.exception("could not queue analysis run %s", run_id)
        _fail(run_id, "internal_error", {"detail": f"{type(exc).__name__}: {exc}"[:300]}, str(exc))
        return
    AnalysisRun.objects.filter(pk=run_id).update(task_id=str(result.id)[:64])


class _Progress:
    """The pipeline's progress callback: writes (0-100 %, step) to the run, at most twice a second
    unless the step changes, so a fast pipeline does not spend its time writing progress."""

    def __init__(self, run_id: int):
        self.run_id = run_id
        self.last_write = 0.0
        self.last_step = None
        self.last_percent = -1

    def __call__(self, fraction: float, step: str = "") -> None:
        try:
            fraction = float(fraction)
        except (TypeError, ValueError):
            return
        percent = int(max(0.0, min(1.0, fraction if math.isfinite(fraction) else 0.0)) * 100)
        percent = min(percent, 99)  # 100 % means the results are in place, which only execute_run says
        now = time.monotonic()
        if step == self.last_step and (now - self.last_write < PROGRESS_WRITE_INTERVAL or percent == self.last_percent):
            return
        self.last_write, self.last_step, self.last_percent = now, step, percent
        AnalysisRun.objects.filter(pk=self.run_id, status=AnalysisRun.Status.RUNNING).update(
            progress=percent, step=str(step or "")[:300])


def _json_safe(value):
    """Error params as JSON (numpy scalars, paths, sets... become plain values or text)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_safe(v) for v in list(value)[:50]]
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item):
        try:
            return _json_safe(item())
        except (TypeError, ValueError):
            pass
    return str(value)


def _fail(run_id: int, code: str, params: Mapping, message: str) -> None:
    AnalysisRun.objects.filter(pk=run_id).update(
        status=AnalysisRun.Status.FAILED, error_code=code[:64], error_params=_json_safe(dict(params)),
        error_message=message[:5000], finished_at=timezone.now(), step="")


def pipeline_options(options_class, parameters: Mapping):
    """``PipelineOptions`` built from a run's parameters (only the ones it accepts)."""
    if dataclasses.is_dataclass(options_class):
        accepted = {f.name for f in dataclasses.fields(options_class)}
    else:
        accepted = set(inspect.signature(options_class).parameters)
    return options_class(**{k: v for k, v in parameters.items() if k in accepted and v is not None})


def pipeline_columns(dataset: Dataset) -> dict[str, str]:
    """The column names of the stored Parquet file, by role, as the pipeline takes them."""
    return {f"{role}_col": role for role in dataset.mapping}


def _call_pipeline(run: AnalysisRun, progress: Callable[[float, str], None]):
    from khooshe.analytics import pipeline

    options = pipeline_options(pipeline.PipelineOptions, run.parameters)
    source = str(storage.dataset_data(run.dataset_id))
    geometry = _spatial_geometry(source)
    if geometry is not None and {"geometry", "geometry_id_field"} <= {f.name for f in dataclasses.fields(options)}:
        options = dataclasses.replace(options, geometry=geometry, geometry_id_field="region_id")
    return pipeline.run_pipeline(source, pipeline_columns(run.dataset), options, progress)


def _spatial_geometry(source: str) -> dict | None:
    """The province boundaries of the data's regions, when the registry has them, so that the pipeline
    also measures spatial concentration (Moran's I); None when they are too few or unusable (the
    analysis then runs without the spatial tables rather than fail on the map)."""
    from .results import cursor

    try:
        with cursor() as con:
            values = [r[0] for r in con.execute("SELECT DISTINCT region FROM read_parquet(?)", [source]).fetchall()]
        geometry = selectors.region_geometry(values)
        if geometry is None:
            return None
        from khooshe.analytics import spatial

        spatial.weights_from_geometry(geometry, id_field="region_id")
    except Exception:  # the spatial tables are optional: never let the map stop the analysis
        logger.info("no spatial analysis for %s", source, exc_info=True)
        return None
    return geometry


def summarize_tables(folder: Path) -> dict:
    """{name: {"rows": n, "columns": [[name, type], ...]}} of the Parquet tables in ``folder``."""
    import pyarrow.parquet as pq

    from .results import columns_of

    tables = {}
    for path in sorted(folder.glob("*.parquet")):
        tables[path.stem] = {"rows": pq.read_metadata(path).num_rows,
                             "columns": [[c.name, c.type] for c in columns_of(path)]}
    return tables


def execute_run(run_id: int) -> str:
    """Run the pipeline for a queued run (the task body). Returns the run's final status.

    A run is taken only once (queued -> running in one UPDATE), so a task delivered twice does nothing
    the second time. The result tables are written into a work folder and renamed into
    ``storage.run_dir(run)`` only when complete."""
    claimed = AnalysisRun.objects.filter(pk=run_id, status=AnalysisRun.Status.QUEUED).update(
        status=AnalysisRun.Status.RUNNING, started_at=timezone.now(), progress=0, step="starting")
    if not claimed:
        return "skipped"
    run = AnalysisRun.objects.select_related("dataset").get(pk=run_id)
    work = storage.work_dir(f"run-{run_id}")
    try:
        result = _call_pipeline(run, _Progress(run_id))
        result.write(work)
        tables = summarize_tables(work)
        if not tables:
            raise RuntimeError("the pipeline wrote no result tables")
        meta_file = work / "meta.json"
        meta = _json_safe(json.loads(meta_file.read_text(encoding="utf-8"))) if meta_file.exists() else {}
        storage.move_into_place(work, storage.run_dir(run_id))
    except AnalyticsInputError as exc:
        storage.remove(work)
        _fail(run_id, exc.code, exc.params, exc.message)
        return AnalysisRun.Status.FAILED
    except Exception as exc:
        storage.remove(work)
        logger.exception("analysis run %s failed", run_id)
        detail = f"{type(exc).__name__}: {exc}"[:300]
        _fail(run_id, "internal_error", {"detail": detail}, f"The analysis stopped: {detail}")
        return AnalysisRun.Status.FAILED
    try:
        labels = selectors.match_labels(storage.run_dir(run_id), tables)
    except Exception:  # names are a nicety: the results stand without them
        logger.exception("could not match the regions and industries of run %s", run_id)
        labels = {}
    AnalysisRun.objects.filter(pk=run_id).update(
        status=AnalysisRun.Status.SUCCEEDED, progress=100, step="", tables=tables, labels=labels, meta=meta,
        finished_at=timezone.now())
    return AnalysisRun.Status.SUCCEEDED


def create_demo_analysis(*, user, name: str | None = None) -> AnalysisRun:
    """A dataset of the registry's organizations and its analysis, run here and now (no worker needed):
    what ``khooshe demo`` shows on the insights pages. Returns the run (failed runs say why)."""
    dataset = create_registry_dataset(user=user, name=name or _("Organizations of the registry"),
                                      description=_("Built by the demo from the registry's organizations."),
                                      visibility=Visibility.PUBLIC)
    with transaction.atomic():
        run = AnalysisRun.objects.create(dataset=dataset, created_by=user, parameters=_run_parameters(dataset, {}),
                                         step="waiting")
    execute_run(run.pk)
    run.refresh_from_db()
    return run


# -- prioritisation (the one place that calls the decision engine, khooshe.analytics.decision) ----------------
def _decision_matrix(frame, weights: Mapping[str, float]):
    """The criteria with a positive weight as a float matrix (an unknown value counts as the criterion's
    median: a typical one) and their weights summing to 1."""
    import numpy as np

    criteria = [c for c in frame.columns if weights.get(c, 0) > 0]
    matrix = frame[criteria].astype(float)
    matrix = matrix.fillna(matrix.median()).fillna(0.0)
    w = np.array([float(weights[c]) for c in criteria])
    return matrix, (w / w.sum() if criteria else w)


def rank_alternatives(frame, weights: Mapping[str, float], method: str = "weighted_sum"):
    """Scores and ranks (1 = best) of the rows of ``frame`` (criteria as columns, all "more is better")
    with the multi-criteria engine of ``khooshe.analytics.decision``; the one place to change how the
    priority table ranks. Returns (scores, ranks) as NumPy arrays."""
    import numpy as np

    from khooshe.analytics import decision

    matrix, w = _decision_matrix(frame, weights)
    if matrix.shape[1] == 0 or frame.empty:
        return np.zeros(len(frame)), np.arange(1, len(frame) + 1)
    types = ["benefit"] * matrix.shape[1]
    if method == "topsis":
        result = decision.topsis(matrix.to_numpy(), w, types)
    else:
        result = decision.weighted_sum(matrix.to_numpy(), w, criteria_types=types, normalisation="minmax")
    scores, ranks = _scores_and_ranks(result)
    return np.asarray(scores, dtype=float), np.asarray(ranks, dtype=int)


def priority_ahp(judgements: Mapping[tuple[str, str], float]):
    """Weights of the priority criteria from pairwise comparisons on Saaty's 1-9 scale (``{(a, b): 3}``: a
    is moderately more important than b; 1/3 the reverse), with Saaty's consistency ratio and the
    judgement that disagrees most with the weights (``decision.ahp_weights``)."""
    from khooshe.analytics import decision

    return decision.ahp_weights(dict(judgements))


def priority_sensitivity(frame, weights: Mapping[str, float], method: str = "weighted_sum", *, steps: int = 21):
    """How the ranking of ``rank_alternatives`` reacts to each weight (``decision.sensitivity``): for each
    criterion, the range of its weight over which the first alternative stays first, and the ranks of
    every alternative as that weight runs from 0 to 1 (the others keep their proportions). Alternatives
    are the positions of ``frame``'s rows. None when there is nothing to vary (fewer than two criteria
    with a weight, or fewer than two alternatives)."""
    from khooshe.analytics import decision

    matrix, w = _decision_matrix(frame, weights)
    if matrix.shape[1] < 2 or len(matrix) < 2:
        return None
    matrix = matrix.set_axis(range(len(matrix)), axis=0)
    return decision.sensitivity(matrix, w, ["benefit"] * matrix.shape[1],
                                method="topsis" if method == "topsis" else "weighted_sum", steps=steps,
                                normalisation="minmax")


def _scores_and_ranks(result):
    if isinstance(result, tuple):
        return result[0], result[1]
    if isinstance(result, Mapping):
        return result["scores"], result["ranks"]
    if hasattr(result, "scores"):
        return result.scores, result.ranks
    return result["score"], result["rank"]  # a DataFrame


# -- registry clusters from results -----------------------------------------------------------------------------
_STAGES = {s.value: s for s in Cluster.Stage}
_TYPES = {"local": Cluster.Type.LOCAL, "traded": Cluster.Type.TRADED, "resource": Cluster.Type.RESOURCE,
          "natural_resource": Cluster.Type.RESOURCE, "natural_resource_dependent": Cluster.Type.RESOURCE,
          "resource_dependent": Cluster.Type.RESOURCE}
# The OECD/Eurostat groups of classify.technology_level in the registry's coarser scale: high-tech
# knowledge-intensive services count as high tech, the other knowledge-intensive services as medium-high,
# everything else (less knowledge-intensive services, industries not covered) as low.
_TECH = {"high": TechLevel.HIGH, "medium_high": TechLevel.MEDIUM_HIGH, "medium_low": TechLevel.MEDIUM_LOW,
         "low": TechLevel.LOW, "kis_high_tech": TechLevel.HIGH, "kis_market": TechLevel.MEDIUM_HIGH,
         "kis_financial": TechLevel.MEDIUM_HIGH, "kis_other": TechLevel.MEDIUM_HIGH, "creative": TechLevel.CREATIVE}
# Organizations of these kinds join a cluster as core firms; the others by what they are.
_MEMBER_ROLES = {OrganizationKind.UNIVERSITY: ClusterMembership.Role.SUPPORT,
                 OrganizationKind.RESEARCH: ClusterMembership.Role.SUPPORT,
                 OrganizationKind.GOVERNMENT: ClusterMembership.Role.PUBLIC,
                 OrganizationKind.CHAMBER: ClusterMembership.Role.SUPPORT,
                 OrganizationKind.NGO: ClusterMembership.Role.SUPPORT,
                 OrganizationKind.SERVICE_PROVIDER: ClusterMembership.Role.SERVICE,
                 OrganizationKind.INVESTOR: ClusterMembership.Role.SERVICE}


def _key(value) -> str:
    return str(value or "").strip().lower().replace("-", "_").replace(" ", "_")


@dataclass
class ClusterProposal:
    """What "create registry cluster" will create, shown on the confirmation page."""

    region_value: str
    industry_value: str
    row: dict
    region: Region | None
    sector: Sector | None
    name_fa: str
    name_en: str
    type: str
    stage: str
    tech_level: str
    members: list  # organizations


def propose_cluster(*, user, run: AnalysisRun, region: str, industry: str) -> ClusterProposal:
    """The registry cluster a candidate (region, industry) of ``run`` would become, with its members:
    the organizations the user may see in that region (or its counties) with a sector in that industry."""
    row = selectors.candidate_row(run, region, industry)
    if row is None:
        raise AnalyticsInputError("missing_value", f"Region {region!r} and industry {industry!r} are not a "
                                  "candidate of this analysis.", column="region", row=region, value=industry)
    region_obj = selectors.matched_region(run, region)
    sector = selectors.matched_sector(run, industry)
    members = []
    if region_obj is not None and sector is not None:
        members = list(selectors.cluster_member_candidates(user, region_obj, sector))
    sector_fa = sector.title_fa or sector.title_en if sector else str(industry)
    sector_en = sector.title_en if sector else str(industry)
    region_fa = region_obj.name_fa if region_obj else str(region)
    region_en = (region_obj.name_en or region_obj.name_fa) if region_obj else str(region)
    return ClusterProposal(
        region_value=str(region), industry_value=str(industry), row=row, region=region_obj, sector=sector,
        name_fa=f"خوشه {sector_fa} {region_fa}"[:300], name_en=f"{sector_en} cluster of {region_en}"[:300],
        type=_TYPES.get(_key(row.get("cluster_type")), Cluster.Type.TRADED),
        stage=_STAGES.get(_key(row.get("stage") or row.get("lifecycle_stage")), Cluster.Stage.EMBRYONIC),
        tech_level=_TECH.get(_key(row.get("tech_level")), TechLevel.LOW),
        members=members,
    )


def _cluster_description(run: AnalysisRun, proposal: ClusterProposal) -> str:
    row = proposal.row
    facts = [f"{name}: {_plain(row[name])}" for name in ("employment", "establishments", "lq", "stars", "strong",
                                                         "score", "rank") if row.get(name) is not None]
    # why its stage, type and technology level, in the language of whoever creates it
    reasons = [glossary.row_reason(row, name) for name in ("stage_reason", "type_reason", "tech_reason")]
    reasons = [text for text in reasons if text]
    if row.get("lifecycle_reason"):
        reasons.append(str(row["lifecycle_reason"]))
    lines = [_("Detected by analysis %(number)s of the dataset “%(dataset)s” (region %(region)s, industry "
               "%(industry)s).") % {"number": run.pk, "dataset": run.dataset.name, "region": proposal.region_value,
                                    "industry": proposal.industry_value}]
    if facts:
        lines.append("; ".join(facts))
    lines.extend(reasons)
    return "\n".join(lines)


def _plain(value) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def create_registry_cluster(*, user, run: AnalysisRun, region: str, industry: str, name_fa: str = "",
                            name_en: str = "", visibility: str = Visibility.PRIVATE) -> Cluster:
    """Turn a candidate cluster of ``run`` into a registry cluster with its members, in one transaction
    (recorded in the change history like any other edit). Only who may create clusters in the registry
    may do this; a candidate already turned into a cluster is not created twice."""
    if not Cluster.can_be_created_by(user):
        raise PermissionDenied(_("Only platform admins may create clusters."))
    if not AnalysisRun.objects.visible_to(user).filter(pk=run.pk).exists():
        raise PermissionDenied(_("You may not see this analysis."))
    proposal = propose_cluster(user=user, run=run, region=region, industry=industry)
    key = f"{proposal.region_value}|{proposal.industry_value}"
    with transaction.atomic():
        locked = AnalysisRun.objects.select_for_update().get(pk=run.pk)
        created = dict(locked.labels.get("registry_clusters", {}))
        existing = Cluster.objects.filter(pk=created.get(key)).first() if key in created else None
        if existing is not None:
            return existing
        cluster = Cluster.objects.create(
            name_fa=(name_fa or proposal.name_fa).strip(), name_en=(name_en or proposal.name_en).strip(),
            type=proposal.type, stage=proposal.stage, tech_level=proposal.tech_level,
            origin=Cluster.Origin.NATURAL, description=_cluster_description(run, proposal), visibility=visibility)
        if proposal.sector is not None:
            cluster.sectors.add(proposal.sector)
        if proposal.region is not None:
            cluster.regions.add(proposal.region)
        for organization in proposal.members:
            # one by one, so that each membership is in the change history like a membership added by hand
            ClusterMembership.objects.create(cluster=cluster, organization=organization,
                                             role=_MEMBER_ROLES.get(organization.kind, ClusterMembership.Role.CORE))
        created[key] = cluster.pk
        labels = dict(locked.labels)
        labels["registry_clusters"] = created
        AnalysisRun.objects.filter(pk=run.pk).update(labels=labels)
    return cluster
