//! `loam import file PATH --dataset <workspace>/<dataset>`: a JSONL, CSV or Parquet file into an
//! existing dataset, straight into the database (`--data-dir` or `--database-url`) as the
//! operator, through the service's import (`loam_service::import::file`). A progress bar on
//! stderr when it is a terminal; a summary line on stdout, then the first row errors.
//!
//! Exit status: 0 every row imported; 3 some rows failed (or the import stopped half-way: what
//! was imported stays); 4 nothing imported because the input is bad (a mapping naming a column
//! the file lacks, a file that is not of its format, every row refused); 1 anything else (the
//! database unreachable).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use loam_service::{Error, FileImport, ImportFormat, ImportObserver, ImportProgress, RowError, Service};
use serde_json::Value;

/// Some rows failed; the others were imported.
pub const EXIT_SOME_FAILED: i32 = 3;
/// Nothing was imported: the input is bad.
pub const EXIT_BAD_INPUT: i32 = 4;

#[derive(Args, Debug)]
pub struct FileArgs {
    /// The file to import.
    path: PathBuf,
    /// The dataset, as `<workspace>/<dataset>`.
    #[arg(long)]
    dataset: String,
    /// The column mapping: a JSON or TOML file (by extension). Sections it leaves out are
    /// inferred from the dataset's settings and the file's columns.
    #[arg(long)]
    mapping: Option<PathBuf>,
    /// jsonl, csv or parquet; by default from the file's extension.
    #[arg(long)]
    format: Option<String>,
    /// Write every row error (not only the first 100) to this file, one a line.
    #[arg(long = "errors-to")]
    errors_to: Option<PathBuf>,
}

struct Observer {
    bar: ProgressBar,
    errors: Option<BufWriter<File>>,
    write_failed: Option<std::io::Error>,
}

impl ImportObserver for Observer {
    fn progress(&mut self, progress: &ImportProgress) {
        if self.bar.length() != Some(progress.total) {
            self.bar.set_length(progress.total);
        }
        self.bar.set_position(progress.done);
        self.bar.set_message(format!(
            "{} rows, {} imported, {} failed",
            progress.rows_read, progress.imported, progress.failed
        ));
    }

    fn row_error(&mut self, error: &RowError) {
        if let Some(out) = &mut self.errors {
            if let Err(e) = writeln!(out, "{error}") {
                self.write_failed.get_or_insert(e);
            }
        }
    }
}

/// A mapping file as JSON: `.toml` files are read as TOML, anything else as JSON.
fn read_mapping(path: &Path) -> anyhow::Result<Value> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    if path.extension().and_then(|it| it.to_str()) == Some("toml") {
        let parsed: toml::Value = toml::from_str(&text).with_context(|| format!("{} is not TOML", path.display()))?;
        Ok(serde_json::to_value(parsed)?)
    } else {
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))
    }
}

/// Says why nothing was imported; the exit status that says so.
fn bad_input(msg: impl std::fmt::Display) -> i32 {
    eprintln!("error: {msg}");
    eprintln!("nothing imported");
    EXIT_BAD_INPUT
}

/// Runs the import; returns its exit status (0, [`EXIT_SOME_FAILED`] or [`EXIT_BAD_INPUT`]),
/// which `import::finish` ends the process with once the database is closed and the output
/// flushed.
pub async fn run(service: &Service, args: FileArgs) -> anyhow::Result<i32> {
    let Some((workspace, dataset)) = args.dataset.split_once('/') else {
        bail!("name the dataset as <workspace>/<dataset>, not `{}`", args.dataset);
    };
    let format = match &args.format {
        Some(name) => match ImportFormat::parse(name) {
            Ok(it) => it,
            Err(e) => return Ok(bad_input(e)),
        },
        None => match ImportFormat::of_path(&args.path) {
            Some(it) => it,
            None => {
                return Ok(bad_input(format!(
                    "cannot tell the format of {} from its extension; say --format jsonl, csv or parquet",
                    args.path.display()
                )))
            }
        },
    };
    let mapping = match args.mapping.as_deref().map(read_mapping).transpose() {
        Ok(it) => it,
        Err(e) => return Ok(bad_input(format!("{e:#}"))),
    };
    let errors = match &args.errors_to {
        Some(path) => {
            Some(BufWriter::new(File::create(path).with_context(|| format!("cannot write {}", path.display()))?))
        }
        None => None,
    };
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {percent}% {msg} {elapsed_precise} eta {eta}") {
        bar.set_style(style);
    }
    let mut observer = Observer { bar, errors, write_failed: None };
    let request = FileImport { path: args.path.clone(), format, mapping };
    // One long write: the database's pages are read without being mapped into this process, so
    // its resident memory stays flat however large the database grows.
    service.stop_mapping_database();
    let res = service.import_file_as_operator(workspace, dataset, request, &mut observer).await;
    observer.bar.finish_and_clear();
    let report = match res {
        Ok(report) => report,
        Err(e @ (Error::Invalid(_) | Error::Schema(_) | Error::NotFound(_))) => return Ok(bad_input(e)),
        Err(e) => return Err(e.into()),
    };
    if let Some(mut out) = observer.errors.take() {
        if let Err(e) = out.flush() {
            observer.write_failed.get_or_insert(e);
        }
    }
    let mut summary = format!(
        "read {} rows from {}; imported {}; failed {}",
        report.rows_read,
        args.path.display(),
        report.imported,
        report.failed
    );
    if let Some(reason) = &report.stopped {
        summary.push_str(&format!("; stopped early: {reason}"));
    }
    println!("{summary}");
    for err in &report.errors {
        println!("  {err}");
    }
    if report.errors_not_listed > 0 {
        let more = match &args.errors_to {
            Some(path) => format!(" (all in {})", path.display()),
            None => " (--errors-to FILE lists them all)".to_owned(),
        };
        println!("  … and {} more row errors{more}", report.errors_not_listed);
    }
    if let (Some(path), Some(e)) = (&args.errors_to, observer.write_failed) {
        eprintln!("warning: cannot write the row errors to {}: {e}", path.display());
    }
    if report.imported == 0 && (report.failed > 0 || report.stopped.is_some()) {
        eprintln!("nothing imported");
        return Ok(EXIT_BAD_INPUT);
    }
    if report.failed > 0 || report.stopped.is_some() {
        return Ok(EXIT_SOME_FAILED);
    }
    Ok(0)
}
