//! The records search query model (api.md §10.3, model.md §10): parsed from the request body,
//! resolved against the dataset by the service, executed by the store.
//!
//! Also the translation of the clients' "simple query string" syntax into SQLite FTS5 syntax,
//! which is pure text work and lives here so it can be tested without a database.

use serde_json::Value;

use crate::error::{Loc, SchemaError};
use crate::schema::{object, Reader};

#[derive(Clone, Debug, PartialEq)]
pub struct TextQuery {
    pub q: String,
    pub field: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimilarityOrder {
    MostSimilar,
    LeastSimilar,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VectorQuery {
    pub name: String,
    pub record_id: Option<uuid::Uuid>,
    pub value: Option<Vec<f64>>,
    pub order: SimilarityOrder,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordProperty {
    Id,
    ExternalId,
    Status,
    InsertedAt,
    UpdatedAt,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuggestionProperty {
    Value,
    Score,
    Agent,
    Type,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Scope {
    Record(RecordProperty),
    Metadata(String),
    Suggestion {
        question: String,
        property: SuggestionProperty,
    },
    /// The value of a question's responses.
    ResponseValue {
        question: String,
    },
    ResponseStatus,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Filter {
    Terms { scope: Scope, values: Vec<Value> },
    Range { scope: Scope, ge: Option<Value>, le: Option<Value> },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Sort {
    pub scope: Scope,
    pub descending: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchQuery {
    pub text: Option<TextQuery>,
    pub vector: Option<VectorQuery>,
    pub filters: Vec<Filter>,
    pub sort: Vec<Sort>,
}

const MAX_FILTERS: usize = 50;
const MAX_TERMS: usize = 250;
const MAX_SORT: usize = 10;

fn err(loc: Vec<Loc>, kind: &'static str, msg: impl Into<String>) -> SchemaError {
    SchemaError::new(loc, kind, msg)
}

fn with(loc: &[Loc], key: impl Into<Loc>) -> Vec<Loc> {
    let mut res = loc.to_vec();
    res.push(key.into());
    res
}

impl From<String> for Loc {
    fn from(it: String) -> Self {
        Loc::Key(it)
    }
}

fn parse_scope(value: &Value, loc: &[Loc]) -> Result<Scope, SchemaError> {
    let obj = object(value, loc)?;
    let r = Reader::new(obj, loc);
    let entity = r.string("entity", 1, 100)?;
    match entity.as_str() {
        "record" => {
            let property = match r.string("property", 1, 100)?.as_str() {
                "id" => RecordProperty::Id,
                "external_id" => RecordProperty::ExternalId,
                "status" => RecordProperty::Status,
                "inserted_at" => RecordProperty::InsertedAt,
                "updated_at" => RecordProperty::UpdatedAt,
                _ => {
                    return Err(err(
                        r.at("property"),
                        "literal_error",
                        "Input should be 'id', 'external_id', 'status', 'inserted_at' or 'updated_at'",
                    ))
                }
            };
            Ok(Scope::Record(property))
        }
        "metadata" => Ok(Scope::Metadata(r.string("metadata_property", 1, 200)?)),
        "suggestion" => {
            let question = r.string("question", 1, 200)?;
            let property = match r.opt_string("property", 1, 100)?.as_deref() {
                None | Some("value") => SuggestionProperty::Value,
                Some("score") => SuggestionProperty::Score,
                Some("agent") => SuggestionProperty::Agent,
                Some("type") => SuggestionProperty::Type,
                Some(_) => {
                    return Err(err(
                        r.at("property"),
                        "literal_error",
                        "Input should be 'value', 'score', 'agent' or 'type'",
                    ))
                }
            };
            Ok(Scope::Suggestion { question, property })
        }
        "response" => {
            let question = r.opt_string("question", 1, 200)?;
            let property = r.opt_string("property", 1, 100)?;
            match (question, property.as_deref()) {
                (Some(question), None | Some("value")) => Ok(Scope::ResponseValue { question }),
                (None, Some("status")) => Ok(Scope::ResponseStatus),
                _ => Err(SchemaError::value(
                    loc.to_vec(),
                    "a response scope needs either a 'question' or the property 'status'",
                )),
            }
        }
        _ => Err(err(
            r.at("entity"),
            "union_tag_invalid",
            "Input should be 'record', 'metadata', 'suggestion' or 'response'",
        )),
    }
}

fn parse_filter(value: &Value, loc: &[Loc]) -> Result<Filter, SchemaError> {
    let obj = object(value, loc)?;
    let r = Reader::new(obj, loc);
    let scope = parse_scope(r.raw("scope").unwrap_or(&Value::Null), &r.at("scope"))?;
    match r.raw("type").and_then(Value::as_str) {
        Some("terms") => {
            let items = r.array("values")?;
            if items.is_empty() || items.len() > MAX_TERMS {
                return Err(err(
                    r.at("values"),
                    "too_long",
                    format!("List should have between 1 and {MAX_TERMS} items"),
                ));
            }
            let mut values = Vec::with_capacity(items.len());
            for (idx, item) in items.iter().enumerate() {
                match item {
                    Value::String(_) | Value::Number(_) | Value::Bool(_) => values.push(item.clone()),
                    _ => return Err(err(with(&r.at("values"), idx), "string_type", "Input should be a valid string")),
                }
            }
            Ok(Filter::Terms { scope, values })
        }
        Some("range") => {
            let bound = |key: &str| -> Result<Option<Value>, SchemaError> {
                match r.raw(key) {
                    None | Some(Value::Null) => Ok(None),
                    Some(v @ (Value::Number(_) | Value::String(_))) => Ok(Some(v.clone())),
                    Some(_) => Err(err(r.at(key), "float_type", "Input should be a valid number or date")),
                }
            };
            let (ge, le) = (bound("ge")?, bound("le")?);
            if ge.is_none() && le.is_none() {
                return Err(SchemaError::value(loc.to_vec(), "One of 'ge' or 'le' values must be specified"));
            }
            if let (Some(Value::Number(a)), Some(Value::Number(b))) = (&ge, &le) {
                if a.as_f64() > b.as_f64() {
                    return Err(SchemaError::value(loc.to_vec(), "'ge' must have a value less than or equal to 'le'"));
                }
            }
            Ok(Filter::Range { scope, ge, le })
        }
        _ => Err(err(r.at("type"), "union_tag_invalid", "Input should be 'terms' or 'range'")),
    }
}

/// Parses the body of `POST …/records/search` (`loc` is `["body"]`).
pub fn parse_search(value: &Value, loc: &[Loc]) -> Result<SearchQuery, SchemaError> {
    let mut res = SearchQuery::default();
    if value.is_null() {
        return Ok(res);
    }
    let obj = object(value, loc)?;
    let r = Reader::new(obj, loc);
    if let Some(query) = r.raw("query").filter(|it| !it.is_null()) {
        let qloc = r.at("query");
        let qobj = object(query, &qloc)?;
        let qr = Reader::new(qobj, &qloc);
        if let Some(text) = qr.raw("text").filter(|it| !it.is_null()) {
            let tloc = qr.at("text");
            let tr = Reader::new(object(text, &tloc)?, &tloc);
            res.text = Some(TextQuery { q: tr.string("q", 1, 10_000)?, field: tr.opt_string("field", 1, 200)? });
        }
        if let Some(vector) = qr.raw("vector").filter(|it| !it.is_null()) {
            let vloc = qr.at("vector");
            let vr = Reader::new(object(vector, &vloc)?, &vloc);
            let value = match vr.raw("value") {
                None | Some(Value::Null) => None,
                Some(Value::Array(items)) => {
                    let mut numbers = Vec::with_capacity(items.len());
                    for (idx, item) in items.iter().enumerate() {
                        let number = item.as_f64().ok_or_else(|| {
                            err(with(&vr.at("value"), idx), "float_type", "Input should be a valid number")
                        })?;
                        numbers.push(number);
                    }
                    Some(numbers)
                }
                Some(_) => return Err(err(vr.at("value"), "list_type", "Input should be a valid list")),
            };
            let record_id = vr.opt_uuid("record_id")?;
            match (&value, &record_id) {
                (Some(v), None) if !v.is_empty() => {}
                (None, Some(_)) => {}
                _ => {
                    return Err(SchemaError::value(
                        vloc.clone(),
                        "Either 'value' (a non-empty list) or 'record_id' must be provided, not both",
                    ))
                }
            }
            let order = match vr.raw("order").and_then(Value::as_str) {
                None | Some("most_similar") => SimilarityOrder::MostSimilar,
                Some("least_similar") => SimilarityOrder::LeastSimilar,
                Some(_) => {
                    return Err(err(vr.at("order"), "enum", "Input should be 'most_similar' or 'least_similar'"))
                }
            };
            res.vector = Some(VectorQuery { name: vr.string("name", 1, 200)?, record_id, value, order });
        }
    }
    if let Some(filters) = r.raw("filters").filter(|it| !it.is_null()) {
        let floc = r.at("filters");
        let fr = Reader::new(object(filters, &floc)?, &floc);
        let items = fr.array("and")?;
        if items.is_empty() || items.len() > MAX_FILTERS {
            return Err(err(fr.at("and"), "too_long", format!("List should have between 1 and {MAX_FILTERS} items")));
        }
        for (idx, item) in items.iter().enumerate() {
            res.filters.push(parse_filter(item, &with(&fr.at("and"), idx))?);
        }
    }
    if let Some(sort) = r.raw("sort").filter(|it| !it.is_null()) {
        let items = r.array("sort")?;
        if items.is_empty() || items.len() > MAX_SORT {
            return Err(err(r.at("sort"), "too_long", format!("List should have between 1 and {MAX_SORT} items")));
        }
        let _ = sort;
        for (idx, item) in items.iter().enumerate() {
            let sloc = with(&r.at("sort"), idx);
            let sr = Reader::new(object(item, &sloc)?, &sloc);
            let scope = parse_scope(sr.raw("scope").unwrap_or(&Value::Null), &sr.at("scope"))?;
            let descending = match sr.raw("order").and_then(Value::as_str) {
                None | Some("asc") => false,
                Some("desc") => true,
                Some(_) => return Err(err(sr.at("order"), "enum", "Input should be 'asc' or 'desc'")),
            };
            res.sort.push(Sort { scope, descending });
        }
    }
    Ok(res)
}

// ---------------------------------------------------------------------------------------------
// The legacy SDK's query-string filters (model.md §10.8)

/// What a legacy metadata filter needs to know of a property.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PropertyKind {
    Terms,
    Integer,
    Float,
}

/// Filters and sorts from the legacy `response_status`, `metadata` and `sort_by` parameters.
/// `kind_of` tells a metadata property's type (`None` when the dataset has no such property:
/// filters on it are ignored, sorts by it are refused).
pub fn legacy_query(
    response_status: &[String],
    metadata: &[String],
    sort_by: &[String],
    dataset_id: &str,
    kind_of: impl Fn(&str) -> Option<PropertyKind>,
) -> Result<(Vec<Filter>, Vec<Sort>), crate::Invalid> {
    use crate::Invalid;
    let mut filters = Vec::new();
    if !response_status.is_empty() {
        for status in response_status {
            if !matches!(status.as_str(), "draft" | "submitted" | "discarded" | "pending") {
                return Err(Invalid(format!(
                    "'{status}' is not a valid response status: use draft, submitted, discarded or pending"
                )));
            }
        }
        filters.push(Filter::Terms {
            scope: Scope::ResponseStatus,
            values: response_status.iter().map(|it| Value::String(it.clone())).collect(),
        });
    }
    for raw in metadata {
        let cannot = || Invalid(format!("Cannot parse provided metadata filters: {raw}"));
        let (name, value) = raw.split_once(':').ok_or_else(cannot)?;
        match kind_of(name) {
            None => {}
            Some(PropertyKind::Terms) => {
                let values: Vec<Value> =
                    value.split(',').filter(|it| !it.is_empty()).map(|it| Value::String(it.to_owned())).collect();
                if values.is_empty() {
                    return Err(cannot());
                }
                filters.push(Filter::Terms { scope: Scope::Metadata(name.to_owned()), values });
            }
            Some(PropertyKind::Integer | PropertyKind::Float) => {
                let bounds: serde_json::Map<String, Value> = serde_json::from_str(value).map_err(|_| cannot())?;
                let bound = |key: &str| match bounds.get(key) {
                    None | Some(Value::Null) => Ok(None),
                    Some(v @ Value::Number(_)) => Ok(Some(v.clone())),
                    Some(_) => Err(cannot()),
                };
                let (ge, le) = (bound("ge")?, bound("le")?);
                if ge.is_none() && le.is_none() {
                    return Err(cannot());
                }
                filters.push(Filter::Range { scope: Scope::Metadata(name.to_owned()), ge, le });
            }
        }
    }
    let mut sort = Vec::new();
    for raw in sort_by {
        let (field, order) = match raw.rsplit_once(':') {
            Some((field, order)) => (field, order),
            None => (raw.as_str(), "asc"),
        };
        // The legacy SDK formats its order enum with an f-string, which on Python >= 3.11 renders
        // `SortOrder.desc` rather than `desc` (argilla 1.29 supports 3.8–3.11): accept both.
        let descending = match order {
            "asc" | "SortOrder.asc" => false,
            "desc" | "SortOrder.desc" => true,
            other => {
                return Err(Invalid(format!(
                    "Provided sort order in 'sort_by' query param '{other}' for field '{field}' is not valid."
                )))
            }
        };
        let scope = match field {
            "inserted_at" => Scope::Record(RecordProperty::InsertedAt),
            "updated_at" => Scope::Record(RecordProperty::UpdatedAt),
            _ => match field.strip_prefix("metadata.") {
                Some(name) if kind_of(name).is_some() => Scope::Metadata(name.to_owned()),
                Some(name) => {
                    return Err(Invalid(format!(
                        "Provided metadata property in 'sort_by' query param '{name}' not found in dataset with '{dataset_id}'."
                    )))
                }
                None => {
                    return Err(Invalid(format!(
                        "Provided sort field in 'sort_by' query param '{field}' is not valid. It must be either inserted_at, updated_at or `metadata.metadata-property-name`"
                    )))
                }
            },
        };
        sort.push(Sort { scope, descending });
    }
    Ok((filters, sort))
}

// ---------------------------------------------------------------------------------------------
// Simple query string → FTS5

#[derive(Debug, PartialEq)]
enum Token {
    Term { text: String, prefix: bool, negated: bool },
    Phrase { text: String, negated: bool },
    Or,
    Open,
    Close,
}

fn tokenize(q: &str) -> Vec<Token> {
    let mut res = Vec::new();
    let mut chars = q.chars().peekable();
    let mut negate_next = false;
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() || c == '+' {
            chars.next();
            continue;
        }
        match c {
            '|' => {
                chars.next();
                res.push(Token::Or);
            }
            '(' => {
                chars.next();
                res.push(Token::Open);
            }
            ')' => {
                chars.next();
                res.push(Token::Close);
            }
            '-' => {
                chars.next();
                negate_next = true;
                continue;
            }
            '"' => {
                chars.next();
                let mut text = String::new();
                for c in chars.by_ref() {
                    if c == '"' {
                        break;
                    }
                    text.push(c);
                }
                // A `~N` slop after a phrase is accepted and ignored: FTS5 phrases are exact.
                if chars.peek() == Some(&'~') {
                    chars.next();
                    while chars.peek().is_some_and(char::is_ascii_digit) {
                        chars.next();
                    }
                }
                if !text.trim().is_empty() {
                    res.push(Token::Phrase { text, negated: negate_next });
                }
            }
            _ => {
                let mut text = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '|' | '(' | ')' | '"' | '+') {
                        break;
                    }
                    text.push(c);
                    chars.next();
                }
                // Fuzziness (`~N`) has no FTS5 equivalent; the term is matched exactly.
                if let Some(idx) = text.find('~') {
                    text.truncate(idx);
                }
                let prefix = text.ends_with('*');
                let text = text.trim_end_matches('*').to_owned();
                if !text.is_empty() {
                    res.push(Token::Term { text, prefix, negated: negate_next });
                }
            }
        }
        negate_next = false;
    }
    res
}

/// A parsed simple query string: what the text index must match, independent of the engine
/// (`to_fts5` renders it for SQLite's FTS5; the store renders it as a tsquery for PostgreSQL).
#[derive(Clone, Debug, PartialEq)]
pub enum TextMatch {
    /// A word, or a prefix of one. Text the index would split into several tokens (`e-mail`)
    /// matches them as a phrase.
    Term {
        text: String,
        prefix: bool,
    },
    /// Tokens in this order, adjacent.
    Phrase(String),
    And(Vec<TextMatch>),
    Or(Vec<TextMatch>),
    /// The first, unless any of the others.
    Not(Box<TextMatch>, Vec<TextMatch>),
    /// A query with no searchable term: matches no record.
    Nothing,
}

impl TextMatch {
    /// Parses a simple query string. Terms are ANDed; `|` is OR, `-` NOT, `"…"` a phrase,
    /// `term*` a prefix, and parentheses group. A query of no terms, or only negated ones,
    /// matches nothing (never everything).
    pub fn parse(q: &str) -> TextMatch {
        let tokens = tokenize(q);
        let mut pos = 0;
        parse_or(&tokens, &mut pos).unwrap_or(TextMatch::Nothing)
    }

    /// The FTS5 MATCH expression.
    pub fn to_fts5(&self) -> String {
        match self {
            TextMatch::Term { text, prefix: true } => format!("{}*", fts_string(text)),
            TextMatch::Term { text, prefix: false } | TextMatch::Phrase(text) => fts_string(text),
            TextMatch::And(items) => items.iter().map(|it| it.nested_fts5()).collect::<Vec<_>>().join(" AND "),
            TextMatch::Or(items) => {
                format!("({})", items.iter().map(TextMatch::to_fts5).collect::<Vec<_>>().join(" OR "))
            }
            TextMatch::Not(base, negative) => format!(
                "({}) NOT ({})",
                base.to_fts5(),
                negative.iter().map(TextMatch::to_fts5).collect::<Vec<_>>().join(" OR ")
            ),
            // The empty phrase matches no row.
            TextMatch::Nothing => "\"\"".to_owned(),
        }
    }

    fn nested_fts5(&self) -> String {
        match self {
            TextMatch::And(_) | TextMatch::Not(..) => format!("({})", self.to_fts5()),
            _ => self.to_fts5(),
        }
    }
}

/// Translates a simple query string into an FTS5 MATCH expression, or `None` when it holds no
/// searchable term (see [`TextMatch::parse`]).
pub fn to_fts5(q: &str) -> Option<String> {
    match TextMatch::parse(q) {
        TextMatch::Nothing => None,
        it => Some(it.to_fts5()),
    }
}

/// Text as the index compares it: lowercase, with diacritics removed (`Café` → `cafe`), as
/// SQLite's `unicode61 remove_diacritics 2` tokenizer does. PostgreSQL's `simple` text search
/// configuration only lowercases, so loam folds texts and queries with this before they reach it.
pub fn fold_text(text: &str) -> String {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization;
    text.nfd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect()
}

/// Quotes text as one FTS5 string (FTS5 tokenises it again, so punctuation inside is harmless).
fn fts_string(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

fn parse_or(tokens: &[Token], pos: &mut usize) -> Option<TextMatch> {
    let mut parts = Vec::new();
    if let Some(first) = parse_and(tokens, pos) {
        parts.push(first);
    }
    while *pos < tokens.len() && tokens[*pos] == Token::Or {
        *pos += 1;
        if let Some(next) = parse_and(tokens, pos) {
            parts.push(next);
        }
    }
    match parts.len() {
        0 => None,
        1 => parts.pop(),
        _ => Some(TextMatch::Or(parts)),
    }
}

fn parse_and(tokens: &[Token], pos: &mut usize) -> Option<TextMatch> {
    let mut positive = Vec::new();
    let mut negative = Vec::new();
    while *pos < tokens.len() {
        match &tokens[*pos] {
            Token::Or | Token::Close => break,
            Token::Open => {
                *pos += 1;
                let inner = parse_or(tokens, pos);
                if *pos < tokens.len() && tokens[*pos] == Token::Close {
                    *pos += 1;
                }
                if let Some(inner) = inner {
                    positive.push(inner);
                }
            }
            Token::Term { text, prefix, negated } => {
                *pos += 1;
                let item = TextMatch::Term { text: text.clone(), prefix: *prefix };
                if *negated {
                    negative.push(item)
                } else {
                    positive.push(item)
                }
            }
            Token::Phrase { text, negated } => {
                *pos += 1;
                let item = TextMatch::Phrase(text.clone());
                if *negated {
                    negative.push(item)
                } else {
                    positive.push(item)
                }
            }
        }
    }
    // NOT is binary (FTS5's too): a query of only negations matches nothing rather than everything.
    let base = match positive.len() {
        0 => return None,
        1 => positive.pop()?,
        _ => TextMatch::And(positive),
    };
    if negative.is_empty() {
        Some(base)
    } else {
        Some(TextMatch::Not(Box::new(base), negative))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn legacy_query_parameters_become_filters_and_sorts() {
        let kind = |name: &str| match name {
            "src" => Some(PropertyKind::Terms),
            "n" => Some(PropertyKind::Integer),
            _ => None,
        };
        let strings = |items: &[&str]| items.iter().map(|it| (*it).to_owned()).collect::<Vec<_>>();
        let (filters, sort) = legacy_query(
            &strings(&["pending", "draft"]),
            &strings(&["src:web,book", r#"n:{"ge": 2, "le": 5}"#, "unknown:x"]),
            &strings(&["metadata.n:desc", "inserted_at"]),
            "d",
            kind,
        )
        .unwrap();
        assert_eq!(filters.len(), 3, "unknown properties are ignored: {filters:?}");
        assert_eq!(
            filters[1],
            Filter::Terms { scope: Scope::Metadata("src".into()), values: vec![json!("web"), json!("book")] }
        );
        assert_eq!(
            filters[2],
            Filter::Range { scope: Scope::Metadata("n".into()), ge: Some(json!(2)), le: Some(json!(5)) }
        );
        assert_eq!(sort[0], Sort { scope: Scope::Metadata("n".into()), descending: true });
        assert_eq!(sort[1], Sort { scope: Scope::Record(RecordProperty::InsertedAt), descending: false });
        // The legacy SDK on Python >= 3.11 sends the order enum's name.
        let (_, sort) =
            legacy_query(&[], &[], &strings(&["metadata.n:SortOrder.desc", "updated_at:SortOrder.asc"]), "d", kind)
                .unwrap();
        assert_eq!(sort[0], Sort { scope: Scope::Metadata("n".into()), descending: true });
        assert_eq!(sort[1], Sort { scope: Scope::Record(RecordProperty::UpdatedAt), descending: false });
        for (status, metadata, sort_by, message) in [
            (vec!["maybe"], vec![], vec![], "'maybe' is not a valid response status"),
            (vec![], vec!["n:notjson"], vec![], "Cannot parse provided metadata filters: n:notjson"),
            (vec![], vec!["src"], vec![], "Cannot parse provided metadata filters: src"),
            (vec![], vec![], vec!["title"], "Provided sort field in 'sort_by' query param 'title' is not valid."),
            (vec![], vec![], vec!["metadata.nope"], "'nope' not found in dataset with 'd'"),
            (vec![], vec![], vec!["updated_at:up"], "sort order in 'sort_by' query param 'up'"),
        ] {
            let err = legacy_query(&strings(&status), &strings(&metadata), &strings(&sort_by), "d", kind).unwrap_err();
            assert!(err.0.contains(message), "{} does not contain {message}", err.0);
        }
    }

    #[test]
    fn simple_query_strings_translate() {
        for (q, fts) in [
            ("hello", Some("\"hello\"")),
            ("hello world", Some("\"hello\" AND \"world\"")),
            ("hello | world", Some("(\"hello\" OR \"world\")")),
            ("hello -world", Some("(\"hello\") NOT (\"world\")")),
            ("\"hello world\"", Some("\"hello world\"")),
            ("hel*", Some("\"hel\"*")),
            ("(a | b) c", Some("(\"a\" OR \"b\") AND \"c\"")),
            ("a (b -c)", Some("\"a\" AND ((\"b\") NOT (\"c\"))")),
            ("fuzzy~2", Some("\"fuzzy\"")),
            ("it's \"quoted\"\"", Some("\"it's\" AND \"quoted\"")),
            ("   ", None),
            ("-only", None),
            ("日本語 café 🎉", Some("\"日本語\" AND \"café\" AND \"🎉\"")),
        ] {
            assert_eq!(to_fts5(q).as_deref(), fts, "{q}");
        }
    }

    #[test]
    fn texts_fold_like_the_sqlite_tokenizer() {
        assert_eq!(fold_text("Café CRÈME Ångström"), "cafe creme angstrom");
        assert_eq!(fold_text("日本語 🎉 naïve"), "日本語 🎉 naive");
    }

    #[test]
    fn search_body_parses_sdk_shape() {
        let body = json!({"query": {"text": {"q": "x", "field": null}, "vector": null},
            "filters": {"type": "and", "and": [{"type": "terms", "values": ["pending"], "scope": {"entity": "record", "property": "status"}}]}});
        let res = parse_search(&body, &[Loc::from("body")]).unwrap();
        assert_eq!(res.text, Some(TextQuery { q: "x".into(), field: None }));
        assert_eq!(
            res.filters,
            vec![Filter::Terms { scope: Scope::Record(RecordProperty::Status), values: vec![json!("pending")] }]
        );
    }

    #[test]
    fn bad_search_bodies_are_rejected() {
        for bad in [
            json!({"filters": {"and": []}}),
            json!({"filters": {"and": [{"type": "range", "scope": {"entity": "metadata", "metadata_property": "m"}}]}}),
            json!({"filters": {"and": [{"type": "range", "ge": 5, "le": 1, "scope": {"entity": "metadata", "metadata_property": "m"}}]}}),
            json!({"filters": {"and": [{"type": "terms", "values": ["a"], "scope": {"entity": "response"}}]}}),
            json!({"query": {"vector": {"name": "v"}}}),
            json!({"query": {"vector": {"name": "v", "value": [], "record_id": null}}}),
            json!({"sort": [{"scope": {"entity": "record", "property": "nope"}, "order": "asc"}]}),
        ] {
            assert!(parse_search(&bad, &[Loc::from("body")]).is_err(), "{bad}");
        }
    }
}
