#!/usr/bin/env python3
"""Backends benchmark: the ingest and annotation-loop workloads on SQLite (one server), on
PostgreSQL with one replica, and on PostgreSQL with three replicas sharing one database, in one run,
so the figures compare as ratios against the SQLite baseline measured on the same machine minutes
apart.

    python3 bench/backends.py --bin target/release/loam --out DIR [--pg-admin URL]
        [--configs sqlite,pg1,pg3] [--ingest-records 20000] [--writers 3]
        [--loop-records 20000] [--annotators 10] [--seconds 15]

Normally run through bench/run-backends.sh, which builds the binary and makes sure PostgreSQL answers.

Each configuration gets fresh servers and a fresh database (a scratch database on the PostgreSQL
server at --pg-admin, dropped afterwards). Replicas share the owner's credentials and a token
secret; replica 0 starts first (it migrates the database and creates the owner), the others after.
Clients spread over the replicas the way a round-robin load balancer would:

- ingest: --writers threads, each with its own keep-alive connection to replica (i mod n), take the
  pre-encoded PUT .../records/bulk bodies of bench/ingest.py from one queue (256 records a batch);
  records/s over the whole run, p50 / p99 of one batch. The same writer count for every
  configuration, so only the server side differs.
- annotation loop: the loop of bench/annotation_loop.py (search my next pending record, submit a
  response); annotator i talks to replica (i mod n). Loops/s and p50 / p99 of one loop.

Standard library only. Output: a table, the ratios against SQLite, and DIR/backends.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from annotation_loop import run_annotators, run_rust_client, setup as setup_loop  # noqa: E402
from ingest import Api, generate_bodies, percentile, run_all, setup_dataset  # noqa: E402

LISTENING = re.compile(r"^loam: listening on (http://\S+)$", re.MULTILINE)
CONFIGS = {"sqlite": ("sqlite", 1), "pg1": ("postgres", 1), "pg3": ("postgres", 3)}


class Servers:
    """`n` loam processes on one database (a SQLite data dir when n == 1 and no URL is given)."""

    def __init__(self, binary: str, workdir: Path, n: int, database_url: str | None):
        self.procs: list[subprocess.Popen] = []
        self.urls: list[str] = []
        self.logs: list[Path] = []
        self.key = secrets.token_urlsafe(48)
        password = secrets.token_urlsafe(48)
        secret = secrets.token_urlsafe(48)
        for i in range(n):
            data_dir = workdir / f"replica-{i}"
            data_dir.mkdir(parents=True)
            log = workdir / f"replica-{i}.log"
            args = [binary, "serve", "--bind", "127.0.0.1:0", "--data-dir", str(data_dir)]
            if database_url:
                args += ["--database-url", database_url, f"--token-secret={secret}"]
            env = dict(os.environ, LOAM_OWNER_USERNAME="owner", LOAM_OWNER_PASSWORD=password,
                       LOAM_OWNER_API_KEY=self.key, RUST_LOG=os.environ.get("RUST_LOG", "warn"))
            with open(log, "wb") as out:
                proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
            self.procs.append(proc)
            self.logs.append(log)
            self.urls.append(self._wait_listening(proc, log))

    @staticmethod
    def _wait_listening(proc: subprocess.Popen, log: Path, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = LISTENING.search(log.read_text(errors="replace"))
            if found:
                return found.group(1)
            if proc.poll() is not None:
                sys.exit(f"loam exited during startup (status {proc.returncode}):\n{log.read_text(errors='replace')[-4000:]}")
            time.sleep(0.05)
        sys.exit(f"loam did not announce its URL within {timeout} s:\n{log.read_text(errors='replace')[-4000:]}")

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def run_ingest(urls: list[str], key: str, records: int, writers: int) -> dict:
    api = Api(urls[0], key)
    ds_id, quality_id, score_id = setup_dataset(api, "backends")
    bodies = generate_bodies(records, 256, 42, quality_id, score_id)
    path = f"/api/v1/datasets/{ds_id}/records/bulk"
    lock = threading.Lock()
    next_body = iter(bodies)
    latencies: list[float] = []
    errors: list[str] = []

    def writer(url: str) -> None:
        conn = Api(url, key)
        while not errors:
            with lock:
                body = next(next_body, None)
            if body is None:
                return
            started = time.perf_counter()
            status, data = conn.raw("PUT", path, body)
            elapsed = time.perf_counter() - started
            if status != 200:
                errors.append(f"PUT {path} via {url} -> {status}: {data[:300]!r}")
                return
            with lock:
                latencies.append(elapsed)

    seconds = run_all([threading.Thread(target=writer, args=(urls[i % len(urls)],)) for i in range(writers)])
    if errors:
        sys.exit("ingest failed:\n" + "\n".join(errors[:5]))
    total = api.call("GET", f"/api/v1/datasets/{ds_id}/records?limit=1")["total"]
    if total != records:
        sys.exit(f"the dataset holds {total} records after ingest, expected {records}")
    lat = sorted(x * 1000 for x in latencies)
    return {"records": records, "writers": writers, "seconds": round(seconds, 3),
            "records_per_s": round(records / seconds, 1),
            "batch_p50_ms": round(percentile(lat, 0.5), 1), "batch_p99_ms": round(percentile(lat, 0.99), 1)}


def run_loop(urls: list[str], key: str, records: int, annotators: int, seconds: float, loop_bin: str | None) -> dict:
    ds_id, keys = setup_loop(Api(urls[0], key), records, annotators)
    res = {"records": records, "annotators": annotators}
    if loop_bin:
        timed = run_rust_client(loop_bin, urls, keys, ds_id, seconds)
        res.update({k: timed[k] for k in ("loops", "seconds", "loops_per_s", "p50_ms", "p99_ms")})
        return res
    loops, elapsed = run_annotators(urls, keys, ds_id, seconds)
    lat = sorted(x * 1000 for x in loops)
    res.update({"loops": len(loops), "seconds": round(elapsed, 3), "loops_per_s": round(len(loops) / elapsed, 1),
                "p50_ms": round(percentile(lat, 0.5), 2), "p99_ms": round(percentile(lat, 0.99), 2)})
    return res


def psql(admin_url: str, sql: str) -> None:
    subprocess.run(["psql", admin_url, "-XAtqc", sql], check=True, stdout=subprocess.DEVNULL)


def database_url(admin_url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(admin_url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True, help="the loam binary")
    ap.add_argument("--out", required=True, help="directory for backends.json and the server logs")
    ap.add_argument("--pg-admin", default=os.environ.get("LOAM_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--configs", default="sqlite,pg1,pg3")
    ap.add_argument("--ingest-records", type=int, default=20_000)
    ap.add_argument("--writers", type=int, default=3)
    ap.add_argument("--loop-records", type=int, default=20_000)
    ap.add_argument("--annotators", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--loop-bin", help="time the loop with this loam-annotation-loop binary (the Rust client)")
    args = ap.parse_args()
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown or not configs:
        ap.error(f"unknown configurations {unknown} (known: {', '.join(CONFIGS)})")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    results: dict[str, dict] = {}
    for name in configs:
        engine, replicas = CONFIGS[name]
        for workload in ("ingest", "loop"):
            db_name = f"loam_bench_{os.getpid()}_{name}_{workload}"
            db_url = None
            if engine == "postgres":
                psql(args.pg_admin, f'drop database if exists "{db_name}" with (force)')
                psql(args.pg_admin, f'create database "{db_name}"')
                db_url = database_url(args.pg_admin, db_name)
            workdir = Path(tempfile.mkdtemp(prefix=f"loam-bench-{name}-", dir=os.environ.get("TMPDIR")))
            print(f"== {name} ({engine}, {replicas} replica{'s' if replicas > 1 else ''}): {workload} ==", file=sys.stderr)
            servers = Servers(args.bin, workdir, replicas, db_url)
            try:
                if workload == "ingest":
                    res = run_ingest(servers.urls, servers.key, args.ingest_records, args.writers)
                    print(f"   {res['records_per_s']} records/s, batch p50 {res['batch_p50_ms']} ms, p99 {res['batch_p99_ms']} ms", file=sys.stderr)
                else:
                    res = run_loop(servers.urls, servers.key, args.loop_records, args.annotators, args.seconds,
                                   args.loop_bin)
                    print(f"   {res['loops_per_s']} loops/s, p50 {res['p50_ms']} ms, p99 {res['p99_ms']} ms", file=sys.stderr)
                results.setdefault(name, {"engine": engine, "replicas": replicas})[workload] = res
            finally:
                servers.stop()
                for i, log in enumerate(servers.logs):
                    (out / f"{name}-{workload}-replica-{i}.log").write_bytes(log.read_bytes())
                subprocess.run(["rm", "-rf", str(workdir)], check=False)
                if db_url:
                    psql(args.pg_admin, f'drop database if exists "{db_name}" with (force)')

    print("\n== backends ==")
    print(f"{'config':<8} {'ingest rec/s':>13} {'batch p99 ms':>13} {'loops/s':>9} {'loop p50 ms':>12} {'loop p99 ms':>12}")
    for name, r in results.items():
        i, lp = r.get("ingest", {}), r.get("loop", {})
        print(f"{name:<8} {i.get('records_per_s', '-'):>13} {i.get('batch_p99_ms', '-'):>13} "
              f"{lp.get('loops_per_s', '-'):>9} {lp.get('p50_ms', '-'):>12} {lp.get('p99_ms', '-'):>12}")
    base = results.get("sqlite")
    ratios = {}
    if base:
        for name, r in results.items():
            if name == "sqlite":
                continue
            ratios[name] = {
                "ingest_records_per_s": round(r["ingest"]["records_per_s"] / base["ingest"]["records_per_s"], 2),
                "loops_per_s": round(r["loop"]["loops_per_s"] / base["loop"]["loops_per_s"], 2),
                "loop_p99": round(r["loop"]["p99_ms"] / base["loop"]["p99_ms"], 2),
            }
            print(f"{name} / sqlite: ingest {ratios[name]['ingest_records_per_s']}x, loops/s {ratios[name]['loops_per_s']}x, "
                  f"loop p99 {ratios[name]['loop_p99']}x")
    summary = {"settings": vars(args), "results": results, "ratios_vs_sqlite": ratios}
    (out / "backends.json").write_text(json.dumps(summary, indent=2))
    print(f"results: {out}")


if __name__ == "__main__":
    main()
