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

/// The marks of `dataset` as `tx` sees it: each table's from one of its indexes alone (migration
/// 0020: `records_dataset_seq_updated`, `responses_dataset_user_status_updated`,
/// `suggestions_question_updated` end with `updated_at`), not from a pass over the rows.
///
/// The suggestions are those of the dataset's questions, which are those of its records: a
/// suggestion is written only for a question of its record's dataset
/// (`loam_service::records::validate`, `Service::upsert_suggestion`) and goes with either.
pub async fn state_marks(tx: &mut Tx, dataset: DatasetId) -> Result<StateMarks, StoreError> {
    let sql = "select rec.n as records, rec.top as max_seq, rec.updated as records_updated, \
        resp.n as responses, resp.updated as responses_updated, \
        sugg.n as suggestions, sugg.updated as suggestions_updated, \
        coalesce((select cast(sum(version) as bigint) from vector_settings where dataset_id = $1), 0) as vectors_version, \
        pw.n as pairwise, pw.updated as pairwise_updated \
        from (select count(*) as n, coalesce(max(seq), 0) as top, coalesce(max(updated_at), 0) as updated \
              from records where dataset_id = $1) rec, \
             (select count(*) as n, coalesce(max(updated_at), 0) as updated \
              from responses where dataset_id = $1) resp, \
             (select count(*) as n, coalesce(max(updated_at), 0) as updated \
              from suggestions where question_id in (select id from questions where dataset_id = $1)) sugg, \
             (select count(*) as n, coalesce(max(u.updated_at), 0) as updated from \
               (select updated_at from pairwise_questions where dataset_id = $1 \
                union all select updated_at from response_shown where dataset_id = $1 \
                union all select updated_at from pairwise_judgements where dataset_id = $1) u) pw";
    db::query(sql).long().bind(dataset.0).fetch_one::<StateMarks>(tx).await
}
