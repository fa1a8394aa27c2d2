"""Import of 100,000 organization rows: time and peak memory, as a ratio to a bare PostgreSQL COPY.

    .venv/bin/python benchmarks/import_bench.py                    # 100,000 rows, 3 runs of each
    .venv/bin/python benchmarks/import_bench.py --rows 5000 --runs 1   # a quick try

Writes a CSV in the importer's format (the same generator as load_data.py: Persian names, kinds, ISIC
sectors, county codes, valid national IDs), then, run after run, alternately:

- the baseline: ``psql \\copy`` of the same file into a table of text columns (no validation, no
  normalization, no keys: the fastest way the bytes can get into PostgreSQL);
- ``khooshe import organizations FILE`` (the product's importer: every row validated, normalized and
  written, all or nothing), into an emptied registry.

Each runs in its own process; its peak memory is the process's maximum resident set (``wait4``). The
database is a separate one (DATABASE_URL with ``_import`` appended to the benchmark database's name), so
the registry of load_data.py is left as it is.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import time
from pathlib import Path

from _common import (
    VENV_BIN,
    machine_description,
    median,
    organization_rows,
    psycopg_conninfo,
    setup_environment,
    today,
)

HEADERS = ["national_id", "external_id", "name_fa", "name_en", "kind", "website", "founding_year", "employee_band",
           "sectors", "region", "description", "capabilities", "tech_level", "visibility"]


def import_database_url() -> str:
    url = setup_environment()["DATABASE_URL"]
    base, _, name = url.rpartition("/")
    return f"{base}/{name.split('?')[0]}_import"


def run_measured(cmd: list[str], env: dict, log: Path) -> tuple[float, float, int]:
    """(seconds, peak RSS MiB, exit code) of one command in its own process."""
    with open(log, "ab") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=out)
        _pid, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, proc.returncode


def prepare_database(env: dict) -> None:
    """Create and migrate the import database, with the reference data, once."""
    import psycopg

    url = psycopg_conninfo(env["DATABASE_URL"])
    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    code = (
        "import sys; sys.path.insert(0, 'benchmarks'); from _common import setup_django; setup_django();"
        "from django.core.management import call_command; call_command('migrate', '--no-input', verbosity=0);"
        "from load_data import ensure_reference; ensure_reference()"
    )
    subprocess.run([str(VENV_BIN / "python"), "-c", code], env=env, check=True)


def empty_registry(env: dict) -> None:
    import psycopg

    with psycopg.connect(psycopg_conninfo(env["DATABASE_URL"]), autocommit=True) as conn:
        conn.execute("TRUNCATE registry_organization, registry_organization_sectors, registry_relation, "
                     "registry_personrole, registry_clustermembership, registry_role CASCADE")
        conn.execute("DROP TABLE IF EXISTS bench_copy_baseline")
        conn.execute("CREATE TABLE bench_copy_baseline (" + ", ".join(f'"{h}" text' for h in HEADERS) + ")")
        conn.execute("VACUUM ANALYZE registry_organization")


def write_file(path: Path, rows: int, env: dict) -> None:
    import psycopg

    with psycopg.connect(psycopg_conninfo(env["DATABASE_URL"])) as conn:
        counties = [(code, name, province) for code, name, province in conn.execute(
            "SELECT r.code, r.name_fa, p.name_fa FROM registry_region r JOIN registry_region p ON p.id = r.parent_id "
            "WHERE r.kind = 'county' ORDER BY r.code").fetchall()]
        classes = [code for (code,) in conn.execute(
            "SELECT code FROM registry_sector WHERE level = 4 ORDER BY code LIMIT 60").fetchall()]
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADERS)
        for index, row in enumerate(organization_rows(rows, seed=1404, regions=counties, sector_codes=classes)):
            row["external_id"] = f"import-{index + 1}"
            if row["national_id"]:  # other IDs than load_data.py's, should both ever share a database
                row["national_id"] = _other_national_id(index)
            row["sectors"] = ";".join(row["sectors"])
            writer.writerow(["" if row[h] is None else row[h] for h in HEADERS])


def _other_national_id(index: int) -> str:
    from khooshe.registry.validators import make_iranian_legal_id

    return make_iranian_legal_id(f"15{index + 1000:08d}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    env = setup_environment()
    env["DATABASE_URL"] = import_database_url()
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent / "src")
    os.environ["DATABASE_URL"] = env["DATABASE_URL"]
    data_dir = Path(env["KHOOSHE_DATA_DIR"])
    log = data_dir / "logs" / "import-bench.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, env["PYTHONPATH"])

    prepare_database(env)
    path = data_dir / f"organizations-{args.rows}.csv"
    if not path.exists():
        write_file(path, args.rows, env)
    size_mib = path.stat().st_size / 2**20
    print(f"{path}: {args.rows} rows, {size_mib:.1f} MiB; database {env['DATABASE_URL']}", flush=True)

    conninfo = psycopg_conninfo(env["DATABASE_URL"])
    copy_cmd = ["psql", conninfo, "-v", "ON_ERROR_STOP=1", "-q", "-c",
                f"\\copy bench_copy_baseline FROM '{path}' WITH (FORMAT csv, HEADER true)"]
    import_cmd = [str(VENV_BIN / "khooshe"), "import", "organizations", str(path), "--language", "en"]
    results: dict[str, list[tuple[float, float]]] = {"copy": [], "import": []}
    for run in range(args.runs):
        for name, cmd in (("copy", copy_cmd), ("import", import_cmd)):
            empty_registry(env)
            seconds, peak, code = run_measured(cmd, env, log)
            if code != 0:
                print(f"{name} failed with exit code {code}: see {log}", file=sys.stderr)
                return 1
            results[name].append((seconds, peak))
            print(f"run {run + 1}/{args.runs} {name:6s} {seconds:8.1f} s  peak RSS {peak:7.1f} MiB", flush=True)

    import psycopg

    with psycopg.connect(conninfo) as conn:
        imported = conn.execute("SELECT count(*) FROM registry_organization").fetchone()[0]
        tags = conn.execute("SELECT count(*) FROM registry_organization_sectors").fetchone()[0]
    if imported != args.rows:
        print(f"the import wrote {imported} organizations, not {args.rows}: see {log}", file=sys.stderr)
        return 1
    copy_t, copy_m = median([r[0] for r in results["copy"]]), median([r[1] for r in results["copy"]])
    imp_t, imp_m = median([r[0] for r in results["import"]]), median([r[1] for r in results["import"]])
    print()
    print(f"Date {today()}; machine: {machine_description()}")
    print(f"Command: .venv/bin/python benchmarks/import_bench.py --rows {args.rows} --runs {args.runs}")
    print(f"Imported {imported} organizations with {tags} sector tags.\n")
    print("| what | time s (median) | ratio to COPY | rows/s | peak RSS MiB (median) | runs |")
    print("|---|---:|---:|---:|---:|---:|")
    print(f"| psql \\copy into a text table (baseline) | {copy_t:.1f} | 1.0 | {args.rows / copy_t:,.0f} | "
          f"{copy_m:.0f} | {args.runs} |")
    print(f"| khooshe import organizations | {imp_t:.1f} | {imp_t / copy_t:.1f} | {args.rows / imp_t:,.0f} | "
          f"{imp_m:.0f} | {args.runs} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
