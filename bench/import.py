#!/usr/bin/env python3
"""Import benchmark driver (bench/run-import.sh runs it): `loam import file` against the bulk
records API measured in the same run.

    python3 bench/import.py setup --url URL --api-key KEY --names a,b,... [--source-label L]
        Creates empty published datasets (the settings of bench/ingest.py) for a, b, ... in the
        `bench` workspace; prints {"source": the dataset bench/ingest.py --label SOURCE_LABEL
        made, "made": [their names]} as JSON.
    python3 bench/import.py measure --bin LOAM --data-dir DIR --dataset WS/NAME --file F
        [--label L] [--json-out FILE]
        Runs `loam import file F --dataset WS/NAME` on DIR and reports the rows, the seconds, rows/s
        and the process's peak RSS (its own maximum resident set, from wait4's rusage), as one JSON
        line (also written to --json-out).

Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ingest import Api, emit_result, read_status_kb, setup_dataset  # noqa: E402  (the same settings as the ingest run)


def setup(args: argparse.Namespace) -> int:
    api = Api(args.url, args.api_key)
    made = []
    for name in filter(None, args.names.split(",")):
        ds_id, _, _ = setup_dataset(api, name)
        made.append(api.call("GET", f"/api/v1/datasets/{ds_id}")["name"])
    # The ingest run's dataset: bench/ingest.py names it ingest-<label>-….
    mine = api.call("GET", "/api/v1/me/datasets")["items"]
    source = [d["name"] for d in mine if d["name"].startswith(f"ingest-{args.source_label}-")]
    print(json.dumps({"source": source[0] if source else None, "made": made}))
    return 0


def measure(args: argparse.Namespace) -> int:
    cmd = [args.bin, "--data-dir", args.data_dir, "import", "file", args.file, "--dataset", args.dataset]
    env = {"PATH": os.environ.get("PATH", ""), "LOAM_LOG": "warn"}
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    # The heap (RssAnon) apart from file pages mapped in (RssFile: SQLite reads the database
    # through mmap, whose clean pages count in RSS and grow with the database, not the import).
    peaks = {"RssAnon": 0, "RssFile": 0}

    def sample():
        while proc.poll() is None:
            for key in peaks:
                kb = read_status_kb(proc.pid, key)
                if kb:
                    peaks[key] = max(peaks[key], kb)
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    # Read the pipes to their end before reaping (a pipe nobody drains stalls the child).
    out, err = proc.stdout.read(), proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    text = out.decode(errors="replace")
    if proc.returncode != 0:
        print(text, err.decode(errors="replace"), file=sys.stderr)
        print(f"loam import file exited with {proc.returncode}", file=sys.stderr)
        return 1
    found = re.search(r"read (\d+) rows .*; imported (\d+); failed (\d+)", text)
    if not found:
        print(f"no summary line in: {text!r}", file=sys.stderr)
        return 1
    rows, imported, failed = map(int, found.groups())
    result = {
        "label": args.label,
        "file": os.path.basename(args.file),
        "file_mb": round(os.path.getsize(args.file) / 1e6, 1),
        "rows": rows,
        "imported": imported,
        "failed": failed,
        "seconds": round(seconds, 2),
        "rows_per_s": round(imported / seconds, 1) if seconds else None,
        # ru_maxrss is in kB on Linux.
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "peak_rss_anon_mb": round(peaks["RssAnon"] / 1024, 1),
        "peak_rss_file_mb": round(peaks["RssFile"] / 1024, 1),
    }
    print(
        f"# [{args.label}] {imported} rows in {seconds:.2f} s: {result['rows_per_s']} rows/s, "
        f"peak RSS {result['peak_rss_mb']} MB (anon {result['peak_rss_anon_mb']}, file {result['peak_rss_file_mb']})",
        file=sys.stderr,
    )
    emit_result(result, args.json_out)
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    s = sub.add_parser("setup")
    s.add_argument("--url", required=True)
    s.add_argument("--api-key", required=True)
    s.add_argument("--names", required=True)
    s.add_argument("--source-label", default="bulk-api")
    m = sub.add_parser("measure")
    m.add_argument("--bin", required=True)
    m.add_argument("--data-dir", required=True)
    m.add_argument("--dataset", required=True)
    m.add_argument("--file", required=True)
    m.add_argument("--label", default="import")
    m.add_argument("--json-out")
    args = ap.parse_args()
    return setup(args) if args.command == "setup" else measure(args)


if __name__ == "__main__":
    sys.exit(main())
