//! The full-text index of record fields, written in the caller's transaction, so a committed
//! record is searchable at once and a rolled-back one never is. Its rows are written only by the
//! record write (`records::RecordWrites`), which computes the texts
//! (`loam_domain::field_text`); callers above the store never address it by `seq`.
//!
//! SQLite: the contentless FTS5 table `record_fts` (migration 0002), rowid = seq * 1024 + field
//! ordinal. PostgreSQL: `record_texts`, one GIN-indexed tsvector per (record, field), built from
//! text folded in Rust (`query::fold_text`) so both engines match the same words.

use loam_domain::query::fold_text;

use crate::db::{self, Arg, Query};
use crate::{StoreError, Tx};

/// Fields per dataset that the text index can address (the rowid packs seq and field ordinal).
pub const MAX_FIELDS_PER_DATASET: i64 = 1024;

/// Removes a record's texts from the index (before re-indexing changed fields).
pub(crate) async fn unindex_record(tx: &mut Tx, seq: i64) -> Result<(), StoreError> {
    let q = match tx {
        Tx::Sqlite(_) => db::query("delete from record_fts where rowid >= $1 and rowid < $2")
            .bind(seq * MAX_FIELDS_PER_DATASET)
            .bind((seq + 1) * MAX_FIELDS_PER_DATASET),
        Tx::Postgres(_) => db::query("delete from record_texts where record_seq = $1").bind(seq),
    };
    q.execute(tx).await?;
    Ok(())
}

/// How many field texts the index holds (diagnostics, and the proof that deletes clean up).
pub async fn index_size(tx: &mut Tx) -> Result<i64, StoreError> {
    let sql = match tx {
        // A contentless FTS5 table cannot be counted directly; its docsize shadow table has a row
        // per indexed row.
        Tx::Sqlite(_) => "select count(*) from record_fts_docsize",
        Tx::Postgres(_) => "select count(*) from record_texts",
    };
    db::query(sql).fetch_one(tx).await
}

/// One bounded step of merging the text index's segments (about `pages` pages of work), for when
/// the server is idle: bulk writes leave many small segments (see migration 0003). Returns
/// whether there was anything to merge. PostgreSQL's GIN index needs no such step.
pub async fn merge_index_step(tx: &mut Tx, pages: i64) -> Result<bool, StoreError> {
    if let Tx::Postgres(_) = tx {
        return Ok(false);
    }
    // FTS5 reports no result for 'merge'; a step that changed fewer than 2 rows found nothing
    // left to merge.
    let before: i64 = db::query("select total_changes()").fetch_one(tx).await?;
    db::query("insert into record_fts (record_fts, rank) values ('merge', $1)").bind(pages).execute(tx).await?;
    let after: i64 = db::query("select total_changes()").fetch_one(tx).await?;
    Ok(after - before >= 2)
}

/// Adds many records' field texts to the index in multi-row statements: `(seq, texts)` pairs.
pub(crate) async fn index_records(tx: &mut Tx, batch: &[(i64, Vec<(i64, String)>)]) -> Result<(), StoreError> {
    let rows: Vec<(i64, i64, &str)> = batch
        .iter()
        .flat_map(|(seq, texts)| texts.iter().filter(|(_, t)| !t.is_empty()).map(move |(o, t)| (*seq, *o, t.as_str())))
        .collect();
    for chunk in rows.chunks(300) {
        let (sql, mut q) = match tx {
            Tx::Sqlite(_) => {
                // Anonymous parameters: see records::values_rows.
                let values = vec!["(?, ?)"; chunk.len()].join(", ");
                (format!("insert into record_fts (rowid, text) values {values}"), Vec::new())
            }
            Tx::Postgres(_) => {
                let values: Vec<String> = (0..chunk.len())
                    .map(|i| format!("(${}, ${}, to_tsvector('simple', ${}))", i * 3 + 1, i * 3 + 2, i * 3 + 3))
                    .collect();
                let sql =
                    format!("insert into record_texts (record_seq, field_ordinal, tsv) values {}", values.join(", "));
                (sql, Vec::new())
            }
        };
        for (seq, ordinal, text) in chunk {
            match tx {
                Tx::Sqlite(_) => {
                    q.push(Arg::from(seq * MAX_FIELDS_PER_DATASET + ordinal));
                    q.push(Arg::from(*text));
                }
                Tx::Postgres(_) => {
                    q.push(Arg::from(*seq));
                    q.push(Arg::from(*ordinal as i32));
                    q.push(Arg::from(fold_text(text)));
                }
            }
        }
        Query::with_args(&sql, &q).execute(tx).await?;
    }
    Ok(())
}
