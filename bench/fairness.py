#!/usr/bin/env python3
"""Fairness benchmark: how long a light request waits while heavy searches run beside it.

    python3 bench/fairness.py --url http://127.0.0.1:6900 --api-key KEY --dataset ID
        [--heavy 2] [--seconds 12] [--metadata judge_score]

On a dataset logged by search.py (or any dataset with a numeric metadata property --metadata),
--heavy threads repeat a search that reads the whole dataset (records with a submitted response,
of anyone, sorted by the metadata property: an `exists` probe per record, then a sort), while one
more thread sends GET /api/v1/me every 20 ms. Reports the heavy searches' count and p50, and the
light request's p50 / p95 / max (ms). With as many heavy searches as the server has async
workers, a light request waits behind them unless the server hands long statements off its
workers (see ARCHITECTURE.md, `Query::long()`). Standard library only.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time

sys.path.insert(0, __import__("os").path.dirname(__file__))
from ingest import Api, percentile  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--heavy", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=12.0)
    parser.add_argument("--metadata", default="judge_score")
    args = parser.parse_args()

    heavy = {
        "filters": {"and": [{"type": "terms", "scope": {"entity": "response", "property": "status"},
                             "values": ["submitted"]}]},
        "sort": [{"scope": {"entity": "metadata", "metadata_property": args.metadata}, "order": "desc"}],
    }
    body = json.dumps(heavy).encode()
    stop = time.time() + args.seconds
    heavy_ms: list[float] = []
    light_ms: list[float] = []
    failures: list[str] = []

    def hammer() -> None:
        api = Api(args.url, args.api_key)
        while time.time() < stop:
            start = time.perf_counter()
            status, data = api.raw("POST", f"/api/v1/datasets/{args.dataset}/records/search?limit=10", body)
            if status != 200:
                failures.append(f"heavy search -> {status}: {data[:200]!r}")
                return
            heavy_ms.append((time.perf_counter() - start) * 1000)

    def probe() -> None:
        api = Api(args.url, args.api_key)
        time.sleep(1.0)  # the heavy searches are under way
        while time.time() < stop - 0.5:
            start = time.perf_counter()
            status, data = api.raw("GET", "/api/v1/me")
            if status != 200:
                failures.append(f"GET /api/v1/me -> {status}: {data[:200]!r}")
                return
            light_ms.append((time.perf_counter() - start) * 1000)
            time.sleep(0.02)

    threads = [threading.Thread(target=hammer) for _ in range(args.heavy)] + [threading.Thread(target=probe)]
    for it in threads:
        it.start()
    for it in threads:
        it.join()
    if failures or not heavy_ms or not light_ms:
        sys.exit("; ".join(failures) or "nothing was measured")
    result = {
        "heavy": {"n": len(heavy_ms), "p50_ms": round(statistics.median(heavy_ms), 1)},
        "light": {"n": len(light_ms), "p50_ms": round(statistics.median(light_ms), 1),
                  "p95_ms": round(percentile(light_ms, 0.95), 1), "max_ms": round(max(light_ms), 1)},
    }
    print(f"heavy searches: {result['heavy']['n']}, p50 {result['heavy']['p50_ms']} ms; GET /api/v1/me meanwhile: "
          f"{result['light']['n']}, p50 {result['light']['p50_ms']} ms, p95 {result['light']['p95_ms']} ms, "
          f"max {result['light']['max_ms']} ms")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
