//! Suggestions: one per (record, question).

use crate::db::Json;
use loam_domain::model::Suggestion;
use loam_domain::{RecordId, SuggestionId};

use crate::records::{placeholders, values_rows};
use crate::rows::SuggestionRow;
use crate::{db, StoreError, Tx};

const COLUMNS: &str = "id, record_id, question_id, value, score, agent, kind, inserted_at, updated_at";

/// Inserts or replaces the suggestion of (record, question); returns the stored row and whether
/// it was created.
pub async fn upsert_suggestion(tx: &mut Tx, s: &Suggestion) -> Result<(Suggestion, bool), StoreError> {
    let existing = {
        let sql = "select id from suggestions where record_id = $1 and question_id = $2";
        let id: Option<uuid::Uuid> =
            db::query(sql).bind(s.record_id.0).bind(s.question_id.0).fetch_optional(tx).await?;
        id
    };
    let score = if s.score.is_null() { None } else { Some(Json(s.score.clone())) };
    match existing {
        Some(id) => {
            let sql =
                "update suggestions set value = $2, score = $3, agent = $4, kind = $5, updated_at = $6 where id = $1";
            db::query(sql)
                .bind(id)
                .bind(Json(s.value.clone()))
                .bind(score.clone())
                .bind(&s.agent)
                .bind(&s.kind)
                .bind(s.updated_at.0)
                .execute(tx)
                .await?;
            let stored = find_suggestion(tx, SuggestionId(id)).await?;
            Ok((stored.unwrap_or_else(|| s.clone()), false))
        }
        None => {
            let sql = format!("insert into suggestions ({COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
            db::query(&sql)
                .bind(s.id.0)
                .bind(s.record_id.0)
                .bind(s.question_id.0)
                .bind(Json(s.value.clone()))
                .bind(score.clone())
                .bind(&s.agent)
                .bind(&s.kind)
                .bind(s.inserted_at.0)
                .bind(s.updated_at.0)
                .execute(tx)
                .await?;
            Ok((s.clone(), true))
        }
    }
}

pub async fn find_suggestion(tx: &mut Tx, id: SuggestionId) -> Result<Option<Suggestion>, StoreError> {
    let sql = format!("select {COLUMNS} from suggestions where id = $1");
    let row = db::query(&sql).bind(id.0).fetch_optional::<SuggestionRow>(tx).await?;
    Ok(row.map(Suggestion::from))
}

/// Suggestions of the given records, by creation.
pub async fn list_suggestions(tx: &mut Tx, records: &[RecordId]) -> Result<Vec<Suggestion>, StoreError> {
    if records.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "select {COLUMNS} from suggestions where record_id in ({}) order by inserted_at, id",
        placeholders(1, records.len())
    );
    let rows = db::query(&sql).bind_all(records.iter().map(|id| id.0)).fetch_all::<SuggestionRow>(tx).await?;
    Ok(rows.into_iter().map(Suggestion::from).collect())
}

pub async fn delete_suggestion(tx: &mut Tx, id: SuggestionId) -> Result<(), StoreError> {
    db::query("delete from suggestions where id = $1").bind(id.0).execute(tx).await?;
    Ok(())
}

/// Deletes all suggestions of a record.
pub async fn delete_suggestions_of(tx: &mut Tx, record: RecordId) -> Result<(), StoreError> {
    db::query("delete from suggestions where record_id = $1").bind(record.0).execute(tx).await?;
    Ok(())
}

/// Deletes the suggestions of `record` among `ids`.
pub async fn delete_suggestions(tx: &mut Tx, record: RecordId, ids: &[SuggestionId]) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let sql = format!("delete from suggestions where record_id = $1 and id in ({})", placeholders(2, ids.len()));
    db::query(&sql).bind(record.0).bind_all(ids.iter().map(|id| id.0)).execute(tx).await?;
    Ok(())
}

/// Distinct agents per question of a dataset (question id, agent), for the UI's filter options.
pub async fn list_agents(
    tx: &mut Tx,
    dataset: loam_domain::DatasetId,
) -> Result<Vec<(uuid::Uuid, String)>, StoreError> {
    let sql = "select distinct s.question_id, s.agent from suggestions s join questions q on q.id = s.question_id \
               where q.dataset_id = $1 and s.agent is not null order by s.agent";
    db::query(sql).long().bind(dataset.0).fetch_all::<(uuid::Uuid, String)>(tx).await
}

/// Inserts or replaces (per record and question) many suggestions in multi-row statements. A
/// replaced suggestion keeps its id and `inserted_at`.
pub async fn upsert_suggestions(tx: &mut Tx, batch: &[Suggestion]) -> Result<(), StoreError> {
    for chunk in batch.chunks(200) {
        let sql = format!(
            "insert into suggestions ({COLUMNS}) values {} on conflict (record_id, question_id) do update set \
             value = excluded.value, score = excluded.score, agent = excluded.agent, kind = excluded.kind, \
             updated_at = excluded.updated_at",
            values_rows(tx, chunk.len(), 9)
        );
        let mut q = db::query(&sql);
        for s in chunk {
            let score = if s.score.is_null() { None } else { Some(Json(s.score.clone())) };
            q = q
                .bind(s.id.0)
                .bind(s.record_id.0)
                .bind(s.question_id.0)
                .bind(Json(s.value.clone()))
                .bind(score)
                .bind(&s.agent)
                .bind(&s.kind)
                .bind(s.inserted_at.0)
                .bind(s.updated_at.0);
        }
        q.execute(tx).await?;
    }
    Ok(())
}
