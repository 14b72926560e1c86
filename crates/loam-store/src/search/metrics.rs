//! The metrics of a metadata property over a dataset's records: the counts of its terms, the
//! range of its numbers, read from the records' metadata JSON.

use loam_domain::DatasetId;
use serde_json::Value;

use super::sql::Sql;
use crate::db::Query;
use crate::{StoreError, Tx};

/// Term counts of a terms metadata property over a dataset's records, most frequent first:
/// (term, count). List values count each element.
pub async fn metadata_term_counts(
    tx: &mut Tx,
    dataset: DatasetId,
    name: &str,
) -> Result<Vec<(Value, i64)>, StoreError> {
    let mut sql = Sql::on(tx);
    let ds = sql.push(dataset.0);
    let each = sql.json_elements("r.metadata", &[name]);
    // The term comes back as JSON text, keeping its type. Counted once per record, as the
    // reference's terms aggregation counts documents (a list naming a term twice is one).
    let term = sql.dialect.json_text("j.value");
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
    let mut sql = Sql::on(tx);
    let ds = sql.push(dataset.0);
    let at = sql.json_at("r.metadata", &[name]);
    let number = sql.json_number(&at);
    sql.text = format!(
        "select cast(min({number}) as double precision), cast(max({number}) as double precision) \
         from records r where r.dataset_id = {ds}"
    );
    Query::with_args(&sql.text, &sql.args).long().fetch_one::<(Option<f64>, Option<f64>)>(tx).await
}
