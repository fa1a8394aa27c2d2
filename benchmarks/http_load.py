"""Requests per second and latency of the main pages under load, as a ratio to Django's "hello world".

    .venv/bin/python benchmarks/http_load.py                 # 5 runs x 15 s per endpoint, 8 clients
    .venv/bin/python benchmarks/http_load.py --runs 1 --duration 5 --endpoints hello list_filtered

Needs the data of ``load_data.py`` and ``wrk`` (apt-get install -y wrk). Each measurement starts a fresh
production server (gunicorn, 2 sync workers, DJANGO_DEBUG=false, static files by whitenoise after
collectstatic), warms it up, runs wrk with 8 connections for a bounded time, reads the workers' peak
memory (VmHWM) and stops the server. Endpoints are interleaved, in a rotating order, run after run, so
that the noise of a shared machine falls on all of them alike; medians over the runs are reported.
Visitors are anonymous (the public directory), which is what most of the traffic is.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from _common import ROOT, VENV_BIN, machine_description, median, setup_environment, today

HERE = Path(__file__).resolve().parent
SEARCH_TERM = "فناوری"  # "technology": in about a quarter of the generated organizations


def endpoints(data_dir: Path, detail_ids: list[int]) -> dict[str, dict]:
    q = urllib.parse.quote(SEARCH_TERM)
    paths_file = data_dir / "detail_paths.txt"
    paths_file.write_text("".join(f"/registry/organizations/{pk}/\n" for pk in detail_ids), encoding="utf-8")
    return {
        "hello": {"path": "/hello/", "label": "/hello/ (baseline)"},
        "list_filtered": {"path": f"/registry/organizations/?kind=startup&q={q}",
                          "label": f"/registry/organizations/?kind=startup&q={SEARCH_TERM}"},
        "detail": {"path": f"/registry/organizations/{detail_ids[0]}/", "paths_file": str(paths_file),
                   "label": f"/registry/organizations/<id>/ ({len(detail_ids)} ids)"},
        "api_list": {"path": "/api/registry/organizations/", "label": "/api/registry/organizations/"},
        "list": {"path": "/registry/organizations/", "label": "/registry/organizations/ (no filter)"},
        "api_filtered": {"path": f"/api/registry/organizations/?kind=startup&q={q}",
                         "label": f"/api/registry/organizations/?kind=startup&q={SEARCH_TERM}"},
    }


def server_env(data_dir: Path) -> dict[str, str]:
    env = setup_environment()
    env.update({
        "KHOOSHE_DATA_DIR": str(data_dir),
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": env.get("DJANGO_SECRET_KEY", "benchmark-secret-key-not-for-production-use-0123456789"),
        "KHOOSHE_LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(ROOT / "src"),
    })
    return env


def start_server(env: dict, port: int, workers: int, log: Path) -> subprocess.Popen:
    cmd = [str(VENV_BIN / "gunicorn"), "khooshe.config.wsgi", "--bind", f"127.0.0.1:{port}",
           "--workers", str(workers), "--error-logfile", str(log), "--log-level", "warning"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}; see {log}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/hello/", timeout=2).read()
            # Both workers must be up before measuring: wait until two different workers have answered
            # is not observable from outside, so give the second one a moment.
            time.sleep(1.0)
            return proc
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    stop_server(proc)
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # gunicorn's master stops its own workers
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def worker_pids(master: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    except OSError:
        return []


def peak_rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of the processes (the server's workers), in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return total / ticks


def run_wrk(port: int, endpoint: dict, seconds: float, connections: int, threads: int) -> dict:
    env = dict(os.environ, PATHS_FILE=endpoint.get("paths_file", ""))
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
           "-s", str(HERE / "wrk_report.lua"), f"http://127.0.0.1:{port}{endpoint['path']}"]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("WRK_JSON "))
    data = json.loads(line[len("WRK_JSON "):])
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    data["errors"] = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    return data


def check_endpoint(port: int, path: str) -> tuple[int, int]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
            return response.status, len(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, 0


def prefill(port: int, chosen: dict[str, dict]) -> None:
    """Visit every page the load test will ask for once (4 at a time), filling the shared page cache."""
    from concurrent.futures import ThreadPoolExecutor

    paths = []
    for ep in chosen.values():
        if "paths_file" in ep:
            paths += Path(ep["paths_file"]).read_text(encoding="utf-8").split()
        else:
            paths.append(ep["path"])
    started = time.perf_counter()
    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda path: check_endpoint(port, path)[0], paths))
    bad = [s for s in statuses if s != 200]
    print(f"prefilled the page cache with {len(paths)} pages in {time.perf_counter() - started:.1f} s"
          + (f" ({len(bad)} not 200)" if bad else ""), flush=True)


def public_ids(count: int, seed: int) -> list[int]:
    import psycopg
    from _common import psycopg_conninfo

    with psycopg.connect(psycopg_conninfo()) as conn:
        ids = [r[0] for r in conn.execute(
            "SELECT id FROM registry_organization WHERE visibility = 'public' ORDER BY id").fetchall()]
    if not ids:
        raise SystemExit("no organizations: run benchmarks/load_data.py first")
    return random.Random(seed).sample(ids, min(count, len(ids)))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--duration", type=float, default=15, help="seconds of load per endpoint and run")
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (1 leaves the CPUs to the server)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8650)
    parser.add_argument("--endpoints", nargs="*",
                        default=["hello", "list_filtered", "detail", "api_list", "list", "api_filtered"])
    parser.add_argument("--page-cache-seconds", type=int, default=None,
                        help="KHOOSHE_PAGE_CACHE_SECONDS of the server; 0 measures every page rendered "
                             "(anonymous pages are otherwise served from core.page_cache)")
    parser.add_argument("--cache-url", help="KHOOSHE_CACHE_URL of the server, e.g. redis://127.0.0.1:6379/15: "
                        "one page cache shared by the workers that outlives a server restart (flushed first)")
    parser.add_argument("--prefill", action="store_true",
                        help="with --cache-url: visit every measured page once before measuring, as the visitors "
                             "of a long-running site would have (measures a warm shared cache)")
    parser.add_argument("--json", type=Path, help="also write the raw measurements here")
    args = parser.parse_args(argv)
    if args.prefill and not args.cache_url:
        parser.error("--prefill needs --cache-url: a per-process cache is lost when the server restarts")
    # Stopped with SIGTERM (kill): still run the finally blocks that stop the server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    env = server_env(Path(os.environ.get("KHOOSHE_DATA_DIR", "/tmp/khooshe-bench")))
    if args.page_cache_seconds is not None:
        env["KHOOSHE_PAGE_CACHE_SECONDS"] = str(args.page_cache_seconds)
    if args.cache_url:
        env["KHOOSHE_CACHE_URL"] = args.cache_url
        import redis

        redis.Redis.from_url(args.cache_url).flushdb()
    data_dir = Path(env["KHOOSHE_DATA_DIR"])
    log = data_dir / "logs" / "gunicorn-bench.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(VENV_BIN / "khooshe"), "manage", "--", "collectstatic", "--no-input", "-v0"], env=env, check=True)

    all_endpoints = endpoints(data_dir, public_ids(2000, seed=7))
    chosen = {name: all_endpoints[name] for name in args.endpoints}
    if "hello" not in chosen:
        chosen = {"hello": all_endpoints["hello"], **chosen}

    # One server to check every endpoint answers 200 before measuring anything.
    proc = start_server(env, args.port, args.workers, log)
    try:
        for name, ep in chosen.items():
            status, size = check_endpoint(args.port, ep["path"])
            print(f"check {name}: HTTP {status}, {size} bytes", flush=True)
            if status != 200:
                raise SystemExit(f"{name} answered {status}: fix that before measuring (log: {log})")
        if args.prefill:
            prefill(args.port, chosen)
    finally:
        stop_server(proc)

    results: dict[str, list[dict]] = {name: [] for name in chosen}
    names = list(chosen)
    for run in range(args.runs):
        order = names[run % len(names):] + names[:run % len(names)]
        for name in order:
            proc = start_server(env, args.port, args.workers, log)
            try:
                run_wrk(args.port, chosen[name], args.warmup, args.connections, args.threads)
                workers = worker_pids(proc.pid)
                cpu_before = cpu_seconds(workers)
                data = run_wrk(args.port, chosen[name], args.duration, args.connections, args.threads)
                # CPU time the Django workers spent per request: unlike req/s, hardly affected by
                # other programs on a shared machine (PostgreSQL's own CPU is not in it).
                data["worker_cpu_ms"] = (cpu_seconds(workers) - cpu_before) * 1000 / max(data["requests"], 1)
                data["peak_worker_rss_mib"] = max((peak_rss_mib(p) or 0) for p in workers) if workers else None
            finally:
                stop_server(proc)
            results[name].append(data)
            print(f"run {run + 1}/{args.runs} {name:14s} {data['rps']:8.1f} req/s  p50 {data['p50_us'] / 1000:6.1f} ms"
                  f"  p95 {data['p95_us'] / 1000:6.1f} ms  errors {data['errors']}  CPU {data['worker_cpu_ms']:.1f} ms/req  "
                  f"peak worker RSS {data['peak_worker_rss_mib'] or 0:.0f} MiB", flush=True)

    hello_rps = median([r["rps"] for r in results["hello"]])
    hello_mem = median([r["peak_worker_rss_mib"] for r in results["hello"]])
    print()
    print(f"Date {today()}; machine: {machine_description()}")
    print(f"Command: .venv/bin/python benchmarks/http_load.py --runs {args.runs} --duration {args.duration:g} "
          f"--connections {args.connections} --workers {args.workers}"
          + (f" --page-cache-seconds {args.page_cache_seconds}" if args.page_cache_seconds is not None else "")
          + (f" --cache-url {args.cache_url}" if args.cache_url else "") + (" --prefill" if args.prefill else "")
          + f" --endpoints {' '.join(args.endpoints)}")
    print()
    print("| endpoint | req/s (median) | ratio to hello | p50 ms | p95 ms | errors | worker CPU ms/request | "
          "peak worker RSS MiB (ratio to hello) | runs |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    summary = {}
    for name, runs in results.items():
        rps = median([r["rps"] for r in runs])
        p50 = median([r["p50_us"] for r in runs]) / 1000
        p95 = median([r["p95_us"] for r in runs]) / 1000
        errors = sum(r["errors"] for r in runs)
        mem = median([r["peak_worker_rss_mib"] for r in runs])
        cpu = median([r["worker_cpu_ms"] for r in runs])
        summary[name] = {"rps": rps, "ratio": rps / hello_rps, "p50_ms": p50, "p95_ms": p95, "errors": errors,
                         "worker_cpu_ms": cpu, "peak_worker_rss_mib": mem, "runs": len(runs)}
        print(f"| {chosen[name]['label']} | {rps:.1f} | {rps / hello_rps:.2f} | {p50:.1f} | {p95:.1f} | {errors} | "
              f"{cpu:.1f} | {mem:.0f} ({mem / hello_mem:.2f}) | {len(runs)} |")
    if args.json:
        args.json.write_text(json.dumps({"date": today(), "machine": machine_description(), "args": vars(args) | {
            "json": str(args.json)}, "summary": summary, "runs": results}, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
