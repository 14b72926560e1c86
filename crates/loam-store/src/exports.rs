//! What the exports read besides the records themselves: marks of a dataset's state that change
//! with every write to its records, responses, suggestions or vectors (a build id is a digest of
//! them, so the same data gives the same id).

use loam_domain::DatasetId;

use crate::db::{self, from_row};
use crate::{StoreError, Tx};

/// Counts and high-water marks of a dataset's rows; any write to them changes at least one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StateMarks {
    pub records: i64,
    pub max_seq: i64,
    pub records_updated: i64,
    pub responses: i64,
    pub responses_updated: i64,
    pub suggestions: i64,
    pub suggestions_updated: i64,
    /// The sum of the dataset's vector settings' versions (raised by every vector write).
    pub vectors_version: i64,
    /// Rows of the pairwise tables (pairings, shown orders, judges' verdicts: issue 22), which
    /// change a training export's rows and provenance without touching the tables above.
    pub pairwise: i64,
    pub pairwise_updated: i64,
}

from_row!(StateMarks {
    records,
    max_seq,
    records_updated,
    responses,
    responses_updated,
    suggestions,
    suggestions_updated,
    vectors_version,
    pairwise,
    pairwise_updated
});

/// The marks of `dataset` as `tx` sees it. Scans the dataset's rows once per table (each table's
/// count and high-water marks come from the same pass).
///
/// On SQLite, the responses of a dataset that holds most of the database's records are read by
/// one pass over the table rather than through `responses_dataset_user`: that index is in user
/// order, so reading each response's row through it took one pass over the table per annotator
/// (1.4 s instead of 0.7 s for 3,000,000 responses by three annotators). The counts of records
/// per dataset (`datasets.records_count`) decide; both ways give the same marks.
pub async fn state_marks(tx: &mut Tx, dataset: DatasetId) -> Result<StateMarks, StoreError> {
    let sqlite = matches!(tx, Tx::Sqlite(_));
    let responses =
        if sqlite && holds_most_records(tx, dataset).await? { "+dataset_id = $1" } else { "dataset_id = $1" };
    let sql = format!(
        "select rec.n as records, rec.top as max_seq, rec.updated as records_updated, \
        resp.n as responses, resp.updated as responses_updated, \
        sugg.n as suggestions, sugg.updated as suggestions_updated, \
        coalesce((select cast(sum(version) as bigint) from vector_settings where dataset_id = $1), 0) as vectors_version, \
        pw.n as pairwise, pw.updated as pairwise_updated \
        from (select count(*) as n, coalesce(max(seq), 0) as top, coalesce(max(updated_at), 0) as updated \
              from records where dataset_id = $1) rec, \
             (select count(*) as n, coalesce(max(updated_at), 0) as updated \
              from responses where {responses}) resp, \
             (select count(*) as n, coalesce(max(s.updated_at), 0) as updated \
              from records r join suggestions s on s.record_id = r.id where r.dataset_id = $1) sugg, \
             (select count(*) as n, coalesce(max(u.updated_at), 0) as updated from \
               (select updated_at from pairwise_questions where dataset_id = $1 \
                union all select updated_at from response_shown where dataset_id = $1 \
                union all select updated_at from pairwise_judgements where dataset_id = $1) u) pw"
    );
    db::query(&sql).long().bind(dataset.0).fetch_one::<StateMarks>(tx).await
}

/// Whether `dataset` holds more than half of the database's records (by the datasets' counts).
async fn holds_most_records(tx: &mut Tx, dataset: DatasetId) -> Result<bool, StoreError> {
    let sql = "select coalesce(sum(records_count), 0), \
               coalesce(sum(case when id = $1 then records_count else 0 end), 0) from datasets";
    let (all, mine): (i64, i64) = db::query(sql).bind(dataset.0).fetch_one(tx).await?;
    Ok(mine * 2 > all)
}
