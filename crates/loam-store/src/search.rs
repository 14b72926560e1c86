//! Records search inside the database: full text, filters, sorting, and the candidates of a
//! similarity search. The text index it reads is written by `text_index.rs`.
//!
//! SQLite: FTS5 (`record_fts`, migration 0002) and JSON1 functions. PostgreSQL: `record_texts`
//! with a GIN-indexed tsvector; its query side arrives with the PostgreSQL backend.

use loam_domain::query::{fold_text, TextMatch};
use loam_domain::{DatasetId, RecordId, UserId, VectorSettingsId};
use serde_json::Value;
use uuid::Uuid;

use crate::db::{self, Arg, Query};
use crate::text_index::MAX_FIELDS_PER_DATASET;
use crate::{StoreError, Tx};

/// What a filter or sort key reads, resolved to storage terms by the service.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    RecordId,
    ExternalId,
    Status,
    InsertedAt,
    UpdatedAt,
    /// A metadata key, and whether its property compares numbers (integer, float) or text (terms).
    Metadata(String, bool),
    SuggestionValue(Uuid),
    SuggestionScore(Uuid),
    SuggestionAgent(Uuid),
    SuggestionType(Uuid),
    ResponseValue(String),
    ResponseStatus,
}

/// A bound of a range filter; timestamps are microseconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bound {
    Number(f64),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    /// Matches when the target (any element, for lists) equals one of the values. Values are
    /// JSON scalars; strings compare as text, numbers numerically.
    Terms(Target, Vec<Value>),
    Range(Target, Option<Bound>, Option<Bound>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct SortKey {
    pub target: Target,
    pub descending: bool,
}

/// A query on one dataset's records.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RecordQuery {
    /// What the text index must match.
    pub text: Option<TextMatch>,
    /// Restricts the text match to one field (its ordinal).
    pub field_ordinal: Option<i64>,
    pub conditions: Vec<Condition>,
    pub sort: Vec<SortKey>,
    /// Response filters and sorts consider only this user's responses (the `/me` search).
    pub only_user: Option<UserId>,
    /// Without sort: order pseudo-randomly but stably for this salt (the `/me` search).
    pub shuffle_salt: Option<i64>,
    /// One submitted response completes a record (the dataset's `min_submitted` is 1), so no
    /// submitted response is on a pending record: counting the caller's queue of pending records
    /// need not read their submitted responses.
    pub submitted_completes: bool,
}

/// One hit: the record and its text relevance (higher is better) when a text query ranked it.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub record_id: RecordId,
    pub score: Option<f64>,
}

/// A query being built: its text and arguments, for one engine. SQLite reads JSON with its JSON1
/// functions and matches text with FTS5; PostgreSQL with jsonb operators, SQL/JSON paths and a
/// tsvector. Both take `$n` placeholders.
struct Sql {
    text: String,
    args: Vec<Arg>,
    pg: bool,
    /// The placeholder of the searched dataset's id, once [`from_where`] has bound it.
    dataset: String,
    /// Render metadata conditions as a probe per record (`exists`, a primary-key lookup) rather
    /// than a set of matching records (`in`, an index range): for when few records are visited
    /// anyway (a text match, or a walk of a sort index that stops at the page's end).
    correlated: bool,
}

impl Sql {
    fn new(tx: &Tx) -> Self {
        Sql {
            text: String::new(),
            args: Vec::new(),
            pg: matches!(tx, Tx::Postgres(_)),
            dataset: String::new(),
            correlated: false,
        }
    }

    fn push(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }

    /// The elements of the JSON value at `key` of the JSON column `doc` (`key` = `None`: the
    /// column itself; `then` = a further key below it), as a row source `j` whose `j.value`
    /// is each element of an array, or the value itself when it is not an array.
    fn json_elements(&mut self, doc: &str, key: Option<&str>, then: Option<&str>) -> String {
        let keys: Vec<&str> = [key, then].into_iter().flatten().collect();
        if self.pg {
            let p = self.push(Arg::from(format!("lax {}[*]", json_path(&keys, true))));
            format!("jsonb_path_query({doc}, {p}::jsonpath) j(value)")
        } else {
            let p = self.push(Arg::from(json_path(&keys, false)));
            format!("json_each({doc}, {p}) j")
        }
    }

    /// The JSON value at `key` (then `then`) of the JSON column `doc`, as something that sorts:
    /// SQLite's SQL value of it; PostgreSQL's jsonb (numbers order numerically, strings as text).
    fn json_at(&mut self, doc: &str, key: Option<&str>, then: Option<&str>) -> String {
        let keys: Vec<&str> = [key, then].into_iter().flatten().collect();
        if self.pg {
            let mut expr = doc.to_owned();
            for k in keys {
                let p = self.push(Arg::from(k.to_owned()));
                expr = format!("({expr} -> {p}::text)");
            }
            expr
        } else {
            let p = self.push(Arg::from(json_path(&keys, false)));
            format!("json_extract({doc}, {p})")
        }
    }

    /// `json` (an SQL expression of a JSON value) as a number, or null when it is not one.
    fn json_number(&self, json: &str) -> String {
        if self.pg {
            format!("(case when jsonb_typeof({json}) = 'number' then ({json})::float8 end)")
        } else {
            format!("(case when typeof({json}) in ('integer', 'real') then {json} end)")
        }
    }

    /// `json` (each `j.value` of [`Sql::json_elements`], or [`Sql::json_at`]) is one of `values`
    /// (JSON scalars: strings compare as text, numbers numerically).
    fn json_in(&mut self, json: &str, values: &[Value]) -> String {
        if values.is_empty() {
            return "1 = 0".to_owned();
        }
        let list: Vec<String> = if self.pg {
            values.iter().map(|it| format!("{}::jsonb", self.push(Arg::from(it.to_string())))).collect()
        } else {
            values.iter().map(|it| value_arg(self, it)).collect()
        };
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
                Value::String(text) => self.push(Arg::from(text.clone())),
                other => self.push(Arg::from(other.to_string())),
            })
            .collect();
        format!("{column} in ({})", list.join(", "))
    }

    /// A numeric column is one of `values` (values that are not numbers never match).
    fn num_in(&mut self, column: &str, values: &[Value]) -> String {
        let list: Vec<String> = values.iter().filter_map(Value::as_f64).map(|n| self.push(Arg::from(n))).collect();
        if list.is_empty() {
            return "1 = 0".to_owned();
        }
        format!("{column} in ({})", list.join(", "))
    }
}

/// `$."k1"."k2"`: a JSON path to nested keys, each quoted so any key name is safe (the syntax
/// SQLite's JSON1 and PostgreSQL's SQL/JSON paths share; PostgreSQL's also escapes backslashes).
fn json_path(keys: &[&str], pg: bool) -> String {
    let mut path = "$".to_owned();
    for key in keys {
        let key = if pg { key.replace('\\', "\\\\") } else { (*key).to_owned() };
        path.push_str(&format!(".\"{}\"", key.replace('"', "\\\"")));
    }
    path
}

fn response_scope(sql: &mut Sql, only_user: Option<UserId>) -> String {
    match only_user {
        Some(user) => format!(" and s.user_id = {}", sql.push(Arg::from(user.0))),
        None => String::new(),
    }
}

fn value_arg(sql: &mut Sql, value: &Value) -> String {
    match value {
        Value::Number(n) => sql.push(Arg::from(n.as_f64().unwrap_or(f64::NAN))),
        Value::Bool(b) => sql.push(Arg::from(i64::from(*b))),
        Value::String(text) => sql.push(Arg::from(text.clone())),
        other => sql.push(Arg::from(other.to_string())),
    }
}

fn range(sql: &mut Sql, expr: &str, ge: Option<Bound>, le: Option<Bound>) -> String {
    let mut parts = vec![format!("{expr} is not null")];
    if let Some(Bound::Number(n)) = ge {
        parts.push(format!("{expr} >= {}", sql.push(Arg::from(n))));
    }
    if let Some(Bound::Number(n)) = le {
        parts.push(format!("{expr} <= {}", sql.push(Arg::from(n))));
    }
    parts.join(" and ")
}

/// The rows `m` of `record_metadata` (migration 0007) that satisfy a metadata condition in the
/// dataset being searched: terms match a value or any list element, ranges a number value.
fn metadata_match(sql: &mut Sql, cond: &Condition) -> String {
    let (name, inner) = match cond {
        Condition::Terms(Target::Metadata(name, numeric), values) => {
            (name, if *numeric { sql.num_in("m.num", values) } else { sql.text_in("m.term", values) })
        }
        Condition::Range(Target::Metadata(name, _), ge, le) => {
            (name, format!("m.pos = -1 and {}", range(sql, "m.num", *ge, *le)))
        }
        _ => return "1 = 0".to_owned(),
    };
    let n = sql.push(Arg::from(name.clone()));
    if sql.correlated {
        // A probe of one record's rows: by primary key (record_seq, name). Naming the dataset
        // too would offer the value index, which a planner without statistics may take.
        return format!("m.name = {n} and {inner}");
    }
    format!("m.dataset_id = {} and m.name = {n} and {inner}", sql.dataset)
}

fn suggestion_exists(qid: &str, source: &str, cond: &str) -> String {
    format!(
        "exists (select 1 from suggestions g{source} where g.record_id = r.id and g.question_id = {qid} and {cond})"
    )
}

fn condition(sql: &mut Sql, cond: &Condition, only_user: Option<UserId>) -> String {
    match cond {
        Condition::Terms(Target::RecordId, values) => {
            let ids: Vec<String> = values
                .iter()
                .filter_map(|it| it.as_str().and_then(|s| Uuid::parse_str(s).ok()))
                .map(|id| sql.push(Arg::from(id)))
                .collect();
            if ids.is_empty() {
                return "1 = 0".to_owned();
            }
            format!("r.id in ({})", ids.join(", "))
        }
        Condition::Terms(Target::ExternalId, values) => sql.text_in("r.external_id", values),
        Condition::Terms(Target::Status, values) => sql.text_in("r.status", values),
        Condition::Terms(Target::InsertedAt, values) => sql.num_in("r.inserted_at", values),
        Condition::Terms(Target::UpdatedAt, values) => sql.num_in("r.updated_at", values),
        Condition::Range(Target::InsertedAt, ge, le) => range(sql, "r.inserted_at", *ge, *le),
        Condition::Range(Target::UpdatedAt, ge, le) => range(sql, "r.updated_at", *ge, *le),
        // Metadata reads its index (`record_metadata`, migration 0007): the matching seqs are an
        // index range, not a read of every record's JSON.
        Condition::Terms(Target::Metadata(..), _) | Condition::Range(Target::Metadata(..), _, _) => {
            let matching = metadata_match(sql, cond);
            if sql.correlated {
                format!("exists (select 1 from record_metadata m where m.record_seq = r.seq and {matching})")
            } else {
                format!("r.seq in (select m.record_seq from record_metadata m where {matching})")
            }
        }
        Condition::Terms(Target::SuggestionValue(q), values) => {
            let qid = sql.push(Arg::from(*q));
            let each = sql.json_elements("g.value", None, None);
            let inner = sql.json_in("j.value", values);
            suggestion_exists(&qid, &format!(", {each}"), &inner)
        }
        Condition::Range(Target::SuggestionValue(q), ge, le) => {
            let qid = sql.push(Arg::from(*q));
            let at = sql.json_at("g.value", None, None);
            let expr = sql.json_number(&at);
            let cond = range(sql, &expr, *ge, *le);
            suggestion_exists(&qid, "", &cond)
        }
        Condition::Terms(Target::SuggestionScore(q), values) => {
            let qid = sql.push(Arg::from(*q));
            let each = sql.json_elements("g.score", None, None);
            let inner = sql.json_in("j.value", values);
            suggestion_exists(&qid, &format!(", {each}"), &inner)
        }
        Condition::Range(Target::SuggestionScore(q), ge, le) => {
            let qid = sql.push(Arg::from(*q));
            let each = sql.json_elements("g.score", None, None);
            let expr = sql.json_number("j.value");
            let cond = range(sql, &expr, *ge, *le);
            suggestion_exists(&qid, &format!(", {each}"), &cond)
        }
        Condition::Terms(Target::SuggestionAgent(q), values) => {
            let qid = sql.push(Arg::from(*q));
            let inner = sql.text_in("g.agent", values);
            suggestion_exists(&qid, "", &inner)
        }
        Condition::Terms(Target::SuggestionType(q), values) => {
            let qid = sql.push(Arg::from(*q));
            let inner = sql.text_in("g.kind", values);
            suggestion_exists(&qid, "", &inner)
        }
        Condition::Terms(Target::ResponseValue(question), values) => {
            let user = response_scope(sql, only_user);
            let each = sql.json_elements("s.answers", Some(question), Some("value"));
            let inner = sql.json_in("j.value", values);
            format!("exists (select 1 from responses s, {each} where s.record_id = r.id{user} and {inner})")
        }
        Condition::Range(Target::ResponseValue(question), ge, le) => {
            let user = response_scope(sql, only_user);
            let at = sql.json_at("s.answers", Some(question), Some("value"));
            let expr = sql.json_number(&at);
            let cond = range(sql, &expr, *ge, *le);
            format!("exists (select 1 from responses s where s.record_id = r.id{user} and {cond})")
        }
        Condition::Terms(Target::ResponseStatus, values) => {
            let pending = values.iter().any(|it| it.as_str() == Some("pending"));
            let statuses: Vec<Value> = values.iter().filter(|it| it.as_str() != Some("pending")).cloned().collect();
            let mut parts = Vec::new();
            if !statuses.is_empty() {
                let user = response_scope(sql, only_user);
                let inner = sql.text_in("s.status", &statuses);
                parts.push(format!("exists (select 1 from responses s where s.record_id = r.id{user} and {inner})"));
            }
            if pending {
                let user = response_scope(sql, only_user);
                parts.push(format!("not exists (select 1 from responses s where s.record_id = r.id{user})"));
            }
            format!("({})", parts.join(" or "))
        }
        // Ranges over text-valued targets match nothing.
        Condition::Range(_, _, _) => "1 = 0".to_owned(),
    }
}

fn sort_expr(sql: &mut Sql, target: &Target, only_user: Option<UserId>) -> String {
    match target {
        Target::RecordId => "r.id".to_owned(),
        Target::ExternalId => "r.external_id".to_owned(),
        Target::Status => "r.status".to_owned(),
        Target::InsertedAt => "r.inserted_at".to_owned(),
        Target::UpdatedAt => "r.updated_at".to_owned(),
        Target::Metadata(name, numeric) => {
            let n = sql.push(Arg::from(name.clone()));
            let column = if *numeric { "m.num" } else { "m.term" };
            format!(
                "(select {column} from record_metadata m where m.record_seq = r.seq and m.name = {n} and m.pos = -1)"
            )
        }
        Target::SuggestionValue(q) => {
            let qid = sql.push(Arg::from(*q));
            let at = sql.json_at("g.value", None, None);
            format!("(select {at} from suggestions g where g.record_id = r.id and g.question_id = {qid})")
        }
        Target::SuggestionScore(q) => {
            let qid = sql.push(Arg::from(*q));
            let each = sql.json_elements("g.score", None, None);
            let number = sql.json_number("j.value");
            format!(
                "(select max({number}) from suggestions g, {each} where g.record_id = r.id and g.question_id = {qid})"
            )
        }
        Target::SuggestionAgent(q) => {
            format!(
                "(select g.agent from suggestions g where g.record_id = r.id and g.question_id = {})",
                sql.push(Arg::from(*q))
            )
        }
        Target::SuggestionType(q) => {
            format!(
                "(select g.kind from suggestions g where g.record_id = r.id and g.question_id = {})",
                sql.push(Arg::from(*q))
            )
        }
        Target::ResponseValue(question) => {
            let user = response_scope(sql, only_user);
            let at = sql.json_at("s.answers", Some(question), Some("value"));
            let number = sql.json_number(&at);
            format!("(select avg({number}) from responses s where s.record_id = r.id{user})")
        }
        Target::ResponseStatus => {
            let user = response_scope(sql, only_user);
            format!("(select min(s.status) from responses s where s.record_id = r.id{user})")
        }
    }
}

/// `text` as a PostgreSQL tsquery expression over the `simple` configuration, with texts folded
/// as the index folds them (see `loam_domain::query::fold_text`).
fn tsquery(sql: &mut Sql, text: &TextMatch) -> String {
    match text {
        TextMatch::Term { text, prefix: false } | TextMatch::Phrase(text) => {
            format!("phraseto_tsquery('simple', {})", sql.push(Arg::from(fold_text(text))))
        }
        TextMatch::Term { text, prefix: true } => {
            // A quoted lexeme with the prefix mark; the quoting makes any text a literal.
            let lexeme = format!("'{}':*", fold_text(text).replace('\\', "\\\\").replace('\'', "''"));
            format!("to_tsquery('simple', {})", sql.push(Arg::from(lexeme)))
        }
        TextMatch::And(items) => {
            let parts: Vec<String> = items.iter().map(|it| tsquery(sql, it)).collect();
            format!("({})", parts.join(" && "))
        }
        TextMatch::Or(items) => {
            let parts: Vec<String> = items.iter().map(|it| tsquery(sql, it)).collect();
            format!("({})", parts.join(" || "))
        }
        TextMatch::Not(base, negative) => {
            let base = tsquery(sql, base);
            let parts: Vec<String> = negative.iter().map(|it| tsquery(sql, it)).collect();
            format!("({base} && !!({}))", parts.join(" || "))
        }
        TextMatch::Nothing => "to_tsquery('simple', '')".to_owned(),
    }
}

/// The `from … where …` part shared by the page, count and similarity queries.
fn from_where(sql: &mut Sql, dataset: DatasetId, query: &RecordQuery, join: &str) -> String {
    let ds = sql.push(Arg::from(dataset.0));
    sql.dataset = ds.clone();
    sql.correlated |= query.text.is_some();
    let mut text = String::new();
    if let Some(matching) = &query.text {
        if sql.pg {
            let q = tsquery(sql, matching);
            let field = match query.field_ordinal {
                Some(ordinal) => format!(" and t.field_ordinal = {}", sql.push(Arg::from(ordinal))),
                None => String::new(),
            };
            // A record's score sums its fields' ranks (ts_rank: higher is better).
            text = format!(
                " join (select t.record_seq as seq, sum(ts_rank(t.tsv, q.q))::float8 as score \
                 from record_texts t, (select {q} as q) q where t.tsv @@ q.q{field} group by t.record_seq) h \
                 on h.seq = r.seq"
            );
        } else {
            let matches = fts_matches(sql, matching, query.field_ordinal, None, "");
            text = format!(" join ({matches}) h on h.seq = r.seq");
        }
    }
    // A list of record ids finds its records by id. SQLite's planner, which has no statistics,
    // would rather walk the dataset's index for `dataset_id = ?` than look up ten or more ids;
    // the unary `+` keeps that term out of index choice (it still filters).
    let by_ids = query.conditions.iter().any(|it| matches!(it, Condition::Terms(Target::RecordId, _)));
    let dataset_term = if by_ids && !sql.pg { "+r.dataset_id" } else { "r.dataset_id" };
    let mut res = format!("from records r{join}{text} where {dataset_term} = {ds}");
    for cond in &query.conditions {
        let c = condition(sql, cond, query.only_user);
        res.push_str(" and ");
        res.push_str(&c);
    }
    res
}

/// A page of matching records, in order, with the exact number of matches.
pub async fn search_records(
    tx: &mut Tx,
    dataset: DatasetId,
    query: &RecordQuery,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Hit>, i64), StoreError> {
    if let Some(found) = text_page_in_own_span(tx, dataset, query, offset, limit).await? {
        return Ok(found);
    }
    let mut sql = Sql::new(tx);
    let body = from_where(&mut sql, dataset, query, "");
    let count_sql = format!("select count(*) {body}");
    let count_args = sql.args.len();
    let mut order = Vec::new();
    for key in &query.sort {
        let expr = sort_expr(&mut sql, &key.target, query.only_user);
        let dir = if key.descending { "desc" } else { "asc" };
        // Missing values sort last whatever the direction.
        order.push(format!("({expr}) is null, {expr} {dir}"));
        if key.target == Target::InsertedAt {
            // Records written in one request share a timestamp; their seq is the finer order.
            order.push(format!("r.seq {dir}"));
        }
    }
    if query.sort.is_empty() && query.text.is_some() {
        order.push("h.score desc".to_owned());
    }
    order.push("r.seq".to_owned());
    if query.sort.is_empty() && query.text.is_none() {
        if let Some(salt) = query.shuffle_salt {
            let total = count_matches(tx, dataset, query, &count_sql, &sql.args[..count_args]).await?;
            let hits = rotated_page(tx, dataset, query, salt, offset, limit).await?;
            return Ok((hits, total));
        }
    }
    let mut known_total = None;
    if let ([key], None) = (query.sort.as_slice(), &query.text) {
        if let Target::Metadata(name, numeric) = &key.target {
            let total = count_matches(tx, dataset, query, &count_sql, &sql.args[..count_args]).await?;
            if total >= WALK_MIN_MATCHES {
                let hits = metadata_walk(tx, dataset, query, name, *numeric, key.descending, offset, limit).await?;
                if hits.len() as i64 == limit {
                    return Ok((hits, total));
                }
            }
            // Answered the general way below, with the total already known.
            known_total = Some(total);
        }
    }
    let score = if query.text.is_some() { "h.score" } else { "null" };
    // A text match is ranked, so every match is read and sorted anyway: the page query counts
    // them too (a window over all its rows), instead of matching the text a second time.
    let counted = if query.text.is_some() { "count(*) over ()" } else { "null" };
    let lim = sql.push(Arg::from(limit));
    let off = sql.push(Arg::from(offset));
    sql.text = format!("select r.id, {score}, {counted} {body} order by {} limit {lim} offset {off}", order.join(", "));
    let rows: Vec<(Uuid, Option<f64>, Option<i64>)> =
        Query::with_args(&sql.text, &sql.args).long().fetch_all(tx).await?;
    let total = match rows.first().and_then(|it| it.2).or(known_total) {
        Some(total) => total,
        None => count_matches(tx, dataset, query, &count_sql, &sql.args[..count_args]).await?,
    };
    let hits = rows.into_iter().map(|(id, score, _)| Hit { record_id: RecordId(id), score }).collect();
    Ok((hits, total))
}

/// The records an FTS5 match finds (in one field, when given), one row each: `seq` and `score`,
/// the sum of their fields' BM25 (FTS5's hidden `rank` column, lower is better; bm25() itself
/// cannot sit inside an aggregate). `rowids` limits the match to a half-open range of the text
/// index's rowids (`seq * MAX_FIELDS_PER_DATASET + field ordinal`). `probes` (empty, or
/// ` and …` conditions on `record_fts.rowid`) keeps only the matches that pass them, before they
/// are ranked.
fn fts_matches(
    sql: &mut Sql,
    matching: &TextMatch,
    field_ordinal: Option<i64>,
    rowids: Option<(i64, i64)>,
    probes: &str,
) -> String {
    let m = sql.push(Arg::from(matching.to_fts5()));
    let mut filter = probes.to_owned();
    if let Some((from, to)) = rowids {
        let (from, to) = (sql.push(Arg::from(from)), sql.push(Arg::from(to)));
        filter.push_str(&format!(" and rowid >= {from} and rowid < {to}"));
    }
    if let Some(ordinal) = field_ordinal {
        filter.push_str(&format!(" and rowid % {MAX_FIELDS_PER_DATASET} = {}", sql.push(Arg::from(ordinal))));
    }
    format!(
        "select rowid / {MAX_FIELDS_PER_DATASET} as seq, -sum(rank) as score from record_fts \
         where record_fts match {m}{filter} group by rowid / {MAX_FIELDS_PER_DATASET}"
    )
}

/// A ranked text search (no sort; metadata filters at most) on SQLite, when no other dataset has
/// records between the dataset's first and last seq (the usual case: datasets are logged one at a
/// time). The text index's rowids carry the record seq, so that seq range alone keeps the
/// dataset's matches: they are ranked, filtered (a primary-key probe of `record_metadata` each),
/// counted and paged without reading a record per match, and only the page's records are looked
/// up. `None` when the query has other parts, on PostgreSQL, or when another dataset's records
/// interleave: the general query answers.
async fn text_page_in_own_span(
    tx: &mut Tx,
    dataset: DatasetId,
    query: &RecordQuery,
    offset: i64,
    limit: i64,
) -> Result<Option<(Vec<Hit>, i64)>, StoreError> {
    let Some(matching) = &query.text else { return Ok(None) };
    let metadata_only = query.conditions.iter().all(|it| {
        matches!(it, Condition::Terms(Target::Metadata(..), _) | Condition::Range(Target::Metadata(..), _, _))
    });
    if !metadata_only || !query.sort.is_empty() || !matches!(tx, Tx::Sqlite(..)) {
        return Ok(None);
    }
    let mut sql = Sql::new(tx);
    sql.correlated = true;
    let ds = dataset.0;
    let (first, last): (Option<i64>, Option<i64>) = db::query(
        "select (select seq from records where dataset_id = $1 order by seq limit 1), \
                (select seq from records where dataset_id = $1 order by seq desc limit 1)",
    )
    .bind(ds)
    .fetch_one(tx)
    .await?;
    let (Some(first), Some(last)) = (first, last) else { return Ok(Some((Vec::new(), 0))) };
    // One index probe per other dataset (records_dataset_seq).
    let interleaved: bool = db::query(
        "select exists (select 1 from datasets d where d.id != $1 and exists \
         (select 1 from records x where x.dataset_id = d.id and x.seq between $2 and $3))",
    )
    .bind(ds)
    .bind(first)
    .bind(last)
    .fetch_one(tx)
    .await?;
    if interleaved {
        return Ok(None);
    }
    let rowids = (first * MAX_FIELDS_PER_DATASET, (last + 1) * MAX_FIELDS_PER_DATASET);
    // The metadata conditions probe each match's record (by primary key) before it is ranked, so
    // BM25 is computed only for the matches that pass them, not for every match.
    let mut probes = String::new();
    for cond in &query.conditions {
        let matching = metadata_match(&mut sql, cond);
        probes.push_str(&format!(
            " and exists (select 1 from record_metadata m \
             where m.record_seq = record_fts.rowid / {MAX_FIELDS_PER_DATASET} and {matching})"
        ));
    }
    let matches = fts_matches(&mut sql, matching, query.field_ordinal, Some(rowids), &probes);
    let body = format!("from ({matches}) r");
    let count_args = sql.args.len();
    let lim = sql.push(Arg::from(limit));
    let off = sql.push(Arg::from(offset));
    let page =
        format!("select r.seq, r.score, count(*) over () {body} order by r.score desc, r.seq limit {lim} offset {off}");
    let rows: Vec<(i64, f64, i64)> = Query::with_args(&page, &sql.args).long().fetch_all(tx).await?;
    let total = match rows.first() {
        Some(row) => row.2,
        None => {
            let count = format!("select count(*) {body}");
            Query::with_args(&count, &sql.args[..count_args]).long().fetch_one(tx).await?
        }
    };
    if rows.is_empty() {
        return Ok(Some((Vec::new(), total)));
    }
    let seqs = rows.iter().map(|it| it.0.to_string()).collect::<Vec<_>>().join(",");
    let ids: std::collections::HashMap<i64, Uuid> =
        db::query(&format!("select seq, id from records where seq in ({seqs})"))
            .fetch_all::<(i64, Uuid)>(tx)
            .await?
            .into_iter()
            .collect();
    let hits = rows
        .iter()
        .filter_map(|(seq, score, _)| Some(Hit { record_id: RecordId(*ids.get(seq)?), score: Some(*score) }))
        .collect();
    Ok(Some((hits, total)))
}

/// The fewest matches for which a page sorted by one metadata key walks that key's index (see
/// `metadata_walk`); fewer matches are cheaper to sort than to look for along the index.
const WALK_MIN_MATCHES: i64 = 1000;

/// A page of the matches sorted by one metadata key, read by walking the key's index in order
/// and probing each record's other conditions, so it stops at the page's end instead of sorting
/// every match. Records without a value for the key (which sort last) are not visited: a page
/// that reaches them comes back short, and the caller answers it the general way.
#[allow(clippy::too_many_arguments)]
async fn metadata_walk(
    tx: &mut Tx,
    dataset: DatasetId,
    query: &RecordQuery,
    name: &str,
    numeric: bool,
    descending: bool,
    offset: i64,
    limit: i64,
) -> Result<Vec<Hit>, StoreError> {
    let mut sql = Sql::new(tx);
    sql.correlated = true;
    let body = from_where(&mut sql, dataset, query, " join record_metadata s on s.record_seq = r.seq");
    let n = sql.push(Arg::from(name.to_owned()));
    let (column, dir) = (if numeric { "s.num" } else { "s.term" }, if descending { "desc" } else { "asc" });
    let lim = sql.push(Arg::from(limit));
    let off = sql.push(Arg::from(offset));
    sql.text = format!(
        "select r.id {body} and s.dataset_id = {ds} and s.name = {n} and s.pos = -1 and {column} is not null \
         order by s.num {dir}, s.term {dir}, s.record_seq limit {lim} offset {off}",
        ds = sql.dataset
    );
    let ids: Vec<Uuid> = Query::with_args(&sql.text, &sql.args).fetch_all(tx).await?;
    Ok(ids.into_iter().map(|id| Hit { record_id: RecordId(id), score: None }).collect())
}

/// The number of matches. One metadata condition is counted on its index; the caller's queue of
/// records they have not answered (optionally only records still pending, as the web UI asks) is
/// the dataset's kept count of (pending) records minus the caller's answered ones among them,
/// found through the caller's responses (an index range), instead of probing every record.
async fn count_matches(
    tx: &mut Tx,
    dataset: DatasetId,
    query: &RecordQuery,
    count_sql: &str,
    args: &[Arg],
) -> Result<i64, StoreError> {
    if let (None, [cond @ (Condition::Terms(Target::Metadata(..), _) | Condition::Range(Target::Metadata(..), _, _))]) =
        (&query.text, query.conditions.as_slice())
    {
        // One metadata condition: count its index range (its rows carry the dataset).
        let mut sql = Sql::new(tx);
        sql.dataset = sql.push(Arg::from(dataset.0));
        let matching = metadata_match(&mut sql, cond);
        // A range matches values, one row per record; terms may match several list elements.
        let counted = if matches!(cond, Condition::Range(..)) { "*" } else { "distinct m.record_seq" };
        sql.text = format!("select count({counted}) from record_metadata m where {matching}");
        return Query::with_args(&sql.text, &sql.args).long().fetch_one::<i64>(tx).await;
    }
    let only_pending = |target: Target| {
        query.conditions.iter().any(|it| {
            matches!(it, Condition::Terms(t, values) if *t == target
                && !values.is_empty() && values.iter().all(|v| v.as_str() == Some("pending")))
        })
    };
    let record_pending = only_pending(Target::Status);
    let queue = query.text.is_none()
        && only_pending(Target::ResponseStatus)
        && query.conditions.len() == 1 + usize::from(record_pending);
    if let (true, Some(user)) = (queue, query.only_user) {
        let sql = if record_pending {
            // Only the caller's responses on pending records are in the count; where a submission
            // completes its record, none of their submitted ones can be.
            let unsubmitted = if query.submitted_completes { " and s.status <> 'submitted'" } else { "" };
            format!(
                "select coalesce((select records_count - completed_count from datasets where id = $1), 0) \
                 - (select count(*) from responses s join records r on r.id = s.record_id \
                    where s.dataset_id = $1 and s.user_id = $2{unsubmitted} and r.status = 'pending')"
            )
        } else {
            "select coalesce((select records_count from datasets where id = $1), 0) \
             - (select count(*) from responses where dataset_id = $1 and user_id = $2)"
                .to_owned()
        };
        return db::query(&sql).bind(dataset.0).bind(user.0).fetch_one::<i64>(tx).await;
    }
    Query::with_args(count_sql, args).long().fetch_one::<i64>(tx).await
}

/// A page of the `/me` queue's default order: the dataset's records in insertion order, rotated
/// to start at a point that depends on the caller (`salt`), so annotators start in different
/// places, and stable across pages. Both halves of the rotation are read in index order and stop
/// at the page's end, so the next record costs a few index steps, not a sort of the dataset.
async fn rotated_page(
    tx: &mut Tx,
    dataset: DatasetId,
    query: &RecordQuery,
    salt: i64,
    offset: i64,
    limit: i64,
) -> Result<Vec<Hit>, StoreError> {
    // Two subqueries: each is one step down the (dataset_id, seq) index, where a single
    // `select min(seq), max(seq)` reads every entry of the dataset.
    let bounds = "select (select min(seq) from records where dataset_id = $1), \
                  (select max(seq) from records where dataset_id = $1)";
    let (lo, hi): (Option<i64>, Option<i64>) = db::query(bounds).bind(dataset.0).fetch_one(tx).await?;
    let (Some(lo), Some(hi)) = (lo, hi) else { return Ok(Vec::new()) };
    let pivot = lo + salt.rem_euclid(hi - lo + 1);
    // The first half: seq >= pivot. How many of its matches precede the page decides where the
    // second half starts; count them only when the page may begin past the first half's end.
    let pg = matches!(tx, Tx::Postgres(_));
    let half = |upper: bool, offset: i64, limit: i64| {
        let mut sql = Sql { text: String::new(), args: Vec::new(), pg, dataset: String::new(), correlated: false };
        let body = from_where(&mut sql, dataset, query, "");
        let p = sql.push(Arg::from(pivot));
        let cmp = if upper { ">=" } else { "<" };
        let lim = sql.push(Arg::from(limit));
        let off = sql.push(Arg::from(offset));
        sql.text = format!("select r.id {body} and r.seq {cmp} {p} order by r.seq limit {lim} offset {off}");
        sql
    };
    let first = half(true, offset, limit);
    let mut ids: Vec<Uuid> = Query::with_args(&first.text, &first.args).fetch_all(tx).await?;
    if (ids.len() as i64) < limit {
        let n_first: i64 = if offset == 0 {
            ids.len() as i64
        } else {
            let mut sql = Sql::new(tx);
            let body = from_where(&mut sql, dataset, query, "");
            let p = sql.push(Arg::from(pivot));
            sql.text = format!("select count(*) {body} and r.seq >= {p}");
            Query::with_args(&sql.text, &sql.args).long().fetch_one::<i64>(tx).await?
        };
        let second = half(false, (offset - n_first).max(0), limit - ids.len() as i64);
        let more: Vec<Uuid> = Query::with_args(&second.text, &second.args).fetch_all(tx).await?;
        ids.extend(more);
    }
    Ok(ids.into_iter().map(|id| Hit { record_id: RecordId(id), score: None }).collect())
}

/// Streams every record matching `query` that has a vector for `settings` to `visit`, with its
/// seq and the vector's stored bytes (little-endian f64s), in the order the database reads them: the
/// candidates of a similarity search, scored by the caller as they arrive, so a scan over a
/// large dataset holds one row at a time, not every vector.
pub async fn scan_vectors(
    tx: &mut Tx,
    dataset: DatasetId,
    query: &RecordQuery,
    settings: VectorSettingsId,
    visit: impl FnMut(i64, RecordId, &[u8]),
) -> Result<(), StoreError> {
    let mut sql = Sql::new(tx);
    let vs = sql.push(Arg::from(settings.0));
    let body = from_where(
        &mut sql,
        dataset,
        query,
        &format!(" join vectors v on v.record_id = r.id and v.vector_settings_id = {vs}"),
    );
    sql.text = format!("select r.seq, r.id, v.value {body}");
    visit_vector_rows(tx, &sql, visit).await
}

/// Runs `sql` (selecting seq, record id and vector bytes) and hands each row to `visit` as it
/// arrives.
async fn visit_vector_rows(
    tx: &mut Tx,
    sql: &Sql,
    mut visit: impl FnMut(i64, RecordId, &[u8]),
) -> Result<(), StoreError> {
    Query::with_args(&sql.text, &sql.args)
        .long()
        .for_each(tx, |row| {
            visit(row.get(0)?, RecordId(row.get(1)?), row.bytes(2)?);
            Ok(())
        })
        .await
}

/// Where a vector setting's vectors stand: see migrations 0006 and 0012.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VectorVersion {
    /// Raised by every write that changes the setting's vectors.
    pub current: i64,
    /// The value of `current` at the last removal of vectors (records deleted).
    pub removed: i64,
}

/// The version of a vector setting's vectors, or `None` when the setting is gone.
pub async fn vector_version(tx: &mut Tx, settings: VectorSettingsId) -> Result<Option<VectorVersion>, StoreError> {
    let sql = "select version, removed_version from vector_settings where id = $1";
    let row: Option<(i64, i64)> = db::query(sql).bind(settings.0).fetch_optional(tx).await?;
    Ok(row.map(|(current, removed)| VectorVersion { current, removed }))
}

/// How many vectors a vector setting has.
pub async fn count_vectors(tx: &mut Tx, settings: VectorSettingsId) -> Result<i64, StoreError> {
    let sql = "select count(*) from vectors where vector_settings_id = $1";
    db::query(sql).bind(settings.0).fetch_one::<i64>(tx).await
}

/// Streams the vectors of a vector setting to `visit` with their record's seq and id, in record
/// insertion order (the order similarity search breaks ties by): every vector, what an in-memory
/// copy loads, or with `changed_after` only those written by a write that raised the setting's
/// version past it, what brings a copy held at that version up to date.
pub async fn stream_vectors(
    tx: &mut Tx,
    settings: VectorSettingsId,
    changed_after: Option<i64>,
    visit: impl FnMut(i64, RecordId, &[u8]),
) -> Result<(), StoreError> {
    let mut sql = Sql::new(tx);
    let vs = sql.push(Arg::from(settings.0));
    let changed = match changed_after {
        Some(version) => format!(" and v.version > {}", sql.push(Arg::from(version))),
        None => String::new(),
    };
    sql.text = format!(
        "select r.seq, r.id, v.value from vectors v join records r on r.id = v.record_id \
         where v.vector_settings_id = {vs}{changed} order by r.seq"
    );
    visit_vector_rows(tx, &sql, visit).await
}

/// The seqs of every record matching `query`, in insertion order: the candidates of a filtered
/// similarity search scored from memory.
pub async fn matching_seqs(tx: &mut Tx, dataset: DatasetId, query: &RecordQuery) -> Result<Vec<i64>, StoreError> {
    let mut sql = Sql::new(tx);
    let body = from_where(&mut sql, dataset, query, "");
    sql.text = format!("select r.seq {body} order by r.seq");
    Query::with_args(&sql.text, &sql.args).long().fetch_all::<i64>(tx).await
}

/// Term counts of a terms metadata property over a dataset's records, most frequent first:
/// (term, count). List values count each element.
pub async fn metadata_term_counts(
    tx: &mut Tx,
    dataset: DatasetId,
    name: &str,
) -> Result<Vec<(Value, i64)>, StoreError> {
    let mut sql = Sql::new(tx);
    let ds = sql.push(Arg::from(dataset.0));
    let each = sql.json_elements("r.metadata", Some(name), None);
    // The term comes back as JSON text, keeping its type (a string stays a string, a number a
    // number): json_quote in SQLite, jsonb's text form in PostgreSQL. Counted once per record,
    // as the reference's terms aggregation counts documents (a list naming a term twice is one).
    let term = if sql.pg { "j.value::text" } else { "json_quote(j.value)" };
    sql.text = format!(
        "select {term}, count(distinct r.seq) from records r, {each} where r.dataset_id = {ds} \
         and j.value is not null group by j.value"
    );
    let rows: Vec<(String, i64)> = Query::with_args(&sql.text, &sql.args).long().fetch_all(tx).await?;
    let mut terms: Vec<(Value, i64)> = rows
        .into_iter()
        .filter_map(|(text, n)| serde_json::from_str::<Value>(&text).ok().filter(|it| !it.is_null()).map(|it| (it, n)))
        .collect();
    // Most frequent first, ties by the term's text in byte order (as the reference orders its
    // buckets), the same on both engines whatever the database's collation.
    let key = |term: &Value| match term {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    terms.sort_by(|(a, n), (b, m)| m.cmp(n).then_with(|| key(a).cmp(&key(b))));
    Ok(terms)
}

/// The smallest and largest numeric value of a metadata property over a dataset's records.
pub async fn metadata_range(
    tx: &mut Tx,
    dataset: DatasetId,
    name: &str,
) -> Result<(Option<f64>, Option<f64>), StoreError> {
    let mut sql = Sql::new(tx);
    let ds = sql.push(Arg::from(dataset.0));
    let at = sql.json_at("r.metadata", Some(name), None);
    let number = sql.json_number(&at);
    sql.text = format!(
        "select cast(min({number}) as double precision), cast(max({number}) as double precision) \
         from records r where r.dataset_id = {ds}"
    );
    Query::with_args(&sql.text, &sql.args).long().fetch_one::<(Option<f64>, Option<f64>)>(tx).await
}
