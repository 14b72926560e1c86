//! `loam import folder PATH --workspace NAME`: a dataset from a folder Argilla's v2 SDK wrote,
//! straight into the database (`--data-dir` or `--database-url`) as the first owner; the use case
//! is `loam_service::import::folder`. A spinner counts records read on stderr when it is a
//! terminal; a summary ends the run, with every refused record and its reason and the responses
//! left out for users loam does not have. Exit status 1 when nothing was imported (bad folder,
//! existing dataset) or when some records were refused or the folder failed half-way.

use std::path::PathBuf;

use anyhow::bail;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use loam_service::import::folder::{FolderImport, FolderReport};
use loam_service::Service;

/// Refused records listed one by one; the rest are counted.
const LISTED: usize = 50;

#[derive(Args, Debug)]
pub struct FolderArgs {
    /// The folder: `.argilla/settings.json` and `.argilla/dataset.json`, with `records.json`
    /// (to_disk) or Parquet files (to_hub).
    path: PathBuf,
    /// The loam workspace to create the dataset in.
    #[arg(long)]
    workspace: String,
    /// The dataset's name (default: the name in `.argilla/dataset.json`).
    #[arg(long)]
    name: Option<String>,
    /// If the dataset exists, add the records it lacks (by the SDK's record id, its external id)
    /// instead of stopping: a second run adds nothing, a run that stopped half-way completes.
    #[arg(long = "into-existing")]
    into_existing: bool,
}

pub async fn run(service: &Service, args: FolderArgs) -> anyhow::Result<()> {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {pos} records read {elapsed_precise}") {
        bar.set_style(style);
    }
    let req =
        FolderImport { path: args.path, workspace: args.workspace, name: args.name, into_existing: args.into_existing };
    let report = service.import_folder_as_operator(req, |read| bar.set_position(read)).await;
    bar.finish_and_clear();
    let report = report?;
    print!("{}", summary(&report));
    let refused = report.failed.len();
    if let Some(reason) = &report.stopped {
        bail!("the import stopped: {reason}; run it again with --into-existing to add the rest");
    }
    if refused > 0 {
        bail!("{refused} records were not imported (listed above)");
    }
    Ok(())
}

fn summary(report: &FolderReport) -> String {
    let layout = report.layout.map_or("folder", |it| it.name());
    let mut out = format!(
        "{} dataset {} from a {layout}: {} records read, {} imported",
        if report.created { "created" } else { "added to" },
        report.dataset,
        report.records_read,
        report.imported
    );
    if report.already_present > 0 {
        out.push_str(&format!(", {} already present", report.already_present));
    }
    if !report.failed.is_empty() {
        out.push_str(&format!(", {} refused", report.failed.len()));
    }
    out.push('\n');
    for (label, reason) in report.failed.iter().take(LISTED) {
        out.push_str(&format!("  refused {label}: {reason}\n"));
    }
    if report.failed.len() > LISTED {
        out.push_str(&format!("  … and {} more refused records\n", report.failed.len() - LISTED));
    }
    for (user, n) in &report.unknown_users {
        out.push_str(&format!("  left out {n} responses of user {user}: no such user in loam\n"));
    }
    for (user, n) in &report.non_members {
        out.push_str(&format!("  left out {n} responses of user {user}: not an owner nor a member of the workspace\n"));
    }
    if !report.skipped_columns.is_empty() {
        out.push_str(&format!(
            "  left out columns no setting names (the dataset does not allow extra metadata): {}\n",
            report.skipped_columns.join(", ")
        ));
    }
    out
}
