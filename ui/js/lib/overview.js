// What the home page says about a dataset, from one item of `GET /api/v1/ui/overview` (a loam
// extension answering every dataset at once). Annotators: their own responses. Owners and admins:
// the records' progress across the team, the responses per annotator, and the records still
// waiting for more responses when a record needs several (`min_submitted`).
// Time on task (owners and admins, here and on the settings page's progress): the team's and
// each annotator's active time, records per hour and median time per record.
// Pure; unit-tested in e2e/ui/unit/overview.test.js.

/** @typedef {{submitted: number, discarded: number, draft: number}} Counts */
/**
 * @typedef {{dataset_id: string, status: string, min_submitted: number,
 *   records: {total: number, completed: number, pending: number}, mine: Counts,
 *   team: null|{waiting: number, responses: Counts, annotators: (Counts & {username: string})[], time?: TeamTime}}} OverviewItem
 */
/**
 * Time on task (a loam extension): active milliseconds, records done with measured time, records
 * per hour of active time and the median milliseconds per record (null when undefined).
 * @typedef {{active_ms: number, done: number, records_per_hour: number|null, median_ms: number|null}} Throughput
 * @typedef {{total: Throughput, annotators: (Throughput & {username: string})[]}} TeamTime
 */

/** A whole percentage of `part` in `total` (0 when there is nothing). @param {number} part @param {number} total */
export function percent(part, total) {
  return total > 0 ? Math.round((100 * part) / total) : 0;
}

/** "3 submitted, 1 discarded, 2 draft". @param {Counts} c */
export function countsText(c) {
  return `${c.submitted} submitted, ${c.discarded} discarded, ${c.draft} draft`;
}

/**
 * The caller's own progress: how much of the dataset they answered (submitted or discarded).
 * @param {OverviewItem} item
 */
export function ownFigures(item) {
  const total = item.records.total;
  return {
    pct: percent(item.mine.submitted + item.mine.discarded, total),
    text: `${countsText(item.mine)} of ${total}`,
  };
}

/**
 * The team's progress: records completed (enough submitted responses) out of all, what is pending,
 * and of that what waits for more responses; the team's responses and each annotator's.
 * @param {OverviewItem} item
 */
export function teamFigures(item) {
  const { total, completed, pending } = item.records;
  const team = item.team || { waiting: 0, responses: { submitted: 0, discarded: 0, draft: 0 }, annotators: [] };
  const needs = item.min_submitted > 1 ? `${item.min_submitted} submitted responses complete a record` : 'one submitted response completes a record';
  return {
    pct: percent(completed, total),
    records: `${completed} of ${total} records completed, ${pending} pending`,
    waiting: item.min_submitted > 1 ? `${team.waiting} of the pending waiting for more responses (${needs})` : null,
    responses: `Team: ${countsText(team.responses)}`,
    // Owners and admins annotate too: their own share, when they have one.
    mine: item.mine.submitted + item.mine.discarded + item.mine.draft > 0 ? `Mine: ${countsText(item.mine)}` : null,
    annotators: team.annotators.map((a) => ({ username: a.username, text: countsText(a) })),
  };
}

/** "45 s", "2 min 05 s", "1 h 02 min"; a dash for none. @param {number|null} ms */
export function durationText(ms) {
  if (ms === null || ms === undefined) return '–';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** Records per hour with one decimal; a dash when no time was measured. @param {number|null} perHour */
export function rateText(perHour) {
  return perHour === null || perHour === undefined ? '–' : perHour.toFixed(1);
}

/**
 * The rows of a time-on-task table: the team first, then each annotator with measured time.
 * @param {TeamTime|null|undefined} time
 * @returns {{who: string, team: boolean, active: string, done: string, perHour: string, median: string}[]}
 */
export function timeRows(time) {
  if (!time) return [];
  /** @param {string} who @param {boolean} team @param {Throughput} t */
  const row = (who, team, t) => ({ who, team, active: durationText(t.active_ms), done: String(t.done), perHour: rateText(t.records_per_hour), median: durationText(t.median_ms) });
  return [row('Team', true, time.total), ...time.annotators.map((a) => row(a.username, false, a))];
}
