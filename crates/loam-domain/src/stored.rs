//! A batch of annotated records as stored: ids and statuses read, JSON columns still text,
//! borrowed from the buffer the batch was read into (`loam_store::annotated::RawBatch::stored`).
//! What the `records` export reads (`loam_export::records`), parsing only what it writes with
//! [`JsonRef`] instead of building `AnnotatedRecord`s of `serde_json::Value` trees.

use std::ops::Range;

use crate::answer::{Answer, Ballot};
use crate::distribution::RecordStatus;
use crate::json_ref::JsonRef;
use crate::model::DatasetSchema;
use crate::value::ResponseStatus;
use crate::{QuestionId, RecordId, UserId};

/// A record of a batch with its responses and suggestions (in creation order, as
/// `AnnotatedRecord` holds them).
#[derive(Clone, Copy, Debug)]
pub struct StoredRecord<'a> {
    pub id: RecordId,
    pub external_id: Option<&'a str>,
    /// The `fields` object as JSON text (`None`: not read).
    pub fields: Option<&'a str>,
    /// The `metadata` object as JSON text (`None`: none, or not read).
    pub metadata: Option<&'a str>,
    pub status: RecordStatus,
    pub responses: &'a [StoredResponse<'a>],
    pub suggestions: &'a [StoredSuggestion<'a>],
}

#[derive(Clone, Copy, Debug)]
pub struct StoredResponse<'a> {
    pub user_id: UserId,
    pub username: &'a str,
    /// `{"<question>": {"value": …}}` as JSON text (`None` for NULL).
    pub answers: Option<&'a str>,
    pub status: ResponseStatus,
}

#[derive(Clone, Copy, Debug)]
pub struct StoredSuggestion<'a> {
    pub question_id: QuestionId,
    /// The value as JSON text.
    pub value: &'a str,
    /// The score as JSON text (`None` for NULL).
    pub score: Option<&'a str>,
    pub agent: Option<&'a str>,
}

/// A record of [`StoredBatch`]: its responses and suggestions as ranges of the batch's.
#[derive(Clone, Debug)]
pub struct StoredHead<'a> {
    pub id: RecordId,
    pub external_id: Option<&'a str>,
    pub fields: Option<&'a str>,
    pub metadata: Option<&'a str>,
    pub status: RecordStatus,
    pub responses: Range<usize>,
    pub suggestions: Range<usize>,
}

/// The records of a batch, each with its run of the batch's responses and suggestions.
#[derive(Clone, Debug, Default)]
pub struct StoredBatch<'a> {
    pub records: Vec<StoredHead<'a>>,
    pub responses: Vec<StoredResponse<'a>>,
    pub suggestions: Vec<StoredSuggestion<'a>>,
}

impl<'a> StoredBatch<'a> {
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The records in order (a head whose ranges fall outside the batch's lists gets none).
    pub fn iter(&self) -> impl Iterator<Item = StoredRecord<'_>> + '_ {
        self.records.iter().map(|head| StoredRecord {
            id: head.id,
            external_id: head.external_id,
            fields: head.fields,
            metadata: head.metadata,
            status: head.status,
            responses: self.responses.get(head.responses.clone()).unwrap_or_default(),
            suggestions: self.suggestions.get(head.suggestions.clone()).unwrap_or_default(),
        })
    }
}

impl<'a> StoredRecord<'a> {
    /// Each response's answers, parsed (`None` for NULL), in the responses' order.
    pub fn answers(&self) -> Result<Vec<Option<JsonRef<'a>>>, serde_json::Error> {
        self.responses.iter().map(|it| it.answers.map(JsonRef::parse).transpose()).collect()
    }

    /// How many of its responses are submitted.
    pub fn submitted(&self) -> usize {
        self.responses.iter().filter(|it| it.status == ResponseStatus::Submitted).count()
    }

    /// The submitted responses' answers, one ballot per annotator, in the responses' order:
    /// what `AnnotatedRecord::ballots` gives of the same record. `answers` is
    /// [`StoredRecord::answers`].
    pub fn ballots(&self, schema: &DatasetSchema, answers: &[Option<JsonRef<'a>>]) -> Vec<Ballot> {
        self.responses
            .iter()
            .zip(answers)
            .filter(|(it, _)| it.status == ResponseStatus::Submitted)
            .map(|(it, values)| Ballot {
                username: it.username.to_owned(),
                answers: read_answers(schema, values.as_ref()),
            })
            .collect()
    }
}

/// `answer::read_answers` of parsed answers.
fn read_answers(schema: &DatasetSchema, values: Option<&JsonRef<'_>>) -> std::collections::BTreeMap<String, Answer> {
    let mut answers = std::collections::BTreeMap::new();
    let Some(values @ JsonRef::Object(_)) = values else {
        return answers;
    };
    for question in &schema.questions {
        let value = values.get(&question.name).and_then(|it| it.get("value"));
        if let Some(answer) = value.and_then(|it| Answer::read(&question.settings, &it.to_value())) {
            answers.insert(question.name.clone(), answer);
        }
    }
    answers
}
