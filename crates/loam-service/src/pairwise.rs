//! Pairwise preference (issue 22, loam extensions): the pairing of label questions (listed to
//! anyone who reads the dataset; switched on, marked and unmarked by its managers), the order the
//! web UI showed a pair in with each saved response (checked here, stored through
//! `response_write.rs`), and the answers with their shown order, what exports, audits and tests
//! read. The rules are `loam_domain::pairwise`; the rows `loam_store::pairwise`.
//!
//! "Switch to pairwise" creates its label questions through the creation rules of `settings.rs`
//! (`insert_question_when`), the one place allowed to add a question to a published dataset, in
//! the transaction that stores the pairing.

use loam_domain::model::{DatasetSchema, User};
use loam_domain::pairwise::{
    check_fields, check_pairing, check_ratings, strength_labels, strength_name, switch_labels, Outcomes, Pairing,
    PairingRequest, Ratings, Shown, Strength,
};
use loam_domain::settings::QuestionSettings;
use loam_domain::{DatasetId, RecordId, UserId};
use loam_store::pairwise::{self as store, PairwiseRow};
use loam_store::Tx;
use serde_json::{json, Value};

use crate::datasets::{managed_dataset, readable_dataset};
use crate::settings::{insert_question_when, Kept, NewQuestion, Publishing};
use crate::{now, Error, Result, Service};

/// `POST …/pairwise`: the questions to create and the pairing to store.
#[derive(Clone, Debug, PartialEq)]
pub struct SwitchPairwise {
    pub name: String,
    pub title: String,
    pub description: Option<String>,
    pub a: String,
    pub b: String,
    pub tie: bool,
    pub both_bad: bool,
    pub strength: bool,
    pub required: bool,
    pub ratings: Option<Ratings>,
}

/// `PUT …/pairwise/{name}`: an existing label question's pairing.
#[derive(Clone, Debug, PartialEq)]
pub struct MarkPairwise {
    pub a: String,
    pub b: String,
    pub outcomes: Outcomes,
    pub strength: Option<String>,
    pub ratings: Option<Ratings>,
}

/// One response's answer to a pairwise question, with the order it was shown in.
#[derive(Clone, Debug, PartialEq)]
pub struct PairwiseAnswer {
    pub record_id: RecordId,
    pub user_id: UserId,
    pub username: String,
    pub status: String,
    /// The canonical outcome label answered, if any.
    pub value: Option<String>,
    /// The strength level answered, if the pairing has a strength question and it was answered.
    pub strength: Option<String>,
    pub shown: Option<Shown>,
}

impl Service {
    /// The pairings of `dataset`'s questions (anyone who reads the dataset: the web UI needs them).
    pub async fn pairwise_questions(&self, actor: &User, dataset: DatasetId) -> Result<Vec<Pairing>> {
        let mut tx = self.store.read().await?;
        let ds = readable_dataset(&mut tx, actor, dataset).await?;
        let schema = self.schemas.get(&mut tx, &ds).await?;
        pairings(&mut tx, dataset, &schema).await
    }

    /// Creates a label question (and its strength question) comparing two text fields, and its
    /// pairing, in one transaction; also on a published dataset.
    pub async fn switch_to_pairwise(&self, actor: &User, dataset: DatasetId, new: SwitchPairwise) -> Result<Pairing> {
        let mut tx = self.store.write().await?;
        let ds = managed_dataset(&mut tx, actor, dataset).await?;
        let schema = self.schemas.get(&mut tx, &ds).await?;
        check_fields(&schema, &new.a, &new.b).map_err(Error::Invalid)?;
        if let Some(ratings) = &new.ratings {
            check_ratings(&schema, ratings).map_err(Error::Invalid)?;
        }
        let strength_question = strength_name(&new.name);
        if new.strength && strength_question.chars().count() > 200 {
            return Err(Error::invalid(format!(
                "the strength question's name '{strength_question}' would be longer than 200 characters"
            )));
        }
        let question = NewQuestion {
            name: new.name.clone(),
            title: new.title,
            description: new.description,
            required: new.required,
            settings: QuestionSettings::LabelSelection {
                options: switch_labels(new.tie, new.both_bad),
                visible_options: None,
            },
        };
        let question = insert_question_when(&mut tx, &ds, question, Kept::fresh(), Publishing::EvenPublished).await?;
        let strength = if new.strength {
            let levels = strength_labels();
            let created = insert_question_when(
                &mut tx,
                &ds,
                NewQuestion {
                    name: strength_question,
                    title: "How strong is the preference?".into(),
                    description: None,
                    required: false,
                    settings: QuestionSettings::LabelSelection { options: levels.clone(), visible_options: None },
                },
                Kept::fresh(),
                Publishing::EvenPublished,
            )
            .await?;
            Some(Strength {
                question: created.name,
                question_id: created.id,
                levels: levels.into_iter().map(|it| it.value).collect(),
            })
        } else {
            None
        };
        let pairing = Pairing {
            question: question.name,
            question_id: question.id,
            a: new.a,
            b: new.b,
            outcomes: Outcomes::standard(new.tie, new.both_bad),
            strength,
            ratings: new.ratings,
        };
        store::upsert_pairwise(&mut tx, dataset, &row_of(&pairing), now()).await?;
        tx.commit().await?;
        Ok(pairing)
    }

    /// Marks the existing label question `name` as pairwise (or changes its pairing).
    pub async fn mark_pairwise(
        &self,
        actor: &User,
        dataset: DatasetId,
        name: &str,
        mark: MarkPairwise,
    ) -> Result<Pairing> {
        let mut tx = self.store.write().await?;
        let ds = managed_dataset(&mut tx, actor, dataset).await?;
        let schema = self.schemas.get(&mut tx, &ds).await?;
        if !schema.questions.iter().any(|it| it.name == name) {
            return Err(Error::NotFound(format!(
                "Question with name `{name}` not found in dataset with id `{dataset}`"
            )));
        }
        let req = PairingRequest {
            question: name.to_owned(),
            a: mark.a,
            b: mark.b,
            outcomes: mark.outcomes,
            strength: mark.strength,
            ratings: mark.ratings,
        };
        let pairing = check_pairing(&schema, &req).map_err(Error::Invalid)?;
        store::upsert_pairwise(&mut tx, dataset, &row_of(&pairing), now()).await?;
        tx.commit().await?;
        Ok(pairing)
    }

    /// Unmarks the pairwise question `name` (the question and its answers stay); the pairing it had.
    pub async fn unmark_pairwise(&self, actor: &User, dataset: DatasetId, name: &str) -> Result<Pairing> {
        let mut tx = self.store.write().await?;
        let ds = managed_dataset(&mut tx, actor, dataset).await?;
        let schema = self.schemas.get(&mut tx, &ds).await?;
        let pairing = find_pairing(&mut tx, dataset, &schema, Some(name)).await?;
        store::delete_pairwise(&mut tx, pairing.question_id).await?;
        tx.commit().await?;
        Ok(pairing)
    }

    /// Every response's answer to the pairwise question `question` (the dataset's only one when
    /// `None`), with its strength and shown order, in the records' insertion order.
    pub async fn pairwise_answers(
        &self,
        actor: &User,
        dataset: DatasetId,
        question: Option<&str>,
    ) -> Result<(Pairing, Vec<PairwiseAnswer>)> {
        let mut tx = self.store.read().await?;
        let ds = managed_dataset(&mut tx, actor, dataset).await?;
        let schema = self.schemas.get(&mut tx, &ds).await?;
        let pairing = find_pairing(&mut tx, dataset, &schema, question).await?;
        let rows = store::list_shown_answers(&mut tx, dataset, pairing.question_id).await?;
        let answer_of = |values: &Option<Value>, name: &str| {
            values
                .as_ref()
                .and_then(|it| it.get(name))
                .and_then(|it| it.get("value"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let answers = rows
            .into_iter()
            .map(|row| PairwiseAnswer {
                record_id: row.record_id,
                user_id: row.user_id,
                username: row.username,
                status: row.status,
                value: answer_of(&row.values, &pairing.question),
                strength: pairing.strength.as_ref().and_then(|s| answer_of(&row.values, &s.question)),
                shown: row.shown.as_deref().and_then(Shown::parse),
            })
            .collect();
        Ok((pairing, answers))
    }
}

/// The stored form of `pairing`.
fn row_of(pairing: &Pairing) -> PairwiseRow {
    PairwiseRow {
        question_id: pairing.question_id,
        a_field: pairing.a.clone(),
        b_field: pairing.b.clone(),
        outcomes: pairing.outcomes.to_json(),
        strength_question_id: pairing.strength.as_ref().map(|it| it.question_id),
        ratings: pairing.ratings.as_ref().map(|it| json!({"a": it.a, "b": it.b})),
    }
}

/// The pairings of `dataset` (whose settings are `schema`), with names and levels resolved, in
/// the settings' question order. A strength question that is no longer a label question counts
/// as none.
pub(crate) async fn pairings(tx: &mut Tx, dataset: DatasetId, schema: &DatasetSchema) -> Result<Vec<Pairing>> {
    let rows = store::list_pairwise(tx, dataset).await?;
    let mut res = Vec::with_capacity(rows.len());
    for question in &schema.questions {
        let Some(row) = rows.iter().find(|it| it.question_id == question.id) else { continue };
        let outcomes = Outcomes::parse(&row.outcomes, &[])
            .map_err(|err| Error::Failed(format!("stored outcomes of question {}: {}", question.id, err.msg)))?;
        let strength = row.strength_question_id.and_then(|id| {
            let q = schema.questions.iter().find(|it| it.id == id)?;
            let QuestionSettings::LabelSelection { options, .. } = &q.settings else { return None };
            Some(Strength {
                question: q.name.clone(),
                question_id: q.id,
                levels: options.iter().map(|it| it.value.clone()).collect(),
            })
        });
        let ratings = row.ratings.as_ref().and_then(|it| {
            Some(Ratings { a: it.get("a")?.as_str()?.to_owned(), b: it.get("b")?.as_str()?.to_owned() })
        });
        res.push(Pairing {
            question: question.name.clone(),
            question_id: question.id,
            a: row.a_field.clone(),
            b: row.b_field.clone(),
            outcomes,
            strength,
            ratings,
        });
    }
    Ok(res)
}

/// The pairing of question `name`, or the dataset's only one when `None`; a 404 or 422 naming
/// what is missing otherwise.
pub(crate) async fn find_pairing(
    tx: &mut Tx,
    dataset: DatasetId,
    schema: &DatasetSchema,
    name: Option<&str>,
) -> Result<Pairing> {
    let mut all = pairings(tx, dataset, schema).await?;
    match name {
        Some(name) => match all.iter().position(|it| it.question == name) {
            Some(at) => Ok(all.swap_remove(at)),
            None => Err(Error::NotFound(format!(
                "Question with name `{name}` is not a pairwise question of dataset with id `{dataset}`"
            ))),
        },
        None if all.len() == 1 => Ok(all.swap_remove(0)),
        None => {
            let names: Vec<String> = all.iter().map(|it| format!("'{}'", it.question)).collect();
            Err(Error::invalid(format!(
                "name the pairwise question with `question`: the dataset has {} ({})",
                all.len(),
                names.join(", ")
            )))
        }
    }
}

/// The `loam_shown` of a save checked against `dataset`'s pairings: each name a pairwise question.
pub(crate) async fn checked_shown(
    tx: &mut Tx,
    dataset: DatasetId,
    schema: &DatasetSchema,
    shown: &[(String, Shown)],
) -> Result<Vec<(loam_domain::QuestionId, Shown)>> {
    if shown.is_empty() {
        return Ok(Vec::new());
    }
    let all = pairings(tx, dataset, schema).await?;
    shown
        .iter()
        .map(|(name, order)| match all.iter().find(|it| &it.question == name) {
            Some(pairing) => Ok((pairing.question_id, *order)),
            None => Err(Error::invalid(format!(
                "`loam_shown`: '{name}' is not a pairwise question of dataset with id `{dataset}`"
            ))),
        })
        .collect()
}
