#!/usr/bin/env bash
# The approximate similarity index against the exact scan, in one process and one run
# (crates/loam-service/src/ann.rs, `ann_benchmark`): build time, p50 / p95 of a top-50 search
# through each, and the index's recall of the exact top 50, on clustered vectors.
#   bash bench/run-ann.sh [N [DIMS]]     (default 200000 vectors of 256 dimensions)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export LOAM_ANN_BENCH_N="${1:-200000}" LOAM_ANN_BENCH_DIMS="${2:-256}"
cargo test --release -q -p loam-service --features ann-bench --lib ann::bench::ann_benchmark -- --nocapture --exact
