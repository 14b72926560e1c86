#!/usr/bin/env python3
"""Annotation-loop benchmark: many annotators each repeat "find my next pending record, submit a
response", as the web UI does, against one dataset.

    python3 bench/annotation_loop.py --url URL --api-key OWNER_KEY [--records 100000]
        [--annotators 10] [--seconds 20] [--label loam] [--json-out FILE]

Setup (not timed): a workspace, a published dataset (one text field, one required label
question, `--min-submitted` responses to complete a record), `--records` records logged in batches of 500, `--annotators` annotator users who are
members of the workspace. Timed: each annotator runs in its own thread with its own keep-alive
connection and loops for `--seconds`:
  1. POST /api/v1/me/datasets/{id}/records/search?limit=1  filtered as the web UI's Pending queue
     (response status `pending`: no response of the caller; record status `pending`), without
     sort: the UI's "next record";
  2. POST /api/v1/records/{record_id}/responses  {"status": "submitted", "values": {...}}.
Reports loops/s over all annotators and p50 / p99 of one loop, as one JSON line too. Exit status
1 if any request fails.

The timed loop runs in this script's threads (standard library only), or, with `--loop-bin`, in
the Rust client `loam-annotation-loop` (crates/loam-bench; `bench/run-loop.sh` builds it): every
annotator a task on one client thread, with no interpreter lock to wait for (Python hands its lock
between threads every 5 ms), so the loop's tail is the server's, not the client's. The setup is the
same either way.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

sys.path.insert(0, __import__("os").path.dirname(__file__))
from ingest import Api, percentile, run_all  # noqa: E402  (one minimal client for every bench script)


def setup(api: Api, n_records: int, n_annotators: int, min_submitted: int = 1) -> tuple[str, list[str]]:
    tag = uuid.uuid4().hex[:8]
    ws = api.call("POST", "/api/v1/workspaces", {"name": f"loop-{tag}"}, expect=201)
    ds = api.call("POST", "/api/v1/datasets",
                  {"name": f"loop-{tag}", "workspace_id": ws["id"],
                   "distribution": {"strategy": "overlap", "min_submitted": min_submitted}}, expect=201)
    ds_id = ds["id"]
    api.call("POST", f"/api/v1/datasets/{ds_id}/fields",
             {"name": "text", "title": "text", "required": True, "settings": {"type": "text"}}, expect=201)
    api.call("POST", f"/api/v1/datasets/{ds_id}/questions",
             {"name": "label", "title": "label", "required": True,
              "settings": {"type": "label_selection",
                           "options": [{"value": "good", "text": "good"}, {"value": "bad", "text": "bad"}]}},
             expect=201)
    api.call("PUT", f"/api/v1/datasets/{ds_id}/publish")
    for start in range(0, n_records, 500):
        items = [{"fields": {"text": f"record {i}: a short text to label"}} for i in range(start, min(start + 500, n_records))]
        api.call("POST", f"/api/v1/datasets/{ds_id}/records/bulk", {"items": items}, expect=201)
    keys = []
    for i in range(n_annotators):
        user = api.call("POST", "/api/v1/users",
                        {"username": f"loop-{tag}-{i}", "first_name": f"annotator {i}", "password": uuid.uuid4().hex, "role": "annotator"},
                        expect=201)
        api.call("POST", f"/api/v1/workspaces/{ws['id']}/users", {"user_id": user["id"]}, expect=201)
        keys.append(user["api_key"])
    return ds_id, keys


# The web UI's Pending queue (ui/js/views/annotate.js): records the caller has not answered that
# are still pending (a record that reached its min_submitted is no longer anyone's to do).
PENDING = json.dumps({"filters": {"and": [
    {"type": "terms", "values": ["pending"], "scope": {"entity": "response", "property": "status"}},
    {"type": "terms", "values": ["pending"], "scope": {"entity": "record", "property": "status"}},
]}}).encode()
ANSWER = json.dumps({"status": "submitted", "values": {"label": {"value": "good"}}}).encode()


def annotate(url: str, key: str, ds_id: str, until: float, loops: list[float], errors: list[str]) -> None:
    api = Api(url, key)
    search = f"/api/v1/me/datasets/{ds_id}/records/search?limit=1"
    while time.perf_counter() < until:
        start = time.perf_counter()
        status, data = api.raw("POST", search, PENDING)
        if status != 200:
            errors.append(f"search -> {status}: {data[:200]!r}")
            return
        items = json.loads(data)["items"]
        if not items:
            return  # this annotator has answered everything
        record_id = items[0]["record"]["id"]
        status, data = api.raw("POST", f"/api/v1/records/{record_id}/responses", ANSWER)
        if status != 201:
            errors.append(f"response -> {status}: {data[:200]!r}")
            return
        loops.append(time.perf_counter() - start)


def run_annotators(urls: list[str], keys: list[str], ds_id: str, seconds: float) -> tuple[list[float], float]:
    """Every annotator loops for `seconds` in its own thread, annotator i on urls[i mod n]; returns
    the loop durations (s) and the wall time. Exits on any failed request."""
    loops: list[float] = []
    errors: list[str] = []
    until = time.perf_counter() + seconds
    threads = [threading.Thread(target=annotate, args=(urls[i % len(urls)], k, ds_id, until, loops, errors))
               for i, k in enumerate(keys)]
    elapsed = run_all(threads)
    if errors:
        sys.exit("annotation loop failed:\n" + "\n".join(errors[:10]))
    if not loops:
        sys.exit("no annotation loop completed")
    return loops, elapsed


def run_rust_client(binary: str, urls: list[str], keys: list[str], ds_id: str, seconds: float) -> dict:
    """The timed loop in the Rust client, annotator i on urls[i mod n]; returns its JSON line
    (loops, seconds, loops_per_s, p50_ms, p99_ms, mean_ms). Exits when the client fails."""
    with tempfile.NamedTemporaryFile("w", suffix=".keys", delete=False) as fh:
        fh.write("\n".join(keys) + "\n")
    try:
        url_args = [arg for url in urls for arg in ("--url", url)]
        done = subprocess.run([binary, *url_args, "--dataset", ds_id, "--keys", fh.name, "--seconds", str(seconds)],
                              capture_output=True, text=True)
    finally:
        os.unlink(fh.name)
    if done.returncode != 0:
        sys.exit(f"annotation loop failed:\n{done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--annotators", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--label", default="server")
    parser.add_argument("--json-out")
    parser.add_argument("--min-submitted", type=int, default=1,
                        help="the dataset's distribution: submitted responses that complete a record (default 1; "
                        "the number of annotators makes every record everyone's, so the dataset lasts longer)")
    parser.add_argument("--loop-bin", help="time the loop with this loam-annotation-loop binary (the Rust client)")
    args = parser.parse_args()

    api = Api(args.url, args.api_key)
    print(f"# setup: {args.records} records, {args.annotators} annotators", file=sys.stderr)
    ds_id, keys = setup(api, args.records, args.annotators, args.min_submitted)
    res = {"label": args.label, "records": args.records, "annotators": args.annotators, "dataset": ds_id,
           "min_submitted": args.min_submitted,
           "client": "rust" if args.loop_bin else "python"}
    if args.loop_bin:
        res.update(run_rust_client(args.loop_bin, [args.url], keys, ds_id, args.seconds))
    else:
        loops, elapsed = run_annotators([args.url], keys, ds_id, args.seconds)
        res.update({
            "loops": len(loops), "seconds": round(elapsed, 3), "loops_per_s": round(len(loops) / elapsed, 1),
            "p50_ms": round(percentile(loops, 0.50) * 1000, 2), "p99_ms": round(percentile(loops, 0.99) * 1000, 2),
            "mean_ms": round(statistics.fmean(loops) * 1000, 2),
        })
    print(f"{args.label}: {res['loops']} loops in {res['seconds']} s = {res['loops_per_s']} loops/s, "
          f"p50 {res['p50_ms']} ms, p99 {res['p99_ms']} ms")
    print(json.dumps(res))
    if args.json_out:
        with open(args.json_out, "w") as fh:
            json.dump(res, fh)


if __name__ == "__main__":
    main()
