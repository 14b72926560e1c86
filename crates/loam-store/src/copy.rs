//! `loam db copy`: every row of one database into another, across engines (SQLite ⇄
//! PostgreSQL), in one transaction on the target. The text index is not copied: it is derived
//! from the records, and the service rebuilds it in the target's own form afterwards.

use serde_json::Value;
use uuid::Uuid;

use crate::db::{self, Arg, Query};
use crate::{StoreError, Tx};

/// The tables, parents before children (foreign keys hold at every insert).
pub const TABLES: &[&str] = &[
    "users",
    "workspaces",
    "workspace_users",
    "workspace_reviewers",
    "datasets",
    "dataset_users",
    "fields",
    "questions",
    "question_strategies",
    "pairwise_questions",
    "review_rules",
    "metadata_properties",
    "vector_settings",
    "records",
    "record_metadata",
    "responses",
    "final_answers",
    "review_returns",
    "review_events",
    "response_times",
    "response_shown",
    "record_history",
    "suggestions",
    "pairwise_judgements",
    "vectors",
    "webhooks",
    "webhook_deliveries",
];

/// Rows per multi-row insert (bounded by the engines' parameter limits).
const CHUNK_PARAMS: usize = 30_000;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Uuid,
    Json,
    Bool,
    Int,
    Float,
    Text,
    Bytes,
}

#[derive(Debug)]
enum Cell {
    Null,
    Uuid(Uuid),
    Json(Value),
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    Bytes(Vec<u8>),
}

/// How many rows of each table were copied.
pub type Counts = Vec<(&'static str, u64)>;

/// Column names and kinds of `table`, from PostgreSQL's catalogue (its types name what SQLite's
/// affinities leave open: a BLOB is a UUID or a vector).
async fn columns(pg: &mut Tx, table: &str) -> Result<Vec<(String, Kind)>, StoreError> {
    let Tx::Postgres(_) = pg else { return Err(StoreError::Unsupported("columns from SQLite".into())) };
    let rows: Vec<(String, String)> = db::query(
        "select column_name::text, data_type::text from information_schema.columns \
         where table_schema = current_schema() and table_name = $1 order by ordinal_position",
    )
    .bind(table)
    .fetch_all(pg)
    .await?;
    rows.into_iter()
        .map(|(name, ty)| {
            let kind = match ty.as_str() {
                "uuid" => Kind::Uuid,
                "jsonb" | "json" => Kind::Json,
                "boolean" => Kind::Bool,
                "bigint" | "integer" | "smallint" => Kind::Int,
                "double precision" | "real" | "numeric" => Kind::Float,
                "text" | "character varying" => Kind::Text,
                "bytea" => Kind::Bytes,
                other => return Err(StoreError::Corrupt(format!("column {table}.{name} has unexpected type {other}"))),
            };
            Ok((name, kind))
        })
        .collect()
}

/// Reads every row of `table` from `tx` as cells of `cols`. JSON comes back as text and integers
/// as 64-bit on both engines (PostgreSQL casts them), so one decoding serves both.
async fn read_rows(tx: &mut Tx, table: &str, cols: &[(String, Kind)]) -> Result<Vec<Vec<Cell>>, StoreError> {
    let pg = matches!(tx, Tx::Postgres(_));
    let list = cols
        .iter()
        .map(|(name, kind)| match (pg, kind) {
            (true, Kind::Json) => format!("{name}::text"),
            (true, Kind::Int) => format!("{name}::bigint"),
            _ => name.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let order = if table == "records" { " order by seq" } else { "" };
    let sql = format!("select {list} from {table}{order}");
    let mut out = Vec::new();
    db::query(&sql)
        .long()
        .for_each(tx, |row| {
            let mut cells = Vec::with_capacity(cols.len());
            for (i, (_, kind)) in cols.iter().enumerate() {
                cells.push(match kind {
                    Kind::Uuid => row.get::<Option<Uuid>>(i)?.map_or(Cell::Null, Cell::Uuid),
                    Kind::Json => match row.get::<Option<String>>(i)? {
                        None => Cell::Null,
                        Some(text) => Cell::Json(
                            serde_json::from_str(&text)
                                .map_err(|err| StoreError::Corrupt(format!("{table}: bad JSON: {err}")))?,
                        ),
                    },
                    Kind::Bool => row.get::<Option<bool>>(i)?.map_or(Cell::Null, Cell::Bool),
                    Kind::Int => row.get::<Option<i64>>(i)?.map_or(Cell::Null, Cell::Int),
                    Kind::Float => row.get::<Option<f64>>(i)?.map_or(Cell::Null, Cell::Float),
                    Kind::Text => row.get::<Option<String>>(i)?.map_or(Cell::Null, Cell::Text),
                    Kind::Bytes => row.get::<Option<Vec<u8>>>(i)?.map_or(Cell::Null, Cell::Bytes),
                });
            }
            out.push(cells);
            Ok(())
        })
        .await?;
    Ok(out)
}

/// The argument of a cell: JSON as its text, which both engines take (PostgreSQL casts it).
fn cell_arg(cell: &Cell) -> Arg {
    match cell {
        Cell::Null => Arg::Text(None),
        Cell::Uuid(it) => Arg::from(*it),
        Cell::Json(it) => Arg::from(it.to_string()),
        Cell::Bool(it) => Arg::from(*it),
        Cell::Int(it) => Arg::from(*it),
        Cell::Float(it) => Arg::from(*it),
        Cell::Text(it) => Arg::from(it.as_str()),
        Cell::Bytes(it) => Arg::from(it.as_slice()),
    }
}

/// Inserts `rows` into `table` of `tx`.
async fn write_rows(tx: &mut Tx, table: &str, cols: &[(String, Kind)], rows: &[Vec<Cell>]) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let list = cols.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>().join(", ");
    let per_chunk = (CHUNK_PARAMS / cols.len().max(1)).max(1);
    for chunk in rows.chunks(per_chunk) {
        let sql = match tx {
            Tx::Sqlite(_) => {
                let one = format!("({})", vec!["?"; cols.len()].join(", "));
                format!("insert into {table} ({list}) values {}", vec![one; chunk.len()].join(", "))
            }
            Tx::Postgres(_) => {
                let mut n = 0;
                let values: Vec<String> = chunk
                    .iter()
                    .map(|_| {
                        let row: Vec<String> = cols
                            .iter()
                            .map(|(_, kind)| {
                                n += 1;
                                // An untyped NULL needs the column's type.
                                match kind {
                                    Kind::Uuid => format!("${n}::uuid"),
                                    Kind::Json => format!("${n}::jsonb"),
                                    Kind::Bool => format!("${n}::boolean"),
                                    Kind::Int => format!("${n}::bigint"),
                                    Kind::Float => format!("${n}::float8"),
                                    Kind::Text => format!("${n}::text"),
                                    Kind::Bytes => format!("${n}::bytea"),
                                }
                            })
                            .collect();
                        format!("({})", row.join(", "))
                    })
                    .collect();
                // records.seq is an identity column: keep the source's numbers (they order records).
                let overriding = if table == "records" { " overriding system value" } else { "" };
                format!("insert into {table} ({list}){overriding} values {}", values.join(", "))
            }
        };
        let args: Vec<Arg> = chunk.iter().flatten().map(cell_arg).collect();
        Query::with_args(&sql, &args).long().execute(tx).await?;
    }
    Ok(())
}

/// Whether `tx`'s database holds any user (a copy goes only into an empty database).
pub async fn is_empty(tx: &mut Tx) -> Result<bool, StoreError> {
    let users: i64 = db::query("select count(*) from users").fetch_one(tx).await?;
    Ok(users == 0)
}

/// Copies every table of `from` into `to` (in `to`'s transaction). One side must be
/// PostgreSQL: its catalogue names the column types. Returns the rows copied per table.
pub async fn copy_all(from: &mut Tx, to: &mut Tx) -> Result<Counts, StoreError> {
    let mut counts = Vec::new();
    for table in TABLES {
        let cols = match (&mut *from, &mut *to) {
            (pg @ Tx::Postgres(_), _) | (_, pg @ Tx::Postgres(_)) => columns(pg, table).await?,
            _ => {
                return Err(StoreError::Unsupported(
                    "copying between two SQLite databases (copy the file instead)".to_owned(),
                ))
            }
        };
        let rows = read_rows(from, table, &cols).await?;
        write_rows(to, table, &cols, &rows).await?;
        counts.push((*table, rows.len() as u64));
    }
    if let Tx::Postgres(_) = to {
        // The identity continues after the copied numbers.
        db::query("select setval(pg_get_serial_sequence('records', 'seq'), coalesce((select max(seq) from records), 0) + 1, false)")
            .execute(to)
            .await?;
    }
    Ok(counts)
}
