//! `loam import …`: bringing data into loam. `file`: a JSONL, CSV or Parquet file into an
//! existing dataset.

pub mod file;

use clap::Subcommand;
use loam_service::Service;

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Import a JSONL, CSV or Parquet file into an existing dataset, with a column mapping.
    File(file::FileArgs),
}

pub async fn run(service: &Service, cmd: ImportCommand) -> anyhow::Result<()> {
    match cmd {
        ImportCommand::File(args) => file::run(service, args).await,
    }
}
