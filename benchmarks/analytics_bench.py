"""Cluster analytics from 10 million establishment rows: Ibis/DuckDB and PySpark against plain pandas.

    .venv/bin/python benchmarks/analytics_bench.py                        # 10,000,000 rows, 3 runs each
    .venv/bin/python benchmarks/analytics_bench.py --rows 1000000 --runs 1 --skip-spark   # a quick try

Generates synthetic establishment-year records once (khooshe.analytics.synthetic: 400 regions x 600
industries x 5 years, skewed sizes, sparse presence) into /tmp/khooshe-analytics-bench (reused when
present), then, run after run, each path in its own process:

- ``pandas`` (the baseline): ``pd.read_parquet`` of the needed columns, ``groupby`` per region, industry
  and year, the plant Herfindahl by ``groupby``, ``unstack`` into one matrix per year and measure;
- ``duckdb``: the product's path, ``open_source`` + ``aggregate`` + ``plant_shares`` (Ibis on DuckDB,
  validation included) + ``to_panel`` (the matrices of every year);
- ``pyspark``: the same product code with ``backend="pyspark"`` in local mode (``local[2]``).

Each path then runs the same :func:`indicator_steps` on its matrices, and the parent checks that every
path gave the same figures (a checksum of the matrices and indicators).  Time is measured inside the child
from before reading the file (so Python imports and the Spark session start-up are not in it; the Spark
start-up and the whole process's wall time are shown apart).  Peak memory is the child's maximum
resident set (``wait4``); for PySpark it is the Python process plus the JVM's own peak (``VmHWM``), as
the JVM is a separate process.  CPU time (user + system of every thread, and of the JVM) is shown too:
on a shared machine wall time moves with what else runs, CPU time much less.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from _common import ROOT, machine_description, median, today

DATA_DIR = Path(os.environ.get("KHOOSHE_ANALYTICS_BENCH_DIR", "/tmp/khooshe-analytics-bench"))
PATHS = ("pandas", "duckdb", "pyspark")
COLUMNS = dict(region="region", industry="industry", year="year", value="employees", wage="wages")


# ======================================================================================================
# THE INDICATOR STEPS (to be filled in by the lead with every indicator of issue 3).
# Both paths (pandas baseline, Ibis on DuckDB / PySpark) call this function on matrices of identical
# shape, labels and values, so whatever is added here is timed identically on each.
# ======================================================================================================
def indicator_steps(matrices: dict, plant_herfindahl=None) -> dict:
    """Every indicator computed from the aggregated matrices.

    Parameters
    ----------
    matrices : dict
        ``{year: {"employment": DataFrame, "establishments": DataFrame, "wages": DataFrame}}``: region x
        industry matrices, the same regions and industries (sorted) in every year.
    plant_herfindahl : DataFrame, optional
        ``plant_shares`` output: ``industry``, ``year``, ``plants``, ``employment``, ``herfindahl`` (the
        plant-level input of Ellison-Glaeser).

    Returns
    -------
    dict
        ``{name: array or DataFrame}``; the benchmark only checksums what is returned.
    """
    import numpy as np

    results = {}
    # Placeholder until the lead fills in: the location quotient of each year, with NumPy.
    for year, m in matrices.items():
        e = m["employment"].to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            results[f"lq_{year}"] = (e / e.sum(axis=1, keepdims=True)) / (e.sum(axis=0) / e.sum())
    return results
# ======================================================================================================


def checksum(matrices: dict, plants, results: dict) -> dict:
    """Figures that must agree between the paths (sums of every matrix and indicator)."""
    import numpy as np
    import pandas as pd

    sums = {"cells": 0.0}
    for year, m in matrices.items():
        for measure, frame in m.items():
            sums[f"{measure}_{year}"] = float(frame.to_numpy().sum())
        sums["cells"] += float(m["employment"].size)
    sums["herfindahl"] = float(np.nansum(plants["herfindahl"].to_numpy()))
    for name, value in results.items():
        array = value.to_numpy() if isinstance(value, pd.DataFrame | pd.Series) else np.asarray(value, float)
        sums[name] = float(np.nansum(np.where(np.isfinite(array), array, np.nan)))
    return sums


# -- the paths, each run in a child process ------------------------------------------------------------


def run_pandas(path: Path) -> dict:
    import pandas as pd

    t0, c0 = time.perf_counter(), cpu_seconds()
    frame = pd.read_parquet(path, columns=list(COLUMNS.values()))
    long = frame.groupby(["region", "industry", "year"]).agg(
        employment=("employees", "sum"), establishments=("employees", "size"), wages=("wages", "sum"))
    squares = frame["employees"].astype(float) ** 2
    plants = (frame.assign(squares=squares).groupby(["industry", "year"])
              .agg(plants=("employees", "size"), employment=("employees", "sum"), squares=("squares", "sum"))
              .reset_index())
    plants["herfindahl"] = plants["squares"] / plants["employment"].astype(float) ** 2
    regions = long.index.get_level_values("region").unique().sort_values()
    industries = long.index.get_level_values("industry").unique().sort_values()
    matrices = {}
    for year in sorted(long.index.get_level_values("year").unique()):
        one = long.xs(year, level="year")
        matrices[int(year)] = {
            measure: one[measure].unstack(fill_value=0).reindex(index=regions, columns=industries, fill_value=0)
            .astype(float)
            for measure in ("employment", "establishments", "wages")
        }
    t1 = time.perf_counter()
    results = indicator_steps(matrices, plants)
    t2 = time.perf_counter()
    return {"aggregate": t1 - t0, "indicators": t2 - t1, "cpu": cpu_seconds() - c0,
            "checksum": checksum(matrices, plants, results)}


def run_ibis(path: Path, backend: str) -> dict:
    import ibis

    from khooshe.analytics.aggregate import aggregate, open_source, plant_shares, to_panel

    getattr(ibis, backend)  # imports the backend's module, as the pandas path imports pandas before timing
    session, startup, extra, jvm = None, 0.0, {}, None
    if backend == "pyspark":
        from pyspark.sql import SparkSession

        s0 = time.perf_counter()
        session = (SparkSession.builder.master("local[2]").appName("khooshe-bench")
                   .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                   .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                   .config("spark.driver.memory", "2g").config("spark.sql.shuffle.partitions", "8")
                   # One 50 MB file would be one task: split it by row groups so both cores read.
                   .config("spark.sql.files.maxPartitionBytes", str(8 * 2**20))
                   .getOrCreate())
        session.sparkContext.setLogLevel("ERROR")
        startup = time.perf_counter() - s0
        jvm = int(session.sparkContext._jvm.java.lang.ProcessHandle.current().pid())

    t0, c0 = time.perf_counter(), cpu_seconds(jvm)
    table = open_source(path, backend=backend, spark_session=session)
    long = aggregate(table, region_col=COLUMNS["region"], industry_col=COLUMNS["industry"],
                     year_col=COLUMNS["year"], value_col=COLUMNS["value"], wage_col=COLUMNS["wage"])
    plants = plant_shares(table, industry_col=COLUMNS["industry"], value_col=COLUMNS["value"],
                          year_col=COLUMNS["year"])
    matrices = to_panel(long)
    t1 = time.perf_counter()
    results = indicator_steps(matrices, plants)
    t2 = time.perf_counter()
    cpu = cpu_seconds(jvm) - c0
    if session is not None:
        extra["jvm_peak_mib"] = _vm_hwm_mib(jvm)
        session.stop()
    return {"aggregate": t1 - t0, "indicators": t2 - t1, "cpu": cpu, "startup": startup,
            "checksum": checksum(matrices, plants, results), **extra}


def cpu_seconds(jvm_pid: int | None = None) -> float:
    """CPU time (user + system, every thread) of this process, plus the JVM's when given."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    total = usage.ru_utime + usage.ru_stime
    if jvm_pid is not None:
        fields = Path(f"/proc/{jvm_pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return total


def _vm_hwm_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(path_name: str, data: Path) -> int:
    import warnings

    warnings.simplefilter("ignore", DeprecationWarning)  # ibis 12 on duckdb 2.0
    result = run_pandas(data) if path_name == "pandas" else run_ibis(data, path_name)
    result["python_peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(result), flush=True)
    return 0


# -- the parent ----------------------------------------------------------------------------------------


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
    parser.add_argument("--skip-spark", action="store_true", help="leave out the PySpark path")
    parser.add_argument("--child", choices=PATHS, help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args.file)

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    log = DATA_DIR / "analytics-bench.log"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), PYTHONWARNINGS="ignore::DeprecationWarning")
    generate(args, env, log)
    path = data_file(args)
    paths = [p for p in PATHS if not (args.skip_spark and p == "pyspark")]

    runs: dict[str, list[dict]] = {p: [] for p in paths}
    for run in range(args.runs):
        order = paths[run % len(paths):] + paths[:run % len(paths)]  # no path always first (caches)
        for name in order:
            cmd = [sys.executable, str(Path(__file__).resolve()), "--child", name, "--file", str(path)]
            wall, peak, code, out = run_measured(cmd, env, log)
            line = next((x for x in out.splitlines() if x.startswith("RESULT ")), None)
            if code != 0 or line is None:
                print(f"{name} failed with exit code {code}: see {log}", file=sys.stderr)
                return 1
            result = json.loads(line[len("RESULT "):])
            # The JVM is a separate process: its peak adds to the Python process's.
            result["peak"] = result["python_peak_mib"] + result["jvm_peak_mib"] if "jvm_peak_mib" in result else peak
            result["wall"] = wall
            runs[name].append(result)
            print(f"run {run + 1}/{args.runs} {name:8s} aggregate {result['aggregate']:7.2f} s  indicators "
                  f"{result['indicators']:6.2f} s  CPU {result['cpu']:7.2f} s  process {wall:6.1f} s  "
                  f"peak RSS {result['peak']:7.0f} MiB  (load average {os.getloadavg()[0]:.1f})", flush=True)

    reference = runs["pandas"][0]["checksum"]
    for name, results in runs.items():
        for result in results:
            for key, value in reference.items():
                other = result["checksum"][key]
                if abs(other - value) > 1e-9 * max(1.0, abs(value)):
                    print(f"{name} differs from pandas on {key}: {other!r} != {value!r}", file=sys.stderr)
                    return 1

    def total(result):
        return result["aggregate"] + result["indicators"]

    base = median([total(r) for r in runs["pandas"]])
    print()
    print(f"Date {today()}; machine: {machine_description()}")
    print(f"Command: .venv/bin/python benchmarks/analytics_bench.py --rows {args.rows} --runs {args.runs}"
          + (" --skip-spark" if args.skip_spark else ""))
    print(f"Data: {args.rows:,} establishment-year rows, {args.regions} regions x {args.industries} industries "
          f"x {args.years} years, {path.stat().st_size / 2**20:.0f} MiB Parquet; every path gave the same "
          f"matrices and indicators ({reference['cells']:,.0f} region-industry-year cells).\n")
    base_cpu = median([r["cpu"] for r in runs["pandas"]])
    print("| path | aggregation to matrices s | indicators s | total s (median) | speed-up vs pandas | "
          "CPU s (ratio) | peak RSS MiB (median) | process wall s | runs |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    labels = {"pandas": "pandas read_parquet + groupby (baseline)", "duckdb": "Ibis on DuckDB (khooshe)",
              "pyspark": "Ibis on PySpark local[2] (khooshe)"}
    for name, results in runs.items():
        t = median([total(r) for r in results])
        cpu = median([r["cpu"] for r in results])
        note = ""
        if name == "pyspark":
            note = f" (+ {median([r['startup'] for r in results]):.1f} s session start)"
        print(f"| {labels[name]} | {median([r['aggregate'] for r in results]):.2f} | "
              f"{median([r['indicators'] for r in results]):.2f} | {t:.2f}{note} | {base / t:.1f}x | "
              f"{cpu:.1f} ({cpu / base_cpu:.2f}) | "
              f"{median([r['peak'] for r in results]):.0f} | {median([r['wall'] for r in results]):.1f} | "
              f"{len(results)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
