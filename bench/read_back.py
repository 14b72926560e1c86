#!/usr/bin/env python3
"""Read-back benchmark: a dataset's records read back whole, as an export does, timed by the Rust
client `loam-replay` (crates/loam-bench).

    python3 bench/read_back.py --url URL --api-key KEY --dataset ID --records N --client-bin LOAM_REPLAY
        [--page 256] [--export] [--label NAME] [--json-out FILE]

`paged`: GET /api/v1/datasets/{id}/records?include=responses&include=suggestions&offset=…&limit=--page,
page after page over one keep-alive connection: what Argilla's SDKs do to export a dataset (the
reference server has no export of its own; its SDK pages through the records), and what any
server answers alike. With `--export`, also `export`: loam's own
POST /api/v1/datasets/{id}/exports (records, JSONL) streamed whole (loam extension). Prints
seconds and records/s of each, as one JSON line too. Exit status 1 if a request fails.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from ingest import emit_result, run_replay  # noqa: E402  (one minimal client for every bench script)


def with_file(lines: list[str], run):
    """Runs run(path) with the lines written to a temporary file, removed afterwards."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
        fh.write("".join(line + "\n" for line in lines))
    try:
        return run(fh.name)
    finally:
        os.unlink(fh.name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--records", type=int, required=True, help="how many records the dataset holds")
    parser.add_argument("--client-bin", required=True, help="the loam-replay binary")
    parser.add_argument("--page", type=int, default=256)
    parser.add_argument("--export", action="store_true", help="also time loam's export endpoint (JSONL)")
    parser.add_argument("--label", default="server")
    parser.add_argument("--json-out")
    args = parser.parse_args()

    base = f"/api/v1/datasets/{args.dataset}/records?include=responses&include=suggestions"
    paths = [f"{base}&offset={offset}&limit={args.page}" for offset in range(0, args.records, args.page)]
    paged = with_file(paths, lambda f: run_replay(args.client_bin, args.url, args.api_key, ["--paths", f]))
    result = {"label": args.label, "records": args.records,
              "paged": {"seconds": paged["seconds"], "records_per_s": round(args.records / paged["seconds"], 1),
                        "page": args.page, "page_p50_ms": paged["p50_ms"], "mb": paged["mb_received"]}}
    print(f"{args.label} paged:  {paged['seconds']:.3f} s, {result['paged']['records_per_s']} records/s", flush=True)
    if args.export:
        body = json.dumps({"shape": "records", "format": "jsonl"})
        exported = with_file([body], lambda f: run_replay(
            args.client_bin, args.url, args.api_key,
            ["--method", "POST", "--path", f"/api/v1/datasets/{args.dataset}/exports", "--bodies", f]))
        result["export"] = {"seconds": exported["seconds"],
                            "records_per_s": round(args.records / exported["seconds"], 1), "mb": exported["mb_received"]}
        print(f"{args.label} export: {exported['seconds']:.3f} s, {result['export']['records_per_s']} records/s",
              flush=True)
    emit_result(result, args.json_out)


if __name__ == "__main__":
    main()
