#!/usr/bin/env python3
"""The closing table of bench/run-side.sh: every measurement of one run, loam beside the reference
server, as ratios loam / reference (for rates above 1 is loam faster, for latencies and times below
1 is), and loam's ingest as a fraction of the SQLite ceiling.

    python3 bench/side_summary.py OUT_DIR      # writes OUT_DIR/summary.json too
"""

from __future__ import annotations

import glob
import json
import os
import sys


def load(path: str) -> dict | None:
    return json.load(open(path)) if os.path.exists(path) else None


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def fmt(x: float | None, suffix: str = "x") -> str:
    return "-" if x is None else f"{x:.3g}{suffix}"


def main() -> None:
    out = sys.argv[1]
    summary: dict = {}
    rows: list[tuple[str, str, str, str]] = []  # what, loam, reference, loam/reference
    notes: list[str] = []

    ingest = load(os.path.join(out, "ingest", "summary.json"))
    if ingest:
        runs = ingest["runs"]
        main_run, ceiling = runs.get("loam"), runs.get("ceiling")
        small, ref = runs.get("loam-small"), runs.get("reference")
        if main_run and ceiling:
            summary["ingest_fraction_of_ceiling"] = ingest.get("fraction_of_ceiling")
            rows.append((f"ingest, {main_run['records']} records: loam / SQLite ceiling",
                         f"{main_run['records_per_s']:.0f}/s, {main_run['peak_rss_mb']} MB",
                         f"ceiling {ceiling['records_per_s']:.0f}/s", fmt(ingest.get("fraction_of_ceiling"))))
        if small and ref:
            r = ratio(small["records_per_s"], ref["records_per_s"])
            m = ratio(small["peak_rss_mb"], ref["peak_rss_mb"])
            summary["ingest_records_per_s_ratio"], summary["ingest_peak_rss_ratio"] = r, m
            rows.append((f"ingest, {ref['records']} records, records/s", f"{small['records_per_s']:.0f}",
                         f"{ref['records_per_s']:.1f}", fmt(r)))
            rows.append(("  peak RSS, MB", f"{small['peak_rss_mb']}", f"{ref['peak_rss_mb']}", fmt(m)))

    pg = load(os.path.join(out, "ingest-pg", "loam.json"))
    lite = load(os.path.join(out, "ingest-sqlite-pg-count", "loam.json"))
    if pg and lite:
        r = ratio(pg["records_per_s"], lite["records_per_s"])
        settings = load(os.path.join(out, "pg-settings.json")) or {}
        summary["postgres_ingest"] = {"records_per_s_ratio_to_sqlite": r, "postgres": pg, "sqlite": lite,
                                      "settings": settings}
        rows.append((f"ingest on PostgreSQL, {pg['records']} records, records/s (SQLite in 2nd column)",
                     f"{pg['records_per_s']:.0f}", f"{lite['records_per_s']:.0f}", fmt(r)))
        if settings:
            notes.append("PostgreSQL settings: " + ", ".join(f"{k}={v}" for k, v in sorted(settings.items())))

    for path in sorted(glob.glob(os.path.join(out, "loop-loam-*.json")), key=lambda p: int(p.rsplit("-", 1)[1][:-5])):
        n = path.rsplit("-", 1)[1][:-5]
        loam, ref = load(path), load(os.path.join(out, f"loop-reference-{n}.json"))
        if not ref:
            continue
        r, p99 = ratio(loam["loops_per_s"], ref["loops_per_s"]), ratio(loam["p99_ms"], ref["p99_ms"])
        summary[f"loop_{n}"] = {"loops_per_s_ratio": r, "p99_ratio": p99, "loam": loam, "reference": ref}
        rows.append((f"loop, {n} annotators, {loam['records']} records, loops/s", f"{loam['loops_per_s']:.0f}",
                     f"{ref['loops_per_s']:.1f}", fmt(r)))
        rows.append(("  p99 of one loop, ms", f"{loam['p99_ms']}", f"{ref['p99_ms']}", fmt(p99)))
        rl, rr = load(os.path.join(out, f"read-loam-{n}.json")), load(os.path.join(out, f"read-reference-{n}.json"))
        if rl and rr:
            r = ratio(rl["paged"]["seconds"], rr["paged"]["seconds"])
            summary[f"read_back_{n}"] = {"paged_seconds_ratio": r, "loam": rl, "reference": rr}
            rows.append((f"read back {rl['records']} records (paged, as the SDK exports), s",
                         f"{rl['paged']['seconds']:.3f}", f"{rr['paged']['seconds']:.3f}", fmt(r)))
            if "export" in rl:
                e = ratio(rl["export"]["seconds"], rr["paged"]["seconds"])
                summary[f"read_back_{n}"]["export_seconds_ratio"] = e
                rows.append(("  loam's export (JSONL) against the reference's paged read, s",
                             f"{rl['export']['seconds']:.3f}", f"{rr['paged']['seconds']:.3f}", fmt(e)))

    sl, sr = load(os.path.join(out, "search-loam.json")), load(os.path.join(out, "search-reference.json"))
    if sl and sr:
        summary["search"] = {}
        for kind in ("text", "range_sort", "filter_text", "similar"):
            r = ratio(sl[kind]["p50_ms"], sr[kind]["p50_ms"])
            summary["search"][kind] = {"p50_ratio": r, "loam": sl[kind], "reference": sr[kind]}
            rows.append((f"search {kind}, {sl['records']} records, p50 ms", f"{sl[kind]['p50_ms']}",
                         f"{sr[kind]['p50_ms']}", fmt(r)))

    print("\n== loam beside the reference (one run, one client) ==")
    width = max(len(r[0]) for r in rows) if rows else 10
    print(f"{'':<{width}}  {'loam':>18}  {'reference':>18}  {'loam/ref':>9}")
    for what, a, b, c in rows:
        print(f"{what:<{width}}  {a:>18}  {b:>18}  {c:>9}")
    print("(loam/reference: for rates above 1 is loam faster, for latencies and times below 1 is)")
    for note in notes:
        print(note)
    with open(os.path.join(out, "summary.json"), "w") as fh:
        json.dump(summary, fh, indent=2)
    print(f"results: {out}")


if __name__ == "__main__":
    main()
