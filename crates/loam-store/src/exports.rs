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
}

from_row!(StateMarks {
    records,
    max_seq,
    records_updated,
    responses,
    responses_updated,
    suggestions,
    suggestions_updated,
    vectors_version
});

/// The marks of `dataset` as `tx` sees it. Scans the dataset's rows once per table.
pub async fn state_marks(tx: &mut Tx, dataset: DatasetId) -> Result<StateMarks, StoreError> {
    let sql = "select \
        coalesce((select count(*) from records where dataset_id = $1), 0) as records, \
        coalesce((select max(seq) from records where dataset_id = $1), 0) as max_seq, \
        coalesce((select max(updated_at) from records where dataset_id = $1), 0) as records_updated, \
        coalesce((select count(*) from responses where dataset_id = $1), 0) as responses, \
        coalesce((select max(updated_at) from responses where dataset_id = $1), 0) as responses_updated, \
        coalesce((select count(*) from suggestions s join records r on r.id = s.record_id where r.dataset_id = $1), 0) as suggestions, \
        coalesce((select max(s.updated_at) from suggestions s join records r on r.id = s.record_id where r.dataset_id = $1), 0) as suggestions_updated, \
        coalesce((select cast(sum(version) as bigint) from vector_settings where dataset_id = $1), 0) as vectors_version";
    db::query(sql).long().bind(dataset.0).fetch_one::<StateMarks>(tx).await
}
