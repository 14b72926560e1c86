//! Pairwise preference (migration 0019, issue 22): the pairing of a label question
//! (`pairwise_questions`, deleted with its question or dataset), the order the web UI showed a
//! pair in with each response (`response_shown`, deleted with the response), and judges' verdicts
//! asked in either order (`pairwise_judgements`). The rules are `loam_domain::pairwise`.

use loam_domain::{DatasetId, QuestionId, RecordId, ResponseId, Timestamp, UserId};
use serde_json::Value;
use uuid::Uuid;

use crate::db::{self, from_row, Arg, Json, Query};
use crate::{StoreError, Tx};

/// A stored pairing, its question and strength question by id.
#[derive(Clone, Debug, PartialEq)]
pub struct PairwiseRow {
    pub question_id: QuestionId,
    pub a_field: String,
    pub b_field: String,
    /// `{"a", "b", "tie", "both_bad"}`: label values (`loam_domain::pairwise::Outcomes`).
    pub outcomes: Value,
    pub strength_question_id: Option<QuestionId>,
    /// `{"a", "b"}`: rating question names, or none.
    pub ratings: Option<Value>,
}

struct Row {
    question_id: Uuid,
    a_field: String,
    b_field: String,
    outcomes: Json<Value>,
    strength_question_id: Option<Uuid>,
    ratings: Option<Json<Value>>,
}

from_row!(Row { question_id, a_field, b_field, outcomes, strength_question_id, ratings });

/// The pairings of `dataset`'s questions, by question id.
pub async fn list_pairwise(tx: &mut Tx, dataset: DatasetId) -> Result<Vec<PairwiseRow>, StoreError> {
    let sql = "select question_id, a_field, b_field, outcomes, strength_question_id, ratings \
               from pairwise_questions where dataset_id = $1 order by question_id";
    let rows = db::query(sql).bind(dataset.0).fetch_all::<Row>(tx).await?;
    Ok(rows
        .into_iter()
        .map(|row| PairwiseRow {
            question_id: QuestionId(row.question_id),
            a_field: row.a_field,
            b_field: row.b_field,
            outcomes: row.outcomes.0,
            strength_question_id: row.strength_question_id.map(QuestionId),
            ratings: row.ratings.map(|it| it.0),
        })
        .collect())
}

/// Stores the pairing of `row.question_id` (of `dataset`), replacing the one it had.
pub async fn upsert_pairwise(
    tx: &mut Tx,
    dataset: DatasetId,
    row: &PairwiseRow,
    at: Timestamp,
) -> Result<(), StoreError> {
    let sql = "insert into pairwise_questions \
               (question_id, dataset_id, a_field, b_field, outcomes, strength_question_id, ratings, updated_at) \
               values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (question_id) do update set \
               a_field = excluded.a_field, b_field = excluded.b_field, outcomes = excluded.outcomes, \
               strength_question_id = excluded.strength_question_id, ratings = excluded.ratings, \
               updated_at = excluded.updated_at";
    db::query(sql)
        .bind(row.question_id.0)
        .bind(dataset.0)
        .bind(row.a_field.as_str())
        .bind(row.b_field.as_str())
        .bind(Json(row.outcomes.clone()))
        .bind(row.strength_question_id.map(|it| it.0))
        .bind(row.ratings.clone().map(Json))
        .bind(at.0)
        .execute(tx)
        .await?;
    Ok(())
}

/// Forgets the pairing of `question` (the question and its answers stay); whether it had one.
pub async fn delete_pairwise(tx: &mut Tx, question: QuestionId) -> Result<bool, StoreError> {
    let n = db::query("delete from pairwise_questions where question_id = $1").bind(question.0).execute(tx).await?;
    Ok(n > 0)
}

/// Records that `response` was last saved with the pair of `question` shown in order `shown`.
pub async fn set_shown(
    tx: &mut Tx,
    dataset: DatasetId,
    response: ResponseId,
    question: QuestionId,
    shown: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let sql = "insert into response_shown (response_id, question_id, dataset_id, shown, updated_at) \
               values ($1, $2, $3, $4, $5) on conflict (response_id, question_id) do update set \
               shown = excluded.shown, updated_at = excluded.updated_at";
    db::query(sql).bind(response.0).bind(question.0).bind(dataset.0).bind(shown).bind(at.0).execute(tx).await?;
    Ok(())
}

/// One response to a dataset with pairwise questions: its values and the order it was shown in.
#[derive(Clone, Debug, PartialEq)]
pub struct ShownAnswer {
    pub record_id: RecordId,
    pub user_id: UserId,
    pub username: String,
    pub status: String,
    pub values: Option<Value>,
    pub shown: Option<String>,
}

struct AnswerRow {
    record_id: Uuid,
    user_id: Uuid,
    username: String,
    status: String,
    answers: Option<Json<Value>>,
    shown: Option<String>,
}

from_row!(AnswerRow { record_id, user_id, username, status, answers, shown });

/// Every response of `dataset` with the order the pair of `question` was shown in (if recorded),
/// in the records' insertion order, then by response.
pub async fn list_shown_answers(
    tx: &mut Tx,
    dataset: DatasetId,
    question: QuestionId,
) -> Result<Vec<ShownAnswer>, StoreError> {
    let sql = "select r.record_id as record_id, r.user_id as user_id, u.username as username, \
               r.status as status, r.answers as answers, s.shown as shown \
               from responses r join records rec on rec.id = r.record_id join users u on u.id = r.user_id \
               left join response_shown s on s.response_id = r.id and s.question_id = $2 \
               where r.dataset_id = $1 order by rec.seq, r.inserted_at, r.id";
    let rows = db::query(sql).long().bind(dataset.0).bind(question.0).fetch_all::<AnswerRow>(tx).await?;
    Ok(rows
        .into_iter()
        .map(|row| ShownAnswer {
            record_id: RecordId(row.record_id),
            user_id: UserId(row.user_id),
            username: row.username,
            status: row.status,
            values: row.answers.map(|it| it.0),
            shown: row.shown,
        })
        .collect())
}

/// A judge's verdict on one record's pair shown in one order.
#[derive(Clone, Debug, PartialEq)]
pub struct Judgement {
    pub record_id: RecordId,
    pub question_id: QuestionId,
    pub agent: String,
    /// `ab` or `ba`.
    pub shown: String,
    /// A canonical outcome label of the question.
    pub value: String,
    pub score: Option<f64>,
}

struct JudgementRow {
    record_id: Uuid,
    question_id: Uuid,
    agent: String,
    shown: String,
    value: String,
    score: Option<f64>,
}

from_row!(JudgementRow { record_id, question_id, agent, shown, value, score });

/// Stores `it` (of `dataset`), replacing the verdict of the same record, question, agent and order.
pub async fn upsert_judgement(
    tx: &mut Tx,
    dataset: DatasetId,
    it: &Judgement,
    at: Timestamp,
) -> Result<(), StoreError> {
    let sql = "insert into pairwise_judgements \
               (record_id, question_id, dataset_id, agent, shown, value, score, updated_at) \
               values ($1, $2, $3, $4, $5, $6, $7, $8) \
               on conflict (record_id, question_id, agent, shown) do update set \
               value = excluded.value, score = excluded.score, updated_at = excluded.updated_at";
    db::query(sql)
        .bind(it.record_id.0)
        .bind(it.question_id.0)
        .bind(dataset.0)
        .bind(it.agent.as_str())
        .bind(it.shown.as_str())
        .bind(it.value.as_str())
        .bind(it.score)
        .bind(at.0)
        .execute(tx)
        .await?;
    Ok(())
}

/// The verdicts on `dataset`'s pairs, by record, question, agent and order.
pub async fn list_judgements(tx: &mut Tx, dataset: DatasetId) -> Result<Vec<Judgement>, StoreError> {
    let sql = "select record_id, question_id, agent, shown, value, score from pairwise_judgements \
               where dataset_id = $1 order by record_id, question_id, agent, shown";
    let rows = db::query(sql).long().bind(dataset.0).fetch_all::<JudgementRow>(tx).await?;
    Ok(rows
        .into_iter()
        .map(|row| Judgement {
            record_id: RecordId(row.record_id),
            question_id: QuestionId(row.question_id),
            agent: row.agent,
            shown: row.shown,
            value: row.value,
            score: row.score,
        })
        .collect())
}

/// Ids per statement when reading by a list of ids (well below both engines' parameter limits).
const IDS_PER_STATEMENT: usize = 500;

/// The recorded shown orders of `responses`, as (response, question, order).
pub async fn list_shown_of(
    tx: &mut Tx,
    responses: &[ResponseId],
) -> Result<Vec<(ResponseId, QuestionId, String)>, StoreError> {
    let mut res = Vec::new();
    for chunk in responses.chunks(IDS_PER_STATEMENT) {
        let sql = format!(
            "select response_id, question_id, shown from response_shown where response_id in ({})",
            crate::records::placeholders(1, chunk.len())
        );
        let args: Vec<Arg> = chunk.iter().map(|id| Arg::from(id.0)).collect();
        let rows: Vec<(Uuid, Uuid, String)> = Query::with_args(&sql, &args).fetch_all(tx).await?;
        res.extend(rows.into_iter().map(|(r, q, s)| (ResponseId(r), QuestionId(q), s)));
    }
    Ok(res)
}

/// The verdicts on `records`' pairs.
pub async fn list_judgements_of(tx: &mut Tx, records: &[RecordId]) -> Result<Vec<Judgement>, StoreError> {
    let mut res = Vec::new();
    for chunk in records.chunks(IDS_PER_STATEMENT) {
        let sql = format!(
            "select record_id, question_id, agent, shown, value, score from pairwise_judgements \
             where record_id in ({}) order by record_id, question_id, agent, shown",
            crate::records::placeholders(1, chunk.len())
        );
        let args: Vec<Arg> = chunk.iter().map(|id| Arg::from(id.0)).collect();
        let rows: Vec<JudgementRow> = Query::with_args(&sql, &args).fetch_all(tx).await?;
        res.extend(rows.into_iter().map(|row| Judgement {
            record_id: RecordId(row.record_id),
            question_id: QuestionId(row.question_id),
            agent: row.agent,
            shown: row.shown,
            value: row.value,
            score: row.score,
        }));
    }
    Ok(res)
}
