//! What an import compares between the server it read and loam: a dataset's rows counted by
//! kind (records, responses by status, suggestions, vectors), each in one statement.

use loam_domain::DatasetId;

use crate::{db, StoreError, Tx};

/// A dataset's rows, counted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RowCounts {
    pub records: i64,
    pub submitted: i64,
    pub draft: i64,
    pub discarded: i64,
    pub suggestions: i64,
    pub vectors: i64,
}

pub async fn row_counts(tx: &mut Tx, dataset: DatasetId) -> Result<RowCounts, StoreError> {
    let records = db::query("select count(*) from records where dataset_id = $1")
        .long()
        .bind(dataset.0)
        .fetch_one::<i64>(tx)
        .await?;
    let sql = "select status, count(*) from responses where dataset_id = $1 group by status";
    let by_status: Vec<(String, i64)> = db::query(sql).long().bind(dataset.0).fetch_all(tx).await?;
    let sql = "select count(*) from suggestions s join records r on r.id = s.record_id where r.dataset_id = $1";
    let suggestions = db::query(sql).long().bind(dataset.0).fetch_one::<i64>(tx).await?;
    let sql = "select count(*) from vectors v join records r on r.id = v.record_id where r.dataset_id = $1";
    let vectors = db::query(sql).long().bind(dataset.0).fetch_one::<i64>(tx).await?;
    let mut res = RowCounts { records, suggestions, vectors, ..RowCounts::default() };
    for (status, n) in by_status {
        match status.as_str() {
            "submitted" => res.submitted = n,
            "draft" => res.draft = n,
            "discarded" => res.discarded = n,
            _ => {}
        }
    }
    Ok(res)
}
