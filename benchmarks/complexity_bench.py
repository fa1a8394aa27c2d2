"""Economic complexity of a country x product export panel: khooshe vs ecomplexity 0.5.3.

    .venv/bin/python benchmarks/complexity_bench.py                       # 226 x 785, 3 years, 5 runs
    .venv/bin/python benchmarks/complexity_bench.py --years 1 --runs 1    # a quick try
    .venv/bin/python benchmarks/complexity_bench.py --threads 1           # BLAS on one thread (both)

Generates a realistic, sparse export panel with a fixed seed (226 countries x 785 HS4-like products: about
half the pairs trade, country sizes and product markets log-normal, a nested structure where capable
countries export more and rarer products, some explicit zero rows and a country that reports only zeros
in one year), then, run after run, alternately:

- the baseline: ``ecomplexity.ecomplexity(data, cols)`` with ``check_logsupermodularity=False`` (the
  diagnostic that khooshe does not run; it only prints) and ``verbose=False``;
- ``khooshe.analytics.complexity.complexity_panel`` on the same frame.

Wall and CPU time are medians over the runs (in-process, the data generated once). Peak memory is the
peak of traced allocations (``tracemalloc``, which sees NumPy's buffers) in one extra run of each, kept
apart from the timed runs because tracing slows allocation. The script asserts that both outputs are the
same table: same rows, order, columns and dtypes, every value within 1e-9 (absolute + relative).

Both use NumPy's BLAS/LAPACK (OpenBLAS) with its default number of threads; ``--threads N`` limits both
to N threads (threadpoolctl). ``complexity_panel`` itself runs its per-year algebra on one BLAS thread (on these
small matrices threads gain little and, on a shared machine, wait for descheduled threads), so with the
default settings a loaded machine slows ecomplexity's multi-threaded eigensolver far more than khooshe:
``--threads 1`` is the like-for-like comparison. CPU time is reported next to wall time because the wall
time of a shared machine moves with its load.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, machine_description, today  # noqa: E402

sys.path.insert(0, str(ROOT / "src"))


def export_panel(countries: int = 226, products: int = 785, years: int = 3, seed: int = 7) -> pd.DataFrame:
    """A reproducible long export table (year, country, product, export_value), only traded pairs."""
    rng = np.random.default_rng(seed)
    capability = rng.beta(2, 2, countries)
    sophistication = rng.beta(2, 2, products)
    country_size = rng.lognormal(0, 1.5, countries) * np.exp(2 * capability)
    market_size = rng.lognormal(0, 1.2, products)
    codes = np.array([f"C{i:03d}" for i in range(countries)], dtype=object)
    frames = []
    for k in range(years):
        # Capable countries export more, and more sophisticated, products (a nested matrix with noise).
        logit = 10 * (capability[:, None] - sophistication[None, :]) + rng.normal(0, 1.5, (countries, products))
        trades = rng.random((countries, products)) < 1 / (1 + np.exp(-logit))
        value = np.round(country_size[:, None] * market_size[None, :]
                         * rng.lognormal(0, 1.5, (countries, products)) * 1e5)
        trades &= value > 0
        zeros = rng.random((countries, products)) < 0.002  # reported zero flows
        silent = k % countries  # one country reports only zeros this year
        trades[silent] = False
        zeros[silent, :5] = True
        c, p = np.nonzero(trades | zeros)
        frames.append(pd.DataFrame({
            "year": 2015 + k, "country": codes[c], "product": 1000 + p,
            "export_value": np.where(trades[c, p], value[c, p], 0.0),
        }))
    return pd.concat(frames, ignore_index=True)


COLUMNS = {"time": "year", "loc": "country", "prod": "product", "val": "export_value"}


def run_ecomplexity(data: pd.DataFrame) -> pd.DataFrame:
    import ecomplexity

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ecomplexity.ecomplexity(data, COLUMNS, verbose=False, check_logsupermodularity=False)


def run_khooshe(data: pd.DataFrame) -> pd.DataFrame:
    from khooshe.analytics.complexity import complexity_panel

    return complexity_panel(data, time_col="year", loc_col="country", prod_col="product", val_col="export_value")


def timed(function, data) -> tuple[float, float, pd.DataFrame]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(data)
    return time.perf_counter() - wall, time.process_time() - cpu, result


def traced_peak_mib(function, data) -> float:
    tracemalloc.start()
    function(data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--countries", type=int, default=226)
    parser.add_argument("--products", type=int, default=785)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threads", type=int, default=None, help="BLAS threads for both (default: BLAS's own)")
    args = parser.parse_args()
    import ecomplexity  # noqa: F401  (load every BLAS library before limiting their threads)
    import scipy.linalg  # noqa: F401

    import khooshe.analytics.complexity  # noqa: F401

    if args.threads:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.threads)

    data = export_panel(args.countries, args.products, args.years, args.seed)
    print(f"panel: {len(data):,} rows, {args.countries} countries x {args.products} products x {args.years} "
          f"years ({len(data) / (args.countries * args.products * args.years):.0%} of the pairs)", flush=True)
    run_khooshe(data.head(1000))  # imports and first-call costs out of the timings

    timings: dict[str, list[tuple[float, float]]] = {"ecomplexity": [], "khooshe": []}
    reference = ours = None
    for run in range(args.runs):
        for name, function in (("ecomplexity", run_ecomplexity), ("khooshe", run_khooshe)):
            wall, cpu, result = timed(function, data)
            timings[name].append((wall, cpu))
            print(f"run {run + 1}: {name} {wall:.3f} s wall, {cpu:.3f} s CPU", flush=True)
            if name == "ecomplexity":
                reference = result
            else:
                ours = result

    # Identical results: same rows, order, columns, dtypes; values within 1e-9 (abs + rel), NaN where NaN.
    pd.testing.assert_frame_equal(ours, reference, check_exact=False, rtol=1e-9, atol=1e-9)
    worst = {c: float(np.nanmax(np.abs(ours[c].to_numpy(float) - reference[c].to_numpy(float))))
             for c in ("eci", "pci", "density", "coi", "cog", "rca")}

    peaks = {"ecomplexity": traced_peak_mib(run_ecomplexity, data), "khooshe": traced_peak_mib(run_khooshe, data)}
    wall = {name: statistics.median(w for w, _ in runs) for name, runs in timings.items()}
    cpu = {name: statistics.median(c for _, c in runs) for name, runs in timings.items()}

    print(f"\nDate {today()}; machine: {machine_description()}")
    from threadpoolctl import threadpool_info

    threads = ", ".join(f"{p['internal_api']} {p['num_threads']} thread(s)" for p in threadpool_info())
    print(f"{args.countries} x {args.products} panel, {args.years} years, {len(data):,} rows; BLAS: {threads}; medians of "
          f"{args.runs} runs; outputs identical (assert_frame_equal, rtol = atol = 1e-9); largest absolute "
          "differences: " + ", ".join(f"{c} {v:.1e}" for c, v in worst.items()) + "\n")
    print("| implementation | wall s (median) | CPU s (median) | peak traced MiB | speed-up (wall) | speed-up (CPU) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in ("ecomplexity", "khooshe"):
        label = "ecomplexity 0.5.3 `ecomplexity()`" if name == "ecomplexity" else "khooshe `complexity_panel()`"
        print(f"| {label} | {wall[name]:.3f} | {cpu[name]:.3f} | {peaks[name]:.0f} | "
              f"{wall['ecomplexity'] / wall[name]:.1f}x | {cpu['ecomplexity'] / cpu[name]:.1f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
