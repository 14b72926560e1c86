//! `loam export <workspace>/<dataset>`: a dataset's records, or training rows made of them,
//! written to a file (JSONL, CSV, Parquet) or a Hugging Face datasets folder, straight from the
//! database (`--data-dir` or `--database-url`) as the operator; the same rows and bytes as the
//! HTTP export. A progress bar counts records on stderr when it is a terminal; a summary line
//! ends the run. The file is written on a thread of its own while the next records are read
//! (`Export::write_all`). A file is written beside its path and renamed into place when complete.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use loam_export::Format;
use loam_service::{ExportRequest, PumpError, Service};
use serde_json::Value;

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The dataset, as `<workspace>/<dataset>`.
    dataset: String,
    /// records, sft, preference, rm, dpo or kto.
    #[arg(long)]
    shape: String,
    /// jsonl, csv, parquet, hf (a Hugging Face datasets folder) or argilla (with `--shape
    /// records`: the folder Argilla's SDK loads with `rg.Dataset.from_disk`, and `from_hub` once
    /// uploaded); by default from the extension of `--out` (`.jsonl`, `.csv`, `.parquet`;
    /// anything else: hf).
    #[arg(long)]
    format: Option<String>,
    /// Where to write: a file, or the folder for `hf`.
    #[arg(long)]
    out: PathBuf,
    /// The training shapes' mapping: a JSON or TOML file (by extension).
    #[arg(long)]
    mapping: Option<PathBuf>,
    /// standard or conversational (the training shapes).
    #[arg(long)]
    layout: Option<String>,
    /// skip or flag records with fewer submitted responses than the dataset's min_submitted.
    #[arg(long = "below-min-submitted")]
    below_min_submitted: Option<String>,
}

pub async fn run(service: &Service, args: ExportArgs) -> anyhow::Result<()> {
    let Some((workspace, dataset)) = args.dataset.split_once('/') else {
        bail!("name the dataset as <workspace>/<dataset>, not `{}`", args.dataset);
    };
    let format = match &args.format {
        Some(name) => name.clone(),
        None => format_of(&args.out).to_owned(),
    };
    let mapping = args.mapping.as_deref().map(read_mapping).transpose()?;
    let request = ExportRequest::parse(
        &args.shape,
        &format,
        mapping,
        args.layout.as_deref(),
        args.below_min_submitted.as_deref(),
    )?;
    let mut export = service.prepare_export_as_operator(workspace, dataset, request).await?;
    let format = export.format();
    let partial = match format {
        Format::Hf | Format::Argilla => args.out.clone(),
        _ => partial_path(&args.out),
    };
    let writer = loam_export::path_writer(format, export.columns(), export.card(), &partial)
        .with_context(|| format!("cannot write {}", partial.display()))?;
    let bar = ProgressBar::with_draw_target(
        Some(u64::try_from(export.total_records()).unwrap_or(0)),
        ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} records {elapsed_precise} eta {eta}") {
        bar.set_style(style);
    }
    let writer = match export.write_all(writer, |stats| bar.set_position(stats.records_read)).await {
        Ok(writer) => writer,
        Err(PumpError::Read(err)) => return Err(err.into()),
        Err(PumpError::Write(err)) => {
            return Err(anyhow::Error::new(err).context(format!("cannot write {}", partial.display())))
        }
    };
    let rows = writer.finish().with_context(|| format!("cannot write {}", partial.display()))?;
    bar.finish_and_clear();
    if partial != args.out {
        std::fs::rename(&partial, &args.out)
            .with_context(|| format!("cannot move the file to {}", args.out.display()))?;
    }
    let stats = export.stats();
    let mut summary = format!(
        "wrote {rows} rows ({} {}) to {}; read {} records",
        args.shape,
        format.name(),
        args.out.display(),
        stats.records_read
    );
    if stats.skipped_below_min > 0 {
        summary.push_str(&format!("; skipped {} below min_submitted", stats.skipped_below_min));
    }
    if stats.flagged_below_min > 0 {
        summary.push_str(&format!("; flagged {} below min_submitted", stats.flagged_below_min));
    }
    for (reason, n) in &stats.no_row {
        summary.push_str(&format!("; {n} gave no row ({reason})"));
    }
    summary.push_str(&format!("; build id {}", export.build_id()));
    println!("{summary}");
    Ok(())
}

fn format_of(out: &Path) -> &'static str {
    match out.extension().and_then(|it| it.to_str()) {
        Some("jsonl") => "jsonl",
        Some("csv") => "csv",
        Some("parquet") => "parquet",
        _ => "hf",
    }
}

/// `<out>.partial`, beside it.
fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().map(|it| it.to_os_string()).unwrap_or_default();
    name.push(".partial");
    out.with_file_name(name)
}

/// A mapping file as JSON: `.toml` files are read as TOML, anything else as JSON.
fn read_mapping(path: &Path) -> anyhow::Result<Value> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let value = if path.extension().and_then(|it| it.to_str()) == Some("toml") {
        let parsed: toml::Value = toml::from_str(&text).with_context(|| format!("{} is not TOML", path.display()))?;
        serde_json::to_value(parsed)?
    } else {
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?
    };
    if !value.is_object() {
        bail!("{} must hold a table (an object) of mapping keys", path.display());
    }
    Ok(value)
}
