#!/usr/bin/env python3
"""Ingest benchmark: bulk-upsert records into an Argilla-compatible server the way the v2 SDK's
`dataset.records.log()` does (sequential `PUT /api/v1/datasets/{id}/records/bulk`, one keep-alive
connection), and report throughput and the server's peak memory.

    python3 bench/ingest.py --url http://127.0.0.1:6900 --api-key KEY [--records 100000]
        [--batch 256] [--pid SERVER_PID] [--label loam] [--seed 42] [--json-out FILE] [--bodies-out FILE]

Standard library only (http.client), so it runs with any python3 and the client stays as thin as
possible: the figure is meant to measure the server, not the client. What is timed is only the
sending of pre-encoded request bodies and reading of the responses; dataset setup and record
generation/JSON encoding happen before the clock starts.

With `--client-bin`, the bodies are sent by `loam-replay` (crates/loam-bench) instead of this
script: one keep-alive connection, the bodies read from a file before its clock starts, replies read
and dropped, so the rate is the server's even where Python's own work per request would show
(`bench/run-side.sh` uses it against loam and the reference server alike).

Output: human-readable lines, then one JSON line
    {"label", "records", "seconds", "records_per_s", "peak_rss_mb", ...}
(also written to --json-out if given). peak_rss_mb is the larger of the server's VmHWM read from
/proc/PID/status at the end and the largest VmRSS sampled every 0.2 s; null without --pid.
Exit status 1 if any request fails.
"""

from __future__ import annotations

import argparse
import os
import http.client
import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

WORKSPACE = "bench"
SOURCES = ["web", "books", "forum", "news", "code"]
TEXT_FIELDS = ["prompt", "response_a", "response_b"]
TEXT_BYTES = 1024  # approximate size of each text field


class Api:
    """Minimal JSON client over one persistent HTTP/1.1 connection (keep-alive, like httpx in the SDK)."""

    def __init__(self, url: str, api_key: str, timeout: float = 600.0):
        parts = urllib.parse.urlsplit(url.rstrip("/"))
        if parts.scheme not in ("http", "https"):
            sys.exit(f"unsupported URL {url!r}")
        conn_cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        self.conn = conn_cls(parts.hostname, parts.port, timeout=timeout)
        self.prefix = parts.path  # servers may be mounted under a base path
        self.headers = {
            "X-Argilla-Api-Key": api_key,
            "Content-Type": "application/json",
            "Accept": "application/json",
        }

    def raw(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        try:
            self.conn.request(method, self.prefix + path, body=body, headers=self.headers)
            resp = self.conn.getresponse()
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            # The server closes a keep-alive connection idle past its header timeout (30 s), as
            # happens while a loaded machine generates the bodies: connect again, once.
            self.conn.close()
            self.conn.request(method, self.prefix + path, body=body, headers=self.headers)
            resp = self.conn.getresponse()
        data = resp.read()  # always drain, or the connection cannot be reused
        return resp.status, data

    def call(self, method: str, path: str, payload=None, expect: int = 200):
        body = None if payload is None else json.dumps(payload).encode()
        status, data = self.raw(method, path, body)
        if status != expect:
            sys.exit(f"{method} {path} -> {status} (expected {expect}): {data[:500]!r}")
        return json.loads(data) if data else None


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0 < q < 1) of values, nearest rank, as every bench script reports it."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run_all(threads: list[threading.Thread]) -> float:
    """Starts the threads, waits for all of them, and returns the seconds that took."""
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def setup_dataset(api: Api, label: str) -> tuple[str, str, str]:
    """Create (or reuse) the bench workspace and a fresh published dataset. Returns
    (dataset_id, quality_question_id, score_question_id)."""
    workspaces = api.call("GET", "/api/v1/me/workspaces")["items"]
    ws = next((w for w in workspaces if w["name"] == WORKSPACE), None)
    if ws is None:
        ws = api.call("POST", "/api/v1/workspaces", {"name": WORKSPACE}, expect=201)

    name = f"ingest-{label}-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"
    ds = api.call("POST", "/api/v1/datasets", {"name": name, "workspace_id": ws["id"]}, expect=201)
    ds_id = ds["id"]

    for field in TEXT_FIELDS:
        api.call(
            "POST",
            f"/api/v1/datasets/{ds_id}/fields",
            {"name": field, "title": field, "required": True, "settings": {"type": "text", "use_markdown": False}},
            expect=201,
        )
    quality = api.call(
        "POST",
        f"/api/v1/datasets/{ds_id}/questions",
        {
            "name": "quality",
            "title": "quality",
            "required": True,
            "settings": {
                "type": "label_selection",
                "options": [{"value": "good", "text": "good"}, {"value": "bad", "text": "bad"}],
            },
        },
        expect=201,
    )
    score = api.call(
        "POST",
        f"/api/v1/datasets/{ds_id}/questions",
        {
            "name": "score",
            "title": "score",
            "required": True,
            "settings": {"type": "rating", "options": [{"value": v} for v in range(1, 6)]},
        },
        expect=201,
    )
    for mp_name, settings in (
        ("source", {"type": "terms", "values": None}),
        ("length", {"type": "integer", "min": None, "max": None}),
    ):
        api.call(
            "POST",
            f"/api/v1/datasets/{ds_id}/metadata-properties",
            {"name": mp_name, "title": mp_name, "settings": settings, "visible_for_annotators": True},
            expect=201,
        )
    api.call("PUT", f"/api/v1/datasets/{ds_id}/publish")
    return ds_id, quality["id"], score["id"]


def make_vocabulary(rng: random.Random, size: int = 5000) -> list[str]:
    syllables = [c + v for c in "bcdfghklmnprstvz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(1, 4))))
    return sorted(words)  # sorted: set order is not deterministic across runs


def generate_bodies(n: int, batch: int, seed: int, quality_id: str, score_id: str) -> list[bytes]:
    """All request bodies, encoded up front (deterministic for a given seed)."""
    rng = random.Random(seed)
    vocab = make_vocabulary(rng)
    avg = sum(map(len, vocab)) / len(vocab) + 1
    words_per_text = max(1, round(TEXT_BYTES / avg))

    def text() -> str:
        return " ".join(rng.choices(vocab, k=words_per_text))

    bodies = []
    for start in range(0, n, batch):
        items = []
        for i in range(start, min(start + batch, n)):
            fields = {f: text() for f in TEXT_FIELDS}
            items.append(
                {
                    "fields": fields,
                    "metadata": {
                        "source": rng.choice(SOURCES),
                        "length": sum(len(v) for v in fields.values()),
                    },
                    "external_id": f"rec-{i}",
                    "suggestions": [
                        {
                            "question_id": quality_id,
                            "value": rng.choice(["good", "bad"]),
                            "score": round(rng.random(), 2),
                            "agent": "bench-model",
                        },
                        {"question_id": score_id, "value": rng.randint(1, 5)},
                    ],
                }
            )
        bodies.append(json.dumps({"items": items}, separators=(",", ":")).encode())
    return bodies


def read_status_kb(pid: int, key: str) -> int | None:
    """A 'VmRSS:   1234 kB'-style value from /proc/PID/status, in kB (None if unreadable)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


class RssSampler(threading.Thread):
    """Samples the server's VmRSS every `interval` seconds and keeps the maximum."""

    def __init__(self, pid: int, interval: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.max_kb = 0
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            kb = read_status_kb(self.pid, "VmRSS")
            if kb is not None:
                self.max_kb = max(self.max_kb, kb)
            self.stopped.wait(self.interval)

    def stop(self):
        self.stopped.set()
        self.join()


def mb(kb: int | None) -> float | None:
    return None if not kb else round(kb / 1024, 1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True)
    ap.add_argument("--api-key", required=True)
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=256, help="records per request (the v2 SDK uses 256)")
    ap.add_argument("--pid", type=int, help="server process to sample for peak RSS")
    ap.add_argument("--label", default="server")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--json-out", help="also write the JSON result line to this file")
    ap.add_argument(
        "--bodies-out",
        help="also write the request bodies to this file (first line {\"questions\": {name: id}}, then one "
        "body a line), the input of loam-ingest-ceiling",
    )
    ap.add_argument("--client-bin", help="send the bodies with this loam-replay binary (the Rust client)")
    args = ap.parse_args()
    if args.records < 1 or not 1 <= args.batch <= 500:
        ap.error("--records must be >= 1 and --batch within 1..500 (the endpoint's limit)")

    api = Api(args.url, args.api_key)
    ds_id, quality_id, score_id = setup_dataset(api, args.label)

    t0 = time.perf_counter()
    bodies = generate_bodies(args.records, args.batch, args.seed, quality_id, score_id)
    gen_s = time.perf_counter() - t0
    bodies_file = args.bodies_out
    if args.client_bin and not bodies_file:
        fd, bodies_file = tempfile.mkstemp(suffix=".jsonl")
        os.close(fd)
    if bodies_file:
        with open(bodies_file, "wb") as f:
            f.write(json.dumps({"questions": {"quality": quality_id, "score": score_id}}).encode() + b"\n")
            for body in bodies:
                f.write(body + b"\n")
    total_mb = sum(map(len, bodies)) / 1e6
    print(
        f"# [{args.label}] dataset {ds_id}: {args.records} records in {len(bodies)} requests, "
        f"{total_mb:.1f} MB of JSON (generated in {gen_s:.1f}s, not timed)",
        file=sys.stderr,
    )

    sampler = RssSampler(args.pid) if args.pid else None
    if sampler:
        sampler.start()
    path = f"/api/v1/datasets/{ds_id}/records/bulk"
    if args.client_bin:
        try:
            # The bodies file's first line is its header, not a body.
            timed = run_replay(args.client_bin, args.url, args.api_key,
                               ["--method", "PUT", "--path", path, "--bodies", bodies_file, "--skip-lines", "1"])
        finally:
            if sampler:
                sampler.stop()
            if not args.bodies_out:
                os.unlink(bodies_file)
        seconds, batch_p50, batch_p99 = timed["seconds"], timed["p50_ms"], timed["p99_ms"]
    else:
        timed_run = send_bodies(api, path, bodies, args, sampler)
        if timed_run is None:
            return 1
        seconds, batch_p50, batch_p99 = timed_run
        if sampler:
            sampler.stop()
    sampled_kb = sampler.max_kb if sampler else None
    return report(api, args, ds_id, seconds, (batch_p50, batch_p99), sampled_kb, total_mb, len(bodies))


def emit_result(result: dict, json_out: str | None) -> None:
    """Prints a run's result as one JSON line, and writes that line to `json_out` when given."""
    line = json.dumps(result)
    print(line)
    if json_out:
        with open(json_out, "w") as f:
            f.write(line + "\n")


def run_replay(binary: str, url: str, api_key: str, extra: list[str]) -> dict:
    """Runs loam-replay (crates/loam-bench) against url with extra arguments; its JSON line. Exits,
    saying why, when a request failed. Every bench script that times through the Rust client calls it."""
    done = subprocess.run([binary, "--url", url, f"--api-key={api_key}", *extra], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"loam-replay failed: {done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def send_bodies(api: Api, path: str, bodies: list[bytes], args, sampler) -> tuple[float, float, float] | None:
    """Sends the bodies from this script; (seconds, batch p50 ms, batch p99 ms), or None (the
    failure printed) when a request failed."""
    latencies = []
    progress_every = max(1, len(bodies) // 10)
    start = time.perf_counter()
    for i, body in enumerate(bodies):
        t = time.perf_counter()
        status, data = api.raw("PUT", path, body)
        latencies.append(time.perf_counter() - t)
        if status != 200:
            if sampler:
                sampler.stop()
            print(f"PUT {path} (request {i + 1}/{len(bodies)}) -> {status}: {data[:500]!r}", file=sys.stderr)
            return None
        if (i + 1) % progress_every == 0:
            done = min((i + 1) * args.batch, args.records)
            el = time.perf_counter() - start
            print(f"#   {done}/{args.records} records, {el:.1f}s, {done / el:.0f} records/s", file=sys.stderr)
    seconds = time.perf_counter() - start
    lat_ms = sorted(x * 1000 for x in latencies)
    return seconds, round(statistics.median(lat_ms), 1), round(percentile(lat_ms, 0.99), 1)


def report(api: Api, args, ds_id: str, seconds: float, batch_ms: tuple[float, float], sampled_kb: int | None,
           total_mb: float, requests: int) -> int:
    """Checks the record count, prints the result and writes --json-out; the exit status."""
    hwm_kb = read_status_kb(args.pid, "VmHWM") if args.pid else None
    peak_kb = max(hwm_kb or 0, sampled_kb or 0) or None

    # Sanity check outside the timed part: the dataset must now hold every record.
    status, data = api.raw("GET", f"/api/v1/datasets/{ds_id}/records?limit=1")
    if status == 200:
        total = json.loads(data).get("total")
        if total != args.records:
            print(f"dataset holds {total} records after ingest, expected {args.records}", file=sys.stderr)
            return 1
    else:
        print(f"# warning: could not verify the record count: GET records -> {status}", file=sys.stderr)

    result = {
        "label": args.label,
        "records": args.records,
        "batch": args.batch,
        "seconds": round(seconds, 3),
        "records_per_s": round(args.records / seconds, 1),
        "peak_rss_mb": mb(peak_kb),
        "vm_hwm_mb": mb(hwm_kb),
        "sampled_rss_max_mb": mb(sampled_kb),
        "batch_p50_ms": batch_ms[0],
        "batch_p99_ms": batch_ms[1],
        "client": "rust" if args.client_bin else "python",
        "request_mb": round(total_mb, 1),
    }
    print(f"label:       {result['label']}")
    print(f"records:     {result['records']} (batch {args.batch}, {requests} requests)")
    print(f"seconds:     {result['seconds']}")
    print(f"records/s:   {result['records_per_s']}")
    print(
        f"peak RSS:    {result['peak_rss_mb']} MB"
        + (f" (VmHWM {result['vm_hwm_mb']}, sampled max {result['sampled_rss_max_mb']})" if args.pid else " (no --pid)")
    )
    emit_result(result, args.json_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
