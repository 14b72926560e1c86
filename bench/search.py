#!/usr/bin/env python3
"""Search benchmark: the four queries of issue 4 over a large deterministic dataset.

    python3 bench/search.py --url http://127.0.0.1:6900 --api-key KEY [--records 1000000]
        [--dims 256] [--batch 500] [--queries 40] [--seed 7] [--json-out FILE]

Setup (not timed as search, but reported as ingest records/s): a published dataset with one text
field `text` (about 40 words from a 5,000-word vocabulary, and in about 1% of records the phrase
"sql injection"), a label question, metadata `judge_score` (float in [0, 1)), `length` (integer)
and `topic` (terms, 8 values), and 256-dimension vectors `emb`, logged with
POST /api/v1/datasets/{id}/records/bulk in batches of --batch. Everything is generated from --seed,
so two runs (or two servers) see the same records.

Timed, each --queries times with deterministic varied parameters, one at a time on one keep-alive
connection (POST /api/v1/datasets/{id}/records/search, limit 50):
  text        a full-text query of one vocabulary word or the phrase "sql injection"
  range_sort  metadata judge_score in [x, x + 0.1] sorted by metadata length descending
  filter_text topic in [t] and a full-text query
  similar     the 50 most similar records to a random 256-dimension vector
and, with --writes N, N times: log one record with a vector, then time one `similar` query
(similar_after_write: what a search costs while vectors are being logged, e.g. by a running
distilabel pipeline; the records it logs have no metadata and no vocabulary word).
Reports p50 / p95 of each (ms) and the mean total hits, as one JSON line too. Standard library
only. Exit status 1 if any request fails. With `--client-bin`, each kind's queries are timed by
`loam-replay` (crates/loam-bench: one keep-alive connection, replies read and dropped unparsed) after
one warm-up query from this script, whose total is reported as `first_total`.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import os
import statistics
import sys
import tempfile
import time
import uuid

sys.path.insert(0, __import__("os").path.dirname(__file__))
from ingest import Api, emit_result, make_vocabulary, percentile, run_replay  # noqa: E402

TOPICS = ["billing", "security", "sql", "python", "rust", "legal", "health", "travel"]
WORDS_PER_TEXT = 40
LIMIT = 50


def setup(api: Api, dims: int) -> str:
    workspaces = api.call("GET", "/api/v1/me/workspaces")["items"]
    ws = next((w for w in workspaces if w["name"] == "bench"), None)
    if ws is None:
        ws = api.call("POST", "/api/v1/workspaces", {"name": "bench"}, expect=201)
    name = f"search-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
    ds = api.call("POST", "/api/v1/datasets", {"name": name, "workspace_id": ws["id"]}, expect=201)
    ds_id = ds["id"]
    api.call("POST", f"/api/v1/datasets/{ds_id}/fields",
             {"name": "text", "title": "text", "required": True, "settings": {"type": "text"}}, expect=201)
    api.call("POST", f"/api/v1/datasets/{ds_id}/questions",
             {"name": "verdict", "title": "verdict", "required": True,
              "settings": {"type": "label_selection",
                           "options": [{"value": "ok", "text": "ok"}, {"value": "bad", "text": "bad"}]}},
             expect=201)
    for mp_name, settings in (
        ("judge_score", {"type": "float", "min": None, "max": None}),
        ("length", {"type": "integer", "min": None, "max": None}),
        ("topic", {"type": "terms", "values": None}),
    ):
        api.call("POST", f"/api/v1/datasets/{ds_id}/metadata-properties",
                 {"name": mp_name, "title": mp_name, "settings": settings}, expect=201)
    api.call("POST", f"/api/v1/datasets/{ds_id}/vectors-settings",
             {"name": "emb", "title": "emb", "dimensions": dims}, expect=201)
    api.call("PUT", f"/api/v1/datasets/{ds_id}/publish")
    return ds_id


def unit_vector(rng: random.Random, dims: int) -> list[float]:
    v = [rng.gauss(0.0, 1.0) for _ in range(dims)]
    norm = math.sqrt(sum(x * x for x in v)) or 1.0
    return [round(x / norm, 5) for x in v]


def batches(n: int, batch: int, dims: int, seed: int, vocab: list[str]):
    """Request bodies, generated lazily (1M records with vectors do not fit comfortably in memory
    pre-encoded); generation time is excluded from the ingest figure."""
    rng = random.Random(seed)
    for start in range(0, n, batch):
        items = []
        for i in range(start, min(start + batch, n)):
            words = rng.choices(vocab, k=WORDS_PER_TEXT)
            if rng.random() < 0.01:
                words[rng.randrange(WORDS_PER_TEXT - 1)] = "sql injection"
            text = " ".join(words)
            items.append({
                "fields": {"text": text},
                "metadata": {"judge_score": round(rng.random(), 4), "length": len(text),
                             "topic": rng.choice(TOPICS)},
                "external_id": f"s{i}",
                "vectors": {"emb": unit_vector(rng, dims)},
            })
        yield json.dumps({"items": items}, separators=(",", ":")).encode()


def ingest(api: Api, ds_id: str, args, vocab: list[str]) -> dict:
    sent, busy = 0, 0.0
    path = f"/api/v1/datasets/{ds_id}/records/bulk"
    for body in batches(args.records, args.batch, args.dims, args.seed, vocab):
        start = time.perf_counter()
        status, data = api.raw("POST", path, body)
        busy += time.perf_counter() - start
        if status != 201:
            sys.exit(f"ingest -> {status}: {data[:300]!r}")
        sent += min(args.batch, args.records - sent)
        if sent % 50_000 < args.batch:
            print(f"  ingested {sent} records ({sent / busy:.0f}/s)", file=sys.stderr, flush=True)
    return {"records": sent, "seconds": round(busy, 1), "records_per_s": round(sent / busy, 1)}


def queries(args, vocab: list[str]) -> dict[str, list[dict]]:
    rng = random.Random(args.seed + 1)
    # Words of middling frequency: each appears in a few percent of the records.
    words = [w for w in rng.sample(vocab, args.queries)]
    out: dict[str, list[dict]] = {"text": [], "range_sort": [], "filter_text": [], "similar": []}
    for i in range(args.queries):
        q = "sql injection" if i % 4 == 0 else words[i]
        out["text"].append({"query": {"text": {"q": q}}})
        low = round(rng.random() * 0.9, 3)
        out["range_sort"].append({
            "filters": {"and": [{"type": "range", "scope": {"entity": "metadata", "metadata_property": "judge_score"},
                                 "ge": low, "le": round(low + 0.1, 3)}]},
            "sort": [{"scope": {"entity": "metadata", "metadata_property": "length"}, "order": "desc"}],
        })
        out["filter_text"].append({
            "query": {"text": {"q": words[(i + 7) % len(words)]}},
            "filters": {"and": [{"type": "terms", "scope": {"entity": "metadata", "metadata_property": "topic"},
                                 "values": [rng.choice(TOPICS)]}]},
        })
        out["similar"].append({
            "query": {"vector": {"name": "emb", "value": unit_vector(rng, args.dims), "order": "most_similar"}},
        })
    return out


def similar_after_write(api: Api, ds_id: str, args) -> dict:
    """Times a similarity query right after each of --writes single-record writes with a vector."""
    rng = random.Random(args.seed + 2)
    stamp = uuid.uuid4().hex[:8]
    times = []
    for i in range(args.writes):
        item = {"fields": {"text": "freshly logged"}, "external_id": f"w{stamp}-{i}",
                "vectors": {"emb": unit_vector(rng, args.dims)}}
        status, data = api.raw("POST", f"/api/v1/datasets/{ds_id}/records/bulk", json.dumps({"items": [item]}).encode())
        if status != 201:
            sys.exit(f"write -> {status}: {data[:300]!r}")
        body = {"query": {"vector": {"name": "emb", "value": unit_vector(rng, args.dims), "order": "most_similar"}}}
        start = time.perf_counter()
        status, data = api.raw("POST", f"/api/v1/datasets/{ds_id}/records/search?limit={LIMIT}", json.dumps(body).encode())
        times.append((time.perf_counter() - start) * 1000)
        if status != 200:
            sys.exit(f"similar_after_write -> {status}: {data[:300]!r}")
    return {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 0.95), 1)}


def replay_kind(api: Api, args, path: str, bodies: list[dict]) -> dict:
    """One kind's queries timed by loam-replay, after one untimed warm-up from here."""
    status, data = api.raw("POST", path, json.dumps(bodies[0]).encode())
    if status != 200:
        sys.exit(f"warm-up -> {status}: {data[:300]!r}")
    first_total = json.loads(data)["total"]
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as fh:
        fh.write("".join(json.dumps(b) + "\n" for b in bodies))
    try:
        timed = run_replay(args.client_bin, args.url, args.api_key,
                           ["--method", "POST", "--path", path, "--bodies", fh.name])
    finally:
        os.unlink(fh.name)
    return {"p50_ms": timed["p50_ms"], "p95_ms": timed["p95_ms"], "p99_ms": timed["p99_ms"],
            "first_total": first_total, "client": "rust"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--dims", type=int, default=256)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--label", default="loam")
    parser.add_argument("--json-out")
    parser.add_argument("--writes", type=int, default=0,
                        help="also time N similarity queries, each right after logging one record with a vector")
    parser.add_argument("--client-bin", help="time the queries with this loam-replay binary (the Rust client)")
    parser.add_argument("--dataset", help="time the queries on this dataset (logged earlier by this script with "
                        "the same --records and --seed, e.g. by another binary on the same data dir); no ingest")
    args = parser.parse_args()

    api = Api(args.url, args.api_key)
    vocab = make_vocabulary(random.Random(args.seed))
    if args.dataset:
        ds_id, ingested = args.dataset, None
    else:
        ds_id = setup(api, args.dims)
        print(f"== ingest {args.records} records ({args.dims}-d vectors) ==", file=sys.stderr, flush=True)
        ingested = ingest(api, ds_id, args, vocab)
    path = f"/api/v1/datasets/{ds_id}/records/search?limit={LIMIT}"
    result = {"label": args.label, "records": args.records, "dims": args.dims, "ingest": ingested}
    for kind, bodies in queries(args, vocab).items():
        if args.client_bin:
            result[kind] = replay_kind(api, args, path, bodies)
            print(f"{kind:12s} p50 {result[kind]['p50_ms']:8.1f} ms  p95 {result[kind]['p95_ms']:8.1f} ms  "
                  f"first total {result[kind]['first_total']}", flush=True)
            continue
        times, totals = [], []
        # One untimed warm-up per kind: the first query after ingest pays for cold pages.
        api.raw("POST", path, json.dumps(bodies[0]).encode())
        for body in bodies:
            start = time.perf_counter()
            status, data = api.raw("POST", path, json.dumps(body).encode())
            times.append((time.perf_counter() - start) * 1000)
            if status != 200:
                sys.exit(f"{kind} -> {status}: {data[:300]!r}")
            reply = json.loads(data)
            if len(reply["items"]) > LIMIT:
                sys.exit(f"{kind}: more than {LIMIT} items")
            totals.append(reply["total"])
        result[kind] = {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 0.95), 1),
                        "mean_total": round(statistics.mean(totals))}
        print(f"{kind:12s} p50 {result[kind]['p50_ms']:8.1f} ms  p95 {result[kind]['p95_ms']:8.1f} ms  "
              f"mean total {result[kind]['mean_total']}", flush=True)
    if args.writes:
        result["similar_after_write"] = similar_after_write(api, ds_id, args)
        it = result["similar_after_write"]
        print(f"{'after_write':12s} p50 {it['p50_ms']:8.1f} ms  p95 {it['p95_ms']:8.1f} ms", flush=True)
    emit_result(result, args.json_out)


if __name__ == "__main__":
    main()
