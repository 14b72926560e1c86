//! `loam import …`: moving data in from elsewhere, through loam's write paths.

pub mod argilla;

use clap::Subcommand;
use loam_service::Service;

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Import a running Argilla 2.x server over its HTTP API: workspaces, users, datasets with
    /// every setting, records with vectors, suggestions and responses, keeping ids. Resumable:
    /// a second run adds what is missing and changes nothing that is there.
    Argilla(argilla::ArgillaArgs),
}

/// Runs an import; returns the process exit status it ends with (0: complete).
pub async fn run(service: &Service, cmd: ImportCommand) -> anyhow::Result<i32> {
    match cmd {
        ImportCommand::Argilla(args) => argilla::run(service, args).await,
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
