#!/usr/bin/env python3
"""Export benchmark: a dataset of N records, each with three annotators' submitted responses and
a model's suggestions, exported to Parquet and to JSONL by loam (over HTTP and with `loam export`),
beside a baseline measured in the same run: the v2 SDK's `dataset.records.to_datasets()` reading
the same rows (on a smaller dataset, since the SDK pages through the API; loam is measured at that
count too and the ratio compares the two at equal counts).

    python3 bench/export.py --url URL --api-key KEY --bin LOAM --data-dir DIR --pid SERVER_PID
        [--records 1000000] [--baseline-records 50000] [--sdk-python VENV/bin/python]
        [--compare-bin OTHER_LOAM] [--json-out FILE]

Timed: only the exports. Peak RSS: the `loam export` process's own maximum (GNU time's %M); for
the HTTP export, the server's sampled VmRSS during the export minus its VmRSS just before it; for
the SDK, the Python process's maximum. With --compare-bin, that binary's `loam export` (an
earlier loam, say main's) is timed right after ours on the same data and files, as `cli-<format>-
compare`. Output: human-readable lines, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ingest import Api, make_vocabulary, read_status_kb, setup_dataset  # noqa: E402

ANNOTATORS = ("ann", "bob", "cat")
BATCH = 500
TEXT_WORDS = 30


def annotators(api: Api, workspace_id: str) -> list[str]:
    """Three annotator users (created once, reused), members of the bench workspace."""
    existing = {u["username"]: u for u in api.call("GET", "/api/v1/users")["items"]}
    ids = []
    for name in ANNOTATORS:
        user = existing.get(f"bench-{name}") or api.call(
            "POST",
            "/api/v1/users",
            {"username": f"bench-{name}", "first_name": name, "password": "bench-Pa55word-x7", "role": "annotator"},
            expect=201,
        )
        body = json.dumps({"user_id": user["id"]}).encode()
        status, data = api.raw("POST", f"/api/v1/workspaces/{workspace_id}/users", body)
        if status not in (201, 409):
            sys.exit(f"adding {name} to the workspace -> {status}: {data[:300]!r}")
        ids.append(user["id"])
    return ids


def fill(api: Api, ds_id: str, records: int, users: list[str], quality: str, score: str, seed: int) -> None:
    """Logs `records` records with suggestions and three submitted responses each (not timed)."""
    rng = random.Random(seed)
    vocab = make_vocabulary(rng)
    path = f"/api/v1/datasets/{ds_id}/records/bulk"
    started = time.perf_counter()
    for start in range(0, records, BATCH):
        items = []
        for i in range(start, min(start + BATCH, records)):
            base = rng.randint(1, 5)
            items.append(
                {
                    "external_id": f"rec-{i}",
                    "fields": {f: " ".join(rng.choices(vocab, k=TEXT_WORDS)) for f in ("prompt", "response_a", "response_b")},
                    "metadata": {"source": rng.choice(["web", "books", "news"]), "length": i % 1000},
                    "suggestions": [
                        {"question_id": quality, "value": rng.choice(["good", "bad"]), "score": 0.5, "agent": "bench-model"},
                        {"question_id": score, "value": base},
                    ],
                    "responses": [
                        {
                            "user_id": user,
                            "status": "submitted",
                            "values": {
                                "quality": {"value": rng.choice(["good", "bad"])},
                                "score": {"value": min(5, max(1, base + rng.choice([-1, 0, 0, 1])))},
                            },
                        }
                        for user in users
                    ],
                }
            )
        status, data = api.raw("POST", path, json.dumps({"items": items}).encode())
        if status not in (200, 201):
            sys.exit(f"POST {path} -> {status}: {data[:400]!r}")
        done = min(start + BATCH, records)
        if done % (BATCH * 200) == 0 or done == records:
            el = time.perf_counter() - started
            print(f"#   filled {done}/{records} records ({done / el:.0f}/s)", file=sys.stderr)


class Sampler(threading.Thread):
    """Samples a process's VmRSS every 0.1 s; `max_kb` is the largest seen."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.max_kb, self.done = pid, 0, threading.Event()

    def run(self):
        while not self.done.is_set():
            self.max_kb = max(self.max_kb, read_status_kb(self.pid, "VmRSS") or 0)
            self.done.wait(0.1)


def http_export(url: str, key: str, ds_id: str, fmt: str, pid: int, out: str) -> dict:
    before = read_status_kb(pid, "VmRSS") or 0
    sampler = Sampler(pid)
    sampler.start()
    request = urllib.request.Request(
        f"{url}/api/v1/datasets/{ds_id}/exports",
        data=json.dumps({"shape": "records", "format": fmt}).encode(),
        headers={"X-Argilla-Api-Key": key, "Content-Type": "application/json"},
        method="POST",
    )
    started = time.perf_counter()
    size = 0
    with urllib.request.urlopen(request, timeout=3600) as reply, open(out, "wb") as f:
        while chunk := reply.read(1 << 20):
            size += len(chunk)
            f.write(chunk)
    seconds = time.perf_counter() - started
    sampler.done.set()
    sampler.join()
    return {"seconds": round(seconds, 3), "bytes": size, "server_rss_growth_mb": round(max(0, sampler.max_kb - before) / 1024, 1)}


def timed(cmd: list[str], env: dict | None = None) -> dict:
    """Runs cmd under GNU time; its seconds and maximum RSS."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        started = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-o", t.name, "-f", "%M"] + cmd, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
        peak_kb = int(t.read().strip().splitlines()[-1])
    return {"seconds": round(seconds, 3), "peak_rss_mb": round(peak_kb / 1024, 1)}


def cli_export(bin_: str, data_dir: str, dataset: str, fmt: str, out: str) -> dict:
    result = timed([bin_, "export", dataset, "--data-dir", data_dir, "--shape", "records", "--format", fmt, "--out", out])
    result["bytes"] = os.path.getsize(out) if os.path.isfile(out) else None
    return result


SDK_SCRIPT = """
import sys, argilla as rg
client = rg.Argilla(api_url=sys.argv[1], api_key=sys.argv[2])
dataset = client.datasets(name=sys.argv[3], workspace=sys.argv[4])
rows = dataset.records.to_datasets()
rows.to_parquet(sys.argv[5])
print(len(rows))
"""


def cpu_seconds(pid: int) -> float:
    """The process's user + system CPU time so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until_idle(pid: int, quiet: float = 2.0, limit: float = 900.0) -> float:
    """Waits until the server has used under 2 % of a core for `quiet` seconds: after a fill its
    background upkeep merges the text index's segments and checkpoints the WAL, work that would
    otherwise share the cores with whichever export is timed first. Returns the seconds waited."""
    started = time.perf_counter()
    last, since = cpu_seconds(pid), time.perf_counter()
    while time.perf_counter() - started < limit:
        time.sleep(0.5)
        now = cpu_seconds(pid)
        if now - last > 0.02 * (time.perf_counter() - since):
            last, since = now, time.perf_counter()
        elif time.perf_counter() - since >= quiet:
            break
    return time.perf_counter() - started


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True)
    ap.add_argument("--api-key", required=True)
    ap.add_argument("--bin", required=True, help="the loam binary, for `loam export`")
    ap.add_argument("--data-dir", required=True, help="the server's data dir, for `loam export`")
    ap.add_argument("--pid", type=int, required=True, help="the server's pid, for its RSS")
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--baseline-records", type=int, default=50_000)
    ap.add_argument("--sdk-python", help="python of a venv with argilla 2.8 (the baseline); none: no baseline")
    ap.add_argument("--compare-bin", help="another loam binary whose `loam export` is timed on the same data")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--json-out")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="loam-bench-export.")
    results: dict = {"records": args.records, "baseline_records": args.baseline_records}
    sizes = [("big", args.records)]
    if args.sdk_python:
        sizes.append(("small", args.baseline_records))
    for label, count in sizes:
        # A fresh connection: the server closes one left idle through the exports (its keep-alive
        # timeout), and http.client does not reconnect by itself.
        api = Api(args.url, args.api_key)
        ds_id, quality, score = setup_dataset(api, f"export-{label}")
        ds = api.call("GET", f"/api/v1/datasets/{ds_id}")
        workspace = api.call("GET", f"/api/v1/workspaces/{ds['workspace_id']}")["name"]
        users = annotators(api, ds["workspace_id"])
        print(f"# [{label}] filling {ds['name']} with {count} records", file=sys.stderr)
        fill(api, ds_id, count, users, quality, score, args.seed)
        waited = wait_until_idle(args.pid)
        print(f"# [{label}] server idle after {waited:.1f} s (text index merged, WAL checkpointed)", file=sys.stderr)
        name = f"{workspace}/{ds['name']}"
        runs = {}
        for fmt, ext in (("parquet", "parquet"), ("jsonl", "jsonl")):
            runs[f"cli-{fmt}"] = cli_export(args.bin, args.data_dir, name, fmt, os.path.join(work, f"{label}.cli.{ext}"))
            runs[f"http-{fmt}"] = http_export(args.url, args.api_key, ds_id, fmt, args.pid, os.path.join(work, f"{label}.http.{ext}"))
            kinds = ["cli", "http"]
            if args.compare_bin:
                out = os.path.join(work, f"{label}.compare.{ext}")
                runs[f"cli-{fmt}-compare"] = cli_export(args.compare_bin, args.data_dir, name, fmt, out)
                kinds.append("cli-compare")
            for kind in kinds:
                r = runs[f"{kind}-{fmt}"] if kind != "cli-compare" else runs[f"cli-{fmt}-compare"]
                print(f"# [{label}] loam {kind} {fmt}: {r}", file=sys.stderr)
            for path in os.listdir(work):
                if path.startswith(f"{label}.") and path.endswith(f".{ext}"):
                    os.remove(os.path.join(work, path))  # a 1M-record file is hundreds of MB
        if label == "small":
            out = os.path.join(work, "small.sdk.parquet")
            runs["sdk-to_datasets-parquet"] = timed(
                [args.sdk_python, "-c", SDK_SCRIPT, args.url, args.api_key, ds["name"], workspace, out],
                env={**os.environ, "HOME": work},
            )
            print(f"# [small] v2 SDK to_datasets + to_parquet: {runs['sdk-to_datasets-parquet']}", file=sys.stderr)
            sdk = runs["sdk-to_datasets-parquet"]
            cli = runs["cli-parquet"]
            results["ratio_seconds_loam_cli_over_sdk"] = round(cli["seconds"] / sdk["seconds"], 4)
            results["ratio_peak_rss_loam_cli_over_sdk"] = round(cli["peak_rss_mb"] / sdk["peak_rss_mb"], 4)
        results[label] = runs
    print(json.dumps(results))
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
