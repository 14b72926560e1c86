//! Running a statement on either engine: the one place that binds arguments, steps rows and
//! decodes columns.
//!
//! A statement is written once, in SQL both engines accept (`$n` placeholders, or `?` for long
//! multi-row inserts on SQLite), with its arguments as [`Arg`]s. On SQLite it runs through
//! rusqlite on the calling thread: a prepared statement from the connection's cache, stepped
//! right there, with no hand-off to another thread (a SQLite statement on a warm page cache takes
//! microseconds, less than waking a thread). On PostgreSQL it goes through sqlx, whose round trip
//! to the server is a network one anyway.
//!
//! Rows come back through [`FromRow`]: row structs read their columns by name ([`from_row!`]),
//! tuples and scalars by position.

use std::fmt::Display;

use serde::de::DeserializeOwned;
use serde_json::Value;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::{Postgres, Row as _};
use uuid::Uuid;

use crate::lite::LiteTx;
use crate::{StoreError, Tx};

/// A JSON document in a column: TEXT on SQLite, `jsonb` on PostgreSQL.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Json<T>(pub T);

/// One argument of a statement. `None` is SQL NULL, typed (PostgreSQL needs the type of a NULL).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Arg {
    Int(Option<i64>),
    Int32(Option<i32>),
    Float(Option<f64>),
    Bool(Option<bool>),
    Text(Option<String>),
    Id(Option<Uuid>),
    Json(Option<Value>),
    Bytes(Option<Vec<u8>>),
}

macro_rules! arg_from {
    ($($ty:ty => $variant:ident),* $(,)?) => {$(
        impl From<$ty> for Arg {
            fn from(value: $ty) -> Self {
                Arg::$variant(Some(value.into()))
            }
        }
        impl From<Option<$ty>> for Arg {
            fn from(value: Option<$ty>) -> Self {
                Arg::$variant(value.map(Into::into))
            }
        }
    )*};
}

arg_from!(
    i64 => Int,
    i32 => Int32,
    f64 => Float,
    bool => Bool,
    String => Text,
    &str => Text,
    &String => Text,
    Uuid => Id,
    Vec<u8> => Bytes,
    &[u8] => Bytes,
    Value => Json,
);

impl From<Json<Value>> for Arg {
    fn from(value: Json<Value>) -> Self {
        Arg::Json(Some(value.0))
    }
}

impl From<Option<Json<Value>>> for Arg {
    fn from(value: Option<Json<Value>>) -> Self {
        Arg::Json(value.map(|it| it.0))
    }
}

impl From<&Option<String>> for Arg {
    fn from(value: &Option<String>) -> Self {
        Arg::Text(value.clone())
    }
}

impl From<Json<&Vec<String>>> for Arg {
    fn from(value: Json<&Vec<String>>) -> Self {
        Arg::Json(Some(Value::Array(value.0.iter().cloned().map(Value::String).collect())))
    }
}

impl rusqlite::ToSql for Arg {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value as Lite, ValueRef};
        Ok(match self {
            Arg::Int(it) => it.map_or(ToSqlOutput::Owned(Lite::Null), |it| ToSqlOutput::Owned(Lite::Integer(it))),
            Arg::Int32(it) => {
                it.map_or(ToSqlOutput::Owned(Lite::Null), |it| ToSqlOutput::Owned(Lite::Integer(it.into())))
            }
            Arg::Float(it) => it.map_or(ToSqlOutput::Owned(Lite::Null), |it| ToSqlOutput::Owned(Lite::Real(it))),
            Arg::Bool(it) => {
                it.map_or(ToSqlOutput::Owned(Lite::Null), |it| ToSqlOutput::Owned(Lite::Integer(it.into())))
            }
            Arg::Text(it) => match it {
                Some(text) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
                None => ToSqlOutput::Owned(Lite::Null),
            },
            // 16 bytes, as sqlx stored them before (databases made by earlier versions read alike).
            Arg::Id(it) => match it {
                Some(id) => ToSqlOutput::Borrowed(ValueRef::Blob(id.as_bytes())),
                None => ToSqlOutput::Owned(Lite::Null),
            },
            Arg::Json(it) => match it {
                Some(doc) => ToSqlOutput::Owned(Lite::Text(doc.to_string())),
                None => ToSqlOutput::Owned(Lite::Null),
            },
            Arg::Bytes(it) => match it {
                Some(bytes) => ToSqlOutput::Borrowed(ValueRef::Blob(bytes)),
                None => ToSqlOutput::Owned(Lite::Null),
            },
        })
    }
}

/// The sqlx query of `sql` with `args` bound, for PostgreSQL.
fn pg_query<'q>(sql: &'q str, args: &'q [Arg]) -> sqlx::query::Query<'q, Postgres, PgArguments> {
    let mut q = sqlx::query(sql);
    for arg in args {
        q = match arg {
            Arg::Int(it) => q.bind(*it),
            Arg::Int32(it) => q.bind(*it),
            Arg::Float(it) => q.bind(*it),
            Arg::Bool(it) => q.bind(*it),
            Arg::Text(it) => q.bind(it.as_deref()),
            Arg::Id(it) => q.bind(*it),
            Arg::Json(it) => q.bind(it.as_ref().map(sqlx::types::Json)),
            Arg::Bytes(it) => q.bind(it.as_deref()),
        };
    }
    q
}

/// A statement and its arguments, run on a [`Tx`] by one of the `fetch_*` methods or
/// [`Query::execute`].
#[must_use = "a query does nothing until it is run on a transaction"]
pub(crate) struct Query<'q> {
    sql: &'q str,
    args: Vec<Arg>,
    long: bool,
}

/// A statement with no arguments bound yet.
pub(crate) fn query(sql: &str) -> Query<'_> {
    Query { sql, args: Vec::new(), long: false }
}

/// Runs `run` (a SQLite statement) on this thread; when it may take long, on a multi-threaded
/// runtime the worker first hands its other tasks to another thread (`block_in_place`), so they
/// do not wait behind it.
fn on_this_thread<R>(long: bool, run: impl FnOnce() -> R) -> R {
    let multi_thread = long
        && tokio::runtime::Handle::try_current()
            .is_ok_and(|it| it.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    if multi_thread {
        tokio::task::block_in_place(run)
    } else {
        run()
    }
}

impl<'q> Query<'q> {
    /// A statement with these arguments (for `$1`, `$2`, … or the `?`s in order).
    pub fn with_args(sql: &'q str, args: &[Arg]) -> Self {
        Query { sql, args: args.to_vec(), long: false }
    }

    /// Marks a statement whose work grows with the data rather than with the request (a search's
    /// page or count over a whole dataset, an aggregate, a cascading delete). On SQLite it then
    /// runs with [`on_this_thread`]'s hand-off, which costs a thread wake-up: statements of a few
    /// rows (the annotation loop's) and writes bounded by a request's batch (a bulk insert's
    /// chunk) are not marked.
    pub fn long(mut self) -> Self {
        self.long = true;
        self
    }

    pub fn bind(mut self, arg: impl Into<Arg>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Binds each of `args` in turn (the values of an `in (…)` list).
    pub fn bind_all<A: Into<Arg>>(mut self, args: impl IntoIterator<Item = A>) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Runs the statement and returns how many rows it changed.
    pub async fn execute(self, tx: &mut Tx) -> Result<u64, StoreError> {
        match tx {
            Tx::Sqlite(lite) => on_this_thread(self.long, || lite.run(self.sql, &self.args, |_| Ok(()))),
            Tx::Postgres(conn) => Ok(pg_query(self.sql, &self.args).execute(&mut **conn).await?.rows_affected()),
        }
    }

    /// Hands each row to `visit` as it is read, holding one row at a time.
    pub async fn for_each(
        self,
        tx: &mut Tx,
        mut visit: impl FnMut(&Row<'_>) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        match tx {
            Tx::Sqlite(lite) => {
                on_this_thread(self.long, || lite.run(self.sql, &self.args, |row| visit(&Row::Lite(row)))).map(|_| ())
            }
            Tx::Postgres(conn) => {
                use futures::TryStreamExt;
                let mut rows = pg_query(self.sql, &self.args).fetch(&mut **conn);
                while let Some(row) = rows.try_next().await? {
                    visit(&Row::Pg(&row))?;
                }
                Ok(())
            }
        }
    }

    pub async fn fetch_all<T: FromRow>(self, tx: &mut Tx) -> Result<Vec<T>, StoreError> {
        let mut out = Vec::new();
        self.for_each(tx, |row| {
            out.push(T::from_row(row)?);
            Ok(())
        })
        .await?;
        Ok(out)
    }

    /// The first row, if any (the statement runs to its end either way: a write that returns
    /// rows does all its writing).
    pub async fn fetch_optional<T: FromRow>(self, tx: &mut Tx) -> Result<Option<T>, StoreError> {
        let mut first = None;
        self.for_each(tx, |row| {
            if first.is_none() {
                first = Some(T::from_row(row)?);
            }
            Ok(())
        })
        .await?;
        Ok(first)
    }

    /// The first row, which must be there (an aggregate, say).
    pub async fn fetch_one<T: FromRow>(self, tx: &mut Tx) -> Result<T, StoreError> {
        let sql = self.sql;
        self.fetch_optional(tx).await?.ok_or_else(|| StoreError::Corrupt(format!("no row from `{sql}`")))
    }
}

/// A row being read, from either engine.
pub enum Row<'a> {
    Lite(&'a rusqlite::Row<'a>),
    Pg(&'a PgRow),
}

/// A column's place: its position or its name.
pub trait ColumnIndex: rusqlite::RowIndex + sqlx::ColumnIndex<PgRow> + Copy + Display {}
impl ColumnIndex for usize {}
impl ColumnIndex for &str {}

impl Row<'_> {
    /// The value of a column.
    pub fn get<T: Decode>(&self, index: impl ColumnIndex) -> Result<T, StoreError> {
        let res = match self {
            Row::Lite(row) => match row.get_ref(index) {
                Ok(value) => T::lite(value),
                Err(err) => Err(err.to_string()),
            },
            Row::Pg(row) => T::pg(row, index).map_err(|err| err.to_string()),
        };
        res.map_err(|err| StoreError::Corrupt(format!("column `{index}`: {err}")))
    }
}

impl<'a> Row<'a> {
    /// The bytes of a BLOB column, without copying them.
    pub fn bytes(&self, index: impl ColumnIndex) -> Result<&'a [u8], StoreError> {
        let res = match self {
            Row::Lite(row) => row.get_ref(index).map_err(|err| err.to_string()).and_then(|it| match it {
                rusqlite::types::ValueRef::Blob(bytes) => Ok(bytes),
                other => unexpected(other, "a blob"),
            }),
            Row::Pg(row) => row.try_get::<&[u8], _>(index).map_err(|err| err.to_string()),
        };
        res.map_err(|err| StoreError::Corrupt(format!("column `{index}`: {err}")))
    }

    /// The bytes of a TEXT column (`None` for NULL), without copying them.
    pub fn text(&self, index: impl ColumnIndex) -> Result<Option<&'a [u8]>, StoreError> {
        let res = match self {
            Row::Lite(row) => row.get_ref(index).map_err(|err| err.to_string()).and_then(|it| match it {
                rusqlite::types::ValueRef::Text(bytes) => Ok(Some(bytes)),
                rusqlite::types::ValueRef::Null => Ok(None),
                other => unexpected(other, "text"),
            }),
            Row::Pg(row) => {
                row.try_get::<Option<&str>, _>(index).map(|it| it.map(str::as_bytes)).map_err(|err| err.to_string())
            }
        };
        res.map_err(|err| StoreError::Corrupt(format!("column `{index}`: {err}")))
    }
}

/// A column value's Rust type.
pub trait Decode: Sized {
    fn lite(value: rusqlite::types::ValueRef<'_>) -> Result<Self, String>;
    fn pg(row: &PgRow, index: impl ColumnIndex) -> Result<Self, sqlx::Error>;
}

fn unexpected<T>(value: rusqlite::types::ValueRef<'_>, wanted: &str) -> Result<T, String> {
    Err(format!("expected {wanted}, found {:?}", value.data_type()))
}

macro_rules! decode_pg_as_is {
    () => {
        fn pg(row: &PgRow, index: impl ColumnIndex) -> Result<Self, sqlx::Error> {
            row.try_get(index)
        }
    };
}

impl Decode for i64 {
    fn lite(value: rusqlite::types::ValueRef<'_>) -> Result<Self, String> {
        match value {
            rusqlite::types::ValueRef::Integer(it) => Ok(it),
            other => unexpected(other, "an integer"),
        }
    }
    decode_pg_as_is!();
}

impl Decode for i32 {
    fn lite(value: rusqlite::types::ValueRef<'_>) -> Result<Self, String> {
        i64::lite(value).and_then(|it| i32::try_from(it).map_err(|err| err.to_string()))
    }
    decode_pg_as_is!();
}

impl Decode for f64 {
    fn lite(value: rusqlite::types::ValueRef<'_>) -> Result<Self, String> {
        match value {
            rusqlite::types::ValueRef::Real(it) => Ok(it),
            rusqlite::types::ValueRef::Integer(it) => Ok(it as f64),
            other => unexpected(other, "a number"),
        }
    }
    decode_pg_as_is!();
}

impl Decode for bool {
    fn lite(value: rusqlite::types::ValueRef<'_>) -> Result<Self, String> {
        i64::lite(value).map(|it| it != 0)
    }
    decode_pg_as_is!();
}

impl Decode for String {
    fn lite(value: rusqlite::types::ValueRef<'_>) -> Result<Self, String> {
        match value {
            rusqlite::types::ValueRef::Text(it) => String::from_utf8(it.to_vec()).map_err(|err| err.to_string()),
            other => unexpected(other, "text"),
        }
    }
    decode_pg_as_is!();
}

impl Decode for Vec<u8> {
    fn lite(value: rusqlite::types::ValueRef<'_>) -> Result<Self, String> {
        match value {
            rusqlite::types::ValueRef::Blob(it) => Ok(it.to_vec()),
            other => unexpected(other, "a blob"),
        }
    }
    decode_pg_as_is!();
}

impl Decode for Uuid {
    fn lite(value: rusqlite::types::ValueRef<'_>) -> Result<Self, String> {
        match value {
            rusqlite::types::ValueRef::Blob(it) => Uuid::from_slice(it).map_err(|err| err.to_string()),
            other => unexpected(other, "a 16-byte uuid"),
        }
    }
    decode_pg_as_is!();
}

impl<T: DeserializeOwned> Decode for Json<T> {
    fn lite(value: rusqlite::types::ValueRef<'_>) -> Result<Self, String> {
        match value {
            rusqlite::types::ValueRef::Text(it) | rusqlite::types::ValueRef::Blob(it) => {
                serde_json::from_slice(it).map(Json).map_err(|err| err.to_string())
            }
            other => unexpected(other, "JSON text"),
        }
    }
    fn pg(row: &PgRow, index: impl ColumnIndex) -> Result<Self, sqlx::Error> {
        row.try_get::<sqlx::types::Json<T>, _>(index).map(|it| Json(it.0))
    }
}

impl<T: Decode> Decode for Option<T> {
    fn lite(value: rusqlite::types::ValueRef<'_>) -> Result<Self, String> {
        match value {
            rusqlite::types::ValueRef::Null => Ok(None),
            other => T::lite(other).map(Some),
        }
    }
    fn pg(row: &PgRow, index: impl ColumnIndex) -> Result<Self, sqlx::Error> {
        use sqlx::ValueRef as _;
        if row.try_get_raw(index)?.is_null() {
            return Ok(None);
        }
        T::pg(row, index).map(Some)
    }
}

/// What a row becomes: a row struct (columns by name), a tuple (by position) or one value (the
/// first column).
pub trait FromRow: Sized {
    fn from_row(row: &Row<'_>) -> Result<Self, StoreError>;
}

macro_rules! scalar_from_row {
    ($($ty:ty),*) => {$(
        impl FromRow for $ty {
            fn from_row(row: &Row<'_>) -> Result<Self, StoreError> {
                row.get(0)
            }
        }
        impl FromRow for Option<$ty> {
            fn from_row(row: &Row<'_>) -> Result<Self, StoreError> {
                row.get(0)
            }
        }
    )*};
}

scalar_from_row!(i64, i32, f64, bool, String, Vec<u8>, Uuid);

macro_rules! tuple_from_row {
    ($($name:ident : $i:tt),*) => {
        impl<$($name: Decode),*> FromRow for ($($name,)*) {
            fn from_row(row: &Row<'_>) -> Result<Self, StoreError> {
                Ok(($(row.get::<$name>($i)?,)*))
            }
        }
    };
}

tuple_from_row!(A: 0, B: 1);
tuple_from_row!(A: 0, B: 1, C: 2);
tuple_from_row!(A: 0, B: 1, C: 2, D: 3);
tuple_from_row!(A: 0, B: 1, C: 2, D: 3, E: 4);

/// `FromRow` for a struct whose fields are read from the columns of the same names.
macro_rules! from_row {
    ($ty:ident { $($field:ident),* $(,)? }) => {
        impl $crate::db::FromRow for $ty {
            fn from_row(row: &$crate::db::Row<'_>) -> Result<Self, $crate::StoreError> {
                Ok($ty { $($field: row.get(stringify!($field))?),* })
            }
        }
    };
}
pub(crate) use from_row;

impl LiteTx {
    /// Runs one statement on this transaction's connection, on this thread: binds `args` (by
    /// the number in each `$n`, or in order for `?`), hands each row to `visit`, and returns how
    /// many rows the statement changed.
    pub(crate) fn run(
        &mut self,
        sql: &str,
        args: &[Arg],
        mut visit: impl FnMut(&rusqlite::Row<'_>) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        let conn = self.connection()?;
        // `?n` (or `?`) parameters have index n, the argument's place: no name to look up
        // (`numbered.rs`); anything else is bound by the number in its name.
        let numbered = numbered::numbered(sql);
        let mut stmt = conn.prepare_cached(numbered.as_deref().unwrap_or(sql))?;
        for index in 1..=stmt.parameter_count() {
            let position = match numbered {
                Some(_) => index,
                None => match stmt.parameter_name(index) {
                    None => index,
                    Some(name) => name
                        .strip_prefix(['$', '?'])
                        .and_then(|it| it.parse::<usize>().ok())
                        .ok_or_else(|| StoreError::Corrupt(format!("unsupported parameter `{name}` in `{sql}`")))?,
                },
            };
            let arg = args.get(position.wrapping_sub(1)).ok_or_else(|| {
                StoreError::Corrupt(format!("parameter {position} of `{sql}` has no argument ({} given)", args.len()))
            })?;
            stmt.raw_bind_parameter(index, arg)?;
        }
        let mut rows = stmt.raw_query();
        while let Some(row) = rows.next()? {
            visit(row)?;
        }
        drop(rows);
        drop(stmt);
        Ok(conn.changes())
    }
}

mod numbered;

#[cfg(test)]
mod tests;
