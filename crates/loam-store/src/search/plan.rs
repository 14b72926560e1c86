//! The search's plan: which statements answer a page of a query, and how its matches are
//! counted. Besides the general query (the builder's `from … where …`, sorted, paged), tactics for
//! the shapes that would otherwise read or sort a whole dataset: a ranked text page within the
//! dataset's own span of the text index, a walk of one metadata key's index in sort order, the
//! `/me` queue's rotated insertion order, and counts from an index or the kept counters.

use loam_domain::{DatasetId, RecordId};
use uuid::Uuid;

use super::query::{Condition, Hit, RecordQuery, Target};
use super::sql::Sql;
use crate::db::{self, Arg, Query};
use crate::dialect::{fts5_matches, Dialect};
use crate::text_index::MAX_FIELDS_PER_DATASET;
use crate::{StoreError, Tx};

/// A page of matching records, in order, with the exact number of matches.
pub async fn search_records(
    tx: &mut Tx,
    dataset: DatasetId,
    query: &RecordQuery,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Hit>, i64), StoreError> {
    if let Some(found) = text_page_in_own_span(tx, dataset, query, offset, limit).await? {
        return Ok(found);
    }
    let mut sql = Sql::on(tx);
    let body = sql.matching_records(dataset, query, "");
    let count_sql = format!("select count(*) {body}");
    let count_args = sql.args.len();
    let mut order = Vec::new();
    for key in &query.sort {
        let expr = sql.sort_expr(&key.target, query.only_user);
        let dir = if key.descending { "desc" } else { "asc" };
        // Missing values sort last whatever the direction.
        order.push(format!("({expr}) is null, {expr} {dir}"));
        if key.target == Target::InsertedAt {
            // Records written in one request share a timestamp; their seq is the finer order.
            order.push(format!("r.seq {dir}"));
        }
    }
    if query.sort.is_empty() && query.text.is_some() {
        order.push("h.score desc".to_owned());
    }
    order.push("r.seq".to_owned());
    if query.sort.is_empty() && query.text.is_none() {
        if let Some(salt) = query.shuffle_salt {
            let total = count_matches(tx, dataset, query, &count_sql, &sql.args[..count_args]).await?;
            let hits = rotated_page(tx, dataset, query, salt, offset, limit).await?;
            return Ok((hits, total));
        }
    }
    let mut known_total = None;
    if let ([key], None) = (query.sort.as_slice(), &query.text) {
        if let Target::Metadata(name, numeric) = &key.target {
            let total = count_matches(tx, dataset, query, &count_sql, &sql.args[..count_args]).await?;
            if total >= WALK_MIN_MATCHES {
                let hits = metadata_walk(tx, dataset, query, name, *numeric, key.descending, offset, limit).await?;
                if hits.len() as i64 == limit {
                    return Ok((hits, total));
                }
            }
            // Answered the general way below, with the total already known.
            known_total = Some(total);
        }
    }
    let score = if query.text.is_some() { "h.score" } else { "null" };
    // A text match is ranked, so every match is read and sorted anyway: the page query counts
    // them too (a window over all its rows), instead of matching the text a second time.
    let counted = if query.text.is_some() { "count(*) over ()" } else { "null" };
    let lim = sql.push(limit);
    let off = sql.push(offset);
    sql.text = format!("select r.id, {score}, {counted} {body} order by {} limit {lim} offset {off}", order.join(", "));
    let rows: Vec<(Uuid, Option<f64>, Option<i64>)> =
        Query::with_args(&sql.text, &sql.args).long().fetch_all(tx).await?;
    let total = match rows.first().and_then(|it| it.2).or(known_total) {
        Some(total) => total,
        None => count_matches(tx, dataset, query, &count_sql, &sql.args[..count_args]).await?,
    };
    let hits = rows.into_iter().map(|(id, score, _)| Hit { record_id: RecordId(id), score }).collect();
    Ok((hits, total))
}

/// A ranked text search (no sort; metadata filters at most) on SQLite, when no other dataset has
/// records between the dataset's first and last seq (the usual case: datasets are logged one at a
/// time). The text index's rowids carry the record seq, so that seq range alone keeps the
/// dataset's matches: they are ranked, filtered (a primary-key probe of `record_metadata` each),
/// counted and paged without reading a record per match, and only the page's records are looked
/// up. `None` when the query has other parts, on PostgreSQL, or when another dataset's records
/// interleave: the general query answers.
async fn text_page_in_own_span(
    tx: &mut Tx,
    dataset: DatasetId,
    query: &RecordQuery,
    offset: i64,
    limit: i64,
) -> Result<Option<(Vec<Hit>, i64)>, StoreError> {
    let Some(matching) = &query.text else { return Ok(None) };
    let metadata_only = query.conditions.iter().all(|it| {
        matches!(it, Condition::Terms(Target::Metadata(..), _) | Condition::Range(Target::Metadata(..), _, _))
    });
    if !metadata_only || !query.sort.is_empty() || !Dialect::of(tx).text_index_keyed_by_seq() {
        return Ok(None);
    }
    let mut sql = Sql::on(tx);
    sql.correlated = true;
    let ds = dataset.0;
    let (first, last): (Option<i64>, Option<i64>) = db::query(
        "select (select seq from records where dataset_id = $1 order by seq limit 1), \
                (select seq from records where dataset_id = $1 order by seq desc limit 1)",
    )
    .bind(ds)
    .fetch_one(tx)
    .await?;
    let (Some(first), Some(last)) = (first, last) else { return Ok(Some((Vec::new(), 0))) };
    // One index probe per other dataset (records_dataset_seq_updated).
    let interleaved: bool = db::query(
        "select exists (select 1 from datasets d where d.id != $1 and exists \
         (select 1 from records x where x.dataset_id = d.id and x.seq between $2 and $3))",
    )
    .bind(ds)
    .bind(first)
    .bind(last)
    .fetch_one(tx)
    .await?;
    if interleaved {
        return Ok(None);
    }
    let rowids = (first * MAX_FIELDS_PER_DATASET, (last + 1) * MAX_FIELDS_PER_DATASET);
    // The metadata conditions probe each match's record (by primary key) before it is ranked, so
    // BM25 is computed only for the matches that pass them, not for every match.
    let mut probes = String::new();
    for cond in &query.conditions {
        let matching = sql.metadata_match(cond);
        probes.push_str(&format!(
            " and exists (select 1 from record_metadata m \
             where m.record_seq = record_fts.rowid / {MAX_FIELDS_PER_DATASET} and {matching})"
        ));
    }
    let matches = fts5_matches(&mut sql.args, matching, query.field_ordinal, Some(rowids), &probes);
    let body = format!("from ({matches}) r");
    let count_args = sql.args.len();
    let lim = sql.push(limit);
    let off = sql.push(offset);
    let page =
        format!("select r.seq, r.score, count(*) over () {body} order by r.score desc, r.seq limit {lim} offset {off}");
    let rows: Vec<(i64, f64, i64)> = Query::with_args(&page, &sql.args).long().fetch_all(tx).await?;
    let total = match rows.first() {
        Some(row) => row.2,
        None => {
            let count = format!("select count(*) {body}");
            Query::with_args(&count, &sql.args[..count_args]).long().fetch_one(tx).await?
        }
    };
    if rows.is_empty() {
        return Ok(Some((Vec::new(), total)));
    }
    let seqs = rows.iter().map(|it| it.0.to_string()).collect::<Vec<_>>().join(",");
    let ids: std::collections::HashMap<i64, Uuid> =
        db::query(&format!("select seq, id from records where seq in ({seqs})"))
            .fetch_all::<(i64, Uuid)>(tx)
            .await?
            .into_iter()
            .collect();
    let hits = rows
        .iter()
        .filter_map(|(seq, score, _)| Some(Hit { record_id: RecordId(*ids.get(seq)?), score: Some(*score) }))
        .collect();
    Ok(Some((hits, total)))
}

/// The fewest matches for which a page sorted by one metadata key walks that key's index (see
/// `metadata_walk`); fewer matches are cheaper to sort than to look for along the index.
const WALK_MIN_MATCHES: i64 = 1000;

/// A page of the matches sorted by one metadata key, read by walking the key's index in order
/// and probing each record's other conditions, so it stops at the page's end instead of sorting
/// every match. Records without a value for the key (which sort last) are not visited: a page
/// that reaches them comes back short, and the caller answers it the general way.
#[allow(clippy::too_many_arguments)]
async fn metadata_walk(
    tx: &mut Tx,
    dataset: DatasetId,
    query: &RecordQuery,
    name: &str,
    numeric: bool,
    descending: bool,
    offset: i64,
    limit: i64,
) -> Result<Vec<Hit>, StoreError> {
    let mut sql = Sql::on(tx);
    sql.correlated = true;
    let body = sql.matching_records(dataset, query, " join record_metadata s on s.record_seq = r.seq");
    let n = sql.push(name.to_owned());
    let (column, dir) = (if numeric { "s.num" } else { "s.term" }, if descending { "desc" } else { "asc" });
    let lim = sql.push(limit);
    let off = sql.push(offset);
    sql.text = format!(
        "select r.id {body} and s.dataset_id = {ds} and s.name = {n} and s.pos = -1 and {column} is not null \
         order by s.num {dir}, s.term {dir}, s.record_seq limit {lim} offset {off}",
        ds = sql.dataset
    );
    let ids: Vec<Uuid> = Query::with_args(&sql.text, &sql.args).fetch_all(tx).await?;
    Ok(ids.into_iter().map(|id| Hit { record_id: RecordId(id), score: None }).collect())
}

/// The number of matches. One metadata condition is counted on its index; the caller's queue of
/// records they have not answered (optionally only records still pending, as the web UI asks) is
/// the dataset's kept count of (pending) records minus the caller's answered ones among them,
/// found through the caller's responses (an index range), instead of probing every record.
async fn count_matches(
    tx: &mut Tx,
    dataset: DatasetId,
    query: &RecordQuery,
    count_sql: &str,
    args: &[Arg],
) -> Result<i64, StoreError> {
    if let (None, [cond @ (Condition::Terms(Target::Metadata(..), _) | Condition::Range(Target::Metadata(..), _, _))]) =
        (&query.text, query.conditions.as_slice())
    {
        // One metadata condition: count its index range (its rows carry the dataset).
        let mut sql = Sql::on(tx);
        sql.dataset = sql.push(dataset.0);
        let matching = sql.metadata_match(cond);
        // A range matches values, one row per record; terms may match several list elements.
        let counted = if matches!(cond, Condition::Range(..)) { "*" } else { "distinct m.record_seq" };
        sql.text = format!("select count({counted}) from record_metadata m where {matching}");
        return Query::with_args(&sql.text, &sql.args).long().fetch_one::<i64>(tx).await;
    }
    let only_pending = |target: Target| {
        query.conditions.iter().any(|it| {
            matches!(it, Condition::Terms(t, values) if *t == target
                && !values.is_empty() && values.iter().all(|v| v.as_str() == Some("pending")))
        })
    };
    let record_pending = only_pending(Target::Status);
    let queue = query.text.is_none()
        && only_pending(Target::ResponseStatus)
        && query.conditions.len() == 1 + usize::from(record_pending);
    if let (true, Some(user)) = (queue, query.only_user) {
        let sql = if record_pending {
            // Only the caller's responses on pending records are in the count; where a submission
            // completes its record, none of their submitted ones can be.
            let unsubmitted = if query.submitted_completes { " and s.status <> 'submitted'" } else { "" };
            format!(
                "select coalesce((select records_count - completed_count from datasets where id = $1), 0) \
                 - (select count(*) from responses s join records r on r.id = s.record_id \
                    where s.dataset_id = $1 and s.user_id = $2{unsubmitted} and r.status = 'pending')"
            )
        } else {
            "select coalesce((select records_count from datasets where id = $1), 0) \
             - (select count(*) from responses where dataset_id = $1 and user_id = $2)"
                .to_owned()
        };
        return db::query(&sql).bind(dataset.0).bind(user.0).fetch_one::<i64>(tx).await;
    }
    Query::with_args(count_sql, args).long().fetch_one::<i64>(tx).await
}

/// A page of the `/me` queue's default order: the dataset's records in insertion order, rotated
/// to start at a point that depends on the caller (`salt`), so annotators start in different
/// places, and stable across pages. Both halves of the rotation are read in index order and stop
/// at the page's end, so the next record costs a few index steps, not a sort of the dataset.
async fn rotated_page(
    tx: &mut Tx,
    dataset: DatasetId,
    query: &RecordQuery,
    salt: i64,
    offset: i64,
    limit: i64,
) -> Result<Vec<Hit>, StoreError> {
    // Two subqueries: each is one step down the (dataset_id, seq) index, where a single
    // `select min(seq), max(seq)` reads every entry of the dataset.
    let bounds = "select (select min(seq) from records where dataset_id = $1), \
                  (select max(seq) from records where dataset_id = $1)";
    let (lo, hi): (Option<i64>, Option<i64>) = db::query(bounds).bind(dataset.0).fetch_one(tx).await?;
    let (Some(lo), Some(hi)) = (lo, hi) else { return Ok(Vec::new()) };
    let pivot = lo + salt.rem_euclid(hi - lo + 1);
    // The first half: seq >= pivot. How many of its matches precede the page decides where the
    // second half starts; count them only when the page may begin past the first half's end.
    let dialect = Dialect::of(tx);
    let half = |upper: bool, offset: i64, limit: i64| {
        let mut sql = Sql::new(dialect);
        let body = sql.matching_records(dataset, query, "");
        let p = sql.push(pivot);
        let cmp = if upper { ">=" } else { "<" };
        let lim = sql.push(limit);
        let off = sql.push(offset);
        sql.text = format!("select r.id {body} and r.seq {cmp} {p} order by r.seq limit {lim} offset {off}");
        sql
    };
    let first = half(true, offset, limit);
    let mut ids: Vec<Uuid> = Query::with_args(&first.text, &first.args).fetch_all(tx).await?;
    if (ids.len() as i64) < limit {
        let n_first: i64 = if offset == 0 {
            ids.len() as i64
        } else {
            let mut sql = Sql::on(tx);
            let body = sql.matching_records(dataset, query, "");
            let p = sql.push(pivot);
            sql.text = format!("select count(*) {body} and r.seq >= {p}");
            Query::with_args(&sql.text, &sql.args).long().fetch_one::<i64>(tx).await?
        };
        let second = half(false, (offset - n_first).max(0), limit - ids.len() as i64);
        let more: Vec<Uuid> = Query::with_args(&second.text, &second.args).fetch_all(tx).await?;
        ids.extend(more);
    }
    Ok(ids.into_iter().map(|id| Hit { record_id: RecordId(id), score: None }).collect())
}

/// The seqs of every record matching `query`, in insertion order: the candidates of a filtered
/// similarity search scored from memory.
pub async fn matching_seqs(tx: &mut Tx, dataset: DatasetId, query: &RecordQuery) -> Result<Vec<i64>, StoreError> {
    let mut sql = Sql::on(tx);
    let body = sql.matching_records(dataset, query, "");
    sql.text = format!("select r.seq {body} order by r.seq");
    Query::with_args(&sql.text, &sql.args).long().fetch_all::<i64>(tx).await
}
