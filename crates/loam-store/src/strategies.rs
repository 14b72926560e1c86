//! Consolidation strategies stored with a dataset (migration 0015): at most one per question, as
//! the JSON `loam_domain::consolidation::Strategy` renders; a question without one has its type's
//! default. Rows go with their question or dataset (`on delete cascade`).

use loam_domain::{DatasetId, QuestionId, Timestamp};
use serde_json::Value;
use uuid::Uuid;

use crate::db::{self, Json};
use crate::{StoreError, Tx};

/// The stored strategies of `dataset`'s questions, by question.
pub async fn list_strategies(tx: &mut Tx, dataset: DatasetId) -> Result<Vec<(QuestionId, Value)>, StoreError> {
    let sql = "select question_id, strategy from question_strategies where dataset_id = $1 order by question_id";
    let rows = db::query(sql).bind(dataset.0).fetch_all::<(Uuid, Json<Value>)>(tx).await?;
    Ok(rows.into_iter().map(|(question, strategy)| (QuestionId(question), strategy.0)).collect())
}

/// Stores `strategy` for `question` of `dataset`, replacing the one it had.
pub async fn upsert_strategy(
    tx: &mut Tx,
    dataset: DatasetId,
    question: QuestionId,
    strategy: &Value,
    at: Timestamp,
) -> Result<(), StoreError> {
    let sql = "insert into question_strategies (question_id, dataset_id, strategy, updated_at) \
               values ($1, $2, $3, $4) on conflict (question_id) do update set \
               strategy = excluded.strategy, updated_at = excluded.updated_at";
    db::query(sql).bind(question.0).bind(dataset.0).bind(Json(strategy.clone())).bind(at.0).execute(tx).await?;
    Ok(())
}

/// Forgets the strategy of `question` (it has its default again); whether there was one.
pub async fn delete_strategy(tx: &mut Tx, question: QuestionId) -> Result<bool, StoreError> {
    let n = db::query("delete from question_strategies where question_id = $1").bind(question.0).execute(tx).await?;
    Ok(n > 0)
}
