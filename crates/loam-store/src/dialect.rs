//! The places where SQLite and PostgreSQL differ outside of DDL, in one type: [`Dialect`] renders
//! what each engine spells its own way (JSON reads, the text match and its rank, row locks), so
//! the query builders above it have no `match` on the engine.
//!
//! SQLite reads JSON with its JSON1 functions and matches text with FTS5 (`record_fts`, migration
//! 0002); PostgreSQL reads jsonb with its operators and SQL/JSON paths and matches a GIN-indexed
//! tsvector (`record_texts`). Both take `$n` placeholders.

use loam_domain::query::{fold_text, TextMatch};
use serde_json::Value;

use crate::db::Arg;
use crate::text_index::MAX_FIELDS_PER_DATASET;
use crate::Tx;

/// The engine a statement is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

/// Adds `arg` to a statement's arguments and returns its placeholder (`$n`, on both engines).
pub(crate) fn bind(args: &mut Vec<Arg>, arg: impl Into<Arg>) -> String {
    args.push(arg.into());
    format!("${}", args.len())
}

impl Dialect {
    /// The engine `tx` runs on.
    pub(crate) fn of(tx: &Tx) -> Self {
        match tx {
            Tx::Sqlite(..) => Dialect::Sqlite,
            Tx::Postgres(_) => Dialect::Postgres,
        }
    }

    /// The clause that makes a `SELECT … FOR UPDATE` subquery skip rows other transactions hold,
    /// so replicas claiming work from one table split it instead of queueing on each other. Empty
    /// on SQLite, whose write transactions run one at a time anyway.
    pub(crate) fn skip_locked(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => "for update skip locked",
        }
    }

    /// `$."k1"."k2"`: a JSON path to nested keys, each quoted so any key name is safe (the syntax
    /// SQLite's JSON1 and PostgreSQL's SQL/JSON paths share; PostgreSQL's also escapes
    /// backslashes).
    pub(crate) fn json_path(self, keys: &[&str]) -> String {
        let mut path = "$".to_owned();
        for key in keys {
            let key = match self {
                Dialect::Sqlite => (*key).to_owned(),
                Dialect::Postgres => key.replace('\\', "\\\\"),
            };
            path.push_str(&format!(".\"{}\"", key.replace('"', "\\\"")));
        }
        path
    }

    /// The elements of the JSON value at `keys` of the JSON column `doc` (no keys: the column
    /// itself), as a row source `j` whose `j.value` is each element of an array, or the value
    /// itself when it is not an array.
    pub(crate) fn json_elements(self, args: &mut Vec<Arg>, doc: &str, keys: &[&str]) -> String {
        match self {
            Dialect::Sqlite => {
                let p = bind(args, self.json_path(keys));
                format!("json_each({doc}, {p}) j")
            }
            Dialect::Postgres => {
                let p = bind(args, format!("lax {}[*]", self.json_path(keys)));
                format!("jsonb_path_query({doc}, {p}::jsonpath) j(value)")
            }
        }
    }

    /// The JSON value at `keys` of the JSON column `doc`, as something that sorts: SQLite's SQL
    /// value of it; PostgreSQL's jsonb (numbers order numerically, strings as text).
    pub(crate) fn json_at(self, args: &mut Vec<Arg>, doc: &str, keys: &[&str]) -> String {
        match self {
            Dialect::Sqlite => {
                let p = bind(args, self.json_path(keys));
                format!("json_extract({doc}, {p})")
            }
            Dialect::Postgres => {
                let mut expr = doc.to_owned();
                for key in keys {
                    let p = bind(args, (*key).to_owned());
                    expr = format!("({expr} -> {p}::text)");
                }
                expr
            }
        }
    }

    /// `json` (an SQL expression of a JSON value) as a number, or null when it is not one.
    pub(crate) fn json_number(self, json: &str) -> String {
        match self {
            Dialect::Sqlite => format!("(case when typeof({json}) in ('integer', 'real') then {json} end)"),
            Dialect::Postgres => format!("(case when jsonb_typeof({json}) = 'number' then ({json})::float8 end)"),
        }
    }

    /// A JSON scalar to compare a JSON value read by [`Dialect::json_elements`] or
    /// [`Dialect::json_at`] with: strings compare as text, numbers numerically.
    pub(crate) fn json_scalar(self, args: &mut Vec<Arg>, value: &Value) -> String {
        match self {
            Dialect::Sqlite => match value {
                Value::Number(n) => bind(args, n.as_f64().unwrap_or(f64::NAN)),
                Value::Bool(b) => bind(args, i64::from(*b)),
                Value::String(text) => bind(args, text.clone()),
                other => bind(args, other.to_string()),
            },
            Dialect::Postgres => format!("{}::jsonb", bind(args, value.to_string())),
        }
    }

    /// A JSON value (each `j.value` of [`Dialect::json_elements`]) as its JSON text, keeping its
    /// type (a string stays a string, a number a number): `json_quote` in SQLite, jsonb's text
    /// form in PostgreSQL.
    pub(crate) fn json_text(self, json: &str) -> String {
        match self {
            Dialect::Sqlite => format!("json_quote({json})"),
            Dialect::Postgres => format!("{json}::text"),
        }
    }

    /// `column` as a term that filters without being offered to the planner's index choice.
    /// SQLite's planner, which has no statistics, would rather walk the dataset's index for
    /// `dataset_id = ?` than look up ten or more ids; the unary `+` keeps it out (it still
    /// filters). PostgreSQL's planner has statistics and is left to choose.
    pub(crate) fn unindexed(self, column: &str) -> String {
        match self {
            Dialect::Sqlite => format!("+{column}"),
            Dialect::Postgres => column.to_owned(),
        }
    }

    /// Whether the text index's row keys carry the record seq (FTS5's rowid is
    /// `seq * MAX_FIELDS_PER_DATASET + field ordinal`), so a seq range alone bounds a dataset's
    /// matches: true on SQLite.
    pub(crate) fn text_index_keyed_by_seq(self) -> bool {
        self == Dialect::Sqlite
    }

    /// A join of the records `r` to their text matches `h` (`h.seq`, and `h.score`: higher is
    /// better), in one field when `field_ordinal` is given. SQLite: FTS5 with BM25 (see
    /// [`fts5_matches`]); PostgreSQL: the sum of a record's fields' `ts_rank`.
    pub(crate) fn text_match_join(
        self,
        args: &mut Vec<Arg>,
        matching: &TextMatch,
        field_ordinal: Option<i64>,
    ) -> String {
        match self {
            Dialect::Sqlite => {
                let matches = fts5_matches(args, matching, field_ordinal, None, "");
                format!(" join ({matches}) h on h.seq = r.seq")
            }
            Dialect::Postgres => {
                let q = tsquery(args, matching);
                let field = match field_ordinal {
                    Some(ordinal) => format!(" and t.field_ordinal = {}", bind(args, ordinal)),
                    None => String::new(),
                };
                format!(
                    " join (select t.record_seq as seq, sum(ts_rank(t.tsv, q.q))::float8 as score \
                     from record_texts t, (select {q} as q) q where t.tsv @@ q.q{field} group by t.record_seq) h \
                     on h.seq = r.seq"
                )
            }
        }
    }
}

/// The records an FTS5 match finds (in one field, when given), one row each: `seq` and `score`,
/// the sum of their fields' BM25 (FTS5's hidden `rank` column, lower is better; bm25() itself
/// cannot sit inside an aggregate). `rowids` limits the match to a half-open range of the text
/// index's rowids (`seq * MAX_FIELDS_PER_DATASET + field ordinal`). `probes` (empty, or
/// ` and …` conditions on `record_fts.rowid`) keeps only the matches that pass them, before they
/// are ranked. SQLite only.
pub(crate) fn fts5_matches(
    args: &mut Vec<Arg>,
    matching: &TextMatch,
    field_ordinal: Option<i64>,
    rowids: Option<(i64, i64)>,
    probes: &str,
) -> String {
    let m = bind(args, matching.to_fts5());
    let mut filter = probes.to_owned();
    if let Some((from, to)) = rowids {
        let (from, to) = (bind(args, from), bind(args, to));
        filter.push_str(&format!(" and rowid >= {from} and rowid < {to}"));
    }
    if let Some(ordinal) = field_ordinal {
        filter.push_str(&format!(" and rowid % {MAX_FIELDS_PER_DATASET} = {}", bind(args, ordinal)));
    }
    format!(
        "select rowid / {MAX_FIELDS_PER_DATASET} as seq, -sum(rank) as score from record_fts \
         where record_fts match {m}{filter} group by rowid / {MAX_FIELDS_PER_DATASET}"
    )
}

/// `text` as a PostgreSQL tsquery expression over the `simple` configuration, with texts folded
/// as the index folds them (see `loam_domain::query::fold_text`).
fn tsquery(args: &mut Vec<Arg>, text: &TextMatch) -> String {
    match text {
        TextMatch::Term { text, prefix: false } | TextMatch::Phrase(text) => {
            format!("phraseto_tsquery('simple', {})", bind(args, fold_text(text)))
        }
        TextMatch::Term { text, prefix: true } => {
            // A quoted lexeme with the prefix mark; the quoting makes any text a literal.
            let lexeme = format!("'{}':*", fold_text(text).replace('\\', "\\\\").replace('\'', "''"));
            format!("to_tsquery('simple', {})", bind(args, lexeme))
        }
        TextMatch::And(items) => {
            let parts: Vec<String> = items.iter().map(|it| tsquery(args, it)).collect();
            format!("({})", parts.join(" && "))
        }
        TextMatch::Or(items) => {
            let parts: Vec<String> = items.iter().map(|it| tsquery(args, it)).collect();
            format!("({})", parts.join(" || "))
        }
        TextMatch::Not(base, negative) => {
            let base = tsquery(args, base);
            let parts: Vec<String> = negative.iter().map(|it| tsquery(args, it)).collect();
            format!("({base} && !!({}))", parts.join(" || "))
        }
        TextMatch::Nothing => "to_tsquery('simple', '')".to_owned(),
    }
}

/// SQLite reports unique violations without a constraint name, as
/// `UNIQUE constraint failed: datasets.workspace_id, datasets.name`; this returns the column list
/// so callers can still tell which constraint broke.
pub(crate) fn sqlite_unique_columns(message: &str) -> String {
    message.strip_prefix("UNIQUE constraint failed: ").unwrap_or(message).to_owned()
}
