// Two runs of bench/ui.mjs side by side (bench/run-ui.sh with LOAM_BIN_BASELINE): each figure of
// the baseline and of the candidate, and candidate / baseline (below 1: the candidate is faster or
// smaller).
//
//   node bench/ui-compare.mjs BASELINE.json CANDIDATE.json
import { readFileSync } from 'node:fs';

const [a, b] = process.argv.slice(2).map((f) => JSON.parse(readFileSync(f, 'utf8')));
if (!a || !b) throw new Error('usage: node bench/ui-compare.mjs BASELINE.json CANDIDATE.json');
const rows = [
  ['first paint p50 (ms)', (r) => r.first_paint.p50_ms],
  ['first paint p95 (ms)', (r) => r.first_paint.p95_ms],
  ['repeat load paint p50 (ms)', (r) => r.repeat_load_paint.p50_ms],
  ['next record p50 (ms)', (r) => r.next_record.p50_ms],
  ['next record p95 (ms)', (r) => r.next_record.p95_ms],
  ['API page of 50 p50 (ms)', (r) => r.api_page_round_trip.p50_ms],
  ['API one record p50 (ms)', (r) => r.api_one_record_round_trip.p50_ms],
  ['first load, bytes on the wire', (r) => r.first_load_bytes.transfer],
  ['first load, bodies decoded', (r) => r.first_load_bytes.decoded_body],
  ['first load, requests to server', (r) => r.first_load_bytes.to_server],
  ['repeat load, bytes on the wire', (r) => r.repeat_load_bytes.transfer],
  ['repeat load, requests to server', (r) => r.repeat_load_bytes.to_server],
];
console.log(`${'figure'.padEnd(34)}${'baseline'.padStart(12)}${'candidate'.padStart(12)}${'ratio'.padStart(8)}`);
for (const [label, get] of rows) {
  const [x, y] = [get(a), get(b)];
  console.log(`${label.padEnd(34)}${String(x).padStart(12)}${String(y).padStart(12)}${(x ? (y / x).toFixed(2) : '-').padStart(8)}`);
}
