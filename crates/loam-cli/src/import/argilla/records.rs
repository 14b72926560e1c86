//! One dataset's records: read page by page from the server (`include` responses, suggestions
//! and vectors), each page written as one transaction, while the source's rows are counted; at
//! the end the counts of both sides, side by side. The next page is read while one is written.

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use loam_service::import::argilla::{RowCounts, UserMap};
use loam_service::Service;
use serde_json::Value;

use super::client::{Client, SourceError};
use super::{Problems, Stop};

pub(super) struct DatasetJob<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub users: &'a UserMap,
    pub dry_run: bool,
    /// A dry run of a dataset loam does not have: the records are only counted.
    pub only_count: bool,
    pub batch: u32,
}

pub(super) struct Summary {
    name: String,
    source: RowCounts,
    loam: Option<RowCounts>,
    created: usize,
    present: usize,
    refused: usize,
}

impl Summary {
    /// Whether loam holds what the server showed.
    pub(super) fn equal(&self) -> bool {
        self.loam.as_ref() == Some(&self.source)
    }
}

fn count_source(counts: &mut RowCounts, items: &[Value]) {
    for item in items {
        counts.records += 1;
        for response in item.get("responses").and_then(Value::as_array).into_iter().flatten() {
            match response.get("status").and_then(Value::as_str) {
                Some("submitted") => counts.submitted += 1,
                Some("draft") => counts.draft += 1,
                Some("discarded") => counts.discarded += 1,
                _ => {}
            }
        }
        counts.suggestions += item.get("suggestions").and_then(Value::as_array).map_or(0, |it| it.len()) as i64;
        counts.vectors += item.get("vectors").and_then(Value::as_object).map_or(0, |it| it.len()) as i64;
    }
}

async fn page(client: &Client, id: &str, offset: u64, limit: u32) -> Result<(Vec<Value>, u64), SourceError> {
    let path = format!(
        "/api/v1/datasets/{id}/records?offset={offset}&limit={limit}&include=responses&include=suggestions&include=vectors"
    );
    let reply = client.get(&path).await?;
    let total = reply.get("total").and_then(Value::as_u64).unwrap_or(0);
    let Some(items) = reply.get("items").and_then(Value::as_array) else {
        return Err(SourceError::NotArgilla { url: client.url().to_owned(), reason: format!("{path} has no `items`") });
    };
    Ok((items.clone(), total))
}

pub(super) async fn import_records(
    service: &Service,
    client: &Client,
    bars: &MultiProgress,
    job: DatasetJob<'_>,
    problems: &mut Problems,
) -> Result<Summary, Stop> {
    let mut summary = Summary {
        name: job.name.to_owned(),
        source: RowCounts::default(),
        loam: None,
        created: 0,
        present: 0,
        refused: 0,
    };
    let (mut items, total) = page(client, job.id, 0, job.batch).await?;
    let bar = bars.add(ProgressBar::new(total));
    if let Ok(style) = ProgressStyle::with_template("{prefix} {bar:30} {pos}/{len} records {elapsed_precise} eta {eta}")
    {
        bar.set_style(style);
    }
    bar.set_prefix(job.name.to_owned());
    let dataset: loam_service::domain::DatasetId = match uuid::Uuid::parse_str(job.id) {
        Ok(id) => id.into(),
        Err(_) => return Err(Stop::Loam(anyhow::anyhow!("the dataset id `{}` is not a uuid", job.id))),
    };
    let mut offset = 0u64;
    while !items.is_empty() {
        offset += items.len() as u64;
        // The next page is read while this one is written.
        let next = page(client, job.id, offset, job.batch);
        count_source(&mut summary.source, &items);
        let write = async {
            if job.only_count {
                return Ok::<_, loam_service::Error>(None);
            }
            service.import_argilla_records(dataset, &items, job.users, job.dry_run).await.map(Some)
        };
        let (next, written) = tokio::join!(next, write);
        if let Some(done) = written? {
            summary.created += done.created;
            summary.present += done.present;
            summary.refused += done.refused.len();
            for (record, reason) in &done.refused {
                problems.report(&format!("dataset {} record {record}", job.name), reason);
            }
        }
        bar.inc(items.len() as u64);
        items = next?.0;
    }
    bar.finish_and_clear();
    if !job.dry_run {
        summary.loam = Some(service.imported_row_counts(dataset).await?);
    }
    Ok(summary)
}

pub(super) fn print_summaries(summaries: &[Summary], dry_run: bool) {
    if summaries.is_empty() {
        return;
    }
    let verb = if dry_run { "would import" } else { "imported" };
    for it in summaries {
        println!(
            "dataset {}: {verb} {} records, {} already there, {} refused",
            it.name, it.created, it.present, it.refused
        );
        let row = |side: &str, c: &RowCounts| {
            format!(
                "  {side:<8} records {:>8}  submitted {:>8}  draft {:>8}  discarded {:>8}  suggestions {:>8}  vectors {:>8}",
                c.records, c.submitted, c.draft, c.discarded, c.suggestions, c.vectors
            )
        };
        println!("{}", row("argilla", &it.source));
        if let Some(loam) = &it.loam {
            println!("{}", row("loam", loam));
            println!("  counts {}", if it.equal() { "equal" } else { "DIFFER" });
        }
    }
}
