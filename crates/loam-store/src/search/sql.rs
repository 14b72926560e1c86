//! The search's SQL builder: renders a [`RecordQuery`]'s conditions, sort keys and text match as
//! the `from … where …` and `order by` parts of a statement over `records r`, with its arguments.
//! What each engine spells its own way comes from its [`Dialect`]; nothing here matches on the
//! engine.

use loam_domain::{DatasetId, UserId};
use serde_json::Value;
use uuid::Uuid;

use super::query::{Bound, Condition, RecordQuery, Target};
use crate::db::Arg;
use crate::dialect::{self, Dialect};
use crate::Tx;

/// A query being built: its text and arguments, for one engine.
pub(super) struct Sql {
    pub(super) text: String,
    pub(super) args: Vec<Arg>,
    pub(super) dialect: Dialect,
    /// The placeholder of the searched dataset's id, once [`Sql::matching_records`] has bound it.
    pub(super) dataset: String,
    /// Render metadata conditions as a probe per record (`exists`, a primary-key lookup) rather
    /// than a set of matching records (`in`, an index range): for when few records are visited
    /// anyway (a text match, or a walk of a sort index that stops at the page's end).
    pub(super) correlated: bool,
}

impl Sql {
    /// An empty statement for `dialect`.
    pub(super) fn new(dialect: Dialect) -> Self {
        Sql { text: String::new(), args: Vec::new(), dialect, dataset: String::new(), correlated: false }
    }

    /// An empty statement for the engine `tx` runs on.
    pub(super) fn on(tx: &Tx) -> Self {
        Self::new(Dialect::of(tx))
    }

    /// Binds `arg` and returns its placeholder.
    pub(super) fn push(&mut self, arg: impl Into<Arg>) -> String {
        dialect::bind(&mut self.args, arg)
    }

    /// See [`Dialect::json_elements`].
    pub(super) fn json_elements(&mut self, doc: &str, keys: &[&str]) -> String {
        self.dialect.json_elements(&mut self.args, doc, keys)
    }

    /// See [`Dialect::json_at`].
    pub(super) fn json_at(&mut self, doc: &str, keys: &[&str]) -> String {
        self.dialect.json_at(&mut self.args, doc, keys)
    }

    /// See [`Dialect::json_number`].
    pub(super) fn json_number(&self, json: &str) -> String {
        self.dialect.json_number(json)
    }

    /// `json` (each `j.value` of [`Sql::json_elements`], or [`Sql::json_at`]) is one of `values`
    /// (JSON scalars: strings compare as text, numbers numerically).
    fn json_in(&mut self, json: &str, values: &[Value]) -> String {
        if values.is_empty() {
            return "1 = 0".to_owned();
        }
        let list: Vec<String> = values.iter().map(|it| self.dialect.json_scalar(&mut self.args, it)).collect();
        format!("{json} in ({})", list.join(", "))
    }

    /// A text column is one of `values` (non-strings compare as their JSON text).
    fn text_in(&mut self, column: &str, values: &[Value]) -> String {
        if values.is_empty() {
            return "1 = 0".to_owned();
        }
        let list: Vec<String> = values
            .iter()
            .map(|it| match it {
                Value::String(text) => self.push(text.clone()),
                other => self.push(other.to_string()),
            })
            .collect();
        format!("{column} in ({})", list.join(", "))
    }

    /// A numeric column is one of `values` (values that are not numbers never match).
    fn num_in(&mut self, column: &str, values: &[Value]) -> String {
        let list: Vec<String> = values.iter().filter_map(Value::as_f64).map(|n| self.push(n)).collect();
        if list.is_empty() {
            return "1 = 0".to_owned();
        }
        format!("{column} in ({})", list.join(", "))
    }

    /// ` and s.user_id = $n` when response conditions consider only one user's responses.
    fn response_scope(&mut self, only_user: Option<UserId>) -> String {
        match only_user {
            Some(user) => format!(" and s.user_id = {}", self.push(user.0)),
            None => String::new(),
        }
    }

    /// `expr` is a number within the bounds.
    fn range(&mut self, expr: &str, ge: Option<Bound>, le: Option<Bound>) -> String {
        let mut parts = vec![format!("{expr} is not null")];
        if let Some(Bound::Number(n)) = ge {
            parts.push(format!("{expr} >= {}", self.push(n)));
        }
        if let Some(Bound::Number(n)) = le {
            parts.push(format!("{expr} <= {}", self.push(n)));
        }
        parts.join(" and ")
    }

    /// The rows `m` of `record_metadata` (migration 0007) that satisfy a metadata condition in
    /// the dataset being searched: terms match a value or any list element, ranges a number value.
    pub(super) fn metadata_match(&mut self, cond: &Condition) -> String {
        let (name, inner) = match cond {
            Condition::Terms(Target::Metadata(name, numeric), values) => {
                (name, if *numeric { self.num_in("m.num", values) } else { self.text_in("m.term", values) })
            }
            Condition::Range(Target::Metadata(name, _), ge, le) => {
                (name, format!("m.pos = -1 and {}", self.range("m.num", *ge, *le)))
            }
            _ => return "1 = 0".to_owned(),
        };
        let n = self.push(name.clone());
        if self.correlated {
            // A probe of one record's rows: by primary key (record_seq, name). Naming the dataset
            // too would offer the value index, which a planner without statistics may take.
            return format!("m.name = {n} and {inner}");
        }
        format!("m.dataset_id = {} and m.name = {n} and {inner}", self.dataset)
    }

    /// One condition on the record `r`.
    fn condition(&mut self, cond: &Condition, only_user: Option<UserId>) -> String {
        match cond {
            Condition::Terms(Target::RecordId, values) => {
                let ids: Vec<String> = values
                    .iter()
                    .filter_map(|it| it.as_str().and_then(|s| Uuid::parse_str(s).ok()))
                    .map(|id| self.push(id))
                    .collect();
                if ids.is_empty() {
                    return "1 = 0".to_owned();
                }
                format!("r.id in ({})", ids.join(", "))
            }
            Condition::Terms(Target::ExternalId, values) => self.text_in("r.external_id", values),
            Condition::Terms(Target::Status, values) => self.text_in("r.status", values),
            Condition::Terms(Target::InsertedAt, values) => self.num_in("r.inserted_at", values),
            Condition::Terms(Target::UpdatedAt, values) => self.num_in("r.updated_at", values),
            Condition::Range(Target::InsertedAt, ge, le) => self.range("r.inserted_at", *ge, *le),
            Condition::Range(Target::UpdatedAt, ge, le) => self.range("r.updated_at", *ge, *le),
            // Metadata reads its index (`record_metadata`, migration 0007): the matching seqs are
            // an index range, not a read of every record's JSON.
            Condition::Terms(Target::Metadata(..), _) | Condition::Range(Target::Metadata(..), _, _) => {
                let matching = self.metadata_match(cond);
                if self.correlated {
                    format!("exists (select 1 from record_metadata m where m.record_seq = r.seq and {matching})")
                } else {
                    format!("r.seq in (select m.record_seq from record_metadata m where {matching})")
                }
            }
            Condition::Terms(Target::SuggestionValue(q), values) => {
                let qid = self.push(*q);
                let each = self.json_elements("g.value", &[]);
                let inner = self.json_in("j.value", values);
                suggestion_exists(&qid, &format!(", {each}"), &inner)
            }
            Condition::Range(Target::SuggestionValue(q), ge, le) => {
                let qid = self.push(*q);
                let at = self.json_at("g.value", &[]);
                let expr = self.json_number(&at);
                let cond = self.range(&expr, *ge, *le);
                suggestion_exists(&qid, "", &cond)
            }
            Condition::Terms(Target::SuggestionScore(q), values) => {
                let qid = self.push(*q);
                let each = self.json_elements("g.score", &[]);
                let inner = self.json_in("j.value", values);
                suggestion_exists(&qid, &format!(", {each}"), &inner)
            }
            Condition::Range(Target::SuggestionScore(q), ge, le) => {
                let qid = self.push(*q);
                let each = self.json_elements("g.score", &[]);
                let expr = self.json_number("j.value");
                let cond = self.range(&expr, *ge, *le);
                suggestion_exists(&qid, &format!(", {each}"), &cond)
            }
            Condition::Terms(Target::SuggestionAgent(q), values) => {
                let qid = self.push(*q);
                let inner = self.text_in("g.agent", values);
                suggestion_exists(&qid, "", &inner)
            }
            Condition::Terms(Target::SuggestionType(q), values) => {
                let qid = self.push(*q);
                let inner = self.text_in("g.kind", values);
                suggestion_exists(&qid, "", &inner)
            }
            Condition::Terms(Target::ResponseValue(question), values) => {
                let user = self.response_scope(only_user);
                let each = self.json_elements("s.answers", &[question.as_str(), "value"]);
                let inner = self.json_in("j.value", values);
                format!("exists (select 1 from responses s, {each} where s.record_id = r.id{user} and {inner})")
            }
            Condition::Range(Target::ResponseValue(question), ge, le) => {
                let user = self.response_scope(only_user);
                let at = self.json_at("s.answers", &[question.as_str(), "value"]);
                let expr = self.json_number(&at);
                let cond = self.range(&expr, *ge, *le);
                format!("exists (select 1 from responses s where s.record_id = r.id{user} and {cond})")
            }
            Condition::Terms(Target::ResponseStatus, values) => {
                let pending = values.iter().any(|it| it.as_str() == Some("pending"));
                let statuses: Vec<Value> = values.iter().filter(|it| it.as_str() != Some("pending")).cloned().collect();
                let mut parts = Vec::new();
                if !statuses.is_empty() {
                    let user = self.response_scope(only_user);
                    let inner = self.text_in("s.status", &statuses);
                    parts
                        .push(format!("exists (select 1 from responses s where s.record_id = r.id{user} and {inner})"));
                }
                if pending {
                    let user = self.response_scope(only_user);
                    parts.push(format!("not exists (select 1 from responses s where s.record_id = r.id{user})"));
                }
                format!("({})", parts.join(" or "))
            }
            // Ranges over text-valued targets match nothing.
            Condition::Range(_, _, _) => "1 = 0".to_owned(),
        }
    }

    /// The value of the record `r` a sort key orders by.
    pub(super) fn sort_expr(&mut self, target: &Target, only_user: Option<UserId>) -> String {
        match target {
            Target::RecordId => "r.id".to_owned(),
            Target::ExternalId => "r.external_id".to_owned(),
            Target::Status => "r.status".to_owned(),
            Target::InsertedAt => "r.inserted_at".to_owned(),
            Target::UpdatedAt => "r.updated_at".to_owned(),
            Target::Metadata(name, numeric) => {
                let n = self.push(name.clone());
                let column = if *numeric { "m.num" } else { "m.term" };
                format!(
                    "(select {column} from record_metadata m where m.record_seq = r.seq and m.name = {n} and m.pos = -1)"
                )
            }
            Target::SuggestionValue(q) => {
                let qid = self.push(*q);
                let at = self.json_at("g.value", &[]);
                format!("(select {at} from suggestions g where g.record_id = r.id and g.question_id = {qid})")
            }
            Target::SuggestionScore(q) => {
                let qid = self.push(*q);
                let each = self.json_elements("g.score", &[]);
                let number = self.json_number("j.value");
                format!(
                    "(select max({number}) from suggestions g, {each} where g.record_id = r.id and g.question_id = {qid})"
                )
            }
            Target::SuggestionAgent(q) => {
                format!(
                    "(select g.agent from suggestions g where g.record_id = r.id and g.question_id = {})",
                    self.push(*q)
                )
            }
            Target::SuggestionType(q) => {
                format!(
                    "(select g.kind from suggestions g where g.record_id = r.id and g.question_id = {})",
                    self.push(*q)
                )
            }
            Target::ResponseValue(question) => {
                let user = self.response_scope(only_user);
                let at = self.json_at("s.answers", &[question.as_str(), "value"]);
                let number = self.json_number(&at);
                format!("(select avg({number}) from responses s where s.record_id = r.id{user})")
            }
            Target::ResponseStatus => {
                let user = self.response_scope(only_user);
                format!("(select min(s.status) from responses s where s.record_id = r.id{user})")
            }
        }
    }

    /// The `from … where …` part shared by the page, count and similarity queries: the dataset's
    /// records `r` (with `join` joined), their text matches `h` when the query has a text match,
    /// and every condition.
    pub(super) fn matching_records(&mut self, dataset: DatasetId, query: &RecordQuery, join: &str) -> String {
        let ds = self.push(dataset.0);
        self.dataset = ds.clone();
        self.correlated |= query.text.is_some();
        let text = match &query.text {
            Some(matching) => self.dialect.text_match_join(&mut self.args, matching, query.field_ordinal),
            None => String::new(),
        };
        // A list of record ids finds its records by id, not by a walk of the dataset's index.
        let by_ids = query.conditions.iter().any(|it| matches!(it, Condition::Terms(Target::RecordId, _)));
        let dataset_term = if by_ids { self.dialect.unindexed("r.dataset_id") } else { "r.dataset_id".to_owned() };
        let mut res = format!("from records r{join}{text} where {dataset_term} = {ds}");
        for cond in &query.conditions {
            let c = self.condition(cond, query.only_user);
            res.push_str(" and ");
            res.push_str(&c);
        }
        res
    }
}

fn suggestion_exists(qid: &str, source: &str, cond: &str) -> String {
    format!(
        "exists (select 1 from suggestions g{source} where g.record_id = r.id and g.question_id = {qid} and {cond})"
    )
}
