//! `loam import …`: moving data in from elsewhere (a running Argilla server, the folders Argilla's
//! v2 SDK writes, plain JSONL / CSV / Parquet files), through loam's write paths (issue 21).

pub mod argilla;
pub mod file;
mod folder;

use clap::Subcommand;
use loam_service::Service;

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Import a running Argilla 2.x server over its HTTP API: workspaces, users, datasets with
    /// every setting, records with vectors, suggestions and responses, keeping ids. Resumable:
    /// a second run adds what is missing and changes nothing that is there.
    Argilla(argilla::ArgillaArgs),
    /// Import a dataset from a folder Argilla's v2 SDK wrote: `Dataset.to_disk()`'s
    /// (`.argilla/` and `records.json`) or a local copy of what `Dataset.to_hub()` publishes
    /// (`.argilla/` and Parquet files).
    Folder(folder::FolderArgs),
    /// Import a JSONL, CSV or Parquet file into an existing dataset, with a column mapping.
    File(file::FileArgs),
}

/// Runs an import; returns the process exit status it ends with (0: complete).
pub async fn run(service: &Service, cmd: ImportCommand) -> anyhow::Result<i32> {
    match cmd {
        ImportCommand::Argilla(args) => argilla::run(service, args).await,
        ImportCommand::Folder(args) => folder::run(service, args).await.map(|()| 0),
        ImportCommand::File(args) => file::run(service, args).await,
    }
}

/// Ends the process with an import's exit status: the database closed and the output flushed
/// first, so a non-zero status (items refused, the server unreachable, ...) loses nothing.
pub async fn finish(service: &Service, res: anyhow::Result<i32>) -> anyhow::Result<()> {
    let status = res?;
    if status != 0 {
        use std::io::Write;
        service.close().await;
        let _ = std::io::stdout().flush();
        let _ = std::io::stderr().flush();
        std::process::exit(status);
    }
    Ok(())
}
