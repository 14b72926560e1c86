//! `loam import …`: data from Argilla's formats into loam's database (issue 21).

mod folder;

use clap::Subcommand;
use loam_service::Service;

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Import a dataset from a folder Argilla's v2 SDK wrote: `Dataset.to_disk()`'s
    /// (`.argilla/` and `records.json`) or a local copy of what `Dataset.to_hub()` publishes
    /// (`.argilla/` and Parquet files).
    Folder(folder::FolderArgs),
}

pub async fn run(service: &Service, cmd: ImportCommand) -> anyhow::Result<()> {
    match cmd {
        ImportCommand::Folder(args) => folder::run(service, args).await,
    }
}
